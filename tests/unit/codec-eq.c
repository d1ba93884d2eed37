/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "codec-eq.h"

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
