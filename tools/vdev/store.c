/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define STORAGE_ID(i) ((uint32_t)(((i) + 1) << 16) | 1u)

static void emit(vd_store *s, uint16_t code, uint32_t param)
{
    if (s->event)
        s->event(s->event_data, code, param);
}

static uint16_t format_for(const char *name, bool is_dir)
{
    if (is_dir)
        return FC_OFC_Association;
    const char *dot = strrchr(name, '.');
    if (!dot)
        return FC_OFC_Undefined;
    static const struct {
        const char *ext;
        uint16_t fmt;
    } map[] = {
        {".jpg", FC_OFC_EXIF_JPEG}, {".jpeg", FC_OFC_EXIF_JPEG}, {".png", FC_OFC_PNG},
        {".gif", FC_OFC_GIF},       {".bmp", FC_OFC_BMP},        {".tif", FC_OFC_TIFF},
        {".mp3", FC_OFC_MP3},       {".wav", FC_OFC_WAV},        {".ogg", FC_OFC_OGG},
        {".flac", FC_OFC_FLAC},     {".aac", FC_OFC_AAC},        {".mp4", FC_OFC_MP4},
        {".avi", FC_OFC_AVI},       {".txt", FC_OFC_Text},       {".html", FC_OFC_HTML},
        {".3gp", FC_OFC_3GP},       {".wma", FC_OFC_WMA},        {".wmv", FC_OFC_WMV},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(dot, map[i].ext) == 0)
            return map[i].fmt;
    return FC_OFC_Undefined;
}

bool vd_store_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255)
        return false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    if (strchr(name, '/'))
        return false;
    if (strncmp(name, VD_TMP_PREFIX, strlen(VD_TMP_PREFIX)) == 0)
        return false;
    return true;
}

static int handles_grow(vd_store *s)
{
    if (s->nhandles < s->cap)
        return 0;
    size_t nc = s->cap ? s->cap * 2 : 1024;
    vd_obj **nh = realloc(s->handles, nc * sizeof(*nh));
    if (!nh)
        return -ENOMEM;
    s->handles = nh;
    s->cap = nc;
    return 0;
}

static int child_add(vd_obj *dir, vd_obj *o)
{
    if (dir->nchildren == dir->cap) {
        size_t nc = dir->cap ? dir->cap * 2 : 8;
        vd_obj **n = realloc(dir->children, nc * sizeof(*n));
        if (!n)
            return -ENOMEM;
        dir->children = n;
        dir->cap = nc;
    }
    dir->children[dir->nchildren++] = o;
    return 0;
}

static void child_remove(vd_obj *dir, vd_obj *o)
{
    for (size_t i = 0; i < dir->nchildren; i++) {
        if (dir->children[i] == o) {
            memmove(&dir->children[i], &dir->children[i + 1], (dir->nchildren - i - 1) * sizeof(o));
            dir->nchildren--;
            return;
        }
    }
}

static vd_obj *holder(vd_store *s, uint32_t storage_id, vd_obj *parent)
{
    if (parent)
        return parent;
    for (size_t i = 0; i < s->nst; i++)
        if (s->st[i].id == storage_id)
            return &s->st[i].top;
    return NULL;
}

static vd_obj *obj_new(vd_store *s, uint32_t storage_id, vd_obj *parent, const char *name, bool is_dir)
{
    if (handles_grow(s) < 0 || !s->handles)
        return NULL;
    vd_obj *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->name = strdup(name);
    vd_obj *h = holder(s, storage_id, parent);
    if (!o->name || !h || child_add(h, o) < 0) {
        free(o->name);
        free(o);
        return NULL;
    }
    o->handle = (uint32_t)s->nhandles;
    s->handles[s->nhandles++] = o;
    o->storage_id = storage_id;
    o->parent = parent;
    o->is_dir = is_dir;
    o->format = format_for(name, is_dir);
    o->pending_mtime = -1;
    return o;
}

