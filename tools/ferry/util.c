/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths, names, formatting and the progress display of the tool. */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

char *remote_abs(const char *p)
{
    if (p[0] == '/')
        return strdup(p);
    char *s = NULL;
    return asprintf(&s, "/%s", p) < 0 ? NULL : s;
}

char *rpath_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    char *s = NULL;
    if (asprintf(&s, "%.*s%s%s", (int)dl, dir, (dl == 1 && dir[0] == '/') ? "" : "/", name) < 0)
        return NULL;
    return s;
}

const char *path_base(const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    const char *end = p + n;
    const char *s = end;
    while (s > p && s[-1] != '/')
        s--;
    return s;
}

char *path_dirname(const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    while (n > 0 && p[n - 1] != '/')
        n--;
    while (n > 1 && p[n - 1] == '/')
        n--;
    if (n == 0)
        return strdup(".");
    return strndup(p, n);
}

static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n;
        if (c < 0x80) {
            s++;
            continue;
        }
        if ((c & 0xE0) == 0xC0 && c >= 0xC2)
            n = 1;
        else if ((c & 0xF0) == 0xE0)
            n = 2;
        else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
            n = 3;
        else
            return false;
        for (unsigned i = 1; i <= n; i++)
            if ((s[i] & 0xC0) != 0x80)
                return false;
        s += n + 1;
    }
    return true;
}

bool local_name_ok(const char *name, const char **why)
{
    if (!*name) {
        *why = "empty name";
        return false;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        *why = "name would leave the target folder";
        return false;
    }
    if (strchr(name, '/')) {
        *why = "name contains '/'";
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) {
            *why = "name contains control characters";
            return false;
        }
    }
    if (strlen(name) > NAME_MAX) {
        *why = "name too long for the local file system";
        return false;
    }
    if (!valid_utf8((const unsigned char *)name)) {
        *why = "name is not valid UTF-8";
        return false;
    }
    return true;
}

char *escaped(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F || *p == '\\') {
            if (*p == '\\') {
                out[o++] = '\\';
                out[o++] = '\\';
            } else {
                o += (size_t)sprintf(out + o, "\\x%02x", *p);
            }
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = 0;
    return out;
}

void put_escaped(FILE *f, const char *s)
{
    char *e = escaped(s);
    fputs(e ? e : "?", f);
    free(e);
}

void fmt_size(uint64_t n, char *buf, size_t len)
{
    static const char *u[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)n;
    int i = 0;
    while (v >= 1000.0 && i < 4) {
        v /= 1000.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%" PRIu64 " B", n);
    else
        snprintf(buf, len, "%.1f %s", v, u[i]);
}

void fmt_time(int64_t t, char *buf, size_t len)
{
    if (t < 0) {
        snprintf(buf, len, "%-16s", "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20 || *p == 0x7F)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* ------------------------------------------------------------------ */
/* Progress: a bar for the file and one for the whole job, on stderr     */

static struct {
    bool active;
    int lines;           /* lines drawn last time */
    uint64_t job_files, job_bytes;
    uint64_t files_done, bytes_done;
    char name[256];
    uint64_t file_done, file_total;
    struct timespec t0;
    uint64_t rate_bytes;
    double rate;         /* bytes per second, smoothed */
    double last_t;
    uint64_t last_bytes;
} P;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_begin_job(uint64_t files, uint64_t bytes)
{
    memset(&P, 0, sizeof(P));
    P.job_files = files;
    P.job_bytes = bytes;
    P.active = g.progress;
    P.last_t = now_s();
}

void progress_job_add(uint64_t files, uint64_t bytes)
{
    P.job_files += files;
    P.job_bytes += bytes;
}

void progress_file(const char *name, uint64_t done, uint64_t total)
{
    if (name) {
        char *e = escaped(name);
        snprintf(P.name, sizeof(P.name), "%s", e ? e : "?");
        free(e);
    }
    P.file_done = done;
    P.file_total = total;
}

void progress_file_done(uint64_t bytes)
{
    P.files_done++;
    P.bytes_done += bytes;
    P.file_done = P.file_total = 0;
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 80;
}

static void bar(char *out, int width, double frac)
{
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int full = (int)(frac * width + 0.5);
    out[0] = '[';
    for (int i = 0; i < width; i++)
        out[1 + i] = i < full ? '#' : '-';
    out[width + 1] = ']';
    out[width + 2] = 0;
}

static void fmt_eta(double secs, char *buf, size_t len)
{
    if (secs < 0 || secs > 359999) {
        snprintf(buf, len, "--:--");
        return;
    }
    unsigned s = (unsigned)(secs + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%u:%02u", s / 60, s % 60);
}

void progress_clear(void)
{
    if (!P.lines)
        return;
    for (int i = 0; i < P.lines; i++)
        fputs(i ? "\033[A\r\033[K" : "\r\033[K", stderr);
    P.lines = 0;
    fflush(stderr);
}

void cli_progress_tick(void)
{
    if (!P.active)
        return;
    double t = now_s();
    uint64_t moved = P.bytes_done + P.file_done;
    if (t - P.last_t >= 0.25) {
        double inst = (double)(moved - P.last_bytes) / (t - P.last_t);
        P.rate = P.rate > 0 ? 0.7 * P.rate + 0.3 * inst : inst;
        P.last_t = t;
        P.last_bytes = moved;
    }
    int w = term_width();
    int bw = w - 52;
    if (bw < 10)
        bw = 10;
    if (bw > 40)
        bw = 40;
    char b1[64], b2[64], s1[32], s2[32], s3[32], rate[32], eta[32];
    progress_clear();
    /* the file */
    bar(b1, bw, P.file_total ? (double)P.file_done / (double)P.file_total : 0);
    fmt_size(P.file_done, s1, sizeof(s1));
    fmt_size(P.file_total, s2, sizeof(s2));
    int nl = w - bw - 30;
    if (nl < 8)
        nl = 8;
    char name[300];
    size_t len = strlen(P.name);
    if ((int)len > nl)
        snprintf(name, sizeof(name), "...%s", P.name + len - (size_t)(nl - 3));
    else
        snprintf(name, sizeof(name), "%s", P.name);
    fprintf(stderr, "%-*.*s %s %3d%%\n", nl, nl, name, b1,
            P.file_total ? (int)(100.0 * (double)P.file_done / (double)P.file_total) : 0);
    /* the job */
    double frac = P.job_bytes ? (double)moved / (double)P.job_bytes : 0;
    bar(b2, bw, frac);
    fmt_size(moved, s1, sizeof(s1));
    fmt_size(P.job_bytes, s3, sizeof(s3));
    fmt_size((uint64_t)P.rate, rate, sizeof(rate));
    fmt_eta(P.rate > 1 && P.job_bytes > moved ? (double)(P.job_bytes - moved) / P.rate : -1, eta, sizeof(eta));
    fprintf(stderr, "%" PRIu64 "/%" PRIu64 " files %s %3d%%  %s/%s  %s/s  ETA %s", P.files_done, P.job_files, b2,
            (int)(frac * 100), s1, s3, rate, eta);
    fflush(stderr);
    P.lines = 2;
}

void progress_end(void)
{
    progress_clear();
    P.active = false;
}
