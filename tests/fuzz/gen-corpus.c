/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the seed corpus of the fuzz targets: small valid inputs built
 * with the codec's encoders (and a few by hand), one directory per target.
 *
 *   tests/fuzz/gen-corpus DIR      (make fuzz-corpus: DIR is the source
 *                                   tree's tests/fuzz/corpus)
 *
 * Seeds are named seed-*, so regeneration replaces them and leaves the
 * crash-* regression inputs alone. The output is deterministic.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec/codec.h"

static const char *outdir;

static void die(const char *what)
{
    fprintf(stderr, "gen-corpus: %s\n", what);
    exit(1);
}

static void put(const char *target, const char *name, const void *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    if (mkdir(path, 0777) < 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof path, "%s/%s/seed-%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f) != 0)
        die(path);
}

/* Writes what an encoder left in w, then empties w. */
static void put_wr(const char *target, const char *name, fc_wr *w, int rc)
{
    if (rc != 0)
        die(name);
    put(target, name, w->buf, w->len);
    fc_wr_reset(w);
}

static void put_str(const char *target, const char *name, const char *s)
{
    put(target, name, s, strlen(s));
}

static void device_info(fc_wr *w)
{
    static uint16_t ops[] = {0x1001, 0x1002, 0x1003, 0x1004, 0x1005, 0x1006, 0x1007,
                             0x1008, 0x1009, 0x100B, 0x100C, 0x100D, 0x1014, 0x1015,
                             0x1016, 0x101B, 0x9801, 0x9802, 0x9803, 0x9804, 0x9805,
                             0x9810, 0x9811, 0x95C1, 0x95C2, 0x95C3, 0x95C4, 0x95C5};
    static uint16_t events[] = {0x4002, 0x4003, 0x4004, 0x4005, 0x400C, 0xC801};
    static uint16_t props[] = {0xD401, 0xD402, 0x5003, 0x5001};
    static uint16_t formats[] = {0x3000, 0x3001, 0x3004, 0x3801, 0x380B, 0xB982, 0xBA05};
    fc_device_info di;

    memset(&di, 0, sizeof di);
    di.standard_version = 100;
    di.vendor_ext_id = 6;
    di.vendor_ext_version = 100;
    di.vendor_ext_desc = (char *)"microsoft.com: 1.0; android.com: 1.0;";
    di.operations = ops;
    di.n_operations = sizeof ops / sizeof ops[0];
    di.events = events;
    di.n_events = sizeof events / sizeof events[0];
    di.device_props = props;
    di.n_device_props = sizeof props / sizeof props[0];
    di.capture_formats = formats;
    di.n_capture_formats = 2;
    di.playback_formats = formats;
    di.n_playback_formats = sizeof formats / sizeof formats[0];
    di.manufacturer = (char *)"Acme";
    di.model = (char *)"Ph\xC3\xB6ne \xF0\x9F\x93\xB1";
    di.device_version = (char *)"1.0";
    di.serial = (char *)"0123456789ABCDEF";
    put_wr("device_info", "android", w, fc_device_info_encode(&di, w));

    memset(&di, 0, sizeof di);
    put_wr("device_info", "empty", w, fc_device_info_encode(&di, w));

    di.standard_version = 110;
    di.operations = ops;
    di.n_operations = 3;
    di.manufacturer = (char *)"Camera Co.";
    di.model = (char *)"PTP";
    put_wr("device_info", "camera", w, fc_device_info_encode(&di, w));
}

static void storage_info(fc_wr *w)
{
    fc_storage_info si;

    memset(&si, 0, sizeof si);
    si.storage_type = FC_ST_FIXED_RAM;
    si.fs_type = FC_FST_GENERIC_HIERARCHICAL;
    si.max_capacity = UINT64_C(64000000000);
    si.free_bytes = UINT64_C(1) << 32;
    si.free_objects = 0xFFFFFFFF;
    si.description = (char *)"Internal shared storage";
    put_wr("storage_info", "internal", w, fc_storage_info_encode(&si, w));

    si.storage_type = FC_ST_REMOVABLE_ROM;
    si.fs_type = FC_FST_DCF;
    si.access = FC_AC_READ_ONLY;
    si.description = (char *)"SD card";
    si.volume_label = (char *)"NO NAME";
    put_wr("storage_info", "sdcard", w, fc_storage_info_encode(&si, w));

    memset(&si, 0, sizeof si);
    put_wr("storage_info", "empty", w, fc_storage_info_encode(&si, w));
}

static void object_info(fc_wr *w)
{
    fc_object_info oi;

    memset(&oi, 0, sizeof oi);
    oi.storage_id = 0x00010001;
    oi.format = FC_OFC_EXIF_JPEG;
    oi.compressed_size = 0x12345678;
    oi.thumb_format = FC_OFC_JFIF;
    oi.thumb_size = 4096;
    oi.thumb_width = 160;
    oi.thumb_height = 120;
    oi.image_width = 4000;
    oi.image_height = 3000;
    oi.image_depth = 24;
    oi.parent = 5;
    oi.sequence = 7;
    oi.filename = (char *)"IMG_0001.JPG";
    oi.capture_date = (char *)"20240229T123456";
    oi.modification_date = (char *)"20240301T000000.5Z";
    oi.keywords = (char *)"holiday";
    put_wr("object_info", "photo", w, fc_object_info_encode(&oi, w));

    memset(&oi, 0, sizeof oi);
    oi.storage_id = 0x00010001;
    oi.format = FC_OFC_Association;
    oi.parent = 0xFFFFFFFF;
    oi.association_type = FC_AT_GENERIC_FOLDER;
    oi.filename = (char *)"DCIM";
    put_wr("object_info", "folder", w, fc_object_info_encode(&oi, w));

    memset(&oi, 0, sizeof oi);
    oi.storage_id = 0x00020001;
    oi.format = FC_OFC_MP4;
    oi.compressed_size = 0xFFFFFFFF; /* 4 GiB or more */
    oi.filename = (char *)"v\xC3\xAD" "deo \xF0\x9F\x8E\xAC.mp4";
    oi.capture_date = (char *)"20231231T235959+0100";
    oi.modification_date = (char *)"20240101T000000-0800";
    put_wr("object_info", "big-video", w, fc_object_info_encode(&oi, w));
}

static void add(fc_proplist *pl, uint32_t handle, uint16_t code, const fc_value *v)
{
    if (fc_proplist_add(pl, handle, code, v) < 0)
        die("fc_proplist_add");
}

static void proplist(fc_wr *w)
{
    static const uint64_t lyrics[] = {'H', 'i'};
    static const uint64_t bytes[] = {0, 0x7F, 0x80, 0xFF};
    static const fc_u128 wide[] = {{1, 2}, {UINT64_MAX, 0}};
    fc_proplist pl;
    fc_value v;

    memset(&pl, 0, sizeof pl);
    if (fc_value_str(&v, "a.txt"))
        die("proplist");
    add(&pl, 1, FC_OPC_ObjectFileName, &v);
    fc_value_free(&v);
    v = fc_value_uint(FC_DTC_UINT64, UINT64_C(0x100000000));
    add(&pl, 1, FC_OPC_ObjectSize, &v);
    v = fc_value_uint(FC_DTC_UINT16, 1);
    add(&pl, 2, FC_OPC_ProtectionStatus, &v);
    v = fc_value_uint(FC_DTC_UINT128, UINT64_C(0x0123456789ABCDEF));
    v.u.x.hi = UINT64_C(0xFEDCBA9876543210);
    add(&pl, 2, FC_OPC_PersistentUniqueObjectIdentifier, &v);
    memset(&v, 0, sizeof v);
    v.type = FC_DTC_AUINT16;
    v.u.a.count = 2;
    v.u.a.v = (void *)(uintptr_t)lyrics;
    add(&pl, 3, FC_OPC_Lyrics, &v);
    v = fc_value_int(FC_DTC_INT32, -2);
    add(&pl, 3, 0xD000, &v);
    put_wr("proplist", "mixed", w, fc_proplist_encode(&pl, w));
    fc_proplist_free(&pl);

    /* one element of every type */
    for (uint16_t t = FC_DTC_INT8; t <= FC_DTC_UINT128; t++) {
        v = fc_value_int(t, -3);
        add(&pl, t, 0xDC00 + t, &v);
    }
    for (uint16_t t = FC_DTC_AINT8; t <= FC_DTC_AUINT128; t++) {
        memset(&v, 0, sizeof v);
        v.type = t;
        v.u.a.count = t >= FC_DTC_AINT128 ? 2 : 4;
        v.u.a.v = (void *)(uintptr_t)(t >= FC_DTC_AINT128 ? (const void *)wide
                                                          : (const void *)bytes);
        add(&pl, t, 0xDC80, &v);
    }
    if (fc_value_str(&v, "\xF0\x9F\x98\x80 smile"))
        die("proplist");
    add(&pl, 99, 0xDC44, &v);
    fc_value_free(&v);
    put_wr("proplist", "every-type", w, fc_proplist_encode(&pl, w));
    fc_proplist_free(&pl);

    put_wr("proplist", "empty", w, fc_proplist_encode(&pl, w));
}

static fc_prop_desc desc(uint16_t code, uint16_t type, uint8_t getset, uint8_t form)
{
    fc_prop_desc d;
    memset(&d, 0, sizeof d);
    d.code = code;
    d.type = type;
    d.getset = getset;
    d.form = form;
    d.def.type = type;
    d.cur.type = type;
    return d;
}

static void prop_descs(fc_wr *w)
{
    static const uint64_t def_bytes[] = {1, 2};
    fc_value vals[3];
    fc_prop_desc d;

    d = desc(FC_OPC_ObjectFileName, FC_DTC_STR, 1, FC_FORM_NONE);
    put_wr("objprop_desc", "none", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_Width, FC_DTC_UINT32, 0, FC_FORM_RANGE);
    d.f.range.min = fc_value_uint(FC_DTC_UINT32, 0);
    d.f.range.max = fc_value_uint(FC_DTC_UINT32, 10000);
    d.f.range.step = fc_value_uint(FC_DTC_UINT32, 1);
    put_wr("objprop_desc", "range", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_PersistentUniqueObjectIdentifier, FC_DTC_UINT128, 0, FC_FORM_RANGE);
    d.f.range.min = fc_value_uint(FC_DTC_UINT128, 0);
    d.f.range.max = fc_value_int(FC_DTC_UINT128, -1);
    d.f.range.step = fc_value_uint(FC_DTC_UINT128, 1);
    put_wr("objprop_desc", "range-u128", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_ProtectionStatus, FC_DTC_UINT16, 0, FC_FORM_ENUM);
    vals[0] = fc_value_uint(FC_DTC_UINT16, 0);
    vals[1] = fc_value_uint(FC_DTC_UINT16, 1);
    d.f.enm.count = 2;
    d.f.enm.values = vals;
    put_wr("objprop_desc", "enum", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_LanguageLocale, FC_DTC_STR, 1, FC_FORM_ENUM);
    d.group = 1;
    memset(vals, 0, sizeof vals);
    vals[0].type = vals[1].type = vals[2].type = FC_DTC_STR;
    vals[0].u.str = (char *)"en";
    vals[1].u.str = (char *)"de";
    d.f.enm.count = 3;
    d.f.enm.values = vals;
    put_wr("objprop_desc", "enum-str", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_DateCreated, FC_DTC_STR, 0, FC_FORM_DATETIME);
    put_wr("objprop_desc", "datetime", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_Lyrics, FC_DTC_AUINT16, 1, FC_FORM_FIXED_ARRAY);
    d.f.fixed_len = 256;
    put_wr("objprop_desc", "fixed-array", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_URLReference, FC_DTC_STR, 1, FC_FORM_REGEX);
    d.f.regex = (char *)"[a-z]+://.*";
    put_wr("objprop_desc", "regex", w, fc_objprop_desc_encode(&d, w));
    d = desc(0xD001, FC_DTC_AUINT8, 1, FC_FORM_BYTE_ARRAY);
    d.def.u.a.count = 2;
    d.def.u.a.v = (void *)(uintptr_t)def_bytes;
    d.f.max_len = 1024;
    put_wr("objprop_desc", "byte-array", w, fc_objprop_desc_encode(&d, w));
    d = desc(FC_OPC_Lyrics, FC_DTC_AUINT16, 1, FC_FORM_LONG_STRING);
    d.f.max_len = 0x10000;
    put_wr("objprop_desc", "long-string", w, fc_objprop_desc_encode(&d, w));

    d = desc(FC_DPC_BatteryLevel, FC_DTC_UINT8, 0, FC_FORM_RANGE);
    d.cur = fc_value_uint(FC_DTC_UINT8, 80);
    d.f.range.min = fc_value_uint(FC_DTC_UINT8, 0);
    d.f.range.max = fc_value_uint(FC_DTC_UINT8, 100);
    d.f.range.step = fc_value_uint(FC_DTC_UINT8, 10);
    put_wr("devprop_desc", "battery", w, fc_devprop_desc_encode(&d, w));
    d = desc(FC_DPC_DeviceFriendlyName, FC_DTC_STR, 1, FC_FORM_NONE);
    d.cur.u.str = (char *)"Phone";
    put_wr("devprop_desc", "name", w, fc_devprop_desc_encode(&d, w));
    d = desc(0x5010, FC_DTC_INT16, 1, FC_FORM_ENUM);
    d.cur = fc_value_int(FC_DTC_INT16, -1000);
    vals[0] = fc_value_int(FC_DTC_INT16, -1000);
    vals[1] = fc_value_int(FC_DTC_INT16, 0);
    vals[2] = fc_value_int(FC_DTC_INT16, 1000);
    d.f.enm.count = 3;
    d.f.enm.values = vals;
    put_wr("devprop_desc", "enum-int16", w, fc_devprop_desc_encode(&d, w));
    d = desc(FC_DPC_DateTime, FC_DTC_STR, 1, FC_FORM_DATETIME);
    d.cur.u.str = (char *)"20240229T123456";
    put_wr("devprop_desc", "datetime", w, fc_devprop_desc_encode(&d, w));
    d = desc(FC_DPC_PerceivedDeviceType, FC_DTC_UINT32, 0, FC_FORM_NONE);
    d.cur = fc_value_uint(FC_DTC_UINT32, 3);
    put_wr("devprop_desc", "none", w, fc_devprop_desc_encode(&d, w));
}

static void containers(void)
{
    static const struct {
        const char *name;
        enum fc_ctype type;
        fc_msg m;
    } msgs[] = {
        {"open-session", FC_CT_COMMAND, {0x1002, 0, 1, {1}}},
        {"get-handles", FC_CT_COMMAND, {0x1007, 7, 3, {0xFFFFFFFF, 0, 0xFFFFFFFF}}},
        {"five-params", FC_CT_COMMAND, {0x9805, 9, 5, {1, 0, 0xDC07, 0, 1}}},
        {"response-ok", FC_CT_RESPONSE, {0x2001, 5, 0, {0}}},
        {"response-params", FC_CT_RESPONSE, {0x2001, 8, 3, {0x00010001, 0xFFFFFFFF, 42}}},
        {"event-added", FC_CT_EVENT, {0x4002, 0xFFFFFFFF, 1, {0x1234}}},
        {"event-3", FC_CT_EVENT, {0xC801, 0, 3, {1, 0xDC07, 0}}},
    };
    uint8_t b[32];
    for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        int n = fc_msg_encode(msgs[i].type, &msgs[i].m, b);
        if (n < 0)
            die(msgs[i].name);
        put("container", msgs[i].name, b, (size_t)n);
    }
    fc_data_hdr_encode(0x1009, 7, 100, b);
    put("container", "data-hdr", b, FC_HDR_LEN);
    fc_data_hdr_encode(0x100D, 42, UINT64_C(5) << 30, b);
    put("container", "data-hdr-4gib", b, FC_HDR_LEN);
}

static void strings(fc_wr *w)
{
    static const uint8_t padded[] = {0x05, 'H', 0, 'i', 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t noterm[] = {0x02, 'H', 0, 'i', 0};
    char long_name[255];

    put_wr("string", "ascii", w, fc_wr_str(w, "Hello"));
    put_wr("string", "empty", w, fc_wr_str(w, ""));
    put_wr("string", "bmp", w, fc_wr_str(w, "\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBD"));
    put_wr("string", "pair", w, fc_wr_str(w, "a\xF0\x9F\x98\x80"));
    memset(long_name, 'x', 254);
    long_name[254] = '\0';
    put_wr("string", "max", w, fc_wr_str(w, long_name));
    put("string", "padded", padded, sizeof padded);
    put("string", "noterm", noterm, sizeof noterm);
    put_str("string", "utf8", "h\xC3\xA9llo w\xC3\xB6rld \xF0\x9F\x98\x80");
}

static void datetimes(void)
{
    static const char *const dt[] = {
        "20240229T123456",      "20240229T123456.7",    "20240229T123456Z",
        "20240229T123456+0130", "20240229T123456-0800", "00000101T000000Z",
        "99991231T235959Z",     "20161231T235960Z",     "20240229T123456.3-2359",
    };
    char name[16];
    for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++) {
        snprintf(name, sizeof name, "%zu", i);
        put_str("datetime", name, dt[i]);
    }
}

static void arrays(fc_wr *w)
{
    static const uint32_t handles[] = {1, 2, 3, 0x10000, 0xFFFFFFFE};
    static const uint16_t props[] = {0xDC01, 0xDC02, 0xDC03, 0xDC04, 0xDC07, 0xDC0B, 0xDC41};

    put_wr("arrays", "handles", w, fc_wr_au32(w, handles, 5));
    put_wr("arrays", "props", w, fc_wr_au16(w, props, 7));
    put_wr("arrays", "empty", w, fc_wr_au32(w, NULL, 0));
}

static void values(fc_wr *w)
{
    static const uint64_t e[] = {0, 1, (uint64_t)-1, 0x7F};
    static const fc_u128 x[] = {{1, 0}, {0, 1}};
    char name[32];
    fc_value v;

    for (uint16_t t = FC_DTC_INT8; t <= FC_DTC_UINT128; t++) {
        v = fc_value_int(t, -2);
        fc_wr_u16(w, t);
        snprintf(name, sizeof name, "%04x", t);
        put_wr("value", name, w, fc_wr_value(w, &v));
    }
    for (uint16_t t = FC_DTC_AINT8; t <= FC_DTC_AUINT128; t++) {
        memset(&v, 0, sizeof v);
        v.type = t;
        v.u.a.count = t >= FC_DTC_AINT128 ? 2 : 4;
        v.u.a.v = (void *)(uintptr_t)(t >= FC_DTC_AINT128 ? (const void *)x : (const void *)e);
        fc_wr_u16(w, t);
        snprintf(name, sizeof name, "%04x", t);
        put_wr("value", name, w, fc_wr_value(w, &v));
    }
    if (fc_value_str(&v, "value \xE2\x82\xAC"))
        die("value");
    fc_wr_u16(w, FC_DTC_STR);
    put_wr("value", "ffff", w, fc_wr_value(w, &v));
    fc_value_free(&v);
}

int main(int argc, char **argv)
{
    fc_wr w;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) < 0 && errno != EEXIST)
        die(outdir);

    fc_wr_init(&w);
    device_info(&w);
    storage_info(&w);
    object_info(&w);
    proplist(&w);
    prop_descs(&w);
    containers();
    strings(&w);
    datetimes();
    arrays(&w);
    values(&w);
    fc_wr_free(&w);
    return 0;
}
