/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm, mkdir, mv */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int simple_opts(int argc, char **argv, const char *name, const char *shortopts, char flagc, bool *flag)
{
    static const struct option opts[] = {{"recursive", no_argument, NULL, 'r'}, {"parents", no_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (o == 'h') {
            cli_cmd_usage(cli_find_cmd(name), stdout);
            return -1;
        }
        if (o == '?')
            return cli_bad_option(name, argv);
        if (o != flagc && !(flagc == 'r' && o == 'R'))
            return cli_usage_error(name, "unknown option %s", argv[optind - 1]);
        *flag = true;
    }
    return 0;
}

/* Runs an operation that yields at most one object, printing errors. */
static int run1(const char *what, const char *path, int start_rc, cli_op *c)
{
    int rc = start_rc;
    if (rc == 0)
        rc = cli_wait(c);
    if (rc < 0) {
        const char *detail = c->op ? ferry_op_error_text(c->op) : "";
        cli_err("%s %s: %s", what, path, detail && *detail ? detail : ferry_strerror(rc));
        cli_note_error(rc);
    }
    return rc;
}

int cmd_rm(int argc, char **argv)
{
    bool rec = false;
    int rc = simple_opts(argc, argv, "rm", "rRh", 'r', &rec);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (optind >= argc)
        return cli_usage_error("rm", "no path given");
    if ((rc = cli_need_device()))
        return rc;
    for (int i = optind; i < argc && !cli_interrupted(); i++) {
        char *path = remote_abs(argv[i]);
        ferry_object obj;
        rc = cli_resolve(path, &obj);
        if (rc < 0) {
            cli_err_rc(rc, "rm %s: %s", argv[i], cli_path_why(rc));
            cli_note_error(rc);
            free(path);
            continue;
        }
        if (obj.id == FERRY_ROOT) {
            cli_err("rm %s: will not delete a whole storage", argv[i]);
            cli_note_error(FERRY_EINVAL);
        } else if (obj.is_folder && !rec) {
            cli_err("rm %s: is a folder (use -r)", argv[i]);
            cli_note_error(FERRY_EISDIR);
        } else {
            cli_op c = {0};
            ferry_op_cbs cbs = cli_cbs(&c);
            rc = run1("rm", argv[i], ferry_delete(g.dev, obj.id, rec ? FERRY_DELETE_RECURSIVE : 0, &cbs, &c.op), &c);
            if (rc == 0 && g.verbose)
                cli_info("removed %s", path);
            cli_op_release(&c);
        }
        free(obj.name);
        free(path);
    }
    return g.worst;
}

/* Makes the folder at path (and its parents with -p); *out gets it. */
static int make_folder(const char *path, bool parents, ferry_object *out)

{
    int rc = cli_resolve(path, out);
    if (rc == 0) {
        if (!out->is_folder) {
            cli_err("mkdir %s: a file of that name exists", path);
            free(out->name);
            return FERRY_EEXIST;
        }
        if (parents)
            return 0;
        cli_err("mkdir %s: exists", path);
        free(out->name);
        return FERRY_EEXIST;
    }
    if (rc != FERRY_ENOENT) {
        cli_err_rc(rc, "mkdir %s: %s", path, cli_path_why(rc));
        return rc;
    }
    char *dir = path_dirname(path);
    ferry_object parent;
    if (parents && strcmp(dir, "/") != 0)
        rc = make_folder(dir, true, &parent);
    else
        rc = cli_resolve(dir, &parent);
    if (rc < 0) {
        if (!parents)
            cli_err_rc(rc, "mkdir %s: %s", dir, cli_path_why(rc));
        free(dir);
        return rc;
    }
    free(dir);
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    rc = ferry_mkdir(g.dev, parent.storage, parent.id, path_base(path), &cbs, &c.op);
    if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG) {
        cli_err("mkdir %s: the device cannot store this name (%s)", path, ferry_strerror(rc));
        free(parent.name);
        return rc;
    }
    rc = run1("mkdir", path, rc, &c);
    free(parent.name);
    if (rc == 0 && c.have_first) {
        *out = c.first.u.object;
        c.have_first = false;
        if (g.verbose)
            cli_info("made folder %s", path);
    } else if (rc == 0) {
        rc = FERRY_EPROTO;
    }
    cli_op_release(&c);
    return rc;
}

