/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virtual device's object store: MTP objects (handles) over real
 * directories. Each storage is backed by a directory; folders are
 * directories, files are files. What clients write lands there as real
 * files, and only complete ones: an object sent with SendObject is written
 * to a hidden temporary file and renamed into place when its data phase
 * ended well; a cancelled or failed one leaves nothing in the directory.
 *
 * Not thread-safe: the responder thread owns it.
 */
#ifndef FERRY_VDEV_STORE_H
#define FERRY_VDEV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "codec/codec.h"

#define VD_TMP_PREFIX ".ferry-vdev-incoming."
#define VD_MAX_STORAGES 8

typedef struct vd_obj vd_obj;
typedef struct vd_store vd_store;

struct vd_obj {
    uint32_t handle;
    uint32_t storage_id;
    vd_obj *parent;        /* NULL at the root of the storage */
    char *name;
    bool is_dir;
    bool pending;          /* made by SendObjectInfo, no data yet */
    uint64_t pending_size; /* size announced by SendObjectInfo; UINT64_MAX unknown */
    int64_t pending_mtime; /* modification time announced, or -1 */
    uint16_t format;
    bool editing;          /* between BeginEditObject and EndEditObject */
    /* a synthetic object (hostile names mode) has no file; its data is here */
    bool synthetic;
    uint8_t *syn_data;
    size_t syn_len;
    vd_obj **children;
    size_t nchildren, cap;
};

typedef struct vd_storage {
    uint32_t id;
    char *name;       /* StorageDescription, the first part of a ferry path */
    char *root;       /* absolute path of the backing directory */
    uint64_t capacity;/* 0: the file system's own size */
    bool read_only;
    vd_obj top;       /* pseudo object holding the root-level children */
} vd_storage;

/* Events the store reports (ObjectAdded, ObjectRemoved, ...). */
typedef void (*vd_store_event_fn)(void *data, uint16_t code, uint32_t param);

struct vd_store {
    vd_storage st[VD_MAX_STORAGES];
    size_t nst;
    vd_obj **handles; /* index = handle; NULL for freed handles */
    size_t nhandles, cap;
    vd_store_event_fn event;
    void *event_data;
    uint64_t orphans_made; /* pending objects that never got their data */
};

int vd_store_init(vd_store *s);
void vd_store_free(vd_store *s);
/* Adds a storage backed by dir (created if missing); scans it. spec
 * options: capacity in bytes (0: file system), read-only. */
int vd_store_add(vd_store *s, const char *name, const char *dir, uint64_t capacity, bool ro);
/* Adds synthetic objects with hostile names to the first storage. */
int vd_store_add_hostile(vd_store *s);

vd_storage *vd_store_storage(vd_store *s, uint32_t id);
vd_obj *vd_store_get(vd_store *s, uint32_t handle);
/* Absolute path of an object's file (malloc'd), NULL for synthetic. */
char *vd_store_path(vd_store *s, const vd_obj *o);

/* Size and modification time of an object (stat of its file). */
int vd_store_stat(vd_store *s, const vd_obj *o, uint64_t *size, int64_t *mtime);
uint64_t vd_store_free_bytes(vd_store *s, vd_storage *st);
uint64_t vd_store_used_bytes(vd_store *s, vd_storage *st);

/* Creates an object (SendObjectInfo). Folders are made at once; files are
 * pending until vd_store_commit_file(). Returns 0 or a response code. */
uint16_t vd_store_create(vd_store *s, uint32_t storage_id, vd_obj *parent, const char *name, bool is_dir,
                         uint16_t format, uint64_t size, int64_t mtime, vd_obj **out);
/* Opens the temporary file for a pending object's data. */
int vd_store_open_tmp(vd_store *s, vd_obj *o, char **tmppath);
/* Moves the finished temporary file into place. Returns a response code. */
uint16_t vd_store_commit_file(vd_store *s, vd_obj *o, const char *tmppath);

uint16_t vd_store_delete(vd_store *s, vd_obj *o);
uint16_t vd_store_rename(vd_store *s, vd_obj *o, const char *name);
uint16_t vd_store_move(vd_store *s, vd_obj *o, uint32_t storage_id, vd_obj *parent);
uint16_t vd_store_copy(vd_store *s, vd_obj *o, uint32_t storage_id, vd_obj *parent, uint32_t *new_handle);

/* Children of a folder (NULL parent: root of storage_id). */
vd_obj **vd_store_children(vd_store *s, uint32_t storage_id, vd_obj *parent, size_t *n);
/* A name that can be stored: not empty, not "." or "..", no '/', valid
 * for the file system (<= 255 bytes). */
bool vd_store_name_ok(const char *name);
/* Number of pending (orphan) objects. */
size_t vd_store_pending(vd_store *s);

#endif
