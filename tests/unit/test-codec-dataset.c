/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DeviceInfo, StorageInfo, ObjectInfo and ObjectPropList (dataset.c).
 * The golden vectors follow the field tables of PIMA 15740 5.5.1-5.5.3
 * and the MTP 1.1 ObjectPropList dataset, written out by hand. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

/* ------------------------------------------------------------------ */
/* DeviceInfo                                                           */
/* ------------------------------------------------------------------ */

static const uint8_t device_info_bytes[] = {
    0x64, 0x00,                   /* StandardVersion 100 (1.00) */
    0x06, 0x00, 0x00, 0x00,       /* VendorExtensionID 6 (Microsoft, MTP) */
    0x64, 0x00,                   /* VendorExtensionVersion 100 */
    0x04, 'm', 0, 't', 0, 'p', 0, 0, 0, /* VendorExtensionDesc "mtp" */
    0x00, 0x00,                   /* FunctionalMode 0 */
    0x03, 0x00, 0x00, 0x00,       /* OperationsSupported: 3 */
    0x01, 0x10, 0x02, 0x10, 0x05, 0x98,
    0x01, 0x00, 0x00, 0x00,       /* EventsSupported: 1 */
    0x02, 0x40,
    0x01, 0x00, 0x00, 0x00,       /* DevicePropertiesSupported: 1 */
    0x02, 0xD4,
    0x00, 0x00, 0x00, 0x00,       /* CaptureFormats: none */
    0x02, 0x00, 0x00, 0x00,       /* ImageFormats (playback): 2 */
    0x01, 0x30, 0x01, 0x38,
    0x05, 'A', 0, 'c', 0, 'm', 0, 'e', 0, 0, 0, /* Manufacturer "Acme" */
    0x02, 0xDC, 0x00, 0x00, 0x00, /* Model "U umlaut" (U+00DC) */
    0x04, '1', 0, '.', 0, '0', 0, 0, 0, /* DeviceVersion "1.0" */
    0x00,                         /* SerialNumber "" */
};

static uint16_t di_ops[] = {0x1001, 0x1002, 0x9805};
static uint16_t di_events[] = {0x4002};
static uint16_t di_props[] = {0xD402};
static uint16_t di_playback[] = {0x3001, 0x3801};

static fc_device_info device_info_expected(void)
{
    fc_device_info di;
    memset(&di, 0, sizeof di);
    di.standard_version = 100;
    di.vendor_ext_id = 6;
    di.vendor_ext_version = 100;
    di.vendor_ext_desc = (char *)"mtp";
    di.functional_mode = 0;
    di.operations = di_ops;
    di.n_operations = 3;
    di.events = di_events;
    di.n_events = 1;
    di.device_props = di_props;
    di.n_device_props = 1;
    di.playback_formats = di_playback;
    di.n_playback_formats = 2;
    di.manufacturer = (char *)"Acme";
    di.model = (char *)"\xC3\x9C";
    di.device_version = (char *)"1.0";
    di.serial = (char *)"";
    return di;
}

static void test_device_info(void **state)
{
    (void)state;
    fc_device_info exp = device_info_expected();
    CT_CHECK_ALL(&ct_device_info, device_info_bytes, &exp);

    fc_device_info di;
    assert_int_equal(fc_device_info_decode(device_info_bytes, sizeof device_info_bytes, &di), 0);
    assert_string_equal(di.model, "\xC3\x9C");
    assert_null(di.capture_formats); /* empty arrays are NULL */
    assert_int_equal(di.n_capture_formats, 0);
    assert_true(fc_device_info_has_op(&di, 0x9805));
    assert_true(fc_device_info_has_op(&di, 0x1001));
    assert_false(fc_device_info_has_op(&di, 0x1003));
    fc_device_info_free(&di);
    ct_assert_zero(&di, sizeof di);
    assert_false(fc_device_info_has_op(&di, 0x1001));
    assert_false(fc_device_info_has_op(NULL, 0x1001));
    fc_device_info_free(NULL);

    /* decoding allocates: 5 strings + 4 non-empty arrays */
    assert_int_equal(ct_check_decode_enomem(&ct_device_info, device_info_bytes,
                                            sizeof device_info_bytes),
                     9);
}

