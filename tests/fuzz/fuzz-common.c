/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/mem.h"

_Noreturn void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    abort();
}

int fz_all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i])
            return 0;
    }
    return 1;
}

char *fz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FZ_CHECK(s != NULL);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* FNV-1a, to pick an allocation to fail from the input itself. */
static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

int fz_round_trip(const ct_codec *c, const uint8_t *data, size_t size)
{
    void *a = malloc(c->size), *b = malloc(c->size);
    FZ_CHECK(a && b);
    memset(a, 0xA5, c->size);

    unsigned long before = fy_mem_count();
    int rc = c->decode(data, size, a);
    unsigned long allocs = fy_mem_count() - before;
    if (rc != 0) {
        FZ_CHECK(rc == FERRY_EPROTO);
        FZ_CHECK(fz_all_zero(a, c->size));
        goto out;
    }

    fc_wr w1, w2;
    fc_wr_init(&w1);
    fc_wr_init(&w2);
    int erc = c->encode(a, &w1);
    if (erc == 0) {
        memset(b, 0xA5, c->size);
        FZ_CHECK(c->decode(w1.buf, w1.len, b) == 0);
        FZ_CHECK(c->equal(a, b));
        FZ_CHECK(c->encode(b, &w2) == 0);
        FZ_CHECK(w1.len == w2.len && memcmp(w1.buf, w2.buf, w1.len) == 0);
        c->free(b);
        FZ_CHECK(fz_all_zero(b, c->size));
    } else {
        FZ_CHECK(erc == FERRY_ENAMETOOLONG);
        FZ_CHECK(w1.len == 0 && w1.err == erc);
    }
    fc_wr_free(&w1);
    fc_wr_free(&w2);
    c->free(a);
    FZ_CHECK(fz_all_zero(a, c->size));

    if (allocs > 0) {
        long k = (long)(hash(data, size) % allocs);
        memset(a, 0xA5, c->size);
        fy_mem_fail_after(k);
        int frc = c->decode(data, size, a);
        int failed = fy_mem_fail_after(-1);
        FZ_CHECK(failed == 1);
        FZ_CHECK(frc == FERRY_ENOMEM);
        FZ_CHECK(fz_all_zero(a, c->size));
    }

out:
    free(a);
    free(b);
    return rc;
}
