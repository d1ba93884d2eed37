/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ObjectPropDesc (MTP 1.1) and DevicePropDesc (PIMA 15740 5.5.4)
 * with every form (propdesc.c). Golden vectors written from the field
 * tables by hand. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

static fc_prop_desc desc(uint16_t code, uint16_t type, uint8_t getset, uint8_t form)
{
    fc_prop_desc d;
    memset(&d, 0, sizeof d);
    d.code = code;
    d.type = type;
    d.getset = getset;
    d.form = form;
    d.def.type = type;
    return d;
}

static fc_value str(const char *s)
{
    fc_value v;
    memset(&v, 0, sizeof v);
    v.type = FC_DTC_STR;
    v.u.str = (char *)(uintptr_t)s;
    return v;
}

/* ------------------------------------------------------------------ */
/* ObjectPropDesc: code, datatype, getset, default, group, form flag, form */
/* ------------------------------------------------------------------ */

static void test_objprop_none(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x07, 0xDC,             /* ObjectFileName */
        0xFF, 0xFF,             /* STR */
        0x01,                   /* get/set */
        0x00,                   /* default "" */
        0x00, 0x00, 0x00, 0x00, /* group 0 */
        0x00,                   /* form: none */
    };
    fc_prop_desc exp = desc(FC_OPC_ObjectFileName, FC_DTC_STR, 1, FC_FORM_NONE);
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_range(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x87, 0xDC,             /* Width */
        0x06, 0x00,             /* UINT32 */
        0x00,                   /* get */
        0x00, 0x00, 0x00, 0x00, /* default 0 */
        0x00, 0x00, 0x00, 0x00, /* group 0 */
        0x01,                   /* form: range */
        0x00, 0x00, 0x00, 0x00, /* min 0 */
        0x10, 0x27, 0x00, 0x00, /* max 10000 */
        0x01, 0x00, 0x00, 0x00, /* step 1 */
    };
    fc_prop_desc exp = desc(FC_OPC_Width, FC_DTC_UINT32, 0, FC_FORM_RANGE);
    exp.f.range.min = fc_value_uint(FC_DTC_UINT32, 0);
    exp.f.range.max = fc_value_uint(FC_DTC_UINT32, 10000);
    exp.f.range.step = fc_value_uint(FC_DTC_UINT32, 1);
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_range_u128(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x41, 0xDC, 0x0A, 0x00, 0x00,                   /* PUOID, UINT128, get */
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* default 1 */
        0x00, 0x00, 0x00, 0x00,                         /* group */
        0x01,                                           /* range */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* min 0 */
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* max 2^128-1 */
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, /* step 2^64 */
    };
    fc_prop_desc exp = desc(FC_OPC_PersistentUniqueObjectIdentifier, FC_DTC_UINT128, 0,
                            FC_FORM_RANGE);
    exp.def = fc_value_uint(FC_DTC_UINT128, 1);
    exp.f.range.min = fc_value_uint(FC_DTC_UINT128, 0);
    exp.f.range.max = fc_value_int(FC_DTC_UINT128, -1);
    exp.f.range.step = fc_value_uint(FC_DTC_UINT128, 0);
    exp.f.range.step.u.x.hi = 1;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_enum(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x03, 0xDC,             /* ProtectionStatus */
        0x04, 0x00,             /* UINT16 */
        0x00,                   /* get */
        0x00, 0x00,             /* default 0 */
        0x00, 0x00, 0x00, 0x00, /* group */
        0x02,                   /* form: enumeration */
        0x02, 0x00,             /* 2 values */
        0x00, 0x00,             /* no protection */
        0x01, 0x00,             /* read-only */
    };
    fc_value vals[2] = {fc_value_uint(FC_DTC_UINT16, 0), fc_value_uint(FC_DTC_UINT16, 1)};
    fc_prop_desc exp = desc(FC_OPC_ProtectionStatus, FC_DTC_UINT16, 0, FC_FORM_ENUM);
    exp.f.enm.count = 2;
    exp.f.enm.values = vals;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
    /* the value array is one allocation */
    assert_int_equal(ct_check_decode_enomem(&ct_objprop_desc, b, sizeof b), 1);
}

