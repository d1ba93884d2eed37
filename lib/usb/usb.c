/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libusb.h>
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
/* What the device sent is defined memory. Under umockdev (the lab) the
 * emulator writes it into this process from outside, where valgrind does
 * not see it; on a real bus the kernel's copy is seen. A no-op when not
 * under valgrind. */
#define DEVICE_WROTE(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define DEVICE_WROTE(p, n) ((void)(p), (void)(n))
#endif

#include <ferry/error.h>

#include "usb/usb.h"
#include "util/mem.h"

enum { URB_IDLE = 0, URB_INFLIGHT = 1, URB_DONE = 2, URB_HELD = 3 };

struct fu_ctx {
    libusb_context *usb;
    pthread_t thread;
    atomic_bool stop;
    fy_logger *log;
    bool hp_set;
    libusb_hotplug_callback_handle hp;
    fu_hotplug_fn hp_fn;
    void *hp_user;
};

struct fu_dev {
    fu_ctx *c;
    libusb_device_handle *h;
    uint8_t iface, ep_in, ep_out, ep_int;
    uint16_t mps;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool gone;
    /* events */
    struct libusb_transfer *ev;
    uint8_t ev_buf[64];
    fu_int_fn ev_fn;
    void *ev_user;
    bool ev_running, ev_stopping;
};

struct fu_pipe {
    fu_dev *d;
    uint8_t ep;
    bool interrupt;
    unsigned depth;
    fu_urb *urbs;
    unsigned head, count;
    bool aborted;
};

/* ------------------------------------------------------------------ */

