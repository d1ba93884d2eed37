/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cancel matrix (CONTRACT.md C2, C3, C4, C5, C7, C8, C9): for list,
 * read, delete and mkdir, cancel at every phase of the operation -
 *
 *   queued      still in the link's queue (the link is held by another
 *               operation parked at its start)
 *   start       taken by the link, nothing sent yet
 *   command     the command of the operation's main transaction is about
 *               to go out (GetObjectPropList/GetObjectHandles of the
 *               listing, GetObject, DeleteObject, SendObjectInfo)
 *   data-start, data-mid, data-end   of that transaction's data phase
 *   response    waiting for its response
 *   done        its response came
 *   after       the operation has finished
 *
 * - from the test's own thread while the link thread is parked in the
 * phase hook (so ferry_op_cancel() is seen returning while the link is
 * stuck: C2), and checks the value cancel returns (C3), the final result
 * and the too-late flag (C8: a DeleteObject or SendObjectInfo once sent
 * runs to its end and reports its real outcome), the reason (C4), the
 * states (C7), the callbacks (C5: exactly one final, nothing after it),
 * what is on the device afterwards, and that the next operation on the
 * same handle succeeds with no reopen (C9), except on a persona that needs
 * one, where ferry's recovery must do it on its own.
 *
 * The main transaction is found by its command code (the listing of a
 * storage's top, where 1100 objects make its data phase long, is the
 * operation's first transaction); which phases it has comes from an
 * uncancelled run of the same operation, and the matrix checks that every
 * phase it expects was there.
 *
 * Run under each persona by contract-run.sh (contract-phases-PERSONA).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

enum op_kind { OP_LIST, OP_READ, OP_DELETE, OP_MKDIR };
static const char *const op_names[] = {"list", "read", "delete", "mkdir"};

#define CELL_QUEUED 100
#define CELL_AFTER 101

typedef struct verify_sink {
    const uint8_t *want;
    size_t len, pos;
    bool bad;
} verify_sink;

static int verify_put(void *priv, const void *buf, size_t len)
{
    verify_sink *v = priv;
    if (v->pos + len > v->len || memcmp(v->want + v->pos, buf, len) != 0)
        v->bad = true;
    v->pos += len;
    return 0;
}

typedef struct matrix {
    ct_env e;
    enum op_kind kind;
    uint8_t *big;
    size_t big_len;
    uint32_t big_id, many_storage, work_id;
    /* calibration */
    uint16_t target_code;
    bool has_phase[8];
    unsigned cell;
    /* the operation of the current cell */
    char name[64];
    char parent_rel[64];
    uint32_t obj_id;     /* delete: the file; mkdir: the parent */
    verify_sink vs;
    ferry_data sink;
    /* callbacks land here (not on a stack that a failed assert leaves) */
    ct_rec rec, rec_blocker;
} matrix;

/* Personas on which ferry may need to reopen the device after a cancel. */
static bool reopen_allowed(void)
{
    const char *need = getenv("CONTRACT_REOPEN_OK");
    return need && strstr(need, ct_persona()) != NULL;
}

/* Prepares what the next cell's operation works on. */
static void prepare_cell(matrix *m)
{
    m->cell++;
    switch (m->kind) {
    case OP_LIST:
    case OP_READ:
        break;
    case OP_DELETE: {
        snprintf(m->name, sizeof(m->name), "del-%u.txt", m->cell);
        char data[100];
        memset(data, 'd', sizeof(data));
        ct_assert_rc(ct_put(m->e.h, m->e.storage, m->work_id, m->name, data, sizeof(data), &m->obj_id), 0);
        snprintf(m->parent_rel, sizeof(m->parent_rel), "%s", CT_WORK);
        break;
    }
    case OP_MKDIR:
        /* a fresh parent each time, so the operation's transactions are
         * the same as in the calibration run (no listing cached) */
        snprintf(m->parent_rel, sizeof(m->parent_rel), "%s/mkp-%u", CT_WORK, m->cell);
        ct_assert_rc(ct_mkdir(m->e.h, m->e.storage, m->work_id, m->parent_rel + strlen(CT_WORK) + 1, &m->obj_id), 0);
        snprintf(m->name, sizeof(m->name), "mk-%u", m->cell);
        break;
    }
}

static int start_op(matrix *m, ct_rec *r, ferry_op **op)
{
    ferry_op_cbs cbs = ct_rec_cbs(r);
    switch (m->kind) {
    case OP_LIST:
        return ferry_list(m->e.h, m->many_storage, FERRY_ROOT, &cbs, op);
    case OP_READ:
        memset(&m->vs, 0, sizeof(m->vs));
        m->vs.want = m->big;
        m->vs.len = m->big_len;
        m->sink = (ferry_data){NULL, verify_put, &m->vs};
        return ferry_read(m->e.h, m->big_id, 0, FERRY_TO_END, &m->sink, &cbs, op);
    case OP_DELETE:
        return ferry_delete(m->e.h, m->obj_id, 0, &cbs, op);
    case OP_MKDIR:
        return ferry_mkdir(m->e.h, m->e.storage, m->obj_id, m->name, &cbs, op);
    }
    return FERRY_EINVAL;
}

/* Whether the operation had its effect (on the device's backing folder). */
static bool effect_done(matrix *m, ct_rec *r)
{
    char rel[160];
    switch (m->kind) {
    case OP_LIST:
        return r->items == (int)CT_MANY_N;
    case OP_READ:
        return m->vs.pos == m->big_len && !m->vs.bad;
    case OP_DELETE:
        snprintf(rel, sizeof(rel), "%s/%s", m->parent_rel, m->name);
        return !ct_file_exists(rel);
    case OP_MKDIR:
        snprintf(rel, sizeof(rel), "%s/%s", m->parent_rel, m->name);
        return ct_file_exists(rel);
    }
    return false;
}

static bool irrevocable(const matrix *m)
{
    return m->kind == OP_DELETE || m->kind == OP_MKDIR;
}

/* The uncancelled run: the main transaction's phases. */
static void calibrate(matrix *m)
{
    /* a listing of a storage's top is one transaction (then, without
     * GetObjectPropList, one GetObjectInfo per object) */
    static const uint16_t want_code[] = {0, FC_OC_GetObject, FC_OC_DeleteObject, FC_OC_SendObjectInfo};
    prepare_cell(m);
    ct_rec *r = &m->rec;
    ct_rec_destroy(r);
    ct_rec_init(r);
    ct_hook_record(&m->e.hook);
    ferry_op *op;
    ct_assert_rc(start_op(m, r, &op), 0);
    ct_assert_rc(ct_rec_wait(r, ct_ms(60000)), 0);
    ct_hook_disarm(&m->e.hook);
    ct_assert_rc(ferry_op_close(op), 0);
    ct_rec_check(r);
    assert_true(effect_done(m, r));

    ct_hook *k = &m->e.hook;
    int ntxn = 0, target = -1;
    for (int i = 0; i < k->nrec; i++) {
        int t = k->rec[i].txn;
        if (t + 1 > ntxn)
            ntxn = t + 1;
        if (t >= 0 && target < 0 && k->rec[i].phase == FL_PHASE_COMMAND &&
            (m->kind == OP_LIST ? t == 0 : k->rec[i].code == want_code[m->kind])) {
            target = t;
            m->target_code = k->rec[i].code;
        }
    }
    if (target < 0)
        fail_msg("%s: no main transaction among %d", op_names[m->kind], ntxn);
    memset(m->has_phase, 0, sizeof(m->has_phase));
    for (int i = 0; i < k->nrec; i++)
        if (k->rec[i].txn == target)
            m->has_phase[k->rec[i].phase] = true;
    char nb[8];
    printf("# %s (%s): %d%s transactions, main one #%d %s, phases:", op_names[m->kind], ct_persona(), ntxn,
           k->nrec >= CT_REC_MAX ? "+" : "", target, fc_code_str(fc_operation_name, m->target_code, nb));
    for (int p = FL_PHASE_COMMAND; p <= FL_PHASE_DONE; p++)
        if (m->has_phase[p])
            printf(" %s", ct_phase_name(p));
    printf("\n");
    /* every phase must be there but those the transaction cannot have */
    for (int p = FL_PHASE_COMMAND; p <= FL_PHASE_DONE; p++) {
        bool data = p == FL_PHASE_DATA_START || p == FL_PHASE_DATA_MID || p == FL_PHASE_DATA_END;
        bool expected = !(m->kind == OP_DELETE && data) && !(m->kind == OP_MKDIR && p == FL_PHASE_DATA_MID);
        if (expected && !m->has_phase[p])
            fail_msg("%s: phase %s never came in the main transaction", op_names[m->kind], ct_phase_name(p));
    }
}

static void check_outcome(matrix *m, int phase, ct_rec *r, ferry_op *op, int result)
{
    const char *on = op_names[m->kind];
    const char *pn = phase == CELL_QUEUED ? "queued" : phase == CELL_AFTER ? "after" : ct_phase_name(phase);
    bool too_late = ferry_op_cancel_too_late(op);
    ferry_cancel_reason reason = ferry_op_cancel_reason(op);
    bool effect = effect_done(m, r);
    printf("#   %-10s -> %s%s, effect %s\n", pn, ferry_err_name(result), too_late ? " (too late)" : "",
           effect ? "yes" : "no");
    if (phase == CELL_AFTER) {
        ct_assert_rc(result, 0);
        assert_false(too_late);
        assert_int_equal(reason, FERRY_CANCEL_NONE);
        assert_true(effect);
        return;
    }
    assert_int_equal(reason, FERRY_CANCEL_USER); /* C4, also when too late */
    bool early = phase == CELL_QUEUED || phase == FL_PHASE_START;
    if (irrevocable(m) && !early) {
        /* C8: the device cannot abort it: it ran to its end */
        if (result != 0 || !too_late)
            fail_msg("%s at %s: %s%s, expected the real outcome (OK) and too late", on, pn, ferry_err_name(result),
                     too_late ? " (too late)" : "");
        assert_true(effect);
        assert_int_equal(ferry_op_get_state(op), FERRY_OP_SUCCEEDED);
        return;
    }
    bool may_complete = !early && (phase == FL_PHASE_DATA_END || phase == FL_PHASE_RESPONSE || phase == FL_PHASE_DONE);
    if (result == 0 && may_complete) {
        /* the data had all come: the real outcome, flagged too late */
        assert_true(too_late);
        assert_true(effect);
        return;
    }
    if (result != FERRY_ECANCELLED)
        fail_msg("%s at %s: final %s, expected CANCELLED", on, pn, ferry_err_name(result));
    assert_false(too_late);
    assert_int_equal(ferry_op_get_state(op), FERRY_OP_CANCELLED);
    if (irrevocable(m))
        assert_false(effect);
    if (m->kind == OP_READ)
        assert_false(m->vs.bad); /* what came before the cancel is right */
}

static void run_cell(matrix *m, int phase)
{
    prepare_cell(m);
    unsigned long long rec0 = ct_recoveries(&m->e);
    ct_rec *r = &m->rec;
    ct_rec_destroy(r);
    ct_rec_init(r);
    ferry_op *op = NULL;
    int crc;
    if (phase == CELL_QUEUED) {
        /* hold the link with another operation parked at its start */
        ct_rec *rb = &m->rec_blocker;
        ct_rec_destroy(rb);
        ct_rec_init(rb);
        ferry_op *blocker;
        ct_hook_arm(&m->e.hook, NULL, FL_PHASE_START, -1);
        ferry_op_cbs bc = ct_rec_cbs(rb);
        ct_assert_rc(ferry_stat(m->e.h, m->big_id, &bc, &blocker), 0);
        assert_true(ct_hook_wait_parked(&m->e.hook, blocker, ct_ms(30000)));
        unsigned cmds = atomic_load(&ct_w.commands);
        ct_assert_rc(start_op(m, r, &op), 0);
        assert_int_equal(ferry_op_get_state(op), FERRY_OP_PENDING); /* C7 */
        crc = ferry_op_cancel(op, FERRY_CANCEL_USER);
        ct_assert_rc(crc, 0);
        /* C8: finished locally, no USB traffic, while the link is held */
        ct_assert_rc(ct_rec_wait(r, ct_ms(30000)), FERRY_ECANCELLED);
        assert_int_equal(atomic_load(&ct_w.commands), cmds);
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_CANCELLED);
        ct_hook_release(&m->e.hook);
        ct_assert_rc(ct_rec_wait(rb, ct_ms(30000)), 0);
        ct_assert_rc(ferry_op_close(blocker), 0);
        ct_rec_check(rb);
    } else if (phase == CELL_AFTER) {
        ct_assert_rc(start_op(m, r, &op), 0);
        ct_assert_rc(ct_rec_wait(r, ct_ms(60000)), 0);
        assert_int_equal(ferry_op_get_state(op), FERRY_OP_SUCCEEDED);
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_USER), FERRY_EALREADY_FINISHED);
    } else {
        ct_hook_arm_code(&m->e.hook, phase, m->target_code);
        ct_assert_rc(start_op(m, r, &op), 0);
        if (!ct_hook_wait_parked(&m->e.hook, op, ct_ms(60000))) {
            ct_hook_disarm(&m->e.hook);
            fail_msg("%s: phase %s of transaction 0x%04x never came (final %s)", op_names[m->kind],
                     ct_phase_name(phase), m->target_code, ferry_err_name(ferry_op_result(op)));
        }
        uint32_t tid = m->e.hook.parked_tid;
        if (phase != FL_PHASE_START && phase != FL_PHASE_COMMAND && ct_wrap_code(tid) != m->target_code)
            fail_msg("%s: parked in transaction 0x%04x, not 0x%04x", op_names[m->kind], ct_wrap_code(tid),
                     m->target_code);
        assert_int_equal(ferry_op_get_state(op), FERRY_OP_RUNNING); /* C7 */
        /* C2: returns at once although the link thread is stuck in the hook */
        crc = ferry_op_cancel(op, FERRY_CANCEL_USER);
        ct_assert_rc(crc, 0);
        assert_int_equal(ferry_op_get_state(op), FERRY_OP_CANCELLING); /* C7 */
        ct_assert_rc(ferry_op_cancel(op, FERRY_CANCEL_TIMEOUT), FERRY_EALREADY_CANCELLED); /* C3 */
        assert_int_equal(ferry_op_cancel_reason(op), FERRY_CANCEL_USER);                   /* the first one's */
        ct_hook_release(&m->e.hook);
        int res = ct_rec_wait(r, ct_ms(60000));
        if (res == FERRY_ETIMEDOUT)
            fail_msg("%s at %s: no final result", op_names[m->kind], ct_phase_name(phase));
        if (phase == FL_PHASE_COMMAND && irrevocable(m) && ct_wrap_code(tid) != m->target_code)
            fail_msg("%s: the command sent after the park was 0x%04x, not 0x%04x", op_names[m->kind],
                     ct_wrap_code(tid), m->target_code);
    }
    int result = ferry_op_result(op);
    check_outcome(m, phase, r, op, result);
    /* C3 after the end: ALREADY_CANCELLED, ALREADY_FINISHED or the error */
    int again = ferry_op_cancel(op, FERRY_CANCEL_USER);
    if (result == FERRY_ECANCELLED)
        ct_assert_rc(again, FERRY_EALREADY_CANCELLED);
    else if (result == 0)
        ct_assert_rc(again, FERRY_EALREADY_FINISHED);
    ct_assert_rc(ferry_op_close(op), 0);

    /* the next operation on the same handle works, with no reopen (C9) */
    ct_assert_usable(m->e.h);
    ct_rec_check(r); /* still exactly one final, nothing after it */
    unsigned long long rec1 = ct_recoveries(&m->e);
    if (rec1 != rec0) {
        printf("#   (ferry reopened the device %llu time(s))\n", rec1 - rec0);
        if (!reopen_allowed())
            fail_msg("%s: the device was reopened after a cancel", ct_persona());
    }
}