static void test_device_info_bad(void **state)
{
    (void)state;
    uint8_t b[sizeof device_info_bytes];

    /* OperationsSupported count 0x40000000 */
    memcpy(b, device_info_bytes, sizeof b);
    b[19] = 0x00;
    b[20] = 0x00;
    b[21] = 0x00;
    b[22] = 0x40;
    assert_int_equal(b[17], 0x00); /* FunctionalMode before it */
    CT_CHECK_ERROR(&ct_device_info, b, FERRY_EPROTO);

    /* a bad string in the last field frees everything before it */
    memcpy(b, device_info_bytes, sizeof b);
    uint8_t *bad = malloc(sizeof b + 4);
    assert_non_null(bad);
    memcpy(bad, b, sizeof b - 1);
    static const uint8_t lone_low[] = {0x02, 0x00, 0xDC, 0x00, 0x00};
    memcpy(bad + sizeof b - 1, lone_low, sizeof lone_low);
    ct_check_decode_error(&ct_device_info, bad, sizeof b + 4, FERRY_EPROTO);
    free(bad);

    /* encoding a count without an array */
    fc_device_info di = device_info_expected();
    di.events = NULL;
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u8(&w, 0xAA), 0);
    assert_int_equal(fc_device_info_encode(&di, &w), FERRY_EINVAL);
    assert_int_equal(w.len, 1); /* rolled back to before the dataset */
    assert_int_equal(w.err, FERRY_EINVAL);
    /* an encoder called on a writer in error does nothing */
    di = device_info_expected();
    assert_int_equal(fc_device_info_encode(&di, &w), FERRY_EINVAL);
    assert_int_equal(w.len, 1);
    fc_wr_free(&w);

    /* a name that cannot be sent */
    di.manufacturer = (char *)"\xC0\xAF";
    fc_wr_init(&w);
    assert_int_equal(fc_device_info_encode(&di, &w), FERRY_EBADNAME);
    assert_int_equal(w.len, 0);
    fc_wr_free(&w);
}

/* ------------------------------------------------------------------ */
/* StorageInfo                                                          */
/* ------------------------------------------------------------------ */

static const uint8_t storage_info_bytes[] = {
    0x03, 0x00,                                     /* StorageType: fixed RAM */
    0x02, 0x00,                                     /* FilesystemType: hierarchical */
    0x00, 0x00,                                     /* AccessCapability: R/W */
    0x00, 0x80, 0xB2, 0xE6, 0x0E, 0x00, 0x00, 0x00, /* MaxCapacity 64e9 */
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* FreeSpaceInBytes 4 GiB */
    0xFF, 0xFF, 0xFF, 0xFF,                         /* FreeSpaceInObjects: n/a */
    0x09, 'I', 0, 'n', 0, 't', 0, 'e', 0, 'r', 0, 'n', 0, 'a', 0, 'l', 0, 0, 0,
    0x00,                                           /* VolumeLabel "" */
};

static void test_storage_info(void **state)
{
    (void)state;
    fc_storage_info exp;
    memset(&exp, 0, sizeof exp);
    exp.storage_type = FC_ST_FIXED_RAM;
    exp.fs_type = FC_FST_GENERIC_HIERARCHICAL;
    exp.access = FC_AC_READ_WRITE;
    exp.max_capacity = UINT64_C(64000000000);
    exp.free_bytes = UINT64_C(1) << 32;
    exp.free_objects = 0xFFFFFFFF;
    exp.description = (char *)"Internal";
    exp.volume_label = NULL; /* equals "" */
    CT_CHECK_ALL(&ct_storage_info, storage_info_bytes, &exp);
    assert_int_equal(ct_check_decode_enomem(&ct_storage_info, storage_info_bytes,
                                            sizeof storage_info_bytes),
                     2);
}

/* ------------------------------------------------------------------ */
/* ObjectInfo                                                           */
/* ------------------------------------------------------------------ */

