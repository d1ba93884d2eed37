/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ferry/error.h>

#include "util/hook.h"

void fy_hook_init(fy_hook *h)
{
    pthread_mutex_init(&h->mu, NULL);
    h->cancellable = true;
    h->completed = false;
    h->fired = false;
    h->fn = NULL;
    h->data = NULL;
}

void fy_hook_destroy(fy_hook *h)
{
    pthread_mutex_destroy(&h->mu);
}

void fy_hook_stage(fy_hook *h, bool cancellable)
{
    pthread_mutex_lock(&h->mu);
    h->cancellable = cancellable;
    h->fn = NULL;
    h->data = NULL;
    pthread_mutex_unlock(&h->mu);
}

int fy_hook_register(fy_hook *h, fy_hook_fn fn, void *data)
{
    int rc = 0;
    pthread_mutex_lock(&h->mu);
    if (!h->cancellable || h->completed) {
        rc = FERRY_ESTATE;
    } else {
        h->fn = fn;
        h->data = data;
        if (h->fired && fn) {
            /* the cancel came before the stage registered: honour it now */
            h->fn = NULL;
            fn(data);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rc;
}

void fy_hook_clear(fy_hook *h)
{
    pthread_mutex_lock(&h->mu);
    h->fn = NULL;
    h->data = NULL;
    pthread_mutex_unlock(&h->mu);
}

bool fy_hook_fire(fy_hook *h)
{
    bool ran = false;
    pthread_mutex_lock(&h->mu);
    h->fired = true;
    if (!h->completed && h->fn) {
        fy_hook_fn fn = h->fn;
        h->fn = NULL;
        fn(h->data);
        ran = true;
    }
    pthread_mutex_unlock(&h->mu);
    return ran;
}

bool fy_hook_fired(fy_hook *h)
{
    pthread_mutex_lock(&h->mu);
    bool f = h->fired;
    pthread_mutex_unlock(&h->mu);
    return f;
}

void fy_hook_complete(fy_hook *h)
{
    pthread_mutex_lock(&h->mu);
    h->completed = true;
    h->fn = NULL;
    h->data = NULL;
    pthread_mutex_unlock(&h->mu);
}
