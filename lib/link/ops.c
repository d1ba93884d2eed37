/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What operations do on the wire: listing, stat, paths, folders, delete,
 * rename, move, copy, read, storages. All on the link thread. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link/internal.h"
#include "util/mem.h"

#define MAX_DATASET (256u << 20) /* the largest dataset we accept (a huge folder's proplist) */
#define PARTIAL_CHUNK (1ull << 30)

void fl_objects_free(ferry_object *objs, size_t n)
{
    if (!objs)
        return;
    for (size_t i = 0; i < n; i++)
        fy_free(objs[i].name);
    fy_free(objs);
}

int fl_check_name(const char *name)
{
    if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
        return FERRY_EBADNAME;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return FERRY_EBADNAME;
    return fc_str_check(name);
}

static int64_t parse_date(const char *s)
{
    fc_datetime dt;
    int64_t t;
    if (!s || !*s || fc_datetime_parse(s, &dt) < 0 || fc_datetime_to_unix(&dt, &t) < 0)
        return -1;
    return t;
}

static int dataset_in(fl_link *l, ferry_op *op, fl_txn *t, fc_wr *w)
{
    fc_wr_init(w);
    t->dir = FL_DATA_IN;
    t->in_mem = w;
    t->in_max = MAX_DATASET;
    t->in_expect = UINT64_MAX;
    int rc = fl_transact_ok(l, op, t);
    if (rc < 0)
        fc_wr_free(w);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Storages                                                              */

int fl_refresh_storages(fl_link *l, ferry_op *op)
{
    fc_wr w;
    fl_txn t = {.code = FC_OC_GetStorageIDs};
    int rc = dataset_in(l, op, &t, &w);
    if (rc < 0)
        return rc;
    uint32_t *ids = NULL, n = 0;
    rc = fc_u32_array_decode(w.buf, w.len, &ids, &n);
    fc_wr_free(&w);
    if (rc < 0)
        return rc;
    ferry_storage *st = n ? fy_calloc(n, sizeof(*st)) : NULL;
    size_t k = 0;
    if (n && !st)
        rc = FERRY_ENOMEM;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        /* removable storages that are not there are listed with the low
         * 16 bits zero (PTP 5.2.3): skip them */
        if ((ids[i] & 0xFFFF) == 0)
            continue;
        fl_txn ti = {.code = FC_OC_GetStorageInfo, .nparams = 1, .params = {ids[i]}};
        rc = dataset_in(l, op, &ti, &w);
        if (rc < 0)
            break;
        fc_storage_info si;
        rc = fc_storage_info_decode(w.buf, w.len, &si);
        fc_wr_free(&w);
        if (rc < 0)
            break;
        ferry_storage *s = &st[k++];
        s->id = ids[i];
        s->description = si.description;
        s->volume = si.volume_label;
        si.description = si.volume_label = NULL;
        s->capacity = si.max_capacity;
        s->free = si.free_bytes;
        s->type = si.storage_type;
        s->read_only = si.access != FC_AC_READ_WRITE;
        if (!s->description || !*s->description) {
            fy_free(s->description);
            char buf[32];
            snprintf(buf, sizeof(buf), "Storage %08x", ids[i]);
            s->description = fy_strdup(buf);
        }
        fc_storage_info_free(&si);
        if (!s->description)
            rc = FERRY_ENOMEM;
    }
    fy_free(ids);
    if (rc < 0) {
        for (size_t i = 0; i < k; i++) {
            fy_free(st[i].description);
            fy_free(st[i].volume);
        }
        fy_free(st);
        return rc;
    }
    for (size_t i = 0; i < l->nstorages; i++) {
        fy_free(l->storages[i].description);
        fy_free(l->storages[i].volume);
    }
    fy_free(l->storages);
    l->storages = st;
    l->nstorages = k;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Objects from ObjectInfo and from ObjectPropList                       */

static bool is_folder(uint16_t format, uint16_t assoc)
{
    return format == FC_OFC_Association || assoc == FC_AT_GENERIC_FOLDER;
}

static int size_prop(fl_link *l, ferry_op *op, uint32_t id, uint64_t *size)
{
    fc_wr w;
    fl_txn t = {.code = FC_OC_GetObjectPropValue, .nparams = 2, .params = {id, FC_OPC_ObjectSize}};
    int rc = dataset_in(l, op, &t, &w);
    if (rc < 0)
        return rc;
    fc_rd r;
    fc_rd_init(&r, w.buf, w.len);
    rc = fc_rd_u64(&r, size);
    fc_wr_free(&w);
    return rc;
}

static int object_info(fl_link *l, ferry_op *op, uint32_t id, ferry_object *o)
{
    fc_wr w;
    fl_txn t = {.code = FC_OC_GetObjectInfo, .nparams = 1, .params = {id}};
    int rc = dataset_in(l, op, &t, &w);
    if (rc < 0)
        return rc;
    fc_object_info oi;
    rc = fc_object_info_decode(w.buf, w.len, &oi);
    fc_wr_free(&w);
    if (rc < 0) {
        FY_WARN(l->log, "object %u: malformed ObjectInfo", id);
        return rc;
    }
    memset(o, 0, sizeof(*o));
    o->id = id;
    o->storage = oi.storage_id;
    o->parent = oi.parent == 0xFFFFFFFFu ? FERRY_ROOT : oi.parent;
    o->name = oi.filename;
    oi.filename = NULL;
    o->format = oi.format;
    o->is_folder = is_folder(oi.format, oi.association_type);
    o->size = o->is_folder ? 0 : oi.compressed_size;
    o->mtime = parse_date(oi.modification_date);
    if (o->mtime < 0)
        o->mtime = parse_date(oi.capture_date);
    fc_object_info_free(&oi);
    if (!o->name) {
        o->name = fy_strdup("");
        if (!o->name)
            return FERRY_ENOMEM;
    }
    if (!o->is_folder && o->size == 0xFFFFFFFFu) {
        /* 4 GiB or more: the real size is a property */
        uint64_t sz;
        if (size_prop(l, op, id, &sz) == 0)
            o->size = sz;
    }
    return 0;
}

/* A small open-addressing map handle -> index for grouping proplists. */
typedef struct hmap {
    uint32_t *keys;
    size_t *vals;
    size_t cap;
} hmap;

static int hmap_init(hmap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < n * 2)
        m->cap *= 2;
    m->keys = fy_calloc(m->cap, sizeof(uint32_t));
    m->vals = fy_calloc(m->cap, sizeof(size_t));
    if (!m->keys || !m->vals) {
        fy_free(m->keys);
        fy_free(m->vals);
        return FERRY_ENOMEM;
    }
    return 0;
}

