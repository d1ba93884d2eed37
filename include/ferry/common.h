/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/common.h
 * @brief Export macro, version and the small types every ferry header uses.
 */
#ifndef FERRY_COMMON_H
#define FERRY_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * Marks a public function: exported from libferry (default visibility)
 * while the library is built, empty for the code that uses it.
 * @since 0.1
 */
#if defined(FERRY_BUILDING_LIBRARY) && defined(__GNUC__)
#define FERRY_API __attribute__((visibility("default")))
#else
#define FERRY_API
#endif

/**
 * Makes the compiler warn when the result of a function is ignored
 * (GCC and Clang; empty elsewhere).
 * @since 0.1
 */
#if defined(__GNUC__)
#define FERRY_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define FERRY_WARN_UNUSED
#endif

#ifdef __cplusplus
/** Opens the declarations of a header: `extern "C" {` in C++. @since 0.1 */
#define FERRY_BEGIN_DECLS extern "C" {
/** Closes what FERRY_BEGIN_DECLS opened. @since 0.1 */
#define FERRY_END_DECLS }
#else
/** Opens the declarations of a header: `extern "C" {` in C++. @since 0.1 */
#define FERRY_BEGIN_DECLS
/** Closes what FERRY_BEGIN_DECLS opened. @since 0.1 */
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