static void test_objprop_enum_strings(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x4A, 0xDC, 0xFF, 0xFF, 0x01, /* LanguageLocale, STR, get/set */
        0x03, 'e', 0, 'n', 0, 0, 0,   /* default "en" */
        0x01, 0x00, 0x00, 0x00,       /* group 1 */
        0x02, 0x03, 0x00,             /* enumeration of 3 */
        0x03, 'e', 0, 'n', 0, 0, 0,
        0x03, 'd', 0, 'e', 0, 0, 0,
        0x00,                         /* "" */
    };
    fc_value vals[3] = {str("en"), str("de"), str("")};
    fc_prop_desc exp = desc(FC_OPC_LanguageLocale, FC_DTC_STR, 1, FC_FORM_ENUM);
    exp.def = str("en");
    exp.group = 1;
    exp.f.enm.count = 3;
    exp.f.enm.values = vals;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
    /* default, value array, three strings */
    assert_int_equal(ct_check_decode_enomem(&ct_objprop_desc, b, sizeof b), 5);

    /* a bad string in the middle of the values: nothing leaks */
    uint8_t bad[sizeof b];
    memcpy(bad, b, sizeof b);
    bad[29] = 0x00;
    bad[30] = 0xD8; /* 'd' becomes a lone high surrogate */
    CT_CHECK_ERROR(&ct_objprop_desc, bad, FERRY_EPROTO);
}

static void test_objprop_datetime(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x08, 0xDC, 0xFF, 0xFF, 0x00, /* DateCreated, STR, get */
        0x00,                         /* default "" */
        0x00, 0x00, 0x00, 0x00,       /* group */
        0x03,                         /* form: date-time (nothing follows) */
    };
    fc_prop_desc exp = desc(FC_OPC_DateCreated, FC_DTC_STR, 0, FC_FORM_DATETIME);
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_fixed_array(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x8E, 0xDC, 0x04, 0x40, 0x01, /* Lyrics, AUINT16, get/set */
        0x00, 0x00, 0x00, 0x00,       /* default: empty array */
        0x00, 0x00, 0x00, 0x00,       /* group */
        0x04,                         /* form: fixed-length array */
        0x00, 0x01,                   /* length 256 */
    };
    fc_prop_desc exp = desc(FC_OPC_Lyrics, FC_DTC_AUINT16, 1, FC_FORM_FIXED_ARRAY);
    exp.f.fixed_len = 256;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_regex(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x49, 0xDC, 0xFF, 0xFF, 0x01, /* URLReference, STR, get/set */
        0x00,                         /* default "" */
        0x02, 0x00, 0x00, 0x00,       /* group 2 */
        0x05,                         /* form: regular expression */
        0x07, '[', 0, 'a', 0, '-', 0, 'z', 0, ']', 0, '+', 0, 0, 0,
    };
    fc_prop_desc exp = desc(FC_OPC_URLReference, FC_DTC_STR, 1, FC_FORM_REGEX);
    exp.group = 2;
    exp.f.regex = (char *)"[a-z]+";
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_byte_array(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x01, 0xD0, 0x02, 0x40, 0x01,       /* vendor 0xD001, AUINT8, get/set */
        0x02, 0x00, 0x00, 0x00, 0x01, 0x02, /* default {1, 2} */
        0x00, 0x00, 0x00, 0x00,             /* group */
        0x06,                               /* form: byte array */
        0x00, 0x04, 0x00, 0x00,             /* max length 1024 */
    };
    static const uint64_t def[] = {1, 2};
    fc_prop_desc exp = desc(0xD001, FC_DTC_AUINT8, 1, FC_FORM_BYTE_ARRAY);
    exp.def.u.a.count = 2;
    exp.def.u.a.v = (void *)(uintptr_t)def;
    exp.f.max_len = 1024;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_long_string(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x8E, 0xDC, 0x04, 0x40, 0x01, /* Lyrics, AUINT16, get/set */
        0x00, 0x00, 0x00, 0x00,       /* default: empty */
        0x00, 0x00, 0x00, 0x00,       /* group */
        0xFF,                         /* form: long string */
        0x00, 0x00, 0x01, 0x00,       /* max length 65536 */
    };
    fc_prop_desc exp = desc(FC_OPC_Lyrics, FC_DTC_AUINT16, 1, FC_FORM_LONG_STRING);
    exp.f.max_len = 0x10000;
    CT_CHECK_ALL(&ct_objprop_desc, b, &exp);
}