static size_t *hmap_slot(hmap *m, uint32_t key, bool *found)
{
    size_t i = (key * 2654435761u) & (m->cap - 1);
    for (;;) {
        if (m->keys[i] == key && key) {
            *found = true;
            return &m->vals[i];
        }
        if (m->keys[i] == 0) {
            *found = false;
            m->keys[i] = key;
            return &m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
}

static void hmap_free(hmap *m)
{
    fy_free(m->keys);
    fy_free(m->vals);
}

/* Turns a decoded ObjectPropList into objects (one per handle). Objects
 * without a name are dropped; their handles are logged. */
static int objects_from_proplist(fl_link *l, const fc_proplist *pl, ferry_object **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (pl->count == 0)
        return 0;
    hmap m;
    size_t n = 0;
    int rc = hmap_init(&m, pl->count);
    if (rc < 0)
        return rc;
    ferry_object *objs = fy_calloc(pl->count, sizeof(*objs));
    uint16_t *assoc = fy_calloc(pl->count, sizeof(uint16_t));
    bool *has_size = fy_calloc(pl->count, sizeof(bool));
    if (!objs || !assoc || !has_size) {
        rc = FERRY_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < pl->count; i++) {
        const fc_prop_elem *e = &pl->elems[i];
        if (e->handle == 0 || e->handle == 0xFFFFFFFFu)
            continue;
        bool found;
        size_t *slot = hmap_slot(&m, e->handle, &found);
        if (!found) {
            *slot = n;
            objs[n].id = e->handle;
            objs[n].mtime = -1;
            n++;
        }
        ferry_object *o = &objs[*slot];
        const fc_value *v = &e->value;
        bool is_str = v->type == FC_DTC_STR;
        bool is_int = fc_type_size(v->type) > 0 && fc_type_size(v->type) <= 8;
        switch (e->code) {
        case FC_OPC_StorageID:
            if (is_int)
                o->storage = (uint32_t)v->u.u;
            break;
        case FC_OPC_ObjectFormat:
            if (is_int)
                o->format = (uint16_t)v->u.u;
            break;
        case FC_OPC_ObjectSize:
            if (is_int) {
                o->size = v->u.u;
                has_size[*slot] = true;
            }
            break;
        case FC_OPC_AssociationType:
            if (is_int)
                assoc[*slot] = (uint16_t)v->u.u;
            break;
        case FC_OPC_ParentObject:
            if (is_int)
                o->parent = (uint32_t)v->u.u == 0xFFFFFFFFu ? FERRY_ROOT : (uint32_t)v->u.u;
            break;
        case FC_OPC_ObjectFileName:
            if (is_str && v->u.str) {
                char *s = fy_strdup(v->u.str);
                if (!s) {
                    rc = FERRY_ENOMEM;
                    goto out;
                }
                fy_free(o->name);
                o->name = s;
            }
            break;
        case FC_OPC_Name:
            if (is_str && v->u.str && !o->name) {
                o->name = fy_strdup(v->u.str);
                if (!o->name) {
                    rc = FERRY_ENOMEM;
                    goto out;
                }
            }
            break;
        case FC_OPC_DateModified:
            if (is_str)
                o->mtime = parse_date(v->u.str);
            break;
        case FC_OPC_DateCreated:
            if (is_str && o->mtime < 0)
                o->mtime = parse_date(v->u.str);
            break;
        default:
            break;
        }
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        objs[i].is_folder = is_folder(objs[i].format, assoc[i]);
        if (objs[i].is_folder)
            objs[i].size = 0;
        if (!objs[i].name) {
            FY_WARN(l->log, "object %u: no file name in the property list; skipped", objs[i].id);
            continue;
        }
        objs[k++] = objs[i];
    }
    *out = objs;
    *nout = k;
    objs = NULL;
out:
    if (objs)
        fl_objects_free(objs, n);
    fy_free(assoc);
    fy_free(has_size);
    hmap_free(&m);
    return rc;
}

static int proplist(fl_link *l, ferry_op *op, uint32_t handle, uint32_t depth, ferry_object **out, size_t *n)
{
    fc_wr w;
    fl_txn t = {.code = FC_OC_GetObjectPropList, .nparams = 5,
                .params = {handle, 0, 0xFFFFFFFFu, 0, depth}};
    int rc = dataset_in(l, op, &t, &w);
    if (rc < 0)
        return rc;
    fc_proplist pl;
    rc = fc_proplist_decode(w.buf, w.len, &pl);
    fc_wr_free(&w);
    if (rc < 0) {
        FY_WARN(l->log, "GetObjectPropList of %u: malformed (%s)", handle, ferry_strerror(rc));
        return rc;
    }
    rc = objects_from_proplist(l, &pl, out, n);
    fc_proplist_free(&pl);
    return rc;
}

int fl_get_object(fl_link *l, ferry_op *op, uint32_t id, ferry_object *out)
{
    memset(out, 0, sizeof(*out));
    if (l->has_proplist) {
        ferry_object *objs;
        size_t n;
        int rc = proplist(l, op, id, 0, &objs, &n);
        if (rc == 0) {
            for (size_t i = 0; i < n; i++) {
                if (objs[i].id == id) {
                    *out = objs[i];
                    objs[i].name = NULL;
                    fl_objects_free(objs, n);
                    return 0;
                }
            }
            fl_objects_free(objs, n);
        } else if (rc != FERRY_EPROTO && rc != FERRY_ENOTSUP) {
            return rc;
        }
        /* fall back to ObjectInfo */
    }
    return object_info(l, op, id, out);
}

/* ------------------------------------------------------------------ */
/* Directory cache (link thread only): full listings of folders          */

#define DIRCACHE_MAX 128
#define TOMB UINT32_MAX

static void dircache_free(fl_dircache *d)
{
    for (size_t i = 0; i < d->n; i++)
        fy_free(d->ents[i].name);
    fy_free(d->ents);
    fy_free(d->hkey);
    fy_free(d->hval);
    fy_free(d);
}

void fl_dircache_drop(fl_link *l)
{
    fl_dircache *d = l->dirs;
    while (d) {
        fl_dircache *next = d->next;
        dircache_free(d);
        d = next;
    }
    l->dirs = NULL;
}

void fl_dircache_forget(fl_link *l, uint32_t storage, uint32_t folder)
{
    for (fl_dircache **pp = &l->dirs; *pp; pp = &(*pp)->next) {
        fl_dircache *d = *pp;
        if (d->storage == storage && d->folder == folder) {
            *pp = d->next;
            dircache_free(d);
            return;
        }
    }
}

static fl_dircache *dircache_find(fl_link *l, uint32_t storage, uint32_t folder)
{
    for (fl_dircache *d = l->dirs; d; d = d->next)
        if (d->storage == storage && d->folder == folder)
            return d;
    return NULL;
}

static size_t hslot(uint32_t id, size_t cap)
{
    return (id * 2654435761u) & (cap - 1);
}

/* Index position of id, or SIZE_MAX. */
static size_t hfind(const fl_dircache *d, uint32_t id)
{
    if (!d->hcap)
        return SIZE_MAX;
    for (size_t i = hslot(id, d->hcap);; i = (i + 1) & (d->hcap - 1)) {
        if (d->hkey[i] == id)
            return i;
        if (d->hkey[i] == 0)
            return SIZE_MAX;
    }
}

static int hrebuild(fl_dircache *d, size_t want)
{
    size_t cap = 16;
    while (cap < want * 2)
        cap *= 2;
    uint32_t *k = fy_calloc(cap, sizeof(uint32_t)), *v = fy_calloc(cap, sizeof(uint32_t));
    if (!k || !v) {
        fy_free(k);
        fy_free(v);
        return FERRY_ENOMEM;
    }
    fy_free(d->hkey);
    fy_free(d->hval);
    d->hkey = k;
    d->hval = v;
    d->hcap = cap;
    d->hused = d->n;
    for (size_t i = 0; i < d->n; i++) {
        size_t s = hslot(d->ents[i].id, cap);
        while (k[s])
            s = (s + 1) & (cap - 1);
        k[s] = d->ents[i].id;
        v[s] = (uint32_t)i;
    }
    return 0;
}

static int dircache_append(fl_dircache *d, const ferry_object *o)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 16;
        ferry_object *ne = fy_realloc(d->ents, nc * sizeof(*ne));
        if (!ne)
            return FERRY_ENOMEM;
        d->ents = ne;
        d->cap = nc;
    }
    if ((d->hused + 1) * 2 > d->hcap && hrebuild(d, d->n + 1) < 0)
        return FERRY_ENOMEM;
    if (fl_object_copy(&d->ents[d->n], o) < 0)
        return FERRY_ENOMEM;
    size_t s = hslot(o->id, d->hcap);
    while (d->hkey[s] && d->hkey[s] != TOMB)
        s = (s + 1) & (d->hcap - 1);
    if (!d->hkey[s])
        d->hused++;
    d->hkey[s] = o->id;
    d->hval[s] = (uint32_t)d->n;
    d->n++;
    return 0;
}

