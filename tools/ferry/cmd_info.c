/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* devices, info, df */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int json_only_opts(int argc, char **argv, const char *name, bool device)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o == 'J') {
            g.json = true;
        } else if (o == 'h') {
            cli_cmd_usage(cli_find_cmd(name), stdout);
            return -1;
        } else {
            return cli_bad_option(name, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error(name, "takes no arguments");
    return device ? cli_need_device() : 0;
}

static void json_kv_str(const char *k, const char *v, bool comma)
{
    printf("  ");
    json_str(stdout, k);
    printf(": ");
    if (v)
        json_str(stdout, v);
    else
        printf("null");
    printf("%s\n", comma ? "," : "");
}

int cmd_devices(int argc, char **argv)
{
    int rc = json_only_opts(argc, argv, "devices", false);
    if (rc)
        return rc < 0 ? 0 : rc;
    ferry_device_desc *list;
    size_t n;
    rc = ferry_devices(g.ctx, &list, &n);
    if (rc < 0) {
        cli_err("cannot list devices: %s", ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    if (g.json)
        printf("[");
    for (size_t i = 0; i < n; i++) {
        ferry_device_desc *d = &list[i];
        if (g.json) {
            printf("%s\n  {\"bus\": %u, \"address\": %u, \"port\": ", i ? "," : "", d->bus, d->address);
            json_str(stdout, d->port_path);
            printf(", \"vid\": \"%04x\", \"pid\": \"%04x\", \"manufacturer\": ", d->vid, d->pid);
            d->manufacturer ? json_str(stdout, d->manufacturer) : (void)printf("null");
            printf(", \"product\": ");
            d->product ? json_str(stdout, d->product) : (void)printf("null");
            printf(", \"serial\": ");
            d->serial ? json_str(stdout, d->serial) : (void)printf("null");
            printf(", \"known\": %s, \"quirks\": %" PRIu32 "}", d->known ? "true" : "false", d->quirks);
        } else {
            printf("%u:%-3u %04x:%04x  %-14s %s%s%s\n", d->bus, d->address, d->vid, d->pid,
                   d->serial ? d->serial : "-", d->manufacturer ? d->manufacturer : "",
                   d->manufacturer ? " " : "", d->product ? d->product : "");
        }
    }
    if (g.json)
        printf("%s]\n", n ? "\n" : "");
    else if (!n && !g.quiet)
        fprintf(stderr, "%s: no MTP/PTP device is connected\n", g.prog);
    ferry_devices_free(list, n);
    return 0;
}

int cmd_info(int argc, char **argv)
{
    int rc = json_only_opts(argc, argv, "info", true);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_op c = {0};
    ferry_op_cbs cbs = cli_cbs(&c);
    rc = ferry_dev_info(g.dev, &cbs, &c.op);
    if (rc == 0)
        rc = cli_wait(&c);
    if (rc < 0 || !c.have_first) {
        cli_err("info: %s", ferry_strerror(rc ? rc : FERRY_EPROTO));
        cli_op_release(&c);
        return cli_exit_code(rc ? rc : FERRY_EPROTO);
    }
    const ferry_device_info *d = &c.first.u.device;
    if (g.json) {
        printf("{\n");
        json_kv_str("manufacturer", d->manufacturer, true);
        json_kv_str("model", d->model, true);
        json_kv_str("version", d->version, true);
        json_kv_str("serial", d->serial, true);
        json_kv_str("friendly_name", d->friendly_name, true);
        json_kv_str("extensions", d->extensions, true);
        printf("  \"battery\": %d,\n  \"proplist\": %s,\n  \"partial64\": %s,\n  \"edit\": %s,\n"
               "  \"rename\": %s,\n  \"quirks\": %" PRIu32 "\n}\n",
               d->battery, d->has_proplist ? "true" : "false", d->has_partial64 ? "true" : "false",
               d->has_edit ? "true" : "false", d->can_rename ? "true" : "false", d->quirks);
    } else {
        printf("Manufacturer:  %s\n", d->manufacturer ? d->manufacturer : "-");
        printf("Model:         %s\n", d->model ? d->model : "-");
        printf("Version:       %s\n", d->version ? d->version : "-");
        printf("Serial:        %s\n", d->serial ? d->serial : "-");
        printf("Name:          %s\n", d->friendly_name ? d->friendly_name : "-");
        if (d->battery >= 0)
            printf("Battery:       %d%%\n", d->battery);
        else
            printf("Battery:       -\n");
        printf("Extensions:    %s\n", d->extensions ? d->extensions : "-");
        printf("Abilities:     %s%s%s%s\n", d->has_proplist ? "fast-listing " : "",
               d->has_partial64 ? "partial-reads " : "", d->has_edit ? "resumable-uploads " : "",
               d->can_rename ? "rename" : "");
        if (d->quirks)
            printf("Quirks:        0x%08" PRIx32 " (libmtp device database)\n", d->quirks);
    }
    cli_op_release(&c);
    return 0;
}

int cmd_df(int argc, char **argv)
{
    int rc = json_only_opts(argc, argv, "df", true);
    if (rc)
        return rc < 0 ? 0 : rc;
    ferry_storage *st;
    size_t n;
    rc = cli_storages(&st, &n);
    if (rc < 0) {
        cli_err("df: %s", ferry_strerror(rc));
        return cli_exit_code(rc);
    }
    if (g.json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            printf("%s\n  {\"id\": %" PRIu32 ", \"name\": ", i ? "," : "", st[i].id);
            json_str(stdout, st[i].description);
            printf(", \"volume\": ");
            json_str(stdout, st[i].volume ? st[i].volume : "");
            printf(", \"capacity\": %" PRIu64 ", \"free\": %" PRIu64 ", \"read_only\": %s}", st[i].capacity,
                   st[i].free, st[i].read_only ? "true" : "false");
        }
        printf("%s]\n", n ? "\n" : "");
    } else {
        printf("%-24s %10s %10s %10s %5s\n", "Storage", "Size", "Used", "Free", "Use%");
        for (size_t i = 0; i < n; i++) {
            char a[32], b[32], c[32];
            uint64_t used = st[i].capacity > st[i].free ? st[i].capacity - st[i].free : 0;
            fmt_size(st[i].capacity, a, sizeof(a));
            fmt_size(used, b, sizeof(b));
            fmt_size(st[i].free, c, sizeof(c));
            int pct = st[i].capacity ? (int)(100.0 * (double)used / (double)st[i].capacity + 0.5) : 0;
            char *name = escaped(st[i].description);
            printf("%-24s %10s %10s %10s %4d%%%s\n", name ? name : "?", a, b, c, pct,
                   st[i].read_only ? "  (read-only)" : "");
            free(name);
        }
    }
    cli_storages_free(st, n);
    return 0;
}
