/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mtp-probe: a small MTP host on plain libusb-1.0 that the integration
 * tests run under ferry-vdev to prove what each persona does after a
 * cancel, a dropped transaction or a Device Reset. It knows nothing of
 * libferry: it speaks the still image class itself, with the codec only
 * for containers and datasets.
 *
 *   mtp-probe SCENARIO [ARG...]
 *
 * Every fact it learns is printed as a line "key=value" on standard
 * output, for the shell tests to grep; notes go to standard error. Every
 * wait is bounded. Exit status: 0 when the scenario ran to its end (the
 * facts say what happened), 1 when the device could not be used at all,
 * 2 for a usage error.
 *
 * Scenarios:
 *   info                      DeviceInfo facts (GetObjectPropList offered?)
 *   proplist                  GetObjectPropList on the root: response code
 *   cancel NAME               GetObject of NAME, read 256 KiB, then the
 *                             host cancel sequence of CONTRACT.md
 *   cancel-cmd-early NAME     the same, but a command is sent right after
 *                             the drain, before any Get Device Status
 *   cancel-cmd-before-event NAME
 *                             the same, but after the status is OK a
 *                             command is sent before the event is read
 *   status-short              Get Device Status with wLength 4, then 8
 *   drop NAME                 GetObject of NAME, read a little, abandon it
 *                             without a cancel, send a command; then
 *                             release, close, reopen, claim and try again
 *   reset                     Device Reset, then OpenSession; then reopen
 *                             and OpenSession again
 *   cancel-send NAME SIZE PART
 *                             SendObjectInfo for NAME of SIZE bytes,
 *                             SendObject with PART bytes of data, cancel
 *   drain-open                drain bulk-IN until quiet (what a killed
 *                             client left), then OpenSession
 *   recover                   what a careful host does on open: Cancel
 *                             Request, drain, status until OK, event,
 *                             then OpenSession and a command
 *   noanswer                  GetStorageIDs; if no answer comes, cancel
 *                             it and try the next command
 *   event MS                  wait up to MS ms for an event
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libusb.h>

#include "codec/codec.h"

#define REQ_CANCEL 0x64
#define REQ_RESET 0x66
#define REQ_STATUS 0x67

#define CMD_TIMEOUT_MS 2000   /* an answer that takes longer is "none" */
#define QUIET_MS 300          /* bulk-IN silent this long: drained */
#define DRAIN_MAX_MS 20000    /* never drain longer than this */
#define STATUS_POLLS_MAX 400
#define STATUS_MAX_MS 10000   /* never poll longer than this */
#define STATUS_POLL_GAP_US 2000
#define NO_ANSWER_MS 1000     /* how long "does not answer" is tested */

typedef struct probe {
    libusb_context *ctx;
    libusb_device_handle *h;
    int iface;
    uint8_t ep_in, ep_out, ep_int;
    uint16_t mps;
    uint32_t tid;
    uint32_t expect_tid; /* of the last command sent */
    unsigned stale;      /* containers of other transactions read since */
} probe;

static void fact(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fact(const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s=", key);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mtp-probe: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ */
/* Opening                                                               */

static int find_interface(libusb_device *dev, probe *p)
{
    struct libusb_config_descriptor *cfg;
    if (libusb_get_active_config_descriptor(dev, &cfg) < 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) < 0)
        return -1;
    int found = -1;
    for (int i = 0; i < cfg->bNumInterfaces && found < 0; i++) {
        const struct libusb_interface_descriptor *id = &cfg->interface[i].altsetting[0];
        if (id->bInterfaceClass != LIBUSB_CLASS_IMAGE)
            continue;
        p->ep_in = p->ep_out = p->ep_int = 0;
        for (int e = 0; e < id->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *ed = &id->endpoint[e];
            int type = ed->bmAttributes & 3;
            if (type == LIBUSB_TRANSFER_TYPE_BULK && (ed->bEndpointAddress & 0x80)) {
                p->ep_in = ed->bEndpointAddress;
                p->mps = ed->wMaxPacketSize;
            } else if (type == LIBUSB_TRANSFER_TYPE_BULK) {
                p->ep_out = ed->bEndpointAddress;
            } else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
                p->ep_int = ed->bEndpointAddress;
            }
        }
        if (p->ep_in && p->ep_out)
            found = id->bInterfaceNumber;
    }
    libusb_free_config_descriptor(cfg);
    return found;
}