static void test_objprop_bad(void **state)
{
    (void)state;
    /* form flags that do not exist: their length is unknown */
    for (unsigned form = 0x07; form <= 0xFE; form++) {
        uint8_t b[] = {0x07, 0xDC, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                       (uint8_t)form, 0x00, 0x00, 0x00, 0x00};
        CT_CHECK_ERROR(&ct_objprop_desc, b, FERRY_EPROTO);
    }
    /* unknown datatype */
    static const uint8_t undef[] = {0x07, 0xDC, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 0x00};
    CT_CHECK_ERROR(&ct_objprop_desc, undef, FERRY_EPROTO);

    /* enumeration counts beyond the bytes: refused before allocating */
    static const uint8_t many[] = {0x03, 0xDC, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x02, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00};
    static const uint8_t many_str[] = {0x07, 0xDC, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
                                       0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t many_arr[] = {0x8E, 0xDC, 0x04, 0x40, 0x00, 0x00, 0x00, 0x00,
                                       0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00,
                                       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    unsigned long before = fy_mem_count();
    CT_CHECK_ERROR(&ct_objprop_desc, many, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_objprop_desc, many_arr, FERRY_EPROTO);
    assert_int_equal(fy_mem_count(), before);
    CT_CHECK_ERROR(&ct_objprop_desc, many_str, FERRY_EPROTO);
    assert_int_equal(fy_mem_count(), before + 1); /* only the default "" */

    /* an empty enumeration is fine */
    static const uint8_t none[] = {0x03, 0xDC, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x02, 0x00, 0x00};
    fc_prop_desc exp = desc(FC_OPC_ProtectionStatus, FC_DTC_UINT16, 0, FC_FORM_ENUM);
    CT_CHECK_ALL(&ct_objprop_desc, none, &exp);
}

static void check_encode_error(int (*enc)(const fc_prop_desc *, fc_wr *),
                               const fc_prop_desc *d, int err)
{
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_wr_u16(&w, 0x1234), 0);
    assert_int_equal(enc(d, &w), err);
    assert_int_equal(w.err, err);
    assert_int_equal(w.len, 2);
    fc_wr_free(&w);
}

static void test_encode_invalid(void **state)
{
    (void)state;
    fc_prop_desc d;

    /* default of another type */
    d = desc(FC_OPC_Width, FC_DTC_UINT32, 0, FC_FORM_NONE);
    d.def = fc_value_uint(FC_DTC_UINT16, 1);
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    /* current value of another type (DevicePropDesc only) */
    d = desc(FC_DPC_BatteryLevel, FC_DTC_UINT8, 0, FC_FORM_NONE);
    check_encode_error(fc_devprop_desc_encode, &d, FERRY_EINVAL);
    d.cur = fc_value_uint(FC_DTC_UINT8, 1);
    fc_wr w;
    fc_wr_init(&w);
    assert_int_equal(fc_devprop_desc_encode(&d, &w), 0);
    fc_wr_free(&w);
    /* range bound of another type */
    d = desc(FC_OPC_Width, FC_DTC_UINT32, 0, FC_FORM_RANGE);
    d.f.range.min = fc_value_uint(FC_DTC_UINT32, 0);
    d.f.range.max = fc_value_uint(FC_DTC_UINT32, 1);
    d.f.range.step = fc_value_uint(FC_DTC_INT32, 1);
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    /* enumeration with a count and no values, or a value of another type */
    d = desc(FC_OPC_ProtectionStatus, FC_DTC_UINT16, 0, FC_FORM_ENUM);
    d.f.enm.count = 2;
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    fc_value vals[2] = {fc_value_uint(FC_DTC_UINT16, 0), fc_value_uint(FC_DTC_UINT8, 1)};
    d.f.enm.values = vals;
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    /* a form that does not exist */
    d = desc(FC_OPC_ProtectionStatus, FC_DTC_UINT16, 0, 0x07);
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    /* a type the codec cannot write */
    d = desc(FC_OPC_ProtectionStatus, 0x000B, 0, FC_FORM_NONE);
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EINVAL);
    /* a regex that is not UTF-8 */
    d = desc(FC_OPC_URLReference, FC_DTC_STR, 0, FC_FORM_REGEX);
    d.f.regex = (char *)"\xE0\x80\x80";
    check_encode_error(fc_objprop_desc_encode, &d, FERRY_EBADNAME);
    /* a NULL regex is "" */
    d.f.regex = NULL;
    fc_wr_init(&w);
    assert_int_equal(fc_objprop_desc_encode(&d, &w), 0);
    CT_ASSERT_BYTES(w.buf, w.len,
                    ((const uint8_t[]){0x49, 0xDC, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 5, 0}));
    fc_wr_free(&w);
}

