/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal logging: formats a line and hands it to the application's
 * callback (ferry/log.h). Nothing is printed by the library itself. */
#ifndef FERRY_UTIL_LOG_H
#define FERRY_UTIL_LOG_H

#include <stdatomic.h>

#include <ferry/log.h>

typedef struct fy_logger {
    _Atomic(ferry_log_fn) fn;
    void *_Atomic user;
    atomic_int level;
} fy_logger;

void fy_logger_set(fy_logger *lg, ferry_log_level level, ferry_log_fn fn, void *user);
void fy_log(fy_logger *lg, ferry_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int fy_log_enabled(fy_logger *lg, ferry_log_level level)
{
    return lg && atomic_load_explicit(&lg->fn, memory_order_relaxed) &&
           (int)level <= atomic_load_explicit(&lg->level, memory_order_relaxed);
}

#define FY_LOG(lg, lvl, ...)                                                   \
    do {                                                                       \
        if (fy_log_enabled((lg), (lvl)))                                       \
            fy_log((lg), (lvl), __VA_ARGS__);                                  \
    } while (0)
#define FY_ERR(lg, ...) FY_LOG(lg, FERRY_LOG_ERROR, __VA_ARGS__)
#define FY_WARN(lg, ...) FY_LOG(lg, FERRY_LOG_WARN, __VA_ARGS__)
#define FY_INFO(lg, ...) FY_LOG(lg, FERRY_LOG_INFO, __VA_ARGS__)
#define FY_DEBUG(lg, ...) FY_LOG(lg, FERRY_LOG_DEBUG, __VA_ARGS__)
#define FY_TRACE(lg, ...) FY_LOG(lg, FERRY_LOG_TRACE, __VA_ARGS__)

#endif
