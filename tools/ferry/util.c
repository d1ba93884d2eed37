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
#include <wchar.h>

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

/* Length of the valid UTF-8 sequence at s (1-4), 0 if it is not one
 * (stray continuation, overlong form, surrogate, over U+10FFFF, cut). */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        uint32_t cp;
        size_t n = utf8_seq(s, &cp);
        if (!n)
            return false;
        s += n;
    }
    return true;
}

static bool has_control(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return true;
    return false;
}

bool local_name_ok(const char *name, const char **why)
{
    static const char part[] = ".ferry-part";
    size_t len = strlen(name);
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
    if (has_control(name)) {
        *why = "name contains control characters";
        return false;
    }
    if (len > NAME_MAX) {
        *why = "name too long for the local file system";
        return false;
    }
    if (!valid_utf8((const unsigned char *)name)) {
        *why = "name is not valid UTF-8";
        return false;
    }
    /* ".x.ferry-part" is where the download of "x" is written: an object
     * of that name would be taken for a stale part file and removed */
    if (name[0] == '.' && len > sizeof(part) && strcmp(name + len - (sizeof(part) - 1), part) == 0) {
        *why = "name is reserved for ferry's temporary files";
        return false;
    }
    return true;
}

const char *device_name_why(const char *name, int err)
{
    if (err == FERRY_ENAMETOOLONG)
        return "the device cannot store this name (longer than 254 UTF-16 units)";
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return "the device cannot store this name";
    if (has_control(name))
        return "the device cannot store this name (it contains control characters)";
    if (!valid_utf8((const unsigned char *)name))
        return "the device cannot store this name (it is not valid UTF-8)";
    return "the device cannot store this name";
}

