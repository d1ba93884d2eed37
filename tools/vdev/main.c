/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ferry-vdev: runs a command against virtual MTP devices.
 *
 *   ferry-vdev --storage "NAME=DIR" [...] -- COMMAND [ARGS...]
 *
 * The command runs with umockdev's preload, so every USB client in it
 * (libusb, libmtp, android-file-transfer, ferry) sees the virtual devices
 * as real ones. ferry-vdev exits with the command's status.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <umockdev.h>

#include "store.h"
#include "usb_mtp.h"

#define MAX_DEVICES 16
#define MAX_FAULTS 16

typedef struct storage_opt {
    char *name;
    char *dir;
    uint64_t capacity;
    bool ro;
} storage_opt;

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
    if (child_pid > 0)
        kill((pid_t)child_pid, sig);
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: ferry-vdev [OPTION...] -- COMMAND [ARG...]\n"
            "Run COMMAND against virtual MTP devices on an emulated USB bus.\n"
            "\n"
            "The devices are real to any USB program run by COMMAND (libusb, libmtp,\n"
            "android-file-transfer, ferry): ferry-vdev answers their usbdevfs ioctls\n"
            "through umockdev. It exits with COMMAND's exit status (128+N if COMMAND\n"
            "was killed by signal N).\n"
            "\n"
            "Options:\n"
            "  -s, --storage NAME=DIR[,capacity=SIZE][,ro]\n"
            "                        a storage named NAME backed by directory DIR (made\n"
            "                        if missing); SIZE limits it (k, M, G suffixes) so it\n"
            "                        can fill up; ro makes it read-only. Repeatable; the\n"
            "                        default is one storage \"Internal storage\" in a\n"
            "                        temporary directory.\n"
            "  -p, --persona NAME    how the device behaves after a cancel (see below);\n"
            "                        default: compliant\n"
            "  -l, --link MODEL      usb2 (default), usb3 or none (unpaced)\n"
            "      --int-interval B  bInterval of the interrupt (event) endpoint, 1-16:\n"
            "                        one event per 2^(B-1) x 125 us on a paced link\n"
            "                        (default 6, 4 ms; 9 on usb3)\n"
            "  -f, --fault SPEC      inject a fault (see below); repeatable\n"
            "  -S, --stats FILE      write counters as JSON to FILE on exit\n"
            "  -t, --trace FILE      log every transaction and class request to FILE\n"
            "                        (- for standard error)\n"
            "  -n, --devices N       present N devices (1-%d); with N > 1 device K keeps\n"
            "                        its storages in DIR/device<K>\n"
            "      --hostile-names   also present a folder \"hostile\" whose objects have\n"
            "                        names a careful client must refuse or escape\n"
            "      --serial TEXT     serial number of the first device (default FERRY0001)\n"
            "      --no-udev-props   leave ID_MTP_DEVICE and ID_MEDIA_PLAYER out of the\n"
            "                        device's udev properties (for udevadm test with\n"
            "                        libmtp's rules, whose mtp-probe then finds it)\n"
            "  -q, --quiet           no notices on standard error\n"
            "  -h, --help            show this help\n"
            "  -V, --version         show the version\n"
            "\n"
            "Links (LAB.md): usb2 paces bulk data like USB 2.0 high speed (512-byte\n"
            "packets, 13 per 125 us microframe: 53.248 MB/s of payload), and a transfer\n"
            "on an idle link waits for the next microframe; usb3 uses 1024-byte packets\n"
            "at 400 MB/s; none completes transfers as soon as the data is there.\n"
            "\n"
            "Personas:\n",
            MAX_DEVICES);
    vd_persona_help(out);
    fprintf(out, "\nFaults: KIND[@TRIGGER], TRIGGER one of op=NAME[#N] (the Nth time the\n"
                 "operation NAME runs, default the first), byte=N[k|M] (once N bulk bytes\n"
                 "moved), ms=N (N ms after the first command). Without a trigger: the first\n"
                 "command. noanswer, short, malformed and busy that fire during a data\n"
                 "phase hit the next command. Each fault fires once.\n");
    vd_fault_help(out);
    fprintf(out, "\nThe command's environment gets FERRY_VDEV_CTL, a FIFO that takes\n"
                 "commands, one a line: \"unplug [K]\" (device K, default 1) and\n"
                 "\"event CODE PARAM\" (queue an event container on device 1).\n"
                 "\nSee ferry-vdev(1) for the personas, the faults and the --stats fields.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    switch (*end) {
    case 0:
        break;
    case 'k': case 'K': v <<= 10; end++; break;
    case 'M': v <<= 20; end++; break;
    case 'G': v <<= 30; end++; break;
    default: return -1;
    }
    if (*end)
        return -1;
    *out = v;
    return 0;
}