static void dircache_put(fl_link *l, uint32_t storage, uint32_t folder, const ferry_object *objs, size_t n)
{
    fl_dircache_forget(l, storage, folder);
    size_t count = 0;
    for (fl_dircache *d = l->dirs; d; d = d->next)
        count++;
    if (count >= DIRCACHE_MAX)
        fl_dircache_drop(l);
    fl_dircache *d = fy_calloc(1, sizeof(*d));
    if (!d)
        return;
    d->storage = storage;
    d->folder = folder;
    for (size_t i = 0; i < n; i++) {
        if (dircache_append(d, &objs[i]) < 0) {
            dircache_free(d); /* no cache is fine; a wrong one is not */
            return;
        }
    }
    d->next = l->dirs;
    l->dirs = d;
}

int fl_cache_object(fl_link *l, uint32_t id, ferry_object *out)
{
    for (fl_dircache *d = l->dirs; d; d = d->next) {
        size_t h = hfind(d, id);
        if (h != SIZE_MAX)
            return fl_object_copy(out, &d->ents[d->hval[h]]);
    }
    return FERRY_ENOENT;
}

int fl_find_object(fl_link *l, ferry_op *op, uint32_t id, ferry_object *out)
{
    fl_cache_events(l);
    if (fl_cache_object(l, id, out) == 0)
        return 0;
    return fl_get_object(l, op, id, out);
}

