/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "codec-eq.h"
#include "util/mem.h"

bool ceq_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool eq_au16(const uint16_t *a, uint32_t na, const uint16_t *b, uint32_t nb)
{
    if (na != nb)
        return false;
    return na == 0 || (a && b && memcmp(a, b, na * sizeof *a) == 0);
}

bool ceq_device_info(const fc_device_info *a, const fc_device_info *b)
{
    return a->standard_version == b->standard_version &&
           a->vendor_ext_id == b->vendor_ext_id &&
           a->vendor_ext_version == b->vendor_ext_version &&
           ceq_str(a->vendor_ext_desc, b->vendor_ext_desc) &&
           a->functional_mode == b->functional_mode &&
           eq_au16(a->operations, a->n_operations, b->operations, b->n_operations) &&
           eq_au16(a->events, a->n_events, b->events, b->n_events) &&
           eq_au16(a->device_props, a->n_device_props, b->device_props,
                   b->n_device_props) &&
           eq_au16(a->capture_formats, a->n_capture_formats, b->capture_formats,
                   b->n_capture_formats) &&
           eq_au16(a->playback_formats, a->n_playback_formats, b->playback_formats,
                   b->n_playback_formats) &&
           ceq_str(a->manufacturer, b->manufacturer) && ceq_str(a->model, b->model) &&
           ceq_str(a->device_version, b->device_version) &&
           ceq_str(a->serial, b->serial);
}

bool ceq_storage_info(const fc_storage_info *a, const fc_storage_info *b)
{
    return a->storage_type == b->storage_type && a->fs_type == b->fs_type &&
           a->access == b->access && a->max_capacity == b->max_capacity &&
           a->free_bytes == b->free_bytes && a->free_objects == b->free_objects &&
           ceq_str(a->description, b->description) &&
           ceq_str(a->volume_label, b->volume_label);
}

bool ceq_object_info(const fc_object_info *a, const fc_object_info *b)
{
    return a->storage_id == b->storage_id && a->format == b->format &&
           a->protection == b->protection && a->compressed_size == b->compressed_size &&
           a->thumb_format == b->thumb_format && a->thumb_size == b->thumb_size &&
           a->thumb_width == b->thumb_width && a->thumb_height == b->thumb_height &&
           a->image_width == b->image_width && a->image_height == b->image_height &&
           a->image_depth == b->image_depth && a->parent == b->parent &&
           a->association_type == b->association_type &&
           a->association_desc == b->association_desc && a->sequence == b->sequence &&
           ceq_str(a->filename, b->filename) &&
           ceq_str(a->capture_date, b->capture_date) &&
           ceq_str(a->modification_date, b->modification_date) &&
           ceq_str(a->keywords, b->keywords);
}

bool ceq_proplist(const fc_proplist *a, const fc_proplist *b)
{
    if (a->count != b->count)
        return false;
    for (uint32_t i = 0; i < a->count; i++) {
        const fc_prop_elem *x = &a->elems[i], *y = &b->elems[i];
        if (x->handle != y->handle || x->code != y->code ||
            !fc_value_equal(&x->value, &y->value))
            return false;
    }
    return true;
}

bool ceq_prop_desc(const fc_prop_desc *a, const fc_prop_desc *b)
{
    if (a->code != b->code || a->type != b->type || a->getset != b->getset ||
        !fc_value_equal(&a->def, &b->def) || !fc_value_equal(&a->cur, &b->cur) ||
        a->group != b->group || a->form != b->form)
        return false;

    switch (a->form) {
    case FC_FORM_RANGE:
        return fc_value_equal(&a->f.range.min, &b->f.range.min) &&
               fc_value_equal(&a->f.range.max, &b->f.range.max) &&
               fc_value_equal(&a->f.range.step, &b->f.range.step);
    case FC_FORM_ENUM:
        if (a->f.enm.count != b->f.enm.count)
            return false;
        for (uint16_t i = 0; i < a->f.enm.count; i++) {
            if (!fc_value_equal(&a->f.enm.values[i], &b->f.enm.values[i]))
                return false;
        }
        return true;
    case FC_FORM_FIXED_ARRAY:
        return a->f.fixed_len == b->f.fixed_len;
    case FC_FORM_REGEX:
        return ceq_str(a->f.regex, b->f.regex);
    case FC_FORM_BYTE_ARRAY:
    case FC_FORM_LONG_STRING:
        return a->f.max_len == b->f.max_len;
    default:
        return true;
    }
}

/* ------------------------------------------------------------------ */
/* The decoders behind a common signature                               */
/* ------------------------------------------------------------------ */

