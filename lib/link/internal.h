/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Links, handles and operations: the layer between the public API and the
 * USB transport.
 *
 *   ferry_ctx   owns the transport context (I/O thread), the delivery of
 *               results to the application, and the table of links.
 *   fl_link     one per physical device: one USB interface claim, one MTP
 *               session, one transaction id counter, one queue of
 *               operations, and a link thread that runs them one after the
 *               other. All wire state belongs to the link thread.
 *   ferry_dev   a handle: cheap, any number per link (one per thread).
 *   ferry_op    an operation: queued on its link, run by the link thread,
 *               cancellable from any thread, results delivered in order.
 *
 * Locks, always taken in this order: link->mu, op->mu, ctx->dmu. The
 * op->hook lock (C13) is taken with none of them held by the canceller,
 * and the hook callbacks only abort USB pipes.
 */
#ifndef FERRY_LINK_INTERNAL_H
#define FERRY_LINK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <ferry/ferry.h>

#include "codec/codec.h"
#include "usb/usb.h"
#include "util/hook.h"
#include "util/log.h"

typedef struct fl_link fl_link;

/* ------------------------------------------------------------------ */
/* Delivery of results                                                  */

typedef enum fl_msg_kind {
    FL_MSG_ITEM,
    FL_MSG_PROGRESS,
    FL_MSG_DONE,
    FL_MSG_EVENT,
    FL_MSG_HOTPLUG,
} fl_msg_kind;

typedef struct fl_msg {
    struct fl_msg *next;
    fl_msg_kind kind;
    ferry_op *op;
    ferry_item item;
    ferry_dev *h;
    ferry_event ev;
    ferry_device_desc dev;
} fl_msg;

struct ferry_ctx {
    fy_logger log;
    fu_ctx *usb;
    const fu_transport *t;
    ferry_delivery delivery;
    unsigned urb_depth, urb_size, timeout_ms;

    pthread_mutex_t dmu;
    pthread_cond_t dcv;
    fl_msg *dhead, *dtail;
    bool dstop;
    bool dthread_started;
    pthread_t dthread;
    int efd;

    pthread_mutex_t lmu;
    pthread_cond_t lcv; /* a link went away */
    fl_link *links;

    ferry_hotplug_fn hp_fn;
    void *hp_user;

    /* tests only: called on the link thread as an operation's transaction
     * enters each phase (see fl_test_phase); NULL in normal use */
    void (*test_hook)(ferry_op *op, int phase, void *user);
    void *test_user;
};

/* Phases reported to ctx->test_hook, for the contract tests that cancel
 * at each phase of a transaction. */
enum fl_test_phase {
    FL_PHASE_START = 1,     /* the operation begins running on the link */
    FL_PHASE_COMMAND = 2,   /* a transaction's command is about to go out */
    FL_PHASE_DATA_START = 3,/* its first data URB completed */
    FL_PHASE_DATA_MID = 4,  /* about half of the data moved */
    FL_PHASE_DATA_END = 5,  /* the last data URB completed */
    FL_PHASE_RESPONSE = 6,  /* waiting for the response */
    FL_PHASE_DONE = 7,      /* the response came; the operation goes on or ends */
};
/* Sets the test hook (tests link libferry-core and reach it directly). */
void fl_ctx_set_test_hook(ferry_ctx *ctx, void (*fn)(ferry_op *, int, void *), void *user);
void fl_test_phase(fl_link *l, ferry_op *op, int phase);

/* Queues a message for delivery; takes ownership of m. */
void fl_deliver(ferry_ctx *ctx, fl_msg *m);
/* True on a thread that is running a ferry callback. */
bool fl_in_callback(void);

/* ------------------------------------------------------------------ */
/* Handles                                                              */

struct ferry_dev {
    ferry_ctx *ctx;
    fl_link *link;
    atomic_int refs;
    atomic_bool closed;
    struct ferry_dev *lnext; /* in link->handles, under link->mu */
    ferry_event_fn ev_fn;    /* under link->mu */
    void *ev_user;
};