static const uint8_t object_info_bytes[] = {
    0x01, 0x00, 0x01, 0x00, /* StorageID 0x00010001 */
    0x01, 0x38,             /* ObjectFormat 0x3801 EXIF/JPEG */
    0x00, 0x00,             /* ProtectionStatus: none */
    0x78, 0x56, 0x34, 0x12, /* ObjectCompressedSize 0x12345678 */
    0x08, 0x38,             /* ThumbFormat 0x3808 JFIF */
    0x00, 0x10, 0x00, 0x00, /* ThumbCompressedSize 4096 */
    0xA0, 0x00, 0x00, 0x00, /* ThumbPixWidth 160 */
    0x78, 0x00, 0x00, 0x00, /* ThumbPixHeight 120 */
    0xA0, 0x0F, 0x00, 0x00, /* ImagePixWidth 4000 */
    0xB8, 0x0B, 0x00, 0x00, /* ImagePixHeight 3000 */
    0x18, 0x00, 0x00, 0x00, /* ImageBitDepth 24 */
    0x05, 0x00, 0x00, 0x00, /* ParentObject 5 */
    0x00, 0x00,             /* AssociationType: none */
    0x00, 0x00, 0x00, 0x00, /* AssociationDesc */
    0x07, 0x00, 0x00, 0x00, /* SequenceNumber 7 */
    0x08, 'I', 0, 'M', 0, 'G', 0, '.', 0, 'J', 0, 'P', 0, 'G', 0, 0, 0, /* Filename */
    0x10,                   /* CaptureDate "20240229T123456" (15 + NUL) */
    '2', 0, '0', 0, '2', 0, '4', 0, '0', 0, '2', 0, '2', 0, '9', 0,
    'T', 0, '1', 0, '2', 0, '3', 0, '4', 0, '5', 0, '6', 0, 0, 0,
    0x13,                   /* ModificationDate "20240301T000000.5Z" (18 + NUL) */
    '2', 0, '0', 0, '2', 0, '4', 0, '0', 0, '3', 0, '0', 0, '1', 0,
    'T', 0, '0', 0, '0', 0, '0', 0, '0', 0, '0', 0, '0', 0, '.', 0,
    '5', 0, 'Z', 0, 0, 0,
    0x00,                   /* Keywords "" */
};

static fc_object_info object_info_expected(void)
{
    fc_object_info oi;
    memset(&oi, 0, sizeof oi);
    oi.storage_id = 0x00010001;
    oi.format = FC_OFC_EXIF_JPEG;
    oi.protection = 0;
    oi.compressed_size = 0x12345678;
    oi.thumb_format = FC_OFC_JFIF;
    oi.thumb_size = 4096;
    oi.thumb_width = 160;
    oi.thumb_height = 120;
    oi.image_width = 4000;
    oi.image_height = 3000;
    oi.image_depth = 24;
    oi.parent = 5;
    oi.association_type = FC_AT_UNDEFINED;
    oi.association_desc = 0;
    oi.sequence = 7;
    oi.filename = (char *)"IMG.JPG";
    oi.capture_date = (char *)"20240229T123456";
    oi.modification_date = (char *)"20240301T000000.5Z";
    oi.keywords = (char *)"";
    return oi;
}

static void test_object_info(void **state)
{
    (void)state;
    fc_object_info exp = object_info_expected();
    CT_CHECK_ALL(&ct_object_info, object_info_bytes, &exp);
    assert_int_equal(ct_check_decode_enomem(&ct_object_info, object_info_bytes,
                                            sizeof object_info_bytes),
                     4);

    /* the dates come back as sent and parse */
    fc_object_info oi;
    fc_datetime dt;
    assert_int_equal(fc_object_info_decode(object_info_bytes, sizeof object_info_bytes, &oi), 0);
    assert_int_equal(fc_datetime_parse(oi.modification_date, &dt), 0);
    assert_int_equal(dt.tenths, 5);
    assert_int_equal(dt.tz, FC_TZ_UTC);
    assert_int_equal(fc_datetime_parse(oi.keywords, &dt), FERRY_EEND);
    fc_object_info_free(&oi);
    ct_assert_zero(&oi, sizeof oi);
}

