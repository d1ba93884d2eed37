/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PTP/MTP codec: pure functions, no I/O, used both by the host side
 * (libferry) and the device side (ferry-vdev). Both directions are
 * first-class: every dataset has an encoder and a decoder, and
 * decode(encode(x)) == x.
 *
 * Rules every decoder follows (STYLE.md "Follow" 8, "Avoid" 3):
 *  - it returns an int (0 or a negative FERRY_E* value), never void;
 *  - every length and count read from the device is checked against the
 *    bytes that remain before it is used: an array of N elements of size S
 *    is refused unless N * S bytes are still there, so no allocation is
 *    ever sized by a count alone;
 *  - the output needs no initialisation: it is zeroed first, and on error
 *    it is left empty (all owned memory freed, every byte zero) so callers
 *    free nothing and leak nothing;
 *  - malformed input gives FERRY_EPROTO, allocation failure FERRY_ENOMEM;
 *  - bytes after the end of a dataset are ignored (devices append vendor
 *    data), but a dataset that ends early is always an error.
 *
 * Encoders append to an fc_wr and return its sticky error; on error they
 * leave w->len where it was (nothing of the dataset is kept) and w->err
 * set. Values whose type does not match the property's type, or counts
 * with a NULL array, are FERRY_EINVAL.
 *
 * All multi-byte fields are little-endian (PTP 5.3.1).
 */
#ifndef FERRY_CODEC_CODEC_H
#define FERRY_CODEC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/error.h>

#include "codec/codes.h"

/* ------------------------------------------------------------------ */
/* Read cursor                                                          */
/* ------------------------------------------------------------------ */

typedef struct fc_rd {
    const uint8_t *p;
    size_t len;
    size_t off;
} fc_rd;

typedef struct fc_u128 {
    uint64_t lo;
    uint64_t hi;
} fc_u128;

static inline void fc_rd_init(fc_rd *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p;
    r->len = len;
    r->off = 0;
}

static inline size_t fc_rd_left(const fc_rd *r)
{
    return r->len - r->off;
}

/* Each returns 0, or FERRY_EPROTO when fewer bytes remain than needed
 * (the cursor does not move then). */
int fc_rd_u8(fc_rd *r, uint8_t *v);
int fc_rd_u16(fc_rd *r, uint16_t *v);
int fc_rd_u32(fc_rd *r, uint32_t *v);
int fc_rd_u64(fc_rd *r, uint64_t *v);
int fc_rd_u128(fc_rd *r, fc_u128 *v);
int fc_rd_skip(fc_rd *r, size_t n);

/* PTP array of uint16/uint32: u32 count then count elements. *out is
 * allocated (NULL when count is 0). */
int fc_rd_au16(fc_rd *r, uint16_t **out, uint32_t *count);
int fc_rd_au32(fc_rd *r, uint32_t **out, uint32_t *count);

/* PTP string (5.3.4): u8 NumChars including the terminating NUL, then
 * NumChars UCS-2LE code units. Decoded to a newly allocated NUL-terminated
 * UTF-8 string ("" for NumChars == 0). Surrogate pairs are combined;
 * an unpaired surrogate, or a NUL followed by a non-NUL unit (a NUL
 * inside the string), is FERRY_EPROTO. A missing terminator is accepted
 * (seen on real devices); trailing NUL padding is accepted. */
int fc_rd_str(fc_rd *r, char **out);

/* ------------------------------------------------------------------ */
/* Write buffer (growable; errors are sticky)                           */
/* ------------------------------------------------------------------ */

typedef struct fc_wr {
    uint8_t *buf;
    size_t len;
    size_t cap;
    int err; /* first error, 0 if none */
} fc_wr;

void fc_wr_init(fc_wr *w);
void fc_wr_free(fc_wr *w);   /* frees buf, resets to empty */
void fc_wr_reset(fc_wr *w);  /* len = 0, err = 0, keeps buf */
int fc_wr_reserve(fc_wr *w, size_t extra);
/* Each returns w->err after the write (0 when all writes so far
 * succeeded). After an error further writes do nothing. A count > 0 with
 * a NULL array is FERRY_EINVAL. */
int fc_wr_u8(fc_wr *w, uint8_t v);
int fc_wr_u16(fc_wr *w, uint16_t v);
int fc_wr_u32(fc_wr *w, uint32_t v);
int fc_wr_u64(fc_wr *w, uint64_t v);
int fc_wr_u128(fc_wr *w, fc_u128 v);
int fc_wr_bytes(fc_wr *w, const void *p, size_t n);
int fc_wr_au16(fc_wr *w, const uint16_t *v, uint32_t count);
int fc_wr_au32(fc_wr *w, const uint32_t *v, uint32_t count);
/* UTF-8 in, PTP string out. NULL or "" encodes NumChars = 0.
 * FERRY_EBADNAME for invalid UTF-8 (overlong forms, encoded surrogates,
 * code points over U+10FFFF, truncated sequences); FERRY_ENAMETOOLONG
 * when more than 254 UTF-16 code units are needed. Nothing is written
 * on error; the error is also recorded in w->err like any other. */