void fl_dev_ref(ferry_dev *h);
void fl_dev_unref(ferry_dev *h);

/* ------------------------------------------------------------------ */
/* Operations                                                           */

typedef struct fl_op_kind {
    const char *name;
    /* Runs on the link thread; returns the final result. */
    int (*run)(fl_link *l, ferry_op *op);
    /* Frees the operation's parameters. */
    void (*cleanup)(ferry_op *op);
    /* Runs without a connected device (Device Reset needs none either). */
    bool no_connect;
} fl_op_kind;

typedef struct fl_item_node {
    struct fl_item_node *next;
    ferry_item item;
} fl_item_node;

struct ferry_op {
    const fl_op_kind *kind;
    ferry_ctx *ctx;
    ferry_dev *h;
    fl_link *link;
    ferry_op *qnext; /* in the link queue, under link->mu */
    bool queued;     /* under link->mu */
    ferry_op_cbs cbs;
    bool async;
    atomic_int refs;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    ferry_op_state state;
    int result;
    ferry_cancel_reason reason;
    bool cancel_req;
    bool finished;
    bool too_late;
    bool final_retrieved;
    bool closed;
    fl_item_node *ihead, *itail;
    uint64_t done, total;
    bool progress_queued;
    uint64_t last_progress_ns;
    uint16_t response;
    char errtext[320];

    fy_hook hook; /* C13: the running stage's cancel callback */

    /* parameters, owned; freed by kind->cleanup or generically */
    union {
        struct { uint32_t storage, folder; } list;
        struct { uint32_t id; } stat;
        struct { char *path; } resolve;
        struct { uint32_t storage, parent; char *name; } mkdir;
        struct { uint32_t id; unsigned flags; } del;
        struct { uint32_t id; char *name; } rename;
        struct { uint32_t id, storage, parent; } move;
        struct { uint32_t id; uint64_t offset, length; ferry_data sink; } read;
        void *ext; /* stream layer state */
    } p;
};

/* Makes an operation of a kind on a handle and queues it. On failure
 * nothing is queued and no callback will run. */
int fl_op_start(ferry_dev *h, const fl_op_kind *kind, const ferry_op_cbs *cbs, ferry_op **out, ferry_op **made);
/* Allocates without queueing (the caller fills parameters, then calls
 * fl_op_queue). */