/* How long after the link changed an object its events count as echoes.
 * Events trail the changes by the device's event rate (one interrupt
 * transfer per poll interval: 250 a second at bInterval 6); a minute
 * covers thousands of files uploaded in a row. A change made on the
 * device to an object ferry changed in the last minute is missed by the
 * folder cache, which a listing corrects (ferry ls lists afresh). */
#define SELF_ECHO_MS 60000u

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t self_slot(const struct fl_selfset *s, uint32_t id)
{
    size_t i = (id * 2654435761u) & (s->cap - 1);
    while (s->ids[i] && s->ids[i] != id)
        i = (i + 1) & (s->cap - 1);
    return i;
}

void fl_selfset_free(fl_link *l)
{
    fy_free(l->self.ids);
    fy_free(l->self.until);
    memset(&l->self, 0, sizeof(l->self));
}

/* Makes room: expired ids go, the table doubles when still half full. */
static int self_grow(struct fl_selfset *s, uint64_t now)
{
    size_t live = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->ids[i] && s->until[i] > now)
            live++;
    size_t cap = 256;
    while (cap < 4 * (live + 1))
        cap *= 2;
    struct fl_selfset t = {fy_calloc(cap, sizeof(uint32_t)), fy_calloc(cap, sizeof(uint64_t)), cap, 0};
    if (!t.ids || !t.until) {
        fy_free(t.ids);
        fy_free(t.until);
        return FERRY_ENOMEM;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->ids[i] || s->until[i] <= now)
            continue;
        size_t j = self_slot(&t, s->ids[i]);
        t.ids[j] = s->ids[i];
        t.until[j] = s->until[i];
        t.n++;
    }
    fy_free(s->ids);
    fy_free(s->until);
    *s = t;
    return 0;
}

