/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "link/internal.h"
#include "util/mem.h"

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = fy_strdup(src);
    return *dst ? 0 : FERRY_ENOMEM;
}

void fl_object_clear(ferry_object *o)
{
    fy_free(o->name);
    memset(o, 0, sizeof(*o));
}

int fl_object_copy(ferry_object *dst, const ferry_object *src)
{
    *dst = *src;
    if (dup_str(&dst->name, src->name) < 0) {
        memset(dst, 0, sizeof(*dst));
        return FERRY_ENOMEM;
    }
    return 0;
}

FERRY_API void ferry_item_clear(ferry_item *item)
{
    if (!item)
        return;
    switch (item->kind) {
    case FERRY_ITEM_OBJECT:
        fy_free(item->u.object.name);
        break;
    case FERRY_ITEM_STORAGE:
        fy_free(item->u.storage.description);
        fy_free(item->u.storage.volume);
        break;
    case FERRY_ITEM_DEVICE:
        fy_free(item->u.device.manufacturer);
        fy_free(item->u.device.model);
        fy_free(item->u.device.version);
        fy_free(item->u.device.serial);
        fy_free(item->u.device.friendly_name);
        fy_free(item->u.device.extensions);
        break;
    default:
        break;
    }
    memset(item, 0, sizeof(*item));
}

FERRY_API int ferry_item_copy(ferry_item *dst, const ferry_item *src)
{
    if (!dst || !src)
        return FERRY_EINVAL;
    *dst = *src;
    int rc = 0;
    switch (src->kind) {
    case FERRY_ITEM_OBJECT:
        rc = dup_str(&dst->u.object.name, src->u.object.name);
        break;
    case FERRY_ITEM_STORAGE:
        dst->u.storage.volume = NULL;
        rc = dup_str(&dst->u.storage.description, src->u.storage.description);
        if (!rc)
            rc = dup_str(&dst->u.storage.volume, src->u.storage.volume);
        break;
    case FERRY_ITEM_DEVICE: {
        const ferry_device_info *s = &src->u.device;
        ferry_device_info *d = &dst->u.device;
        d->model = d->version = d->serial = d->friendly_name = d->extensions = NULL;
        rc = dup_str(&d->manufacturer, s->manufacturer);
        if (!rc)
            rc = dup_str(&d->model, s->model);
        if (!rc)
            rc = dup_str(&d->version, s->version);
        if (!rc)
            rc = dup_str(&d->serial, s->serial);
        if (!rc)
            rc = dup_str(&d->friendly_name, s->friendly_name);
        if (!rc)
            rc = dup_str(&d->extensions, s->extensions);
        break;
    }
    default:
        break;
    }
    if (rc < 0)
        ferry_item_clear(dst);
    return rc;
}
