/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "usb_mtp.h"

#define IN_HIGH_WATER (2u << 20) /* device-side buffer for bulk-IN */
#define STREAM_AFTER_CANCEL (16u << 20)

#define REQ_CANCEL 0x64
#define REQ_EXT_EVENT 0x65
#define REQ_RESET 0x66
#define REQ_STATUS 0x67

const vd_persona vd_personas[] = {
    {.name = "compliant",
     .help = "follows the still image class spec: Busy after a cancel, then OK, no response container",
     .vid = 0x1209, .pid = 0x4d54, .manufacturer = "ferry", .product = "Virtual MTP device",
     .android_ext = true},
    {.name = "samsung",
     .help = "keeps streaming megabytes of a cancelled object on bulk-IN (Samsung phones)",
     .vid = 0x04e8, .pid = 0x6860, .manufacturer = "Samsung Electronics Co., Ltd.",
     .product = "SAMSUNG_Android", .stream_after_cancel = true, .android_ext = true},
    {.name = "pixel",
     .help = "hangs the next operation after a transaction dropped without cancel, until reopened; "
             "Device Reset kills MTP until replug (Pixel)",
     .vid = 0x18d1, .pid = 0x4ee1, .manufacturer = "Google", .product = "Pixel", .hang_on_drop = true,
     .reset_kills = true, .android_ext = true},
    {.name = "gopro",
     .help = "sends an event after a cancel and stops answering until the host reads it (GoPro cameras)",
     .vid = 0x2672, .pid = 0x000c, .manufacturer = "GoPro", .product = "HERO", .event_after_cancel = true},
    {.name = "panasonic",
     .help = "ignores commands after a cancel until Get Device Status was polled (Panasonic cameras)",
     .vid = 0x04da, .pid = 0x2374, .manufacturer = "Panasonic", .product = "DMC", .poll_after_cancel = true},
    {.name = "android",
     .help = "cancels by stalling both bulk endpoints; stalls Get Device Status with wLength < 8 (Android)",
     .vid = 0x18d1, .pid = 0x4ee2, .manufacturer = "Android", .product = "Android", .stall_on_cancel = true,
     .refuse_short_status = true, .android_ext = true},
    {.name = "busy",
     .help = "answers Busy to 40 Get Device Status polls after a cancel before OK",
     .vid = 0x1209, .pid = 0x4d55, .manufacturer = "ferry", .product = "Slow MTP device", .busy_polls = 40},
    {.name = "noproplist",
     .help = "lacks GetObjectPropList (listings need GetObjectHandles and GetObjectInfo)",
     .vid = 0x1209, .pid = 0x4d56, .manufacturer = "ferry", .product = "Basic MTP device", .no_proplist = true},
    {.name = NULL},
};

const vd_persona *vd_persona_find(const char *name)
{
    for (const vd_persona *p = vd_personas; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

/* Prints text from column `col` on, wrapped before column 79, the first
 * line already at `col`. */
static void print_wrapped(FILE *out, const char *text, int col)
{
    int x = col;
    const char *p = text;
    while (*p) {
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (x > col && x + 1 + len > 78) {
            fprintf(out, "\n%*s", col, "");
            x = col;
        } else if (x > col) {
            fputc(' ', out);
            x++;
        }
        fwrite(w, 1, (size_t)len, out);
        x += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

void vd_persona_help(FILE *out)
{
    for (const vd_persona *p = vd_personas; p->name; p++) {
        fprintf(out, "  %-11s %04x:%04x  ", p->name, p->vid, p->pid);
        print_wrapped(out, p->help, 25);
    }
}

static const struct {
    const char *name;
    enum vd_fault_kind kind;
    const char *help;
} fault_kinds[] = {
    {"unplug", VD_FAULT_UNPLUG, "the device disappears from the bus"},
    {"stall", VD_FAULT_STALL, "the device cancels on its own: both bulk endpoints stall"},
    {"noanswer", VD_FAULT_NOANSWER, "the command gets no data and no response until a cancel or reset"},
    {"short", VD_FAULT_SHORT, "GetObject's data phase ends early (half the object), then IncompleteTransfer"},
    {"malformed", VD_FAULT_MALFORMED, "the dataset sent is corrupt (huge count, cut short)"},
    {"busy", VD_FAULT_BUSY, "the response is DeviceBusy"},
    {"full", VD_FAULT_FULL, "the storage is full from then on (StoreFull)"},
};

static const char *fault_name(enum vd_fault_kind k)
{
    for (size_t i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]); i++)
        if (fault_kinds[i].kind == k)
            return fault_kinds[i].name;
    return "none";
}

void vd_fault_help(FILE *out)
{
    for (size_t i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]); i++) {
        fprintf(out, "  %-10s ", fault_kinds[i].name);
        print_wrapped(out, fault_kinds[i].help, 13);
    }
}

static uint16_t op_by_name(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*end == 0 && end != s && v <= 0xFFFF)
        return (uint16_t)v;
    for (unsigned c = 0x1000; c <= 0xFFFF; c++) {
        const char *n = fc_operation_name((uint16_t)c);
        if (n && strcasecmp(n, s) == 0)
            return (uint16_t)c;
    }
    return 0;
}