static void self_changed(fl_link *l, uint32_t id)
{
    struct fl_selfset *s = &l->self;
    uint64_t now = mono_ms();
    if ((s->n + 1) * 2 > s->cap && self_grow(s, now) < 0) {
        fl_dircache_drop(l); /* cannot tell echoes: better no cache */
        return;
    }
    size_t i = self_slot(s, id);
    if (!s->ids[i]) {
        s->ids[i] = id;
        s->n++;
    }
    s->until[i] = now + SELF_ECHO_MS;
}

static bool changed_by_self(const fl_link *l, uint32_t id)
{
    const struct fl_selfset *s = &l->self;
    if (!s->cap || !id)
        return false;
    size_t i = self_slot(s, id);
    return s->ids[i] == id && s->until[i] > mono_ms();
}

/* The folder listing that holds id, if cached. */
static fl_dircache *holder_of(fl_link *l, uint32_t id)
{
    for (fl_dircache *d = l->dirs; d; d = d->next)
        if (hfind(d, id) != SIZE_MAX)
            return d;
    return NULL;
}

void fl_cache_events(fl_link *l)
{
    struct { uint16_t code; uint32_t param; } ev[64];
    pthread_mutex_lock(&l->mu);
    unsigned n = l->nevq;
    bool overflow = l->evq_overflow;
    memcpy(ev, l->evq, n * sizeof(ev[0]));
    l->nevq = 0;
    l->evq_overflow = false;
    pthread_mutex_unlock(&l->mu);
    if (overflow) {
        fl_dircache_drop(l);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        uint32_t id = ev[i].param;
        switch (ev[i].code) {
        case FC_EC_ObjectAdded:
            /* ours (already in the cache) or someone else's: then we do
             * not know its folder */
            if (!holder_of(l, id) && !changed_by_self(l, id))
                fl_dircache_drop(l);
            break;
        case FC_EC_ObjectRemoved:
            fl_cache_remove(l, id);
            break;
        case FC_EC_ObjectInfoChanged:
        case FC_EC_ObjectPropChanged:
            if (!changed_by_self(l, id)) {
                fl_dircache *d = holder_of(l, id);
                if (d)
                    fl_dircache_forget(l, d->storage, d->folder);
            }
            break;
        default:
            /* storages came, went or changed */
            fl_dircache_drop(l);
            break;
        }
    }
}

void fl_cache_add(fl_link *l, const ferry_object *o)
{
    self_changed(l, o->id);
    fl_dircache *d = dircache_find(l, o->storage, o->parent);
    if (d && dircache_append(d, o) < 0)
        fl_dircache_forget(l, o->storage, o->parent);
}

void fl_cache_rename(fl_link *l, uint32_t id, const char *name)
{
    self_changed(l, id);
    for (fl_dircache *d = l->dirs; d; d = d->next) {
        size_t h = hfind(d, id);
        if (h == SIZE_MAX)
            continue;
        char *n = fy_strdup(name);
        if (!n) {
            fl_dircache_forget(l, d->storage, d->folder);
            return;
        }
        ferry_object *o = &d->ents[d->hval[h]];
        fy_free(o->name);
        o->name = n;
        return;
    }
}

void fl_cache_remove(fl_link *l, uint32_t id)
{
    for (fl_dircache *d = l->dirs; d; d = d->next) {
        size_t h = hfind(d, id);
        if (h == SIZE_MAX)
            continue;
        size_t i = d->hval[h];
        d->hkey[h] = TOMB;
        bool folder = d->ents[i].is_folder;
        uint32_t st = d->ents[i].storage;
        fy_free(d->ents[i].name);
        if (i != d->n - 1) {
            /* the last entry takes its place */
            d->ents[i] = d->ents[d->n - 1];
            size_t hl = hfind(d, d->ents[i].id);
            if (hl != SIZE_MAX)
                d->hval[hl] = (uint32_t)i;
        }
        d->n--;
        if (folder)
            fl_dircache_forget(l, st, id);
        return;
    }
}

/* ------------------------------------------------------------------ */
/* Listing                                                               */

