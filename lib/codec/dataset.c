/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Datasets: DeviceInfo (PIMA 15740 5.5.1), ObjectInfo (5.5.2),
 * StorageInfo (5.5.3), ObjectPropList (MTP 1.1, see codec.h) and the
 * plain u16/u32 arrays some operations return.
 *
 * Every decoder zeroes its output first and frees everything it built on
 * the way out of an error, so the output is either complete or empty.
 * Every encoder either appends the whole dataset or, on error, nothing.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"
#include "util/mem.h"

/* Runs a read step; on error jumps to `fail` with rc set. */
#define TRY(expr)                                                              \
    do {                                                                       \
        rc = (expr);                                                           \
        if (rc < 0)                                                            \
            goto fail;                                                         \
    } while (0)

/* ------------------------------------------------------------------ */
/* DeviceInfo                                                           */
/* ------------------------------------------------------------------ */

int fc_device_info_decode(const void *buf, size_t len, fc_device_info *out)
{
    fc_rd r;
    int rc;

    memset(out, 0, sizeof *out);
    fc_rd_init(&r, buf, buf ? len : 0);
    TRY(fc_rd_u16(&r, &out->standard_version));
    TRY(fc_rd_u32(&r, &out->vendor_ext_id));
    TRY(fc_rd_u16(&r, &out->vendor_ext_version));
    TRY(fc_rd_str(&r, &out->vendor_ext_desc));
    TRY(fc_rd_u16(&r, &out->functional_mode));
    TRY(fc_rd_au16(&r, &out->operations, &out->n_operations));
    TRY(fc_rd_au16(&r, &out->events, &out->n_events));
    TRY(fc_rd_au16(&r, &out->device_props, &out->n_device_props));
    TRY(fc_rd_au16(&r, &out->capture_formats, &out->n_capture_formats));
    TRY(fc_rd_au16(&r, &out->playback_formats, &out->n_playback_formats));
    TRY(fc_rd_str(&r, &out->manufacturer));
    TRY(fc_rd_str(&r, &out->model));
    TRY(fc_rd_str(&r, &out->device_version));
    TRY(fc_rd_str(&r, &out->serial));
    return 0;

fail:
    fc_device_info_free(out);
    return rc;
}

int fc_device_info_encode(const fc_device_info *di, fc_wr *w)
{
    if (w->err)
        return w->err;
    size_t start = w->len;

    fc_wr_u16(w, di->standard_version);
    fc_wr_u32(w, di->vendor_ext_id);
    fc_wr_u16(w, di->vendor_ext_version);
    fc_wr_str(w, di->vendor_ext_desc);
    fc_wr_u16(w, di->functional_mode);
    fc_wr_au16(w, di->operations, di->n_operations);
    fc_wr_au16(w, di->events, di->n_events);
    fc_wr_au16(w, di->device_props, di->n_device_props);
    fc_wr_au16(w, di->capture_formats, di->n_capture_formats);
    fc_wr_au16(w, di->playback_formats, di->n_playback_formats);
    fc_wr_str(w, di->manufacturer);
    fc_wr_str(w, di->model);
    fc_wr_str(w, di->device_version);
    fc_wr_str(w, di->serial);
    return fc_wr_finish(w, start);
}

void fc_device_info_free(fc_device_info *di)
{
    if (!di)
        return;
    fy_free(di->vendor_ext_desc);
    fy_free(di->operations);
    fy_free(di->events);
    fy_free(di->device_props);
    fy_free(di->capture_formats);
    fy_free(di->playback_formats);
    fy_free(di->manufacturer);
    fy_free(di->model);
    fy_free(di->device_version);
    fy_free(di->serial);
    memset(di, 0, sizeof *di);
}