int fc_wr_str(fc_wr *w, const char *utf8);

/* ------------------------------------------------------------------ */
/* Strings                                                              */
/* ------------------------------------------------------------------ */

/* Checks that a UTF-8 string can be sent as a PTP string: 0,
 * FERRY_EBADNAME (invalid UTF-8) or FERRY_ENAMETOOLONG. */
int fc_str_check(const char *utf8);
/* Number of UTF-16 code units a valid UTF-8 string needs, or a negative
 * error as fc_str_check. */
long fc_str_utf16_len(const char *utf8);

/* ------------------------------------------------------------------ */
/* Date-time strings (PTP 5.3.5): "YYYYMMDDThhmmss[.s][Z|+hhmm|-hhmm]"   */
/* ------------------------------------------------------------------ */

enum fc_tz {
    FC_TZ_NONE = 0,   /* no zone given: local time of the device */
    FC_TZ_UTC = 1,    /* "Z" */
    FC_TZ_OFFSET = 2, /* "+hhmm" / "-hhmm" */
};

typedef struct fc_datetime {
    int year;         /* 0000-9999 */
    int month;        /* 1-12 */
    int day;          /* 1-31, checked against the month and leap years */
    int hour;         /* 0-23 */
    int minute;       /* 0-59 */
    int second;       /* 0-59 (60 accepted for a leap second) */
    int tenths;       /* 0-9, 0 when absent */
    enum fc_tz tz;
    int offset_min;   /* for FC_TZ_OFFSET: minutes east of UTC, -1439..1439 */
} fc_datetime;

/* Parses a date-time. "" (or NULL) is FERRY_EEND ("no date"); anything
 * malformed or out of range is FERRY_EPROTO. The tenths are one digit. */
int fc_datetime_parse(const char *s, fc_datetime *out);
/* Formats into out (at least 24 bytes). Returns the length, or
 * FERRY_EINVAL for out-of-range fields or an outlen too small. Tenths are
 * written only when not 0. */
int fc_datetime_format(const fc_datetime *dt, char *out, size_t outlen);
/* To seconds since the epoch (tenths dropped). FC_TZ_NONE is taken as
 * local time of this machine (as the device meant its own local time).
 * FERRY_EINVAL for out-of-range fields; FERRY_EOVERFLOW when mktime()
 * cannot represent a local time. */
int fc_datetime_to_unix(const fc_datetime *dt, int64_t *t);
/* From seconds since the epoch, as UTC ("Z") when utc is true, else local
 * time without a zone. FERRY_EOVERFLOW outside years 0000-9999. */
int fc_datetime_from_unix(int64_t t, bool utc, fc_datetime *out);

/* ------------------------------------------------------------------ */
/* Containers (PIMA 15740 USB still image class, 7.1)                   */
/* ------------------------------------------------------------------ */

#define FC_HDR_LEN 12u
#define FC_MAX_PARAMS 5u
#define FC_MAX_EVENT_PARAMS 3u
#define FC_LEN_UNKNOWN 0xFFFFFFFFu /* data container over 4 GiB */

enum fc_ctype {
    FC_CT_COMMAND = 1,
    FC_CT_DATA = 2,
    FC_CT_RESPONSE = 3,
    FC_CT_EVENT = 4,
};

typedef struct fc_hdr {
    uint32_t length; /* whole container including the header */
    uint16_t type;   /* enum fc_ctype */
    uint16_t code;
    uint32_t tid;
} fc_hdr;

/* Decodes a 12-byte header. FERRY_EPROTO when len < 12, the type is not
 * 1..4, or length < 12. */
int fc_hdr_decode(const void *buf, size_t len, fc_hdr *out);
void fc_hdr_encode(const fc_hdr *h, uint8_t out[FC_HDR_LEN]);

/* Command, response and event containers: a code, a transaction id and
 * up to 5 (events: 3) uint32 parameters. */
typedef struct fc_msg {
    uint16_t code;
    uint32_t tid;
    uint32_t nparams;
    uint32_t params[FC_MAX_PARAMS];
} fc_msg;

/* Encodes a command/response/event container into out (32 bytes is
 * always enough). Returns the length (12 + 4 * nparams) or FERRY_EINVAL
 * when nparams is too large for the type. */