int fl_list_folder(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, ferry_object **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    int rc;
    if (l->has_proplist) {
        ferry_object *objs;
        size_t n;
        rc = proplist(l, op, folder, 1, &objs, &n);
        if (rc == 0) {
            /* keep the folder's own children only: some devices add the
             * folder itself, and the root listing covers all storages */
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                bool keep = objs[i].id != folder && objs[i].parent == folder &&
                            (folder != FERRY_ROOT || objs[i].storage == storage);
                if (keep)
                    objs[k++] = objs[i];
                else
                    fy_free(objs[i].name);
            }
            *out = objs;
            *nout = k;
            dircache_put(l, storage, folder, objs, k);
            return 0;
        }
        if (rc != FERRY_EPROTO && rc != FERRY_ENOTSUP && rc != FERRY_EINVAL)
            return rc;
        if (rc == FERRY_EPROTO) {
            /* garbled: do not trust it for this device any more */
            l->proplist_broken = true;
            l->has_proplist = false;
        }
        FY_INFO(l->log, "listing %u: GetObjectPropList failed (%s); listing object by object", folder,
                ferry_strerror(rc));
    }
    fc_wr w;
    fl_txn t = {.code = FC_OC_GetObjectHandles, .nparams = 3,
                .params = {storage, 0, folder == FERRY_ROOT ? 0xFFFFFFFFu : folder}};
    rc = dataset_in(l, op, &t, &w);
    if (rc < 0)
        return rc;
    uint32_t *ids = NULL, n = 0;
    rc = fc_u32_array_decode(w.buf, w.len, &ids, &n);
    fc_wr_free(&w);
    if (rc < 0)
        return rc;
    ferry_object *objs = n ? fy_calloc(n, sizeof(*objs)) : NULL;
    if (n && !objs) {
        fy_free(ids);
        return FERRY_ENOMEM;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        rc = object_info(l, op, ids[i], &objs[k]);
        if (rc == FERRY_EPROTO || rc == FERRY_ENOENT) {
            /* one garbled or vanished entry is not the whole folder */
            rc = 0;
            continue;
        }
        if (rc < 0)
            break;
        if (op)
            fl_op_progress(op, i + 1, n);
        k++;
    }
    fy_free(ids);
    if (rc < 0) {
        fl_objects_free(objs, k);
        return rc;
    }
    *out = objs;
    *nout = k;
    dircache_put(l, storage, folder, objs, k);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Paths                                                                 */

static const ferry_storage *storage_by_name(fl_link *l, const char *name, size_t len)
{
    for (size_t i = 0; i < l->nstorages; i++) {
        const ferry_storage *s = &l->storages[i];
        if (strlen(s->description) == len && memcmp(s->description, name, len) == 0)
            return s;
    }
    for (size_t i = 0; i < l->nstorages; i++) {
        const ferry_storage *s = &l->storages[i];
        if (s->volume && strlen(s->volume) == len && memcmp(s->volume, name, len) == 0)
            return s;
    }
    return NULL;
}

int fl_dircache_get(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const fl_dircache **out)
{
    fl_cache_events(l);
    fl_dircache *d = dircache_find(l, storage, folder);
    if (!d) {
        ferry_object *objs;
        size_t n;
        int rc = fl_list_folder(l, op, storage, folder, &objs, &n);
        if (rc < 0)
            return rc;
        fl_objects_free(objs, n);
        d = dircache_find(l, storage, folder);
        if (!d)
            return FERRY_ENOMEM;
    }
    *out = d;
    return 0;
}

/* The child named name of a folder (id 0 if none). */
static int lookup(fl_link *l, ferry_op *op, uint32_t storage, uint32_t folder, const char *name, size_t len,
                  uint32_t *id, bool *folder_out)
{
    const fl_dircache *d;
    int rc = fl_dircache_get(l, op, storage, folder, &d);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < d->n; i++) {
        if (strlen(d->ents[i].name) == len && memcmp(d->ents[i].name, name, len) == 0) {
            *id = d->ents[i].id;
            *folder_out = d->ents[i].is_folder;
            return 0;
        }
    }
    *id = 0;
    return 0;
}

