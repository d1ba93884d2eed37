/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static atomic_long fail_countdown = -1;
static atomic_int fail_happened;
static atomic_ulong alloc_count;

static int should_fail(void)
{
    atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed);
    if (atomic_load_explicit(&fail_countdown, memory_order_relaxed) < 0)
        return 0;
    long prev = atomic_fetch_sub(&fail_countdown, 1);
    if (prev == 0) {
        atomic_store(&fail_happened, 1);
        atomic_store(&fail_countdown, -1);
        return 1;
    }
    if (prev < 0) /* another thread switched it off meanwhile */
        atomic_store(&fail_countdown, -1);
    return 0;
}

void *fy_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *fy_calloc(size_t nmemb, size_t size)
{
    if (should_fail())
        return NULL;
    if (nmemb == 0 || size == 0)
        nmemb = size = 1;
    return calloc(nmemb, size);
}

void *fy_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *fy_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = fy_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *fy_strdup(const char *s)
{
    return fy_strndup(s, strlen(s));
}

void fy_free(void *p)
{
    free(p);
}

int fy_mem_fail_after(long n)
{
    int happened = atomic_exchange(&fail_happened, 0);
    atomic_store(&fail_countdown, n < 0 ? -1 : n);
    return happened;
}

unsigned long fy_mem_count(void)
{
    return atomic_load(&alloc_count);
}