int fc_msg_encode(enum fc_ctype type, const fc_msg *m, uint8_t out[32]);
/* Decodes a whole container of the given type. The header length must
 * equal len, be 12..32 with (len - 12) % 4 == 0 and at most 5 (events: 3)
 * parameters; otherwise FERRY_EPROTO. FERRY_EINVAL when type is
 * FC_CT_DATA (not a message). */
int fc_msg_decode(enum fc_ctype type, const void *buf, size_t len, fc_msg *out);

/* Data container header for a payload of `payload` bytes; from
 * 0xFFFFFFFF - 12 on the length field is FC_LEN_UNKNOWN (MTP: the real
 * size then comes from the ObjectInfo / ObjectSize property). */
void fc_data_hdr_encode(uint16_t code, uint32_t tid, uint64_t payload, uint8_t out[FC_HDR_LEN]);
/* Payload size of a data container header: the length minus 12, or
 * UINT64_MAX when the length field is FC_LEN_UNKNOWN. */
uint64_t fc_data_payload_len(const fc_hdr *h);

/* ------------------------------------------------------------------ */
/* Property values (all data types incl. arrays, 128-bit and strings)    */
/* ------------------------------------------------------------------ */

typedef struct fc_value {
    uint16_t type; /* enum fc_datatype */
    union {
        int64_t i;      /* INT8..INT64, sign-extended */
        uint64_t u;     /* UINT8..UINT64 */
        fc_u128 x;      /* INT128 / UINT128 (two's complement for INT128) */
        char *str;      /* STR, UTF-8, owned */
        struct {
            uint32_t count;
            /* elements: for 8..64-bit types one uint64_t each (signed types
             * sign-extended, read back through (int64_t) casts); for
             * 128-bit types one fc_u128 each. Owned. */
            void *v;
        } a;
    } u;
} fc_value;

/* Size in bytes of one element of an integer type (1..16), 0 for STR,
 * UNDEF, arrays and unknown types. */
size_t fc_type_size(uint16_t type);
/* True for the types fc_rd_value can read: INT8..UINT128, AINT8..AUINT128
 * and STR (not UNDEF). */
bool fc_type_known(uint16_t type);

/* Reads a value of the given type. Unknown types (and UNDEF) are
 * FERRY_EPROTO: without the type the length is unknown. Arrays: u32 count
 * then elements, count checked against the remaining bytes. */
int fc_rd_value(fc_rd *r, uint16_t type, fc_value *out);
/* Writes v (scalars truncated to the type's width); FERRY_EINVAL for
 * UNDEF and unknown types. */
int fc_wr_value(fc_wr *w, const fc_value *v);
/* Frees what v owns and zeroes it (type UNDEF). NULL is accepted. */
void fc_value_free(fc_value *v);
/* Deep copy into dst (not freed first). FERRY_ENOMEM, or FERRY_EINVAL for
 * an unknown type; dst is zero on error. */
int fc_value_copy(fc_value *dst, const fc_value *src);
/* Same type and same value as the wire would carry it: integers compared
 * after truncation to the type's width, a NULL string equals "". */
bool fc_value_equal(const fc_value *a, const fc_value *b);

/* Convenience constructors (no allocation except fc_value_str). Integers
 * are truncated to the type's width and zero- or sign-extended. */
fc_value fc_value_uint(uint16_t type, uint64_t u);
fc_value fc_value_int(uint16_t type, int64_t i);
int fc_value_str(fc_value *out, const char *utf8); /* copies; FERRY_ENOMEM */

/* ------------------------------------------------------------------ */
/* Datasets                                                             */
/* ------------------------------------------------------------------ */

/* DeviceInfo (PTP 5.5.1) */
typedef struct fc_device_info {
    uint16_t standard_version;
    uint32_t vendor_ext_id;
    uint16_t vendor_ext_version;
    char *vendor_ext_desc;
    uint16_t functional_mode;
    uint16_t *operations; uint32_t n_operations;
    uint16_t *events; uint32_t n_events;
    uint16_t *device_props; uint32_t n_device_props;
    uint16_t *capture_formats; uint32_t n_capture_formats;
    uint16_t *playback_formats; uint32_t n_playback_formats;
    char *manufacturer;
    char *model;
    char *device_version;
    char *serial;
} fc_device_info;

int fc_device_info_decode(const void *buf, size_t len, fc_device_info *out);
int fc_device_info_encode(const fc_device_info *di, fc_wr *w);
void fc_device_info_free(fc_device_info *di);
bool fc_device_info_has_op(const fc_device_info *di, uint16_t op);