char *escaped(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            /* control characters (C0, DEL, C1: a terminal would obey
             * them) and bytes that are not UTF-8 */
            size_t m = k ? k : 1;
            for (size_t i = 0; i < m; i++)
                o += (size_t)sprintf(out + o, "\\x%02x", p[i]);
            p += m;
        } else if (cp == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            p++;
        } else {
            memcpy(out + o, p, k);
            o += k;
            p += k;
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
/*
 *   DCIM/IMG_0001.jpg  [############------------]  48%  20.1 MB/41.9 MB
 *   2/4 files          [######------------------]  25%  41.9 MB/167.8 MB  53.2 MB/s  ETA 0:02
 *
 * Both lines are cut to the terminal's width, so they never wrap and the
 * next redraw can clear them.
 */

static struct {
    bool active;
    int lines;           /* lines drawn last time */
    uint64_t job_files, job_bytes;
    uint64_t files_done, bytes_done;
    char name[256];
    uint64_t file_done, file_total;
    const cli_op *watch; /* the operation whose progress the file line shows */
    bool file_counted;   /* the file line shows a finished file, counted in bytes_done */
    double rate;         /* bytes per second, smoothed */
    double t0;
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
    P.t0 = P.last_t = now_s();
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
    P.file_counted = false;
    P.watch = NULL;
}

void progress_watch(const cli_op *c)
{
    P.watch = c;
}

void progress_report(const cli_op *c, uint64_t done, uint64_t total)
{
    if (P.watch && P.watch != c)
        return;
    if (P.file_counted) {
        P.file_counted = false;
        P.file_total = 0;
    }
    P.file_done = done;
    if (total && total != UINT64_MAX)
        P.file_total = total;
}

void progress_forget(const cli_op *c)
{
    if (P.watch == c) {
        P.watch = NULL;
        P.file_done = P.file_total = 0;
        P.file_counted = false;
    }
}

void progress_file_done(uint64_t bytes)
{
    P.files_done++;
    P.bytes_done += bytes;
    /* The file line shows the file until the next one starts: a copied
     * one in full, a failed or skipped one (bytes 0) as far as it got. */
    if (bytes || !P.file_total)
        P.file_done = P.file_total = bytes;
    P.file_counted = true;
    P.watch = NULL;
}

static int term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* Columns of a UTF-8 string (escaped: no control characters); wide
 * characters count 2 where the locale knows them. */
static int cols_of(const unsigned char *s, size_t *bytes, int max)
{
    int cols = 0;
    size_t i = 0;
    while (s[i]) {
        uint32_t cp;
        size_t k = utf8_seq(s + i, &cp);
        if (!k)
            k = 1;
        int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
        if (w < 0)
            w = 1;
        if (cols + w > max)
            break;
        cols += w;
        i += k;
    }
    *bytes = i;
    return cols;
}

/* Writes s into a field of exactly width columns: padded, or cut with
 * "..." in front (the end of a path says most). */
static void put_field(FILE *f, const char *s, int width)
{
    size_t all;
    int c = cols_of((const unsigned char *)s, &all, 1 << 20);
    if (c <= width) {
        fprintf(f, "%s%*s", s, width - c, "");
        return;
    }
    if (width < 4) {
        fprintf(f, "%*s", width, "");
        return;
    }
    /* skip from the front until the rest fits in width - 3 */
    const unsigned char *p = (const unsigned char *)s;
    size_t n;
    while (*p && (c = cols_of(p, &n, 1 << 20)) > width - 3) {
        uint32_t cp;
        size_t k = utf8_seq(p, &cp);
        p += k ? k : 1;
    }
    fprintf(f, "...%s%*s", (const char *)p, width - 3 - c, "");
}

static void bar(char *out, int width, double frac)
{
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int full = (int)(frac * width);
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

/* The control sequence that erases the progress lines (0, 1 or 2). */
static const char *clear_seq(void)
{
    return P.lines >= 2 ? "\r\033[K\033[A\r\033[K" : P.lines == 1 ? "\r\033[K" : "";
}

void progress_clear(void)
{
    if (!P.lines)
        return;
    fputs(clear_seq(), stderr); /* one write: no half-erased screen */
    P.lines = 0;
    fflush(stderr);
}

static int percent(uint64_t done, uint64_t total)
{
    if (!total)
        return 0;
    if (done >= total)
        return 100;
    return (int)(100.0 * (double)done / (double)total);
}

void cli_progress_tick(void)
{
    if (!P.active)
        return;
    double t = now_s();
    uint64_t moved = P.bytes_done + (P.file_counted ? 0 : P.file_done);
    if (t - P.last_t >= 0.5) {
        double inst = moved >= P.last_bytes ? (double)(moved - P.last_bytes) / (t - P.last_t) : 0;
        P.rate = P.rate > 0 ? 0.6 * P.rate + 0.4 * inst : inst;
        P.last_t = t;
        P.last_bytes = moved;
    }
    /* until the first sample: the average since the start */
    double rate_now = P.rate > 0 ? P.rate : t - P.t0 > 0.1 ? (double)moved / (t - P.t0) : 0;
    /* never the last columns: the line must not wrap, not even when the
     * terminal echoes "^C" after it, or the next clear misses a line */
    int w = term_width() - 3;
    char s1[32], s2[32], s3[32], s4[32], rate[32], eta[32];
    fmt_size(P.file_done, s1, sizeof(s1));
    fmt_size(P.file_total, s2, sizeof(s2));
    fmt_size(moved, s3, sizeof(s3));
    fmt_size(P.job_bytes, s4, sizeof(s4));
    fmt_size((uint64_t)rate_now, rate, sizeof(rate));
    fmt_eta(rate_now > 1 && P.job_bytes > moved ? (double)(P.job_bytes - moved) / rate_now : -1, eta, sizeof(eta));
    bool empty_done = P.file_counted && !P.file_total; /* an empty file, copied */
    int fpct = empty_done ? 100 : percent(P.file_done, P.file_total), jpct = percent(moved, P.job_bytes);
    char fsuf[128], jsuf[256], jpre[64];
    snprintf(fsuf, sizeof(fsuf), " %3d%%  %s/%s", fpct, s1, s2);
    snprintf(jsuf, sizeof(jsuf), " %3d%%  %s/%s  %s/s  ETA %s", jpct, s3, s4, rate, eta);
    snprintf(jpre, sizeof(jpre), "%" PRIu64 "/%" PRIu64 " files", P.files_done, P.job_files);
    int left = w / 4;
    if (left > 32)
        left = 32;
    if (left < (int)strlen(jpre))
        left = (int)strlen(jpre);
    int suf = (int)(strlen(jsuf) > strlen(fsuf) ? strlen(jsuf) : strlen(fsuf));
    int bw = w - left - 1 - 2 - suf;
    if (bw > 40)
        bw = 40;
    if (bw < 5)
        bw = 5;
    /* a narrow terminal: the suffixes are cut at the edge */
    char b[48], line1[512], line2[512];
    FILE *mem = fmemopen(line1, sizeof(line1), "w");
    if (!mem)
        return;
    put_field(mem, P.name, left);
    bar(b, bw, empty_done ? 1 : P.file_total ? (double)P.file_done / (double)P.file_total : 0);
    fprintf(mem, " %s%s", b, fsuf);
    fclose(mem);
    mem = fmemopen(line2, sizeof(line2), "w");
    if (!mem)
        return;
    fprintf(mem, "%-*s", left, jpre);
    bar(b, bw, P.job_bytes ? (double)moved / (double)P.job_bytes : 0);
    fprintf(mem, " %s%s", b, jsuf);
    fclose(mem);
    size_t n1, n2;
    cols_of((const unsigned char *)line1, &n1, w);
    cols_of((const unsigned char *)line2, &n2, w);
    /* the old frame erased and the new one drawn in one write: a terminal
     * (or a screen capture) never sees the lines blank in between */
    char frame[1200];
    mem = fmemopen(frame, sizeof(frame), "w");
    if (!mem)
        return;
    fprintf(mem, "%s%.*s\n%.*s", clear_seq(), (int)n1, line1, (int)n2, line2);
    long n = ftell(mem);
    fclose(mem);
    fwrite(frame, 1, (size_t)n, stderr);
    fflush(stderr);
    P.lines = 2;
}

void progress_end(void)
{
    progress_clear();
    P.active = false;
    P.watch = NULL;
}