static int probe_open(probe *p)
{
    libusb_device **list;
    ssize_t n = libusb_get_device_list(p->ctx, &list);
    if (n < 0) {
        note("cannot list devices: %s", libusb_error_name((int)n));
        return -1;
    }
    int rc = -1;
    for (ssize_t i = 0; i < n && rc < 0; i++) {
        int iface = find_interface(list[i], p);
        if (iface < 0)
            continue;
        int r = libusb_open(list[i], &p->h);
        if (r < 0) {
            note("cannot open: %s", libusb_error_name(r));
            continue;
        }
        r = libusb_claim_interface(p->h, iface);
        if (r < 0) {
            note("cannot claim: %s", libusb_error_name(r));
            libusb_close(p->h);
            p->h = NULL;
            continue;
        }
        p->iface = iface;
        rc = 0;
    }
    libusb_free_device_list(list, 1);
    if (rc < 0)
        note("no MTP device");
    return rc;
}

static void probe_close(probe *p)
{
    if (!p->h)
        return;
    libusb_release_interface(p->h, p->iface);
    libusb_close(p->h);
    p->h = NULL;
}

/* ------------------------------------------------------------------ */
/* Containers                                                            */

static int send_command(probe *p, uint16_t code, uint32_t nparams, const uint32_t *params, uint32_t *tid_out)
{
    fc_msg m = {.code = code, .tid = p->tid++, .nparams = nparams};
    for (uint32_t i = 0; i < nparams; i++)
        m.params[i] = params[i];
    uint8_t buf[32];
    int n = fc_msg_encode(FC_CT_COMMAND, &m, buf);
    if (n < 0)
        return n;
    int done = 0;
    int r = libusb_bulk_transfer(p->h, p->ep_out, buf, n, &done, CMD_TIMEOUT_MS);
    if (r < 0)
        return r;
    if (tid_out)
        *tid_out = m.tid;
    p->expect_tid = m.tid;
    return 0;
}

/* Reads one bulk-IN transfer of at most cap bytes. */
static int bulk_in(probe *p, uint8_t *buf, int cap, int *got, unsigned timeout_ms)
{
    *got = 0;
    return libusb_bulk_transfer(p->h, p->ep_in, buf, cap, got, timeout_ms);
}

/* Reads the data phase (if any) and the response of a transaction.
 * *data (malloc'd, may be NULL) gets the payload. Returns 0 with *resp
 * set, or a libusb error (LIBUSB_ERROR_TIMEOUT: no answer in time). */
static int read_answer(probe *p, unsigned timeout_ms, fc_msg *resp, uint8_t **data, size_t *dlen)
{
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    uint64_t deadline = now_ms() + timeout_ms;
    uint64_t want = 0; /* whole data container length, 0 = none yet */
    unsigned stale = 0;
    if (data)
        *data = NULL;
    if (dlen)
        *dlen = 0;
    if (!buf)
        return LIBUSB_ERROR_NO_MEM;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            free(buf);
            return LIBUSB_ERROR_TIMEOUT;
        }
        if (cap - len < 65536) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return LIBUSB_ERROR_NO_MEM;
            }
            buf = nb;
            cap *= 2;
        }
        int got = 0;
        int r = bulk_in(p, buf + len, (int)((cap - len) / p->mps * p->mps), &got, (unsigned)(deadline - now));
        if (r < 0 && !(r == LIBUSB_ERROR_TIMEOUT && got > 0)) {
            free(buf);
            return r;
        }
        if (want == 0) {
            /* start of a container */
            fc_hdr h;
            if (fc_hdr_decode(buf, (size_t)got, &h) < 0) {
                if (!stale++)
                    note("skipping bytes that are not a container (stale data)");
                continue;
            }
            if (h.tid != p->expect_tid && (h.type == FC_CT_RESPONSE || h.type == FC_CT_DATA)) {
                /* what is left of another transaction (a cancelled one) */
                p->stale++;
                note("skipping a container of tid %u (waiting for %u)", h.tid, p->expect_tid);
                continue;
            }
            if (h.type == FC_CT_RESPONSE) {
                int rc = fc_msg_decode(FC_CT_RESPONSE, buf, (size_t)got, resp);
                if (rc < 0) {
                    note("bad response container (%d bytes)", got);
                    continue;
                }
                free(buf);
                return 0;
            }
            if (h.type != FC_CT_DATA) {
                note("container type %u ignored", h.type);
                continue;
            }
            want = h.length == FC_LEN_UNKNOWN ? UINT64_MAX : h.length;
            len = (size_t)got;
        } else {
            len += (size_t)got;
        }
        bool ended = (got % p->mps) != 0 || got == 0 || len >= want;
        if (ended) {
            if (data) {
                *data = malloc(len > FC_HDR_LEN ? len - FC_HDR_LEN : 1);
                if (*data && len > FC_HDR_LEN)
                    memcpy(*data, buf + FC_HDR_LEN, len - FC_HDR_LEN);
                if (dlen)
                    *dlen = len > FC_HDR_LEN ? len - FC_HDR_LEN : 0;
            }
            bool zlp_due = len == want && want % p->mps == 0 && got != 0;
            want = 0;
            len = 0;
            if (zlp_due) {
                /* a data container of whole packets ends with a
                 * zero-length packet; a response can come instead */
                int g2 = 0;
                uint64_t t = now_ms();
                /* never 0: libusb takes a timeout of 0 as none */
                r = bulk_in(p, buf, p->mps, &g2, (unsigned)(deadline > t ? deadline - t : 1));
                if (r == 0 && g2 >= (int)FC_HDR_LEN) {
                    if (fc_msg_decode(FC_CT_RESPONSE, buf, (size_t)g2, resp) == 0 && resp->tid == p->expect_tid) {
                        free(buf);
                        return 0;
                    }
                }
            }
        }
    }
}

