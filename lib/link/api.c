/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public requests: each makes an operation of a kind and queues it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "link/internal.h"
#include "util/mem.h"

static int emit_object(ferry_op *op, const ferry_object *o)
{
    ferry_item it = {.kind = FERRY_ITEM_OBJECT};
    it.u.object = *o;
    return fl_op_item(op, &it);
}

static int emit_fresh(fl_link *l, ferry_op *op, uint32_t id)
{
    ferry_object o;
    int rc = fl_get_object(l, op, id, &o);
    if (rc < 0)
        return rc;
    rc = emit_object(op, &o);
    fl_object_clear(&o);
    return rc;
}

/* As emit_fresh, after a step the device could not undo (the object was
 * made, renamed, moved): a cancel that came meanwhile is too late (C8),
 * so the object is read without the operation's cancel and the real
 * outcome is reported, not FERRY_ECANCELLED. */
static int emit_done(fl_link *l, ferry_op *op, uint32_t id)
{
    ferry_object o;
    int rc = fl_get_object(l, NULL, id, &o);
    if (rc < 0)
        return rc;
    rc = emit_object(op, &o);
    fl_object_clear(&o);
    return rc;
}

/* ------------------------------------------------------------------ */

static int run_device_info(fl_link *l, ferry_op *op)
{
    ferry_item it = {.kind = FERRY_ITEM_DEVICE};
    ferry_device_info *d = &it.u.device;
    d->manufacturer = l->di.manufacturer;
    d->model = l->di.model;
    d->version = l->di.device_version;
    d->serial = l->di.serial;
    d->extensions = l->di.vendor_ext_desc;
    d->battery = -1;
    d->has_proplist = l->has_proplist;
    d->has_partial64 = l->has_partial64;
    d->has_edit = l->has_edit;
    d->can_rename = l->can_rename;
    d->quirks = l->quirks;
    char *friendly = NULL;
    bool has_prop_get = fc_device_info_has_op(&l->di, FC_OC_GetDevicePropValue);
    for (uint32_t i = 0; has_prop_get && i < l->di.n_device_props; i++) {
        uint16_t code = l->di.device_props[i];
        if (code != FC_DPC_BatteryLevel && code != FC_DPC_DeviceFriendlyName)
            continue;
        fc_wr w;
        fc_wr_init(&w);
        fl_txn t = {.code = FC_OC_GetDevicePropValue, .nparams = 1, .params = {code}, .dir = FL_DATA_IN,
                    .in_mem = &w, .in_max = 4096, .in_expect = UINT64_MAX};
        int rc = fl_transact_ok(l, op, &t);
        if (rc == FERRY_ECANCELLED || rc == FERRY_ENODEV) {
            fc_wr_free(&w);
            fy_free(friendly);
            return rc;
        }
        if (rc == 0) {
            fc_rd r;
            fc_rd_init(&r, w.buf, w.len);
            if (code == FC_DPC_BatteryLevel) {
                uint8_t b;
                if (fc_rd_u8(&r, &b) == 0)
                    d->battery = b;
            } else {
                fy_free(friendly);
                friendly = NULL;
                fc_rd_str(&r, &friendly);
            }
        }
        fc_wr_free(&w);
    }
    d->friendly_name = friendly;
    int rc = fl_op_item(op, &it);
    fy_free(friendly);
    return rc;
}

static int run_storages(fl_link *l, ferry_op *op)
{
    int rc = fl_refresh_storages(l, op);
    for (size_t i = 0; rc == 0 && i < l->nstorages; i++) {
        ferry_item it = {.kind = FERRY_ITEM_STORAGE};
        it.u.storage = l->storages[i];
        rc = fl_op_item(op, &it);
    }
    return rc;
}

