/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/op.h
 * @brief Operations: every device request, asynchronous, cancellable.
 *
 * Every request to a device (list, stat, read, put, delete, mkdir, move,
 * rename, ...) is an operation (CONTRACT.md C1). The call that starts it
 * returns at once with a ferry_op; the work is queued on the device and
 * runs in order with the other operations of all handles of that device.
 *
 * Asynchronous operations are started with callbacks: item callbacks for
 * results as they come, progress callbacks, and one final callback with
 * the result, delivered exactly once and after every other callback of
 * the operation (C5). A call that fails to start an operation returns an
 * error and never calls a callback.
 *
 * Synchronous operations are started with NULL callbacks: results wait
 * in the operation until ferry_op_next() or ferry_op_wait() fetches them.
 * The blocking calls are built on the asynchronous machinery.
 *
 * Cancel (C2-C5, C8, C9): ferry_op_cancel() may be called from any thread
 * and returns at once. The operation then ends as soon as it can: queued
 * ones without touching the device, running transfers by discarding the
 * pending USB transfers and telling the device (Cancel Request). A step
 * the device cannot abort (a DeleteObject already sent) runs to its end;
 * the operation then reports its real outcome and ferry_op_cancel_too_late()
 * says the cancel came too late. Until the device confirmed the cancel,
 * the next operation on that device waits; a device that never confirms
 * fails the device with FERRY_EWEDGED within a bounded time, never a hang.
 *
 * Close (C6): every operation must be closed, also cancelled and finished
 * ones. Closing an asynchronous operation never blocks: its memory goes
 * after its final callback has run. Closing a synchronous operation whose
 * results were not all fetched fails with FERRY_EBUSY and changes nothing.
 */
#ifndef FERRY_OP_H
#define FERRY_OP_H

#include <ferry/common.h>
#include <ferry/object.h>

FERRY_BEGIN_DECLS

/** An operation. @since 0.1 */
typedef struct ferry_op ferry_op;

/** Where an operation is (C7). @since 0.1 */
typedef enum ferry_op_state {
    FERRY_OP_PENDING = 0,    /**< queued, not started */
    FERRY_OP_RUNNING = 1,    /**< talking to the device */
    FERRY_OP_CANCELLING = 2, /**< cancel requested, not finished yet */
    FERRY_OP_SUCCEEDED = 3,  /**< finished with 0 */
    FERRY_OP_FAILED = 4,     /**< finished with an error */
    FERRY_OP_CANCELLED = 5,  /**< finished because of a cancel */
} ferry_op_state;

/** Why an operation was cancelled (C4). @since 0.1 */
typedef enum ferry_cancel_reason {
    FERRY_CANCEL_NONE = 0,
    FERRY_CANCEL_USER = 1,        /**< the user asked */
    FERRY_CANCEL_TIMEOUT = 2,     /**< a deadline passed */
    FERRY_CANCEL_SHUTDOWN = 3,    /**< the handle or context is closing */
    FERRY_CANCEL_DEVICE_GONE = 4, /**< the device went away */
} ferry_cancel_reason;

/**
 * Callbacks of an asynchronous operation. Unused ones may be NULL; `done`
 * is required. They run as ferry_ctx delivers (see ferry/context.h) and
 * may call any ferry function except the blocking ones (ferry_op_wait,
 * ferry_op_next, the *_sync calls) and ferry_ctx_free.
 * @since 0.1
 */
typedef struct ferry_op_cbs {
    /** A result: a listing entry, the object of a stat, a storage, ...
     *  The item is valid during the call only. */
    void (*item)(ferry_op *op, const ferry_item *item, void *user);
    /** Bytes moved so far and in all (total 0 when unknown). */
    void (*progress)(ferry_op *op, uint64_t done, uint64_t total, void *user);
    /** The final result: 0 or a negative FERRY_E* code. Exactly once.
     *  Never FERRY_ETIMEDOUT: a device that stops answering ends the
     *  operation with FERRY_EWEDGED (and a transfer that stalls, with
     *  FERRY_EIO); ETIMEDOUT is only ever a waiting call's own timeout. */
    void (*done)(ferry_op *op, int result, void *user);
    void *user; /**< passed to every callback */
} ferry_op_cbs;

