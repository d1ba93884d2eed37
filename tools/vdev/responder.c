/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "responder.h"
#include "util/mem.h"

#define CHUNK (1u << 20)
#define MAX_DATASET (1u << 20) /* largest dataset a host may send us */

/* ------------------------------------------------------------------ */
/* C13 cancel hooks                                                      */

int vd_ctx_register_cancel(vd_ctx *c, vd_cancel_fn fn, void *data)
{
    int rc = 0;
    pthread_mutex_lock(&c->hook_mu);
    if (!c->cancellable || c->completed) {
        rc = FERRY_ESTATE;
    } else {
        c->hook = fn;
        c->hook_data = data;
    }
    pthread_mutex_unlock(&c->hook_mu);
    return rc;
}

bool vd_ctx_fire_cancel(vd_ctx *c)
{
    vd_cancel_fn fn = NULL;
    void *data = NULL;
    pthread_mutex_lock(&c->hook_mu);
    if (c->cancellable && !c->completed && !c->cancel_fired && c->hook) {
        fn = c->hook;
        data = c->hook_data;
        c->cancel_fired = true;
    }
    /* the callback runs under the hook lock so that it cannot race with
     * vd_ctx_complete(): once complete returns, no callback runs */
    if (fn)
        fn(data);
    pthread_mutex_unlock(&c->hook_mu);
    return fn != NULL;
}

void vd_ctx_complete(vd_ctx *c)
{
    pthread_mutex_lock(&c->hook_mu);
    c->completed = true;
    c->hook = NULL;
    pthread_mutex_unlock(&c->hook_mu);
}

/* ------------------------------------------------------------------ */

static void respond(vd_ctx *c, uint16_t code, uint32_t n, const uint32_t *params)
{
    c->response.code = code;
    c->response.tid = c->cmd.tid;
    c->response.nparams = n;
    for (uint32_t i = 0; i < n && i < FC_MAX_PARAMS; i++)
        c->response.params[i] = params[i];
    c->responded = true;
}

static void respond0(vd_ctx *c, uint16_t code)
{
    respond(c, code, 0, NULL);
}

static uint32_t param(const vd_ctx *c, unsigned i)
{
    return i < c->cmd.nparams ? c->cmd.params[i] : 0;
}

/* Sends a whole dataset; the malformed fault corrupts it first. */
static int send_buf(vd_resp *r, vd_ctx *c, fc_wr *w)
{
    if (w->err)
        return w->err;
    if (r->op_fault == VD_FAULT_MALFORMED && w->len >= 8) {
        /* claim a huge array / string right at the start and cut the rest */
        w->buf[0] = 0xFF;
        w->buf[1] = 0xFF;
        w->buf[2] = 0xFF;
        w->buf[3] = 0x7F;
        w->len = w->len / 2;
    }
    int rc = c->ops->send_begin(c, w->len);
    if (!rc && w->len)
        rc = c->ops->send(c, w->buf, w->len);
    if (!rc)
        rc = c->ops->send_end(c);
    return rc;
}

/* Receives a whole (small) dataset from the host. */
static int recv_buf(vd_ctx *c, uint8_t **out, size_t *len)
{
    uint64_t total;
    int rc = c->ops->recv_begin(c, &total);
    if (rc)
        return rc;
    if (total != UINT64_MAX && total > MAX_DATASET) {
        c->ops->recv_drain(c);
        return FERRY_EPROTO;
    }
    size_t cap = total == UINT64_MAX ? 4096 : (size_t)total + 1;
    uint8_t *buf = malloc(cap);
    size_t n = 0;
    if (!buf)
        return FERRY_ENOMEM;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_DATASET) {
                free(buf);
                c->ops->recv_drain(c);
                return FERRY_EPROTO;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return FERRY_ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = 0;
        rc = c->ops->recv(c, buf + n, cap - n, &got);
        if (rc) {
            free(buf);
            return rc;
        }
        if (!got)
            break;
        n += got;
    }
    *out = buf;
    *len = n;
    return 0;
}

static bool need_session(vd_resp *r, vd_ctx *c)
{
    if (r->session_open)
        return true;
    respond0(c, FC_RC_SessionNotOpen);
    return false;
}

/* ------------------------------------------------------------------ */
/* Object properties                                                     */

static const uint16_t obj_props[] = {
    FC_OPC_StorageID,     FC_OPC_ObjectFormat, FC_OPC_ProtectionStatus, FC_OPC_ObjectSize,
    FC_OPC_AssociationType, FC_OPC_AssociationDesc, FC_OPC_ObjectFileName, FC_OPC_DateCreated,
    FC_OPC_DateModified,  FC_OPC_ParentObject, FC_OPC_PersistentUniqueObjectIdentifier,
    FC_OPC_Name,
};
#define N_OBJ_PROPS (sizeof(obj_props) / sizeof(obj_props[0]))

static uint16_t prop_type(uint16_t code)
{
    switch (code) {
    case FC_OPC_StorageID:
    case FC_OPC_ParentObject:
    case FC_OPC_AssociationDesc:
        return FC_DTC_UINT32;
    case FC_OPC_ObjectFormat:
    case FC_OPC_ProtectionStatus:
    case FC_OPC_AssociationType:
        return FC_DTC_UINT16;
    case FC_OPC_ObjectSize:
        return FC_DTC_UINT64;
    case FC_OPC_PersistentUniqueObjectIdentifier:
        return FC_DTC_UINT128;
    case FC_OPC_ObjectFileName:
    case FC_OPC_DateCreated:
    case FC_OPC_DateModified:
    case FC_OPC_Name:
        return FC_DTC_STR;
    default:
        return 0;
    }
}

static void fmt_date(int64_t t, char *out, size_t n)
{
    fc_datetime dt;
    if (fc_datetime_from_unix(t, false, &dt) < 0 || fc_datetime_format(&dt, out, n) < 0)
        out[0] = 0;
}

