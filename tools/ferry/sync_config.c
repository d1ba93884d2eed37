/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sync configuration: an INI file parsed by inih.
 *
 *   [pair photos]
 *   serial = R58M123ABC          ; or: model = Pixel 7 ; neither: any device
 *   remote = /Internal storage/DCIM/Camera
 *   local = ~/Pictures/Phone
 *   direction = pull             ; pull, push or both
 *   include = *.jpg              ; repeatable
 *   exclude = *.tmp              ; repeatable
 *   delete = no                  ; propagate deletions to the other side
 *   remove-after-import = no     ; pull: delete from the device once the copy is verified
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "sync.h"

char *sync_expand_home(const char *path)
{
    if (path[0] == '~' && (path[1] == '/' || path[1] == 0)) {
        const char *home = getenv("HOME");
        char *s = NULL;
        if (!home || asprintf(&s, "%s%s", home, path + 1) < 0)
            return NULL;
        return s;
    }
    return strdup(path);
}

static char *xdg_path(const char *var, const char *fallback, const char *tail)
{
    const char *base = getenv(var);
    char *s = NULL;
    if (base && *base) {
        if (asprintf(&s, "%s/ferry/%s", base, tail) < 0)
            return NULL;
    } else {
        const char *home = getenv("HOME");
        if (asprintf(&s, "%s/%s/ferry/%s", home ? home : "/tmp", fallback, tail) < 0)
            return NULL;
    }
    return s;
}

char *sync_default_config(void)
{
    return xdg_path("XDG_CONFIG_HOME", ".config", "sync.conf");
}

char *sync_default_state(void)
{
    return xdg_path("XDG_STATE_HOME", ".local/state", "sync.db");
}

void sync_pair_free(sync_pair *p)
{
    free(p->name);
    free(p->section);
    free(p->file);
    free(p->serial);
    free(p->model);
    free(p->remote);
    free(p->local);
    for (size_t i = 0; i < p->ninclude; i++)
        free(p->include[i]);
    for (size_t i = 0; i < p->nexclude; i++)
        free(p->exclude[i]);
    free(p->include);
    free(p->exclude);
    memset(p, 0, sizeof(*p));
}

void sync_config_free(sync_config *cfg)
{
    for (size_t i = 0; i < cfg->n; i++)
        sync_pair_free(&cfg->pairs[i]);
    free(cfg->pairs);
    cfg->pairs = NULL;
    cfg->n = 0;
}

typedef struct parse_state {
    const char *file;
    sync_config *cfg;
    char *section;       /* the current section name */
    sync_pair *cur;      /* the pair being read, NULL in other sections */
    char err[512];       /* the first error */
    int err_line;        /* its line when not the one inih reports (a section header) */
} parse_state;


/* The section name of a header line "[ NAME ]", trimmed; NULL if the
 * line is not one. buf is modified. */
static char *header_of(char *buf)
{
    char *s = buf;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s++ != '[')
        return NULL;
    char *end = strchr(s, ']');
    if (!end)
        return NULL;
    *end = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return s;
}

/* The same, the first one after line `after`. */
static int next_section_line(const char *file, const char *section, int after)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return 0;
    char buf[4096];
    int line = 0, found = 0;
    while (!found && fgets(buf, sizeof(buf), f)) {
        line++;
        const char *h = header_of(buf);
        if (h && line > after && strcmp(h, section) == 0)
            found = line;
    }
    fclose(f);
    return found;
}

/* The line of a section header, for messages (0: not found). */
static int section_line(const char *file, const char *section)
{
    return next_section_line(file, section, 0);
}

/* A section header that appears twice in a file: its second line (0:
 * none). *name gets the section's name. */
