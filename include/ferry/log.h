/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/log.h
 * @brief Logging through a callback the application sets.
 *
 * The library never prints. Every message goes to the callback set in
 * ferry_ctx_opts (or with ferry_ctx_set_log()); without one, messages are
 * dropped.
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <ferry/common.h>

FERRY_BEGIN_DECLS

/** Message levels, most important first. @since 0.1 */
typedef enum ferry_log_level {
    FERRY_LOG_ERROR = 0, /**< something failed */
    FERRY_LOG_WARN = 1,  /**< unexpected, handled (a device quirk, a retry) */
    FERRY_LOG_INFO = 2,  /**< life cycle: device opened, session, recovery */
    FERRY_LOG_DEBUG = 3, /**< each transaction */
    FERRY_LOG_TRACE = 4, /**< each transfer */
} ferry_log_level;

/**
 * A log callback. It may be called from any thread ferry runs (the
 * caller's, the I/O thread, a device's link thread), possibly from
 * several at once, and must not call back into ferry.
 *
 * @param level the message's level
 * @param msg   one line without a trailing newline; valid during the call
 * @param user  the pointer given with the callback
 * @since 0.1
 */
typedef void (*ferry_log_fn)(ferry_log_level level, const char *msg, void *user);

/**
 * The name of a level ("error", "warn", "info", "debug", "trace").
 * @return a static string.
 * @since 0.1
 */
FERRY_API const char *ferry_log_level_name(ferry_log_level level);

FERRY_END_DECLS

#endif