/* ------------------------------------------------------------------ */
/* DevicePropDesc: code, datatype, getset, default, current, form flag, form */
/* ------------------------------------------------------------------ */

static void test_devprop_range(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x01, 0x50, /* BatteryLevel */
        0x02, 0x00, /* UINT8 */
        0x00,       /* get */
        0x00,       /* default 0 */
        0x50,       /* current 80 */
        0x01,       /* form: range */
        0x00,       /* min 0 */
        0x64,       /* max 100 */
        0x0A,       /* step 10 */
    };
    fc_prop_desc exp = desc(FC_DPC_BatteryLevel, FC_DTC_UINT8, 0, FC_FORM_RANGE);
    exp.cur = fc_value_uint(FC_DTC_UINT8, 80);
    exp.f.range.min = fc_value_uint(FC_DTC_UINT8, 0);
    exp.f.range.max = fc_value_uint(FC_DTC_UINT8, 100);
    exp.f.range.step = fc_value_uint(FC_DTC_UINT8, 10);
    CT_CHECK_ALL(&ct_devprop_desc, b, &exp);
    /* nothing to allocate */
    assert_int_equal(ct_check_decode_enomem(&ct_devprop_desc, b, sizeof b), 0);
}

static void test_devprop_string(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x02, 0xD4,                     /* DeviceFriendlyName */
        0xFF, 0xFF,                     /* STR */
        0x01,                           /* get/set */
        0x00,                           /* default "" */
        0x06, 'P', 0, 'h', 0, 'o', 0, 'n', 0, 'e', 0, 0, 0, /* current "Phone" */
        0x00,                           /* form: none */
    };
    fc_prop_desc exp = desc(FC_DPC_DeviceFriendlyName, FC_DTC_STR, 1, FC_FORM_NONE);
    exp.cur = str("Phone");
    CT_CHECK_ALL(&ct_devprop_desc, b, &exp);
    assert_int_equal(ct_check_decode_enomem(&ct_devprop_desc, b, sizeof b), 2);
}