/* A folder as a device side would send it: NULL strings become "". */
static void test_object_info_folder(void **state)
{
    (void)state;
    static const uint8_t folder[] = {
        0x01, 0x00, 0x01, 0x00, 0x01, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, /* ParentObject: root */
        0x01, 0x00,                         /* AssociationType: generic folder */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x05, 'D', 0, 'C', 0, 'I', 0, 'M', 0, 0, 0,
        0x00, 0x00, 0x00,
    };
    fc_object_info exp;
    memset(&exp, 0, sizeof exp);
    exp.storage_id = 0x00010001;
    exp.format = FC_OFC_Association;
    exp.parent = 0xFFFFFFFF;
    exp.association_type = FC_AT_GENERIC_FOLDER;
    exp.filename = (char *)"DCIM";
    CT_CHECK_ALL(&ct_object_info, folder, &exp);
}

/* ------------------------------------------------------------------ */
/* ObjectPropList                                                       */
/* ------------------------------------------------------------------ */

static const uint8_t proplist_bytes[] = {
    0x06, 0x00, 0x00, 0x00, /* NumberOfElements 6 */
    /* 1: handle 1, ObjectFileName, STR "a.txt" */
    0x01, 0x00, 0x00, 0x00, 0x07, 0xDC, 0xFF, 0xFF,
    0x06, 'a', 0, '.', 0, 't', 0, 'x', 0, 't', 0, 0, 0,
    /* 2: handle 1, ObjectSize, UINT64 0x100000000 */
    0x01, 0x00, 0x00, 0x00, 0x04, 0xDC, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    /* 3: handle 2, ProtectionStatus, UINT16 1 */
    0x02, 0x00, 0x00, 0x00, 0x03, 0xDC, 0x04, 0x00, 0x01, 0x00,
    /* 4: handle 2, PersistentUniqueObjectIdentifier, UINT128 */
    0x02, 0x00, 0x00, 0x00, 0x41, 0xDC, 0x0A, 0x00,
    0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01,
    0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE,
    /* 5: handle 3, Lyrics, AUINT16 "Hi" */
    0x03, 0x00, 0x00, 0x00, 0x8E, 0xDC, 0x04, 0x40,
    0x02, 0x00, 0x00, 0x00, 0x48, 0x00, 0x69, 0x00,
    /* 6: handle 3, vendor property 0xD000, INT32 -2 */
    0x03, 0x00, 0x00, 0x00, 0x00, 0xD0, 0x05, 0x00, 0xFE, 0xFF, 0xFF, 0xFF,
};

static const uint64_t lyrics[] = {0x48, 0x69};

static void proplist_expected(fc_proplist *pl, fc_prop_elem *e)
{
    memset(e, 0, 6 * sizeof *e);
    e[0].handle = 1;
    e[0].code = FC_OPC_ObjectFileName;
    e[0].value.type = FC_DTC_STR;
    e[0].value.u.str = (char *)"a.txt";
    e[1].handle = 1;
    e[1].code = FC_OPC_ObjectSize;
    e[1].value = fc_value_uint(FC_DTC_UINT64, UINT64_C(0x100000000));
    e[2].handle = 2;
    e[2].code = FC_OPC_ProtectionStatus;
    e[2].value = fc_value_uint(FC_DTC_UINT16, 1);
    e[3].handle = 2;
    e[3].code = FC_OPC_PersistentUniqueObjectIdentifier;
    e[3].value = fc_value_uint(FC_DTC_UINT128, UINT64_C(0x0123456789ABCDEF));
    e[3].value.u.x.hi = UINT64_C(0xFEDCBA9876543210);
    e[4].handle = 3;
    e[4].code = FC_OPC_Lyrics;
    e[4].value.type = FC_DTC_AUINT16;
    e[4].value.u.a.count = 2;
    e[4].value.u.a.v = (void *)(uintptr_t)lyrics;
    e[5].handle = 3;
    e[5].code = 0xD000;
    e[5].value = fc_value_int(FC_DTC_INT32, -2);
    memset(pl, 0, sizeof *pl);
    pl->count = 6;
    pl->elems = e;
}