static void obj_free_tree(vd_store *s, vd_obj *o)
{
    for (size_t i = 0; i < o->nchildren; i++)
        obj_free_tree(s, o->children[i]);
    free(o->children);
    if (o->handle < s->nhandles && s->handles[o->handle] == o)
        s->handles[o->handle] = NULL;
    free(o->name);
    free(o->syn_data);
    free(o);
}

/* Unlinks an object from its folder and frees it with its subtree. */
static void obj_drop(vd_store *s, vd_obj *o)
{
    vd_obj *h = holder(s, o->storage_id, o->parent);
    if (h)
        child_remove(h, o);
    obj_free_tree(s, o);
}

static int scan_dir(vd_store *s, uint32_t sid, vd_obj *parent, const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    struct dirent *e;
    /* sorted for stable handles from one run to the next */
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    closedir(d);
    if (n < 0)
        return -errno;
    for (int i = 0; i < n; i++) {
        e = list[i];
        const char *nm = e->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            goto next;
        char *full = NULL;
        if (asprintf(&full, "%s/%s", path, nm) < 0)
            goto next;
        if (strncmp(nm, VD_TMP_PREFIX, strlen(VD_TMP_PREFIX)) == 0) {
            /* a temporary file left by a run that was killed */
            unlink(full);
            free(full);
            goto next;
        }
        struct stat sb;
        if (lstat(full, &sb) == 0 && (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
            vd_obj *o = obj_new(s, sid, parent, nm, S_ISDIR(sb.st_mode));
            if (o && o->is_dir)
                scan_dir(s, sid, o, full);
        }
        free(full);
    next:
        free(list[i]);
    }
    free(list);
    return 0;
}

int vd_store_init(vd_store *s)
{
    memset(s, 0, sizeof(*s));
    /* handle 0 is never used: it means "root" in several operations */
    if (handles_grow(s) < 0)
        return -ENOMEM;
    s->handles[s->nhandles++] = NULL;
    return 0;
}

void vd_store_free(vd_store *s)
{
    for (size_t i = 0; i < s->nst; i++) {
        vd_storage *st = &s->st[i];
        for (size_t j = 0; j < st->top.nchildren; j++)
            obj_free_tree(s, st->top.children[j]);
        free(st->top.children);
        free(st->name);
        free(st->root);
    }
    free(s->handles);
    memset(s, 0, sizeof(*s));
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    if (strlen(path) >= sizeof(tmp))
        return -ENAMETOOLONG;
    strcpy(tmp, path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int vd_store_add(vd_store *s, const char *name, const char *dir, uint64_t capacity, bool ro)
{
    if (s->nst >= VD_MAX_STORAGES)
        return -ENOSPC;
    int rc = mkdir_p(dir);
    if (rc < 0)
        return rc;
    char *abs = realpath(dir, NULL);
    if (!abs)
        return -errno;
    vd_storage *st = &s->st[s->nst];
    memset(st, 0, sizeof(*st));
    st->id = STORAGE_ID(s->nst);
    st->name = strdup(name);
    st->root = abs;
    st->capacity = capacity;
    st->read_only = ro;
    st->top.is_dir = true;
    st->top.storage_id = st->id;
    if (!st->name) {
        free(abs);
        return -ENOMEM;
    }
    s->nst++;
    return scan_dir(s, st->id, NULL, abs);
}

vd_storage *vd_store_storage(vd_store *s, uint32_t id)
{
    for (size_t i = 0; i < s->nst; i++)
        if (s->st[i].id == id)
            return &s->st[i];
    return NULL;
}

vd_obj *vd_store_get(vd_store *s, uint32_t handle)
{
    if (handle == 0 || handle >= s->nhandles)
        return NULL;
    return s->handles[handle];
}

char *vd_store_path(vd_store *s, const vd_obj *o)
{
    if (o->synthetic)
        return NULL;
    vd_storage *st = vd_store_storage(s, o->storage_id);
    if (!st)
        return NULL;
    const vd_obj *chain[256];
    size_t depth = 0;
    for (const vd_obj *p = o; p && depth < 256; p = p->parent)
        chain[depth++] = p;
    size_t len = strlen(st->root) + 1;
    for (size_t i = 0; i < depth; i++)
        len += strlen(chain[i]->name) + 1;
    char *path = malloc(len);
    if (!path)
        return NULL;
    strcpy(path, st->root);
    for (size_t i = depth; i-- > 0;) {
        strcat(path, "/");
        strcat(path, chain[i]->name);
    }
    return path;
}

int vd_store_stat(vd_store *s, const vd_obj *o, uint64_t *size, int64_t *mtime)
{
    if (o->synthetic) {
        *size = o->syn_len;
        *mtime = 1600000000;
        return 0;
    }
    if (o->pending) {
        *size = o->pending_size == UINT64_MAX ? 0 : o->pending_size;
        *mtime = o->pending_mtime >= 0 ? o->pending_mtime : (int64_t)time(NULL);
        return 0;
    }
    char *p = vd_store_path(s, o);
    if (!p)
        return -ENOMEM;
    struct stat sb;
    int rc = stat(p, &sb);
    free(p);
    if (rc < 0)
        return -errno;
    *size = o->is_dir ? 0 : (uint64_t)sb.st_size;
    *mtime = sb.st_mtime;
    return 0;
}

static uint64_t used_in(vd_store *s, vd_obj *dir)
{
    uint64_t total = 0;
    for (size_t i = 0; i < dir->nchildren; i++) {
        vd_obj *c = dir->children[i];
        if (c->is_dir) {
            total += used_in(s, c);
        } else {
            uint64_t sz;
            int64_t mt;
            if (vd_store_stat(s, c, &sz, &mt) == 0 && !c->pending)
                total += sz;
        }
    }
    return total;
}

uint64_t vd_store_used_bytes(vd_store *s, vd_storage *st)
{
    return used_in(s, &st->top);
}

uint64_t vd_store_free_bytes(vd_store *s, vd_storage *st)
{
    struct statvfs vf;
    uint64_t fs_free = UINT64_MAX;
    if (statvfs(st->root, &vf) == 0)
        fs_free = (uint64_t)vf.f_bavail * vf.f_frsize;
    if (!st->capacity)
        return fs_free;
    uint64_t used = vd_store_used_bytes(s, st);
    uint64_t cap_free = used >= st->capacity ? 0 : st->capacity - used;
    return cap_free < fs_free ? cap_free : fs_free;
}

static vd_obj *find_child(vd_obj *dir, const char *name)
{
    for (size_t i = 0; i < dir->nchildren; i++)
        if (strcmp(dir->children[i]->name, name) == 0)
            return dir->children[i];
    return NULL;
}

uint16_t vd_store_create(vd_store *s, uint32_t storage_id, vd_obj *parent, const char *name, bool is_dir,
                         uint16_t format, uint64_t size, int64_t mtime, vd_obj **out)
{
    vd_storage *st = vd_store_storage(s, storage_id);
    if (!st)
        return FC_RC_InvalidStorageID;
    if (parent && (!parent->is_dir || parent->storage_id != storage_id || parent->pending))
        return FC_RC_InvalidParentObject;
    if (st->read_only)
        return FC_RC_StoreReadOnly;
    if (parent && parent->synthetic)
        return FC_RC_AccessDenied; /* a folder that exists only in the device */
    if (!vd_store_name_ok(name))
        return FC_RC_InvalidDataset;
    vd_obj *h = holder(s, storage_id, parent);
    if (find_child(h, name))
        return FC_RC_GeneralError;
    if (!is_dir && size != UINT64_MAX && size > vd_store_free_bytes(s, st))
        return FC_RC_StoreFull;
    if (is_dir) {
        vd_obj tmp = {.parent = parent, .storage_id = storage_id, .name = (char *)name};
        char *path = vd_store_path(s, &tmp);
        if (!path)
            return FC_RC_GeneralError;
        int rc = mkdir(path, 0755);
        free(path);
        if (rc < 0)
            return errno == ENOSPC ? FC_RC_StoreFull : FC_RC_GeneralError;
    }
    vd_obj *o = obj_new(s, storage_id, parent, name, is_dir);
    if (!o)
        return FC_RC_GeneralError;
    if (format && !is_dir)
        o->format = format;
    if (!is_dir) {
        o->pending = true;
        o->pending_size = size;
        o->pending_mtime = mtime;
        s->orphans_made++;
    }
    emit(s, FC_EC_ObjectAdded, o->handle);
    *out = o;
    return FC_RC_OK;
}

int vd_store_open_tmp(vd_store *s, vd_obj *o, char **tmppath)
{
    vd_obj tmp = {.parent = o->parent, .storage_id = o->storage_id, .name = (char *)""};
    char *dir = vd_store_path(s, &tmp); /* ends with "/" */
    if (!dir)
        return -ENOMEM;
    char *p = NULL;
    if (asprintf(&p, "%s" VD_TMP_PREFIX "XXXXXX", dir) < 0) {
        free(dir);
        return -ENOMEM;
    }
    free(dir);
    int fd = mkostemp(p, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(p);
        return -e;
    }
    /* mkostemp makes it 0600; a file the device stores is an ordinary one */
    mode_t um = umask(0);
    umask(um);
    fchmod(fd, 0666 & ~um);
    *tmppath = p;
    return fd;
}

uint16_t vd_store_commit_file(vd_store *s, vd_obj *o, const char *tmppath)
{
    char *path = vd_store_path(s, o);
    if (!path)
        return FC_RC_GeneralError;
    if (o->pending_mtime >= 0) {
        struct timespec ts[2] = {{o->pending_mtime, 0}, {o->pending_mtime, 0}};
        utimensat(AT_FDCWD, tmppath, ts, 0);
    }
    /* never replace a file that appeared meanwhile */
    int rc = renameat2(AT_FDCWD, tmppath, AT_FDCWD, path, RENAME_NOREPLACE);
    free(path);
    if (rc < 0)
        return FC_RC_GeneralError;
    o->pending = false;
    if (s->orphans_made)
        s->orphans_made--;
    emit(s, FC_EC_ObjectInfoChanged, o->handle);
    return FC_RC_OK;
}

static int rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return -errno;
        struct dirent *e;
        int rc = 0;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *c = NULL;
            if (asprintf(&c, "%s/%s", path, e->d_name) < 0) {
                rc = -ENOMEM;
                break;
            }
            rc = rm_rf(c);
            free(c);
            if (rc < 0)
                break;
        }
        closedir(d);
        if (rc < 0)
            return rc;
        return rmdir(path) < 0 ? -errno : 0;
    }
    return unlink(path) < 0 ? -errno : 0;
}