int vd_fault_parse(const char *spec, vd_fault *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    char kind[32];
    const char *at = strchr(spec, '@');
    size_t kl = at ? (size_t)(at - spec) : strlen(spec);
    if (kl == 0 || kl >= sizeof(kind)) {
        snprintf(err, errlen, "bad fault '%s'", spec);
        return -1;
    }
    memcpy(kind, spec, kl);
    kind[kl] = 0;
    for (size_t i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]); i++)
        if (strcmp(kind, fault_kinds[i].name) == 0)
            f->kind = fault_kinds[i].kind;
    if (!f->kind) {
        snprintf(err, errlen, "unknown fault kind '%s'", kind);
        return -1;
    }
    f->trigger = VD_TRIG_MS;
    f->value = 0;
    if (!at)
        return 0;
    const char *t = at + 1;
    char *end;
    if (strncmp(t, "op=", 3) == 0) {
        char name[64];
        const char *hash = strchr(t + 3, '#');
        size_t nl = hash ? (size_t)(hash - t - 3) : strlen(t + 3);
        if (nl == 0 || nl >= sizeof(name)) {
            snprintf(err, errlen, "bad operation in '%s'", spec);
            return -1;
        }
        memcpy(name, t + 3, nl);
        name[nl] = 0;
        f->trigger = VD_TRIG_OP;
        f->op = op_by_name(name);
        f->nth = 1;
        if (!f->op) {
            snprintf(err, errlen, "unknown operation '%s'", name);
            return -1;
        }
        if (hash) {
            f->nth = (unsigned)strtoul(hash + 1, &end, 10);
            if (*end || f->nth == 0) {
                snprintf(err, errlen, "bad count in '%s'", spec);
                return -1;
            }
        }
        return 0;
    }
    if (strncmp(t, "byte=", 5) == 0 || strncmp(t, "ms=", 3) == 0) {
        bool byte = t[0] == 'b';
        const char *v = t + (byte ? 5 : 3);
        f->trigger = byte ? VD_TRIG_BYTE : VD_TRIG_MS;
        f->value = strtoull(v, &end, 10);
        if (end == v || (*end && strcmp(end, "k") && strcmp(end, "M"))) {
            snprintf(err, errlen, "bad number in '%s'", spec);
            return -1;
        }
        if (*end == 'k')
            f->value <<= 10;
        else if (*end == 'M')
            f->value <<= 20;
        return 0;
    }
    snprintf(err, errlen, "bad trigger in '%s' (op=NAME[#N], byte=N, ms=N)", spec);
    return -1;
}

/* ------------------------------------------------------------------ */

enum phase { PH_IDLE, PH_BUSY };

struct vd_mtp {
    vd_usb *u;
    vd_usb_ident ident;    /* with the strings below, owned */
    char *manufacturer, *product, *serial, *interface;
    vd_store *store;
    vd_resp resp;
    const vd_persona *p;
    vd_fault *faults;
    size_t nfaults;
    pthread_t thread;
    bool started;

    /* all below under the usb lock */
    bool stop;
    enum phase phase;
    vd_ctx *cur;
    uint32_t cur_tid;
    uint16_t cur_code;
    bool cancelled;        /* host Cancel Request for the current transaction */
    bool reset_req;        /* Device Reset during a transaction */
    bool dev_cancel;       /* device-side cancel (stall) until the halts are cleared */
    uint16_t status;
    int busy_left;
    bool need_poll;
    bool hung;             /* pixel: until reopened */
    bool dead;             /* pixel after Device Reset: until replug */
    bool event_gate;       /* gopro: until the host read the event */
    bool was_released;
    uint64_t stream_budget;
    uint64_t first_cmd_ns;
    bool noanswer;
    bool want_unplug;
    enum vd_fault_kind deferred_fault; /* fired during a data phase, hits the next command */

    /* data phase state (responder thread) */
    uint64_t out_left;     /* bytes of the current host data container left */
    bool out_unknown;
    bool out_done;
    uint8_t pending_cmd[32];
    size_t pending_len;

    FILE *trace;           /* one line per transaction and class request */
    int index;             /* device number in traces (1-based) */

    /* counters */
    uint32_t *ops;         /* 64K counters, by operation code */
    uint64_t transactions, cancels, events, dropped;
};

