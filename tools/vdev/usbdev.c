/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * usbdevfs emulation for the virtual MTP device (see usbdev.h).
 *
 * How a client sees the device: umockdev's preload redirects /sys and /dev
 * into the testbed, and forwards ioctls on our device node to the handler
 * below over a socket. The node itself is replaced by a FIFO so that a
 * client's poll() behaves like on a real usbfs file: POLLOUT only when an
 * URB can be reaped. We keep the FIFO full (one byte in a one-page pipe)
 * while nothing is reapable and empty it when something is (LAB.md,
 * pitfall 1); otherwise libusb would spin on REAPURBNDELAY.
 *
 * Client memory (URB structs and buffers) can only be touched while that
 * client sits in an ioctl on the same connection (pitfall 3), so OUT data
 * is copied in at SUBMITURB and IN data is copied out at REAPURB.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <inttypes.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <umockdev.h>

#include "list.h"
#include "usbdev.h"

#define NS_PER_US 1000ull
#define UFRAME_NS 125000ull

/* Link model constants (LAB.md): USB 2.0 high speed moves at most 13
 * bulk packets of 512 bytes per 125 us microframe (53.248 MB/s of
 * payload); we model SuperSpeed as 1024-byte packets at 400 MB/s. A
 * transfer that starts on an idle link waits for the next microframe
 * and pays one microframe of turnaround; queued transfers follow back
 * to back. */
#define USB2_PKT_NS (UFRAME_NS / 13)
#define USB3_PKT_NS 2560ull /* 1024 B / 400 MB/s */
#define CTRL_TURNAROUND_NS (2 * UFRAME_NS)
#define RX_LIMIT (4u << 20) /* bytes the device buffers from bulk-OUT */
#define CLAIM_WAIT_NS 300000000ull /* a claim waits this long for a dead holder */
#define DEAD_CHECK_NS 50000000ull  /* how often the link thread looks for dead clients */

/* One URB submitted by a client. */
typedef struct vd_urb {
    vd_list link;               /* in an endpoint queue, the timed list or a done list */
    struct vd_client *client;
    UMockdevIoctlData *urb_data; /* the client's struct usbdevfs_urb, resolved at submit */
    unsigned long client_addr;   /* address of that struct in the client */
    uint8_t type;
    uint8_t ep;
    unsigned flags;
    size_t length;               /* buffer_length */
    uint8_t *buf;                /* our copy: OUT data, or IN data collected */
    size_t actual;
    int status;
    uint64_t due_ns;             /* when it completes on the link */
    bool complete;               /* completion condition met (IN: full/short/zlp) */
    bool sync;                   /* a USBDEVFS_BULK/CONTROL ioctl waiting on this */
    UMockdevIoctlData *sync_data; /* for sync: the resolved user buffer */
    bool out_delivered;
    bool zlp_pending;            /* OUT: a zero-length packet follows the data */
} vd_urb;

typedef struct vd_client {
    vd_list link;
    vd_usb *u;
    UMockdevIoctlClient *client;
    vd_list done;     /* URBs ready to be reaped */
    int sock_fd;           /* our end of the client's umockdev connection, -1 unknown */
    ino_t sock_ino;
    bool claimed;
    bool gone;
    /* a CLAIMINTERFACE waiting for the current holder to go */
    bool claim_waiting;
    uint64_t claim_deadline;
    /* a blocking REAPURB waiting for an URB */
    bool reap_waiting;
    UMockdevIoctlData *reap_arg;
} vd_client;

/* A chunk of IN data queued by the device. */
typedef struct in_seg {
    vd_list link;
    size_t len, off;
    bool end, zlp;
    uint8_t data[];
} in_seg;

/* A chunk of OUT data received by the device. */
typedef struct out_seg {
    vd_list link;
    size_t len, off;
    bool end;
    uint8_t data[];
} out_seg;

typedef struct int_msg {
    vd_list link;
    size_t len;
    uint8_t data[64];
} int_msg;

struct vd_usb {
    UMockdevTestbed *tb;
    UMockdevIoctlBase *handler;
    vd_usb_ident id;
    const vd_usb_fn_ops *ops;
    void *fn;
    char devnode[64];
    char nodepath[512];
    char *syspath;
    char *ifpath;
    int fifo_fd;
    bool fifo_full;

    uint8_t devdesc[18];
    uint8_t cfgdesc[64];
    size_t cfglen;
    uint16_t mps;       /* bulk max packet size */
    uint64_t pkt_ns;    /* link time per bulk packet, 0 unpaced */

    pthread_mutex_t mu;
    pthread_cond_t cv;      /* function side waits */
    pthread_cond_t link_cv; /* link thread waits */
    pthread_t link_thread;
    bool stop;
    bool unplugged;

    vd_list clients;
    vd_list q_in, q_out, q_int; /* pending URBs per endpoint */
    vd_list timed;              /* URBs with a due time, not yet done */
    vd_list in_segs;            /* device -> host data */
    size_t in_bytes;
    size_t in_xfer_pos;         /* bytes of the current device transfer already sent */
    vd_list out_segs;           /* host -> device data */
    size_t out_bytes;
    size_t out_inflight;        /* OUT bytes scheduled on the link, not delivered */
    vd_list int_msgs;
    size_t int_count;
    uint64_t link_free_ns;
    bool halt_in, halt_out, halt_int;
    uint8_t config;
    int claims;

    vd_usb_stats st;
};

/* ------------------------------------------------------------------ */

uint64_t vd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint16_t vd_usb_packet_size(const vd_usb *u)
{
    return u->mps;
}

const char *vd_usb_devnode(const vd_usb *u)
{
    return u->devnode;
}

const char *vd_usb_syspath(const vd_usb *u)
{
    return u->syspath;
}

void vd_usb_lock(vd_usb *u)
{
    pthread_mutex_lock(&u->mu);
}

void vd_usb_unlock(vd_usb *u)
{
    pthread_mutex_unlock(&u->mu);
}

void vd_usb_broadcast(vd_usb *u)
{
    pthread_cond_broadcast(&u->cv);
}

bool vd_usb_wait(vd_usb *u, uint64_t deadline_ns)
{
    if (!deadline_ns) {
        pthread_cond_wait(&u->cv, &u->mu);
        return true;
    }
    struct timespec ts = {(time_t)(deadline_ns / 1000000000ull), (long)(deadline_ns % 1000000000ull)};
    return pthread_cond_timedwait(&u->cv, &u->mu, &ts) != ETIMEDOUT;
}

static void reap_dead_clients(vd_usb *u, const vd_client *keep);
static void try_pending_claims(vd_usb *u, uint64_t now);
static bool claims_waiting(vd_usb *u);

static void complete(UMockdevIoctlClient *client, long ret, int err)
{
    umockdev_ioctl_client_complete(client, ret, err);
}

static void kick_link(vd_usb *u)
{
    pthread_cond_signal(&u->link_cv);
}

/* ------------------------------------------------------------------ */
/* FIFO: POLLOUT on the client's fd means "something can be reaped"      */

static bool any_done(vd_usb *u)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (!vd_list_empty(&c->done))
            return true;
    }
    return false;
}

static void fifo_update(vd_usb *u)
{
    bool want_full = !any_done(u) && !u->unplugged;
    if (u->fifo_fd < 0 || want_full == u->fifo_full)
        return;
    char b = 0;
    if (want_full) {
        if (write(u->fifo_fd, &b, 1) == 1)
            u->fifo_full = true;
    } else {
        if (read(u->fifo_fd, &b, 1) == 1)
            u->fifo_full = false;
    }
}

/* ------------------------------------------------------------------ */
/* URB bookkeeping                                                       */

static void urb_free(vd_urb *r)
{
    if (r->urb_data)
        g_object_unref(r->urb_data);
    if (r->sync_data)
        g_object_unref(r->sync_data);
    free(r->buf);
    free(r);
}

static void finish_sync(vd_usb *u, vd_urb *r);
static void reap_now(vd_usb *u, vd_client *c);

/* Moves an URB to its client's done list (lock held). */
static void urb_done(vd_usb *u, vd_urb *r)
{
    vd_list_del(&r->link);
    if (r->sync) {
        finish_sync(u, r);
        return;
    }
    vd_client *c = r->client;
    if (c->gone) {
        urb_free(r);
        return;
    }
    vd_list_add_tail(&c->done, &r->link);
    fifo_update(u);
    if (c->reap_waiting)
        reap_now(u, c); /* a blocking REAPURB gets this URB now */
}