uint16_t vd_store_delete(vd_store *s, vd_obj *o)
{
    vd_storage *st = vd_store_storage(s, o->storage_id);
    if (!st)
        return FC_RC_InvalidObjectHandle;
    if (st->read_only)
        return FC_RC_StoreReadOnly;
    if (!o->pending && !o->synthetic) {
        char *path = vd_store_path(s, o);
        if (!path)
            return FC_RC_GeneralError;
        int rc = rm_rf(path);
        free(path);
        if (rc < 0)
            return FC_RC_GeneralError;
    } else if (o->pending && s->orphans_made) {
        s->orphans_made--;
    }
    uint32_t h = o->handle;
    obj_drop(s, o);
    emit(s, FC_EC_ObjectRemoved, h);
    return FC_RC_OK;
}

uint16_t vd_store_rename(vd_store *s, vd_obj *o, const char *name)
{
    vd_storage *st = vd_store_storage(s, o->storage_id);
    if (!st)
        return FC_RC_InvalidObjectHandle;
    if (st->read_only)
        return FC_RC_StoreReadOnly;
    if (!vd_store_name_ok(name))
        return FC_RC_InvalidObjectPropValue;
    if (strcmp(name, o->name) == 0)
        return FC_RC_OK;
    vd_obj *h = holder(s, o->storage_id, o->parent);
    if (find_child(h, name))
        return FC_RC_GeneralError;
    char *newname = strdup(name);
    if (!newname)
        return FC_RC_GeneralError;
    if (!o->pending && !o->synthetic) {
        char *from = vd_store_path(s, o);
        char *old = o->name;
        o->name = newname;
        char *to = vd_store_path(s, o);
        o->name = old;
        int rc = (from && to) ? renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) : -1;
        free(from);
        free(to);
        if (rc < 0) {
            free(newname);
            return FC_RC_GeneralError;
        }
    }
    free(o->name);
    o->name = newname;
    if (!o->is_dir)
        o->format = format_for(name, false) ? format_for(name, false) : o->format;
    emit(s, FC_EC_ObjectInfoChanged, o->handle);
    return FC_RC_OK;
}

