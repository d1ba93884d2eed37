/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * glib-ls: ferry in a GLib main loop.
 *
 * The context delivers results on the application's own thread
 * (FERRY_DELIVER_DISPATCH): its file descriptor goes into the main loop
 * as a GSource, and ferry_ctx_dispatch() runs the callbacks there, so the
 * callbacks may touch the UI directly. A timeout shows that cancel is
 * just a call: after 2 seconds the listing (or anything still running) is
 * cancelled, and the final callback still comes, exactly once.
 *
 *   glib-ls [PATH]        list a folder of the only device (default "/")
 *
 * Build: cc glib-ls.c $(pkg-config --cflags --libs ferry glib-2.0)
 */
#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>

#include <ferry/ferry.h>

typedef struct app {
    GMainLoop *loop;
    ferry_ctx *ctx;
    ferry_dev *dev;
    ferry_op *op;
    int entries;
} app;

/* ferry's descriptor is readable: run the waiting callbacks here. */
static gboolean on_ferry_fd(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    app *a = data;
    ferry_ctx_dispatch(a->ctx);
    return G_SOURCE_CONTINUE;
}

static void on_item(ferry_op *op, const ferry_item *it, void *user)
{
    (void)op;
    app *a = user;
    if (it->kind != FERRY_ITEM_OBJECT)
        return;
    a->entries++;
    printf("%s%s\n", it->u.object.name, it->u.object.is_folder ? "/" : "");
}

static void on_done(ferry_op *op, int result, void *user)
{
    app *a = user;
    if (result == 0)
        fprintf(stderr, "%d entries\n", a->entries);
    else
        fprintf(stderr, "listing ended: %s (%s)\n", ferry_strerror(result), ferry_op_error_text(op));
    ferry_op_close(op); /* never blocks; the memory goes after this callback */
    a->op = NULL;
    g_main_loop_quit(a->loop);
}

/* The path resolved: list it. */
static void on_resolved(ferry_op *op, const ferry_item *it, void *user)
{
    (void)op;
    app *a = user;
    if (it->kind != FERRY_ITEM_OBJECT || !it->u.object.is_folder)
        return;
    ferry_op_cbs cbs = {on_item, NULL, on_done, a};
    if (ferry_list(a->dev, it->u.object.storage, it->u.object.id, &cbs, &a->op) != 0)
        g_main_loop_quit(a->loop);
}

static void on_resolve_done(ferry_op *op, int result, void *user)
{
    app *a = user;
    if (result != 0) {
        fprintf(stderr, "cannot resolve: %s\n", ferry_strerror(result));
        g_main_loop_quit(a->loop);
    } else if (!a->op) {
        fprintf(stderr, "not a folder\n");
        g_main_loop_quit(a->loop);
    }
    ferry_op_close(op);
}

static gboolean on_timeout(gpointer data)
{
    app *a = data;
    if (a->op)
        ferry_op_cancel(a->op, FERRY_CANCEL_TIMEOUT); /* returns at once */
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    app a = {0};
    ferry_ctx_opts opts = {.size = sizeof(opts), .delivery = FERRY_DELIVER_DISPATCH};
    int rc = ferry_ctx_new(&a.ctx, &opts);
    if (rc) {
        fprintf(stderr, "ferry: %s\n", ferry_strerror(rc));
        return 1;
    }
    ferry_device_desc *d;
    rc = ferry_device_find(a.ctx, NULL, &d);
    if (rc) {
        fprintf(stderr, "no single device: %s\n", ferry_strerror(rc));
        ferry_ctx_free(a.ctx);
        return 1;
    }
    ferry_dev_open(a.ctx, d, &a.dev);
    ferry_devices_free(d, 1);

    a.loop = g_main_loop_new(NULL, FALSE);
    g_unix_fd_add(ferry_ctx_fd(a.ctx), G_IO_IN, on_ferry_fd, &a);
    g_timeout_add_seconds(2, on_timeout, &a);

    ferry_op *op;
    ferry_op_cbs cbs = {on_resolved, NULL, on_resolve_done, &a};
    if (ferry_resolve(a.dev, argc > 1 ? argv[1] : "/", &cbs, &op) == 0)
        g_main_loop_run(a.loop);

    ferry_dev_close(a.dev);
    ferry_ctx_free(a.ctx); /* cancels what still runs; its final callbacks run here */
    g_main_loop_unref(a.loop);
    return 0;
}
