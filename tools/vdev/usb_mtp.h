/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MTP over USB on the device side (PIMA 15740 USB still image class):
 * containers on the bulk pipes, events on the interrupt pipe, the class
 * requests (Cancel, Get Extended Event Data, Device Reset, Get Device
 * Status), and what a device does after a cancel, as the chosen persona
 * does it. Runs the responder in its own thread, like device firmware.
 */
#ifndef FERRY_VDEV_USB_MTP_H
#define FERRY_VDEV_USB_MTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "responder.h"
#include "usbdev.h"

typedef struct vd_persona {
    const char *name;
    const char *help;
    uint16_t vid, pid;
    const char *manufacturer, *product;
    bool stream_after_cancel;  /* keeps sending the cancelled object on bulk-IN */
    bool hang_on_drop;         /* a dropped transaction hangs the next one until reopened */
    bool reset_kills;          /* Device Reset kills the MTP service until replug */
    bool event_after_cancel;   /* sends an event after cancel, stops until it is read */
    bool poll_after_cancel;    /* ignores commands until Get Device Status is polled */
    bool stall_on_cancel;      /* cancels by stalling both bulk endpoints */
    bool refuse_short_status;  /* stalls Get Device Status with wLength < 8 */
    int busy_polls;            /* answers Busy to this many status polls after a cancel */
    bool no_proplist;          /* lacks GetObjectPropList */
    bool android_ext;          /* GetPartialObject64 and the edit extensions */
} vd_persona;

extern const vd_persona vd_personas[];
const vd_persona *vd_persona_find(const char *name);
void vd_persona_help(FILE *out);

/* --fault SPEC: KIND[@TRIGGER]. Kinds: unplug, stall, noanswer, short,
 * malformed, busy, full. Triggers: op=NAME[#N] (the Nth run of an
 * operation, default the first), byte=N (once N bulk bytes moved),
 * ms=N (N milliseconds after the first command). */
typedef struct vd_fault {
    enum vd_fault_kind kind;
    enum { VD_TRIG_OP, VD_TRIG_BYTE, VD_TRIG_MS } trigger;
    uint16_t op;
    unsigned nth, seen;
    uint64_t value;
    bool fired;
} vd_fault;

int vd_fault_parse(const char *spec, vd_fault *out, char *err, size_t errlen);
void vd_fault_help(FILE *out);

typedef struct vd_mtp vd_mtp;

vd_mtp *vd_mtp_new(UMockdevTestbed *tb, vd_store *store, const vd_persona *p, const vd_usb_ident *id,
                   const vd_fault *faults, size_t nfaults);
void vd_mtp_free(vd_mtp *m);
vd_usb *vd_mtp_usb(vd_mtp *m);
/* Writes one line per transaction, class request and behaviour of note
 * to f (NULL: none); index names the device in those lines. */
void vd_mtp_set_trace(vd_mtp *m, FILE *f, int index);
void vd_mtp_unplug(vd_mtp *m);
/* Queues an event container (e.g. StoreAdded) for the host. */
void vd_mtp_event(vd_mtp *m, uint16_t code, uint32_t param);
/* JSON object with this device's counters. */
void vd_mtp_stats_json(vd_mtp *m, FILE *out, const char *indent);

#endif