static int duplicate_section(FILE *f, char **name)
{
    char buf[4096];
    char **seen = NULL;
    size_t n = 0;
    int line = 0, dup = 0;
    while (!dup && fgets(buf, sizeof(buf), f)) {
        line++;
        const char *h = header_of(buf);
        if (!h)
            continue;
        for (size_t i = 0; i < n && !dup; i++)
            if (strcmp(seen[i], h) == 0)
                dup = line;
        if (dup) {
            *name = strdup(h);
        } else {
            char **ns = realloc(seen, (n + 1) * sizeof(*ns));
            if (!ns)
                break;
            seen = ns;
            seen[n] = strdup(h);
            if (seen[n])
                n++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(seen[i]);
    free(seen);
    rewind(f);
    return dup;
}

static int fail(parse_state *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parse_state *ps, const char *fmt, ...)
{
    if (!ps->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, sizeof(ps->err), fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
        *out = true;
    else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
        *out = false;
    else
        return -1;
    return 0;
}

static int push_str(char ***arr, size_t *n, const char *v)
{
    char **na = realloc(*arr, (*n + 1) * sizeof(char *));
    if (!na)
        return -1;
    *arr = na;
    na[*n] = strdup(v);
    if (!na[*n])
        return -1;
    (*n)++;
    return 0;
}

static sync_pair *find_pair(sync_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n; i++)
        if (strcmp(cfg->pairs[i].name, name) == 0)
            return &cfg->pairs[i];
    return NULL;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    parse_state *ps = user;
    if (!ps->section || strcmp(ps->section, section) != 0) {
        /* a new section */
        free(ps->section);
        ps->section = strdup(section);
        ps->cur = NULL;
        if (!*section)
            return fail(ps, "%s = ...: a key outside a [pair NAME] section", name);
        if (strncmp(section, "pair ", 5) != 0 || !section[5]) {
            if (!ps->err[0])
                ps->err_line = section_line(ps->file, section);
            return fail(ps, "unknown section [%s] (sections are [pair NAME])", section);
        }
        const char *pname = section + 5;
        while (*pname == ' ' || *pname == '\t')
            pname++;
        sync_pair *p = find_pair(ps->cfg, pname);
        if (p && strcmp(p->file, ps->file) == 0) {
            if (!ps->err[0]) {
                /* the second header of that name */
                int first = section_line(ps->file, section);
                ps->err_line = first ? next_section_line(ps->file, section, first) : 0;
            }
            return fail(ps, "[pair %s] is already defined in this file", pname);
        }
        if (p) {
            /* a later file (the user's) replaces an earlier definition */
            sync_pair_free(p);
        } else {
            sync_pair *np = realloc(ps->cfg->pairs, (ps->cfg->n + 1) * sizeof(*np));
            if (!np)
                return fail(ps, "out of memory");
            ps->cfg->pairs = np;
            p = &np[ps->cfg->n++];
        }
        memset(p, 0, sizeof(*p));
        p->name = strdup(pname);
        p->section = strdup(section);
        p->file = strdup(ps->file);
        p->dir = 0;
        ps->cur = p;
    }
    sync_pair *p = ps->cur;
    if (!p)
        return 0; /* errors of this section were reported */
    if (!strcmp(name, "serial")) {
        free(p->serial);
        p->serial = strdup(value);
    } else if (!strcmp(name, "model")) {
        free(p->model);
        p->model = strdup(value);
    } else if (!strcmp(name, "remote")) {
        if (value[0] != '/')
            return fail(ps, "remote = %s: a device path starts with '/'", value);
        free(p->remote);
        p->remote = strdup(value);
    } else if (!strcmp(name, "local")) {
        free(p->local);
        p->local = sync_expand_home(value);
        if (!p->local)
            return fail(ps, "local = %s: HOME is not set", value);
        if (p->local[0] != '/')
            return fail(ps, "local = %s: an absolute path or ~/... is needed", value);
    } else if (!strcmp(name, "direction")) {
        if (!strcmp(value, "pull"))
            p->dir = SYNC_PULL;
        else if (!strcmp(value, "push"))
            p->dir = SYNC_PUSH;
        else if (!strcmp(value, "both"))
            p->dir = SYNC_BOTH;
        else
            return fail(ps, "direction = %s: expected pull, push or both", value);
    } else if (!strcmp(name, "include")) {
        if (push_str(&p->include, &p->ninclude, value) < 0)
            return fail(ps, "out of memory");
    } else if (!strcmp(name, "exclude")) {
        if (push_str(&p->exclude, &p->nexclude, value) < 0)
            return fail(ps, "out of memory");
    } else if (!strcmp(name, "delete")) {
        if (parse_bool(value, &p->delete_) < 0)
            return fail(ps, "delete = %s: expected yes or no", value);
    } else if (!strcmp(name, "remove-after-import")) {
        if (parse_bool(value, &p->remove_after_import) < 0)
            return fail(ps, "remove-after-import = %s: expected yes or no", value);
    } else {
        return fail(ps, "unknown key '%s' in [%s]", name, section);
    }
    return 1;
}

static int load_file(sync_config *cfg, const char *path, bool must_exist)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT && !must_exist)
            return 0;
        cli_err("%s: %s", path, strerror(errno));
        return -1;
    }
    char *dupname = NULL;
    int dup = duplicate_section(f, &dupname);
    if (dup) {
        cli_err("%s:%d: [%s] is already defined in this file", path, dup, dupname ? dupname : "?");
        free(dupname);
        fclose(f);
        return -1;
    }
    parse_state ps = {.file = path, .cfg = cfg};
    int line = ini_parse_file(f, on_entry, &ps);
    fclose(f);
    free(ps.section);
    if (line != 0) {
        if (line < 0)
            cli_err("%s: cannot read it", path);
        else
            cli_err("%s:%d: %s", path, ps.err_line ? ps.err_line : line,
                    ps.err[0] ? ps.err : "syntax error (expected [pair NAME], KEY = VALUE or a comment)");
        return -1;
    }
    return 0;
}