static int transact(probe *p, uint16_t code, uint32_t nparams, const uint32_t *params, fc_msg *resp,
                    uint8_t **data, size_t *dlen, unsigned timeout_ms)
{
    int r = send_command(p, code, nparams, params, NULL);
    if (r < 0)
        return r;
    return read_answer(p, timeout_ms, resp, data, dlen);
}

static const char *answer_str(int r, const fc_msg *resp, char buf[32])
{
    if (r == 0)
        snprintf(buf, 32, "0x%04x", resp->code);
    else if (r == LIBUSB_ERROR_TIMEOUT)
        snprintf(buf, 32, "none");
    else
        snprintf(buf, 32, "%s", libusb_error_name(r));
    return buf;
}

static int open_session(probe *p, uint16_t *code)
{
    uint32_t sid = 1;
    fc_msg resp;
    p->tid = 0;
    int r = transact(p, FC_OC_OpenSession, 1, &sid, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    p->tid = 1;
    if (r == 0 && code)
        *code = resp.code;
    return r;
}

/* Handle of the object called name anywhere on the device, 0 if none. */
static uint32_t find_object(probe *p, const char *name)
{
    uint32_t params[3] = {0xFFFFFFFF, 0, 0};
    fc_msg resp;
    uint8_t *data;
    size_t len;
    if (transact(p, FC_OC_GetObjectHandles, 3, params, &resp, &data, &len, 10000) < 0 || resp.code != FC_RC_OK)
        return 0;
    uint32_t *handles = NULL, count = 0, found = 0;
    if (fc_u32_array_decode(data, len, &handles, &count) < 0)
        count = 0;
    free(data);
    for (uint32_t i = 0; i < count && !found; i++) {
        uint8_t *oi_data;
        size_t oi_len;
        fc_object_info oi;
        if (transact(p, FC_OC_GetObjectInfo, 1, &handles[i], &resp, &oi_data, &oi_len, CMD_TIMEOUT_MS) < 0)
            break;
        if (resp.code == FC_RC_OK && fc_object_info_decode(oi_data, oi_len, &oi) == 0) {
            if (oi.filename && strcmp(oi.filename, name) == 0)
                found = handles[i];
            fc_object_info_free(&oi);
        }
        free(oi_data);
    }
    free(handles);
    return found;
}

/* ------------------------------------------------------------------ */
/* Streaming reads that the host abandons                                */

#define NSLOTS 4
#define SLOT_LEN (64 * 1024)

typedef struct slot {
    struct libusb_transfer *t;
    bool busy;
    uint8_t buf[SLOT_LEN];
} slot;

static void LIBUSB_CALL slot_done(struct libusb_transfer *t)
{
    slot *s = t->user_data;
    s->busy = false;
}

/* Keeps NSLOTS bulk-IN transfers queued until `want` bytes came, then
 * cancels the ones still pending (USBDEVFS_DISCARDURB) and waits for
 * them. Returns the bytes read. */
static uint64_t read_then_discard(probe *p, uint64_t want)
{
    slot *slots = calloc(NSLOTS, sizeof(slot));
    uint64_t total = 0;
    if (!slots)
        return 0;
    for (int i = 0; i < NSLOTS; i++) {
        slots[i].t = libusb_alloc_transfer(0);
        libusb_fill_bulk_transfer(slots[i].t, p->h, p->ep_in, slots[i].buf, SLOT_LEN, slot_done, &slots[i], 0);
        if (libusb_submit_transfer(slots[i].t) == 0)
            slots[i].busy = true;
    }
    uint64_t deadline = now_ms() + 10000;
    bool stop = false;
    while (!stop && now_ms() < deadline) {
        struct timeval tv = {0, 100000};
        libusb_handle_events_timeout_completed(p->ctx, &tv, NULL);
        for (int i = 0; i < NSLOTS; i++) {
            if (slots[i].busy || !slots[i].t)
                continue;
            total += (uint64_t)slots[i].t->actual_length;
            if (slots[i].t->status != LIBUSB_TRANSFER_COMPLETED) {
                note("bulk-IN transfer ended with status %d", slots[i].t->status);
                stop = true;
            }
            if (total >= want)
                stop = true;
            if (!stop && libusb_submit_transfer(slots[i].t) == 0)
                slots[i].busy = true;
            else {
                libusb_free_transfer(slots[i].t);
                slots[i].t = NULL;
            }
        }
    }
    for (int i = 0; i < NSLOTS; i++)
        if (slots[i].busy)
            libusb_cancel_transfer(slots[i].t);
    deadline = now_ms() + 2000;
    for (;;) {
        bool any = false;
        for (int i = 0; i < NSLOTS; i++)
            any |= slots[i].busy;
        if (!any || now_ms() > deadline)
            break;
        struct timeval tv = {0, 50000};
        libusb_handle_events_timeout_completed(p->ctx, &tv, NULL);
    }
    for (int i = 0; i < NSLOTS; i++) {
        if (!slots[i].t)
            continue;
        if (!slots[i].busy) {
            total += (uint64_t)slots[i].t->actual_length;
            libusb_free_transfer(slots[i].t);
        } else {
            note("a cancelled transfer never came back");
        }
    }
    free(slots);
    return total;
}

/* ------------------------------------------------------------------ */
/* The host cancel sequence (CONTRACT.md, the wire)                      */

static int cancel_request(probe *p, uint32_t tid)
{
    uint8_t d[6] = {0x01, 0x40, (uint8_t)tid, (uint8_t)(tid >> 8), (uint8_t)(tid >> 16), (uint8_t)(tid >> 24)};
    int r = libusb_control_transfer(p->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
                                              LIBUSB_RECIPIENT_INTERFACE,
                                    REQ_CANCEL, 0, (uint16_t)p->iface, d, sizeof(d), CMD_TIMEOUT_MS);
    return r < 0 ? r : 0;
}

/* Get Device Status: returns the code, or a negative libusb error. The
 * halted endpoints it lists go to eps. */
static int device_status(probe *p, uint16_t wlength, uint8_t *eps, int *neps)
{
    uint8_t buf[64] = {0};
    *neps = 0;
    int r = libusb_control_transfer(p->h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS |
                                              LIBUSB_RECIPIENT_INTERFACE,
                                    REQ_STATUS, 0, (uint16_t)p->iface, buf, wlength, CMD_TIMEOUT_MS);
    if (r < 0)
        return r;
    if (r < 4)
        return LIBUSB_ERROR_IO;
    int len = buf[0] | buf[1] << 8;
    if (len > r)
        len = r;
    for (int off = 4; off + 4 <= len && *neps < 8; off += 4)
        eps[(*neps)++] = buf[off];
    return buf[2] | buf[3] << 8;
}

/* Drains bulk-IN until it stays quiet. Returns the bytes drained; *stalled
 * tells whether the endpoint was halted; *last gets the last transfer's
 * first bytes (for a response container at the end). */
static uint64_t drain_in(probe *p, bool *stalled, uint8_t last[32], int *last_len)
{
    static uint8_t buf[1 << 20];
    uint64_t total = 0;
    uint64_t deadline = now_ms() + DRAIN_MAX_MS;
    *stalled = false;
    *last_len = 0;
    while (now_ms() < deadline) {
        int got = 0;
        int r = bulk_in(p, buf, sizeof(buf), &got, QUIET_MS);
        if (got > 0) {
            total += (uint64_t)got;
            *last_len = got < 32 ? got : 32;
            memcpy(last, buf, (size_t)*last_len);
        }
        if (r == LIBUSB_ERROR_PIPE) {
            *stalled = true;
            break;
        }
        if (r == LIBUSB_ERROR_TIMEOUT && got == 0)
            break; /* quiet */
        if (r < 0 && r != LIBUSB_ERROR_TIMEOUT) {
            note("drain: %s", libusb_error_name(r));
            break;
        }
    }
    return total;
}

/* Polls Get Device Status until OK, clearing halted endpoints. Prints
 * busy_polls, status_polls, halted, final_status. Returns the last code
 * (or a libusb error). */
static int poll_status(probe *p)
{
    int busy = 0, polls = 0, stalls = 0, code = 0;
    char halted[64] = "";
    size_t hl = 0;
    uint64_t deadline = now_ms() + STATUS_MAX_MS;
    while (polls < STATUS_POLLS_MAX && now_ms() < deadline) {
        uint8_t eps[8];
        int neps;
        code = device_status(p, 8, eps, &neps);
        polls++;
        if (code == LIBUSB_ERROR_PIPE) {
            if (++stalls > 3)
                break;
            continue;
        }
        if (code < 0)
            break;
        for (int i = 0; i < neps; i++) {
            if (hl < sizeof(halted) - 8)
                hl += (size_t)snprintf(halted + hl, sizeof(halted) - hl, "%s0x%02x", hl ? "," : "", eps[i]);
            int r = libusb_clear_halt(p->h, eps[i]);
            if (r < 0)
                note("clear halt 0x%02x: %s", eps[i], libusb_error_name(r));
        }
        if (code == FC_RC_DeviceBusy)
            busy++;
        if (code == FC_RC_OK && neps == 0)
            break;
        usleep(STATUS_POLL_GAP_US);
    }
    fact("status_polls", "%d", polls);
    fact("busy_polls", "%d", busy);
    fact("halted", "%s", hl ? halted : "none");
    if (code < 0)
        fact("final_status", "%s", libusb_error_name(code));
    else
        fact("final_status", "0x%04x", code);
    return code;
}

/* Reads one event from the interrupt endpoint. */
static void read_event(probe *p, unsigned timeout_ms)
{
    if (!p->ep_int) {
        fact("event", "none");
        return;
    }
    uint8_t buf[64];
    int got = 0;
    int r = libusb_interrupt_transfer(p->h, p->ep_int, buf, sizeof(buf), &got, timeout_ms);
    fc_msg ev;
    if (r == 0 && fc_msg_decode(FC_CT_EVENT, buf, (size_t)got, &ev) == 0) {
        fact("event", "0x%04x", ev.code);
        fact("event_param", "%u", ev.nparams ? ev.params[0] : 0);
    } else {
        fact("event", "none");
    }
}

enum cancel_variant { CV_PLAIN, CV_CMD_EARLY, CV_CMD_BEFORE_EVENT };

static int scenario_cancel(probe *p, const char *name, enum cancel_variant v)
{
    uint16_t oc;
    if (open_session(p, &oc) < 0)
        return 1;
    uint32_t h = find_object(p, name);
    if (!h) {
        note("no object %s", name);
        return 1;
    }
    uint32_t tid;
    if (send_command(p, FC_OC_GetObject, 1, &h, &tid) < 0)
        return 1;
    uint64_t got = read_then_discard(p, 256 * 1024);
    fact("read_before_cancel", "%" PRIu64, got);
    int r = cancel_request(p, tid);
    fact("cancel_request", "%s", r == 0 ? "ok" : libusb_error_name(r));
    uint64_t t0 = now_ms();
    bool stalled;
    uint8_t last[32];
    int last_len;
    uint64_t drained = drain_in(p, &stalled, last, &last_len);
    fact("drained", "%" PRIu64, drained);
    fact("in_stalled", "%s", stalled ? "yes" : "no");

    char ab[32];
    fc_msg resp;
    if (v == CV_CMD_EARLY) {
        /* does the device take a command before its status was polled? */
        send_command(p, FC_OC_GetStorageIDs, 0, NULL, NULL);
        r = read_answer(p, NO_ANSWER_MS, &resp, NULL, NULL);
        fact("answer_before_poll", "%s", answer_str(r, &resp, ab));
    }
    poll_status(p);
    if (v == CV_CMD_EARLY && r == LIBUSB_ERROR_TIMEOUT) {
        r = read_answer(p, CMD_TIMEOUT_MS, &resp, NULL, NULL);
        fact("answer_after_poll", "%s", answer_str(r, &resp, ab));
    }
    if (v == CV_CMD_BEFORE_EVENT) {
        send_command(p, FC_OC_GetStorageIDs, 0, NULL, NULL);
        r = read_answer(p, NO_ANSWER_MS, &resp, NULL, NULL);
        fact("answer_before_event", "%s", answer_str(r, &resp, ab));
        read_event(p, 500);
        if (r == LIBUSB_ERROR_TIMEOUT) {
            r = read_answer(p, CMD_TIMEOUT_MS, &resp, NULL, NULL);
            fact("answer_after_event", "%s", answer_str(r, &resp, ab));
        }
    } else {
        read_event(p, 300);
    }
    fact("recovery_ms", "%" PRIu64, now_ms() - t0);
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    return 0;
}

static int scenario_status_short(probe *p)
{
    uint8_t eps[8];
    int neps;
    int c = device_status(p, 4, eps, &neps);
    if (c == LIBUSB_ERROR_PIPE)
        fact("status4", "stall");
    else if (c < 0)
        fact("status4", "%s", libusb_error_name(c));
    else
        fact("status4", "0x%04x", c);
    c = device_status(p, 8, eps, &neps);
    if (c < 0)
        fact("status8", "%s", c == LIBUSB_ERROR_PIPE ? "stall" : libusb_error_name(c));
    else
        fact("status8", "0x%04x", c);
    return 0;
}

static int scenario_info(probe *p)
{
    uint16_t oc;
    if (open_session(p, &oc) < 0)
        return 1;
    fc_msg resp;
    uint8_t *data;
    size_t len;
    if (transact(p, FC_OC_GetDeviceInfo, 0, NULL, &resp, &data, &len, CMD_TIMEOUT_MS) < 0)
        return 1;
    fc_device_info di;
    if (fc_device_info_decode(data, len, &di) < 0) {
        free(data);
        return 1;
    }
    free(data);
    fact("manufacturer", "%s", di.manufacturer ? di.manufacturer : "");
    fact("model", "%s", di.model ? di.model : "");
    fact("serial", "%s", di.serial ? di.serial : "");
    fact("operations", "%u", di.n_operations);
    fact("has_proplist", "%s", fc_device_info_has_op(&di, FC_OC_GetObjectPropList) ? "yes" : "no");
    fact("has_partial64", "%s", fc_device_info_has_op(&di, FC_OC_GetPartialObject64) ? "yes" : "no");
    fc_device_info_free(&di);
    return 0;
}

static int scenario_proplist(probe *p)
{
    uint16_t oc;
    if (open_session(p, &oc) < 0)
        return 1;
    uint32_t params[5] = {0xFFFFFFFF, 0, FC_OPC_ObjectFileName, 0, 1};
    fc_msg resp;
    uint8_t *data = NULL;
    size_t len = 0;
    char ab[32];
    int r = transact(p, FC_OC_GetObjectPropList, 5, params, &resp, &data, &len, CMD_TIMEOUT_MS);
    fact("proplist", "%s", answer_str(r, &resp, ab));
    fact("proplist_bytes", "%zu", len);
    free(data);
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    return 0;
}

static int reopen(probe *p)
{
    probe_close(p);
    return probe_open(p);
}

static int scenario_drop(probe *p, const char *name)
{
    uint16_t oc;
    if (open_session(p, &oc) < 0)
        return 1;
    uint32_t h = find_object(p, name);
    if (!h) {
        note("no object %s", name);
        return 1;
    }
    if (send_command(p, FC_OC_GetObject, 1, &h, NULL) < 0)
        return 1;
    uint64_t got = read_then_discard(p, 64 * 1024);
    fact("read_before_drop", "%" PRIu64, got);
    /* no Cancel Request: the transaction is simply dropped */
    fc_msg resp;
    char ab[32];
    int r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, NO_ANSWER_MS);
    fact("answer_after_drop", "%s", answer_str(r, &resp, ab));
    if (reopen(p) < 0) {
        fact("reopen", "failed");
        return 0;
    }
    fact("reopen", "ok");
    r = open_session(p, &oc);
    fact("open_after_reopen", "%s", r == 0 ? (snprintf(ab, sizeof(ab), "0x%04x", oc), ab) : answer_str(r, NULL, ab));
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    return 0;
}