int cli_mkdir_p(const char *path, ferry_object *out)
{
    return make_folder(path, true, out);
}

int cmd_mkdir(int argc, char **argv)
{
    bool parents = false;
    int rc = simple_opts(argc, argv, "mkdir", "ph", 'p', &parents);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (optind >= argc)
        return cli_usage_error("mkdir", "no path given");
    if ((rc = cli_need_device()))
        return rc;
    for (int i = optind; i < argc && !cli_interrupted(); i++) {
        char *path = remote_abs(argv[i]);
        ferry_object f;
        rc = make_folder(path, parents, &f);
        if (rc == 0)
            free(f.name);
        else
            cli_note_error(rc);
        free(path);
    }
    return g.worst;
}

int cmd_mv(int argc, char **argv)
{
    bool dummy = false;
    int rc = simple_opts(argc, argv, "mv", "h", 0, &dummy);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (argc - optind != 2)
        return cli_usage_error("mv", argc - optind < 2 ? "needs a source and a destination" : "takes two paths");
    if ((rc = cli_need_device()))
        return rc;
    char *src = remote_abs(argv[optind]), *dst = remote_abs(argv[optind + 1]);
    ferry_object so, dobj, parent = {0};
    rc = cli_resolve(src, &so);
    if (rc < 0) {
        cli_err_rc(rc, "mv %s: %s", argv[optind], cli_path_why(rc));
        free(src);
        free(dst);
        return cli_exit_code(rc);
    }
    const char *name = so.name;
    uint32_t to_storage, to_parent;
    int drc = cli_resolve(dst, &dobj);
    if (drc == 0 && dobj.is_folder) {
        /* into an existing folder, keeping the name */
        to_storage = dobj.storage;
        to_parent = dobj.id;
        free(dobj.name);
    } else if (drc == 0) {
        cli_err("mv %s: %s exists", argv[optind], argv[optind + 1]);
        free(dobj.name);
        rc = FERRY_EEXIST;
        goto out;
    } else if (drc == FERRY_ENOENT) {
        char *dir = path_dirname(dst);
        rc = cli_resolve(dir, &parent);
        free(dir);
        if (rc < 0 || !parent.is_folder) {
            cli_err("mv %s: no folder for %s", argv[optind], argv[optind + 1]);
            rc = rc < 0 ? rc : FERRY_ENOTDIR;
            goto out;
        }
        to_storage = parent.storage;
        to_parent = parent.id;
        name = path_base(dst);
    } else {
        cli_err("mv %s: %s", argv[optind + 1], cli_path_why(drc));
        rc = drc;
        goto out;
    }
    if (to_parent != so.parent || to_storage != so.storage) {
        cli_op c = {0};
        ferry_op_cbs cbs = cli_cbs(&c);
        rc = run1("mv", argv[optind], ferry_move(g.dev, so.id, to_storage, to_parent, &cbs, &c.op), &c);
        cli_op_release(&c);
        if (rc < 0)
            goto out;
    }
    if (strcmp(name, so.name) != 0) {
        cli_op c = {0};
        ferry_op_cbs cbs = cli_cbs(&c);
        rc = ferry_rename(g.dev, so.id, name, &cbs, &c.op);
        if (rc == FERRY_EBADNAME || rc == FERRY_ENAMETOOLONG)
            cli_err("mv %s: the device cannot store the name \"%s\"", argv[optind], name);
        else
            rc = run1("mv", argv[optind], rc, &c);
        cli_op_release(&c);
    }
    if (rc == 0 && g.verbose)
        cli_info("moved %s to %s", src, dst);
out:
    free(so.name);
    free(parent.name);
    free(src);
    free(dst);
    return rc < 0 ? cli_exit_code(rc) : 0;
}