static int validate(const sync_config *cfg)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const sync_pair *p = &cfg->pairs[i];
        const char *miss = !p->remote ? "remote" : !p->local ? "local" : !p->dir ? "direction" : NULL;
        const char *why = NULL;
        char buf[128];
        if (miss) {
            snprintf(buf, sizeof(buf), "'%s' is missing", miss);
            why = buf;
        } else if (p->remove_after_import && p->dir != SYNC_PULL) {
            why = "remove-after-import needs direction = pull";
        }
        if (why) {
            int line = section_line(p->file, p->section);
            if (line)
                cli_err("%s:%d: [pair %s]: %s", p->file, line, p->name, why);
            else
                cli_err("%s: [pair %s]: %s", p->file, p->name, why);
            return -1;
        }
    }
    return 0;
}

int sync_config_load(sync_config *cfg, const char *path, enum sync_conf_files which)
{
    memset(cfg, 0, sizeof(*cfg));
    int rc = 0;
    if (path) {
        rc = load_file(cfg, path, true);
    } else {
        if (which != SYNC_CONF_USER)
            rc = load_file(cfg, SYSCONFDIR "/ferry/sync.conf", false);
        char *user = which == SYNC_CONF_SYSTEM ? NULL : sync_default_config();
        if (rc == 0 && user)
            rc = load_file(cfg, user, false);
        free(user);
    }
    if (rc == 0)
        rc = validate(cfg);
    if (rc < 0)
        sync_config_free(cfg);
    return rc;
}

bool sync_pair_matches(const sync_pair *p, const char *serial, const char *model)
{
    if (p->serial)
        return serial && strcmp(p->serial, serial) == 0;
    if (p->model)
        return model && strcasecmp(p->model, model) == 0;
    return true;
}

static bool match_one(const char *pat, const char *rel)
{
    if (strchr(pat, '/'))
        return fnmatch(pat, rel, 0) == 0;
    const char *base = strrchr(rel, '/');
    return fnmatch(pat, base ? base + 1 : rel, 0) == 0;
}

bool sync_pair_wants(const sync_pair *p, const char *rel)
{
    for (size_t i = 0; i < p->nexclude; i++)
        if (match_one(p->exclude[i], rel))
            return false;
    if (!p->ninclude)
        return true;
    for (size_t i = 0; i < p->ninclude; i++)
        if (match_one(p->include[i], rel))
            return true;
    return false;
}