/* Link time for `bytes` of bulk payload (lock held); returns the
 * completion time. */
static uint64_t link_schedule(vd_usb *u, size_t bytes, uint64_t now)
{
    if (!u->pkt_ns)
        return now;
    uint64_t pkts = bytes ? (bytes + u->mps - 1) / u->mps : 1;
    uint64_t start;
    if (u->link_free_ns <= now) {
        /* idle link: wait for the next microframe, plus turnaround */
        start = (now / UFRAME_NS + 1) * UFRAME_NS;
    } else {
        start = u->link_free_ns;
    }
    uint64_t dur = pkts * u->pkt_ns;
    u->link_free_ns = start + dur;
    u->st.busy_ns += dur;
    return u->link_free_ns;
}

static void timed_insert(vd_usb *u, vd_urb *r)
{
    vd_list_del(&r->link);
    vd_list *pos = u->timed.prev;
    while (pos != &u->timed) {
        vd_urb *o = vd_container_of(pos, vd_urb, link);
        if (o->due_ns <= r->due_ns)
            break;
        pos = pos->prev;
    }
    /* insert after pos */
    r->link.prev = pos;
    r->link.next = pos->next;
    pos->next->prev = &r->link;
    pos->next = &r->link;
    kick_link(u);
}

/* Fills the head IN URB from queued device data (lock held). */
static void pump_in(vd_usb *u, uint64_t now)
{
    while (!vd_list_empty(&u->q_in)) {
        vd_urb *r = vd_list_first(&u->q_in, vd_urb, link);
        if (u->halt_in) {
            r->status = -EPIPE;
            r->due_ns = now;
            timed_insert(u, r);
            continue;
        }
        bool done = false;
        size_t took = 0;
        while (!done && !vd_list_empty(&u->in_segs)) {
            in_seg *s = vd_list_first(&u->in_segs, in_seg, link);
            size_t avail = s->len - s->off;
            size_t space = r->length - r->actual;
            if (avail <= space) {
                memcpy(r->buf + r->actual, s->data + s->off, avail);
                r->actual += avail;
                took += avail;
                u->in_xfer_pos += avail;
                u->in_bytes -= avail;
                bool end = s->end, zlp = s->zlp;
                vd_list_del(&s->link);
                free(s);
                if (end) {
                    size_t pos = u->in_xfer_pos;
                    u->in_xfer_pos = 0;
                    if (pos % u->mps != 0 || pos == 0 || zlp)
                        done = true; /* short packet or zero-length packet */
                }
                if (r->actual == r->length)
                    done = true;
            } else {
                size_t n = space;
                if (r->length % u->mps != 0) {
                    /* a buffer that is not a whole number of packets: the
                     * packet that straddles its end does not fit and the
                     * host controller reports babble. A buffer of whole
                     * packets just fills up; the transfer goes on in the
                     * next URB. */
                    r->status = -EOVERFLOW;
                }
                memcpy(r->buf + r->actual, s->data + s->off, n);
                s->off += n;
                r->actual += n;
                took += n;
                u->in_xfer_pos += n;
                u->in_bytes -= n;
                done = true;
            }
        }
        if (took) {
            u->st.bytes_in += took;
            r->due_ns = link_schedule(u, took, now);
        }
        if (!done)
            return; /* waits for more data */
        if ((r->flags & USBDEVFS_URB_SHORT_NOT_OK) && r->actual < r->length && !r->status)
            r->status = -EREMOTEIO;
        if (!took)
            r->due_ns = link_schedule(u, 0, now); /* a zero-length packet */
        r->complete = true;
        timed_insert(u, r);
        vd_usb_broadcast(u); /* the device may wait for the host to read */
    }
}

/* Schedules OUT URBs while the device has room (lock held). */
static void pump_out(vd_usb *u, uint64_t now)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->q_out)
    {
        vd_urb *r = vd_container_of(pos, vd_urb, link);
        if (u->halt_out) {
            r->status = -EPIPE;
            r->due_ns = now;
            timed_insert(u, r);
            continue;
        }
        if (u->out_bytes + u->out_inflight >= RX_LIMIT)
            return; /* the device NAKs until it has read what it has */
        r->due_ns = link_schedule(u, r->length, now);
        if (r->length && r->length % u->mps == 0 && (r->flags & USBDEVFS_URB_ZERO_PACKET))
            r->due_ns = link_schedule(u, 0, now);
        u->out_inflight += r->length;
        r->complete = true;
        timed_insert(u, r);
    }
}

/* The interrupt endpoint's bInterval: 2^(b-1) microframes of 125 us. */
static uint8_t int_interval(const vd_usb *u)
{
    if (u->id.int_interval >= 1 && u->id.int_interval <= 16)
        return u->id.int_interval;
    return u->id.link == VD_LINK_USB3 ? 9 : 6;
}

static void pump_int(vd_usb *u, uint64_t now)
{
    while (!vd_list_empty(&u->q_int) && (u->halt_int || !vd_list_empty(&u->int_msgs))) {
        vd_urb *r = vd_list_first(&u->q_int, vd_urb, link);
        if (u->halt_int) {
            r->status = -EPIPE;
        } else {
            int_msg *m = vd_list_first(&u->int_msgs, int_msg, link);
            size_t n = m->len < r->length ? m->len : r->length;
            memcpy(r->buf, m->data, n);
            r->actual = n;
            if (m->len > r->length)
                r->status = -EOVERFLOW;
            vd_list_del(&m->link);
            free(m);
            u->int_count--;
        }
        /* interrupt endpoints are polled once per interval (bInterval 6:
         * every 4 ms at high speed); model half an interval on average */
        r->due_ns = u->pkt_ns ? now + (125000ull << (int_interval(u) - 1)) / 2 : now;
        r->complete = true;
        timed_insert(u, r);
    }
}

static void pump(vd_usb *u)
{
    uint64_t now = vd_now_ns();
    pump_in(u, now);
    pump_out(u, now);
    pump_int(u, now);
}

/* Delivers an OUT URB's data to the device (lock held). */
static void deliver_out(vd_usb *u, vd_urb *r)
{
    if (r->status || r->out_delivered)
        return;
    r->out_delivered = true;
    u->out_inflight -= r->length;
    bool end = (r->length % u->mps) != 0 ||
               (r->length && (r->flags & USBDEVFS_URB_ZERO_PACKET)) || r->length == 0;
    out_seg *s = malloc(sizeof(*s) + r->length);
    if (!s) {
        r->status = -ENOMEM;
        return;
    }
    s->len = r->length;
    s->off = 0;
    s->end = end;
    memcpy(s->data, r->buf, r->length);
    vd_list_add_tail(&u->out_segs, &s->link);
    u->out_bytes += r->length;
    u->st.bytes_out += r->length;
    r->actual = r->length;
    vd_usb_broadcast(u);
}

static void *link_main(void *arg)
{
    vd_usb *u = arg;
    uint64_t next_check = 0;
    pthread_mutex_lock(&u->mu);
    while (!u->stop) {
        uint64_t now = vd_now_ns();
        bool progressed = false;
        while (!vd_list_empty(&u->timed)) {
            vd_urb *r = vd_list_first(&u->timed, vd_urb, link);
            if (r->due_ns > now)
                break;
            if (r->type == USBDEVFS_URB_TYPE_BULK && !(r->ep & 0x80))
                deliver_out(u, r);
            urb_done(u, r);
            progressed = true;
        }
        if (progressed) {
            pump(u);
            continue;
        }
        if (now >= next_check) {
            reap_dead_clients(u, NULL);
            try_pending_claims(u, now);
            next_check = now + (claims_waiting(u) ? DEAD_CHECK_NS / 5 : DEAD_CHECK_NS);
        }
        uint64_t wake = next_check;
        if (!vd_list_empty(&u->timed)) {
            vd_urb *r = vd_list_first(&u->timed, vd_urb, link);
            if (r->due_ns < wake)
                wake = r->due_ns;
        }
        struct timespec ts = {(time_t)(wake / 1000000000ull), (long)(wake % 1000000000ull)};
        pthread_cond_timedwait(&u->link_cv, &u->mu, &ts);
    }
    pthread_mutex_unlock(&u->mu);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Device side queues                                                    */

size_t vd_usb_out_take(vd_usb *u, void *buf, size_t max, bool *end)
{
    size_t got = 0;
    *end = false;
    while (got < max && !vd_list_empty(&u->out_segs)) {
        out_seg *s = vd_list_first(&u->out_segs, out_seg, link);
        size_t n = s->len - s->off;
        if (n > max - got)
            n = max - got;
        memcpy((uint8_t *)buf + got, s->data + s->off, n);
        s->off += n;
        got += n;
        u->out_bytes -= n;
        if (s->off == s->len) {
            bool e = s->end;
            vd_list_del(&s->link);
            free(s);
            if (e) {
                *end = true;
                break;
            }
        }
    }
    if (got)
        pump(u); /* room for more OUT URBs */
    return got;
}

size_t vd_usb_out_avail(vd_usb *u)
{
    return u->out_bytes;
}

void vd_usb_out_flush(vd_usb *u)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->out_segs)
    {
        out_seg *s = vd_container_of(pos, out_seg, link);
        vd_list_del(&s->link);
        free(s);
    }
    u->out_bytes = 0;
    pump(u);
}