static int parse_storage(const char *arg, storage_opt *so)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return -1;
    memset(so, 0, sizeof(*so));
    so->name = strndup(arg, (size_t)(eq - arg));
    char *rest = strdup(eq + 1);
    if (!so->name || !rest)
        return -1;
    /* options after the last comma that look like key=value or ro */
    for (;;) {
        char *comma = strrchr(rest, ',');
        if (!comma)
            break;
        char *opt = comma + 1;
        if (strcmp(opt, "ro") == 0) {
            so->ro = true;
        } else if (strncmp(opt, "capacity=", 9) == 0) {
            if (parse_size(opt + 9, &so->capacity) < 0) {
                free(rest);
                return -1;
            }
        } else {
            break; /* a comma in the directory name */
        }
        *comma = 0;
    }
    so->dir = rest;
    return 0;
}

typedef struct ctl_ctx {
    char path[PATH_MAX];
    vd_mtp **devs;
    int ndev;
    volatile bool stop;
} ctl_ctx;

static void *ctl_main(void *arg)
{
    ctl_ctx *c = arg;
    while (!c->stop) {
        FILE *f = fopen(c->path, "r");
        if (!f)
            break;
        char line[256];
        while (fgets(line, sizeof(line), f)) {
            int k = 1;
            unsigned code, param;
            if (strncmp(line, "unplug", 6) == 0) {
                sscanf(line + 6, "%d", &k);
                if (k >= 1 && k <= c->ndev)
                    vd_mtp_unplug(c->devs[k - 1]);
            } else if (sscanf(line, "event %i %i", &code, &param) == 2) {
                vd_mtp_event(c->devs[0], (uint16_t)code, param);
            } else if (strncmp(line, "quit", 4) == 0) {
                c->stop = true;
            }
        }
        fclose(f);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'}, {"persona", required_argument, NULL, 'p'},
        {"link", required_argument, NULL, 'l'},    {"fault", required_argument, NULL, 'f'},
        {"stats", required_argument, NULL, 'S'},   {"devices", required_argument, NULL, 'n'},
        {"hostile-names", no_argument, NULL, 'H'}, {"serial", required_argument, NULL, 'N'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"trace", required_argument, NULL, 't'},   {"no-udev-props", no_argument, NULL, 'U'},
        {"version", no_argument, NULL, 'V'},       {"int-interval", required_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    storage_opt storages[VD_MAX_STORAGES];
    int nstorages = 0;
    const vd_persona *persona = vd_persona_find("compliant");
    enum vd_link link = VD_LINK_USB2;
    vd_fault faults[MAX_FAULTS];
    int nfaults = 0;
    const char *stats_path = NULL;
    const char *trace_path = NULL;
    FILE *trace = NULL;
    const char *serial = "FERRY0001";
    int ndev = 1;
    int int_interval = 0;
    bool hostile = false, quiet = false, udev_props = true;
    int opt;
    char err[256];

    while ((opt = getopt_long(argc, argv, "+s:p:l:f:S:t:n:qhV", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            if (nstorages == VD_MAX_STORAGES || parse_storage(optarg, &storages[nstorages]) < 0) {
                fprintf(stderr, "ferry-vdev: bad --storage '%s' (NAME=DIR[,capacity=SIZE][,ro])\n", optarg);
                return 2;
            }
            nstorages++;
            break;
        case 'p':
            persona = vd_persona_find(optarg);
            if (!persona) {
                fprintf(stderr, "ferry-vdev: unknown persona '%s'; known ones:\n", optarg);
                vd_persona_help(stderr);
                return 2;
            }
            break;
        case 'l':
            if (strcmp(optarg, "usb2") == 0)
                link = VD_LINK_USB2;
            else if (strcmp(optarg, "usb3") == 0)
                link = VD_LINK_USB3;
            else if (strcmp(optarg, "none") == 0)
                link = VD_LINK_NONE;
            else {
                fprintf(stderr, "ferry-vdev: unknown link '%s' (usb2, usb3, none)\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (nfaults == MAX_FAULTS || vd_fault_parse(optarg, &faults[nfaults], err, sizeof(err)) < 0) {
                fprintf(stderr, "ferry-vdev: --fault: %s\n", nfaults == MAX_FAULTS ? "too many" : err);
                return 2;
            }
            nfaults++;
            break;
        case 'S':
            stats_path = optarg;
            break;
        case 't':
            trace_path = optarg;
            break;
        case 'n':
            ndev = atoi(optarg);
            if (ndev < 1 || ndev > MAX_DEVICES) {
                fprintf(stderr, "ferry-vdev: --devices takes 1 to %d\n", MAX_DEVICES);
                return 2;
            }
            break;
        case 'I':
            int_interval = atoi(optarg);
            if (int_interval < 1 || int_interval > 16) {
                fprintf(stderr, "ferry-vdev: --int-interval takes a bInterval of 1 to 16\n");
                return 2;
            }
            break;
        case 'H':
            hostile = true;
            break;
        case 'U':
            udev_props = false;
            break;
        case 'N':
            serial = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ferry-vdev %s\n", PACKAGE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "ferry-vdev: no command given\n");
        usage(stderr);
        return 2;
    }

    if (trace_path) {
        trace = strcmp(trace_path, "-") == 0 ? stderr : fopen(trace_path, "w");
        if (!trace) {
            fprintf(stderr, "ferry-vdev: cannot write %s: %s\n", trace_path, strerror(errno));
            return 2;
        }
    }

    UMockdevTestbed *tb = umockdev_testbed_new();
    char *root = umockdev_testbed_get_root_dir(tb);
    char *tmpstore = NULL;
    if (nstorages == 0) {
        tmpstore = g_strdup_printf("%s/storage", root);
        storages[0].name = strdup("Internal storage");
        storages[0].dir = strdup(tmpstore);
        storages[0].capacity = 0;
        storages[0].ro = false;
        nstorages = 1;
    }

    vd_store stores[MAX_DEVICES];
    vd_mtp *devs[MAX_DEVICES] = {0};
    int rc = 0;
    for (int k = 0; k < ndev; k++)
        vd_store_init(&stores[k]);
    for (int k = 0; k < ndev; k++) {
        for (int i = 0; i < nstorages; i++) {
            char *dir = ndev > 1 ? g_strdup_printf("%s/device%d", storages[i].dir, k + 1) : g_strdup(storages[i].dir);
            int r = vd_store_add(&stores[k], storages[i].name, dir, storages[i].capacity, storages[i].ro);
            if (r < 0) {
                fprintf(stderr, "ferry-vdev: storage '%s' at %s: %s\n", storages[i].name, dir, strerror(-r));
                g_free(dir);
                rc = 1;
                goto out;
            }
            g_free(dir);
        }
        if (hostile && k == 0)
            vd_store_add_hostile(&stores[k]);
        char ser[64];
        if (k == 0)
            snprintf(ser, sizeof(ser), "%s", serial);
        else
            snprintf(ser, sizeof(ser), "FERRY%04d", k + 1);
        vd_usb_ident id = {
            .vid = persona->vid,
            .pid = persona->pid,
            .bcd_device = 0x0100,
            .manufacturer = persona->manufacturer,
            .product = persona->product,
            .serial = ser,
            .interface = "MTP",
            .if_class = 6,
            .if_subclass = 1,
            .if_protocol = 1,
            .ms_os_desc = true,
            .no_udev_props = !udev_props,
            .link = link,
            .int_interval = (uint8_t)int_interval,
            .busnum = 1,
            .devnum = k + 2,
        };
        devs[k] = vd_mtp_new(tb, &stores[k], persona, &id, faults, (size_t)nfaults);
        if (!devs[k]) {
            fprintf(stderr, "ferry-vdev: cannot create device %d\n", k + 1);
            rc = 1;
            goto out;
        }
        if (trace)
            vd_mtp_set_trace(devs[k], trace, k + 1);
        if (!quiet)
            fprintf(stderr, "ferry-vdev: device %d: %04x:%04x %s %s (%s, %s link) at %s\n", k + 1, persona->vid,
                    persona->pid, persona->manufacturer, persona->product, persona->name,
                    link == VD_LINK_USB2 ? "usb2" : link == VD_LINK_USB3 ? "usb3" : "unpaced",
                    vd_usb_devnode(vd_mtp_usb(devs[k])));
    }

    ctl_ctx ctl = {.devs = devs, .ndev = ndev};
    snprintf(ctl.path, sizeof(ctl.path), "%s/ctl", root);
    pthread_t ctl_thread;
    bool ctl_started = false;
    if (mkfifo(ctl.path, 0600) == 0 && pthread_create(&ctl_thread, NULL, ctl_main, &ctl) == 0)
        ctl_started = true;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    signal(SIGINT, SIG_IGN); /* the terminal sends it to the command itself */
    signal(SIGTERM, forward_signal);
    signal(SIGHUP, forward_signal);
    signal(SIGQUIT, forward_signal);

    pid_t pid = fork();
    if (pid < 0) {
        perror("ferry-vdev: fork");
        rc = 1;
        goto out;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        /* pitfall 2: the preload sleeps usleep(0) after each ioctl */
        prctl(PR_SET_TIMERSLACK, 1UL);
        const char *old = getenv("LD_PRELOAD");
        char *pre = old && *old ? g_strdup_printf("%s:%s", UMOCKDEV_PRELOAD, old) : g_strdup(UMOCKDEV_PRELOAD);
        setenv("LD_PRELOAD", pre, 1);
        const char *asan = getenv("ASAN_OPTIONS");
        char *asan2 = asan && *asan ? g_strdup_printf("%s:verify_asan_link_order=0", asan)
                                    : g_strdup("verify_asan_link_order=0");
        setenv("ASAN_OPTIONS", asan2, 1);
        if (ctl_started)
            setenv("FERRY_VDEV_CTL", ctl.path, 1);
        setenv("FERRY_VDEV", "1", 1);
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "ferry-vdev: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    child_pid = 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (WIFEXITED(status))
        rc = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        rc = 128 + WTERMSIG(status);
    else
        rc = 1;

    if (ctl_started) {
        ctl.stop = true;
        FILE *f = fopen(ctl.path, "w");
        if (f) {
            fputs("quit\n", f);
            fclose(f);
        }
        pthread_join(ctl_thread, NULL);
    }

    if (stats_path) {
        FILE *f = fopen(stats_path, "w");
        if (!f) {
            fprintf(stderr, "ferry-vdev: cannot write %s: %s\n", stats_path, strerror(errno));
        } else {
            double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
            fprintf(f, "{\n  \"elapsed_ms\": %.3f,\n  \"link\": \"%s\",\n  \"exit_status\": %d,\n  \"devices\": [\n",
                    ms, link == VD_LINK_USB2 ? "usb2" : link == VD_LINK_USB3 ? "usb3" : "none", rc);
            for (int k = 0; k < ndev; k++) {
                fprintf(f, "    {\n");
                vd_mtp_stats_json(devs[k], f, "      ");
                fprintf(f, "    }%s\n", k + 1 < ndev ? "," : "");
            }
            fprintf(f, "  ]\n}\n");
            fclose(f);
        }
    }

out:
    for (int k = 0; k < ndev; k++) {
        if (devs[k])
            vd_mtp_free(devs[k]);
    }
    for (int k = 0; k < ndev; k++)
        vd_store_free(&stores[k]);
    for (int i = 0; i < nstorages; i++) {
        free(storages[i].name);
        free(storages[i].dir);
    }
    if (trace && trace != stderr)
        fclose(trace);
    g_free(tmpstore);
    g_free(root);
    g_object_unref(tb);
    return rc;
}
