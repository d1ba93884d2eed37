/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device handles (C10-C12) and device discovery. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/internal.h"
#include "util/mem.h"

void fl_dev_ref(ferry_dev *h)
{
    atomic_fetch_add(&h->refs, 1);
}

void fl_dev_unref(ferry_dev *h)
{
    if (atomic_fetch_sub(&h->refs, 1) == 1) {
        fl_link_remove_handle(h->link, h);
        fy_free(h);
    }
}

FERRY_API int ferry_devices(ferry_ctx *ctx, ferry_device_desc **list, size_t *n)
{
    if (!ctx || !list || !n)
        return FERRY_EINVAL;
    return fu_enumerate(ctx->usb, list, n);
}

FERRY_API void ferry_devices_free(ferry_device_desc *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++) {
        fy_free(list[i].manufacturer);
        fy_free(list[i].product);
        fy_free(list[i].serial);
    }
    fy_free(list);
}

static int desc_copy(ferry_device_desc *dst, const ferry_device_desc *src)
{
    *dst = *src;
    dst->manufacturer = src->manufacturer ? fy_strdup(src->manufacturer) : NULL;
    dst->product = src->product ? fy_strdup(src->product) : NULL;
    dst->serial = src->serial ? fy_strdup(src->serial) : NULL;
    if ((src->manufacturer && !dst->manufacturer) || (src->product && !dst->product) ||
        (src->serial && !dst->serial)) {
        fy_free(dst->manufacturer);
        fy_free(dst->product);
        fy_free(dst->serial);
        return FERRY_ENOMEM;
    }
    return 0;
}

static bool matches(const ferry_device_desc *d, const char *spec)
{
    char ba[16];
    snprintf(ba, sizeof(ba), "%u:%u", d->bus, d->address);
    if (strcmp(spec, ba) == 0 || strcmp(spec, d->port_path) == 0)
        return true;
    if (d->serial && strcmp(spec, d->serial) == 0)
        return true;
    if (d->product && strcasecmp(spec, d->product) == 0)
        return true;
    return false;
}

FERRY_API int ferry_device_find(ferry_ctx *ctx, const char *spec, ferry_device_desc **out)
{
    if (!ctx || !out)
        return FERRY_EINVAL;
    *out = NULL;
    ferry_device_desc *list;
    size_t n;
    int rc = fu_enumerate(ctx->usb, &list, &n);
    if (rc < 0)
        return rc;
    const ferry_device_desc *hit = NULL;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        if (!spec || !*spec || matches(&list[i], spec)) {
            hit = &list[i];
            hits++;
        }
    }
    if (hits == 1) {
        ferry_device_desc *d = fy_calloc(1, sizeof(*d));
        if (!d)
            rc = FERRY_ENOMEM;
        else if ((rc = desc_copy(d, hit)) < 0)
            fy_free(d);
        else
            *out = d;
    } else {
        rc = hits == 0 ? FERRY_ENODEV : FERRY_EBUSY;
    }
    ferry_devices_free(list, n);
    return rc;
}

FERRY_API int ferry_dev_open(ferry_ctx *ctx, const ferry_device_desc *desc, ferry_dev **out)
{
    if (!ctx || !desc || !out)
        return FERRY_EINVAL;
    *out = NULL;
    ferry_dev *h = fy_calloc(1, sizeof(*h));
    if (!h)
        return FERRY_ENOMEM;
    fl_link *l;
    int rc = fl_link_get(ctx, desc, &l);
    if (rc < 0) {
        fy_free(h);
        return rc;
    }
    h->ctx = ctx;
    h->link = l;
    atomic_init(&h->refs, 1);
    atomic_init(&h->closed, false);
    fl_link_add_handle(l, h);
    *out = h;
    return 0;
}

FERRY_API int ferry_dev_dup(ferry_dev *h, ferry_dev **out)
{
    if (!h || !out)
        return FERRY_EINVAL;
    if (atomic_load(&h->closed))
        return FERRY_ECLOSED;
    return ferry_dev_open(h->ctx, &h->link->desc, out);
}

FERRY_API void ferry_dev_close(ferry_dev *h)
{
    if (!h || atomic_exchange(&h->closed, true))
        return;
    /* cancel this handle's operations only (C11) */
    fl_link *l = h->link;
    for (;;) {
        ferry_op *victim = NULL;
        pthread_mutex_lock(&l->mu);
        for (ferry_op *op = l->qhead; op; op = op->qnext) {
            if (op->h == h && !fl_op_cancelled(op)) {
                victim = op;
                break;
            }
        }
        if (!victim && l->running && l->running->h == h && !fl_op_cancelled(l->running))
            victim = l->running;
        if (victim)
            atomic_fetch_add(&victim->refs, 1);
        pthread_mutex_unlock(&l->mu);
        if (!victim)
            break;
        ferry_op_cancel(victim, FERRY_CANCEL_SHUTDOWN);
        fl_op_unref(victim);
    }
    pthread_mutex_lock(&l->mu);
    h->ev_fn = NULL;
    pthread_mutex_unlock(&l->mu);
    fl_dev_unref(h);
}

FERRY_API int ferry_dev_watch(ferry_dev *h, ferry_event_fn fn, void *user)
{
    if (!h)
        return FERRY_EINVAL;
    if (atomic_load(&h->closed))
        return FERRY_ECLOSED;
    pthread_mutex_lock(&h->link->mu);
    h->ev_fn = fn;
    h->ev_user = user;
    pthread_mutex_unlock(&h->link->mu);
    return 0;
}
