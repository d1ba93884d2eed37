/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared part of the contract tests (tests/integration/contract-*.c): they
 * run against ferry-vdev, link libferry-core to reach the internals, and
 * check CONTRACT.md rule by rule.
 *
 *  - ct_prepare(): the backing directory of the device (made before
 *    ferry-vdev starts, by `PROGRAM --prepare DIR`);
 *  - ct_env: a context with one handle on the only device, through a
 *    wrapping transport (ct_wrap) that records every command container
 *    and class request and can make Get Device Status lie;
 *  - ct_hook: the link thread's phase hook (fl_ctx_set_test_hook): parks
 *    the link thread when the chosen operation reaches a phase of one of
 *    its transactions, so a test can cancel at that exact point from its
 *    own thread, then lets it go;
 *  - ct_rec: callbacks of an asynchronous operation, counted, checked for
 *    order (nothing after the final callback) and for exactly one final;
 *  - synchronous helpers with bounded waits: every wait of a test has a
 *    timeout, so a bug fails the test instead of hanging it.
 *
 * Environment (set by contract-run.sh):
 *   CONTRACT_STORE    the backing directory of "Internal storage"
 *   CONTRACT_PERSONA  the persona ferry-vdev plays
 *   CONTRACT_SLOW     a factor for every timeout (valgrind: 10)
 */
#ifndef FERRY_TESTS_CONTRACT_H
#define FERRY_TESTS_CONTRACT_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ferry/ferry.h>

#include "link/internal.h"
#include "util/hook.h"
#include "util/mem.h"

/* The fixture: files in the backing directory, made by ct_prepare(). */
#define CT_BIG "big.bin"     /* CT_BIG_SIZE random bytes */
#define CT_BIG_SIZE (4u << 20)
#define CT_SMALL "small.txt" /* CT_SMALL_SIZE bytes */
#define CT_SMALL_SIZE 1000u
#define CT_MANY_N 1100u      /* files in the "Many" storage (contract-phases) */
#define CT_SOME "some"       /* a folder of CT_SOME_N one-byte files */
#define CT_SOME_N 40u
#define CT_WORK "work"       /* an empty folder the tests write into */
/* contract-phases also has a storage "Many" holding CT_MANY_N files at
 * its root (CONTRACT_STORE_MANY), so a listing is one transaction */
#define CT_MANY_STORAGE "Many"
/* paths work with one storage or several */
#define CT_ROOT "/Internal storage"
/* Makes n one-byte files "entry-NNNNN.txt" in dir. */
int ct_prepare_many(const char *dir, unsigned n);

/* Makes the fixture in dir (created if missing). 0 or -1. */
int ct_prepare(const char *dir);
/* main() of every contract program: `PROGRAM --prepare DIR` makes the
 * fixture; otherwise runs the cmocka group. */
int ct_main(int argc, char **argv, const char *name, const struct CMUnitTest *tests, size_t n);

/* Timeouts, scaled by CONTRACT_SLOW. */
int ct_ms(int ms);
/* Monotonic milliseconds. */
uint64_t ct_now_ms(void);
void ct_sleep_ms(unsigned ms);
const char *ct_persona(void);
const char *ct_store(void);
/* "<store>/<rel>" in a static buffer (one at a time). */
const char *ct_path(const char *rel);
bool ct_file_exists(const char *rel);
/* Names in a backing folder that start with prefix (NULL: any hidden
 * ".ferry-" name); returns the count and the first one in first. */
int ct_dir_count(const char *rel_dir, const char *prefix, char *first, size_t firstlen);

/* ------------------------------------------------------------------ */
/* The wrapping transport                                               */

typedef struct ct_wrap {
    atomic_uint commands;       /* command containers sent */
    atomic_uint cancel_requests;/* class request 0x64 */
    atomic_uint status_polls;   /* class request 0x67 */
    atomic_uint resets;         /* class request 0x66 */
    atomic_uint open_sessions;  /* OpenSession commands */
    atomic_uint close_sessions; /* CloseSession commands */
    atomic_bool status_busy;    /* Get Device Status answers Busy, always */
    pthread_mutex_t mu;
    struct { uint32_t tid; uint16_t code; } last[64]; /* ring of commands */
    unsigned nlast;
} ct_wrap;

extern ct_wrap ct_w;
extern const fu_transport ct_wrap_transport;
/* The code of the command with transaction id tid sent lately, 0 if none. */
uint16_t ct_wrap_code(uint32_t tid);

/* ------------------------------------------------------------------ */
/* The phase hook                                                       */

#define CT_TXN_ANY (-2)
#define CT_REC_MAX 4096

typedef struct ct_hook {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* what to wait for: phase `phase` of transaction number `txn` (0 the
     * first; START has -1) of the next operation that starts (or of
     * `want_op` when set) */
    bool armed;
    int phase, txn;
    uint16_t code;     /* instead of txn: the first transaction with this code */
    int code_txn;
    ferry_op *want_op;
    ferry_op *bound;
    int cur_txn;
    /* parking */
    bool parked, release;
    ferry_op *parked_op;
    int parked_phase;
    uint32_t parked_tid;
    /* instead of parking: a call on the link thread */
    void (*fn)(ferry_op *op, int phase, void *user);
    void *fn_user;
    /* called for every phase of every operation (link thread) */
    void (*observe)(ferry_op *op, int phase, void *user);
    void *observe_user;
    /* recording the phases of the bound operation */
    bool record;
    int nrec;
    struct { int txn, phase; uint32_t tid; uint16_t code; } rec[CT_REC_MAX];
} ct_hook;