static int run_list(fl_link *l, ferry_op *op)
{
    ferry_object *objs;
    size_t n;
    uint32_t folder = op->p.list.folder;
    if (folder != FERRY_ROOT) {
        ferry_object self;
        int rc = fl_get_object(l, op, folder, &self);
        if (rc < 0)
            return rc;
        bool isf = self.is_folder;
        uint32_t st = self.storage;
        fl_object_clear(&self);
        if (!isf)
            return FERRY_ENOTDIR;
        if (!op->p.list.storage)
            op->p.list.storage = st;
    }
    int rc = fl_list_folder(l, op, op->p.list.storage, folder, &objs, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = emit_object(op, &objs[i]);
    fl_objects_free(objs, n);
    return rc;
}

static int run_stat(fl_link *l, ferry_op *op)
{
    return emit_fresh(l, op, op->p.stat.id);
}

static int run_resolve(fl_link *l, ferry_op *op)
{
    ferry_object o;
    int rc = fl_resolve_path(l, op, op->p.resolve.path, &o);
    if (rc < 0)
        return rc;
    rc = emit_object(op, &o);
    fl_object_clear(&o);
    return rc;
}

static void cleanup_resolve(ferry_op *op)
{
    fy_free(op->p.resolve.path);
}

static uint32_t storage_of(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, int *rc)
{
    uint32_t st = 0;
    *rc = fl_parent_storage(l, op, storage, parent, &st);
    return st;
}

static int run_mkdir(fl_link *l, ferry_op *op)
{
    int rc;
    uint32_t st = storage_of(l, op, op->p.mkdir.storage, op->p.mkdir.parent, &rc);
    if (rc < 0)
        return rc;
    bool exists;
    rc = fl_child_exists(l, op, st, op->p.mkdir.parent, op->p.mkdir.name, &exists);
    if (rc < 0)
        return rc;
    if (exists) {
        fl_op_set_error(op, "%s: a file or folder of that name exists", op->p.mkdir.name);
        return FERRY_EEXIST;
    }
    uint32_t id;
    rc = fl_send_object_info(l, op, st, op->p.mkdir.parent, op->p.mkdir.name, true, 0, -1, &id);
    if (rc < 0)
        return rc;
    return emit_done(l, op, id);
}

static void cleanup_mkdir(ferry_op *op)
{
    fy_free(op->p.mkdir.name);
}

/* Deletes a tree deepest first, checking for a cancel between objects. */
static int delete_tree(fl_link *l, ferry_op *op, const ferry_object *o, uint64_t *count)
{
    if (o->is_folder) {
        ferry_object *kids;
        size_t n;
        int rc = fl_list_folder(l, op, o->storage, o->id, &kids, &n);
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = delete_tree(l, op, &kids[i], count);
        fl_objects_free(kids, n);
        if (rc < 0)
            return rc;
        fl_dircache_forget(l, o->storage, o->id);
    }
    if (fl_op_cancelled(op))
        return FERRY_ECANCELLED;
    int rc = fl_delete_object(l, op, o->id);
    if (rc == FERRY_ENOENT)
        rc = 0; /* already gone (the device deleted a folder's contents itself) */
    if (rc == 0) {
        (*count)++;
        fl_op_progress(op, *count, 0);
    } else {
        fl_op_set_error(op, "%s: %s", o->name, ferry_strerror(rc));
    }
    return rc;
}

static int run_delete(fl_link *l, ferry_op *op)
{
    ferry_object o;
    int rc = fl_get_object(l, op, op->p.del.id, &o);
    if (rc < 0)
        return rc;
    if (o.is_folder && !(op->p.del.flags & FERRY_DELETE_RECURSIVE)) {
        ferry_object *kids;
        size_t n;
        rc = fl_list_folder(l, op, o.storage, o.id, &kids, &n);
        fl_objects_free(kids, n);
        if (rc == 0 && n) {
            fl_op_set_error(op, "%s: folder is not empty", o.name);
            rc = FERRY_ENOTEMPTY;
        }
    }
    uint64_t count = 0;
    if (rc == 0)
        rc = delete_tree(l, op, &o, &count);
    fl_dircache_forget(l, o.storage, o.parent);
    fl_object_clear(&o);
    return rc;
}

static int run_rename(fl_link *l, ferry_op *op)
{
    ferry_object o;
    int rc = fl_get_object(l, op, op->p.rename.id, &o);
    if (rc < 0)
        return rc;
    if (!l->can_rename) {
        fl_object_clear(&o);
        return FERRY_ENOTSUP;
    }
    bool exists = false;
    if (strcmp(o.name, op->p.rename.name) != 0)
        rc = fl_child_exists(l, op, o.storage, o.parent, op->p.rename.name, &exists);
    if (rc == 0 && exists) {
        fl_op_set_error(op, "%s: a file or folder of that name exists", op->p.rename.name);
        rc = FERRY_EEXIST;
    }
    if (rc == 0)
        rc = fl_set_name(l, op, o.id, op->p.rename.name);
    fl_dircache_forget(l, o.storage, o.parent);
    fl_object_clear(&o);
    if (rc == 0)
        rc = emit_done(l, op, op->p.rename.id);
    return rc;
}

static void cleanup_rename(ferry_op *op)
{
    fy_free(op->p.rename.name);
}

static int run_move_copy(fl_link *l, ferry_op *op, bool copy)
{
    ferry_object o;
    int rc = fl_get_object(l, op, op->p.move.id, &o);
    if (rc < 0)
        return rc;
    uint32_t st = storage_of(l, op, op->p.move.storage ? op->p.move.storage : o.storage, op->p.move.parent, &rc);
    bool exists = false;
    if (rc == 0)
        rc = fl_child_exists(l, op, st, op->p.move.parent, o.name, &exists);
    if (rc == 0 && exists && !(!copy && st == o.storage && op->p.move.parent == o.parent)) {
        fl_op_set_error(op, "%s: a file or folder of that name exists there", o.name);
        rc = FERRY_EEXIST;
    }
    if (rc == 0 && exists)
        goto out; /* moved onto itself */
    if (rc == 0) {
        fl_txn t = {.code = copy ? FC_OC_CopyObject : FC_OC_MoveObject, .nparams = 3,
                    .params = {o.id, st, op->p.move.parent}, .no_cancel = true};
        rc = fl_transact_ok(l, op, &t);
        if (rc == 0 && copy && (t.resp.nparams < 1 || !t.resp.params[0]))
            rc = FERRY_EPROTO;
        fl_dircache_forget(l, o.storage, o.parent);
        fl_dircache_forget(l, st, op->p.move.parent);
        if (rc == 0)
            rc = emit_done(l, op, copy ? t.resp.params[0] : o.id);
    }
out:
    fl_object_clear(&o);
    return rc;
}

static int run_move(fl_link *l, ferry_op *op)
{
    return run_move_copy(l, op, false);
}

static int run_copy(fl_link *l, ferry_op *op)
{
    return run_move_copy(l, op, true);
}

static int run_read(fl_link *l, ferry_op *op)
{
    ferry_object o;
    int rc = fl_find_object(l, op, op->p.read.id, &o);
    if (rc < 0)
        return rc;
    rc = fl_read_object(l, op, &o, op->p.read.offset, op->p.read.length, &op->p.read.sink);
    fl_object_clear(&o);
    return rc;
}

static int run_reset(fl_link *l, ferry_op *op)
{
    (void)op;
    if (!l->dev) {
        int rc = fl_link_connect(l);
        if (rc < 0)
            return rc;
    }
    int rc = l->t->control(l->dev, 0x21, 0x66, 0, l->t->iface(l->dev), NULL, 0, 5000);
    FY_WARN(l->log, "Device Reset sent at the application's request: %s", rc < 0 ? ferry_strerror(rc) : "ok");
    /* the session is gone with it: reconnect on the next operation */
    fl_link_disconnect(l, false);
    l->state = FL_LINK_NEW;
    return rc < 0 ? rc : 0;
}

static const fl_op_kind k_device_info = {"device-info", run_device_info, NULL, false};
static const fl_op_kind k_storages = {"storages", run_storages, NULL, false};
static const fl_op_kind k_list = {"list", run_list, NULL, false};
static const fl_op_kind k_stat = {"stat", run_stat, NULL, false};
static const fl_op_kind k_resolve = {"resolve", run_resolve, cleanup_resolve, false};
static const fl_op_kind k_mkdir = {"mkdir", run_mkdir, cleanup_mkdir, false};
static const fl_op_kind k_delete = {"delete", run_delete, NULL, false};
static const fl_op_kind k_rename = {"rename", run_rename, cleanup_rename, false};
static const fl_op_kind k_move = {"move", run_move, NULL, false};
static const fl_op_kind k_copy = {"copy", run_copy, NULL, false};
static const fl_op_kind k_read = {"read", run_read, NULL, false};
static const fl_op_kind k_reset = {"reset", run_reset, NULL, true};

/* ------------------------------------------------------------------ */

FERRY_API int ferry_dev_info(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!out)
        return FERRY_EINVAL;
    return fl_op_start(h, &k_device_info, cbs, out, NULL);
}