static void test_devprop_enum_signed(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x10, 0x50, /* 0x5010 ExposureBiasCompensation */
        0x03, 0x00, /* INT16 */
        0x01,       /* get/set */
        0x00, 0x00, /* default 0 */
        0x18, 0xFC, /* current -1000 */
        0x02,       /* form: enumeration */
        0x03, 0x00, /* 3 values */
        0x18, 0xFC, /* -1000 */
        0x00, 0x00, /* 0 */
        0xE8, 0x03, /* 1000 */
    };
    fc_value vals[3] = {fc_value_int(FC_DTC_INT16, -1000), fc_value_int(FC_DTC_INT16, 0),
                        fc_value_int(FC_DTC_INT16, 1000)};
    fc_prop_desc exp = desc(0x5010, FC_DTC_INT16, 1, FC_FORM_ENUM);
    exp.cur = fc_value_int(FC_DTC_INT16, -1000);
    exp.f.enm.count = 3;
    exp.f.enm.values = vals;
    CT_CHECK_ALL(&ct_devprop_desc, b, &exp);

    fc_prop_desc d;
    assert_int_equal(fc_devprop_desc_decode(b, sizeof b, &d), 0);
    assert_true(d.cur.u.i == -1000);
    assert_true(d.f.enm.values[0].u.i == -1000);
    assert_int_equal(d.group, 0);
    fc_prop_desc_free(&d);
    ct_assert_zero(&d, sizeof d);
    fc_prop_desc_free(NULL);
}

static void test_devprop_datetime(void **state)
{
    (void)state;
    static const uint8_t b[] = {
        0x11, 0x50, 0xFF, 0xFF, 0x01, /* DateTime, STR, get/set */
        0x00,                         /* default "" */
        0x10,                         /* current "20240229T123456" */
        '2', 0, '0', 0, '2', 0, '4', 0, '0', 0, '2', 0, '2', 0, '9', 0,
        'T', 0, '1', 0, '2', 0, '3', 0, '4', 0, '5', 0, '6', 0, 0, 0,
        0x03,                         /* form: date-time */
    };
    fc_prop_desc exp = desc(FC_DPC_DateTime, FC_DTC_STR, 1, FC_FORM_DATETIME);
    exp.cur = str("20240229T123456");
    CT_CHECK_ALL(&ct_devprop_desc, b, &exp);
}

static void test_devprop_bad(void **state)
{
    (void)state;
    static const uint8_t bad_form[] = {0x01, 0x50, 0x02, 0x00, 0x00, 0x00, 0x50, 0x09};
    static const uint8_t many[] = {0x10, 0x50, 0x03, 0x00, 0x01, 0x00, 0x00, 0x18,
                                   0xFC, 0x02, 0x04, 0x00, 0x18, 0xFC, 0x00, 0x00,
                                   0xE8, 0x03};
    static const uint8_t undef[] = {0x01, 0x50, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00};
    CT_CHECK_ERROR(&ct_devprop_desc, bad_form, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_devprop_desc, many, FERRY_EPROTO);
    CT_CHECK_ERROR(&ct_devprop_desc, undef, FERRY_EPROTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objprop_none),
        cmocka_unit_test(test_objprop_range),
        cmocka_unit_test(test_objprop_range_u128),
        cmocka_unit_test(test_objprop_enum),
        cmocka_unit_test(test_objprop_enum_strings),
        cmocka_unit_test(test_objprop_datetime),
        cmocka_unit_test(test_objprop_fixed_array),
        cmocka_unit_test(test_objprop_regex),
        cmocka_unit_test(test_objprop_byte_array),
        cmocka_unit_test(test_objprop_long_string),
        cmocka_unit_test(test_objprop_bad),
        cmocka_unit_test(test_encode_invalid),
        cmocka_unit_test(test_devprop_range),
        cmocka_unit_test(test_devprop_string),
        cmocka_unit_test(test_devprop_enum_signed),
        cmocka_unit_test(test_devprop_datetime),
        cmocka_unit_test(test_devprop_bad),
    };
    return cmocka_run_group_tests_name("codec-propdesc", tests, NULL, NULL);
}
