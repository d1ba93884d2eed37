/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sync state store (SQLite): per device, pair and relative path, what
 * both sides looked like after the last sync. Every change is its own
 * transaction in WAL mode with synchronous=FULL, so a SIGKILL or a pulled
 * cable at any moment leaves a consistent store.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sync.h"

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS files ("
    "  device TEXT NOT NULL,"
    "  pair TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  has_remote INTEGER NOT NULL,"
    "  has_local INTEGER NOT NULL,"
    "  rsize INTEGER, rmtime INTEGER,"
    "  lsize INTEGER, lmtime INTEGER,"
    "  hash TEXT NOT NULL DEFAULT '',"
    "  conflict INTEGER NOT NULL DEFAULT 0,"
    "  synced_at INTEGER NOT NULL DEFAULT (strftime('%s','now')),"
    "  PRIMARY KEY (device, pair, path)"
    ") WITHOUT ROWID;";

static int mkdirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0700) < 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    free(p);
    return 0;
}

int state_open(const char *path, sqlite3 **db)
{
    if (mkdirs(path) < 0) {
        cli_err("state store %s: cannot make its folder", path);
        return -1;
    }
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        cli_err("state store %s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 10000);
    char *err = NULL;
    if (sqlite3_exec(*db, schema, NULL, NULL, &err) != SQLITE_OK) {
        cli_err("state store %s: %s", path, err ? err : "cannot initialise");
        sqlite3_free(err);
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

void state_close(sqlite3 *db)
{
    sqlite3_close(db);
}

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        cli_err("state store: %s", err ? err : sql);
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

int state_begin(sqlite3 *db)
{
    return exec(db, "BEGIN IMMEDIATE");
}

int state_commit(sqlite3 *db)
{
    return exec(db, "COMMIT");
}

void state_recs_free(sync_rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].path);
    free(r);
}

int state_load(sqlite3 *db, const char *device, const char *pair, sync_rec **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT path, has_remote, has_local, rsize, rmtime, lsize, lmtime, hash, conflict "
                           "FROM files WHERE device = ?1 AND pair = ?2 ORDER BY path",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_err("state store: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pair, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            sync_rec *nr = realloc(*out, cap * sizeof(*nr));
            if (!nr) {
                rc = SQLITE_NOMEM;
                break;
            }
            *out = nr;
        }
        sync_rec *r = &(*out)[*n];
        memset(r, 0, sizeof(*r));
        r->path = strdup((const char *)sqlite3_column_text(st, 0));
        r->has_remote = sqlite3_column_int(st, 1);
        r->has_local = sqlite3_column_int(st, 2);
        r->rsize = (uint64_t)sqlite3_column_int64(st, 3);
        r->rmtime = sqlite3_column_int64(st, 4);
        r->lsize = (uint64_t)sqlite3_column_int64(st, 5);
        r->lmtime = sqlite3_column_int64(st, 6);
        const char *h = (const char *)sqlite3_column_text(st, 7);
        snprintf(r->hash, sizeof(r->hash), "%s", h ? h : "");
        r->conflict = sqlite3_column_int(st, 8);
        if (!r->path) {
            rc = SQLITE_NOMEM;
            break;
        }
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cli_err("state store: %s", sqlite3_errstr(rc));
        state_recs_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

int state_put(sqlite3 *db, const char *device, const char *pair, const sync_rec *r)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO files (device, pair, path, has_remote, has_local, rsize, rmtime, "
                           "lsize, lmtime, hash, conflict) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_err("state store: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pair, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->path, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r->has_remote);
    sqlite3_bind_int(st, 5, r->has_local);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)r->rsize);
    sqlite3_bind_int64(st, 7, r->rmtime);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)r->lsize);
    sqlite3_bind_int64(st, 9, r->lmtime);
    sqlite3_bind_text(st, 10, r->hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 11, r->conflict);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cli_err("state store: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int state_del(sqlite3 *db, const char *device, const char *pair, const char *path)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "DELETE FROM files WHERE device = ?1 AND pair = ?2 AND path = ?3", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, pair, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}
