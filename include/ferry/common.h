/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/common.h
 * @brief Export macro, version and the small types every ferry header uses.
 */
#ifndef FERRY_COMMON_H
#define FERRY_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(FERRY_BUILDING_LIBRARY) && defined(__GNUC__)
#define FERRY_API __attribute__((visibility("default")))
#else
#define FERRY_API
#endif

#if defined(__GNUC__)
#define FERRY_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define FERRY_WARN_UNUSED
#endif

#ifdef __cplusplus
#define FERRY_BEGIN_DECLS extern "C" {
#define FERRY_END_DECLS }
#else
#define FERRY_BEGIN_DECLS
#define FERRY_END_DECLS
#endif

/** Major version of the library API. @since 0.1 */
#define FERRY_VERSION_MAJOR 0
/** Minor version of the library API. @since 0.1 */
#define FERRY_VERSION_MINOR 1

FERRY_BEGIN_DECLS

/**
 * Version of the library that is running, as "MAJOR.MINOR.PATCH".
 * @return a static string; never NULL.
 * @since 0.1
 */
FERRY_API const char *ferry_version(void);

FERRY_END_DECLS

#endif