/* StorageInfo (PTP 5.5.3) */
typedef struct fc_storage_info {
    uint16_t storage_type;
    uint16_t fs_type;
    uint16_t access;
    uint64_t max_capacity;
    uint64_t free_bytes;
    uint32_t free_objects;
    char *description;
    char *volume_label;
} fc_storage_info;

int fc_storage_info_decode(const void *buf, size_t len, fc_storage_info *out);
int fc_storage_info_encode(const fc_storage_info *si, fc_wr *w);
void fc_storage_info_free(fc_storage_info *si);

/* ObjectInfo (PTP 5.5.2) */
typedef struct fc_object_info {
    uint32_t storage_id;
    uint16_t format;
    uint16_t protection;
    uint32_t compressed_size; /* 0xFFFFFFFF for objects of 4 GiB or more */
    uint16_t thumb_format;
    uint32_t thumb_size;
    uint32_t thumb_width;
    uint32_t thumb_height;
    uint32_t image_width;
    uint32_t image_height;
    uint32_t image_depth;
    uint32_t parent;
    uint16_t association_type;
    uint32_t association_desc;
    uint32_t sequence;
    char *filename;
    char *capture_date;      /* date-time strings as sent; "" if none */
    char *modification_date;
    char *keywords;
} fc_object_info;

int fc_object_info_decode(const void *buf, size_t len, fc_object_info *out);
int fc_object_info_encode(const fc_object_info *oi, fc_wr *w);
void fc_object_info_free(fc_object_info *oi);

/* ObjectPropList (MTP 1.1 E.2.1.1 / D.2.30):
 * u32 NumberOfElements, then per element u32 ObjectHandle,
 * u16 PropertyCode, u16 Datatype, value. */
typedef struct fc_prop_elem {
    uint32_t handle;
    uint16_t code;
    fc_value value; /* value.type is the element's Datatype */
} fc_prop_elem;

typedef struct fc_proplist {
    uint32_t count;
    fc_prop_elem *elems;
    uint32_t cap;   /* elements allocated; fc_proplist_add grows it
                     * geometrically. 0 (or < count) for a list built by
                     * hand: the next add reallocates. */
} fc_proplist;

/* Each element needs at least 8 bytes plus its value, so a count larger
 * than (remaining bytes / 9) is refused before anything is allocated. */
int fc_proplist_decode(const void *buf, size_t len, fc_proplist *out);
int fc_proplist_encode(const fc_proplist *pl, fc_wr *w);
void fc_proplist_free(fc_proplist *pl);
/* Appends an element (takes a deep copy of the value). FERRY_ENOMEM
 * leaves the list as it was. */
int fc_proplist_add(fc_proplist *pl, uint32_t handle, uint16_t code, const fc_value *v);

/* ObjectPropDesc (MTP D.2.27) and DevicePropDesc (PTP 5.5.4) */
enum fc_form {
    FC_FORM_NONE = 0x00,
    FC_FORM_RANGE = 0x01,
    FC_FORM_ENUM = 0x02,
    FC_FORM_DATETIME = 0x03,
    FC_FORM_FIXED_ARRAY = 0x04,
    FC_FORM_REGEX = 0x05,
    FC_FORM_BYTE_ARRAY = 0x06,
    FC_FORM_LONG_STRING = 0xFF,
};

typedef struct fc_prop_desc {
    uint16_t code;
    uint16_t type;        /* Datatype of the property */
    uint8_t getset;       /* 0 get, 1 get/set */
    fc_value def;         /* FactoryDefaultValue */
    fc_value cur;         /* CurrentValue: DevicePropDesc only */
    uint32_t group;       /* GroupCode: ObjectPropDesc only */
    uint8_t form;         /* enum fc_form */
    union {
        struct { fc_value min, max, step; } range;
        struct { uint16_t count; fc_value *values; } enm;
        uint16_t fixed_len;   /* FIXED_ARRAY */
        char *regex;          /* REGEX */
        uint32_t max_len;     /* BYTE_ARRAY, LONG_STRING */
    } f;
} fc_prop_desc;

int fc_objprop_desc_decode(const void *buf, size_t len, fc_prop_desc *out);
int fc_objprop_desc_encode(const fc_prop_desc *d, fc_wr *w);
int fc_devprop_desc_decode(const void *buf, size_t len, fc_prop_desc *out);
int fc_devprop_desc_encode(const fc_prop_desc *d, fc_wr *w);
void fc_prop_desc_free(fc_prop_desc *d);

/* Whole-buffer arrays: uint32 (GetStorageIDs, GetObjectHandles) and
 * uint16 (GetObjectPropsSupported). */
int fc_u32_array_decode(const void *buf, size_t len, uint32_t **out, uint32_t *count);
int fc_u16_array_decode(const void *buf, size_t len, uint16_t **out, uint32_t *count);

#endif
