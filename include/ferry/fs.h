/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/fs.h
 * @brief Requests on the device's files and folders.
 *
 * Each call starts an operation (see ferry/op.h): it returns 0 and the
 * operation in *out, or an error and no operation (and then never calls
 * a callback). Errors of the request itself come as the operation's
 * final result. Common start errors: FERRY_EINVAL (bad arguments),
 * FERRY_ENOMEM, FERRY_ECLOSED (the handle was closed). Common final
 * results besides 0: FERRY_ENOENT (no such object / storage / parent),
 * FERRY_ECANCELLED, FERRY_ENODEV (device gone), FERRY_EWEDGED (device
 * stopped answering), FERRY_EIO, FERRY_EPROTO (malformed data from the
 * device), FERRY_EDEVICE and other codes mapped from the device's response
 * (ferry_op_response() gives the raw code), FERRY_EDEVICE_BUSY.
 */
#ifndef FERRY_FS_H
#define FERRY_FS_H

#include <ferry/common.h>
#include <ferry/data.h>
#include <ferry/device.h>
#include <ferry/op.h>

FERRY_BEGIN_DECLS

/**
 * Lists a folder: one FERRY_ITEM_OBJECT item per entry. Uses one
 * GetObjectPropList round trip for the whole folder where the device
 * supports it, GetObjectHandles and GetObjectInfo otherwise. Entries whose
 * data the device garbled are skipped and logged, not fatal.
 *
 * @param storage  storage id (needed for FERRY_ROOT)
 * @param folder   folder id, or FERRY_ROOT for the top of the storage
 * @return start errors as above. Final: FERRY_ENOTDIR when folder is a
 *         file, FERRY_ENOENT
 * @since 0.1
 */
FERRY_API int ferry_list(ferry_dev *h, uint32_t storage, uint32_t folder, const ferry_op_cbs *cbs,
                         ferry_op **out);

/**
 * Reads an object's metadata (one FERRY_ITEM_OBJECT item). Answered from
 * the handle's cache of the folder when it holds the object, from the
 * device otherwise.
 *
 * @param id  an object id (not FERRY_ROOT: a storage root is no object;
 *            ferry_storages() describes it)
 * @return start errors as above, FERRY_EINVAL also for FERRY_ROOT.
 *         Final: FERRY_ENOENT when the device has no such object
 * @since 0.1
 */
FERRY_API int ferry_stat(ferry_dev *h, uint32_t id, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * Resolves a path to an object (one item; a storage root gives a folder
 * item with id FERRY_ROOT). Paths are absolute and start with the storage
 * description: "/Internal storage/DCIM/a.jpg"; with only one storage the
 * storage part may be left out ("/DCIM/a.jpg"). "//" counts as one "/";
 * a trailing "/" is allowed and, as in POSIX, asks for a folder.
 * @return start FERRY_EINVAL when path is NULL or relative. Final:
 *         FERRY_EINVAL for "." or ".." parts, FERRY_ENOENT when a part
 *         (or the storage) is missing, FERRY_ENOTDIR when a part before
 *         the last is a file, or the last is a file and the path ends
 *         with "/"
 * @since 0.1
 */
FERRY_API int ferry_resolve(ferry_dev *h, const char *path, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * Makes a folder; the item is the new folder.
 * @return start FERRY_EBADNAME / FERRY_ENAMETOOLONG for names the device
 *         cannot store (empty, ".", "..", containing "/", invalid UTF-8,
 *         over 254 UTF-16 units). Final: FERRY_EEXIST, FERRY_ESTORAGE_FULL,
 *         FERRY_EREADONLY
 * @since 0.1
 */
FERRY_API int ferry_mkdir(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name,
                          const ferry_op_cbs *cbs, ferry_op **out);

/** Flags of ferry_delete(). @since 0.1 */
#define FERRY_DELETE_RECURSIVE 0x1u

/**
 * Deletes an object. A folder needs FERRY_DELETE_RECURSIVE unless empty;
 * the contents go first, deepest first, so a cancel or failure in the
 * middle leaves a consistent (partly emptied) tree. Cancel stops before the
 * next DeleteObject; one already sent runs to its end (C8).
 * @return final FERRY_ENOTEMPTY (folder not empty, no flag), FERRY_EREADONLY
 * @since 0.1
 */
FERRY_API int ferry_delete(ferry_dev *h, uint32_t id, unsigned flags, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * Renames an object in place (SetObjectPropValue ObjectFileName).
 * @return start FERRY_EBADNAME / FERRY_ENAMETOOLONG. Final FERRY_EEXIST,
 *         FERRY_ENOTSUP (the device cannot rename)
 * @since 0.1
 */
FERRY_API int ferry_rename(ferry_dev *h, uint32_t id, const char *name, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * Moves an object into another folder (possibly on another storage).
 * @return final FERRY_EEXIST, FERRY_EINVAL (into itself), FERRY_ENOTSUP
 * @since 0.1
 */
FERRY_API int ferry_move(ferry_dev *h, uint32_t id, uint32_t storage, uint32_t parent, const ferry_op_cbs *cbs,
                         ferry_op **out);

/**
 * Copies an object on the device; the item is the copy.
 * @return final FERRY_EEXIST, FERRY_ESTORAGE_FULL, FERRY_ENOTSUP
 * @since 0.1
 */
FERRY_API int ferry_copy(ferry_dev *h, uint32_t id, uint32_t storage, uint32_t parent, const ferry_op_cbs *cbs,
                         ferry_op **out);

/** Length meaning "to the end of the object". @since 0.1 */
#define FERRY_TO_END UINT64_MAX

/**
 * Reads an object, whole or a byte range, into a sink. A range uses
 * GetPartialObject64 or GetPartialObject where the device has them.
 * Progress callbacks report the bytes; the sink's put is called from the
 * device's link thread with the bytes straight from the USB buffers.
 *
 * @param offset  first byte
 * @param length  bytes, or FERRY_TO_END
 * @param sink    where the bytes go (put must be set); it must stay valid
 *                until the final callback
 * @return final FERRY_EISDIR, FERRY_EMISMATCH (the device sent another size
 *         than it announced), the sink's error
 * @since 0.1
 */
FERRY_API int ferry_read(ferry_dev *h, uint32_t id, uint64_t offset, uint64_t length, const ferry_data *sink,
                         const ferry_op_cbs *cbs, ferry_op **out);

FERRY_END_DECLS

#endif