static int scenario_reset(probe *p)
{
    uint16_t oc;
    char ab[32];
    if (open_session(p, &oc) < 0)
        return 1;
    int r = libusb_control_transfer(p->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
                                              LIBUSB_RECIPIENT_INTERFACE,
                                    REQ_RESET, 0, (uint16_t)p->iface, NULL, 0, CMD_TIMEOUT_MS);
    fact("device_reset", "%s", r == 0 ? "ok" : (r == LIBUSB_ERROR_PIPE ? "stall" : libusb_error_name(r)));
    r = open_session(p, &oc);
    if (r == 0)
        snprintf(ab, sizeof(ab), "0x%04x", oc);
    fact("open_after_reset", "%s", r == 0 ? ab : answer_str(r, NULL, ab));
    uint8_t eps[8];
    int neps;
    int c = device_status(p, 8, eps, &neps);
    if (c < 0)
        fact("status_after_reset", "%s", c == LIBUSB_ERROR_PIPE ? "stall" : libusb_error_name(c));
    else
        fact("status_after_reset", "0x%04x", c);
    if (reopen(p) < 0) {
        fact("reopen", "failed");
        return 0;
    }
    fact("reopen", "ok");
    r = open_session(p, &oc);
    if (r == 0)
        snprintf(ab, sizeof(ab), "0x%04x", oc);
    fact("open_after_reopen", "%s", r == 0 ? ab : answer_str(r, NULL, ab));
    return 0;
}