static bool is_ancestor(const vd_obj *a, const vd_obj *o)
{
    for (const vd_obj *p = o; p; p = p->parent)
        if (p == a)
            return true;
    return false;
}

static void set_storage(vd_obj *o, uint32_t sid)
{
    o->storage_id = sid;
    for (size_t i = 0; i < o->nchildren; i++)
        set_storage(o->children[i], sid);
}

static int copy_tree(const char *from, const char *to);

uint16_t vd_store_move(vd_store *s, vd_obj *o, uint32_t storage_id, vd_obj *parent)
{
    vd_storage *src = vd_store_storage(s, o->storage_id), *dst = vd_store_storage(s, storage_id);
    if (!src || !dst)
        return FC_RC_InvalidStorageID;
    if (src->read_only || dst->read_only)
        return FC_RC_StoreReadOnly;
    if (parent && (!parent->is_dir || parent->storage_id != storage_id))
        return FC_RC_InvalidParentObject;
    if (parent && is_ancestor(o, parent))
        return FC_RC_InvalidParentObject;
    if (parent && parent->synthetic && !o->synthetic)
        return FC_RC_AccessDenied;
    vd_obj *h = holder(s, storage_id, parent);
    if (find_child(h, o->name))
        return FC_RC_GeneralError;
    if (!o->pending && !o->synthetic) {
        char *from = vd_store_path(s, o);
        vd_obj tmp = {.parent = parent, .storage_id = storage_id, .name = o->name};
        char *to = vd_store_path(s, &tmp);
        int rc = -1;
        if (from && to) {
            rc = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
            if (rc < 0 && errno == EXDEV) {
                rc = copy_tree(from, to);
                if (rc == 0)
                    rc = rm_rf(from);
            }
        }
        free(from);
        free(to);
        if (rc < 0)
            return FC_RC_GeneralError;
    }
    vd_obj *oldh = holder(s, o->storage_id, o->parent);
    child_remove(oldh, o);
    if (child_add(h, o) < 0)
        return FC_RC_GeneralError;
    o->parent = parent;
    set_storage(o, storage_id);
    emit(s, FC_EC_ObjectInfoChanged, o->handle);
    return FC_RC_OK;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            rc = -EIO;
            break;
        }
    }
    if (n < 0)
        rc = -errno;
    struct stat sb;
    if (rc == 0 && fstat(in, &sb) == 0) {
        struct timespec ts[2] = {sb.st_atim, sb.st_mtim};
        futimens(out, ts);
    }
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0)
        unlink(to);
    return rc;
}