static int map_libusb(int r)
{
    switch (r) {
    case LIBUSB_SUCCESS: return 0;
    case LIBUSB_ERROR_ACCESS: return FERRY_EACCESS;
    case LIBUSB_ERROR_NO_DEVICE: return FERRY_ENODEV;
    case LIBUSB_ERROR_NOT_FOUND: return FERRY_ENODEV;
    case LIBUSB_ERROR_BUSY: return FERRY_EDEVICE_BUSY;
    case LIBUSB_ERROR_TIMEOUT: return FERRY_ETIMEDOUT;
    case LIBUSB_ERROR_OVERFLOW: return FERRY_EOVERFLOW;
    case LIBUSB_ERROR_NO_MEM: return FERRY_ENOMEM;
    case LIBUSB_ERROR_INVALID_PARAM: return FERRY_EINVAL;
    case LIBUSB_ERROR_INTERRUPTED: return FERRY_ECANCELLED;
    case LIBUSB_ERROR_NOT_SUPPORTED: return FERRY_ENOTSUP;
    default: return FERRY_EIO;
    }
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *io_main(void *arg)
{
    fu_ctx *c = arg;
    while (!atomic_load(&c->stop)) {
        struct timeval tv = {0, 500000};
        int r = libusb_handle_events_timeout_completed(c->usb, &tv, NULL);
        if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED && r != LIBUSB_ERROR_TIMEOUT) {
            FY_WARN(c->log, "usb: event handling: %s", libusb_error_name(r));
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

int fu_ctx_new(fu_ctx **out, fy_logger *log)
{
    fu_ctx *c = fy_calloc(1, sizeof(*c));
    if (!c)
        return FERRY_ENOMEM;
    c->log = log;
    int r = libusb_init(&c->usb);
    if (r < 0) {
        FY_ERR(log, "usb: libusb_init: %s", libusb_error_name(r));
        fy_free(c);
        return r == LIBUSB_ERROR_NO_MEM ? FERRY_ENOMEM : FERRY_EIO;
    }
    /* the library never prints: libusb stays silent unless the user asks
     * for it with LIBUSB_DEBUG */
    libusb_set_option(c->usb, LIBUSB_OPTION_LOG_LEVEL, LIBUSB_LOG_LEVEL_NONE);
    atomic_init(&c->stop, false);
    if (pthread_create(&c->thread, NULL, io_main, c) != 0) {
        libusb_exit(c->usb);
        fy_free(c);
        return FERRY_EINTERNAL;
    }
    *out = c;
    return 0;
}

void fu_ctx_free(fu_ctx *c)
{
    if (!c)
        return;
    if (c->hp_set)
        libusb_hotplug_deregister_callback(c->usb, c->hp);
    atomic_store(&c->stop, true);
    libusb_interrupt_event_handler(c->usb);
    pthread_join(c->thread, NULL);
    libusb_exit(c->usb);
    fy_free(c);
}

static int LIBUSB_CALL hotplug_cb(libusb_context *usb, libusb_device *dev, libusb_hotplug_event ev, void *user)
{
    (void)usb;
    fu_ctx *c = user;
    if (c->hp_fn)
        c->hp_fn(c->hp_user, libusb_get_bus_number(dev), libusb_get_device_address(dev),
                 ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED);
    return 0;
}

int fu_ctx_hotplug(fu_ctx *c, fu_hotplug_fn fn, void *user)
{
    if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG))
        return FERRY_ENOTSUP;
    c->hp_fn = fn;
    c->hp_user = user;
    if (c->hp_set)
        return 0;
    int r = libusb_hotplug_register_callback(
        c->usb, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0, LIBUSB_HOTPLUG_MATCH_ANY,
        LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, c, &c->hp);
    if (r < 0)
        return map_libusb(r);
    c->hp_set = true;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Finding the MTP interface                                             */

typedef struct mtp_if {
    int iface;
    uint8_t ep_in, ep_out, ep_int;
    uint16_t mps;
    uint8_t iinterface;
    bool still_image;
} mtp_if;

/* Looks for an interface with bulk-IN, bulk-OUT and interrupt-IN: class 6
 * (still image) or vendor-specific (the caller checks the "MTP" name). */
static bool find_mtp_if(libusb_device *dev, mtp_if *out)
{
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) < 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) < 0)
        return false;
    bool found = false;
    for (int i = 0; i < cfg->bNumInterfaces && !found; i++) {
        const struct libusb_interface *itf = &cfg->interface[i];
        for (int a = 0; a < itf->num_altsetting && !found; a++) {
            const struct libusb_interface_descriptor *id = &itf->altsetting[a];
            if (id->bInterfaceClass != LIBUSB_CLASS_IMAGE && id->bInterfaceClass != LIBUSB_CLASS_VENDOR_SPEC)
                continue;
            mtp_if m = {.iface = id->bInterfaceNumber, .iinterface = id->iInterface,
                        .still_image = id->bInterfaceClass == LIBUSB_CLASS_IMAGE};
            for (int e = 0; e < id->bNumEndpoints; e++) {
                const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
                uint8_t type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
                bool in = ep->bEndpointAddress & LIBUSB_ENDPOINT_IN;
                if (type == LIBUSB_TRANSFER_TYPE_BULK && in && !m.ep_in) {
                    m.ep_in = ep->bEndpointAddress;
                    m.mps = ep->wMaxPacketSize;
                } else if (type == LIBUSB_TRANSFER_TYPE_BULK && !in && !m.ep_out) {
                    m.ep_out = ep->bEndpointAddress;
                } else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in && !m.ep_int) {
                    m.ep_int = ep->bEndpointAddress;
                }
            }
            if (m.ep_in && m.ep_out) {
                *out = m;
                found = true;
            }
        }
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

/* A USB string descriptor as UTF-8 (malloc'd) in *out, NULL when the
 * device has none. 0, or FERRY_ENOMEM. */
