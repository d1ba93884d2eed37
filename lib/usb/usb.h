/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport: everything ferry does with libusb-1.0.
 *
 *  - fu_ctx: a private libusb context and the I/O thread that handles its
 *    events (never libusb's default context; no process-global state).
 *  - fu_dev: an opened MTP/PTP device with its interface claimed and its
 *    bulk-IN, bulk-OUT and interrupt-IN endpoints found.
 *  - fu_pipe: a ring of asynchronous transfers on one endpoint, submitted
 *    and completed in order, so several URBs are in flight. The buffers
 *    are handed to the caller in place (no copy). A pipe can be aborted
 *    from any thread: that is how a cancel discards pending URBs.
 *  - control requests and halts.
 *
 * The calling thread (a device's link thread) blocks in fu_pipe_wait();
 * completions come from the I/O thread. All waits take a timeout.
 *
 * fu_transport (below) is the table of these calls the link layer uses,
 * so unit tests can run the link layer over a fake (tests/unit).
 */
#ifndef FERRY_USB_USB_H
#define FERRY_USB_USB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ferry/device.h>

#include "util/log.h"

typedef struct fu_ctx fu_ctx;
typedef struct fu_dev fu_dev;
typedef struct fu_pipe fu_pipe;

/* Hot-plug notification (from the I/O thread). */
typedef void (*fu_hotplug_fn)(void *user, uint8_t bus, uint8_t addr, bool arrived);

int fu_ctx_new(fu_ctx **out, fy_logger *log);
void fu_ctx_free(fu_ctx *c);
/* Registers for device arrival/departure where libusb supports it. */
int fu_ctx_hotplug(fu_ctx *c, fu_hotplug_fn fn, void *user);

/* Lists MTP/PTP devices (see ferry_devices()). */
int fu_enumerate(fu_ctx *c, ferry_device_desc **list, size_t *n);
/* libmtp device flags for a model; *known tells whether it is listed. */
uint32_t fu_quirks(uint16_t vid, uint16_t pid, bool *known);

/* libmtp device flag values (device-flags.h; public through
 * LIBMTP_device_entry_t.device_flags). */
#define FU_QUIRK_BROKEN_PROPLIST_ALL 0x00000001u
#define FU_QUIRK_BROKEN_PROPLIST 0x00000004u
#define FU_QUIRK_NO_ZERO_READS 0x00000008u
#define FU_QUIRK_IGNORE_HEADER_ERRORS 0x00000080u
#define FU_QUIRK_BROKEN_SET_PROPLIST 0x00000100u
#define FU_QUIRK_BROKEN_SEND_PROPLIST 0x00008000u
#define FU_QUIRK_LONG_TIMEOUT 0x08000000u
#define FU_QUIRK_FORCE_RESET_ON_CLOSE 0x10000000u

/* Opens the device at bus/address and claims its MTP interface.
 * FERRY_ENODEV (not there / no MTP interface), FERRY_EDEVICE_BUSY (another
 * program claimed it), FERRY_EACCESS, FERRY_EIO, FERRY_ENOMEM. */
int fu_open(fu_ctx *c, uint8_t bus, uint8_t addr, fu_dev **out);
/* Releases the interface and closes. Pipes must be freed first. */
void fu_close(fu_dev *d);
bool fu_gone(fu_dev *d);
uint16_t fu_mps(fu_dev *d);            /* bulk max packet size */
uint8_t fu_ep_in(fu_dev *d);
uint8_t fu_ep_out(fu_dev *d);
uint8_t fu_iface(fu_dev *d);

/* Control transfer. Returns the byte count or a negative FERRY_E* code
 * (FERRY_EIO for a stall, FERRY_ETIMEDOUT, FERRY_ENODEV). */
int fu_control(fu_dev *d, uint8_t rtype, uint8_t req, uint16_t value, uint16_t index, void *data, uint16_t len,
               unsigned timeout_ms);
int fu_clear_halt(fu_dev *d, uint8_t ep);
/* Port reset (USBDEVFS_RESET). */
int fu_port_reset(fu_dev *d);

enum fu_ep { FU_EP_IN, FU_EP_OUT, FU_EP_INT };

typedef struct fu_urb {
    uint8_t *buf;
    size_t cap;
    size_t len;     /* submitted length */
    size_t actual;  /* bytes moved */
    int result;     /* 0, or FERRY_ECANCELLED, FERRY_EIO (stall: see stalled), FERRY_ENODEV, FERRY_ETIMEDOUT, FERRY_EOVERFLOW */
    bool stalled;
    /* private */
    void *xfer;
    fu_pipe *pipe;
    int state;
} fu_urb;

/* A pipe of `depth` URBs of `size` bytes on an endpoint. */
int fu_pipe_new(fu_dev *d, enum fu_ep ep, unsigned depth, size_t size, fu_pipe **out);
void fu_pipe_free(fu_pipe *p);
/* The next idle URB to fill and submit, NULL when all are in flight. */
fu_urb *fu_pipe_idle(fu_pipe *p);
/* Submits an idle URB for `len` bytes (OUT: the first len bytes of its
 * buffer). zlp: follow an OUT transfer that ends on a packet boundary
 * with a zero-length packet. FERRY_ECANCELLED after fu_pipe_abort(). */
int fu_pipe_submit(fu_pipe *p, fu_urb *u, size_t len, bool zlp);
/* Number of URBs in flight. */
unsigned fu_pipe_inflight(fu_pipe *p);
/* Waits for the oldest URB in flight to complete, up to timeout_ms
 * (0: do not wait). Returns 0 with *out (its result tells how it ended;
 * it becomes idle again with the next fu_pipe_idle/submit), FERRY_ETIMEDOUT
 * (still in flight), FERRY_EEND (nothing in flight). */
int fu_pipe_wait(fu_pipe *p, unsigned timeout_ms, fu_urb **out);
/* Gives an URB back after processing it. */
void fu_pipe_release(fu_pipe *p, fu_urb *u);
/* Discards every URB in flight; later submits fail with FERRY_ECANCELLED
 * until fu_pipe_reset(). Thread-safe, never blocks. */
void fu_pipe_abort(fu_pipe *p);
/* Waits until every URB is back (after abort), at most timeout_ms; then
 * re-arms the pipe. Returns 0 or FERRY_ETIMEDOUT. */
int fu_pipe_reset(fu_pipe *p, unsigned timeout_ms);
bool fu_pipe_aborted(fu_pipe *p);

/* A standing interrupt-IN read for events: fn runs on the I/O thread
 * with each packet; a packet of length 0 with err set means the pipe
 * ended (device gone). */
typedef void (*fu_int_fn)(void *user, const uint8_t *buf, size_t len, int err);
int fu_events_start(fu_dev *d, fu_int_fn fn, void *user);
void fu_events_stop(fu_dev *d);

/* The transport as a table of functions (STYLE.md 7): the link layer
 * calls through it, and unit tests put a fake in its place. */
typedef struct fu_transport {
    int (*open)(fu_ctx *c, uint8_t bus, uint8_t addr, fu_dev **out);
    void (*close)(fu_dev *d);
    bool (*gone)(fu_dev *d);
    uint16_t (*mps)(fu_dev *d);
    uint8_t (*iface)(fu_dev *d);
    uint8_t (*ep_in)(fu_dev *d);
    int (*control)(fu_dev *d, uint8_t rtype, uint8_t req, uint16_t value, uint16_t index, void *data, uint16_t len,
                   unsigned timeout_ms);
    int (*clear_halt)(fu_dev *d, uint8_t ep);
    int (*port_reset)(fu_dev *d);
    int (*pipe_new)(fu_dev *d, enum fu_ep ep, unsigned depth, size_t size, fu_pipe **out);
    void (*pipe_free)(fu_pipe *p);
    fu_urb *(*pipe_idle)(fu_pipe *p);
    int (*pipe_submit)(fu_pipe *p, fu_urb *u, size_t len, bool zlp);
    unsigned (*pipe_inflight)(fu_pipe *p);
    int (*pipe_wait)(fu_pipe *p, unsigned timeout_ms, fu_urb **out);
    void (*pipe_release)(fu_pipe *p, fu_urb *u);
    void (*pipe_abort)(fu_pipe *p);
    int (*pipe_reset)(fu_pipe *p, unsigned timeout_ms);
    bool (*pipe_aborted)(fu_pipe *p);
    int (*events_start)(fu_dev *d, fu_int_fn fn, void *user);
    void (*events_stop)(fu_dev *d);
} fu_transport;

extern const fu_transport fu_libusb;

#endif