static int send_data(probe *p, const uint8_t *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        int chunk = (int)(n - off > 65536 ? 65536 : n - off);
        int done = 0;
        int r = libusb_bulk_transfer(p->h, p->ep_out, (uint8_t *)buf + off, chunk, &done, CMD_TIMEOUT_MS);
        if (r < 0)
            return r;
        off += (size_t)done;
    }
    return 0;
}

static int scenario_cancel_send(probe *p, const char *name, uint64_t size, uint64_t part)
{
    uint16_t oc;
    char ab[32];
    if (open_session(p, &oc) < 0)
        return 1;
    fc_object_info oi = {
        .storage_id = 0,
        .format = FC_OFC_Undefined,
        .compressed_size = size >= 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)size,
        .parent = 0,
        .filename = (char *)name,
        .capture_date = (char *)"",
        .modification_date = (char *)"",
        .keywords = (char *)"",
    };
    fc_wr w;
    fc_wr_init(&w);
    fc_object_info_encode(&oi, &w);
    uint32_t params[2] = {0, 0xFFFFFFFF};
    uint32_t tid;
    if (w.err || send_command(p, FC_OC_SendObjectInfo, 2, params, &tid) < 0) {
        fc_wr_free(&w);
        return 1;
    }
    uint8_t hdr[FC_HDR_LEN];
    fc_data_hdr_encode(FC_OC_SendObjectInfo, tid, w.len, hdr);
    uint8_t *ds = malloc(FC_HDR_LEN + w.len);
    if (!ds) {
        fc_wr_free(&w);
        return 1;
    }
    memcpy(ds, hdr, FC_HDR_LEN);
    memcpy(ds + FC_HDR_LEN, w.buf, w.len);
    int r = send_data(p, ds, FC_HDR_LEN + w.len);
    if (r == 0 && (FC_HDR_LEN + w.len) % p->mps == 0) {
        int done;
        r = libusb_bulk_transfer(p->h, p->ep_out, ds, 0, &done, CMD_TIMEOUT_MS); /* zero-length packet */
    }
    free(ds);
    fc_wr_free(&w);
    fc_msg resp;
    if (r == 0)
        r = read_answer(p, CMD_TIMEOUT_MS, &resp, NULL, NULL);
    fact("send_object_info", "%s", answer_str(r, &resp, ab));
    if (r < 0 || resp.code != FC_RC_OK)
        return 0;
    fact("handle", "%u", resp.nparams >= 3 ? resp.params[2] : 0);

    if (send_command(p, FC_OC_SendObject, 0, NULL, &tid) < 0)
        return 1;
    size_t chunk = 1 << 20;
    uint8_t *buf = malloc(chunk);
    if (!buf)
        return 1;
    for (size_t i = 0; i < chunk; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    fc_data_hdr_encode(FC_OC_SendObject, tid, size, buf);
    uint64_t sent = 0;
    r = 0;
    while (sent < part && r == 0) {
        size_t n = part - sent > chunk ? chunk : (size_t)(part - sent);
        r = send_data(p, buf, n);
        if (r == 0)
            sent += n;
    }
    free(buf);
    fact("sent_before_cancel", "%" PRIu64, sent);
    r = cancel_request(p, tid);
    fact("cancel_request", "%s", r == 0 ? "ok" : libusb_error_name(r));
    bool stalled;
    uint8_t last[32];
    int last_len;
    uint64_t drained = drain_in(p, &stalled, last, &last_len);
    fact("drained", "%" PRIu64, drained);
    poll_status(p);
    read_event(p, 200);
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    return 0;
}