FERRY_API int ferry_storages(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!out)
        return FERRY_EINVAL;
    return fl_op_start(h, &k_storages, cbs, out, NULL);
}

FERRY_API int ferry_dev_reset(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!out)
        return FERRY_EINVAL;
    return fl_op_start(h, &k_reset, cbs, out, NULL);
}

#define START(kind, fill)                                                      \
    do {                                                                       \
        if (!out)                                                              \
            return FERRY_EINVAL;                                               \
        ferry_op *op;                                                          \
        int rc_ = fl_op_new(h, (kind), cbs, &op);                              \
        if (rc_ < 0)                                                           \
            return rc_;                                                        \
        fill;                                                                  \
        rc_ = fl_op_queue(op);                                                 \
        if (rc_ < 0) {                                                         \
            fl_op_discard(op);                                                 \
            return rc_;                                                        \
        }                                                                      \
        *out = op;                                                             \
        return 0;                                                              \
    } while (0)

FERRY_API int ferry_list(ferry_dev *h, uint32_t storage, uint32_t folder, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (folder == FERRY_ROOT && storage == 0)
        return FERRY_EINVAL;
    START(&k_list, (op->p.list.storage = storage, op->p.list.folder = folder));
}

FERRY_API int ferry_stat(ferry_dev *h, uint32_t id, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (id == FERRY_ROOT)
        return FERRY_EINVAL;
    START(&k_stat, op->p.stat.id = id);
}

