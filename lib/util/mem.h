/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Allocation wrappers used by all of ferry's own code.
 *
 * They behave like the libc functions. A test-only countdown makes the Nth
 * allocation from now fail, so tests can prove that every path that
 * allocates returns FERRY_ENOMEM and leaks nothing (libuv test-loop-oom.c,
 * curl runtests -t do the same). The countdown is a single atomic integer,
 * off (negative) unless a test sets it; the cost on the normal path is one
 * relaxed atomic load. It is not exported from the shared library.
 */
#ifndef FERRY_UTIL_MEM_H
#define FERRY_UTIL_MEM_H

#include <stddef.h>

void *fy_malloc(size_t n);
void *fy_calloc(size_t nmemb, size_t size);
void *fy_realloc(void *p, size_t n);
char *fy_strdup(const char *s);
char *fy_strndup(const char *s, size_t n);
void fy_free(void *p);

/* Test hook: the allocation after `n` more successful ones fails; every
 * later one succeeds again. n < 0 switches injection off. Returns how
 * many allocations failed since the last call (0 or 1). */
int fy_mem_fail_after(long n);
/* Number of allocations made since the process started (for tests that
 * walk the countdown over every allocation of a path). */
unsigned long fy_mem_count(void);

#endif