static int copy_tree(const char *from, const char *to)
{
    struct stat sb;
    if (lstat(from, &sb) < 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return copy_file(from, to);
    if (mkdir(to, 0755) < 0)
        return -errno;
    DIR *d = opendir(from);
    if (!d)
        return -errno;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *a = NULL, *b = NULL;
        if (asprintf(&a, "%s/%s", from, e->d_name) < 0 || asprintf(&b, "%s/%s", to, e->d_name) < 0)
            rc = -ENOMEM;
        else
            rc = copy_tree(a, b);
        free(a);
        free(b);
    }
    closedir(d);
    return rc;
}

uint16_t vd_store_copy(vd_store *s, vd_obj *o, uint32_t storage_id, vd_obj *parent, uint32_t *new_handle)
{
    vd_storage *dst = vd_store_storage(s, storage_id);
    if (!dst)
        return FC_RC_InvalidStorageID;
    if (dst->read_only)
        return FC_RC_StoreReadOnly;
    if (o->pending || o->synthetic)
        return FC_RC_InvalidObjectHandle;
    if (parent && (!parent->is_dir || parent->storage_id != storage_id || is_ancestor(o, parent)))
        return FC_RC_InvalidParentObject;
    if (parent && parent->synthetic)
        return FC_RC_AccessDenied;
    vd_obj *h = holder(s, storage_id, parent);
    if (find_child(h, o->name))
        return FC_RC_GeneralError;
    uint64_t sz;
    int64_t mt;
    if (!o->is_dir && vd_store_stat(s, o, &sz, &mt) == 0 && sz > vd_store_free_bytes(s, dst))
        return FC_RC_StoreFull;
    char *from = vd_store_path(s, o);
    vd_obj tmp = {.parent = parent, .storage_id = storage_id, .name = o->name};
    char *to = vd_store_path(s, &tmp);
    int rc = (from && to) ? copy_tree(from, to) : -ENOMEM;
    if (rc < 0 && to)
        rm_rf(to);
    free(from);
    if (rc < 0) {
        free(to);
        return rc == -ENOSPC ? FC_RC_StoreFull : FC_RC_GeneralError;
    }
    vd_obj *n = obj_new(s, storage_id, parent, o->name, o->is_dir);
    if (n && n->is_dir)
        scan_dir(s, storage_id, n, to);
    free(to);
    if (!n)
        return FC_RC_GeneralError;
    n->format = o->format;
    *new_handle = n->handle;
    emit(s, FC_EC_ObjectAdded, n->handle);
    return FC_RC_OK;
}