void ct_hook_init(ct_hook *k, ferry_ctx *ctx);
void ct_hook_destroy(ct_hook *k, ferry_ctx *ctx);
/* Parks the link thread at (phase, txn) of the next operation to start
 * (want NULL) or of want. */
void ct_hook_arm(ct_hook *k, ferry_op *want, int phase, int txn);
/* Parks at phase of the first transaction with command code `code` of
 * the next operation to start. */
void ct_hook_arm_code(ct_hook *k, int phase, uint16_t code);
/* Records the phases of the next operation to start. */
void ct_hook_record(ct_hook *k);
/* Waits until the link thread is parked: true; false when op finished
 * first (the phase never came) or the wait timed out. */
bool ct_hook_wait_parked(ct_hook *k, ferry_op *op, int timeout_ms);
/* Lets the parked link thread go on and disarms. */
void ct_hook_release(ct_hook *k);
void ct_hook_disarm(ct_hook *k);
const char *ct_phase_name(int phase);

/* ------------------------------------------------------------------ */
/* Callbacks of asynchronous operations                                 */

typedef struct ct_rec {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ferry_op *op;
    int items, progress, done, result;
    bool late;          /* an item or progress after the final callback */
    bool wrong_op;      /* a callback with another op */
    bool state_bad;     /* ferry_op_get_state() was not final in done */
    uint64_t last_done_bytes;
    /* optional: called from the item callback */
    void (*on_item)(struct ct_rec *r, ferry_op *op, const ferry_item *it);
    void (*on_progress)(struct ct_rec *r, ferry_op *op, uint64_t done, uint64_t total);
    void (*on_done)(struct ct_rec *r, ferry_op *op, int result);
    void *user;
    ferry_object first; /* a copy of the first object item */
} ct_rec;

void ct_rec_init(ct_rec *r);
void ct_rec_destroy(ct_rec *r);
ferry_op_cbs ct_rec_cbs(ct_rec *r);
/* Waits for the final callback: its result, or FERRY_ETIMEDOUT. */
int ct_rec_wait(ct_rec *r, int timeout_ms);
/* Asserts the final callback ran exactly once, nothing after it. */
void ct_rec_check(ct_rec *r);

/* ------------------------------------------------------------------ */
/* A context and a handle                                               */

typedef struct ct_env {
    ferry_ctx *ctx;
    ferry_dev *h;
    ferry_device_desc *desc;
    fl_link *link;
    uint32_t storage;
    ct_hook hook;
    bool hooked;
} ct_env;

/* Makes a context (opts may be NULL) through the wrapping transport,
 * opens the only device (or the one matching spec), reads the storage
 * id. Asserts on failure. */
void ct_env_open(ct_env *e, const ferry_ctx_opts *opts, const char *spec);
/* Adds ferry's log on standard error when CONTRACT_LOG=LEVEL is set. */
void ct_log_opts(ferry_ctx_opts *o);
void ct_env_close(ct_env *e);
/* The link's counters */
unsigned long long ct_recoveries(ct_env *e);
unsigned long long ct_cancels(ct_env *e);
unsigned long long ct_transactions(ct_env *e);

/* ------------------------------------------------------------------ */
/* Synchronous helpers (bounded)                                        */

/* Waits for a synchronous op's final result, dropping items; closes it. */
int ct_finish(ferry_op *op);
/* Fetches every item of a synchronous op (copies objects into *objs),
 * returns the final result (0 for success), closes the op. */
int ct_collect(ferry_op *op, ferry_object **objs, size_t *n);
void ct_objects_free(ferry_object *objs, size_t n);
int ct_stat(ferry_dev *h, uint32_t id, ferry_object *out);
/* The object at a path ("/work/x"): its id, 0 when missing. */
uint32_t ct_id(ferry_dev *h, const char *path);
int ct_list(ferry_dev *h, uint32_t storage, uint32_t folder, ferry_object **objs, size_t *n);
/* Whether a folder (FERRY_ROOT: top) lists a name. */
bool ct_listed(ferry_dev *h, uint32_t storage, uint32_t folder, const char *name);
/* Reads a whole object into a malloc'd buffer. */
int ct_read(ferry_dev *h, uint32_t id, uint8_t **buf, size_t *len);
/* Uploads bytes as name into parent; the new id in *id (optional). */
int ct_put(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, const void *buf, size_t len,
           uint32_t *id);
int ct_mkdir(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint32_t *id);
int ct_delete(ferry_dev *h, uint32_t id, unsigned flags);
/* A cheap round trip that must succeed: stat of small.txt and a read of it. */
void ct_assert_usable(ferry_dev *h);
/* Reads a backing file fully (malloc'd). */
int ct_slurp(const char *rel, uint8_t **buf, size_t *len);

/* Writes a line to the FERRY_VDEV_CTL fifo ("unplug"). 0 or -1. */
int ct_vdev_ctl(const char *line);

#define ct_assert_rc(expr, want)                                                                                \
    do {                                                                                                        \
        int ct_rc_ = (expr);                                                                                    \
        if (ct_rc_ != (want))                                                                                   \
            fail_msg("%s = %d (%s), expected %d (%s)", #expr, ct_rc_, ferry_err_name(ct_rc_), (int)(want),      \
                     ferry_err_name(want));                                                                     \
    } while (0)

#endif