int fl_resolve_path(fl_link *l, ferry_op *op, const char *path, ferry_object *out)
{
    memset(out, 0, sizeof(*out));
    if (!path || path[0] != '/')
        return FERRY_EINVAL;
    const char *p = path;
    while (*p == '/')
        p++;
    const ferry_storage *st = NULL;
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len && (st = storage_by_name(l, p, len)))
        p += len;
    else if (l->nstorages == 1)
        st = &l->storages[0];
    else if (l->nstorages == 0)
        return FERRY_ENOENT;
    else {
        fl_op_set_error(op, "no storage named \"%.*s\"", (int)len, p);
        return FERRY_ENOENT;
    }
    uint32_t folder = FERRY_ROOT;
    bool at_folder = true;
    uint32_t id = FERRY_ROOT;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        slash = strchr(p, '/');
        len = slash ? (size_t)(slash - p) : strlen(p);
        if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return FERRY_EINVAL;
        if (!at_folder) {
            fl_op_set_error(op, "%s: a part of the path is a file", path);
            return FERRY_ENOTDIR;
        }
        bool isf = false;
        int rc = lookup(l, op, st->id, folder, p, len, &id, &isf);
        if (rc < 0)
            return rc;
        if (!id) {
            fl_op_set_error(op, "%s: no such file or folder", path);
            return FERRY_ENOENT;
        }
        folder = id;
        at_folder = isf;
        p += len;
    }
    /* Like POSIX: "a.jpg/" names a folder, so a file there is not it. */
    size_t plen = strlen(path);
    if (!at_folder && path[plen - 1] == '/') {
        fl_op_set_error(op, "%s: not a folder", path);
        return FERRY_ENOTDIR;
    }
    if (id == FERRY_ROOT) {
        out->id = FERRY_ROOT;
        out->storage = st->id;
        out->parent = FERRY_ROOT;
        out->is_folder = true;
        out->format = FC_OFC_Association;
        out->mtime = -1;
        out->name = fy_strdup(st->description);
        return out->name ? 0 : FERRY_ENOMEM;
    }
    return fl_get_object(l, op, id, out);
}

/* ------------------------------------------------------------------ */
/* Making, deleting, renaming                                            */

int fl_parent_storage(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, uint32_t *out)
{
    *out = storage;
    if (parent == FERRY_ROOT) {
        for (size_t i = 0; i < l->nstorages; i++)
            if (l->storages[i].id == storage)
                return 0;
        return FERRY_ENOENT;
    }
    ferry_object p;
    int rc = fl_find_object(l, op, parent, &p);
    if (rc < 0)
        return rc;
    *out = p.storage;
    bool isf = p.is_folder;
    fl_object_clear(&p);
    return isf ? 0 : FERRY_ENOTDIR;
}

int fl_child_exists(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, const char *name, bool *exists)
{
    uint32_t id = 0;
    bool isf;
    int rc = lookup(l, op, storage, parent, name, strlen(name), &id, &isf);
    *exists = id != 0;
    return rc;
}

int fl_send_object_info(fl_link *l, ferry_op *op, uint32_t storage, uint32_t parent, const char *name, bool folder,
                        uint64_t size, int64_t mtime, uint32_t *id)
{
    char date[32] = "";
    if (mtime >= 0) {
        fc_datetime dt;
        if (fc_datetime_from_unix(mtime, true, &dt) == 0)
            fc_datetime_format(&dt, date, sizeof(date));
    }
    fc_object_info oi = {
        .storage_id = storage,
        .format = folder ? FC_OFC_Association : FC_OFC_Undefined,
        .compressed_size = folder ? 0 : size >= 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)size,
        .parent = parent == FERRY_ROOT ? 0 : parent,
        .association_type = folder ? FC_AT_GENERIC_FOLDER : FC_AT_UNDEFINED,
        .filename = (char *)name,
        .capture_date = date,
        .modification_date = date,
        .keywords = (char *)"",
    };
    fc_wr w;
    fc_wr_init(&w);
    int rc = fc_object_info_encode(&oi, &w);
    if (rc < 0) {
        fc_wr_free(&w);
        return rc;
    }
    /* Not cancellable (C8): once the dataset is out the device creates
     * the object, and its handle comes only in the response. A cancel that
     * dropped the transaction before the response left an object nobody
     * knew the handle of (an upload's part object that revert could not
     * delete). The cancel takes effect right after, at the next
     * transaction, with the handle known. */
    fl_txn t = {.code = FC_OC_SendObjectInfo, .nparams = 2,
                .params = {storage, parent == FERRY_ROOT ? 0xFFFFFFFFu : parent},
                .dir = FL_DATA_OUT, .out_buf = w.buf, .out_len = w.len, .no_cancel = true};
    rc = fl_transact_ok(l, op, &t);
    fc_wr_free(&w);
    if (rc < 0)
        return rc;
    if (t.resp.nparams < 3 || !t.resp.params[2])
        return FERRY_EPROTO;
    *id = t.resp.params[2];
    ferry_object o = {.id = *id, .storage = storage, .parent = parent, .name = (char *)name,
                      .size = folder ? 0 : size, .mtime = mtime, .is_folder = folder,
                      .format = folder ? FC_OFC_Association : FC_OFC_Undefined};
    fl_cache_add(l, &o);
    return 0;
}

int fl_send_object(fl_link *l, ferry_op *op, const ferry_data *src, uint64_t size)
{
    fl_txn t = {.code = FC_OC_SendObject, .dir = FL_DATA_OUT, .out_src = src, .out_len = size, .progress = true,
                .progress_total = size == UINT64_MAX ? 0 : size};
    return fl_transact_ok(l, op, &t);
}