int vd_usb_in_put(vd_usb *u, const void *buf, size_t n, bool end, bool zlp)
{
    in_seg *s = malloc(sizeof(*s) + n);
    if (!s)
        return -ENOMEM;
    s->len = n;
    s->off = 0;
    s->end = end;
    s->zlp = zlp;
    if (n)
        memcpy(s->data, buf, n);
    vd_list_add_tail(&u->in_segs, &s->link);
    u->in_bytes += n;
    pump(u);
    return 0;
}

size_t vd_usb_in_queued(vd_usb *u)
{
    return u->in_bytes;
}

void vd_usb_in_flush(vd_usb *u)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->in_segs)
    {
        in_seg *s = vd_container_of(pos, in_seg, link);
        vd_list_del(&s->link);
        free(s);
    }
    u->in_bytes = 0;
    u->in_xfer_pos = 0;
}

bool vd_usb_in_wanted(vd_usb *u)
{
    return !vd_list_empty(&u->q_in);
}

int vd_usb_int_put(vd_usb *u, const void *buf, size_t n)
{
    int_msg *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->len = n > sizeof(m->data) ? sizeof(m->data) : n;
    memcpy(m->data, buf, m->len);
    vd_list_add_tail(&u->int_msgs, &m->link);
    u->int_count++;
    pump(u);
    return 0;
}

size_t vd_usb_int_queued(vd_usb *u)
{
    return u->int_count;
}

static bool *halt_flag(vd_usb *u, uint8_t ep)
{
    switch (ep) {
    case VD_EP_IN:
        return &u->halt_in;
    case VD_EP_OUT:
        return &u->halt_out;
    case VD_EP_INT:
        return &u->halt_int;
    default:
        return NULL;
    }
}

void vd_usb_halt(vd_usb *u, uint8_t ep)
{
    bool *h = halt_flag(u, ep);
    if (!h)
        return;
    *h = true;
    /* URBs pending on a halted endpoint end with -EPIPE */
    pump(u);
}

bool vd_usb_halted(vd_usb *u, uint8_t ep)
{
    bool *h = halt_flag(u, ep);
    return h && *h;
}

static void clear_halt(vd_usb *u, uint8_t ep)
{
    bool *h = halt_flag(u, ep);
    if (!h)
        return;
    bool was = *h;
    *h = false;
    if (ep == VD_EP_IN)
        u->in_xfer_pos = 0;
    if (was && u->ops->halt_cleared)
        u->ops->halt_cleared(u->fn, ep);
    pump(u);
}

/* ------------------------------------------------------------------ */
/* Descriptors                                                           */

static void build_descriptors(vd_usb *u)
{
    const vd_usb_ident *id = &u->id;
    bool ss = id->link == VD_LINK_USB3;
    uint8_t *d = u->devdesc;
    d[0] = 18;
    d[1] = USB_DT_DEVICE;
    d[2] = 0x00;
    d[3] = ss ? 0x03 : 0x02;
    d[4] = d[5] = d[6] = 0;
    d[7] = ss ? 9 : 64;
    d[8] = id->vid & 0xff;
    d[9] = id->vid >> 8;
    d[10] = id->pid & 0xff;
    d[11] = id->pid >> 8;
    d[12] = id->bcd_device & 0xff;
    d[13] = id->bcd_device >> 8;
    d[14] = 1;
    d[15] = 2;
    d[16] = 3;
    d[17] = 1;

    uint8_t *c = u->cfgdesc;
    size_t n = 0;
    uint16_t mps = u->mps;
    c[n++] = 9; c[n++] = USB_DT_CONFIG; n += 2; c[n++] = 1; c[n++] = 1; c[n++] = 0;
    c[n++] = 0xc0; c[n++] = 50;
    c[n++] = 9; c[n++] = USB_DT_INTERFACE; c[n++] = 0; c[n++] = 0; c[n++] = 3;
    c[n++] = id->if_class; c[n++] = id->if_subclass; c[n++] = id->if_protocol; c[n++] = 4;
    const uint8_t eps[3][4] = {
        {VD_EP_IN, USB_ENDPOINT_XFER_BULK, 0, 0},
        {VD_EP_OUT, USB_ENDPOINT_XFER_BULK, 0, 0},
        {VD_EP_INT, USB_ENDPOINT_XFER_INT, 28, int_interval(u)},
    };
    for (int i = 0; i < 3; i++) {
        uint16_t m = eps[i][1] == USB_ENDPOINT_XFER_BULK ? mps : eps[i][2];
        c[n++] = 7; c[n++] = USB_DT_ENDPOINT; c[n++] = eps[i][0]; c[n++] = eps[i][1];
        c[n++] = m & 0xff; c[n++] = m >> 8; c[n++] = eps[i][3];
        if (ss) {
            /* SuperSpeed endpoint companion */
            c[n++] = 6; c[n++] = USB_DT_SS_ENDPOINT_COMP;
            c[n++] = eps[i][1] == USB_ENDPOINT_XFER_BULK ? 15 : 0; c[n++] = 0;
            c[n++] = eps[i][1] == USB_ENDPOINT_XFER_INT ? 28 : 0; c[n++] = 0;
        }
    }
    c[2] = n & 0xff;
    c[3] = n >> 8;
    u->cfglen = n;
}

/* String descriptor `idx` into out; returns its length or -EPIPE. */
static int string_desc(vd_usb *u, uint8_t idx, uint8_t *out, size_t cap)
{
    const char *s = NULL;
    uint8_t tmp[256];
    size_t n = 0;
    if (idx == 0) {
        tmp[0] = 4; tmp[1] = USB_DT_STRING; tmp[2] = 0x09; tmp[3] = 0x04;
        n = 4;
    } else if (idx == 0xEE && u->id.ms_os_desc) {
        static const char sig[] = "MSFT100";
        tmp[1] = USB_DT_STRING;
        n = 2;
        for (size_t i = 0; i < 7; i++) {
            tmp[n++] = (uint8_t)sig[i];
            tmp[n++] = 0;
        }
        tmp[n++] = 0xFE; /* bMS_VendorCode */
        tmp[n++] = 0;
        tmp[0] = (uint8_t)n;
    } else {
        switch (idx) {
        case 1: s = u->id.manufacturer; break;
        case 2: s = u->id.product; break;
        case 3: s = u->id.serial; break;
        case 4: s = u->id.interface; break;
        default: return -EPIPE;
        }
        if (!s)
            return -EPIPE;
        /* ASCII/Latin-1 only in our identities */
        tmp[1] = USB_DT_STRING;
        n = 2;
        for (const unsigned char *p = (const unsigned char *)s; *p && n + 2 <= 254; p++) {
            tmp[n++] = *p;
            tmp[n++] = 0;
        }
        tmp[0] = (uint8_t)n;
    }
    if (n > cap)
        n = cap;
    memcpy(out, tmp, n);
    return (int)n;
}

/* Microsoft OS extended compat ID descriptor naming the function "MTP". */
static int ms_compat_id(uint8_t *out, size_t cap)
{
    uint8_t d[40] = {0};
    d[0] = 40;
    d[4] = 0x00; d[5] = 0x01; /* bcdVersion 1.00 */
    d[6] = 0x04;              /* wIndex: extended compat ID */
    d[8] = 1;                 /* one function section */
    d[16] = 0;                /* bFirstInterfaceNumber */
    d[17] = 1;
    memcpy(d + 18, "MTP", 3);
    size_t n = cap < sizeof(d) ? cap : sizeof(d);
    memcpy(out, d, n);
    return (int)n;
}

/* Handles a control request (lock held). Returns the IN length, 0 for a
 * good OUT request, or -EPIPE for a stall. */
