/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/error.h
 * @brief The one list of library error codes.
 *
 * Every ferry call that can fail returns 0 (or a non-negative count) on
 * success and one of the negative FERRY_E* values below on failure.
 *
 * Response codes sent by the device (MTP/PTP 0x2xxx and 0xAxxx) are a
 * different space and are never returned in place of these: an operation
 * that the device refused fails with the mapped library error (for example
 * FERRY_ESTORAGE_FULL for StoreFull) and the raw response code is available
 * separately with ferry_op_response() (see ferry/op.h).
 */
#ifndef FERRY_ERROR_H
#define FERRY_ERROR_H

#include <ferry/common.h>

/**
 * X-macro with every error: X(NAME, value, message).
 * The values are stable ABI; new errors are appended.
 */
#define FERRY_ERRNO_MAP(X)                                                       \
    X(INVAL, -1, "invalid argument")                                             \
    X(NOMEM, -2, "out of memory")                                                \
    X(IO, -3, "USB input/output error")                                          \
    X(NODEV, -4, "device is gone (unplugged or powered off)")                    \
    X(NOENT, -5, "no such file or folder")                                       \
    X(BUSY, -6, "resource busy")                                                 \
    X(TIMEDOUT, -7, "timed out")                                                 \
    X(CANCELLED, -8, "operation cancelled")                                      \
    X(ALREADY_CANCELLED, -9, "operation was already cancelled")                  \
    X(ALREADY_FINISHED, -10, "operation had already finished")                   \
    X(PROTO, -11, "malformed data from the device")                              \
    X(DEVICE, -12, "the device refused the request")                             \
    X(NOTSUP, -13, "not supported by the device")                                \
    X(STORAGE_FULL, -14, "storage is full")                                      \
    X(ACCESS, -15, "permission denied")                                          \
    X(EXIST, -16, "file or folder already exists")                               \
    X(NOTDIR, -17, "not a folder")                                               \
    X(ISDIR, -18, "is a folder")                                                 \
    X(NOTEMPTY, -19, "folder is not empty")                                      \
    X(BADNAME, -20, "name cannot be stored on the device")                       \
    X(NAMETOOLONG, -21, "name too long")                                         \
    X(WEDGED, -22, "device stopped answering and could not be recovered")        \
    X(STATE, -23, "call not allowed in the current state")                       \
    X(CLOSED, -24, "handle is closed")                                           \
    X(DEVICE_BUSY, -25, "device is in use by another program")                   \
    X(OVERFLOW, -26, "value out of range")                                       \
    X(INTERNAL, -27, "internal error")                                           \
    X(NOSPC, -28, "no space left on the local disk")                             \
    X(LOCAL_IO, -29, "local file input/output error")                            \
    X(MISMATCH, -30, "data does not match (size or checksum)")                   \
    X(READONLY, -31, "storage or object is read-only")                           \
    X(END, -32, "no more results")

FERRY_BEGIN_DECLS

/** Library error codes; all negative. @since 0.1 */
typedef enum ferry_error {
    FERRY_OK = 0,
#define FERRY__ERR_ENUM(name, value, msg) FERRY_E##name = (value),
    FERRY_ERRNO_MAP(FERRY__ERR_ENUM)
#undef FERRY__ERR_ENUM
} ferry_error;

/**
 * A human readable description of an error code.
 * @param err a value returned by a ferry call (0 or negative).
 * @return a static string; "unknown error" for values not in the list.
 * @since 0.1
 */
FERRY_API const char *ferry_strerror(int err);

/**
 * The symbolic name of an error code, without the FERRY_E prefix
 * ("NOENT", "CANCELLED", ...).
 * @param err a value returned by a ferry call (0 gives "OK").
 * @return a static string; "UNKNOWN" for values not in the list.
 * @since 0.1
 */
FERRY_API const char *ferry_err_name(int err);

/**
 * The library error that a device response code maps to.
 * @param response an MTP/PTP response code (0x2001 ... 0xA80A).
 * @return 0 for OK (0x2001), otherwise a negative FERRY_E* value; codes
 *         without a specific meaning map to FERRY_EDEVICE.
 * @since 0.1
 */
FERRY_API int ferry_err_from_response(uint16_t response);

FERRY_END_DECLS

#endif
