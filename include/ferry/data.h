/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/data.h
 * @brief Data handlers: where the bytes of a transfer come from or go.
 *
 * A data handler is a {get, put, priv} triple (after libgphoto2's
 * PTPDataHandler). Bulk transfers move straight between the USB buffers
 * and the handler: `put` is called with bytes as they arrive, `get` fills
 * the buffer that is sent next, with no copy in between.
 */
#ifndef FERRY_DATA_H
#define FERRY_DATA_H

#include <sys/types.h>

#include <ferry/common.h>

FERRY_BEGIN_DECLS

/**
 * A source or sink of bytes. Called from the device's link thread.
 * @since 0.1
 */
typedef struct ferry_data {
    /** Source: fill up to len bytes; return the count, 0 at the end, or a
     *  negative FERRY_E* code to abort the transfer. */
    ssize_t (*get)(void *priv, void *buf, size_t len);
    /** Sink: take len bytes; return 0 or a negative FERRY_E* code to abort. */
    int (*put)(void *priv, const void *buf, size_t len);
    void *priv; /**< passed to get and put */
} ferry_data;

/** State of the ready-made handlers; treat as opaque. @since 0.1 */
typedef struct ferry_data_state {
    int fd;             /**< the file descriptor; -1 for a buffer */
    unsigned char *buf; /**< the buffer; NULL for a file descriptor */
    size_t len;         /**< size of the buffer */
    size_t pos;         /**< bytes read or written so far */
    int err;            /**< errno of a failed read or write, 0 if none */
} ferry_data_state;

/**
 * A handler reading from (get) or writing to (put) a file descriptor at
 * its current position. Short writes are retried; EINTR is handled. A
 * write error ends the transfer with FERRY_ENOSPC or FERRY_ELOCAL_IO.
 * The descriptor stays open and belongs to the caller.
 * @param st  state to fill; must outlive the transfer
 * @param fd  an open descriptor, readable or writable as the transfer needs
 * @return the handler (a value; nothing to free)
 * @since 0.1
 */
FERRY_API ferry_data ferry_data_fd(ferry_data_state *st, int fd);

/**
 * A handler over a memory buffer: get reads it, put fills it and fails
 * with FERRY_EOVERFLOW beyond len bytes. st->pos tells how much was used.
 * @param st   state to fill; must outlive the transfer
 * @param buf  the memory; not copied, must outlive the transfer
 * @param len  its size in bytes
 * @return the handler (a value; nothing to free)
 * @since 0.1
 */
FERRY_API ferry_data ferry_data_buffer(ferry_data_state *st, void *buf, size_t len);

FERRY_END_DECLS

#endif