static int control_request(vd_usb *u, const struct usb_ctrlrequest *s, uint8_t *data, size_t len)
{
    uint8_t rt = s->bRequestType;
    uint16_t wValue = le16toh(s->wValue), wIndex = le16toh(s->wIndex);
    if ((rt & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
        switch (s->bRequest) {
        case USB_REQ_GET_DESCRIPTOR: {
            uint8_t type = wValue >> 8, idx = wValue & 0xff;
            const uint8_t *src = NULL;
            size_t n = 0;
            if (type == USB_DT_DEVICE) {
                src = u->devdesc;
                n = sizeof(u->devdesc);
            } else if (type == USB_DT_CONFIG && idx == 0) {
                src = u->cfgdesc;
                n = u->cfglen;
            } else if (type == USB_DT_STRING) {
                return string_desc(u, idx, data, len);
            } else if (type == USB_DT_DEVICE_QUALIFIER && u->id.link != VD_LINK_USB3) {
                static uint8_t q[10] = {10, USB_DT_DEVICE_QUALIFIER, 0x00, 0x02, 0, 0, 0, 64, 1, 0};
                src = q;
                n = sizeof(q);
            } else if (type == USB_DT_BOS && u->id.link == VD_LINK_USB3) {
                static uint8_t b[] = {5, USB_DT_BOS, 22, 0, 2,
                                      7, USB_DT_DEVICE_CAPABILITY, 2, 2, 0, 0, 0,
                                      10, USB_DT_DEVICE_CAPABILITY, 3, 0, 0x0E, 0, 1, 10, 0xFF, 0x07};
                src = b;
                n = sizeof(b);
            } else {
                return -EPIPE;
            }
            if (n > len)
                n = len;
            memcpy(data, src, n);
            return (int)n;
        }
        case USB_REQ_GET_STATUS:
            if (len < 2)
                return -EPIPE;
            data[0] = data[1] = 0;
            if ((rt & USB_RECIP_MASK) == USB_RECIP_ENDPOINT)
                data[0] = vd_usb_halted(u, (uint8_t)wIndex) ? 1 : 0;
            return 2;
        case USB_REQ_CLEAR_FEATURE:
            if ((rt & USB_RECIP_MASK) == USB_RECIP_ENDPOINT && wValue == USB_ENDPOINT_HALT) {
                clear_halt(u, (uint8_t)wIndex);
                return 0;
            }
            return 0;
        case USB_REQ_SET_FEATURE:
            if ((rt & USB_RECIP_MASK) == USB_RECIP_ENDPOINT && wValue == USB_ENDPOINT_HALT) {
                vd_usb_halt(u, (uint8_t)wIndex);
                return 0;
            }
            return 0;
        case USB_REQ_SET_CONFIGURATION:
            u->config = (uint8_t)wValue;
            return 0;
        case USB_REQ_GET_CONFIGURATION:
            if (len < 1)
                return -EPIPE;
            data[0] = u->config;
            return 1;
        case USB_REQ_SET_INTERFACE:
            return 0;
        case USB_REQ_GET_INTERFACE:
            if (len < 1)
                return -EPIPE;
            data[0] = 0;
            return 1;
        default:
            return -EPIPE;
        }
    }
    if ((rt & USB_TYPE_MASK) == USB_TYPE_VENDOR && u->id.ms_os_desc && s->bRequest == 0xFE &&
        wIndex == 4 && (rt & USB_DIR_IN))
        return ms_compat_id(data, len);
    if (u->ops->control)
        return u->ops->control(u->fn, s, data, len);
    return -EPIPE;
}

/* ------------------------------------------------------------------ */
/* ioctl handling                                                        */

static vd_client *find_client(vd_usb *u, UMockdevIoctlClient *client)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (c->client == client && !c->gone)
            return c;
    }
    vd_client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->u = u;
    c->client = g_object_ref(client);
    c->sock_fd = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(client), "vd-sock-fd")) - 1;
    c->sock_ino = (ino_t)(uintptr_t)g_object_get_data(G_OBJECT(client), "vd-sock-ino");
    vd_list_init(&c->done);
    vd_list_add_tail(&u->clients, &c->link);
    return c;
}

static void release_claim(vd_usb *u, vd_client *c)
{
    if (!c->claimed)
        return;
    c->claimed = false;
    u->claims--;
    if (u->ops->claim_changed)
        u->ops->claim_changed(u->fn, false);
}

/* Drops every URB a client owns (lock held). */
static void client_drop_urbs(vd_usb *u, vd_client *c)
{
    vd_list *lists[] = {&u->q_in, &u->q_out, &u->q_int, &u->timed, &c->done};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        vd_list *pos, *tmp;
        vd_list_for_each_safe(pos, tmp, lists[i])
        {
            vd_urb *r = vd_container_of(pos, vd_urb, link);
            if (r->client != c)
                continue;
            if (r->type == USBDEVFS_URB_TYPE_BULK && !(r->ep & 0x80) && r->complete && !r->out_delivered)
                u->out_inflight -= r->length;
            vd_list_del(&r->link);
            urb_free(r);
        }
    }
}

/* A client closed its file or died: what the kernel does when the last
 * reference to a usbfs file goes (lock held). */
static void sock_keep_leaked(const vd_client *c, bool leaked);
static bool sock_hung_up(const vd_client *c);

static void client_gone(vd_usb *u, vd_client *c, bool leaked)
{
    sock_keep_leaked(c, leaked);
    c->gone = true;
    release_claim(u, c);
    client_drop_urbs(u, c);
    if (c->reap_arg)
        g_object_unref(c->reap_arg);
    vd_list_del(&c->link);
    g_object_unref(c->client);
    free(c);
    fifo_update(u);
    pump(u);
}

/* umockdev does not tell reliably when a client goes away (a process that
 * is killed never releases its claim), so the link thread looks for
 * connections umockdev closed and for peers that hung up (see
 * on_client_connected). Lock held. */
static void reap_dead_clients(vd_usb *u, const vd_client *keep)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (c == keep)
            continue;
        if (sock_hung_up(c)) {
            /* died inside an ioctl: nobody is left to complete it for */
            c->reap_waiting = false;
            c->claim_waiting = false;
            client_gone(u, c, true);
        } else if (!c->reap_waiting && !c->claim_waiting && !umockdev_ioctl_client_get_connected(c->client)) {
            client_gone(u, c, false);
        }
    }
}

static void grant_claim(vd_usb *u, vd_client *c)
{
    c->claimed = true;
    u->claims++;
    if (u->ops->claim_changed)
        u->ops->claim_changed(u->fn, true);
}

/* Claims that wait for a client that may have died (lock held). */
static void try_pending_claims(vd_usb *u, uint64_t now)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (!c->claim_waiting)
            continue;
        if (u->claims == 0 && !u->unplugged) {
            c->claim_waiting = false;
            grant_claim(u, c);
            complete(c->client, 0, 0);
        } else if (u->unplugged || now >= c->claim_deadline) {
            c->claim_waiting = false;
            complete(c->client, -1, u->unplugged ? ENODEV : EBUSY);
        }
    }
}

static bool claims_waiting(vd_usb *u)
{
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        if (vd_container_of(pos, vd_client, link)->claim_waiting)
            return true;
    }
    return false;
}

static void on_connected_changed(GObject *obj, GParamSpec *pspec, gpointer data)
{
    (void)pspec;
    vd_usb *u = data;
    UMockdevIoctlClient *client = UMOCKDEV_IOCTL_CLIENT(obj);
    if (umockdev_ioctl_client_get_connected(client))
        return;
    pthread_mutex_lock(&u->mu);
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (c->client == client)
            client_gone(u, c, false);
    }
    pthread_mutex_unlock(&u->mu);
}

/* Which socket is whose. umockdev closes a client's connection when the
 * client closes its file, but not when the client dies in the middle of
 * an emulated ioctl (its completion fails and the connection is left
 * open): a killed mtp-getfile would keep its claim forever. So when a
 * client connects we note which socket of ours was just accepted, and the
 * link thread watches it for the peer hanging up.
 *
 * "Just accepted" is the one connected socket not seen before: every
 * socket that exists before the first client (sock_snapshot) and every
 * socket ever assigned stays in the seen list, so a leaked connection is
 * never taken for a new one. Socket inode numbers come in per-CPU
 * batches, so they say nothing about age; when more than one unknown
 * socket shows up the client goes unwatched rather than misassigned. The
 * fd table is the process's, hence one registry for all devices. */