/**
 * Asks an operation to stop (C2, C3). Thread-safe; never blocks on the
 * device.
 *
 * @param op      an operation not yet closed
 * @param reason  why; reported with the final result (C4)
 * @return exactly one of: 0 (cancellation started), FERRY_EALREADY_CANCELLED
 *         (a cancel was requested before), FERRY_EALREADY_FINISHED (the
 *         operation had succeeded), the operation's own error (it had
 *         already failed), FERRY_EINVAL (op is NULL or reason is NONE or
 *         unknown)
 * @since 0.1
 */
FERRY_API int ferry_op_cancel(ferry_op *op, ferry_cancel_reason reason);

/**
 * Where the operation is now (C7). Thread-safe.
 * @return the state; FERRY_OP_FAILED for NULL
 * @since 0.1
 */
FERRY_API ferry_op_state ferry_op_get_state(const ferry_op *op);

/**
 * Waits for the final result of an operation (synchronous use). For a
 * synchronous operation this retrieves the final result; items not yet
 * fetched with ferry_op_next() are dropped.
 *
 * @param timeout_ms  -1 waits as long as needed; the operation itself is
 *                    bounded by the device timeouts
 * @return the final result (0 or negative), FERRY_ETIMEDOUT when the
 *         wait timed out (the operation goes on), FERRY_EINVAL for NULL,
 *         FERRY_ESTATE when called from a ferry callback
 * @since 0.1
 */
FERRY_API int ferry_op_wait(ferry_op *op, int timeout_ms);

/**
 * Fetches the next result of a synchronous operation, waiting for it.
 *
 * @param[out] item   the result; free its strings with ferry_item_clear()
 * @param timeout_ms  -1 waits as long as needed
 * @return 0 with an item; FERRY_EEND when the operation finished with
 *         success and every item was fetched (the final result is then
 *         retrieved); the operation's error when it failed or was
 *         cancelled (also retrieved); FERRY_ETIMEDOUT; FERRY_EINVAL for
 *         NULL arguments or an asynchronous operation
 * @since 0.1
 */
FERRY_API int ferry_op_next(ferry_op *op, ferry_item *item, int timeout_ms);

/**
 * The final result, once the operation has finished.
 * @return 0 or a negative code; FERRY_ESTATE while it has not finished
 * @since 0.1
 */
FERRY_API int ferry_op_result(const ferry_op *op);

/**
 * Why the operation was cancelled. Thread-safe.
 * @return the reason given to the first accepted ferry_op_cancel() (or
 *         the one ferry chose: TIMEOUT, SHUTDOWN, DEVICE_GONE);
 *         FERRY_CANCEL_NONE when it was not cancelled or op is NULL
 * @since 0.1
 */
FERRY_API ferry_cancel_reason ferry_op_cancel_reason(const ferry_op *op);

/**
 * Whether a cancel came too late: the operation was in a step the device
 * cannot abort and ran to its end (C8). Its result is the real outcome.
 * @return 1 or 0
 * @since 0.1
 */
FERRY_API int ferry_op_cancel_too_late(const ferry_op *op);

/**
 * The response code the device gave to the operation's last transaction
 * (0x2001 OK, 0x200C StoreFull, ...). Device codes are kept apart from
 * ferry's own errors; see ferry_err_from_response(). Thread-safe.
 * @return the code; 0 when no transaction has finished yet (or the
 *         operation never reached the device) or op is NULL
 * @since 0.1
 */
FERRY_API uint16_t ferry_op_response(const ferry_op *op);

/**
 * Bytes moved so far and in all (0 when unknown).
 * @return 0 or FERRY_EINVAL
 * @since 0.1
 */
FERRY_API int ferry_op_progress(const ferry_op *op, uint64_t *done, uint64_t *total);

/**
 * Closes an operation (C6). Asynchronous: never blocks; the memory goes
 * after the final callback has run (now, if it already has). Synchronous:
 * fails with FERRY_EBUSY and changes nothing until the final result was
 * retrieved (ferry_op_wait(), or ferry_op_next() returning the end).
 * @return 0, FERRY_EBUSY, FERRY_EINVAL (NULL or already closed)
 * @since 0.1
 */
FERRY_API int ferry_op_close(ferry_op *op);

/**
 * The text of the operation's error with its context ("DCIM/a.jpg:
 * storage is full"), for messages. Valid until the operation is closed.
 * @return a string; "" when the operation has no error
 * @since 0.1
 */
FERRY_API const char *ferry_op_error_text(const ferry_op *op);

FERRY_END_DECLS

#endif
