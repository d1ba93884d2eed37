/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The usbdevfs front of the virtual device: one emulated USB device node
 * (/dev/bus/usb/BBB/DDD) whose ioctls are answered through umockdev, with
 * the sysfs tree the kernel would create, a link model that paces URB
 * completion like a real bus, and the still-image interface's endpoints:
 *
 *   ep 0x00 control, ep 0x81 bulk-IN, ep 0x02 bulk-OUT, ep 0x83 interrupt-IN
 *
 * Threads: umockdev calls the ioctl handler in its worker thread; a link
 * thread per device completes URBs when the link model says they are
 * done; the function (the MTP transport, usb_mtp.c) runs its own thread
 * and moves data through the locked queue calls below. One mutex per
 * device guards all of it; the function's blocking loops wait on the
 * device condition variable with vd_usb_wait().
 */
#ifndef FERRY_VDEV_USBDEV_H
#define FERRY_VDEV_USBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/usb/ch9.h>

typedef struct vd_usb vd_usb;
typedef struct _UMockdevTestbed UMockdevTestbed;

enum vd_link {
    VD_LINK_NONE = 0, /* unpaced: URBs complete as soon as data is there */
    VD_LINK_USB2 = 1, /* high speed: 512-byte packets, 13 per 125 us microframe */
    VD_LINK_USB3 = 2, /* SuperSpeed: 1024-byte packets, 400 MB/s payload */
};

#define VD_EP_IN 0x81
#define VD_EP_OUT 0x02
#define VD_EP_INT 0x83

typedef struct vd_usb_ident {
    uint16_t vid, pid, bcd_device;
    const char *manufacturer;
    const char *product;
    const char *serial;
    const char *interface; /* interface string, "MTP" */
    uint8_t if_class, if_subclass, if_protocol;
    bool ms_os_desc;       /* answer string 0xEE and the extended compat ID */
    bool no_udev_props;    /* no ID_MTP_DEVICE/ID_MEDIA_PLAYER in the udev properties */
    enum vd_link link;
    uint8_t int_interval;  /* interrupt endpoint bInterval, 1-16; 0: 6 (9 at SuperSpeed) */
    int busnum, devnum;
} vd_usb_ident;

/* Callbacks into the function, all called with the device lock held from
 * the umockdev worker thread. They must not block. */
typedef struct vd_usb_fn_ops {
    /* A class or vendor request addressed to the interface. For IN
     * requests write at most `len` bytes into data and return the count;
     * for OUT requests data holds the `len` bytes the host sent; return 0.
     * Return -EPIPE to stall the request. */
    int (*control)(void *fn, const struct usb_ctrlrequest *setup, uint8_t *data, size_t len);
    /* An endpoint halt was cleared by the host. */
    void (*halt_cleared)(void *fn, uint8_t ep);
    /* The interface was claimed (claimed == true) or released; a client
     * that closes its file releases implicitly. */
    void (*claim_changed)(void *fn, bool claimed);
    /* USBDEVFS_RESET from the host (a port reset). */
    void (*port_reset)(void *fn);
} vd_usb_fn_ops;

typedef struct vd_usb_stats {
    uint64_t urbs_in, urbs_out, urbs_ctrl, urbs_int;
    uint64_t bytes_in, bytes_out;   /* bulk payload, device->host and host->device */
    uint64_t ioctls;
    uint64_t discards;
    uint64_t busy_ns;               /* link time spent moving bulk data */
} vd_usb_stats;

/* Creates the device in the testbed (sysfs entries and the node) and
 * attaches the ioctl handler. Returns NULL and prints why on failure. */
vd_usb *vd_usb_new(UMockdevTestbed *tb, const vd_usb_ident *id, const vd_usb_fn_ops *ops, void *fn);
void vd_usb_free(vd_usb *u);

/* Removes the device as an unplug would: pending URBs end with
 * -ESHUTDOWN, later ioctls fail with ENODEV, sysfs entries go away. */
void vd_usb_unplug(vd_usb *u);
bool vd_usb_unplugged(vd_usb *u);

void vd_usb_get_stats(vd_usb *u, vd_usb_stats *out);
void vd_usb_get_stats_locked(vd_usb *u, vd_usb_stats *out);
const char *vd_usb_devnode(const vd_usb *u);
const char *vd_usb_syspath(const vd_usb *u);

/* Locking for the function's side. */
void vd_usb_lock(vd_usb *u);
void vd_usb_unlock(vd_usb *u);
/* Waits on the device condition (lock held) until signalled or until
 * deadline_ns (CLOCK_MONOTONIC, 0 = no deadline). Returns false on
 * timeout. */
bool vd_usb_wait(vd_usb *u, uint64_t deadline_ns);
/* Wakes every waiter (lock held). */
void vd_usb_broadcast(vd_usb *u);

/* --- bulk-OUT (host -> device), lock held --- */
/* Takes up to max bytes the host sent. *end is set when these bytes end
 * a host transfer (short packet or zero-length packet). Returns the byte
 * count, 0 when nothing is there. A zero-length packet alone returns 0
 * with *end set. */
size_t vd_usb_out_take(vd_usb *u, void *buf, size_t max, bool *end);
/* Bytes received and not taken yet. */
size_t vd_usb_out_avail(vd_usb *u);
/* Drops everything received and not taken. */
void vd_usb_out_flush(vd_usb *u);

/* --- bulk-IN (device -> host), lock held --- */
/* Queues n bytes for the host; `end` closes a device transfer: a short
 * packet ends it, or a zero-length packet when its length is a multiple
 * of the packet size (unless zlp is false). Copies the bytes. Returns 0
 * or -ENOMEM. */
int vd_usb_in_put(vd_usb *u, const void *buf, size_t n, bool end, bool zlp);
/* Bytes queued and not yet taken by host URBs. */
size_t vd_usb_in_queued(vd_usb *u);
/* Drops queued IN data (a device cleaning up after a cancel). */
void vd_usb_in_flush(vd_usb *u);
/* True when the host has an IN URB waiting for data. */
bool vd_usb_in_wanted(vd_usb *u);

/* --- interrupt-IN, lock held --- */
int vd_usb_int_put(vd_usb *u, const void *buf, size_t n);
size_t vd_usb_int_queued(vd_usb *u); /* events not yet read by the host */

/* --- halts, lock held --- */
void vd_usb_halt(vd_usb *u, uint8_t ep);
bool vd_usb_halted(vd_usb *u, uint8_t ep);

uint64_t vd_now_ns(void);
uint16_t vd_usb_packet_size(const vd_usb *u);

#endif