static void test_proplist(void **state)
{
    (void)state;
    fc_prop_elem e[6];
    fc_proplist exp;
    proplist_expected(&exp, e);
    CT_CHECK_ALL(&ct_proplist, proplist_bytes, &exp);
    /* the element array, the string, the array */
    assert_int_equal(ct_check_decode_enomem(&ct_proplist, proplist_bytes, sizeof proplist_bytes),
                     3);

    fc_proplist pl;
    assert_int_equal(fc_proplist_decode(proplist_bytes, sizeof proplist_bytes, &pl), 0);
    assert_int_equal(pl.elems[5].value.u.i, -2);
    assert_string_equal(pl.elems[0].value.u.str, "a.txt");
    fc_proplist_free(&pl);
    ct_assert_zero(&pl, sizeof pl);
    fc_proplist_free(NULL);

    /* empty list */
    static const uint8_t empty[] = {0, 0, 0, 0};
    memset(&exp, 0, sizeof exp);
    CT_CHECK_ALL(&ct_proplist, empty, &exp);
}

static void test_proplist_bad(void **state)
{
    (void)state;
    /* counts the bytes cannot hold: refused before allocating */
    static const uint8_t huge[] = {0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 0x00,
                                   0x07, 0xDC, 0x02, 0x00, 0x05};
    static const uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00,
                                  0x07, 0xDC, 0x02, 0x00, 0x05};
    /* two elements claimed, 9 + 8 bytes: the second has no value */
    static const uint8_t two[] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,
                                  0xDC, 0x02, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x07,
                                  0xDC, 0x02, 0x00};
    /* an element with an unknown datatype */
    static const uint8_t unknown[] = {0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                      0x07, 0xDC, 0x0B, 0x00, 0x05, 0x00, 0x00};
    /* an element with datatype UNDEF */
    static const uint8_t undef[] = {0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                    0x07, 0xDC, 0x00, 0x00, 0x05, 0x00, 0x00};
    /* an element with an oversized array after a good string element */
    static const uint8_t big_array[] = {
        0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0xDC, 0xFF, 0xFF, 0x02,
        'x',  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x8E, 0xDC, 0x04, 0x40, 0xFF,
        0xFF, 0xFF, 0x0F, 0x48, 0x00,
    };
    unsigned long before = fy_mem_count();
    CT_CHECK_ERROR(&ct_proplist, huge, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_proplist, max, FERRY_EPROTO);
    assert_int_equal(fy_mem_count(), before);
    CT_CHECK_ERROR(&ct_proplist, two, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_proplist, unknown, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_proplist, undef, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_proplist, big_array, FERRY_EPROTO);

    /* encoding: count without elements, element of unknown type */
    fc_proplist pl;
    memset(&pl, 0, sizeof pl);
    pl.count = 1;
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_proplist_encode(&pl, &w), FERRY_EINVAL);
    assert_int_equal(w.len, 0);
    fc_wr_free(&w);

    fc_prop_elem e[6];
    proplist_expected(&pl, e);
    e[5].value.type = 0x000B;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u32(&w, 0xCAFE), 0);
    assert_int_equal(fc_proplist_encode(&pl, &w), FERRY_EINVAL);
    assert_int_equal(w.len, 4);
    fc_wr_free(&w);
}