static void trace(vd_mtp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(vd_mtp *m, const char *fmt, ...)
{
    if (!m->trace)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(m->trace, "%.3f dev%d ", (double)vd_now_ns() / 1e9, m->index);
    vfprintf(m->trace, fmt, ap);
    fputc('\n', m->trace);
    fflush(m->trace);
    va_end(ap);
}

static const char *op_str(uint16_t code, char buf[8])
{
    return fc_code_str(fc_operation_name, code, buf);
}

static const char *rc_str(uint16_t code, char buf[8])
{
    return fc_code_str(fc_response_name, code, buf);
}

static uint64_t bulk_bytes(vd_mtp *m)
{
    vd_usb_stats st;
    /* called with the lock held: read the counters directly */
    vd_usb_get_stats_locked(m->u, &st);
    return st.bytes_in + st.bytes_out;
}

/* Checks byte and time triggered faults (lock held). Returns the fault
 * that fires now, or NONE. */
static enum vd_fault_kind check_async_faults(vd_mtp *m)
{
    for (size_t i = 0; i < m->nfaults; i++) {
        vd_fault *f = &m->faults[i];
        if (f->fired || f->trigger == VD_TRIG_OP)
            continue;
        bool now = false;
        if (f->trigger == VD_TRIG_BYTE)
            now = bulk_bytes(m) >= f->value;
        else if (m->first_cmd_ns)
            now = vd_now_ns() >= m->first_cmd_ns + f->value * 1000000ull;
        if (now) {
            f->fired = true;
            return f->kind;
        }
    }
    return VD_FAULT_NONE;
}

static enum vd_fault_kind op_fault(vd_mtp *m, uint16_t code)
{
    enum vd_fault_kind k = VD_FAULT_NONE;
    for (size_t i = 0; i < m->nfaults; i++) {
        vd_fault *f = &m->faults[i];
        if (f->fired || f->trigger != VD_TRIG_OP || f->op != code)
            continue;
        if (++f->seen == f->nth) {
            f->fired = true;
            k = f->kind;
        }
    }
    return k;
}

static void device_stall(vd_mtp *m)
{
    /* a device-side cancel: halt both bulk endpoints; Get Device Status
     * reports TransactionCancelled with them until the host clears both */
    vd_usb_in_flush(m->u);
    vd_usb_out_flush(m->u);
    vd_usb_halt(m->u, VD_EP_IN);
    vd_usb_halt(m->u, VD_EP_OUT);
    m->dev_cancel = true;
    m->status = FC_RC_TransactionCancelled;
    vd_usb_broadcast(m->u);
}

/* Applies a fault that fires in the middle of a data phase (lock held).
 * Returns the error the handler sees, or 0. */
static int apply_async_fault(vd_mtp *m, enum vd_fault_kind k)
{
    trace(m, "fault %s fires during the data phase of tid=%u", fault_name(k), m->cur_tid);
    switch (k) {
    case VD_FAULT_UNPLUG:
        m->want_unplug = true;
        return FERRY_ENODEV;
    case VD_FAULT_STALL:
        device_stall(m);
        return FERRY_EIO;
    case VD_FAULT_FULL:
        m->resp.storage_full = true;
        return 0;
    default:
        /* noanswer, short, malformed, busy are about a whole
         * transaction: they hit the next command */
        m->deferred_fault = k;
        return 0;
    }
}

/* Waits (lock held) while cond is false; returns an error when the
 * transaction must stop. */
static int wait_io(vd_mtp *m, bool data_phase)
{
    if (m->stop || vd_usb_unplugged(m->u))
        return FERRY_ENODEV;
    if (data_phase) {
        if (m->cancelled && !m->stream_budget)
            return FERRY_ECANCELLED;
        if (m->reset_req)
            return FERRY_ECANCELLED;
        if (m->dev_cancel)
            return FERRY_EIO;
    }
    vd_usb_wait(m->u, vd_now_ns() + 50000000ull);
    return 0;
}

/* Reads exactly n bytes of bulk-OUT data, or up to the end of a host
 * transfer when allow_end (lock held). */
static int out_read(vd_mtp *m, uint8_t *buf, size_t n, size_t *got, bool *end, bool data_phase)
{
    *got = 0;
    *end = false;
    while (*got < n) {
        if (data_phase) {
            enum vd_fault_kind k = check_async_faults(m);
            if (k) {
                int rc = apply_async_fault(m, k);
                if (rc)
                    return rc;
            }
            if (m->cancelled || m->reset_req)
                return FERRY_ECANCELLED;
            if (m->dev_cancel)
                return FERRY_EIO;
        }
        bool e = false;
        size_t g = vd_usb_out_take(m->u, buf + *got, n - *got, &e);
        *got += g;
        if (e) {
            *end = true;
            return 0;
        }
        if (*got < n) {
            int rc = wait_io(m, data_phase);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Throws away host data up to the end of the current host transfer. */
static int out_skip_transfer(vd_mtp *m)
{
    uint8_t junk[4096];
    for (;;) {
        size_t got;
        bool end;
        int rc = out_read(m, junk, sizeof(junk), &got, &end, false);
        if (rc || end)
            return rc;
    }
}

/* A dropped transaction on a device that hangs on it (lock held). */
static void pixel_hang(vd_mtp *m)
{
    m->dropped++;
    trace(m, "dropped: %zu bytes of tid=%u unread when a new command came; hung until reopened",
          vd_usb_in_queued(m->u), m->cur_tid);
    m->hung = true;
    vd_usb_in_flush(m->u);
    vd_usb_broadcast(m->u);
}

/* ------------------------------------------------------------------ */
/* vd_ctx_ops on USB                                                    */

static int t_send_begin(vd_ctx *c, uint64_t total)
{
    vd_mtp *m = c->transport;
    uint8_t hdr[FC_HDR_LEN];
    fc_data_hdr_encode(c->cmd.code, c->cmd.tid, total, hdr);
    vd_usb_lock(m->u);
    int rc = vd_usb_in_put(m->u, hdr, sizeof(hdr), false, false) < 0 ? FERRY_ENOMEM : 0;
    vd_usb_unlock(m->u);
    return rc;
}

static int t_send(vd_ctx *c, const void *buf, size_t n)
{
    vd_mtp *m = c->transport;
    const uint8_t *p = buf;
    int rc = 0;
    vd_usb_lock(m->u);
    while (n && !rc) {
        enum vd_fault_kind k = check_async_faults(m);
        if (k && (rc = apply_async_fault(m, k)))
            break;
        if (m->cancelled && m->stream_budget == 0) {
            rc = FERRY_ECANCELLED;
            break;
        }
        if (m->reset_req) {
            rc = FERRY_ECANCELLED;
            break;
        }
        if (m->dev_cancel) {
            rc = FERRY_EIO;
            break;
        }
        if (m->p->hang_on_drop && vd_usb_out_avail(m->u) > 0) {
            /* the host sent a new command without reading this data
             * phase to its end or cancelling it: the transaction is
             * dropped and this device hangs until reopened */
            pixel_hang(m);
            rc = FERRY_ECANCELLED;
            break;
        }
        if (vd_usb_in_queued(m->u) >= IN_HIGH_WATER) {
            rc = wait_io(m, true);
            continue;
        }
        size_t chunk = n > 65536 ? 65536 : n;
        if (m->cancelled && chunk > m->stream_budget)
            chunk = (size_t)m->stream_budget;
        if (vd_usb_in_put(m->u, p, chunk, false, false) < 0) {
            rc = FERRY_ENOMEM;
            break;
        }
        if (m->cancelled)
            m->stream_budget -= chunk;
        p += chunk;
        n -= chunk;
    }
    vd_usb_unlock(m->u);
    return rc;
}

static bool byte_fault_pending(const vd_mtp *m)
{
    for (size_t i = 0; i < m->nfaults; i++)
        if (!m->faults[i].fired && m->faults[i].trigger == VD_TRIG_BYTE)
            return true;
    return false;
}

static int t_send_end(vd_ctx *c)
{
    vd_mtp *m = c->transport;
    vd_usb_lock(m->u);
    int rc = 0;
    if (m->cancelled && !m->p->stream_after_cancel)
        rc = FERRY_ECANCELLED;
    else if (vd_usb_in_put(m->u, NULL, 0, true, true) < 0)
        rc = FERRY_ENOMEM;
    /* A fault at a byte count fires when the bus has moved that many
     * bytes, wherever the host is: with the whole data phase queued
     * (up to IN_HIGH_WATER of it), watch it go out before answering
     * (unless the host moved on to a new command). */
    while (!rc && byte_fault_pending(m) && vd_usb_in_queued(m->u) > 0 && vd_usb_out_avail(m->u) == 0) {
        enum vd_fault_kind k = check_async_faults(m);
        if (k && (rc = apply_async_fault(m, k)))
            break;
        rc = wait_io(m, true);
    }
    vd_usb_unlock(m->u);
    return rc;
}

static int t_recv_begin(vd_ctx *c, uint64_t *total)
{
    vd_mtp *m = c->transport;
    uint8_t hdr[FC_HDR_LEN];
    size_t got;
    bool end;
    vd_usb_lock(m->u);
    int rc = out_read(m, hdr, sizeof(hdr), &got, &end, true);
    if (!rc && got < sizeof(hdr))
        rc = FERRY_EPROTO;
    fc_hdr h;
    if (!rc && fc_hdr_decode(hdr, sizeof(hdr), &h) < 0)
        rc = FERRY_EPROTO;
    if (!rc && h.type == FC_CT_COMMAND) {
        /* no data phase: the host moved on to a new command */
        memcpy(m->pending_cmd, hdr, sizeof(hdr));
        size_t more = h.length > FC_HDR_LEN && h.length <= 32 ? h.length - FC_HDR_LEN : 0;
        size_t g2 = 0;
        if (more)
            rc = out_read(m, m->pending_cmd + FC_HDR_LEN, more, &g2, &end, false);
        m->pending_len = FC_HDR_LEN + g2;
        vd_usb_unlock(m->u);
        return rc ? rc : FERRY_EEND;
    }
    if (!rc && h.type != FC_CT_DATA)
        rc = FERRY_EPROTO;
    if (rc) {
        if (rc == FERRY_EPROTO)
            out_skip_transfer(m);
        vd_usb_unlock(m->u);
        return rc;
    }
    m->out_unknown = h.length == FC_LEN_UNKNOWN;
    m->out_left = m->out_unknown ? UINT64_MAX : h.length - FC_HDR_LEN;
    m->out_done = end || m->out_left == 0;
    vd_usb_unlock(m->u);
    *total = m->out_left;
    return 0;
}

static int t_recv(vd_ctx *c, void *buf, size_t max, size_t *got)
{
    vd_mtp *m = c->transport;
    *got = 0;
    if (m->out_done || max == 0)
        return 0;
    size_t want = max;
    if (!m->out_unknown && m->out_left < want)
        want = (size_t)m->out_left;
    vd_usb_lock(m->u);
    bool end = false;
    int rc = 0;
    /* take what is there (at least one byte), without waiting for all */
    for (;;) {
        enum vd_fault_kind k = check_async_faults(m);
        if (k && (rc = apply_async_fault(m, k)))
            break;
        if (m->cancelled || m->reset_req) {
            rc = FERRY_ECANCELLED;
            break;
        }
        if (m->dev_cancel) {
            rc = FERRY_EIO;
            break;
        }
        size_t g = vd_usb_out_take(m->u, buf, want, &end);
        if (g || end) {
            *got = g;
            break;
        }
        if ((rc = wait_io(m, true)))
            break;
    }
    if (!rc) {
        if (!m->out_unknown)
            m->out_left -= *got;
        if (end || (!m->out_unknown && m->out_left == 0))
            m->out_done = true;
        if (end && !m->out_unknown && m->out_left) {
            /* the host ended its transfer early: a short data phase */
            m->out_left = 0;
        }
    }
    vd_usb_unlock(m->u);
    return rc;
}

static int t_recv_drain(vd_ctx *c)
{
    uint8_t junk[65536];
    for (;;) {
        size_t got;
        int rc = t_recv(c, junk, sizeof(junk), &got);
        if (rc || !got)
            return rc;
    }
}

static const vd_ctx_ops usb_ctx_ops = {
    .send_begin = t_send_begin,
    .send = t_send,
    .send_end = t_send_end,
    .recv_begin = t_recv_begin,
    .recv = t_recv,
    .recv_drain = t_recv_drain,
};

/* ------------------------------------------------------------------ */
/* Class requests (usb worker thread, lock held)                         */

static void after_cancel(vd_mtp *m, uint32_t tid);

static int fn_control(void *fn, const struct usb_ctrlrequest *s, uint8_t *data, size_t len)
{
    vd_mtp *m = fn;
    uint8_t type = s->bRequestType & USB_TYPE_MASK;
    if (type != USB_TYPE_CLASS)
        return -EPIPE;
    if (m->dead)
        return -EPIPE; /* the MTP service is gone until replug */
    switch (s->bRequest) {
    case REQ_CANCEL: {
        if (len < 6)
            return -EPIPE;
        uint16_t code = (uint16_t)(data[0] | data[1] << 8);
        if (code != FC_EC_CancelTransaction)
            return -EPIPE;
        m->cancels++;
        uint32_t tid = (uint32_t)data[2] | (uint32_t)data[3] << 8 | (uint32_t)data[4] << 16 | (uint32_t)data[5] << 24;
        trace(m, "Cancel Request tid=%u (running tid=%u, %s)", tid, m->cur_tid,
              m->phase == PH_BUSY ? "busy" : "idle");
        if (m->noanswer) {
            /* the unanswered command is given up */
            m->noanswer = false;
            m->status = FC_RC_OK;
        }
        /* like Android, any Cancel Request cancels the running transaction */
        if (m->phase == PH_BUSY && !m->cancelled) {
            m->cancelled = true;
            m->status = m->p->stream_after_cancel ? FC_RC_OK : FC_RC_DeviceBusy;
            if (m->p->stream_after_cancel)
                m->stream_budget = STREAM_AFTER_CANCEL;
            else
                vd_usb_in_flush(m->u); /* what the device had queued goes at once */
            /* so does what the host had sent of the cancelled transaction;
             * what comes after the Cancel Request is the host's next
             * command, which must survive however slow the responder is */
            vd_usb_out_flush(m->u);
            if (m->cur)
                vd_ctx_fire_cancel(m->cur);
            if (m->p->stall_on_cancel)
                device_stall(m);
        } else if (m->phase == PH_IDLE && tid == m->cur_tid && vd_usb_in_queued(m->u) > 0 &&
                   !m->p->stream_after_cancel) {
            /* the transaction is over for the responder, but the host has
             * not read all of it (a small object is queued whole, with
             * its response): cancelled all the same, and its response is
             * never sent */
            trace(m, "tid=%u cancelled with %zu bytes not read yet", tid, vd_usb_in_queued(m->u));
            vd_usb_in_flush(m->u);
            if (m->p->stall_on_cancel)
                device_stall(m);
            after_cancel(m, tid);
        }
        vd_usb_broadcast(m->u);
        return 0;
    }
    case REQ_STATUS: {
        if (m->p->refuse_short_status && len < 8) {
            trace(m, "Get Device Status (wLength %zu) -> stall", len);
            return -EPIPE;
        }
        uint16_t st = m->status;
        if (st == FC_RC_OK && m->busy_left > 0) {
            m->busy_left--;
            st = FC_RC_DeviceBusy;
        }
        if (m->need_poll && m->phase == PH_IDLE && st == FC_RC_OK) {
            m->need_poll = false;
            vd_usb_broadcast(m->u);
        }
        char rb[8];
        trace(m, "Get Device Status (wLength %zu) -> %s", len, rc_str(st, rb));
        uint8_t buf[16];
        size_t n = 4;
        uint8_t eps[2] = {VD_EP_IN, VD_EP_OUT};
        for (int i = 0; i < 2; i++) {
            if (vd_usb_halted(m->u, eps[i])) {
                buf[n] = eps[i];
                buf[n + 1] = buf[n + 2] = buf[n + 3] = 0;
                n += 4;
            }
        }
        buf[0] = (uint8_t)n;
        buf[1] = 0;
        buf[2] = st & 0xff;
        buf[3] = st >> 8;
        if (n > len)
            n = len;
        memcpy(data, buf, n);
        return (int)n;
    }
    case REQ_RESET:
        trace(m, "Device Reset%s", m->p->reset_kills ? ": the MTP service dies until replug" : "");
        if (m->p->reset_kills) {
            m->dead = true;
            vd_usb_in_flush(m->u);
            vd_usb_out_flush(m->u);
            vd_usb_broadcast(m->u);
            return 0;
        }
        m->reset_req = m->phase == PH_BUSY;
        m->hung = false;
        m->noanswer = false;
        m->event_gate = false;
        m->need_poll = false;
        m->busy_left = 0;
        m->dev_cancel = false;
        m->status = FC_RC_OK;
        vd_usb_in_flush(m->u);
        vd_usb_out_flush(m->u);
        vd_resp_reset(&m->resp);
        vd_usb_broadcast(m->u);
        return 0;
    case REQ_EXT_EVENT: {
        uint8_t buf[8] = {0};
        size_t n = len < sizeof(buf) ? len : sizeof(buf);
        memcpy(data, buf, n);
        return (int)n;
    }
    default:
        return -EPIPE;
    }
}

static void fn_halt_cleared(void *fn, uint8_t ep)
{
    vd_mtp *m = fn;
    (void)ep;
    if (m->dev_cancel && !vd_usb_halted(m->u, VD_EP_IN) && !vd_usb_halted(m->u, VD_EP_OUT)) {
        m->dev_cancel = false;
        m->status = FC_RC_OK;
        vd_usb_broadcast(m->u);
    }
}

static void fn_claim_changed(void *fn, bool claimed)
{
    vd_mtp *m = fn;
    if (!claimed) {
        m->was_released = true;
        return;
    }
    if (m->was_released && (m->hung || m->noanswer)) {
        /* reopened: the hung device starts afresh */
        m->hung = false;
        m->noanswer = false;
        vd_usb_in_flush(m->u);
        vd_usb_out_flush(m->u);
        vd_resp_reset(&m->resp);
        m->status = FC_RC_OK;
        vd_usb_broadcast(m->u);
    }
    m->was_released = false;
}

static void fn_port_reset(void *fn)
{
    vd_mtp *m = fn;
    /* a port reset re-enumerates the function: like a replug for the
     * state we keep, except that a killed service stays dead */
    m->hung = false;
    m->noanswer = false;
    vd_usb_in_flush(m->u);
    vd_usb_out_flush(m->u);
    vd_resp_reset(&m->resp);
    vd_usb_broadcast(m->u);
}

static const vd_usb_fn_ops mtp_fn_ops = {
    .control = fn_control,
    .halt_cleared = fn_halt_cleared,
    .claim_changed = fn_claim_changed,
    .port_reset = fn_port_reset,
};

/* ------------------------------------------------------------------ */

static void queue_event_locked(vd_mtp *m, uint16_t code, uint32_t param)
{
    fc_msg ev = {.code = code, .tid = 0, .nparams = 1, .params = {param}};
    uint8_t buf[32];
    int n = fc_msg_encode(FC_CT_EVENT, &ev, buf);
    if (n > 0 && vd_usb_int_queued(m->u) < 256) {
        vd_usb_int_put(m->u, buf, (size_t)n);
        m->events++;
    }
}

static void store_event(void *data, uint16_t code, uint32_t param)
{
    vd_mtp *m = data;
    vd_usb_lock(m->u);
    queue_event_locked(m, code, param);
    vd_usb_unlock(m->u);
}

void vd_mtp_event(vd_mtp *m, uint16_t code, uint32_t param)
{
    store_event(m, code, param);
}

static bool op_has_data_phase(uint16_t code)
{
    switch (code) {
    case FC_OC_OpenSession:
    case FC_OC_CloseSession:
    case FC_OC_GetNumObjects:
    case FC_OC_DeleteObject:
    case FC_OC_MoveObject:
    case FC_OC_CopyObject:
    case FC_OC_GetThumb:
    case FC_OC_BeginEditObject:
    case FC_OC_EndEditObject:
    case FC_OC_TruncateObject:
        return false;
    default:
        return true;
    }
}

/* Reads the next command container (lock held). Returns 0 with *cmd set,
 * or FERRY_ENODEV when the device goes away. */
static int read_command(vd_mtp *m, fc_msg *cmd)
{
    for (;;) {
        if (m->stop || vd_usb_unplugged(m->u))
            return FERRY_ENODEV;
        /* states in which the device answers nothing */
        if (m->dead || m->hung || m->noanswer || (m->event_gate && vd_usb_int_queued(m->u)) ||
            m->need_poll || m->dev_cancel) {
            if (m->event_gate && !vd_usb_int_queued(m->u))
                m->event_gate = false;
            if (m->dead || m->hung)
                vd_usb_out_flush(m->u); /* commands vanish */
            vd_usb_wait(m->u, vd_now_ns() + 50000000ull);
            continue;
        }
        uint8_t buf[32];
        size_t got = 0;
        bool end = false;
        if (m->pending_len) {
            memcpy(buf, m->pending_cmd, m->pending_len);
            got = m->pending_len;
            m->pending_len = 0;
        } else {
            if (!vd_usb_out_avail(m->u)) {
                vd_usb_wait(m->u, vd_now_ns() + 50000000ull);
                continue;
            }
            int rc = out_read(m, buf, FC_HDR_LEN, &got, &end, false);
            if (rc)
                return rc;
            if (got < FC_HDR_LEN)
                continue; /* a runt transfer: ignore it */
        }
        fc_hdr h;
        if (fc_hdr_decode(buf, got, &h) < 0 || h.type != FC_CT_COMMAND || h.length > 32) {
            /* stale data of a cancelled transaction, or garbage */
            m->dropped++;
            if (!end)
                out_skip_transfer(m);
            continue;
        }
        if (got < h.length) {
            size_t g2;
            int rc = out_read(m, buf + got, h.length - got, &g2, &end, false);
            if (rc)
                return rc;
            got += g2;
        }
        if (fc_msg_decode(FC_CT_COMMAND, buf, got, cmd) < 0) {
            m->dropped++;
            continue;
        }
        return 0;
    }
}

static void after_cancel(vd_mtp *m, uint32_t tid)
{
    /* the host discarded its URBs: what we still hold of the cancelled
     * transaction goes, except on a device that keeps streaming. Bulk-OUT
     * was flushed when the Cancel Request came: a host that already got
     * its status (Android's stall persona answers OK as soon as the halts
     * are cleared) may have sent its next command by now. */
    if (!m->p->stream_after_cancel)
        vd_usb_in_flush(m->u);
    m->stream_budget = 0;
    if (m->dev_cancel)
        return; /* OK comes when the host cleared the halts */
    m->status = FC_RC_OK;
    if (m->p->busy_polls)
        m->busy_left = m->p->busy_polls;
    if (m->p->event_after_cancel) {
        queue_event_locked(m, FC_EC_CancelTransaction, tid);
        m->event_gate = true;
    }
    if (m->p->poll_after_cancel)
        m->need_poll = true;
}

static void *responder_main(void *arg)
{
    vd_mtp *m = arg;
    vd_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    pthread_mutex_init(&ctx.hook_mu, NULL);
    vd_usb_lock(m->u);
    for (;;) {
        fc_msg cmd;
        if (read_command(m, &cmd) < 0)
            break;
        if (!m->first_cmd_ns)
            m->first_cmd_ns = vd_now_ns();
        /* data of the previous transaction still unread by the host: the
         * host dropped it without a cancel */
        if (vd_usb_in_queued(m->u) > 0) {
            if (m->p->hang_on_drop) {
                pixel_hang(m);
                continue;
            }
            m->dropped++;
            trace(m, "dropped: %zu bytes of the last transaction unread when tid=%u came", vd_usb_in_queued(m->u),
                  cmd.tid);
        }
        m->transactions++;
        m->ops[cmd.code]++;
        /* faults: by operation, or fired by bytes or time (now, or
         * during the last data phase) */
        enum vd_fault_kind fk = op_fault(m, cmd.code);
        enum vd_fault_kind ak = check_async_faults(m);
        if (!ak) {
            ak = m->deferred_fault;
            m->deferred_fault = VD_FAULT_NONE;
        }
        if (fk == VD_FAULT_FULL || ak == VD_FAULT_FULL) {
            m->resp.storage_full = true;
            fk = fk == VD_FAULT_FULL ? VD_FAULT_NONE : fk;
            ak = ak == VD_FAULT_FULL ? VD_FAULT_NONE : ak;
        }
        if (!fk)
            fk = ak;
        else if (ak)
            m->deferred_fault = ak;
        char nb[8], rb[8];
        if (fk)
            trace(m, "fault %s on tid=%u %s", fault_name(fk), cmd.tid, op_str(cmd.code, nb));
        if (fk == VD_FAULT_UNPLUG) {
            m->want_unplug = true;
            break;
        }
        if (fk == VD_FAULT_NOANSWER) {
            m->noanswer = true;
            continue;
        }
        m->phase = PH_BUSY;
        m->cur_tid = cmd.tid;
        m->cur_code = cmd.code;
        m->cancelled = false;
        m->reset_req = false;
        m->status = FC_RC_OK;
        ctx.ops = &usb_ctx_ops;
        ctx.transport = m;
        ctx.resp = &m->resp;
        ctx.cmd = cmd;
        ctx.responded = false;
        ctx.cancellable = op_has_data_phase(cmd.code);
        ctx.completed = false;
        ctx.cancel_fired = false;
        ctx.hook = NULL;
        m->cur = &ctx;
        m->resp.op_fault = (fk == VD_FAULT_SHORT || fk == VD_FAULT_MALFORMED || fk == VD_FAULT_BUSY) ? fk
                                                                                                     : VD_FAULT_NONE;
        if (fk == VD_FAULT_STALL) {
            device_stall(m);
        }
        vd_usb_unlock(m->u);

        int rc = m->dev_cancel ? FERRY_EIO : vd_resp_handle(&m->resp, &ctx);
        vd_ctx_complete(&ctx);

        vd_usb_lock(m->u);
        m->cur = NULL;
        m->resp.op_fault = VD_FAULT_NONE;
        if (m->trace) {
            char ps[64] = "";
            size_t pl = 0;
            for (unsigned i = 0; i < cmd.nparams && pl < sizeof(ps); i++)
                pl += (size_t)snprintf(ps + pl, sizeof(ps) - pl, "%s0x%x", i ? "," : "", cmd.params[i]);
            if (rc == 0 || ctx.responded)
                trace(m, "tid=%u %s(%s) -> %s%s", cmd.tid, op_str(cmd.code, nb), ps,
                      ctx.responded ? rc_str(ctx.response.code, rb) : "GeneralError",
                      m->cancelled ? " (cancelled)" : "");
            else
                trace(m, "tid=%u %s(%s) -> %s", cmd.tid, op_str(cmd.code, nb), ps,
                      m->cancelled || rc == FERRY_ECANCELLED ? "cancelled" : ferry_err_name(rc));
        }
        if (m->want_unplug)
            break;
        if (rc == FERRY_ENODEV)
            break;
        if (m->hung) {
            /* dropped: no response, nothing until reopened */
        } else if (m->cancelled || m->reset_req || rc == FERRY_ECANCELLED || rc == FERRY_EIO) {
            if (m->reset_req) {
                /* Device Reset cleaned up when it came */
            } else if (m->cancelled || rc == FERRY_ECANCELLED)
                after_cancel(m, cmd.tid);
            else if (m->dev_cancel) {
                vd_usb_in_flush(m->u);
                vd_usb_out_flush(m->u);
            }
        } else if (rc == 0 || ctx.responded) {
            if (!ctx.responded) {
                ctx.response.code = FC_RC_GeneralError;
                ctx.response.tid = cmd.tid;
                ctx.response.nparams = 0;
            }
            uint8_t out[32];
            int n = fc_msg_encode(FC_CT_RESPONSE, &ctx.response, out);
            if (n > 0)
                vd_usb_in_put(m->u, out, (size_t)n, true, true);
        } else {
            /* the data phase broke (bad host data): answer with an error */
            fc_msg resp = {.code = rc == FERRY_EPROTO ? FC_RC_InvalidDataset : FC_RC_GeneralError,
                           .tid = cmd.tid};
            uint8_t out[32];
            int n = fc_msg_encode(FC_CT_RESPONSE, &resp, out);
            if (n > 0)
                vd_usb_in_put(m->u, out, (size_t)n, true, true);
        }
        m->phase = PH_IDLE;
        m->cancelled = false;
        m->reset_req = false;
    }
    m->phase = PH_IDLE;
    bool unplug = m->want_unplug;
    vd_usb_unlock(m->u);
    pthread_mutex_destroy(&ctx.hook_mu);
    if (unplug)
        vd_usb_unplug(m->u);
    return NULL;
}

vd_mtp *vd_mtp_new(UMockdevTestbed *tb, vd_store *store, const vd_persona *p, const vd_usb_ident *id,
                   const vd_fault *faults, size_t nfaults)
{
    vd_mtp *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->ops = calloc(0x10000, sizeof(uint32_t));
    m->faults = nfaults ? calloc(nfaults, sizeof(*faults)) : NULL;
    if (!m->ops || (nfaults && !m->faults))
        goto fail;
    if (nfaults)
        memcpy(m->faults, faults, nfaults * sizeof(*faults));
    m->nfaults = nfaults;
    m->store = store;
    m->p = p;
    m->status = FC_RC_OK;
    /* the device keeps its own copy of its identity: the caller's strings
     * may live on its stack (they did: every device got the last serial) */
    m->ident = *id;
    m->ident.manufacturer = m->manufacturer = id->manufacturer ? strdup(id->manufacturer) : NULL;
    m->ident.product = m->product = id->product ? strdup(id->product) : NULL;
    m->ident.serial = m->serial = id->serial ? strdup(id->serial) : NULL;
    m->ident.interface = m->interface = id->interface ? strdup(id->interface) : NULL;
    if ((id->manufacturer && !m->manufacturer) || (id->product && !m->product) || (id->serial && !m->serial) ||
        (id->interface && !m->interface))
        goto fail;
    id = &m->ident;
    vd_resp_opts ro = {
        .no_proplist = p->no_proplist,
        .android_ext = p->android_ext,
        .manufacturer = id->manufacturer,
        .model = id->product,
        .serial = id->serial,
        .version = "1.0",
        .friendly_name = NULL,
    };
    if (vd_resp_init(&m->resp, store, &ro) < 0)
        goto fail;
    store->event = store_event;
    store->event_data = m;
    m->u = vd_usb_new(tb, id, &mtp_fn_ops, m);
    if (!m->u)
        goto fail;
    if (pthread_create(&m->thread, NULL, responder_main, m) != 0)
        goto fail;
    m->started = true;
    return m;
fail:
    vd_mtp_free(m);
    return NULL;
}

void vd_mtp_set_trace(vd_mtp *m, FILE *f, int index)
{
    vd_usb_lock(m->u);
    m->trace = f;
    m->index = index;
    vd_usb_unlock(m->u);
}

vd_usb *vd_mtp_usb(vd_mtp *m)
{
    return m->u;
}

void vd_mtp_unplug(vd_mtp *m)
{
    vd_usb_unplug(m->u);
}

void vd_mtp_free(vd_mtp *m)
{
    if (!m)
        return;
    if (m->started) {
        vd_usb_lock(m->u);
        m->stop = true;
        vd_usb_broadcast(m->u);
        vd_usb_unlock(m->u);
        pthread_join(m->thread, NULL);
    }
    if (m->store && m->store->event_data == m)
        m->store->event = NULL;
    vd_usb_free(m->u);
    vd_resp_free(&m->resp);
    free(m->manufacturer);
    free(m->product);
    free(m->serial);
    free(m->interface);
    free(m->ops);
    free(m->faults);
    free(m);
}

/* A JSON string: the serial number comes from the command line. */
static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void vd_mtp_stats_json(vd_mtp *m, FILE *out, const char *ind)
{
    vd_usb_stats st;
    vd_usb_get_stats(m->u, &st);
    vd_usb_lock(m->u);
    fprintf(out, "%s\"serial\": ", ind);
    json_str(out, m->resp.opts.serial ? m->resp.opts.serial : "");
    fputs(",\n", out);
    fprintf(out, "%s\"persona\": \"%s\",\n", ind, m->p->name);
    fprintf(out, "%s\"operations\": {", ind);
    bool first = true;
    for (unsigned c = 0; c < 0x10000; c++) {
        if (!m->ops[c])
            continue;
        const char *n = fc_operation_name((uint16_t)c);
        char hex[8];
        if (!n) {
            snprintf(hex, sizeof(hex), "0x%04X", c);
            n = hex;
        }
        fprintf(out, "%s\"%s\": %u", first ? "" : ", ", n, m->ops[c]);
        first = false;
    }
    fprintf(out, "},\n");
    fprintf(out, "%s\"round_trips\": %" PRIu64 ",\n", ind, m->transactions);
    fprintf(out, "%s\"cancel_requests\": %" PRIu64 ",\n", ind, m->cancels);
    fprintf(out, "%s\"dropped_transactions\": %" PRIu64 ",\n", ind, m->dropped);
    fprintf(out, "%s\"events\": %" PRIu64 ",\n", ind, m->events);
    fprintf(out, "%s\"urbs\": {\"bulk_in\": %" PRIu64 ", \"bulk_out\": %" PRIu64 ", \"control\": %" PRIu64
                 ", \"interrupt\": %" PRIu64 ", \"discarded\": %" PRIu64 "},\n",
            ind, st.urbs_in, st.urbs_out, st.urbs_ctrl, st.urbs_int, st.discards);
    fprintf(out, "%s\"ioctls\": %" PRIu64 ",\n", ind, st.ioctls);
    fprintf(out, "%s\"bytes\": {\"to_host\": %" PRIu64 ", \"from_host\": %" PRIu64 "},\n", ind, st.bytes_in,
            st.bytes_out);
    fprintf(out, "%s\"busy_ms\": %.3f,\n", ind, (double)st.busy_ns / 1e6);
    fprintf(out, "%s\"orphans\": %zu\n", ind, vd_store_pending(m->store));
    vd_usb_unlock(m->u);
}