static pthread_mutex_t sock_mu = PTHREAD_MUTEX_INITIALIZER;
static ino_t *sock_seen;
static size_t sock_nseen, sock_cap;
/* clients whose connection umockdev left open: kept referenced so that
 * their teardown at exit does not complain about the open stream */
static GPtrArray *sock_leaked;

static bool sock_known(ino_t ino)
{
    for (size_t i = 0; i < sock_nseen; i++)
        if (sock_seen[i] == ino)
            return true;
    return false;
}

static void sock_remember(ino_t ino)
{
    if (sock_nseen == sock_cap) {
        size_t nc = sock_cap ? sock_cap * 2 : 64;
        ino_t *n = realloc(sock_seen, nc * sizeof(*n));
        if (!n)
            return;
        sock_seen = n;
        sock_cap = nc;
    }
    sock_seen[sock_nseen++] = ino;
}

/* Calls fn on each connected (not listening) socket fd that is not in the
 * seen list (sock_mu held). Returns how many there were. */
static int sock_scan(void (*fn)(int fd, ino_t ino, void *data), void *data)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || fd < 0 || fd == dirfd(d))
            continue;
        struct stat st;
        if (fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode) || sock_known(st.st_ino))
            continue;
        int listening = 0;
        socklen_t len = sizeof(listening);
        if (getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || listening)
            continue;
        fn((int)fd, st.st_ino, data);
        n++;
    }
    closedir(d);
    return n;
}

static void sock_note(int fd, ino_t ino, void *data)
{
    (void)fd;
    (void)data;
    sock_remember(ino);
}

/* Marks every socket that exists now as not a client's. */
static void sock_snapshot(void)
{
    pthread_mutex_lock(&sock_mu);
    sock_scan(sock_note, NULL);
    pthread_mutex_unlock(&sock_mu);
}

typedef struct sock_pick {
    int fd;
    ino_t ino;
} sock_pick;

static void sock_pick_one(int fd, ino_t ino, void *data)
{
    sock_pick *p = data;
    p->fd = fd;
    p->ino = ino;
}

/* True when the peer of the client's connection is gone (lock held). */
static bool sock_hung_up(const vd_client *c)
{
    if (c->sock_fd < 0)
        return false;
    struct stat st;
    if (fstat(c->sock_fd, &st) < 0 || st.st_ino != c->sock_ino)
        return false; /* umockdev closed it: the normal path sees that */
    struct pollfd pfd = {.fd = c->sock_fd, .events = POLLRDHUP};
    if (poll(&pfd, 1, 0) != 1)
        return false;
    return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* A client whose connection umockdev leaked keeps a reference (see
 * sock_leaked). */
static void sock_keep_leaked(const vd_client *c, bool leaked)
{
    if (!leaked)
        return;
    pthread_mutex_lock(&sock_mu);
    if (!sock_leaked)
        sock_leaked = g_ptr_array_new_with_free_func(g_object_unref);
    g_ptr_array_add(sock_leaked, g_object_ref(c->client));
    pthread_mutex_unlock(&sock_mu);
}

static void on_client_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer data)
{
    (void)base;
    g_signal_connect(client, "notify::connected", G_CALLBACK(on_connected_changed), data);
    pthread_mutex_lock(&sock_mu);
    sock_pick pick = {-1, 0};
    int n = sock_scan(sock_pick_one, &pick);
    if (n == 1) {
        sock_remember(pick.ino);
        g_object_set_data(G_OBJECT(client), "vd-sock-fd", GINT_TO_POINTER(pick.fd + 1));
        g_object_set_data(G_OBJECT(client), "vd-sock-ino", (gpointer)(uintptr_t)pick.ino);
    } else {
        /* none or several: remember them all, watch nothing */
        sock_scan(sock_note, NULL);
    }
    pthread_mutex_unlock(&sock_mu);
}

/* Writes a reaped URB back into the client (lock held; the client is in
 * its REAPURB ioctl). */
static void reap_into(vd_usb *u, vd_client *c, vd_urb *r, UMockdevIoctlData *arg)
{
    (void)u;
    (void)c;
    GError *err = NULL;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)r->urb_data->data;
    urb->status = r->status;
    urb->actual_length = (int)r->actual;
    urb->error_count = 0;
    if ((r->ep & 0x80) && r->actual && r->type != USBDEVFS_URB_TYPE_CONTROL) {
        UMockdevIoctlData *b = umockdev_ioctl_data_resolve(r->urb_data, offsetof(struct usbdevfs_urb, buffer),
                                                           r->actual, &err);
        if (b) {
            memcpy(b->data, r->buf, r->actual);
            g_object_unref(b);
        } else {
            g_clear_error(&err);
        }
    } else if (r->type == USBDEVFS_URB_TYPE_CONTROL && (r->buf[0] & USB_DIR_IN) && r->actual) {
        UMockdevIoctlData *b = umockdev_ioctl_data_resolve(
            r->urb_data, offsetof(struct usbdevfs_urb, buffer), 8 + r->actual, &err);
        if (b) {
            memcpy(b->data + 8, r->buf + 8, r->actual);
            g_object_unref(b);
        } else {
            g_clear_error(&err);
        }
    }
    UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);
    if (!ptr) {
        g_clear_error(&err);
        return;
    }
    umockdev_ioctl_data_set_ptr(ptr, 0, r->urb_data);
    g_object_unref(ptr);
}

static void reap_now(vd_usb *u, vd_client *c)
{
    vd_urb *r = vd_list_first(&c->done, vd_urb, link);
    if (!r)
        return;
    vd_list_del(&r->link);
    c->reap_waiting = false;
    reap_into(u, c, r, c->reap_arg);
    g_object_unref(c->reap_arg);
    c->reap_arg = NULL;
    complete(c->client, 0, 0);
    urb_free(r);
    fifo_update(u);
}

static void handle_reap(vd_usb *u, vd_client *c, UMockdevIoctlClient *client, bool block)
{
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    vd_urb *r = vd_list_first(&c->done, vd_urb, link);
    if (!r) {
        if (u->unplugged) {
            complete(client, -1, ENODEV);
        } else if (block) {
            c->reap_waiting = true;
            c->reap_arg = g_object_ref(arg);
        } else {
            complete(client, -1, EAGAIN);
        }
        return;
    }
    vd_list_del(&r->link);
    reap_into(u, c, r, arg);
    fifo_update(u);
    complete(client, 0, 0);
    urb_free(r);
}

static void handle_submit(vd_usb *u, vd_client *c, UMockdevIoctlClient *client)
{
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;
    if (u->unplugged) {
        complete(client, -1, ENODEV);
        return;
    }
    UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
    if (!ud) {
        g_clear_error(&err);
        complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)ud->data;
    if (urb->buffer_length < 0 || (urb->type != USBDEVFS_URB_TYPE_BULK && urb->type != USBDEVFS_URB_TYPE_CONTROL &&
                                    urb->type != USBDEVFS_URB_TYPE_INTERRUPT)) {
        g_object_unref(ud);
        complete(client, -1, EINVAL);
        return;
    }
    uint8_t ep = urb->endpoint;
    if (urb->type != USBDEVFS_URB_TYPE_CONTROL && ep != VD_EP_IN && ep != VD_EP_OUT && ep != VD_EP_INT) {
        g_object_unref(ud);
        complete(client, -1, ENOENT);
        return;
    }
    if (urb->type != USBDEVFS_URB_TYPE_CONTROL && !c->claimed) {
        /* the kernel claims implicitly on first use; a foreign claim wins */
        if (u->claims > 0) {
            g_object_unref(ud);
            complete(client, -1, EBUSY);
            return;
        }
        c->claimed = true;
        u->claims++;
        if (u->ops->claim_changed)
            u->ops->claim_changed(u->fn, true);
    }
    vd_urb *r = calloc(1, sizeof(*r));
    size_t blen = (size_t)urb->buffer_length;
    if (r)
        r->buf = malloc(blen ? blen : 1);
    if (!r || !r->buf) {
        if (r)
            free(r);
        g_object_unref(ud);
        complete(client, -1, ENOMEM);
        return;
    }
    vd_list_init(&r->link);
    r->client = c;
    r->urb_data = ud;
    r->client_addr = ud->client_addr;
    r->type = urb->type;
    r->ep = ep;
    r->flags = urb->flags;
    r->length = blen;
    bool needs_data = (urb->type == USBDEVFS_URB_TYPE_CONTROL) || !(ep & 0x80);
    if (needs_data && blen) {
        UMockdevIoctlData *b = umockdev_ioctl_data_resolve(ud, offsetof(struct usbdevfs_urb, buffer), blen, &err);
        if (!b) {
            g_clear_error(&err);
            urb_free(r);
            complete(client, -1, EFAULT);
            return;
        }
        memcpy(r->buf, b->data, blen);
        g_object_unref(b);
    }
    uint64_t now = vd_now_ns();
    switch (r->type) {
    case USBDEVFS_URB_TYPE_CONTROL: {
        u->st.urbs_ctrl++;
        if (blen < 8) {
            urb_free(r);
            complete(client, -1, EINVAL);
            return;
        }
        struct usb_ctrlrequest setup;
        memcpy(&setup, r->buf, 8);
        size_t dlen = le16toh(setup.wLength);
        if (dlen > blen - 8)
            dlen = blen - 8;
        int rc = control_request(u, &setup, r->buf + 8, dlen);
        if (rc < 0) {
            r->status = rc;
            r->actual = 0;
        } else {
            r->actual = (setup.bRequestType & USB_DIR_IN) ? (size_t)rc : dlen;
        }
        r->due_ns = u->pkt_ns ? now + CTRL_TURNAROUND_NS : now;
        r->complete = true;
        timed_insert(u, r);
        break;
    }
    case USBDEVFS_URB_TYPE_BULK:
        if (ep & 0x80) {
            u->st.urbs_in++;
            vd_list_add_tail(&u->q_in, &r->link);
        } else {
            u->st.urbs_out++;
            vd_list_add_tail(&u->q_out, &r->link);
        }
        pump(u);
        break;
    default:
        u->st.urbs_int++;
        vd_list_add_tail(&u->q_int, &r->link);
        pump(u);
        break;
    }
    complete(client, 0, 0);
}