static int get_string(libusb_device_handle *h, uint8_t idx, char **out)
{
    *out = NULL;
    if (!idx)
        return 0;
    uint8_t lang[4];
    int r = libusb_get_string_descriptor(h, 0, 0, lang, sizeof(lang));
    if (r > 0)
        DEVICE_WROTE(lang, (size_t)r);
    uint16_t langid = r >= 4 ? (uint16_t)(lang[2] | lang[3] << 8) : 0x0409;
    uint8_t buf[256];
    r = libusb_get_string_descriptor(h, idx, langid, buf, sizeof(buf));
    if (r > 0)
        DEVICE_WROTE(buf, (size_t)r);
    if (r < 2 || buf[1] != LIBUSB_DT_STRING)
        return 0;
    size_t n = ((size_t)(r < buf[0] ? r : buf[0]) - 2) / 2;
    char *s = fy_malloc(n * 4 + 1);
    if (!s)
        return FERRY_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = (uint32_t)(buf[2 + 2 * i] | buf[3 + 2 * i] << 8);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < n) {
            uint32_t lo = (uint32_t)(buf[4 + 2 * i] | buf[5 + 2 * i] << 8);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp == 0)
            break;
        if (cp < 0x80) {
            s[o++] = (char)cp;
        } else if (cp < 0x800) {
            s[o++] = (char)(0xC0 | cp >> 6);
            s[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s[o++] = (char)(0xE0 | cp >> 12);
            s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            s[o++] = (char)(0xF0 | cp >> 18);
            s[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            s[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    s[o] = 0;
    /* trailing spaces are common padding */
    while (o && s[o - 1] == ' ')
        s[--o] = 0;
    *out = s;
    return 0;
}

int fu_enumerate(fu_ctx *c, ferry_device_desc **list, size_t *n)
{
    libusb_device **devs;
    ssize_t cnt = libusb_get_device_list(c->usb, &devs);
    *list = NULL;
    *n = 0;
    if (cnt < 0)
        return map_libusb((int)cnt);
    ferry_device_desc *out = fy_calloc((size_t)cnt + 1, sizeof(*out));
    if (!out) {
        libusb_free_device_list(devs, 1);
        return FERRY_ENOMEM;
    }
    size_t k = 0;
    int rc = 0;
    for (ssize_t i = 0; i < cnt && rc == 0; i++) {
        libusb_device *dev = devs[i];
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(dev, &dd) < 0)
            continue;
        if (dd.bDeviceClass == LIBUSB_CLASS_HUB)
            continue;
        bool known = false;
        uint32_t quirks = fu_quirks(dd.idVendor, dd.idProduct, &known);
        mtp_if m;
        bool has_if = find_mtp_if(dev, &m);
        if (!has_if && !known)
            continue;
        libusb_device_handle *h = NULL;
        bool opened = libusb_open(dev, &h) == 0;
        if (has_if && !m.still_image && !known) {
            /* vendor-specific: only an interface named "MTP" counts */
            char *name = NULL;
            if (opened)
                rc = get_string(h, m.iinterface, &name);
            bool mtp = name && strstr(name, "MTP");
            fy_free(name);
            if (!mtp) {
                if (opened)
                    libusb_close(h);
                continue;
            }
        }
        ferry_device_desc *d = &out[k++];
        d->bus = libusb_get_bus_number(dev);
        d->address = libusb_get_device_address(dev);
        d->vid = dd.idVendor;
        d->pid = dd.idProduct;
        d->quirks = quirks;
        d->known = known;
        uint8_t ports[8];
        int np = libusb_get_port_numbers(dev, ports, sizeof(ports));
        int o = snprintf(d->port_path, sizeof(d->port_path), "%u", d->bus);
        for (int p = 0; p < np && o > 0 && (size_t)o < sizeof(d->port_path); p++)
            o += snprintf(d->port_path + o, sizeof(d->port_path) - (size_t)o, "%c%u", p ? '.' : '-', ports[p]);
        if (opened) {
            /* a string lost to an allocation failure is not "no string":
             * the device would then not match its serial number */
            rc = get_string(h, dd.iManufacturer, &d->manufacturer);
            if (rc == 0)
                rc = get_string(h, dd.iProduct, &d->product);
            if (rc == 0)
                rc = get_string(h, dd.iSerialNumber, &d->serial);
            libusb_close(h);
        }
    }
    libusb_free_device_list(devs, 1);
    if (rc < 0) {
        for (size_t i = 0; i < k; i++) {
            fy_free(out[i].manufacturer);
            fy_free(out[i].product);
            fy_free(out[i].serial);
        }
        fy_free(out);
        return rc;
    }
    *list = out;
    *n = k;
    return 0;
}

/* ------------------------------------------------------------------ */

int fu_open(fu_ctx *c, uint8_t bus, uint8_t addr, fu_dev **out)
{
    libusb_device **devs;
    ssize_t cnt = libusb_get_device_list(c->usb, &devs);
    if (cnt < 0)
        return map_libusb((int)cnt);
    libusb_device *dev = NULL;
    for (ssize_t i = 0; i < cnt; i++) {
        if (libusb_get_bus_number(devs[i]) == bus && libusb_get_device_address(devs[i]) == addr) {
            dev = libusb_ref_device(devs[i]);
            break;
        }
    }
    libusb_free_device_list(devs, 1);
    if (!dev)
        return FERRY_ENODEV;
    mtp_if m;
    if (!find_mtp_if(dev, &m)) {
        libusb_unref_device(dev);
        return FERRY_ENODEV;
    }
    fu_dev *d = fy_calloc(1, sizeof(*d));
    if (!d) {
        libusb_unref_device(dev);
        return FERRY_ENOMEM;
    }
    int r = libusb_open(dev, &d->h);
    libusb_unref_device(dev);
    if (r < 0) {
        fy_free(d);
        return map_libusb(r);
    }
    libusb_set_auto_detach_kernel_driver(d->h, 1);
    r = libusb_claim_interface(d->h, m.iface);
    if (r < 0) {
        libusb_close(d->h);
        fy_free(d);
        return r == LIBUSB_ERROR_BUSY ? FERRY_EDEVICE_BUSY : map_libusb(r);
    }
    d->c = c;
    d->iface = (uint8_t)m.iface;
    d->ep_in = m.ep_in;
    d->ep_out = m.ep_out;
    d->ep_int = m.ep_int;
    d->mps = m.mps ? m.mps : 512;
    atomic_init(&d->gone, false);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->mu, NULL);
    *out = d;
    return 0;
}

void fu_close(fu_dev *d)
{
    if (!d)
        return;
    fu_events_stop(d);
    libusb_release_interface(d->h, d->iface);
    libusb_close(d->h);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    fy_free(d);
}

bool fu_gone(fu_dev *d)
{
    return atomic_load(&d->gone);
}

uint16_t fu_mps(fu_dev *d)
{
    return d->mps;
}

uint8_t fu_ep_in(fu_dev *d)
{
    return d->ep_in;
}

uint8_t fu_ep_out(fu_dev *d)
{
    return d->ep_out;
}

uint8_t fu_iface(fu_dev *d)
{
    return d->iface;
}

int fu_control(fu_dev *d, uint8_t rtype, uint8_t req, uint16_t value, uint16_t index, void *data, uint16_t len,
               unsigned timeout_ms)
{
    if (fu_gone(d))
        return FERRY_ENODEV;
    int r = libusb_control_transfer(d->h, rtype, req, value, index, data, len, timeout_ms);
    if (r > 0 && (rtype & LIBUSB_ENDPOINT_IN))
        DEVICE_WROTE(data, (size_t)r);
    if (r == LIBUSB_ERROR_NO_DEVICE)
        atomic_store(&d->gone, true);
    if (r == LIBUSB_ERROR_PIPE)
        return FERRY_EIO;
    return r < 0 ? map_libusb(r) : r;
}

int fu_clear_halt(fu_dev *d, uint8_t ep)
{
    int r = libusb_clear_halt(d->h, ep);
    if (r == LIBUSB_ERROR_NO_DEVICE)
        atomic_store(&d->gone, true);
    return map_libusb(r);
}

int fu_port_reset(fu_dev *d)
{
    return map_libusb(libusb_reset_device(d->h));
}

/* ------------------------------------------------------------------ */
/* Pipes                                                                 */

static void LIBUSB_CALL urb_cb(struct libusb_transfer *t)
{
    fu_urb *u = t->user_data;
    fu_pipe *p = u->pipe;
    fu_dev *d = p->d;
    int res;
    bool stalled = false;
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED: res = 0; break;
    case LIBUSB_TRANSFER_CANCELLED: res = FERRY_ECANCELLED; break;
    case LIBUSB_TRANSFER_STALL: res = FERRY_EIO; stalled = true; break;
    case LIBUSB_TRANSFER_NO_DEVICE:
        res = FERRY_ENODEV;
        atomic_store(&d->gone, true);
        break;
    case LIBUSB_TRANSFER_TIMED_OUT: res = FERRY_ETIMEDOUT; break;
    case LIBUSB_TRANSFER_OVERFLOW: res = FERRY_EOVERFLOW; break;
    default: res = FERRY_EIO; break;
    }
    if (t->actual_length > 0 && (t->endpoint & LIBUSB_ENDPOINT_IN))
        DEVICE_WROTE(t->buffer, (size_t)t->actual_length);
    pthread_mutex_lock(&d->mu);
    u->actual = (size_t)t->actual_length;
    u->result = res;
    u->stalled = stalled;
    u->state = URB_DONE;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

int fu_pipe_new(fu_dev *d, enum fu_ep ep, unsigned depth, size_t size, fu_pipe **out)
{
    if (!depth || !size)
        return FERRY_EINVAL;
    uint8_t addr = ep == FU_EP_IN ? d->ep_in : ep == FU_EP_OUT ? d->ep_out : d->ep_int;
    if (!addr)
        return FERRY_ENOTSUP;
    fu_pipe *p = fy_calloc(1, sizeof(*p));
    if (!p)
        return FERRY_ENOMEM;
    p->urbs = fy_calloc(depth, sizeof(fu_urb));
    if (!p->urbs) {
        fy_free(p);
        return FERRY_ENOMEM;
    }
    p->d = d;
    p->ep = addr;
    p->interrupt = ep == FU_EP_INT;
    p->depth = depth;
    for (unsigned i = 0; i < depth; i++) {
        fu_urb *u = &p->urbs[i];
        u->pipe = p;
        u->cap = size;
        u->buf = fy_malloc(size);
        u->xfer = libusb_alloc_transfer(0);
        if (!u->buf || !u->xfer) {
            fu_pipe_free(p);
            return FERRY_ENOMEM;
        }
    }
    *out = p;
    return 0;
}

void fu_pipe_free(fu_pipe *p)
{
    if (!p)
        return;
    fu_pipe_abort(p);
    fu_pipe_reset(p, 10000);
    for (unsigned i = 0; i < p->depth; i++) {
        if (p->urbs[i].xfer)
            libusb_free_transfer(p->urbs[i].xfer);
        fy_free(p->urbs[i].buf);
    }
    fy_free(p->urbs);
    fy_free(p);
}

fu_urb *fu_pipe_idle(fu_pipe *p)
{
    fu_urb *u = NULL;
    pthread_mutex_lock(&p->d->mu);
    if (p->count < p->depth) {
        fu_urb *c = &p->urbs[(p->head + p->count) % p->depth];
        if (c->state == URB_IDLE)
            u = c;
    }
    pthread_mutex_unlock(&p->d->mu);
    return u;
}

int fu_pipe_submit(fu_pipe *p, fu_urb *u, size_t len, bool zlp)
{
    fu_dev *d = p->d;
    if (len > u->cap)
        return FERRY_EINVAL;
    struct libusb_transfer *t = u->xfer;
    pthread_mutex_lock(&d->mu);
    if (p->aborted) {
        pthread_mutex_unlock(&d->mu);
        return FERRY_ECANCELLED;
    }
    if (u != &p->urbs[(p->head + p->count) % p->depth] || u->state != URB_IDLE || p->count == p->depth) {
        pthread_mutex_unlock(&d->mu);
        return FERRY_EINTERNAL;
    }
    if (p->interrupt)
        libusb_fill_interrupt_transfer(t, d->h, p->ep, u->buf, (int)len, urb_cb, u, 0);
    else
        libusb_fill_bulk_transfer(t, d->h, p->ep, u->buf, (int)len, urb_cb, u, 0);
    t->flags = zlp ? LIBUSB_TRANSFER_ADD_ZERO_PACKET : 0;
    u->len = len;
    u->actual = 0;
    u->result = 0;
    u->stalled = false;
    u->state = URB_INFLIGHT;
    p->count++;
    pthread_mutex_unlock(&d->mu);

    int r = libusb_submit_transfer(t);
    pthread_mutex_lock(&d->mu);
    if (r < 0) {
        /* it is the newest: take it back out of the ring */
        u->state = URB_IDLE;
        p->count--;
        if (r == LIBUSB_ERROR_NO_DEVICE)
            atomic_store(&d->gone, true);
        pthread_mutex_unlock(&d->mu);
        return map_libusb(r);
    }
    bool cancel = p->aborted; /* an abort raced with the submit */
    pthread_mutex_unlock(&d->mu);
    if (cancel)
        libusb_cancel_transfer(t);
    return 0;
}

unsigned fu_pipe_inflight(fu_pipe *p)
{
    pthread_mutex_lock(&p->d->mu);
    unsigned n = p->count;
    pthread_mutex_unlock(&p->d->mu);
    return n;
}

int fu_pipe_wait(fu_pipe *p, unsigned timeout_ms, fu_urb **out)
{
    fu_dev *d = p->d;
    struct timespec dl;
    deadline_after(&dl, timeout_ms);
    pthread_mutex_lock(&d->mu);
    if (p->count == 0) {
        pthread_mutex_unlock(&d->mu);
        return FERRY_EEND;
    }
    fu_urb *u = &p->urbs[p->head];
    while (u->state != URB_DONE) {
        if (timeout_ms == 0 || pthread_cond_timedwait(&d->cv, &d->mu, &dl) == ETIMEDOUT) {
            if (u->state == URB_DONE)
                break;
            pthread_mutex_unlock(&d->mu);
            return FERRY_ETIMEDOUT;
        }
    }
    u->state = URB_HELD;
    p->head = (p->head + 1) % p->depth;
    p->count--;
    pthread_mutex_unlock(&d->mu);
    *out = u;
    return 0;
}

void fu_pipe_release(fu_pipe *p, fu_urb *u)
{
    pthread_mutex_lock(&p->d->mu);
    if (u->state == URB_HELD)
        u->state = URB_IDLE;
    pthread_mutex_unlock(&p->d->mu);
}

void fu_pipe_abort(fu_pipe *p)
{
    fu_dev *d = p->d;
    struct libusb_transfer *list[64];
    unsigned n = 0;
    pthread_mutex_lock(&d->mu);
    p->aborted = true;
    for (unsigned i = 0; i < p->depth && n < 64; i++)
        if (p->urbs[i].state == URB_INFLIGHT)
            list[n++] = p->urbs[i].xfer;
    pthread_mutex_unlock(&d->mu);
    for (unsigned i = 0; i < n; i++)
        libusb_cancel_transfer(list[i]); /* NOT_FOUND if it just completed */
}

bool fu_pipe_aborted(fu_pipe *p)
{
    pthread_mutex_lock(&p->d->mu);
    bool a = p->aborted;
    pthread_mutex_unlock(&p->d->mu);
    return a;
}

int fu_pipe_reset(fu_pipe *p, unsigned timeout_ms)
{
    fu_dev *d = p->d;
    struct timespec dl;
    deadline_after(&dl, timeout_ms);
    pthread_mutex_lock(&d->mu);
    for (;;) {
        bool busy = false;
        for (unsigned i = 0; i < p->depth; i++)
            if (p->urbs[i].state == URB_INFLIGHT)
                busy = true;
        if (!busy)
            break;
        if (pthread_cond_timedwait(&d->cv, &d->mu, &dl) == ETIMEDOUT) {
            pthread_mutex_unlock(&d->mu);
            return FERRY_ETIMEDOUT;
        }
    }
    for (unsigned i = 0; i < p->depth; i++)
        p->urbs[i].state = URB_IDLE;
    p->head = 0;
    p->count = 0;
    p->aborted = false;
    pthread_mutex_unlock(&d->mu);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Events                                                                */

static void LIBUSB_CALL ev_cb(struct libusb_transfer *t)
{
    fu_dev *d = t->user_data;
    bool resubmit = false;
    if (t->status == LIBUSB_TRANSFER_COMPLETED) {
        if (t->actual_length > 0) {
            DEVICE_WROTE(t->buffer, (size_t)t->actual_length);
            if (d->ev_fn)
                d->ev_fn(d->ev_user, t->buffer, (size_t)t->actual_length, 0);
        }
        pthread_mutex_lock(&d->mu);
        resubmit = !d->ev_stopping;
        pthread_mutex_unlock(&d->mu);
        int r = resubmit ? libusb_submit_transfer(t) : 0;
        if (r < 0) {
            /* gone between the event and the resubmit: the only word of
             * it when no other transfer is in flight */
            resubmit = false;
            if (r == LIBUSB_ERROR_NO_DEVICE)
                atomic_store(&d->gone, true);
            if (d->ev_fn)
                d->ev_fn(d->ev_user, NULL, 0, r == LIBUSB_ERROR_NO_DEVICE ? FERRY_ENODEV : FERRY_EIO);
        }
    } else if (t->status == LIBUSB_TRANSFER_NO_DEVICE) {
        atomic_store(&d->gone, true);
        if (d->ev_fn)
            d->ev_fn(d->ev_user, NULL, 0, FERRY_ENODEV);
    } else if (t->status != LIBUSB_TRANSFER_CANCELLED && d->ev_fn) {
        d->ev_fn(d->ev_user, NULL, 0, FERRY_EIO);
    }
    if (!resubmit) {
        pthread_mutex_lock(&d->mu);
        d->ev_running = false;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
}

int fu_events_start(fu_dev *d, fu_int_fn fn, void *user)
{
    if (!d->ep_int)
        return FERRY_ENOTSUP;
    if (d->ev_running)
        return 0;
    if (!d->ev) {
        d->ev = libusb_alloc_transfer(0);
        if (!d->ev)
            return FERRY_ENOMEM;
    }
    d->ev_fn = fn;
    d->ev_user = user;
    d->ev_stopping = false;
    libusb_fill_interrupt_transfer(d->ev, d->h, d->ep_int, d->ev_buf, sizeof(d->ev_buf), ev_cb, d, 0);
    d->ev_running = true;
    int r = libusb_submit_transfer(d->ev);
    if (r < 0) {
        d->ev_running = false;
        return map_libusb(r);
    }
    return 0;
}

void fu_events_stop(fu_dev *d)
{
    if (!d->ev)
        return;
    pthread_mutex_lock(&d->mu);
    d->ev_stopping = true;
    bool running = d->ev_running;
    pthread_mutex_unlock(&d->mu);
    if (running)
        libusb_cancel_transfer(d->ev);
    struct timespec dl;
    deadline_after(&dl, 5000);
    pthread_mutex_lock(&d->mu);
    while (d->ev_running)
        if (pthread_cond_timedwait(&d->cv, &d->mu, &dl) == ETIMEDOUT)
            break;
    bool still = d->ev_running;
    pthread_mutex_unlock(&d->mu);
    if (!still) {
        libusb_free_transfer(d->ev);
        d->ev = NULL;
    }
}

const fu_transport fu_libusb = {
    .open = fu_open,
    .close = fu_close,
    .gone = fu_gone,
    .mps = fu_mps,
    .iface = fu_iface,
    .ep_in = fu_ep_in,
    .control = fu_control,
    .clear_halt = fu_clear_halt,
    .port_reset = fu_port_reset,
    .pipe_new = fu_pipe_new,
    .pipe_free = fu_pipe_free,
    .pipe_idle = fu_pipe_idle,
    .pipe_submit = fu_pipe_submit,
    .pipe_inflight = fu_pipe_inflight,
    .pipe_wait = fu_pipe_wait,
    .pipe_release = fu_pipe_release,
    .pipe_abort = fu_pipe_abort,
    .pipe_reset = fu_pipe_reset,
    .pipe_aborted = fu_pipe_aborted,
    .events_start = fu_events_start,
    .events_stop = fu_events_stop,
};