static void run_matrix(matrix *m, enum op_kind kind)
{
    m->kind = kind;
    /* small URBs for the listing, so its data phase has a middle */
    ferry_ctx_opts o = {.size = sizeof(o), .urb_size = kind == OP_LIST ? 4096 : 0};
    ct_env_open(&m->e, &o, NULL);
    assert_int_equal(ct_slurp(CT_BIG, &m->big, &m->big_len), 0);
    m->big_id = ct_id(m->e.h, CT_ROOT "/" CT_BIG);
    m->work_id = ct_id(m->e.h, CT_ROOT "/" CT_WORK);
    assert_true(m->big_id && m->work_id);
    ferry_op *op;
    ct_assert_rc(ferry_resolve(m->e.h, "/" CT_MANY_STORAGE, NULL, &op), 0);
    ferry_object *objs;
    size_t n;
    ct_assert_rc(ct_collect(op, &objs, &n), 0);
    assert_int_equal(n, 1);
    m->many_storage = objs[0].storage;
    ct_objects_free(objs, n);

    calibrate(m);
    run_cell(m, CELL_QUEUED);
    for (int p = FL_PHASE_START; p <= FL_PHASE_DONE; p++) {
        if (p != FL_PHASE_START && !m->has_phase[p]) {
            printf("#   %-10s    (the transaction has none)\n", ct_phase_name(p));
            continue;
        }
        run_cell(m, p);
    }
    run_cell(m, CELL_AFTER);
    printf("# %s: %llu cancel sequences, %llu reopen(s), %u Cancel Requests, %u status polls\n", op_names[kind],
           ct_cancels(&m->e), ct_recoveries(&m->e), atomic_load(&ct_w.cancel_requests),
           atomic_load(&ct_w.status_polls));
}