/* The value of one property of an object. */
static int prop_value(vd_resp *r, vd_obj *o, uint16_t code, fc_value *v)
{
    uint64_t size = 0;
    int64_t mtime = 0;
    char date[32];
    if (vd_store_stat(r->store, o, &size, &mtime) < 0) {
        size = 0;
        mtime = 0;
    }
    memset(v, 0, sizeof(*v));
    switch (code) {
    case FC_OPC_StorageID:
        *v = fc_value_uint(FC_DTC_UINT32, o->storage_id);
        return 0;
    case FC_OPC_ObjectFormat:
        *v = fc_value_uint(FC_DTC_UINT16, o->format);
        return 0;
    case FC_OPC_ProtectionStatus:
        *v = fc_value_uint(FC_DTC_UINT16, 0);
        return 0;
    case FC_OPC_ObjectSize:
        *v = fc_value_uint(FC_DTC_UINT64, size);
        return 0;
    case FC_OPC_AssociationType:
        *v = fc_value_uint(FC_DTC_UINT16, o->is_dir ? FC_AT_GENERIC_FOLDER : FC_AT_UNDEFINED);
        return 0;
    case FC_OPC_AssociationDesc:
        *v = fc_value_uint(FC_DTC_UINT32, 0);
        return 0;
    case FC_OPC_ParentObject:
        *v = fc_value_uint(FC_DTC_UINT32, o->parent ? o->parent->handle : 0);
        return 0;
    case FC_OPC_PersistentUniqueObjectIdentifier:
        v->type = FC_DTC_UINT128;
        v->u.x.lo = o->handle;
        v->u.x.hi = o->storage_id;
        return 0;
    case FC_OPC_ObjectFileName:
    case FC_OPC_Name:
        return fc_value_str(v, o->name);
    case FC_OPC_DateCreated:
    case FC_OPC_DateModified:
        fmt_date(mtime, date, sizeof(date));
        return fc_value_str(v, date);
    default:
        return FERRY_ENOTSUP;
    }
}