static void handle_discard(vd_usb *u, vd_client *c, UMockdevIoctlClient *client)
{
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    unsigned long addr = *(unsigned long *)arg->data;
    vd_list *lists[] = {&u->q_in, &u->q_out, &u->q_int, &u->timed};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        vd_list *pos, *tmp;
        vd_list_for_each_safe(pos, tmp, lists[i])
        {
            vd_urb *r = vd_container_of(pos, vd_urb, link);
            if (r->client != c || r->client_addr != addr)
                continue;
            if (r->type == USBDEVFS_URB_TYPE_BULK && !(r->ep & 0x80) && r->complete && !r->out_delivered) {
                /* OUT data still on the wire: it never reaches the device */
                u->out_inflight -= r->length;
                r->out_delivered = true;
                r->actual = 0;
            }
            r->status = -ENOENT;
            u->st.discards++;
            urb_done(u, r);
            pump(u);
            complete(client, 0, 0);
            return;
        }
    }
    complete(client, -1, EINVAL);
}

/* Synchronous USBDEVFS_CONTROL / USBDEVFS_BULK. */
static void finish_sync(vd_usb *u, vd_urb *r)
{
    (void)u;
    UMockdevIoctlClient *client = r->client->client;
    if (r->status) {
        int e = -r->status;
        if (e == ENOENT)
            e = ETIMEDOUT;
        complete(client, -1, e);
    } else {
        if ((r->ep & 0x80) && r->actual && r->sync_data)
            memcpy(r->sync_data->data, r->buf, r->actual);
        complete(client, (long)r->actual, 0);
    }
    urb_free(r);
}

static void handle_sync_control(vd_usb *u, vd_client *c, UMockdevIoctlClient *client)
{
    (void)c;
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer), &err);
    if (!d) {
        g_clear_error(&err);
        complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_ctrltransfer *ct = (struct usbdevfs_ctrltransfer *)d->data;
    struct usb_ctrlrequest setup = {ct->bRequestType, ct->bRequest, htole16(ct->wValue),
                                    htole16(ct->wIndex), htole16(ct->wLength)};
    size_t len = ct->wLength;
    UMockdevIoctlData *b = NULL;
    if (len) {
        b = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_ctrltransfer, data), len, &err);
        if (!b) {
            g_clear_error(&err);
            g_object_unref(d);
            complete(client, -1, EFAULT);
            return;
        }
    }
    u->st.urbs_ctrl++;
    int rc = control_request(u, &setup, b ? b->data : NULL, len);
    if (b)
        g_object_unref(b);
    g_object_unref(d);
    if (rc < 0)
        complete(client, -1, -rc);
    else
        complete(client, (setup.bRequestType & USB_DIR_IN) ? rc : (long)len, 0);
}

static void handle_sync_bulk(vd_usb *u, vd_client *c, UMockdevIoctlClient *client)
{
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;
    UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_bulktransfer), &err);
    if (!d) {
        g_clear_error(&err);
        complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_bulktransfer *bt = (struct usbdevfs_bulktransfer *)d->data;
    uint8_t ep = (uint8_t)bt->ep;
    size_t len = bt->len;
    if (ep != VD_EP_IN && ep != VD_EP_OUT && ep != VD_EP_INT) {
        g_object_unref(d);
        complete(client, -1, ENOENT);
        return;
    }
    vd_urb *r = calloc(1, sizeof(*r));
    if (r)
        r->buf = malloc(len ? len : 1);
    UMockdevIoctlData *b = NULL;
    if (r && r->buf && len) {
        b = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_bulktransfer, data), len, &err);
        if (!b)
            g_clear_error(&err);
    }
    if (!r || !r->buf || (len && !b)) {
        if (r) {
            free(r->buf);
            free(r);
        }
        if (b)
            g_object_unref(b);
        g_object_unref(d);
        complete(client, -1, r ? EFAULT : ENOMEM);
        return;
    }
    vd_list_init(&r->link);
    r->client = c;
    r->type = ep == VD_EP_INT ? USBDEVFS_URB_TYPE_INTERRUPT : USBDEVFS_URB_TYPE_BULK;
    r->ep = ep;
    r->length = len;
    r->sync = true;
    r->sync_data = b;
    if (!(ep & 0x80) && len)
        memcpy(r->buf, b->data, len);
    g_object_unref(d);
    if (ep == VD_EP_IN)
        vd_list_add_tail(&u->q_in, &r->link);
    else if (ep == VD_EP_OUT)
        vd_list_add_tail(&u->q_out, &r->link);
    else
        vd_list_add_tail(&u->q_int, &r->link);
    pump(u);
    /* completed later by finish_sync() from the link thread */
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer data)
{
    (void)base;
    vd_usb *u = data;
    unsigned long req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    GError *err = NULL;

    pthread_mutex_lock(&u->mu);
    vd_client *c = find_client(u, client);
    if (!c) {
        pthread_mutex_unlock(&u->mu);
        complete(client, -1, ENOMEM);
        return TRUE;
    }
    u->st.ioctls++;
    if (u->unplugged && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB) {
        pthread_mutex_unlock(&u->mu);
        complete(client, -1, ENODEV);
        return TRUE;
    }

    switch (req) {
    case USBDEVFS_SUBMITURB:
        handle_submit(u, c, client);
        break;
    case USBDEVFS_REAPURBNDELAY:
        handle_reap(u, c, client, false);
        break;
    case USBDEVFS_REAPURB:
        handle_reap(u, c, client, true);
        break;
    case USBDEVFS_DISCARDURB:
        handle_discard(u, c, client);
        break;
    case USBDEVFS_CONTROL:
        handle_sync_control(u, c, client);
        break;
    case USBDEVFS_BULK:
        handle_sync_bulk(u, c, client);
        break;
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &err);
        if (!d) {
            g_clear_error(&err);
            complete(client, -1, EFAULT);
            break;
        }
        uint32_t caps = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
                        USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_BULK_SCATTER_GATHER |
                        USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
        memcpy(d->data, &caps, sizeof(caps));
        g_object_unref(d);
        complete(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM: {
        if (c->claimed) {
            complete(client, 0, 0);
            break;
        }
        reap_dead_clients(u, c); /* c is alive: it is in this ioctl */
        if (u->claims == 0) {
            grant_claim(u, c);
            complete(client, 0, 0);
        } else {
            /* the holder may be a process that just died and whose
             * connection umockdev has not closed yet (it does that in
             * this very thread): answer once it has, or EBUSY */
            c->claim_waiting = true;
            c->claim_deadline = vd_now_ns() + CLAIM_WAIT_NS;
            kick_link(u);
        }
        break;
    }
    case USBDEVFS_RELEASEINTERFACE:
        release_claim(u, c);
        complete(client, 0, 0);
        break;
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_SETINTERFACE:
        complete(client, 0, 0);
        break;
    case USBDEVFS_CLEAR_HALT: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), &err);
        if (!d) {
            g_clear_error(&err);
            complete(client, -1, EFAULT);
            break;
        }
        unsigned int ep;
        memcpy(&ep, d->data, sizeof(ep));
        g_object_unref(d);
        clear_halt(u, (uint8_t)ep);
        complete(client, 0, 0);
        break;
    }
    case USBDEVFS_RESET:
        if (u->ops->port_reset)
            u->ops->port_reset(u->fn);
        complete(client, 0, 0);
        break;
    case USBDEVFS_GETDRIVER:
    case USBDEVFS_IOCTL:
        complete(client, -1, ENODATA);
        break;
    case USBDEVFS_GET_SPEED:
        complete(client, u->id.link == VD_LINK_USB3 ? USB_SPEED_SUPER : USB_SPEED_HIGH, 0);
        break;
    default: {
        /* CONNINFO_EX carries its size in the request number */
        if ((req & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) ==
            (USBDEVFS_CONNINFO_EX(0) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))) {
            size_t sz = _IOC_SIZE(req);
            UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sz, &err);
            if (!d) {
                g_clear_error(&err);
                complete(client, -1, EFAULT);
                break;
            }
            struct usbdevfs_conninfo_ex ci = {0};
            ci.size = sizeof(ci);
            ci.busnum = (uint32_t)u->id.busnum;
            ci.devnum = (uint32_t)u->id.devnum;
            ci.speed = u->id.link == VD_LINK_USB3 ? USB_SPEED_SUPER : USB_SPEED_HIGH;
            ci.num_ports = 1;
            ci.ports[0] = (uint8_t)(u->id.devnum - 1);
            memcpy(d->data, &ci, sz < sizeof(ci) ? sz : sizeof(ci));
            g_object_unref(d);
            complete(client, 0, 0);
            break;
        }
        complete(client, -1, ENOTTY);
        break;
    }
    }
    pthread_mutex_unlock(&u->mu);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* sysfs                                                                 */

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return (w == len && rc == 0) ? 0 : -EIO;
}

