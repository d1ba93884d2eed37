/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ferry sync: configuration, state store and the sync itself. */
#ifndef FERRY_SYNC_H
#define FERRY_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

enum sync_dir { SYNC_PULL = 1, SYNC_PUSH = 2, SYNC_BOTH = 3 };

typedef struct sync_pair {
    char *name;
    char *section;           /* its section's name as written, "pair NAME" (for messages) */
    char *file;              /* where it was configured (for messages) */
    char *serial;            /* match by serial number, or */
    char *model;             /* by model (product name); both NULL: any device */
    char *remote;            /* device folder, "/Storage/..." */
    char *local;             /* local folder, ~ expanded */
    enum sync_dir dir;
    char **include, **exclude;
    size_t ninclude, nexclude;
    bool delete_;            /* propagate deletions */
    bool remove_after_import;
} sync_pair;

typedef struct sync_config {
    sync_pair *pairs;
    size_t n;
} sync_config;

/* Which configuration files sync_config_load() reads. */
enum sync_conf_files { SYNC_CONF_BOTH, SYNC_CONF_SYSTEM, SYNC_CONF_USER };

/* Reads the system file, then the user's (a pair of the same name in the
 * user's file replaces the system one), or only one of them. path: that
 * one file instead. On error prints "FILE:LINE: what" and returns -1. */
int sync_config_load(sync_config *cfg, const char *path, enum sync_conf_files which);
void sync_config_free(sync_config *cfg);
void sync_pair_free(sync_pair *p);
bool sync_pair_matches(const sync_pair *p, const char *serial, const char *model);
/* Whether a path relative to the pair's root is synced (filters). */
bool sync_pair_wants(const sync_pair *p, const char *rel);
char *sync_expand_home(const char *path);
char *sync_default_config(void);
char *sync_default_state(void);

/* The state store: what was synced, per device, pair and path. */
typedef struct sync_rec {
    char *path;
    bool has_remote, has_local;
    uint64_t rsize, lsize;
    int64_t rmtime, lmtime;
    char hash[33];           /* XXH3-128 hex of the content when known, "" otherwise */
    bool conflict;
} sync_rec;

int state_open(const char *path, sqlite3 **db);
void state_close(sqlite3 *db);
int state_begin(sqlite3 *db);
int state_commit(sqlite3 *db);
/* Loads every record of a device and pair, sorted by path. */
int state_load(sqlite3 *db, const char *device, const char *pair, sync_rec **out, size_t *n);
void state_recs_free(sync_rec *r, size_t n);
/* Writes one record in its own transaction (durable when it returns). */
int state_put(sqlite3 *db, const char *device, const char *pair, const sync_rec *r);
int state_del(sqlite3 *db, const char *device, const char *pair, const char *path);

#endif
