/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tool's event loop: the library delivers results on the main thread
 * (FERRY_DELIVER_DISPATCH); signals arrive through a self-pipe and cancel
 * the running operations through the library, which reverts what they
 * had started. A second signal does not cut that short.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static cli_op *g_active; /* operations the next signal cancels */

static void on_item(ferry_op *op, const ferry_item *it, void *user)
{
    (void)op;
    cli_op *c = user;
    if (!c->have_first) {
        ferry_item_copy(&c->first, it);
        c->have_first = true;
    }
    if (c->on_item)
        c->on_item(c, it);
}

static void on_progress(ferry_op *op, uint64_t done, uint64_t total, void *user)
{
    (void)op;
    cli_op *c = user;
    c->bytes = done;
    c->total = total;
    progress_report(c, done, total);
}

static void on_done(ferry_op *op, int result, void *user)
{
    (void)op;
    cli_op *c = user;
    c->done = true;
    c->result = result;
}

ferry_op_cbs cli_cbs(cli_op *c)
{
    ferry_op_cbs cbs = {on_item, on_progress, on_done, c};
    return cbs;
}

void cli_op_release(cli_op *c)
{
    if (!c)
        return;
    if (c->op)
        ferry_op_close(c->op);
    c->op = NULL;
    if (c->have_first)
        ferry_item_clear(&c->first);
    c->have_first = false;
}

bool cli_interrupted(void)
{
    return g.signo != 0;
}

void cli_cancel_all(cli_op *list)
{
    for (cli_op *c = list; c; c = c->next)
        if (c->op && !c->done)
            ferry_op_cancel(c->op, FERRY_CANCEL_USER);
}

static void handle_signals(cli_op *extra)
{
    char buf[16];
    ssize_t n = read(g.sigpipe[0], buf, sizeof(buf));
    if (n <= 0)
        return;
    g.nsignals += (int)n;
    if (!g.cancelling) {
        g.cancelling = true;
        progress_clear();
        if (!g.quiet)
            cli_info("interrupted: cancelling and cleaning up (nothing half-copied stays)");
    } else if (!g.quiet) {
        progress_clear();
        cli_info("still cleaning up; this is bounded and leaves nothing half-copied");
    }
    if (g.cleaning)
        return; /* short, bounded steps that put things right: let them end */
    cli_cancel_all(g_active);
    if (extra && extra->op && !extra->done)
        ferry_op_cancel(extra->op, FERRY_CANCEL_USER);
}

/* One round of waiting: dispatch results, handle signals, draw. */
static void loop_once(cli_op *extra)
{
    struct pollfd pf[2] = {{ferry_ctx_fd(g.ctx), POLLIN, 0}, {g.sigpipe[0], POLLIN, 0}};
    int r = poll(pf, 2, g.progress ? 100 : 1000);
    if (r < 0 && errno != EINTR)
        return;
    if (pf[1].revents & POLLIN)
        handle_signals(extra);
    if (pf[0].revents & POLLIN)
        ferry_ctx_dispatch(g.ctx);
    if (g.progress)
        cli_progress_tick();
}

int cli_wait(cli_op *c)
{
    if (g.signo && !g.cleaning && c && c->op && !c->done)
        ferry_op_cancel(c->op, FERRY_CANCEL_USER);
    while (c && !c->done)
        loop_once(c);
    if (!c)
        loop_once(NULL);
    return c ? c->result : 0;
}

cli_op *cli_wait_any(cli_op **list)
{
    g_active = *list;
    for (;;) {
        for (cli_op **pp = list; *pp; pp = &(*pp)->next) {
            if ((*pp)->done) {
                cli_op *c = *pp;
                *pp = c->next;
                c->next = NULL;
                g_active = *list;
                return c;
            }
        }
        if (!*list)
            return NULL;
        if (g.signo)
            cli_cancel_all(*list);
        loop_once(NULL);
    }
}