int fl_op_new(ferry_dev *h, const fl_op_kind *kind, const ferry_op_cbs *cbs, ferry_op **out);
int fl_op_queue(ferry_op *op);
/* Frees an operation that was never queued. */
void fl_op_discard(ferry_op *op);
void fl_op_unref(ferry_op *op);
/* Link thread: the operation starts running (false: it was cancelled). */
bool fl_op_begin(ferry_op *op);
/* Ends the operation with its result and delivers the final callback. */
void fl_op_finish(ferry_op *op, int result);
/* A result item (copied). */
int fl_op_item(ferry_op *op, const ferry_item *item);
void fl_op_progress(ferry_op *op, uint64_t done, uint64_t total);
bool fl_op_cancelled(ferry_op *op);
void fl_op_set_error(ferry_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Links                                                                */

enum fl_link_state {
    FL_LINK_NEW,
    FL_LINK_READY,
    FL_LINK_FAILED,
    FL_LINK_CLOSING,
};

/* A cached folder listing (link thread only): the objects of one folder,
 * with an id index, kept up to date by the link's own changes and dropped
 * by the device's events about objects it did not change itself. */
typedef struct fl_dircache {
    struct fl_dircache *next;
    uint32_t storage, folder;
    ferry_object *ents;   /* owned names */
    size_t n, cap;
    uint32_t *hkey;       /* id index: 0 empty, UINT32_MAX deleted */
    uint32_t *hval;       /* index into ents */
    size_t hcap, hused;
} fl_dircache;

struct fl_link {
    ferry_ctx *ctx;
    fl_link *next;          /* in ctx->links, under ctx->lmu */
    ferry_device_desc desc; /* owned strings */
    const fu_transport *t;
    fy_logger *log;

    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ferry_op *qhead, *qtail;
    ferry_op *running;
    ferry_dev *handles;
    int nhandles;
    atomic_int state;       /* enum fl_link_state; written by the link thread, read by fl_link_get */
    int fail_err;
    bool stop;
    bool thread_gone;       /* the link thread ended; the last handle frees the link */

    /* link thread only */
    fu_dev *dev;
    fu_pipe *pin, *pout;
    uint32_t tid;
    bool session;
    fc_device_info di;
    bool have_di;
    bool has_proplist, has_partial, has_partial64, has_edit, can_rename, can_set_date;
    bool proplist_broken;   /* learnt: GetObjectPropList gave garbage */
    uint32_t quirks;
    unsigned timeout_ms;
    unsigned depth;
    size_t urb_size;
    uint16_t cur_code;      /* the running transaction's operation code (for the test hook) */
    bool wire_dirty;        /* a transaction was aborted: run the cancel sequence */
    uint32_t dirty_tid;
    /* a transaction broke off: what the device may still send of it is
     * dropped until the next transaction's answer (see stale_skip) */
    bool stale;
    uint32_t stale_tid;
    ferry_storage *storages;
    size_t nstorages;
    fl_dircache *dirs;
    /* device events for the link thread's caches (under mu) */
    struct { uint16_t code; uint32_t param; } evq[64];
    unsigned nevq;
    bool evq_overflow;
    /* objects the link changed itself lately: their events are echoes.
     * A hash set of ids with the time each stops counting (ms); events
     * can lag far behind on a busy link (one interrupt transfer per
     * poll interval), so no small ring will do. */
    struct fl_selfset {
        uint32_t *ids;   /* 0: an empty slot (no object has handle 0) */
        uint64_t *until;
        size_t cap, n;
    } self;
    /* counters for the tests and benchmarks (ferry_dev_stats) */
    atomic_ullong n_transactions, n_cancels, n_recoveries;
};

/* Finds or makes the link for a device; takes a handle reference. */
int fl_link_get(ferry_ctx *ctx, const ferry_device_desc *desc, fl_link **out);
/* A handle joins / leaves a link (under ctx). */
void fl_link_add_handle(fl_link *l, ferry_dev *h);
void fl_link_remove_handle(fl_link *l, ferry_dev *h);
/* Queues an operation (link->mu held by the caller? no: takes it). */
int fl_link_enqueue(fl_link *l, ferry_op *op);
/* Removes a queued operation; true if it was still queued. */
bool fl_link_dequeue(fl_link *l, ferry_op *op);
void fl_link_wake(fl_link *l);
/* Stops every link of a context (ferry_ctx_free). */
void fl_links_shutdown(ferry_ctx *ctx);
void fl_link_event(void *user, const uint8_t *buf, size_t len, int err);

/* ------------------------------------------------------------------ */
/* Transactions (txn.c), on the link thread                             */

enum fl_dir { FL_DATA_NONE, FL_DATA_IN, FL_DATA_OUT };

/* An internal source (the upload stream) returns this from get() when it
 * has no bytes yet: the link thread then looks at the device (gone, a
 * failed URB) before it asks again, rather than block inside the source
 * while the device may have gone. Never a public error code. */
#define FL_SRC_AGAIN (-1000)

typedef struct fl_txn {
    uint16_t code;
    uint32_t params[FC_MAX_PARAMS];
    unsigned nparams;
    enum fl_dir dir;
    /* OUT data: a buffer, or a source */
    const uint8_t *out_buf;
    const ferry_data *out_src;
    uint64_t out_len;        /* payload bytes; UINT64_MAX: unknown (ends with a short packet) */
    /* IN data: into a growable buffer (datasets), or a sink */
    fc_wr *in_mem;
    size_t in_max;
    const ferry_data *in_sink;
    uint64_t in_expect;      /* expected payload if known, else UINT64_MAX */
    bool progress;           /* report bytes as the operation's progress */
    uint64_t progress_base, progress_total;
    bool no_cancel;          /* the device cannot abort it once sent (C8) */
    unsigned timeout_ms;     /* 0: the link's */
    /* results */
    fc_msg resp;
    uint64_t moved;          /* payload bytes moved */
    bool short_data;         /* the device ended the data phase early */
} fl_txn;

/* Runs one transaction. 0 when a response came (check resp.code), else a
 * negative error (the wire is then marked dirty and cleaned before the
 * next transaction). */
int fl_transact(fl_link *l, ferry_op *op, fl_txn *t);
/* Runs a transaction and maps a non-OK response to an error. */
int fl_transact_ok(fl_link *l, ferry_op *op, fl_txn *t);
/* The host cancel sequence (CONTRACT.md "the wire"). 0 or FERRY_EWEDGED /
 * FERRY_ENODEV. */
int fl_wire_cancel(fl_link *l, uint32_t tid);
int fl_next_tid(fl_link *l);

/* Connects (claims, opens the session, reads device info and storages). */
int fl_link_connect(fl_link *l);
/* Makes the link usable: connects, finishes a pending cancel sequence,
 * recovers; 0 or the link's error. */
int fl_link_ready(fl_link *l);
/* The storage of a parent folder (FERRY_ROOT: the given storage);
 * FERRY_ENOTDIR when parent is a file. */
int fl_parent_storage(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, uint32_t *out);
/* Closes and reopens the device with spaced, quiet retries. */
int fl_link_recover(fl_link *l, int why);
void fl_link_disconnect(fl_link *l, bool close_session);

/* ------------------------------------------------------------------ */
/* Operations on the device (ops.c)                                     */

int fl_get_object(fl_link *l, ferry_op *op, uint32_t id, ferry_object *out);
int fl_list_folder(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, ferry_object **out, size_t *n);
void fl_objects_free(ferry_object *objs, size_t n);
int fl_resolve_path(fl_link *l, ferry_op *op, const char *path, ferry_object *out);
int fl_refresh_storages(fl_link *l, ferry_op *op);
void fl_dircache_drop(fl_link *l);
/* Frees the set of objects the link changed itself. */
void fl_selfset_free(fl_link *l);
void fl_dircache_forget(fl_link *l, uint32_t storage, uint32_t folder);
/* A folder's listing from the cache, listed from the device if missing.
 * Valid until the next call that lists or changes objects. */
int fl_dircache_get(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const fl_dircache **out);
/* The object from a cached listing (copy), or FERRY_ENOENT. */
int fl_cache_object(fl_link *l, uint32_t id, ferry_object *out);
/* An object as the cache knows it, else read from the device. For
 * operations that act on an object just listed (get, put into a folder);
 * ferry_stat always reads the device. */
int fl_find_object(fl_link *l, ferry_op *op, uint32_t id, ferry_object *out);
/* Applies the device events queued since the last call to the caches. */
void fl_cache_events(fl_link *l);
/* The link's own changes keep the cached listings true. */
void fl_cache_add(fl_link *l, const ferry_object *o);
void fl_cache_rename(fl_link *l, uint32_t id, const char *name);
void fl_cache_remove(fl_link *l, uint32_t id);
int fl_delete_object(fl_link *l, ferry_op *op, uint32_t id);
int fl_set_name(fl_link *l, ferry_op *op, uint32_t id, const char *name);
/* SendObjectInfo: makes an object (file or folder); *id gets its handle. */
int fl_send_object_info(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, const char *name,
                        bool folder, uint64_t size, int64_t mtime, uint32_t *id);
/* SendObject: the data of the object made by the last SendObjectInfo. */
int fl_send_object(fl_link *l, ferry_op *op, const ferry_data *src, uint64_t size);
/* Reads [offset, offset+length) of an object into a sink. */
int fl_read_object(fl_link *l, ferry_op *op, const ferry_object *o, uint64_t offset, uint64_t length,
                   const ferry_data *sink);
void fl_object_clear(ferry_object *o);
int fl_object_copy(ferry_object *dst, const ferry_object *src);
int fl_child_exists(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, const char *name, bool *exists);
/* Checks a name the device is asked to store. */
int fl_check_name(const char *name);

#endif
