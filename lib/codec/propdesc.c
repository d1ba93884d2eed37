/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Property descriptions:
 *
 *   DevicePropDesc (PIMA 15740 5.5.4): u16 DevicePropertyCode,
 *     u16 DataType, u8 GetSet, FactoryDefaultValue, CurrentValue,
 *     u8 FormFlag, form.
 *   ObjectPropDesc (MTP 1.1): u16 PropertyCode, u16 Datatype,
 *     u8 GetSet, FactoryDefaultValue, u32 GroupCode, u8 FormFlag, form.
 *
 * Forms: none; range (minimum, maximum, step, each of the property's
 * type); enumeration (u16 count, then the values); date-time (nothing);
 * fixed-length array (u16 length); regular expression (a string); byte
 * array and long string (u32 maximum length).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"
#include "util/mem.h"

#define TRY(expr)                                                              \
    do {                                                                       \
        rc = (expr);                                                           \
        if (rc < 0)                                                            \
            return rc;                                                         \
    } while (0)

/* Reads FormFlag and the form into d (d->type already set). On error what
 * was read stays in d for the caller to free. */
static int rd_form(fc_rd *r, fc_prop_desc *d)
{
    int rc;

    TRY(fc_rd_u8(r, &d->form));
    switch (d->form) {
    case FC_FORM_NONE:
    case FC_FORM_DATETIME:
        return 0;
    case FC_FORM_RANGE:
        TRY(fc_rd_value(r, d->type, &d->f.range.min));
        TRY(fc_rd_value(r, d->type, &d->f.range.max));
        TRY(fc_rd_value(r, d->type, &d->f.range.step));
        return 0;
    case FC_FORM_ENUM: {
        size_t min = fc_value_min_size(d->type);
        uint16_t n;
        TRY(fc_rd_u16(r, &n));
        if (min == 0 || n > fc_rd_left(r) / min)
            return FERRY_EPROTO;
        if (n == 0)
            return 0;
        d->f.enm.values = fy_calloc(n, sizeof *d->f.enm.values);
        if (!d->f.enm.values)
            return FERRY_ENOMEM;
        for (uint16_t i = 0; i < n; i++) {
            TRY(fc_rd_value(r, d->type, &d->f.enm.values[i]));
            d->f.enm.count = (uint16_t)(i + 1);
        }
        return 0;
    }
    case FC_FORM_FIXED_ARRAY:
        return fc_rd_u16(r, &d->f.fixed_len);
    case FC_FORM_REGEX:
        return fc_rd_str(r, &d->f.regex);
    case FC_FORM_BYTE_ARRAY:
    case FC_FORM_LONG_STRING:
        return fc_rd_u32(r, &d->f.max_len);
    default:
        return FERRY_EPROTO; /* unknown form: its length is unknown */
    }
}

/* Both descriptions: devprop has CurrentValue, objprop has GroupCode. */
static int prop_desc_decode(const void *buf, size_t len, fc_prop_desc *out, bool device)
{
    fc_rd r;
    int rc;

    memset(out, 0, sizeof *out);
    fc_rd_init(&r, buf, buf ? len : 0);
    if ((rc = fc_rd_u16(&r, &out->code)) < 0 || (rc = fc_rd_u16(&r, &out->type)) < 0 ||
        (rc = fc_rd_u8(&r, &out->getset)) < 0 ||
        (rc = fc_rd_value(&r, out->type, &out->def)) < 0)
        goto fail;
    if (device)
        rc = fc_rd_value(&r, out->type, &out->cur);
    else
        rc = fc_rd_u32(&r, &out->group);
    if (rc < 0 || (rc = rd_form(&r, out)) < 0)
        goto fail;
    return 0;

fail:
    fc_prop_desc_free(out);
    return rc;
}

int fc_objprop_desc_decode(const void *buf, size_t len, fc_prop_desc *out)
{
    return prop_desc_decode(buf, len, out, false);
}

int fc_devprop_desc_decode(const void *buf, size_t len, fc_prop_desc *out)
{
    return prop_desc_decode(buf, len, out, true);
}

/* Writes v, which must be of the property's type. */
static int wr_typed(fc_wr *w, uint16_t type, const fc_value *v)
{
    if (v->type != type)
        return fc_wr_fail(w, FERRY_EINVAL);
    return fc_wr_value(w, v);
}

static int wr_form(fc_wr *w, const fc_prop_desc *d)
{
    fc_wr_u8(w, d->form);
    switch (d->form) {
    case FC_FORM_NONE:
    case FC_FORM_DATETIME:
        break;
    case FC_FORM_RANGE:
        wr_typed(w, d->type, &d->f.range.min);
        wr_typed(w, d->type, &d->f.range.max);
        wr_typed(w, d->type, &d->f.range.step);
        break;
    case FC_FORM_ENUM:
        if (d->f.enm.count > 0 && !d->f.enm.values)
            return fc_wr_fail(w, FERRY_EINVAL);
        fc_wr_u16(w, d->f.enm.count);
        for (uint16_t i = 0; i < d->f.enm.count && !w->err; i++)
            wr_typed(w, d->type, &d->f.enm.values[i]);
        break;
    case FC_FORM_FIXED_ARRAY:
        fc_wr_u16(w, d->f.fixed_len);
        break;
    case FC_FORM_REGEX:
        fc_wr_str(w, d->f.regex);
        break;
    case FC_FORM_BYTE_ARRAY:
    case FC_FORM_LONG_STRING:
        fc_wr_u32(w, d->f.max_len);
        break;
    default:
        return fc_wr_fail(w, FERRY_EINVAL);
    }
    return w->err;
}

static int prop_desc_encode(const fc_prop_desc *d, fc_wr *w, bool device)
{
    if (w->err)
        return w->err;
    size_t start = w->len;

    fc_wr_u16(w, d->code);
    fc_wr_u16(w, d->type);
    fc_wr_u8(w, d->getset);
    wr_typed(w, d->type, &d->def);
    if (device)
        wr_typed(w, d->type, &d->cur);
    else
        fc_wr_u32(w, d->group);
    wr_form(w, d);
    return fc_wr_finish(w, start);
}

int fc_objprop_desc_encode(const fc_prop_desc *d, fc_wr *w)
{
    return prop_desc_encode(d, w, false);
}

int fc_devprop_desc_encode(const fc_prop_desc *d, fc_wr *w)
{
    return prop_desc_encode(d, w, true);
}

void fc_prop_desc_free(fc_prop_desc *d)
{
    if (!d)
        return;
    fc_value_free(&d->def);
    fc_value_free(&d->cur);
    switch (d->form) {
    case FC_FORM_RANGE:
        fc_value_free(&d->f.range.min);
        fc_value_free(&d->f.range.max);
        fc_value_free(&d->f.range.step);
        break;
    case FC_FORM_ENUM:
        if (d->f.enm.values) {
            for (uint16_t i = 0; i < d->f.enm.count; i++)
                fc_value_free(&d->f.enm.values[i]);
            fy_free(d->f.enm.values);
        }
        break;
    case FC_FORM_REGEX:
        fy_free(d->f.regex);
        break;
    default:
        break;
    }
    memset(d, 0, sizeof *d);
}