static void test_proplist_add(void **state)
{
    (void)state;
    fc_prop_elem e[6];
    fc_proplist exp, pl;
    proplist_expected(&exp, e);

    /* build the golden list with add, under every allocation failure */
    memset(&pl, 0, sizeof pl);
    for (uint32_t i = 0; i < exp.count; i++) {
        for (long n = 0;; n++) {
            uint32_t count = pl.count;
            fy_mem_fail_after(n);
            int rc = fc_proplist_add(&pl, e[i].handle, e[i].code, &e[i].value);
            if (!fy_mem_fail_after(-1)) {
                assert_int_equal(rc, 0);
                break;
            }
            assert_int_equal(rc, FERRY_ENOMEM);
            assert_int_equal(pl.count, count);
        }
    }
    assert_true(ceq_proplist(&pl, &exp));
    /* deep copies */
    assert_ptr_not_equal(pl.elems[0].value.u.str, e[0].value.u.str);
    assert_ptr_not_equal(pl.elems[4].value.u.a.v, e[4].value.u.a.v);

    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_proplist_encode(&pl, &w), 0);
    CT_ASSERT_BYTES(w.buf, w.len, proplist_bytes);
    assert_true(ct_check_encode_enomem(&ct_proplist, &pl, proplist_bytes,
                                       sizeof proplist_bytes) >= 1);
    fc_wr_free(&w);

    /* many elements: grows geometrically and keeps them all */
    for (uint32_t i = 0; i < 10000; i++) {
        fc_value v = fc_value_uint(FC_DTC_UINT32, i);
        assert_int_equal(fc_proplist_add(&pl, i, FC_OPC_ObjectSize, &v), 0);
    }
    assert_int_equal(pl.count, 10006);
    assert_true(pl.cap >= pl.count && pl.cap < 2 * pl.count + 16);
    for (uint32_t i = 0; i < 10000; i++)
        assert_true(pl.elems[6 + i].value.u.u == i);
    fc_proplist_free(&pl);

    /* a list put together by hand (cap 0) can still be appended to */
    fc_prop_elem *own = fy_calloc(2, sizeof *own);
    assert_non_null(own);
    own[0].handle = 1;
    own[0].value = fc_value_uint(FC_DTC_UINT8, 1);
    own[1].handle = 2;
    own[1].value = fc_value_uint(FC_DTC_UINT8, 2);
    memset(&pl, 0, sizeof pl);
    pl.count = 2;
    pl.elems = own;
    fc_value v = fc_value_uint(FC_DTC_UINT8, 3);
    assert_int_equal(fc_proplist_add(&pl, 3, 0xDC01, &v), 0);
    assert_int_equal(pl.count, 3);
    assert_int_equal(pl.elems[0].handle, 1);
    assert_int_equal(pl.elems[2].handle, 3);
    fc_proplist_free(&pl);

    /* bad arguments */
    assert_int_equal(fc_proplist_add(NULL, 1, 1, &v), FERRY_EINVAL);
    assert_int_equal(fc_proplist_add(&pl, 1, 1, NULL), FERRY_EINVAL);
    fc_value bad = fc_value_uint(0x000B, 1);
    assert_int_equal(fc_proplist_add(&pl, 1, 1, &bad), FERRY_EINVAL);
    assert_int_equal(pl.count, 0);
    fc_proplist_free(&pl);
}

/* ------------------------------------------------------------------ */
/* Whole-buffer arrays                                                  */
/* ------------------------------------------------------------------ */

static void test_whole_arrays(void **state)
{
    (void)state;
    /* GetObjectHandles result: 3 handles and vendor padding */
    static const uint8_t handles[] = {0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                      0x02, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFE,
                                      0x00, 0x00};
    uint32_t *h = NULL, n = 0;
    assert_int_equal(fc_u32_array_decode(handles, sizeof handles, &h, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(h[0], 1);
    assert_int_equal(h[1], 2);
    assert_int_equal(h[2], 0xFEFFFFFF);
    fy_free(h);

    uint16_t *p = NULL;
    assert_int_equal(fc_u16_array_decode(handles, sizeof handles, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(p[0], 1);
    assert_int_equal(p[1], 0);
    assert_int_equal(p[2], 2);
    fy_free(p);

    ct_check_truncations(&ct_u32_array, handles, 16);
    ct_check_truncations(&ct_u16_array, handles, 10);
    assert_int_equal(ct_check_decode_enomem(&ct_u32_array, handles, 16), 1);
    assert_int_equal(ct_check_decode_enomem(&ct_u16_array, handles, 10), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_info),
        cmocka_unit_test(test_device_info_bad),
        cmocka_unit_test(test_storage_info),
        cmocka_unit_test(test_object_info),
        cmocka_unit_test(test_object_info_folder),
        cmocka_unit_test(test_proplist),
        cmocka_unit_test(test_proplist_bad),
        cmocka_unit_test(test_proplist_add),
        cmocka_unit_test(test_whole_arrays),
    };
    return cmocka_run_group_tests_name("codec-dataset", tests, NULL, NULL);
}