int fl_delete_object(fl_link *l, ferry_op *op, uint32_t id)
{
    fl_txn t = {.code = FC_OC_DeleteObject, .nparams = 2, .params = {id, 0}, .no_cancel = true};
    int rc = fl_transact_ok(l, op, &t);
    if (rc == 0 || rc == FERRY_ENOENT)
        fl_cache_remove(l, id);
    return rc;
}

int fl_set_name(fl_link *l, ferry_op *op, uint32_t id, const char *name)
{
    fc_wr w;
    fc_wr_init(&w);
    int rc = fc_wr_str(&w, name);
    if (rc < 0) {
        fc_wr_free(&w);
        return rc;
    }
    fl_txn t = {.code = FC_OC_SetObjectPropValue, .nparams = 2, .params = {id, FC_OPC_ObjectFileName},
                .dir = FL_DATA_OUT, .out_buf = w.buf, .out_len = w.len, .no_cancel = true};
    rc = fl_transact_ok(l, op, &t);
    fc_wr_free(&w);
    if (rc == 0)
        fl_cache_rename(l, id, name);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Reading                                                               */

typedef struct skip_sink {
    const ferry_data *inner;
    uint64_t skip, left;
} skip_sink;

static int skip_put(void *priv, const void *buf, size_t len)
{
    skip_sink *s = priv;
    const uint8_t *p = buf;
    if (s->skip) {
        size_t k = len < s->skip ? len : (size_t)s->skip;
        s->skip -= k;
        p += k;
        len -= k;
    }
    if (len > s->left)
        len = (size_t)s->left;
    s->left -= len;
    return len ? s->inner->put(s->inner->priv, p, len) : 0;
}

int fl_read_object(fl_link *l, ferry_op *op, const ferry_object *o, uint64_t offset, uint64_t length,
                   const ferry_data *sink)
{
    if (o->is_folder)
        return FERRY_EISDIR;
    if (offset > o->size)
        return FERRY_EINVAL;
    uint64_t len = length == FERRY_TO_END || length > o->size - offset ? o->size - offset : length;
    if (offset == 0 && len == o->size) {
        fl_txn t = {.code = FC_OC_GetObject, .nparams = 1, .params = {o->id}, .dir = FL_DATA_IN,
                    .in_sink = sink, .in_expect = o->size, .progress = true, .progress_total = o->size};
        /* the data header has the object's length as it is now (the
         * listing may be older); a short data phase is caught by the
         * transaction (FERRY_EMISMATCH) */
        return fl_transact_ok(l, op, &t);
    }
    if (len == 0)
        return 0;
    if (l->has_partial64 || (l->has_partial && offset + len <= 0xFFFFFFFFull)) {
        uint64_t done = 0;
        while (done < len) {
            uint64_t chunk = len - done > PARTIAL_CHUNK ? PARTIAL_CHUNK : len - done;
            uint64_t at = offset + done;
            fl_txn t = {.dir = FL_DATA_IN, .in_sink = sink, .in_expect = chunk, .progress = true,
                        .progress_base = done, .progress_total = len};
            if (l->has_partial64) {
                t.code = FC_OC_GetPartialObject64;
                t.nparams = 4;
                t.params[0] = o->id;
                t.params[1] = (uint32_t)at;
                t.params[2] = (uint32_t)(at >> 32);
                t.params[3] = (uint32_t)chunk;
            } else {
                t.code = FC_OC_GetPartialObject;
                t.nparams = 3;
                t.params[0] = o->id;
                t.params[1] = (uint32_t)at;
                t.params[2] = (uint32_t)chunk;
            }
            int rc = fl_transact_ok(l, op, &t);
            if (rc < 0)
                return rc;
            if (t.moved != chunk) {
                fl_op_set_error(op, "%s: the device sent %" PRIu64 " of %" PRIu64 " bytes", o->name, t.moved, chunk);
                return FERRY_EMISMATCH;
            }
            done += chunk;
        }
        return 0;
    }
    /* no partial reads: read all and keep the range */
    skip_sink ss = {sink, offset, len};
    ferry_data wrap = {NULL, skip_put, &ss};
    fl_txn t = {.code = FC_OC_GetObject, .nparams = 1, .params = {o->id}, .dir = FL_DATA_IN, .in_sink = &wrap,
                .in_expect = o->size, .progress = true, .progress_total = o->size};
    int rc = fl_transact_ok(l, op, &t);
    if (rc == 0 && ss.left)
        rc = FERRY_EMISMATCH;
    return rc;
}