static int setup(void **state)
{
    matrix *m = calloc(1, sizeof(matrix));
    if (!m)
        return -1;
    ct_rec_init(&m->rec);
    ct_rec_init(&m->rec_blocker);
    *state = m;
    return 0;
}

/* Runs also when a test failed: the device must be let go for the next. */
static int teardown(void **state)
{
    matrix *m = *state;
    if (m->e.hooked) {
        ct_hook_disarm(&m->e.hook);
        ct_hook_release(&m->e.hook);
    }
    ct_env_close(&m->e);
    ct_rec_destroy(&m->rec);
    ct_rec_destroy(&m->rec_blocker);
    free(m->big);
    free(m);
    return 0;
}

static void test_C3_C8_cancel_phases_list(void **state)
{
    run_matrix(*state, OP_LIST);
}

static void test_C3_C8_cancel_phases_read(void **state)
{
    run_matrix(*state, OP_READ);
}

static void test_C3_C8_cancel_phases_delete(void **state)
{
    run_matrix(*state, OP_DELETE);
}

static void test_C3_C8_cancel_phases_mkdir(void **state)
{
    run_matrix(*state, OP_MKDIR);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_C3_C8_cancel_phases_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_C3_C8_cancel_phases_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_C3_C8_cancel_phases_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_C3_C8_cancel_phases_mkdir, setup, teardown),
    };
    return ct_main(argc, argv, "contract-phases", tests, sizeof(tests) / sizeof(tests[0]));
}