static bool prop_supported(uint16_t code)
{
    for (size_t i = 0; i < N_OBJ_PROPS; i++)
        if (obj_props[i] == code)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Handlers                                                              */

static int op_get_device_info(vd_resp *r, vd_ctx *c)
{
    static const uint16_t ops_base[] = {
        FC_OC_GetDeviceInfo,     FC_OC_OpenSession,       FC_OC_CloseSession,
        FC_OC_GetStorageIDs,     FC_OC_GetStorageInfo,    FC_OC_GetNumObjects,
        FC_OC_GetObjectHandles,  FC_OC_GetObjectInfo,     FC_OC_GetObject,
        FC_OC_GetThumb,          FC_OC_DeleteObject,      FC_OC_SendObjectInfo,
        FC_OC_SendObject,        FC_OC_MoveObject,        FC_OC_CopyObject,
        FC_OC_GetPartialObject,  FC_OC_GetDevicePropDesc, FC_OC_GetDevicePropValue,
        FC_OC_SetDevicePropValue, FC_OC_GetObjectPropsSupported, FC_OC_GetObjectPropDesc,
        FC_OC_GetObjectPropValue, FC_OC_SetObjectPropValue, FC_OC_GetObjectReferences,
        FC_OC_SetObjectReferences,
    };
    uint16_t ops[64];
    uint32_t nops = 0;
    for (size_t i = 0; i < sizeof(ops_base) / sizeof(ops_base[0]); i++)
        ops[nops++] = ops_base[i];
    if (!r->opts.no_proplist)
        ops[nops++] = FC_OC_GetObjectPropList;
    if (r->opts.android_ext) {
        ops[nops++] = FC_OC_GetPartialObject64;
        ops[nops++] = FC_OC_SendPartialObject;
        ops[nops++] = FC_OC_TruncateObject;
        ops[nops++] = FC_OC_BeginEditObject;
        ops[nops++] = FC_OC_EndEditObject;
    }
    static const uint16_t events[] = {FC_EC_ObjectAdded,       FC_EC_ObjectRemoved,   FC_EC_StoreAdded,
                                      FC_EC_StoreRemoved,      FC_EC_DevicePropChanged, FC_EC_ObjectInfoChanged,
                                      FC_EC_StorageInfoChanged, FC_EC_CancelTransaction};
    static const uint16_t devprops[] = {FC_DPC_BatteryLevel, FC_DPC_SynchronizationPartner,
                                        FC_DPC_DeviceFriendlyName};
    static const uint16_t formats[] = {FC_OFC_Undefined, FC_OFC_Association, FC_OFC_Text, FC_OFC_MP3,
                                       FC_OFC_EXIF_JPEG, FC_OFC_PNG, FC_OFC_MP4};
    fc_device_info di = {
        .standard_version = 100,
        .vendor_ext_id = 6, /* Microsoft: MTP */
        .vendor_ext_version = 100,
        .vendor_ext_desc = (char *)(r->opts.android_ext ? "microsoft.com: 1.0; android.com: 1.0;"
                                                         : "microsoft.com: 1.0;"),
        .functional_mode = 0,
        .operations = ops,
        .n_operations = nops,
        .events = (uint16_t *)events,
        .n_events = sizeof(events) / sizeof(events[0]),
        .device_props = (uint16_t *)devprops,
        .n_device_props = sizeof(devprops) / sizeof(devprops[0]),
        .capture_formats = NULL,
        .n_capture_formats = 0,
        .playback_formats = (uint16_t *)formats,
        .n_playback_formats = sizeof(formats) / sizeof(formats[0]),
        .manufacturer = (char *)r->opts.manufacturer,
        .model = (char *)r->opts.model,
        .device_version = (char *)r->opts.version,
        .serial = (char *)r->opts.serial,
    };
    fc_wr w;
    fc_wr_init(&w);
    fc_device_info_encode(&di, &w);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_open_session(vd_resp *r, vd_ctx *c)
{
    uint32_t sid = param(c, 0);
    if (sid == 0) {
        respond0(c, FC_RC_InvalidParameter);
    } else if (r->session_open) {
        respond(c, FC_RC_SessionAlreadyOpen, 1, &r->session_id);
    } else {
        r->session_open = true;
        r->session_id = sid;
        respond0(c, FC_RC_OK);
    }
    return 0;
}

static void end_edits(vd_resp *r)
{
    for (size_t i = 1; i < r->store->nhandles; i++)
        if (r->store->handles[i])
            r->store->handles[i]->editing = false;
}

static int op_close_session(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_resp_reset(r);
    respond0(c, FC_RC_OK);
    return 0;
}

static int op_get_storage_ids(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint32_t ids[VD_MAX_STORAGES];
    for (size_t i = 0; i < r->store->nst; i++)
        ids[i] = r->store->st[i].id;
    fc_wr w;
    fc_wr_init(&w);
    fc_wr_au32(&w, ids, (uint32_t)r->store->nst);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_get_storage_info(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_storage *st = vd_store_storage(r->store, param(c, 0));
    if (!st) {
        respond0(c, FC_RC_InvalidStorageID);
        return 0;
    }
    uint64_t free_b = r->storage_full ? 0 : vd_store_free_bytes(r->store, st);
    uint64_t used = vd_store_used_bytes(r->store, st);
    uint64_t cap = st->capacity ? st->capacity : used + free_b;
    fc_storage_info si = {
        .storage_type = FC_ST_FIXED_RAM,
        .fs_type = FC_FST_GENERIC_HIERARCHICAL,
        .access = st->read_only ? FC_AC_READ_ONLY : FC_AC_READ_WRITE,
        .max_capacity = cap,
        .free_bytes = free_b,
        .free_objects = 0xFFFFFFFF,
        .description = st->name,
        .volume_label = (char *)"",
    };
    fc_wr w;
    fc_wr_init(&w);
    fc_storage_info_encode(&si, &w);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static bool format_match(vd_obj *o, uint16_t fmt)
{
    return fmt == 0 || o->format == fmt;
}

static int collect(vd_resp *r, vd_obj **kids, size_t n, uint16_t fmt, bool recurse, uint32_t **arr, uint32_t *cnt,
                   uint32_t *cap)
{
    for (size_t i = 0; i < n; i++) {
        vd_obj *o = kids[i];
        if (format_match(o, fmt)) {
            if (*cnt == *cap) {
                uint32_t nc = *cap ? *cap * 2 : 64;
                uint32_t *na = realloc(*arr, nc * sizeof(uint32_t));
                if (!na)
                    return FERRY_ENOMEM;
                *arr = na;
                *cap = nc;
            }
            (*arr)[(*cnt)++] = o->handle;
        }
        if (recurse && o->is_dir) {
            int rc = collect(r, o->children, o->nchildren, fmt, true, arr, cnt, cap);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* GetObjectHandles / GetNumObjects selection (PTP 10.5.7): parent 0 means
 * every object of the storage, 0xFFFFFFFF the root level only. */
static int select_handles(vd_resp *r, vd_ctx *c, uint32_t **arr, uint32_t *cnt)
{
    uint32_t sid = param(c, 0), parent_h = param(c, 2);
    uint16_t fmt = (uint16_t)param(c, 1);
    uint32_t cap = 0;
    *arr = NULL;
    *cnt = 0;
    if (sid != 0xFFFFFFFF && !vd_store_storage(r->store, sid)) {
        respond0(c, FC_RC_InvalidStorageID);
        return 1;
    }
    vd_obj *parent = NULL;
    if (parent_h != 0 && parent_h != 0xFFFFFFFF) {
        parent = vd_store_get(r->store, parent_h);
        if (!parent || !parent->is_dir) {
            respond0(c, FC_RC_InvalidParentObject);
            return 1;
        }
    }
    for (size_t i = 0; i < r->store->nst; i++) {
        vd_storage *st = &r->store->st[i];
        if (sid != 0xFFFFFFFF && st->id != sid)
            continue;
        int rc;
        if (parent) {
            if (parent->storage_id != st->id)
                continue;
            rc = collect(r, parent->children, parent->nchildren, fmt, false, arr, cnt, &cap);
        } else {
            rc = collect(r, st->top.children, st->top.nchildren, fmt, parent_h == 0, arr, cnt, &cap);
        }
        if (rc) {
            free(*arr);
            *arr = NULL;
            return rc;
        }
    }
    return 0;
}

static int op_get_object_handles(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint32_t *arr, cnt;
    int rc = select_handles(r, c, &arr, &cnt);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        respond0(c, FC_RC_GeneralError);
        return 0;
    }
    fc_wr w;
    fc_wr_init(&w);
    fc_wr_au32(&w, arr, cnt);
    free(arr);
    rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_get_num_objects(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint32_t *arr, cnt;
    int rc = select_handles(r, c, &arr, &cnt);
    if (rc == 1)
        return 0;
    free(arr);
    if (rc < 0)
        respond0(c, FC_RC_GeneralError);
    else
        respond(c, FC_RC_OK, 1, &cnt);
    return 0;
}

static vd_obj *get_obj(vd_resp *r, vd_ctx *c, uint32_t h)
{
    vd_obj *o = vd_store_get(r->store, h);
    if (!o)
        respond0(c, FC_RC_InvalidObjectHandle);
    return o;
}

static int op_get_object_info(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    uint64_t size = 0;
    int64_t mtime = 0;
    vd_store_stat(r->store, o, &size, &mtime);
    char date[32];
    fmt_date(mtime, date, sizeof(date));
    fc_object_info oi = {
        .storage_id = o->storage_id,
        .format = o->format,
        .protection = 0,
        .compressed_size = size >= 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)size,
        .parent = o->parent ? o->parent->handle : 0,
        .association_type = o->is_dir ? FC_AT_GENERIC_FOLDER : FC_AT_UNDEFINED,
        .filename = o->name,
        .capture_date = date,
        .modification_date = date,
        .keywords = (char *)"",
    };
    fc_wr w;
    fc_wr_init(&w);
    fc_object_info_encode(&oi, &w);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

/* Streams [off, off+len) of an object as the data phase. */
static int send_range(vd_resp *r, vd_ctx *c, vd_obj *o, uint64_t off, uint64_t len, uint64_t *sent)
{
    *sent = 0;
    uint64_t announced = len;
    if (r->op_fault == VD_FAULT_SHORT)
        len = len / 2; /* the device stops early on its own */
    int rc = c->ops->send_begin(c, announced);
    if (rc)
        return rc;
    if (o->synthetic) {
        if (len && off < o->syn_len)
            rc = c->ops->send(c, o->syn_data + off, (size_t)len);
        if (!rc)
            *sent = len;
        return rc ? rc : c->ops->send_end(c);
    }
    char *path = vd_store_path(r->store, o);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0) {
        /* the file vanished under us: end the data phase short */
        c->ops->send_end(c);
        return FERRY_EIO;
    }
    uint8_t *buf = malloc(CHUNK);
    if (!buf) {
        close(fd);
        return FERRY_ENOMEM;
    }
    while (*sent < len) {
        size_t want = len - *sent > CHUNK ? CHUNK : (size_t)(len - *sent);
        ssize_t n = pread(fd, buf, want, (off_t)(off + *sent));
        if (n <= 0)
            break; /* shorter than its size said: end the data phase short */
        rc = c->ops->send(c, buf, (size_t)n);
        if (rc)
            break;
        *sent += (uint64_t)n;
    }
    free(buf);
    close(fd);
    if (rc)
        return rc;
    return c->ops->send_end(c);
}

static void cancel_note(void *data)
{
    /* the transport wakes the handler from its blocking send/recv; the
     * flag is only for tests that check the hook ran */
    bool *flag = data;
    *flag = true;
}

static int op_get_object(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    if (o->is_dir || o->pending) {
        respond0(c, FC_RC_InvalidObjectHandle);
        return 0;
    }
    uint64_t size;
    int64_t mtime;
    if (vd_store_stat(r->store, o, &size, &mtime) < 0) {
        respond0(c, FC_RC_GeneralError);
        return 0;
    }
    bool cancelled = false;
    vd_ctx_register_cancel(c, cancel_note, &cancelled);
    uint64_t sent;
    int rc = send_range(r, c, o, 0, size, &sent);
    if (rc)
        return rc;
    respond0(c, sent == size ? FC_RC_OK : FC_RC_IncompleteTransfer);
    return 0;
}

static int op_get_partial(vd_resp *r, vd_ctx *c, bool is64)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    if (o->is_dir || o->pending) {
        respond0(c, FC_RC_InvalidObjectHandle);
        return 0;
    }
    uint64_t off = param(c, 1), max;
    if (is64) {
        off |= (uint64_t)param(c, 2) << 32;
        max = param(c, 3);
    } else {
        max = param(c, 2);
    }
    uint64_t size;
    int64_t mtime;
    if (vd_store_stat(r->store, o, &size, &mtime) < 0) {
        respond0(c, FC_RC_GeneralError);
        return 0;
    }
    if (off > size) {
        respond0(c, FC_RC_InvalidParameter);
        return 0;
    }
    uint64_t len = size - off < max ? size - off : max;
    bool cancelled = false;
    vd_ctx_register_cancel(c, cancel_note, &cancelled);
    uint64_t sent;
    int rc = send_range(r, c, o, off, len, &sent);
    if (rc)
        return rc;
    uint32_t p = (uint32_t)sent;
    respond(c, sent == len ? FC_RC_OK : FC_RC_IncompleteTransfer, 1, &p);
    return 0;
}

static int op_delete_object(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    if (param(c, 0) == 0xFFFFFFFF) {
        respond0(c, FC_RC_ParameterNotSupported);
        return 0;
    }
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    if (r->send_target == o)
        r->send_target = NULL;
    respond0(c, vd_store_delete(r->store, o));
    return 0;
}

static int op_send_object_info(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = recv_buf(c, &buf, &len);
    if (rc == FERRY_EPROTO) {
        respond0(c, FC_RC_InvalidDataset);
        return 0;
    }
    if (rc)
        return rc;
    fc_object_info oi;
    rc = fc_object_info_decode(buf, len, &oi);
    free(buf);
    if (rc) {
        respond0(c, FC_RC_InvalidDataset);
        return 0;
    }
    uint32_t sid = param(c, 0), parent_h = param(c, 1);
    if (sid == 0) /* the device chooses: the first storage */
        sid = r->store->nst ? r->store->st[0].id : 0;
    vd_obj *parent = NULL;
    if (parent_h != 0 && parent_h != 0xFFFFFFFF) {
        parent = vd_store_get(r->store, parent_h);
        if (!parent || !parent->is_dir) {
            fc_object_info_free(&oi);
            respond0(c, FC_RC_InvalidParentObject);
            return 0;
        }
        if (parent->storage_id != sid && param(c, 0) != 0) {
            fc_object_info_free(&oi);
            respond0(c, FC_RC_InvalidParentObject);
            return 0;
        }
        sid = parent->storage_id;
    }
    bool is_dir = oi.format == FC_OFC_Association;
    uint64_t size = oi.compressed_size == 0xFFFFFFFFu ? UINT64_MAX : oi.compressed_size;
    int64_t mtime = -1;
    fc_datetime dt;
    if (oi.modification_date && fc_datetime_parse(oi.modification_date, &dt) == 0)
        fc_datetime_to_unix(&dt, &mtime);
    vd_obj *o = NULL;
    uint16_t code;
    if (r->storage_full && !is_dir && size)
        code = FC_RC_StoreFull;
    else
        code = vd_store_create(r->store, sid, parent, oi.filename ? oi.filename : "", is_dir, oi.format, size,
                               mtime, &o);
    fc_object_info_free(&oi);
    if (code != FC_RC_OK) {
        respond0(c, code);
        return 0;
    }
    /* a new SendObjectInfo abandons the previous pending object; it stays
     * as an orphan until someone deletes it, as on real devices */
    r->send_target = is_dir ? NULL : o;
    uint32_t p[3] = {o->storage_id, o->parent ? o->parent->handle : 0xFFFFFFFF, o->handle};
    respond(c, FC_RC_OK, 3, p);
    return 0;
}

/* Receives the data phase into fd; stops writing (but keeps reading) once
 * the storage is full. *full tells whether that happened. */
static int recv_to_fd(vd_resp *r, vd_ctx *c, int fd, off_t off, uint64_t limit, uint64_t *got_total, bool *full)
{
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        return FERRY_ENOMEM;
    *got_total = 0;
    *full = false;
    int rc = 0;
    for (;;) {
        size_t got = 0;
        rc = c->ops->recv(c, buf, CHUNK, &got);
        if (rc || !got)
            break;
        if (!*full && (*got_total + got > limit || r->storage_full))
            *full = true;
        if (!*full) {
            size_t done = 0;
            while (done < got) {
                ssize_t w = pwrite(fd, buf + done, got - done, off + (off_t)(*got_total + done));
                if (w < 0) {
                    if (errno == EINTR)
                        continue;
                    *full = true; /* ENOSPC or EIO: refuse the object */
                    break;
                }
                done += (size_t)w;
            }
        }
        *got_total += got;
    }
    free(buf);
    return rc;
}

static int op_send_object(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = r->send_target;
    uint64_t total;
    int rc = c->ops->recv_begin(c, &total);
    if (rc == FERRY_EEND) {
        respond0(c, FC_RC_NoValidObjectInfo);
        return 0;
    }
    if (rc)
        return rc;
    if (!o || !o->pending) {
        c->ops->recv_drain(c);
        respond0(c, FC_RC_NoValidObjectInfo);
        return 0;
    }
    vd_storage *st = vd_store_storage(r->store, o->storage_id);
    char *tmp = NULL;
    int fd = vd_store_open_tmp(r->store, o, &tmp);
    if (fd < 0) {
        c->ops->recv_drain(c);
        respond0(c, fd == -ENOSPC ? FC_RC_StoreFull : FC_RC_GeneralError);
        return 0;
    }
    bool cancelled = false;
    vd_ctx_register_cancel(c, cancel_note, &cancelled);
    uint64_t got = 0;
    bool full = false;
    uint64_t limit = st ? vd_store_free_bytes(r->store, st) : UINT64_MAX;
    rc = recv_to_fd(r, c, fd, 0, limit, &got, &full);
    if (rc == 0 && !full && fsync(fd) < 0)
        full = true;
    close(fd);
    if (rc) {
        /* cancelled, unplugged or broken: nothing of it stays on disk */
        unlink(tmp);
        free(tmp);
        return rc;
    }
    if (full) {
        unlink(tmp);
        free(tmp);
        respond0(c, FC_RC_StoreFull);
        return 0;
    }
    if (o->pending_size != UINT64_MAX && got != o->pending_size) {
        unlink(tmp);
        free(tmp);
        respond0(c, FC_RC_IncompleteTransfer);
        return 0;
    }
    uint16_t code = vd_store_commit_file(r->store, o, tmp);
    if (code != FC_RC_OK)
        unlink(tmp);
    free(tmp);
    r->send_target = NULL;
    respond0(c, code);
    return 0;
}

static vd_obj *parent_arg(vd_resp *r, vd_ctx *c, uint32_t h, bool *ok)
{
    *ok = true;
    if (h == 0 || h == 0xFFFFFFFF)
        return NULL;
    vd_obj *p = vd_store_get(r->store, h);
    if (!p || !p->is_dir) {
        respond0(c, FC_RC_InvalidParentObject);
        *ok = false;
    }
    return p;
}

static int op_move_object(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    bool ok;
    vd_obj *p = parent_arg(r, c, param(c, 2), &ok);
    if (!ok)
        return 0;
    uint32_t sid = param(c, 1);
    respond0(c, vd_store_move(r->store, o, sid, p));
    return 0;
}

static int op_copy_object(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    bool ok;
    vd_obj *p = parent_arg(r, c, param(c, 2), &ok);
    if (!ok)
        return 0;
    uint32_t nh = 0;
    uint16_t code = vd_store_copy(r->store, o, param(c, 1), p, &nh);
    if (code == FC_RC_OK)
        respond(c, code, 1, &nh);
    else
        respond0(c, code);
    return 0;
}

static int op_get_props_supported(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    fc_wr w;
    fc_wr_init(&w);
    fc_wr_au16(&w, obj_props, N_OBJ_PROPS);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_get_prop_desc(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint16_t code = (uint16_t)param(c, 0);
    if (!prop_supported(code)) {
        respond0(c, FC_RC_InvalidObjectPropCode);
        return 0;
    }
    fc_prop_desc d;
    memset(&d, 0, sizeof(d));
    d.code = code;
    d.type = prop_type(code);
    d.getset = (code == FC_OPC_ObjectFileName || code == FC_OPC_DateModified) ? 1 : 0;
    d.def.type = d.type;
    if (d.type == FC_DTC_STR)
        fc_value_str(&d.def, "");
    d.form = code == FC_OPC_DateModified || code == FC_OPC_DateCreated ? FC_FORM_DATETIME : FC_FORM_NONE;
    fc_wr w;
    fc_wr_init(&w);
    fc_objprop_desc_encode(&d, &w);
    fc_prop_desc_free(&d);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_get_prop_value(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return 0;
    uint16_t code = (uint16_t)param(c, 1);
    fc_value v;
    if (!prop_supported(code) || prop_value(r, o, code, &v) < 0) {
        respond0(c, FC_RC_InvalidObjectPropCode);
        return 0;
    }
    fc_wr w;
    fc_wr_init(&w);
    fc_wr_value(&w, &v);
    fc_value_free(&v);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_set_prop_value(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = recv_buf(c, &buf, &len);
    if (rc == FERRY_EPROTO) {
        respond0(c, FC_RC_InvalidObjectPropValue);
        return 0;
    }
    if (rc)
        return rc;
    vd_obj *o = vd_store_get(r->store, param(c, 0));
    uint16_t code = (uint16_t)param(c, 1);
    if (!o) {
        free(buf);
        respond0(c, FC_RC_InvalidObjectHandle);
        return 0;
    }
    if (code != FC_OPC_ObjectFileName && code != FC_OPC_DateModified) {
        free(buf);
        respond0(c, prop_supported(code) ? FC_RC_AccessDenied : FC_RC_InvalidObjectPropCode);
        return 0;
    }
    fc_rd rd;
    fc_rd_init(&rd, buf, len);
    fc_value v;
    rc = fc_rd_value(&rd, FC_DTC_STR, &v);
    free(buf);
    if (rc) {
        respond0(c, FC_RC_InvalidObjectPropValue);
        return 0;
    }
    if (code == FC_OPC_ObjectFileName) {
        respond0(c, vd_store_rename(r->store, o, v.u.str));
    } else {
        fc_datetime dt;
        int64_t t;
        char *path = vd_store_path(r->store, o);
        if (fc_datetime_parse(v.u.str, &dt) < 0 || fc_datetime_to_unix(&dt, &t) < 0) {
            respond0(c, FC_RC_InvalidObjectPropValue);
        } else if (o->pending) {
            o->pending_mtime = t;
            respond0(c, FC_RC_OK);
        } else {
            struct timespec ts[2] = {{t, 0}, {t, 0}};
            respond0(c, path && utimensat(AT_FDCWD, path, ts, 0) == 0 ? FC_RC_OK : FC_RC_GeneralError);
        }
        free(path);
    }
    fc_value_free(&v);
    return 0;
}

static int add_obj_props(vd_resp *r, fc_proplist *pl, vd_obj *o, uint16_t prop)
{
    for (size_t i = 0; i < N_OBJ_PROPS; i++) {
        if (prop != 0xFFFF && obj_props[i] != prop)
            continue;
        fc_value v;
        int rc = prop_value(r, o, obj_props[i], &v);
        if (rc)
            return rc;
        rc = fc_proplist_add(pl, o->handle, obj_props[i], &v);
        fc_value_free(&v);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_tree_props(vd_resp *r, fc_proplist *pl, vd_obj **kids, size_t n, uint16_t fmt, uint16_t prop,
                          bool recurse)
{
    for (size_t i = 0; i < n; i++) {
        if (format_match(kids[i], fmt)) {
            int rc = add_obj_props(r, pl, kids[i], prop);
            if (rc)
                return rc;
        }
        if (recurse && kids[i]->is_dir) {
            int rc = add_tree_props(r, pl, kids[i]->children, kids[i]->nchildren, fmt, prop, true);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* GetObjectPropList (MTP D.2.30): p1 handle (0xFFFFFFFF all), p2 format,
 * p3 property (0xFFFFFFFF all, 0 by group), p4 group, p5 depth. */
static int op_get_prop_list(vd_resp *r, vd_ctx *c)
{
    if (r->opts.no_proplist) {
        respond0(c, FC_RC_OperationNotSupported);
        return 0;
    }
    if (!need_session(r, c))
        return 0;
    uint32_t h = param(c, 0), depth = param(c, 4), propcode = param(c, 2);
    uint16_t fmt = (uint16_t)param(c, 1);
    uint16_t prop;
    if (propcode == 0xFFFFFFFF) {
        prop = 0xFFFF;
    } else if (propcode == 0) {
        respond0(c, FC_RC_SpecificationByGroupUnsupported);
        return 0;
    } else if (!prop_supported((uint16_t)propcode)) {
        respond0(c, FC_RC_InvalidObjectPropCode);
        return 0;
    } else {
        prop = (uint16_t)propcode;
    }
    fc_proplist pl = {0, NULL};
    int rc = 0;
    bool all = depth == 0xFFFFFFFF;
    if (depth != 0 && depth != 1 && !all) {
        respond0(c, FC_RC_SpecificationByDepthUnsupported);
        return 0;
    }
    if (h == 0 || h == 0xFFFFFFFF) {
        if (depth == 0 && h == 0xFFFFFFFF) {
            all = true; /* every object */
        } else if (depth == 0) {
            respond0(c, FC_RC_InvalidObjectHandle);
            return 0;
        }
        for (size_t i = 0; i < r->store->nst && !rc; i++)
            rc = add_tree_props(r, &pl, r->store->st[i].top.children, r->store->st[i].top.nchildren, fmt, prop,
                                all);
    } else {
        vd_obj *o = get_obj(r, c, h);
        if (!o)
            return 0;
        if (depth == 0) {
            if (format_match(o, fmt))
                rc = add_obj_props(r, &pl, o, prop);
        } else {
            rc = add_tree_props(r, &pl, o->children, o->nchildren, fmt, prop, all);
        }
    }
    if (rc) {
        fc_proplist_free(&pl);
        respond0(c, FC_RC_GeneralError);
        return 0;
    }
    fc_wr w;
    fc_wr_init(&w);
    fc_proplist_encode(&pl, &w);
    fc_proplist_free(&pl);
    rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int devprop_desc(vd_resp *r, uint16_t code, fc_prop_desc *d)
{
    memset(d, 0, sizeof(*d));
    d->code = code;
    switch (code) {
    case FC_DPC_BatteryLevel:
        d->type = FC_DTC_UINT8;
        d->getset = 0;
        d->def = fc_value_uint(FC_DTC_UINT8, 100);
        d->cur = fc_value_uint(FC_DTC_UINT8, r->battery);
        d->form = FC_FORM_RANGE;
        d->f.range.min = fc_value_uint(FC_DTC_UINT8, 0);
        d->f.range.max = fc_value_uint(FC_DTC_UINT8, 100);
        d->f.range.step = fc_value_uint(FC_DTC_UINT8, 1);
        return 0;
    case FC_DPC_DeviceFriendlyName:
    case FC_DPC_SynchronizationPartner:
        d->type = FC_DTC_STR;
        d->getset = 1;
        d->form = FC_FORM_NONE;
        if (fc_value_str(&d->def, "") < 0 ||
            fc_value_str(&d->cur, code == FC_DPC_DeviceFriendlyName ? r->friendly : "") < 0) {
            fc_prop_desc_free(d);
            return FERRY_ENOMEM;
        }
        return 0;
    default:
        return FERRY_ENOTSUP;
    }
}

static int op_get_devprop_desc(vd_resp *r, vd_ctx *c, bool value_only)
{
    if (!need_session(r, c))
        return 0;
    fc_prop_desc d;
    if (devprop_desc(r, (uint16_t)param(c, 0), &d) < 0) {
        respond0(c, FC_RC_DevicePropNotSupported);
        return 0;
    }
    fc_wr w;
    fc_wr_init(&w);
    if (value_only)
        fc_wr_value(&w, &d.cur);
    else
        fc_devprop_desc_encode(&d, &w);
    fc_prop_desc_free(&d);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

static int op_set_devprop_value(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = recv_buf(c, &buf, &len);
    if (rc == FERRY_EPROTO) {
        respond0(c, FC_RC_InvalidDevicePropValue);
        return 0;
    }
    if (rc)
        return rc;
    uint16_t code = (uint16_t)param(c, 0);
    if (code != FC_DPC_DeviceFriendlyName && code != FC_DPC_SynchronizationPartner) {
        free(buf);
        respond0(c, code == FC_DPC_BatteryLevel ? FC_RC_AccessDenied : FC_RC_DevicePropNotSupported);
        return 0;
    }
    fc_rd rd;
    fc_rd_init(&rd, buf, len);
    fc_value v;
    rc = fc_rd_value(&rd, FC_DTC_STR, &v);
    free(buf);
    if (rc) {
        respond0(c, FC_RC_InvalidDevicePropValue);
        return 0;
    }
    if (code == FC_DPC_DeviceFriendlyName) {
        free(r->friendly);
        r->friendly = v.u.str;
        v.u.str = NULL;
    }
    fc_value_free(&v);
    respond0(c, FC_RC_OK);
    return 0;
}

static int op_object_refs(vd_resp *r, vd_ctx *c, bool set)
{
    if (!need_session(r, c))
        return 0;
    if (set) {
        uint8_t *buf = NULL;
        size_t len = 0;
        int rc = recv_buf(c, &buf, &len);
        free(buf);
        if (rc && rc != FERRY_EPROTO)
            return rc;
        respond0(c, vd_store_get(r->store, param(c, 0)) ? FC_RC_OK : FC_RC_InvalidObjectHandle);
        return 0;
    }
    if (!get_obj(r, c, param(c, 0)))
        return 0;
    fc_wr w;
    fc_wr_init(&w);
    fc_wr_au32(&w, NULL, 0);
    int rc = send_buf(r, c, &w);
    fc_wr_free(&w);
    if (!rc)
        respond0(c, FC_RC_OK);
    return rc;
}

/* Android edit extensions */
static vd_obj *edit_obj(vd_resp *r, vd_ctx *c, bool must_edit)
{
    vd_obj *o = get_obj(r, c, param(c, 0));
    if (!o)
        return NULL;
    if (o->is_dir || o->pending || o->synthetic) {
        respond0(c, FC_RC_InvalidObjectHandle);
        return NULL;
    }
    if (must_edit && !o->editing) {
        respond0(c, FC_RC_GeneralError);
        return NULL;
    }
    return o;
}

static int op_begin_edit(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = edit_obj(r, c, false);
    if (!o)
        return 0;
    vd_storage *st = vd_store_storage(r->store, o->storage_id);
    if (st && st->read_only) {
        respond0(c, FC_RC_StoreReadOnly);
        return 0;
    }
    o->editing = true;
    respond0(c, FC_RC_OK);
    return 0;
}

static int op_end_edit(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = edit_obj(r, c, true);
    if (!o)
        return 0;
    o->editing = false;
    char *path = vd_store_path(r->store, o);
    int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(path);
    if (r->store->event)
        r->store->event(r->store->event_data, FC_EC_ObjectInfoChanged, o->handle);
    respond0(c, FC_RC_OK);
    return 0;
}

static int op_truncate(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    vd_obj *o = edit_obj(r, c, true);
    if (!o)
        return 0;
    uint64_t size = param(c, 1) | (uint64_t)param(c, 2) << 32;
    char *path = vd_store_path(r->store, o);
    int rc = path ? truncate(path, (off_t)size) : -1;
    free(path);
    respond0(c, rc == 0 ? FC_RC_OK : (errno == ENOSPC || errno == EFBIG) ? FC_RC_StoreFull : FC_RC_GeneralError);
    return 0;
}

static int op_send_partial(vd_resp *r, vd_ctx *c)
{
    if (!need_session(r, c))
        return 0;
    uint64_t total;
    int rc = c->ops->recv_begin(c, &total);
    if (rc == FERRY_EEND) {
        respond0(c, FC_RC_IncompleteTransfer);
        return 0;
    }
    if (rc)
        return rc;
    vd_obj *o = vd_store_get(r->store, param(c, 0));
    if (!o || o->is_dir || o->pending || o->synthetic || !o->editing) {
        c->ops->recv_drain(c);
        respond0(c, !o ? FC_RC_InvalidObjectHandle : FC_RC_GeneralError);
        return 0;
    }
    uint64_t off = param(c, 1) | (uint64_t)param(c, 2) << 32;
    char *path = vd_store_path(r->store, o);
    int fd = path ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0) {
        c->ops->recv_drain(c);
        respond0(c, FC_RC_GeneralError);
        return 0;
    }
    vd_storage *st = vd_store_storage(r->store, o->storage_id);
    uint64_t got = 0;
    bool full = false;
    bool cancelled = false;
    vd_ctx_register_cancel(c, cancel_note, &cancelled);
    rc = recv_to_fd(r, c, fd, (off_t)off, st ? vd_store_free_bytes(r->store, st) : UINT64_MAX, &got, &full);
    close(fd);
    if (rc)
        return rc;
    uint32_t p = (uint32_t)got;
    respond(c, full ? FC_RC_StoreFull : FC_RC_OK, 1, &p);
    return 0;
}

/* ------------------------------------------------------------------ */

int vd_resp_init(vd_resp *r, vd_store *store, const vd_resp_opts *opts)
{
    memset(r, 0, sizeof(*r));
    r->store = store;
    r->opts = *opts;
    r->battery = 87;
    r->friendly = strdup(opts->friendly_name ? opts->friendly_name : "ferry virtual device");
    return r->friendly ? 0 : FERRY_ENOMEM;
}

void vd_resp_free(vd_resp *r)
{
    free(r->friendly);
    r->friendly = NULL;
}

void vd_resp_reset(vd_resp *r)
{
    r->session_open = false;
    r->session_id = 0;
    r->send_target = NULL;
    end_edits(r);
}

int vd_resp_handle(vd_resp *r, vd_ctx *c)
{
    c->responded = false;
    if (r->op_fault == VD_FAULT_BUSY) {
        /* answer Busy without looking at a data phase the host may send */
        if (c->cmd.code == FC_OC_SendObjectInfo || c->cmd.code == FC_OC_SendObject ||
            c->cmd.code == FC_OC_SetObjectPropValue || c->cmd.code == FC_OC_SendPartialObject ||
            c->cmd.code == FC_OC_SetDevicePropValue) {
            uint64_t total;
            if (c->ops->recv_begin(c, &total) == 0)
                c->ops->recv_drain(c);
        }
        respond0(c, FC_RC_DeviceBusy);
        return 0;
    }
    switch (c->cmd.code) {
    case FC_OC_GetDeviceInfo: return op_get_device_info(r, c);
    case FC_OC_OpenSession: return op_open_session(r, c);
    case FC_OC_CloseSession: return op_close_session(r, c);
    case FC_OC_GetStorageIDs: return op_get_storage_ids(r, c);
    case FC_OC_GetStorageInfo: return op_get_storage_info(r, c);
    case FC_OC_GetNumObjects: return op_get_num_objects(r, c);
    case FC_OC_GetObjectHandles: return op_get_object_handles(r, c);
    case FC_OC_GetObjectInfo: return op_get_object_info(r, c);
    case FC_OC_GetObject: return op_get_object(r, c);
    case FC_OC_GetThumb:
        if (need_session(r, c))
            respond0(c, get_obj(r, c, param(c, 0)) ? FC_RC_NoThumbnailPresent : FC_RC_InvalidObjectHandle);
        return 0;
    case FC_OC_DeleteObject: return op_delete_object(r, c);
    case FC_OC_SendObjectInfo: return op_send_object_info(r, c);
    case FC_OC_SendObject: return op_send_object(r, c);
    case FC_OC_MoveObject: return op_move_object(r, c);
    case FC_OC_CopyObject: return op_copy_object(r, c);
    case FC_OC_GetPartialObject: return op_get_partial(r, c, false);
    case FC_OC_GetDevicePropDesc: return op_get_devprop_desc(r, c, false);
    case FC_OC_GetDevicePropValue: return op_get_devprop_desc(r, c, true);
    case FC_OC_SetDevicePropValue: return op_set_devprop_value(r, c);
    case FC_OC_GetObjectPropsSupported: return op_get_props_supported(r, c);
    case FC_OC_GetObjectPropDesc: return op_get_prop_desc(r, c);
    case FC_OC_GetObjectPropValue: return op_get_prop_value(r, c);
    case FC_OC_SetObjectPropValue: return op_set_prop_value(r, c);
    case FC_OC_GetObjectPropList: return op_get_prop_list(r, c);
    case FC_OC_GetObjectReferences: return op_object_refs(r, c, false);
    case FC_OC_SetObjectReferences: return op_object_refs(r, c, true);
    default:
        break;
    }
    if (r->opts.android_ext) {
        switch (c->cmd.code) {
        case FC_OC_GetPartialObject64: return op_get_partial(r, c, true);
        case FC_OC_SendPartialObject: return op_send_partial(r, c);
        case FC_OC_TruncateObject: return op_truncate(r, c);
        case FC_OC_BeginEditObject: return op_begin_edit(r, c);
        case FC_OC_EndEditObject: return op_end_edit(r, c);
        default:
            break;
        }
    }
    respond0(c, FC_RC_OperationNotSupported);
    return 0;
}