vd_obj **vd_store_children(vd_store *s, uint32_t storage_id, vd_obj *parent, size_t *n)
{
    vd_obj *h = holder(s, storage_id, parent);
    if (!h) {
        *n = 0;
        return NULL;
    }
    *n = h->nchildren;
    return h->children;
}

size_t vd_store_pending(vd_store *s)
{
    size_t n = 0;
    for (size_t i = 1; i < s->nhandles; i++)
        if (s->handles[i] && s->handles[i]->pending)
            n++;
    return n;
}

/* Objects a hostile device might present: names that would escape a
 * target folder, control characters, duplicates, over-long names. */
int vd_store_add_hostile(vd_store *s)
{
    if (s->nst == 0)
        return -EINVAL;
    uint32_t sid = s->st[0].id;
    vd_obj *dir = obj_new(s, sid, NULL, "hostile", true);
    if (!dir)
        return -ENOMEM;
    dir->synthetic = true;
    char longname[300];
    memset(longname, 'x', 254);
    longname[254] = 0;
    const char *names[] = {"..", ".", "../escape.txt", "/etc/passwd", "a/b", "ctrl\x01\x1b[31mred",
                           "dup.txt", "dup.txt", "normal.txt", longname, "nl\nname", ""};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        vd_obj *o = obj_new(s, sid, dir, names[i], false);
        if (!o)
            return -ENOMEM;
        o->synthetic = true;
        if (asprintf((char **)&o->syn_data, "hostile object %zu\n", i) < 0)
            return -ENOMEM;
        o->syn_len = strlen((char *)o->syn_data);
    }
    return 0;
}