static int scenario_drain_open(probe *p)
{
    bool stalled;
    uint8_t last[32];
    int last_len;
    uint64_t t0 = now_ms();
    uint64_t drained = drain_in(p, &stalled, last, &last_len);
    fact("drained", "%" PRIu64, drained);
    fact("drain_ms", "%" PRIu64, now_ms() - t0);
    fc_msg m;
    if (last_len >= (int)FC_HDR_LEN && fc_msg_decode(FC_CT_RESPONSE, last, (size_t)last_len, &m) == 0) {
        fact("last_response", "0x%04x", m.code);
        fact("last_response_tid", "%u", m.tid);
    } else {
        fact("last_response", "none");
    }
    uint16_t oc;
    char ab[32];
    int r = open_session(p, &oc);
    if (r == 0)
        snprintf(ab, sizeof(ab), "0x%04x", oc);
    fact("open", "%s", r == 0 ? ab : answer_str(r, NULL, ab));
    fc_msg resp;
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    /* leave the device as a polite client would */
    transact(p, FC_OC_CloseSession, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    return 0;
}

static int scenario_recover(probe *p)
{
    int r = cancel_request(p, 0);
    fact("cancel_request", "%s", r == 0 ? "ok" : libusb_error_name(r));
    bool stalled;
    uint8_t last[32];
    int last_len;
    uint64_t drained = drain_in(p, &stalled, last, &last_len);
    fact("drained", "%" PRIu64, drained);
    poll_status(p);
    read_event(p, 100);
    uint16_t oc;
    char ab[32];
    r = open_session(p, &oc);
    if (r == 0)
        snprintf(ab, sizeof(ab), "0x%04x", oc);
    fact("open", "%s", r == 0 ? ab : answer_str(r, NULL, ab));
    fc_msg resp;
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    transact(p, FC_OC_CloseSession, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    return 0;
}

static int scenario_noanswer(probe *p)
{
    uint16_t oc;
    char ab[32];
    if (open_session(p, &oc) < 0)
        return 1;
    uint32_t tid;
    if (send_command(p, FC_OC_GetStorageIDs, 0, NULL, &tid) < 0)
        return 1;
    fc_msg resp;
    int r = read_answer(p, NO_ANSWER_MS, &resp, NULL, NULL);
    fact("answer", "%s", answer_str(r, &resp, ab));
    if (r == LIBUSB_ERROR_TIMEOUT) {
        r = cancel_request(p, tid);
        fact("cancel_request", "%s", r == 0 ? "ok" : libusb_error_name(r));
        bool stalled;
        uint8_t last[32];
        int last_len;
        fact("drained", "%" PRIu64, drain_in(p, &stalled, last, &last_len));
        poll_status(p);
    }
    r = transact(p, FC_OC_GetStorageIDs, 0, NULL, &resp, NULL, NULL, CMD_TIMEOUT_MS);
    fact("next", "%s", answer_str(r, &resp, ab));
    return 0;
}

static void usage(FILE *out)
{
    fputs("usage: mtp-probe info | proplist | status-short | reset | drain-open | recover | noanswer\n"
          "       mtp-probe event MS\n"
          "       mtp-probe cancel | cancel-cmd-early | cancel-cmd-before-event | drop NAME\n"
          "       mtp-probe cancel-send NAME SIZE PART\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    probe p = {0};
    int r = libusb_init(&p.ctx);
    if (r < 0) {
        note("libusb_init: %s", libusb_error_name(r));
        return 1;
    }
    const char *sc = argv[1];
    int rc = 2;
    bool need_name = strcmp(sc, "cancel") == 0 || strcmp(sc, "cancel-cmd-early") == 0 ||
                     strcmp(sc, "cancel-cmd-before-event") == 0 || strcmp(sc, "drop") == 0 ||
                     strcmp(sc, "event") == 0;
    if ((need_name && argc != 3) || (strcmp(sc, "cancel-send") == 0 && argc != 5)) {
        usage(stderr);
        libusb_exit(p.ctx);
        return 2;
    }
    if (probe_open(&p) < 0) {
        libusb_exit(p.ctx);
        return 1;
    }
    if (strcmp(sc, "info") == 0)
        rc = scenario_info(&p);
    else if (strcmp(sc, "proplist") == 0)
        rc = scenario_proplist(&p);
    else if (strcmp(sc, "status-short") == 0)
        rc = scenario_status_short(&p);
    else if (strcmp(sc, "cancel") == 0)
        rc = scenario_cancel(&p, argv[2], CV_PLAIN);
    else if (strcmp(sc, "cancel-cmd-early") == 0)
        rc = scenario_cancel(&p, argv[2], CV_CMD_EARLY);
    else if (strcmp(sc, "cancel-cmd-before-event") == 0)
        rc = scenario_cancel(&p, argv[2], CV_CMD_BEFORE_EVENT);
    else if (strcmp(sc, "drop") == 0)
        rc = scenario_drop(&p, argv[2]);
    else if (strcmp(sc, "reset") == 0)
        rc = scenario_reset(&p);
    else if (strcmp(sc, "cancel-send") == 0)
        rc = scenario_cancel_send(&p, argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    else if (strcmp(sc, "drain-open") == 0)
        rc = scenario_drain_open(&p);
    else if (strcmp(sc, "recover") == 0)
        rc = scenario_recover(&p);
    else if (strcmp(sc, "noanswer") == 0)
        rc = scenario_noanswer(&p);
    else if (strcmp(sc, "event") == 0) {
        read_event(&p, (unsigned)strtoul(argv[2], NULL, 10));
        rc = 0;
    }
    else
        usage(stderr);
    if (rc == 0)
        fact("stale_containers", "%u", p.stale);
    probe_close(&p);
    libusb_exit(p.ctx);
    return rc;
}