bool fc_device_info_has_op(const fc_device_info *di, uint16_t op)
{
    if (!di || !di->operations)
        return false;
    for (uint32_t i = 0; i < di->n_operations; i++) {
        if (di->operations[i] == op)
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* StorageInfo                                                          */
/* ------------------------------------------------------------------ */

int fc_storage_info_decode(const void *buf, size_t len, fc_storage_info *out)
{
    fc_rd r;
    int rc;

    memset(out, 0, sizeof *out);
    fc_rd_init(&r, buf, buf ? len : 0);
    TRY(fc_rd_u16(&r, &out->storage_type));
    TRY(fc_rd_u16(&r, &out->fs_type));
    TRY(fc_rd_u16(&r, &out->access));
    TRY(fc_rd_u64(&r, &out->max_capacity));
    TRY(fc_rd_u64(&r, &out->free_bytes));
    TRY(fc_rd_u32(&r, &out->free_objects));
    TRY(fc_rd_str(&r, &out->description));
    TRY(fc_rd_str(&r, &out->volume_label));
    return 0;

fail:
    fc_storage_info_free(out);
    return rc;
}

int fc_storage_info_encode(const fc_storage_info *si, fc_wr *w)
{
    if (w->err)
        return w->err;
    size_t start = w->len;

    fc_wr_u16(w, si->storage_type);
    fc_wr_u16(w, si->fs_type);
    fc_wr_u16(w, si->access);
    fc_wr_u64(w, si->max_capacity);
    fc_wr_u64(w, si->free_bytes);
    fc_wr_u32(w, si->free_objects);
    fc_wr_str(w, si->description);
    fc_wr_str(w, si->volume_label);
    return fc_wr_finish(w, start);
}

void fc_storage_info_free(fc_storage_info *si)
{
    if (!si)
        return;
    fy_free(si->description);
    fy_free(si->volume_label);
    memset(si, 0, sizeof *si);
}

/* ------------------------------------------------------------------ */
/* ObjectInfo                                                           */
/* ------------------------------------------------------------------ */

int fc_object_info_decode(const void *buf, size_t len, fc_object_info *out)
{
    fc_rd r;
    int rc;

    memset(out, 0, sizeof *out);
    fc_rd_init(&r, buf, buf ? len : 0);
    TRY(fc_rd_u32(&r, &out->storage_id));
    TRY(fc_rd_u16(&r, &out->format));
    TRY(fc_rd_u16(&r, &out->protection));
    TRY(fc_rd_u32(&r, &out->compressed_size));
    TRY(fc_rd_u16(&r, &out->thumb_format));
    TRY(fc_rd_u32(&r, &out->thumb_size));
    TRY(fc_rd_u32(&r, &out->thumb_width));
    TRY(fc_rd_u32(&r, &out->thumb_height));
    TRY(fc_rd_u32(&r, &out->image_width));
    TRY(fc_rd_u32(&r, &out->image_height));
    TRY(fc_rd_u32(&r, &out->image_depth));
    TRY(fc_rd_u32(&r, &out->parent));
    TRY(fc_rd_u16(&r, &out->association_type));
    TRY(fc_rd_u32(&r, &out->association_desc));
    TRY(fc_rd_u32(&r, &out->sequence));
    TRY(fc_rd_str(&r, &out->filename));
    TRY(fc_rd_str(&r, &out->capture_date));
    TRY(fc_rd_str(&r, &out->modification_date));
    TRY(fc_rd_str(&r, &out->keywords));
    return 0;

fail:
    fc_object_info_free(out);
    return rc;
}

int fc_object_info_encode(const fc_object_info *oi, fc_wr *w)
{
    if (w->err)
        return w->err;
    size_t start = w->len;

    fc_wr_u32(w, oi->storage_id);
    fc_wr_u16(w, oi->format);
    fc_wr_u16(w, oi->protection);
    fc_wr_u32(w, oi->compressed_size);
    fc_wr_u16(w, oi->thumb_format);
    fc_wr_u32(w, oi->thumb_size);
    fc_wr_u32(w, oi->thumb_width);
    fc_wr_u32(w, oi->thumb_height);
    fc_wr_u32(w, oi->image_width);
    fc_wr_u32(w, oi->image_height);
    fc_wr_u32(w, oi->image_depth);
    fc_wr_u32(w, oi->parent);
    fc_wr_u16(w, oi->association_type);
    fc_wr_u32(w, oi->association_desc);
    fc_wr_u32(w, oi->sequence);
    fc_wr_str(w, oi->filename);
    fc_wr_str(w, oi->capture_date);
    fc_wr_str(w, oi->modification_date);
    fc_wr_str(w, oi->keywords);
    return fc_wr_finish(w, start);
}

void fc_object_info_free(fc_object_info *oi)
{
    if (!oi)
        return;
    fy_free(oi->filename);
    fy_free(oi->capture_date);
    fy_free(oi->modification_date);
    fy_free(oi->keywords);
    memset(oi, 0, sizeof *oi);
}

/* ------------------------------------------------------------------ */
/* ObjectPropList                                                       */
/* ------------------------------------------------------------------ */

/* The smallest element: handle, code, datatype and a one-byte value. */
#define PROPLIST_MIN_ELEM 9

int fc_proplist_decode(const void *buf, size_t len, fc_proplist *out)
{
    uint32_t n;
    fc_rd r;
    int rc;

    memset(out, 0, sizeof *out);
    fc_rd_init(&r, buf, buf ? len : 0);
    TRY(fc_rd_u32(&r, &n));
    if (n > fc_rd_left(&r) / PROPLIST_MIN_ELEM)
        return FERRY_EPROTO;
    if (n == 0)
        return 0;

    out->elems = fy_calloc(n, sizeof *out->elems);
    if (!out->elems)
        return FERRY_ENOMEM;
    out->cap = n;
    for (uint32_t i = 0; i < n; i++) {
        fc_prop_elem *e = &out->elems[i];
        uint16_t type;
        TRY(fc_rd_u32(&r, &e->handle));
        TRY(fc_rd_u16(&r, &e->code));
        TRY(fc_rd_u16(&r, &type));
        TRY(fc_rd_value(&r, type, &e->value));
        out->count = i + 1;
    }
    return 0;

fail:
    fc_proplist_free(out);
    return rc;
}

int fc_proplist_encode(const fc_proplist *pl, fc_wr *w)
{
    if (w->err)
        return w->err;
    if (pl->count > 0 && !pl->elems)
        return fc_wr_fail(w, FERRY_EINVAL);
    size_t start = w->len;

    fc_wr_u32(w, pl->count);
    for (uint32_t i = 0; i < pl->count && !w->err; i++) {
        const fc_prop_elem *e = &pl->elems[i];
        fc_wr_u32(w, e->handle);
        fc_wr_u16(w, e->code);
        fc_wr_u16(w, e->value.type);
        fc_wr_value(w, &e->value);
    }
    return fc_wr_finish(w, start);
}

void fc_proplist_free(fc_proplist *pl)
{
    if (!pl)
        return;
    if (pl->elems) {
        for (uint32_t i = 0; i < pl->count; i++)
            fc_value_free(&pl->elems[i].value);
        fy_free(pl->elems);
    }
    memset(pl, 0, sizeof *pl);
}

int fc_proplist_add(fc_proplist *pl, uint32_t handle, uint16_t code, const fc_value *v)
{
    fc_value copy;
    int rc;

    if (!pl || !v || (pl->count > 0 && !pl->elems))
        return FERRY_EINVAL;
    if (pl->count == UINT32_MAX)
        return FERRY_EOVERFLOW;

    /* cap < count: a list put together by hand; grow from count */
    if (pl->count >= pl->cap) {
        uint32_t cap = pl->count < 8 ? 8 : pl->count;
        cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
        size_t bytes = (size_t)cap * sizeof *pl->elems;
        if (bytes / sizeof *pl->elems != cap) /* 32-bit size_t */
            return FERRY_ENOMEM;
        fc_prop_elem *e = fy_realloc(pl->elems, bytes);
        if (!e)
            return FERRY_ENOMEM;
        pl->elems = e;
        pl->cap = cap;
    }
    if ((rc = fc_value_copy(&copy, v)) < 0)
        return rc;

    fc_prop_elem *e = &pl->elems[pl->count++];
    e->handle = handle;
    e->code = code;
    e->value = copy;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Whole-buffer arrays                                                  */
/* ------------------------------------------------------------------ */

int fc_u32_array_decode(const void *buf, size_t len, uint32_t **out, uint32_t *count)
{
    fc_rd r;
    fc_rd_init(&r, buf, buf ? len : 0);
    return fc_rd_au32(&r, out, count);
}

int fc_u16_array_decode(const void *buf, size_t len, uint16_t **out, uint32_t *count)
{
    fc_rd r;
    fc_rd_init(&r, buf, buf ? len : 0);
    return fc_rd_au16(&r, out, count);
}