#define DATASET_CODEC(var, type, dec, enc, fre, eq)                            \
    static int var##_dec(const void *b, size_t l, void *o)                     \
    {                                                                          \
        return dec(b, l, (type *)o);                                           \
    }                                                                          \
    static void var##_free(void *o)                                            \
    {                                                                          \
        fre((type *)o);                                                        \
    }                                                                          \
    static int var##_enc(const void *i, fc_wr *w)                              \
    {                                                                          \
        return enc((const type *)i, w);                                        \
    }                                                                          \
    static bool var##_eq(const void *a, const void *b)                         \
    {                                                                          \
        return eq((const type *)a, (const type *)b);                           \
    }                                                                          \
    const ct_codec var = {#type, sizeof(type), var##_dec, var##_free, var##_enc, var##_eq};

DATASET_CODEC(ct_device_info, fc_device_info, fc_device_info_decode, fc_device_info_encode,
              fc_device_info_free, ceq_device_info)
DATASET_CODEC(ct_storage_info, fc_storage_info, fc_storage_info_decode,
              fc_storage_info_encode, fc_storage_info_free, ceq_storage_info)
DATASET_CODEC(ct_object_info, fc_object_info, fc_object_info_decode, fc_object_info_encode,
              fc_object_info_free, ceq_object_info)
DATASET_CODEC(ct_proplist, fc_proplist, fc_proplist_decode, fc_proplist_encode,
              fc_proplist_free, ceq_proplist)
DATASET_CODEC(ct_objprop_desc, fc_prop_desc, fc_objprop_desc_decode, fc_objprop_desc_encode,
              fc_prop_desc_free, ceq_prop_desc)
DATASET_CODEC(ct_devprop_desc, fc_prop_desc, fc_devprop_desc_decode, fc_devprop_desc_encode,
              fc_prop_desc_free, ceq_prop_desc)

static int u16_array_dec(const void *b, size_t l, void *o)
{
    ct_array *a = o;
    uint16_t *v;
    memset(a, 0, sizeof *a); /* padding too */
    int rc = fc_u16_array_decode(b, l, &v, &a->count);
    a->v = v;
    return rc;
}

static int u32_array_dec(const void *b, size_t l, void *o)
{
    ct_array *a = o;
    uint32_t *v;
    memset(a, 0, sizeof *a); /* padding too */
    int rc = fc_u32_array_decode(b, l, &v, &a->count);
    a->v = v;
    return rc;
}

static void array_free(void *o)
{
    ct_array *a = o;
    fy_free(a->v);
    memset(a, 0, sizeof *a);
}

static int u16_array_enc(const void *i, fc_wr *w)
{
    const ct_array *a = i;
    return fc_wr_au16(w, a->v, a->count);
}

static int u32_array_enc(const void *i, fc_wr *w)
{
    const ct_array *a = i;
    return fc_wr_au32(w, a->v, a->count);
}

static bool u16_array_eq(const void *x, const void *y)
{
    const ct_array *a = x, *b = y;
    return a->count == b->count &&
           (a->count == 0 || memcmp(a->v, b->v, a->count * sizeof(uint16_t)) == 0);
}

static bool u32_array_eq(const void *x, const void *y)
{
    const ct_array *a = x, *b = y;
    return a->count == b->count &&
           (a->count == 0 || memcmp(a->v, b->v, a->count * sizeof(uint32_t)) == 0);
}

const ct_codec ct_u16_array = {"u16 array",  sizeof(ct_array), u16_array_dec,
                               array_free,   u16_array_enc,    u16_array_eq};
const ct_codec ct_u32_array = {"u32 array",  sizeof(ct_array), u32_array_dec,
                               array_free,   u32_array_enc,    u32_array_eq};

static int string_dec(const void *b, size_t l, void *o)
{
    fc_rd r;
    fc_rd_init(&r, b, l);
    return fc_rd_str(&r, (char **)o);
}

static void string_free(void *o)
{
    char **s = o;
    fy_free(*s);
    *s = NULL;
}

static int string_enc(const void *i, fc_wr *w)
{
    return fc_wr_str(w, *(char *const *)i);
}

static bool string_eq(const void *a, const void *b)
{
    return ceq_str(*(char *const *)a, *(char *const *)b);
}

const ct_codec ct_string = {"string",   sizeof(char *), string_dec,
                            string_free, string_enc,    string_eq};

static int value_dec(const void *b, size_t l, void *o)
{
    fc_value *v = o;
    uint16_t type;
    fc_rd r;

    fc_rd_init(&r, b, l);
    if (fc_rd_u16(&r, &type) < 0) {
        memset(v, 0, sizeof *v);
        return FERRY_EPROTO;
    }
    return fc_rd_value(&r, type, v);
}

static void value_free(void *o)
{
    fc_value_free(o);
}

static int value_enc(const void *i, fc_wr *w)
{
    const fc_value *v = i;
    size_t start = w->len;
    fc_wr_u16(w, v->type);
    if (fc_wr_value(w, v) < 0)
        w->len = start;
    return w->err;
}

static bool value_eq(const void *a, const void *b)
{
    return fc_value_equal(a, b);
}

const ct_codec ct_value = {"value",    sizeof(fc_value), value_dec,
                           value_free, value_enc,        value_eq};
