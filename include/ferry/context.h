/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/context.h
 * @brief The ferry context: USB event handling, delivery of results, logging.
 *
 * A context owns its own libusb context (never libusb's default one) and
 * an I/O thread that handles its USB events, so transfers and the cancel
 * sequence make progress whatever the application is doing. Contexts are
 * independent: several in one process share nothing.
 *
 * Results (completion callbacks, listing entries, progress, device
 * events) reach the application in one of two ways, chosen when the
 * context is made:
 *
 *  - FERRY_DELIVER_THREAD: ferry calls them from a delivery thread of its
 *    own, one callback at a time, in order;
 *  - FERRY_DELIVER_DISPATCH: ferry queues them; ferry_ctx_fd() becomes
 *    readable and the application calls ferry_ctx_dispatch() from its own
 *    main loop (GLib, Qt, libuv, ...), so callbacks run on its thread.
 *    docs/EXAMPLES.md shows a GLib main loop integration.
 *
 * Synchronous calls work in both modes and from any thread, also from a
 * dispatch-mode application's main thread: they never wait for dispatch.
 */
#ifndef FERRY_CONTEXT_H
#define FERRY_CONTEXT_H

#include <ferry/common.h>
#include <ferry/log.h>

FERRY_BEGIN_DECLS

/** A ferry context. @since 0.1 */
typedef struct ferry_ctx ferry_ctx;

/** How results reach the application. @since 0.1 */
typedef enum ferry_delivery {
    FERRY_DELIVER_THREAD = 0,   /**< from ferry's delivery thread */
    FERRY_DELIVER_DISPATCH = 1, /**< from ferry_ctx_dispatch() */
} ferry_delivery;

/**
 * Options for ferry_ctx_new(). Zero-initialise and set what you need;
 * set `size` to sizeof(ferry_ctx_opts) so later versions can grow it.
 * @since 0.1
 */
typedef struct ferry_ctx_opts {
    unsigned size;             /**< sizeof(ferry_ctx_opts) */
    ferry_delivery delivery;   /**< default FERRY_DELIVER_THREAD */
    ferry_log_fn log;          /**< NULL: no logging */
    void *log_user;            /**< passed to log */
    ferry_log_level log_level; /**< most detailed level passed to log */
    unsigned urb_depth;        /**< bulk URBs in flight, 1-32; 0: the default, 4 (docs/TUNING.md) */
    unsigned urb_size;         /**< bytes per bulk URB, 4 KiB-64 MiB; 0: the default, 256 KiB */
    /** Per-transaction timeout; 0: 10000 (60000 for slow devices). A
     *  device that does not confirm a cancel within this time (30 s at
     *  most) is reopened, and failed with FERRY_EWEDGED if that fails. */
    unsigned timeout_ms;
} ferry_ctx_opts;

/**
 * Makes a context.
 *
 * @param[out] out  the new context
 * @param opts      options, or NULL for the defaults
 * @return 0, FERRY_EINVAL (bad options), FERRY_ENOMEM, FERRY_EIO (libusb
 *         could not start: no usbfs), FERRY_EINTERNAL (a thread could not
 *         be started)
 * @since 0.1
 */
FERRY_API int ferry_ctx_new(ferry_ctx **out, const ferry_ctx_opts *opts);

/**
 * Frees a context. Every operation still running is cancelled with
 * FERRY_CANCEL_SHUTDOWN and its final callback is delivered (in dispatch
 * mode from this call) before the devices are closed. Handles and
 * operations of the context must not be used afterwards.
 * @param ctx a context, or NULL
 * @since 0.1
 */
FERRY_API void ferry_ctx_free(ferry_ctx *ctx);

/**
 * A file descriptor that is readable while results wait for
 * ferry_ctx_dispatch() (FERRY_DELIVER_DISPATCH only). Poll it for reading.
 * @return the descriptor (owned by the context), or FERRY_EINVAL in
 *         FERRY_DELIVER_THREAD mode
 * @since 0.1
 */
FERRY_API int ferry_ctx_fd(ferry_ctx *ctx);

/**
 * Runs the callbacks that are waiting (FERRY_DELIVER_DISPATCH), on the
 * calling thread. Never blocks. Must not be called from a ferry callback.
 * @return the number of callbacks run, FERRY_EINVAL in thread mode,
 *         FERRY_ESTATE when called from inside a callback
 * @since 0.1
 */
FERRY_API int ferry_ctx_dispatch(ferry_ctx *ctx);

/**
 * Replaces the log callback.
 * @return 0 or FERRY_EINVAL
 * @since 0.1
 */
FERRY_API int ferry_ctx_set_log(ferry_ctx *ctx, ferry_log_level level, ferry_log_fn fn, void *user);

FERRY_END_DECLS

#endif