FERRY_API int ferry_resolve(ferry_dev *h, const char *path, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (!path || path[0] != '/')
        return FERRY_EINVAL;
    char *copy = fy_strdup(path);
    if (!copy)
        return FERRY_ENOMEM;
    if (!out) {
        fy_free(copy);
        return FERRY_EINVAL;
    }
    ferry_op *op;
    int rc = fl_op_new(h, &k_resolve, cbs, &op);
    if (rc < 0) {
        fy_free(copy);
        return rc;
    }
    op->p.resolve.path = copy;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    return 0;
}

FERRY_API int ferry_mkdir(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, const ferry_op_cbs *cbs,
                          ferry_op **out)
{
    int rc = fl_check_name(name);
    if (rc < 0)
        return rc;
    if (parent == FERRY_ROOT && storage == 0)
        return FERRY_EINVAL;
    char *copy = fy_strdup(name);
    if (!copy)
        return FERRY_ENOMEM;
    if (!out) {
        fy_free(copy);
        return FERRY_EINVAL;
    }
    ferry_op *op;
    rc = fl_op_new(h, &k_mkdir, cbs, &op);
    if (rc < 0) {
        fy_free(copy);
        return rc;
    }
    op->p.mkdir.storage = storage;
    op->p.mkdir.parent = parent;
    op->p.mkdir.name = copy;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    return 0;
}

FERRY_API int ferry_delete(ferry_dev *h, uint32_t id, unsigned flags, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (id == FERRY_ROOT || (flags & ~FERRY_DELETE_RECURSIVE))
        return FERRY_EINVAL;
    START(&k_delete, (op->p.del.id = id, op->p.del.flags = flags));
}

FERRY_API int ferry_rename(ferry_dev *h, uint32_t id, const char *name, const ferry_op_cbs *cbs, ferry_op **out)
{
    if (id == FERRY_ROOT)
        return FERRY_EINVAL;
    int rc = fl_check_name(name);
    if (rc < 0)
        return rc;
    char *copy = fy_strdup(name);
    if (!copy)
        return FERRY_ENOMEM;
    if (!out) {
        fy_free(copy);
        return FERRY_EINVAL;
    }
    ferry_op *op;
    rc = fl_op_new(h, &k_rename, cbs, &op);
    if (rc < 0) {
        fy_free(copy);
        return rc;
    }
    op->p.rename.id = id;
    op->p.rename.name = copy;
    rc = fl_op_queue(op);
    if (rc < 0) {
        fl_op_discard(op);
        return rc;
    }
    *out = op;
    return 0;
}

FERRY_API int ferry_move(ferry_dev *h, uint32_t id, uint32_t storage, uint32_t parent, const ferry_op_cbs *cbs,
                         ferry_op **out)
{
    if (id == FERRY_ROOT || (parent == FERRY_ROOT && storage == 0))
        return FERRY_EINVAL;
    START(&k_move, (op->p.move.id = id, op->p.move.storage = storage, op->p.move.parent = parent));
}

FERRY_API int ferry_copy(ferry_dev *h, uint32_t id, uint32_t storage, uint32_t parent, const ferry_op_cbs *cbs,
                         ferry_op **out)
{
    if (id == FERRY_ROOT || (parent == FERRY_ROOT && storage == 0))
        return FERRY_EINVAL;
    START(&k_copy, (op->p.move.id = id, op->p.move.storage = storage, op->p.move.parent = parent));
}

FERRY_API int ferry_read(ferry_dev *h, uint32_t id, uint64_t offset, uint64_t length, const ferry_data *sink,
                         const ferry_op_cbs *cbs, ferry_op **out)
{
    if (id == FERRY_ROOT || !sink || !sink->put)
        return FERRY_EINVAL;
    START(&k_read, (op->p.read.id = id, op->p.read.offset = offset, op->p.read.length = length,
                    op->p.read.sink = *sink));
}
