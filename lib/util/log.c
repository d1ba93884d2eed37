/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/log.h"

FERRY_API const char *ferry_log_level_name(ferry_log_level level)
{
    switch (level) {
    case FERRY_LOG_ERROR: return "error";
    case FERRY_LOG_WARN: return "warn";
    case FERRY_LOG_INFO: return "info";
    case FERRY_LOG_DEBUG: return "debug";
    case FERRY_LOG_TRACE: return "trace";
    }
    return "?";
}

void fy_logger_set(fy_logger *lg, ferry_log_level level, ferry_log_fn fn, void *user)
{
    atomic_store(&lg->fn, NULL);
    atomic_store(&lg->user, user);
    atomic_store(&lg->level, (int)level);
    atomic_store(&lg->fn, fn);
}

void fy_log(fy_logger *lg, ferry_log_level level, const char *fmt, ...)
{
    ferry_log_fn fn = atomic_load(&lg->fn);
    if (!fn || (int)level > atomic_load(&lg->level))
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fn(level, line, atomic_load(&lg->user));
}
