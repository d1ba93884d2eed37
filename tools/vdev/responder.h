/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The MTP responder: the device side of MTP, independent of the transport.
 * A transaction comes in as a command container; the handler for its
 * operation moves the data phase through the context (vd_ctx) and ends
 * with a response container. The transport (usb_mtp.c for USB) implements
 * the context's data calls and decides what a cancel means on the wire.
 *
 * Cancel hooks (CONTRACT.md C13): a handler may register a cancel callback
 * on its context. A second registration replaces the first. Transactions
 * without a data phase cannot be cancelled: registration is refused with
 * FERRY_ESTATE and the handler runs to completion. A callback is never
 * called once the transaction has completed.
 */
#ifndef FERRY_VDEV_RESPONDER_H
#define FERRY_VDEV_RESPONDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "codec/codec.h"
#include "store.h"

typedef struct vd_ctx vd_ctx;
typedef struct vd_resp vd_resp;

/* The data calls a transport provides. Every call returns 0 or a
 * negative FERRY_E* code: FERRY_ECANCELLED when the host cancelled the
 * transaction, FERRY_ENODEV when the device was unplugged, FERRY_EPROTO
 * when the host broke the protocol, FERRY_EIO for a stalled pipe. */
typedef struct vd_ctx_ops {
    /* Device -> host data phase of `total` payload bytes (UINT64_MAX:
     * unknown, over 4 GiB). */
    int (*send_begin)(vd_ctx *c, uint64_t total);
    int (*send)(vd_ctx *c, const void *buf, size_t n);
    int (*send_end)(vd_ctx *c);
    /* Host -> device data phase: reads the data container header. *total
     * is the payload size, UINT64_MAX when the header says 0xFFFFFFFF.
     * FERRY_EEND when the host sent no data phase (a new command came). */
    int (*recv_begin)(vd_ctx *c, uint64_t *total);
    /* Next payload bytes; *got == 0 at the end of the data phase. */
    int (*recv)(vd_ctx *c, void *buf, size_t max, size_t *got);
    /* Discards the rest of the host's data phase. */
    int (*recv_drain)(vd_ctx *c);
} vd_ctx_ops;

typedef void (*vd_cancel_fn)(void *data);

struct vd_ctx {
    const vd_ctx_ops *ops;
    void *transport;
    vd_resp *resp;
    fc_msg cmd;
    fc_msg response;
    bool responded;
    /* C13 cancel hook, guarded by hook_mu */
    pthread_mutex_t hook_mu;
    bool cancellable;
    bool completed;
    bool cancel_fired;
    vd_cancel_fn hook;
    void *hook_data;
};

/* C13: registers (or replaces) the cancel callback of this transaction.
 * FERRY_ESTATE when the transaction cannot be cancelled or has already
 * completed; the callback is then never called. */
int vd_ctx_register_cancel(vd_ctx *c, vd_cancel_fn fn, void *data);
/* Called by the transport when the host cancels: runs the registered
 * callback at most once, never after completion. Returns true if one ran. */
bool vd_ctx_fire_cancel(vd_ctx *c);
/* Marks the transaction complete: no callback runs after this. */
void vd_ctx_complete(vd_ctx *c);

/* Device-wide behaviours the responder honours. */
typedef struct vd_resp_opts {
    bool no_proplist;       /* lacks GetObjectPropList */
    bool android_ext;       /* offers GetPartialObject64 and the edit extensions */
    const char *manufacturer, *model, *serial, *version, *friendly_name;
} vd_resp_opts;

/* A fault the transport or responder injects into one operation. */
enum vd_fault_kind {
    VD_FAULT_NONE = 0,
    VD_FAULT_UNPLUG,
    VD_FAULT_STALL,     /* device-side cancel: both bulk endpoints halt */
    VD_FAULT_NOANSWER,  /* the command gets no data and no response */
    VD_FAULT_SHORT,     /* the data phase ends early */
    VD_FAULT_MALFORMED, /* the dataset sent is corrupt */
    VD_FAULT_BUSY,      /* the response is DeviceBusy */
    VD_FAULT_FULL,      /* the storage is full from now on */
};

struct vd_resp {
    vd_store *store;
    vd_resp_opts opts;
    bool session_open;
    uint32_t session_id;
    vd_obj *send_target;   /* object of the last SendObjectInfo */
    uint32_t send_storage;
    uint8_t battery;
    char *friendly;
    /* faults */
    enum vd_fault_kind op_fault; /* set by the transport for the running op */
    bool storage_full;
};

int vd_resp_init(vd_resp *r, vd_store *store, const vd_resp_opts *opts);
void vd_resp_free(vd_resp *r);
/* Runs one transaction. The response ends up in c->response (and
 * c->responded is set) unless the data phase failed. Returns 0 or the
 * data phase error. */
int vd_resp_handle(vd_resp *r, vd_ctx *c);
/* Closes the session (Device Reset, reopen). */
void vd_resp_reset(vd_resp *r);

#endif
