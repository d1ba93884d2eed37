/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ls, tree, stat */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmp_obj(const void *a, const void *b)
{
    const ferry_object *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static void print_obj(const ferry_object *o, const char *path, bool lng, bool *first_json)
{
    if (g.json) {
        printf("%s\n  {\"name\": ", *first_json ? "" : ",");
        *first_json = false;
        json_str(stdout, o->name);
        if (path) {
            printf(", \"path\": ");
            json_str(stdout, path);
        }
        printf(", \"id\": %" PRIu32 ", \"storage\": %" PRIu32 ", \"parent\": %" PRIu32
               ", \"folder\": %s, \"size\": %" PRIu64 ", \"mtime\": %" PRId64 ", \"format\": %u}",
               o->id, o->storage, o->parent, o->is_folder ? "true" : "false", o->size, o->mtime, o->format);
        return;
    }
    if (lng) {
        char t[32];
        fmt_time(o->mtime, t, sizeof(t));
        if (o->is_folder)
            printf("d %14s  %s  ", "-", t);
        else
            printf("- %14" PRIu64 "  %s  ", o->size, t);
    }
    put_escaped(stdout, o->name);
    fputs(o->is_folder && !lng ? "/\n" : "\n", stdout);
}

static int ls_folder(const char *path, const ferry_object *dir, bool lng, bool rec, bool *first, bool header);

/* "/" with several storages: the storages, as folders ("-R": and inside) */
static int list_storages(bool lng, bool rec, bool *first)
{
    ferry_storage *st;
    size_t n;
    int rc = cli_storages(&st, &n);
    if (rc < 0) {
        cli_err("ls /: %s", ferry_strerror(rc));
        cli_note_error(rc);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        ferry_object o = {.id = FERRY_ROOT, .storage = st[i].id, .name = st[i].description, .mtime = -1,
                          .is_folder = true, .format = 0x3001};
        char *p = rpath_join("/", st[i].description);
        print_obj(&o, p, lng, first);
        free(p);
    }
    for (size_t i = 0; rec && i < n && !cli_interrupted(); i++) {
        ferry_object o = {.id = FERRY_ROOT, .storage = st[i].id, .name = st[i].description, .is_folder = true};
        char *p = rpath_join("/", st[i].description);
        if (!g.json)
            putchar('\n');
        ls_folder(p, &o, lng, rec, first, true);
        free(p);
    }
    cli_storages_free(st, n);
    return 0;
}

static int nstorages(void)
{
    ferry_storage *st;
    size_t n;
    if (cli_storages(&st, &n) < 0)
        return 1;
    cli_storages_free(st, n);
    return (int)n;
}

static int ls_folder(const char *path, const ferry_object *dir, bool lng, bool rec, bool *first, bool header)
{
    ferry_object *kids;
    size_t n;
    int rc = cli_list(dir->storage, dir->id, &kids, &n);
    if (rc < 0) {
        cli_err("ls %s: %s", path, ferry_strerror(rc));
        cli_note_error(rc);
        return rc;
    }
    if (n > 1)
        qsort(kids, n, sizeof(*kids), cmp_obj);
    if (header && !g.json) {
        put_escaped(stdout, path);
        fputs(":\n", stdout);
    }
    for (size_t i = 0; i < n; i++) {
        char *p = rpath_join(path, kids[i].name);
        print_obj(&kids[i], p, lng, first);
        free(p);
    }
    for (size_t i = 0; rec && i < n && !cli_interrupted(); i++) {
        if (!kids[i].is_folder)
            continue;
        char *p = rpath_join(path, kids[i].name);
        if (!g.json)
            putchar('\n');
        ls_folder(p, &kids[i], lng, rec, first, true);
        free(p);
    }
    cli_objects_free(kids, n);
    return 0;
}

int cmd_ls(int argc, char **argv)
{
    static const struct option opts[] = {{"long", no_argument, NULL, 'l'}, {"recursive", no_argument, NULL, 'R'},
                                         {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool lng = false, rec = false;
    int o;
    while ((o = getopt_long(argc, argv, "lRh", opts, NULL)) != -1) {
        switch (o) {
        case 'l': lng = true; break;
        case 'R': rec = true; break;
        case 'J': g.json = true; break;
        case 'h': cli_cmd_usage(cli_find_cmd("ls"), stdout); return 0;
        default: return cli_bad_option("ls", argv);
        }
    }
    int rc0 = cli_need_device();
    if (rc0)
        return rc0;
    bool first = true;
    if (g.json)
        printf("[");
    char *deflt[] = {(char *)"/"};
    char **paths = optind < argc ? argv + optind : deflt;
    int np = optind < argc ? argc - optind : 1;
    for (int i = 0; i < np && !cli_interrupted(); i++) {
        char *path = remote_abs(paths[i]);
        if (!path)
            return EX_FAIL;
        if (strspn(path, "/") == strlen(path) && nstorages() > 1) {
            list_storages(lng, rec, &first);
            free(path);
            continue;
        }
        ferry_object obj;
        int rc = cli_resolve(path, &obj);
        if (rc < 0) {
            cli_err_rc(rc, "ls %s: %s", paths[i], cli_path_why(rc));
            cli_note_error(rc);
            free(path);
            continue;
        }
        if (obj.is_folder)
            ls_folder(path, &obj, lng, rec, &first, np > 1 || rec);
        else
            print_obj(&obj, path, lng, &first);
        if (!g.json && i + 1 < np)
            putchar('\n');
        free(obj.name);
        free(path);
    }
    if (g.json)
        printf("%s]\n", first ? "" : "\n");
    return g.worst;
}

static void tree_rec(const char *path, const ferry_object *dir, const char *prefix, uint64_t *nd, uint64_t *nf)
{
    ferry_object *kids;
    size_t n;
    int rc = cli_list(dir->storage, dir->id, &kids, &n);
    if (rc < 0) {
        cli_err("tree %s: %s", path, ferry_strerror(rc));
        cli_note_error(rc);
        return;
    }
    if (n > 1)
        qsort(kids, n, sizeof(*kids), cmp_obj);
    for (size_t i = 0; i < n && !cli_interrupted(); i++) {
        bool last = i + 1 == n;
        printf("%s%s", prefix, last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ");
        put_escaped(stdout, kids[i].name);
        putchar('\n');
        if (kids[i].is_folder) {
            (*nd)++;
            char *np = NULL, *p = rpath_join(path, kids[i].name);
            if (asprintf(&np, "%s%s", prefix, last ? "    " : "\u2502   ") >= 0)
                tree_rec(p, &kids[i], np, nd, nf);
            free(np);
            free(p);
        } else {
            (*nf)++;
        }
    }
    cli_objects_free(kids, n);
}

int cmd_tree(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o != 'h')
            return cli_bad_option("tree", argv);
        cli_cmd_usage(cli_find_cmd("tree"), stdout);
        return 0;
    }
    if (argc - optind > 1)
        return cli_usage_error("tree", "takes one path");
    int rc0 = cli_need_device();
    if (rc0)
        return rc0;
    char *path = remote_abs(optind < argc ? argv[optind] : "/");
    if (!path)
        return EX_FAIL;
    uint64_t nd = 0, nf = 0;
    if (strspn(path, "/") == strlen(path) && nstorages() > 1) {
        /* the storages are the top folders */
        ferry_storage *st;
        size_t n;
        int rc = cli_storages(&st, &n);
        if (rc < 0) {
            cli_err("tree /: %s", ferry_strerror(rc));
            free(path);
            return cli_exit_code(rc);
        }
        printf("/\n");
        for (size_t i = 0; i < n && !cli_interrupted(); i++) {
            bool last = i + 1 == n;
            ferry_object top = {.id = FERRY_ROOT, .storage = st[i].id, .name = st[i].description, .is_folder = true};
            printf("%s", last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ");
            put_escaped(stdout, st[i].description);
            putchar('\n');
            nd++;
            char *p = rpath_join("/", st[i].description);
            if (p)
                tree_rec(p, &top, last ? "    " : "\u2502   ", &nd, &nf);
            free(p);
        }
        cli_storages_free(st, n);
        printf("\n%" PRIu64 " folders, %" PRIu64 " files\n", nd, nf);
        free(path);
        return g.worst;
    }
    ferry_object obj;
    int rc = cli_resolve(path, &obj);
    if (rc < 0) {
        cli_err_rc(rc, "tree %s: %s", path, cli_path_why(rc));
        free(path);
        return cli_exit_code(rc);
    }
    put_escaped(stdout, path);
    putchar('\n');
    if (obj.is_folder)
        tree_rec(path, &obj, "", &nd, &nf);
    printf("\n%" PRIu64 " folders, %" PRIu64 " files\n", nd, nf);
    free(obj.name);
    free(path);
    return g.worst;
}

int cmd_stat(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o == 'J') {
            g.json = true;
            continue;
        }
        if (o != 'h')
            return cli_bad_option("stat", argv);
        cli_cmd_usage(cli_find_cmd("stat"), stdout);
        return 0;
    }
    if (optind >= argc)
        return cli_usage_error("stat", "no path given");
    int rc0 = cli_need_device();
    if (rc0)
        return rc0;
    bool first = true;
    if (g.json)
        printf("[");
    for (int i = optind; i < argc; i++) {
        char *path = remote_abs(argv[i]);
        ferry_object obj;
        int rc = cli_resolve(path, &obj);
        if (rc < 0) {
            cli_err_rc(rc, "stat %s: %s", argv[i], cli_path_why(rc));
            cli_note_error(rc);
            free(path);
            continue;
        }
        if (g.json) {
            print_obj(&obj, path, true, &first);
        } else {
            char t[32];
            fmt_time(obj.mtime, t, sizeof(t));
            printf("  Path: ");
            put_escaped(stdout, path);
            printf("\n  Type: %s\n  Size: %" PRIu64 "\nModify: %s\n    Id: %" PRIu32 " (storage %08" PRIx32
                   ", parent %" PRIu32 ")\nFormat: 0x%04x\n",
                   obj.is_folder ? "folder" : "file", obj.size, t, obj.id, obj.storage, obj.parent, obj.format);
        }
        free(obj.name);
        free(path);
    }
    if (g.json)
        printf("%s]\n", first ? "" : "\n");
    return g.worst;
}