static int write_text(const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int write_text(const char *dir, const char *name, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf) - 1)
        return -EINVAL;
    buf[n++] = '\n';
    return write_file(dir, name, buf, (size_t)n);
}

/* An endpoint folder as the kernel creates it (ep_00, ep_81, ...). */
static int make_ep_dir(const char *parent, uint8_t addr, uint8_t attrs, uint16_t mps, uint8_t interval)
{
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/ep_%02x", parent, addr);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -errno;
    static const char *types[] = {"Control", "Isoc", "Bulk", "Interrupt"};
    unsigned iv_us = 0;
    if ((attrs & 3) == USB_ENDPOINT_XFER_INT && interval)
        iv_us = 125u << (interval - 1);
    write_text(dir, "bLength", "07");
    write_text(dir, "bEndpointAddress", "%02x", addr);
    write_text(dir, "bmAttributes", "%02x", attrs);
    write_text(dir, "bInterval", "%02x", interval);
    write_text(dir, "wMaxPacketSize", "%04x", mps);
    write_text(dir, "type", "%s", types[attrs & 3]);
    write_text(dir, "direction", "%s", addr == 0 ? "both" : (addr & 0x80) ? "in" : "out");
    if (iv_us >= 1000)
        write_text(dir, "interval", "%ums", iv_us / 1000);
    else
        write_text(dir, "interval", "%uus", iv_us);
    write_text(dir, "uevent", "DEVTYPE=usb_endpoint");
    return 0;
}

static char *hexstr(const uint8_t *p, size_t n)
{
    char *s = malloc(n * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", p[i]);
    s[n * 2] = 0;
    return s;
}

static int build_sysfs(vd_usb *u)
{
    const vd_usb_ident *id = &u->id;
    GError *err = NULL;
    int port = id->devnum - 1;
    bool ss = id->link == VD_LINK_USB3;
    char *desc = NULL;
    uint8_t all[18 + 64];
    memcpy(all, u->devdesc, 18);
    memcpy(all + 18, u->cfgdesc, u->cfglen);
    desc = hexstr(all, 18 + u->cfglen);
    if (!desc)
        return -ENOMEM;

    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "P: /devices/pci0000:00/0000:00:14.0/usb%d/%d-%d\n", id->busnum, id->busnum, port);
    g_string_append_printf(s, "N: bus/usb/%03d/%03d\n", id->busnum, id->devnum);
    g_string_append_printf(s, "E: DEVNAME=/dev/bus/usb/%03d/%03d\n", id->busnum, id->devnum);
    g_string_append(s, "E: DEVTYPE=usb_device\nE: DRIVER=usb\nE: SUBSYSTEM=usb\n");
    g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\nE: TYPE=0/0/0\n", id->vid, id->pid, id->bcd_device);
    g_string_append_printf(s, "E: BUSNUM=%03d\nE: DEVNUM=%03d\n", id->busnum, id->devnum);
    g_string_append_printf(s, "E: MAJOR=189\nE: MINOR=%d\n", (id->busnum - 1) * 128 + id->devnum - 1);
    g_string_append_printf(s, "A: dev=189:%d\\n\n", (id->busnum - 1) * 128 + id->devnum - 1);
    g_string_append_printf(s, "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n", id->vid, id->pid);
    g_string_append_printf(s, "E: ID_SERIAL_SHORT=%s\n", id->serial ? id->serial : "");
    /* what libmtp's udev rules (69-libmtp.rules / mtp-probe) would set;
     * --no-udev-props leaves it to them */
    if (!id->no_udev_props)
        g_string_append(s, "E: ID_MTP_DEVICE=1\nE: ID_MEDIA_PLAYER=1\n");
    g_string_append_printf(s, "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n", id->vid, id->pid,
                           id->bcd_device);
    g_string_append(s, "A: bDeviceClass=00\\n\nA: bDeviceSubClass=00\\n\nA: bDeviceProtocol=00\\n\n");
    g_string_append_printf(s, "A: bMaxPacketSize0=%d\\n\n", ss ? 9 : 64);
    g_string_append(s, "A: bNumConfigurations=1\\n\nA: bConfigurationValue=1\\n\nA: bNumInterfaces= 1\\n\n");
    g_string_append(s, "A: bmAttributes=c0\\n\nA: bMaxPower=100mA\\n\nA: configuration=\\n\n");
    g_string_append_printf(s, "A: speed=%s\\n\nA: version=%s\\n\n", ss ? "5000" : "480", ss ? " 3.00" : " 2.00");
    g_string_append_printf(s, "A: busnum=%d\\n\nA: devnum=%d\\n\nA: devpath=%d\\n\n", id->busnum, id->devnum, port);
    g_string_append(s, "A: maxchild=0\\n\nA: removable=removable\\n\nA: authorized=1\\n\nA: quirks=0x0\\n\n");
    g_string_append(s, "A: avoid_reset_quirk=0\\n\nA: ltm_capable=no\\n\nA: urbnum=0\\n\n");
    g_string_append(s, "A: rx_lanes=1\\n\nA: tx_lanes=1\\n\n");
    if (id->manufacturer)
        g_string_append_printf(s, "A: manufacturer=%s\\n\n", id->manufacturer);
    if (id->product)
        g_string_append_printf(s, "A: product=%s\\n\n", id->product);
    if (id->serial)
        g_string_append_printf(s, "A: serial=%s\\n\n", id->serial);
    g_string_append_printf(s, "H: descriptors=%s\n", desc);
    free(desc);

    /* the interface */
    g_string_append_printf(s, "\nP: /devices/pci0000:00/0000:00:14.0/usb%d/%d-%d/%d-%d:1.0\n", id->busnum,
                           id->busnum, port, id->busnum, port);
    g_string_append(s, "E: DEVTYPE=usb_interface\nE: SUBSYSTEM=usb\n");
    g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\nE: TYPE=0/0/0\nE: INTERFACE=%d/%d/%d\n", id->vid, id->pid,
                           id->bcd_device, id->if_class, id->if_subclass, id->if_protocol);
    g_string_append_printf(s, "E: MODALIAS=usb:v%04Xp%04Xd%04Xdc00dsc00dp00ic%02Xisc%02Xip%02Xin00\n", id->vid,
                           id->pid, id->bcd_device, id->if_class, id->if_subclass, id->if_protocol);
    g_string_append(s, "A: bInterfaceNumber=00\\n\nA: bAlternateSetting= 0\\n\nA: bNumEndpoints=03\\n\n");
    g_string_append_printf(s, "A: bInterfaceClass=%02x\\n\nA: bInterfaceSubClass=%02x\\n\nA: bInterfaceProtocol=%02x\\n\n",
                           id->if_class, id->if_subclass, id->if_protocol);
    if (id->interface)
        g_string_append_printf(s, "A: interface=%s\\n\n", id->interface);
    g_string_append(s, "A: supports_autosuspend=1\\n\nA: authorized=1\\n\n");
    g_string_append_printf(s, "A: modalias=usb:v%04Xp%04Xd%04Xdc00dsc00dp00ic%02Xisc%02Xip%02Xin00\\n\n", id->vid,
                           id->pid, id->bcd_device, id->if_class, id->if_subclass, id->if_protocol);

    gboolean ok = umockdev_testbed_add_from_string(u->tb, s->str, &err);
    g_string_free(s, TRUE);
    if (!ok) {
        fprintf(stderr, "ferry-vdev: cannot add the device to the testbed: %s\n", err->message);
        g_clear_error(&err);
        return -EINVAL;
    }

    char *root = umockdev_testbed_get_sys_dir(u->tb);
    u->syspath = g_strdup_printf("%s/devices/pci0000:00/0000:00:14.0/usb%d/%d-%d", root, id->busnum, id->busnum, port);
    u->ifpath = g_strdup_printf("%s/%d-%d:1.0", u->syspath, id->busnum, port);
    g_free(root);
    make_ep_dir(u->syspath, 0x00, 0, ss ? 512 : 64, 0);
    make_ep_dir(u->ifpath, VD_EP_IN, USB_ENDPOINT_XFER_BULK, u->mps, 0);
    make_ep_dir(u->ifpath, VD_EP_OUT, USB_ENDPOINT_XFER_BULK, u->mps, 0);
    make_ep_dir(u->ifpath, VD_EP_INT, USB_ENDPOINT_XFER_INT, 28, int_interval(u));
    return 0;
}

