/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by the stream layer's files. */
#ifndef FERRY_STREAM_INTERNAL_H
#define FERRY_STREAM_INTERNAL_H

#include <ferry/stream.h>

#include "link/internal.h"

typedef struct fs_stream fs_stream;

/* Parameters and state of a put operation. */
typedef struct fs_put {
    uint32_t storage, parent;
    char *name;
    char *temp_name;     /* NULL on devices that cannot rename */
    uint64_t size;
    int64_t mtime;       /* -1: none */
    ferry_data src;
    unsigned flags;
    int spool_fd;
    fs_stream *stream;   /* the push stream feeding src, if any */
    uint32_t temp_id;
    bool created;        /* a partial object exists on the device */
    bool committed;
    atomic_bool revert_always; /* explicit revert: even a resumable part goes */
} fs_put;

extern const fl_op_kind fs_put_kind;

int fs_put_start(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size, int64_t mtime,
                 const ferry_data *src, unsigned flags, const ferry_op_cbs *cbs, ferry_op **out, fs_stream *stream);
/* Deletes part objects and settles set-aside ones in a folder; keep: a
 * part name to leave (a resumable upload's own). */
int fs_cleanup_folder(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const char *keep);

/* Link thread -> push stream: the device accepted (err 0) or refused the
 * object; the committed object. */
void fs_stream_accepted(fs_stream *s, int err);
void fs_stream_result(fs_stream *s, const ferry_object *o);
/* Link thread, all data sent: waits for the application's commit (0) or
 * for the operation's cancel (FERRY_ECANCELLED). */
int fs_stream_wait_commit(fs_stream *s, ferry_op *op);

#endif
