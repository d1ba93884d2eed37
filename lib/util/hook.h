/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cancel hooks (CONTRACT.md C13, after MI_Context_RegisterCancel): the
 * code running an operation registers a callback that the canceller runs.
 *
 *  - a second registration replaces the first;
 *  - a stage that cannot be cancelled marks the hook uncancellable, and
 *    registration then fails with FERRY_ESTATE: the stage runs to its end;
 *  - the callback runs at most once per registration and never after
 *    fy_hook_complete(): completion and firing are serialised by the
 *    hook's lock, and the callback runs under it, so it must be short and
 *    must not take locks that the registering thread holds while it
 *    registers or completes.
 */
#ifndef FERRY_UTIL_HOOK_H
#define FERRY_UTIL_HOOK_H

#include <pthread.h>
#include <stdbool.h>

typedef void (*fy_hook_fn)(void *data);

typedef struct fy_hook {
    pthread_mutex_t mu;
    bool cancellable;
    bool completed;
    bool fired;       /* a cancel was requested (whether or not a callback ran) */
    fy_hook_fn fn;
    void *data;
} fy_hook;

void fy_hook_init(fy_hook *h);
void fy_hook_destroy(fy_hook *h);
/* Starts a new stage: cancellable or not; clears the callback. */
void fy_hook_stage(fy_hook *h, bool cancellable);
/* Registers (or replaces) the callback; FERRY_ESTATE when the stage is
 * not cancellable or the operation has completed. If a cancel was already
 * requested, the callback runs at once (from here) and 0 is returned. */
int fy_hook_register(fy_hook *h, fy_hook_fn fn, void *data);
/* Clears the callback (the stage it guarded is over). */
void fy_hook_clear(fy_hook *h);
/* Requests cancel: runs the callback if one is registered. Returns true
 * when a callback ran. */
bool fy_hook_fire(fy_hook *h);
/* True when a cancel was requested. */
bool fy_hook_fired(fy_hook *h);
/* The operation completed: no callback will ever run again. */
void fy_hook_complete(fy_hook *h);

#endif