/* Replaces the node umockdev created (a plain file) by a FIFO (pitfall 1). */
static int make_fifo_node(vd_usb *u)
{
    char *root = umockdev_testbed_get_root_dir(u->tb);
    snprintf(u->nodepath, sizeof(u->nodepath), "%s%s", root, u->devnode);
    g_free(root);
    struct stat st;
    mode_t mode = 0666;
    if (stat(u->nodepath, &st) == 0)
        mode = st.st_mode & 07777;
    unlink(u->nodepath);
    if (mkfifo(u->nodepath, mode) < 0) {
        fprintf(stderr, "ferry-vdev: mkfifo %s: %s\n", u->nodepath, strerror(errno));
        return -errno;
    }
    u->fifo_fd = open(u->nodepath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (u->fifo_fd < 0)
        return -errno;
    /* one page: one byte in it makes it "full" (not writable) */
    (void)fcntl(u->fifo_fd, F_SETPIPE_SZ, 4096);
    u->fifo_full = false;
    fifo_update(u);
    return 0;
}

vd_usb *vd_usb_new(UMockdevTestbed *tb, const vd_usb_ident *id, const vd_usb_fn_ops *ops, void *fn)
{
    vd_usb *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->tb = tb;
    u->id = *id;
    u->ops = ops;
    u->fn = fn;
    u->fifo_fd = -1;
    u->mps = id->link == VD_LINK_USB3 ? 1024 : 512;
    u->pkt_ns = id->link == VD_LINK_USB2 ? USB2_PKT_NS : id->link == VD_LINK_USB3 ? USB3_PKT_NS : 0;
    u->config = 1;
    snprintf(u->devnode, sizeof(u->devnode), "/dev/bus/usb/%03d/%03d", id->busnum, id->devnum);
    vd_list_init(&u->clients);
    vd_list_init(&u->q_in);
    vd_list_init(&u->q_out);
    vd_list_init(&u->q_int);
    vd_list_init(&u->timed);
    vd_list_init(&u->in_segs);
    vd_list_init(&u->out_segs);
    vd_list_init(&u->int_msgs);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&u->cv, &ca);
    pthread_cond_init(&u->link_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&u->mu, NULL);
    build_descriptors(u);

    GError *err = NULL;
    u->handler = umockdev_ioctl_base_new();
    g_signal_connect(u->handler, "handle-ioctl", G_CALLBACK(on_ioctl), u);
    g_signal_connect(u->handler, "client-connected", G_CALLBACK(on_client_connected), u);
    if (!umockdev_testbed_attach_ioctl(tb, u->devnode, u->handler, &err)) {
        fprintf(stderr, "ferry-vdev: cannot attach to %s: %s\n", u->devnode, err->message);
        g_clear_error(&err);
        goto fail;
    }
    if (build_sysfs(u) < 0 || make_fifo_node(u) < 0)
        goto fail;
    sock_snapshot();
    if (pthread_create(&u->link_thread, NULL, link_main, u) != 0)
        goto fail;
    return u;
fail:
    if (u->handler)
        g_object_unref(u->handler);
    g_free(u->syspath);
    g_free(u->ifpath);
    if (u->fifo_fd >= 0)
        close(u->fifo_fd);
    free(u);
    return NULL;
}

void vd_usb_unplug(vd_usb *u)
{
    pthread_mutex_lock(&u->mu);
    if (u->unplugged) {
        pthread_mutex_unlock(&u->mu);
        return;
    }
    u->unplugged = true;
    vd_list *lists[] = {&u->q_in, &u->q_out, &u->q_int, &u->timed};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        vd_list *pos, *tmp;
        vd_list_for_each_safe(pos, tmp, lists[i])
        {
            vd_urb *r = vd_container_of(pos, vd_urb, link);
            r->status = -ESHUTDOWN;
            urb_done(u, r);
        }
    }
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        if (c->reap_waiting) {
            c->reap_waiting = false;
            g_object_unref(c->reap_arg);
            c->reap_arg = NULL;
            complete(c->client, -1, ENODEV);
        }
    }
    fifo_update(u);
    vd_usb_broadcast(u);
    pthread_mutex_unlock(&u->mu);
    /* the sysfs device goes away. No "remove" uevent: umockdev can only
     * send one from a process that runs under its preload, which this
     * one does not (it printed "uevent_sender_send: No such device"). */
    char *sys = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb%d/%d-%d", u->id.busnum, u->id.busnum,
                                u->id.devnum - 1);
    umockdev_testbed_remove_device(u->tb, sys);
    g_free(sys);
}

bool vd_usb_unplugged(vd_usb *u)
{
    return u->unplugged;
}

void vd_usb_get_stats_locked(vd_usb *u, vd_usb_stats *out)
{
    *out = u->st;
}

void vd_usb_get_stats(vd_usb *u, vd_usb_stats *out)
{
    pthread_mutex_lock(&u->mu);
    *out = u->st;
    pthread_mutex_unlock(&u->mu);
}

void vd_usb_free(vd_usb *u)
{
    if (!u)
        return;
    pthread_mutex_lock(&u->mu);
    u->stop = true;
    kick_link(u);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->link_thread, NULL);
    GError *err = NULL;
    if (!u->unplugged)
        umockdev_testbed_detach_ioctl(u->tb, u->devnode, &err);
    g_clear_error(&err);
    /* clients and URBs */
    vd_list *pos, *tmp;
    vd_list_for_each_safe(pos, tmp, &u->clients)
    {
        vd_client *c = vd_container_of(pos, vd_client, link);
        client_drop_urbs(u, c);
        if (c->reap_arg)
            g_object_unref(c->reap_arg);
        vd_list_del(&c->link);
        g_object_unref(c->client);
        free(c);
    }
    vd_usb_in_flush(u);
    vd_list_for_each_safe(pos, tmp, &u->out_segs)
    {
        vd_list_del(pos);
        free(vd_container_of(pos, out_seg, link));
    }
    vd_list_for_each_safe(pos, tmp, &u->int_msgs)
    {
        vd_list_del(pos);
        free(vd_container_of(pos, int_msg, link));
    }
    g_object_unref(u->handler);
    if (u->fifo_fd >= 0)
        close(u->fifo_fd);
    g_free(u->syspath);
    g_free(u->ifpath);
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->cv);
    pthread_cond_destroy(&u->link_cv);
    free(u);
}
