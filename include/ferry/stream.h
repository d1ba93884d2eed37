/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/stream.h
 * @brief Uploads and downloads that never leave half a file anywhere.
 *
 * Uploads (CONTRACT.md C14, C15): the object is sent under a temporary
 * name (".ferry-part-XXXXXXXX-<name>") and renamed to its real name only
 * when all of it arrived, so nothing is visible on the device as a
 * finished file until the upload commits. Revert, a failure or a cancel
 * delete the partial object. A replaced object is set aside, the new one
 * takes its name, then the old one goes; an interrupted replace is put
 * right by the next upload into that folder (ferry_cleanup()). Devices
 * that cannot rename objects get the real name at once (documented
 * exception: an interrupted upload there is deleted by revert, but a
 * killed process may leave it).
 *
 * Objects of unknown size: MTP announces the size before the data, so a
 * source or stream of unknown size is spooled to an unlinked temporary
 * file first (in $TMPDIR) and sent with its exact size.
 *
 * Downloads (C16): to a local path, ferry writes "<dir>/.<name>.ferry-part"
 * in the target folder, flushes it, and renames it over the target only
 * when the whole object arrived, so an existing target stays intact until
 * then; a failure or cancel removes the part file (unless resume was
 * asked for).
 *
 * Resume: a download with FERRY_GET_RESUME continues a part file left by
 * an interrupted run when it belongs to the same object (same size and
 * modification time, recorded in an extended attribute), with partial
 * reads. An upload with FERRY_PUT_RESUME on a device with the Android
 * edit extensions is sent in chunks with SendPartialObject, and a rerun
 * continues the part object from its size. Both are checked by size;
 * MTP devices offer no checksum of an object, so none is compared. In any
 * other case the transfer restarts cleanly.
 */
#ifndef FERRY_STREAM_H
#define FERRY_STREAM_H

#include <ferry/common.h>
#include <ferry/data.h>
#include <ferry/device.h>
#include <ferry/op.h>

FERRY_BEGIN_DECLS

/** Size meaning "not known in advance" (spooled first). @since 0.1 */
#define FERRY_SIZE_UNKNOWN UINT64_MAX
/** Modification time meaning "now" / "do not set". @since 0.1 */
#define FERRY_MTIME_NONE INT64_MIN

/** Flags of ferry_put() and ferry_upload_create(). @since 0.1 */
#define FERRY_PUT_REPLACE 0x1u /**< replace an object of the same name (else FERRY_EEXIST) */
#define FERRY_PUT_RESUME 0x2u  /**< resumable chunks where the device allows (edit extensions) */

/**
 * Uploads from a source as one operation; the item is the new object.
 *
 * @param storage, parent  where (parent FERRY_ROOT: top of the storage)
 * @param name   the object's name (checked: FERRY_EBADNAME, FERRY_ENAMETOOLONG)
 * @param size   bytes the source will give, or FERRY_SIZE_UNKNOWN
 * @param mtime  modification time to give the object, or FERRY_MTIME_NONE
 * @param src    the source (get must be set); valid until the final callback
 * @param flags  FERRY_PUT_*
 * @return start errors as in ferry/fs.h. Final: 0; FERRY_EEXIST;
 *         FERRY_ESTORAGE_FULL; FERRY_EMISMATCH (the source gave another
 *         number of bytes than size); FERRY_ECANCELLED (nothing is left on
 *         the device); the source's error
 * @since 0.1
 */
FERRY_API int ferry_put(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size,
                        int64_t mtime, const ferry_data *src, unsigned flags, const ferry_op_cbs *cbs,
                        ferry_op **out);

/** Flags of ferry_get(). @since 0.1 */
#define FERRY_GET_PRESERVE_MTIME 0x1u /**< give the file the object's modification time */
#define FERRY_GET_RESUME 0x2u         /**< continue a matching part file; keep it on failure */
#define FERRY_GET_NO_REPLACE 0x4u     /**< fail with FERRY_EEXIST when the target exists */

/**
 * Downloads an object to a local path (see the file comment for the
 * part file and rename). The item is the object as read.
 *
 * @param path  the target file; its folder must exist
 * @return start errors as in ferry/fs.h. Final: 0; FERRY_EISDIR;
 *         FERRY_EEXIST (FERRY_GET_NO_REPLACE); FERRY_ENOSPC and
 *         FERRY_ELOCAL_IO (local disk); FERRY_EACCESS (cannot write the
 *         folder); FERRY_EMISMATCH; FERRY_ECANCELLED (no part file left
 *         unless FERRY_GET_RESUME)
 * @since 0.1
 */
FERRY_API int ferry_get(ferry_dev *h, uint32_t id, const char *path, unsigned flags, const ferry_op_cbs *cbs,
                        ferry_op **out);

/**
 * As ferry_get(), and `tee->put` also sees every byte as it is written to
 * the part file, in order (to checksum or preview it). With
 * FERRY_GET_RESUME it sees only the bytes of this run. A tee error ends
 * the download like a write error.
 * @param tee  a sink (put set), valid until the final callback; NULL: none
 * @return as ferry_get()
 * @since 0.1
 */
FERRY_API int ferry_get_tee(ferry_dev *h, uint32_t id, const char *path, unsigned flags, const ferry_data *tee,
                            const ferry_op_cbs *cbs, ferry_op **out);

/**
 * Deletes what interrupted uploads left in a folder: part objects, and
 * objects set aside by an interrupted replace (restored when their real
 * name is free, deleted otherwise). Uploads of this context that are
 * running are left alone. One FERRY_ITEM_OBJECT item per object removed
 * or restored (the item carries the name it was found under).
 *
 * @param storage  storage id (needed for FERRY_ROOT)
 * @param folder   folder id, or FERRY_ROOT
 * @return start FERRY_EINVAL (out NULL, or FERRY_ROOT with storage 0),
 *         FERRY_ENOMEM, FERRY_ECLOSED. Final: 0 also when there was
 *         nothing to clean; FERRY_ENOENT, FERRY_ENOTDIR; FERRY_ECANCELLED
 *         (what was removed before stays removed); the device's errors
 * @since 0.1
 */
FERRY_API int ferry_cleanup(ferry_dev *h, uint32_t storage, uint32_t folder, const ferry_op_cbs *cbs,
                            ferry_op **out);

/** An upload stream (IStream-like push API). @since 0.1 */
typedef struct ferry_upload ferry_upload;

/**
 * Starts an upload stream: the object is created under its temporary
 * name and the data phase opens. Blocks until the device accepted the
 * object's information (or refused it).
 *
 * @param size   the exact number of bytes that will be written, or
 *               FERRY_SIZE_UNKNOWN (then writes are spooled locally and
 *               sent at commit)
 * @return 0; FERRY_EINVAL; FERRY_EBADNAME; FERRY_ENAMETOOLONG;
 *         FERRY_ENOMEM; FERRY_EEXIST; FERRY_ESTORAGE_FULL; FERRY_ENOENT
 *         (no such parent); the device's errors
 * @since 0.1
 */
FERRY_API int ferry_upload_create(ferry_dev *h, uint32_t storage, uint32_t parent, const char *name, uint64_t size,
                                  int64_t mtime, unsigned flags, ferry_upload **out);

/**
 * Writes bytes; blocks until the link took them.
 * @return 0; FERRY_EOVERFLOW (more than the size given); FERRY_ECANCELLED
 *         (the upload was cancelled: only revert and release work now,
 *         C15); FERRY_ESTATE (already committed or reverted); the
 *         transfer's error
 * @since 0.1
 */
FERRY_API int ferry_upload_write(ferry_upload *u, const void *buf, size_t len);

/**
 * Finishes the upload: the rest of the data phase, then the rename to
 * the real name. Only then is the object visible as a finished file.
 * @param[out] obj  the new object (optional); free with ferry_item_clear()
 *                  on a FERRY_ITEM_OBJECT item holding it, or free obj->name
 * @return 0; FERRY_EMISMATCH (fewer bytes written than the size given:
 *         the upload is reverted); FERRY_ECANCELLED; FERRY_ESTATE; the
 *         device's errors (the upload is then reverted)
 * @since 0.1
 */
FERRY_API int ferry_upload_commit(ferry_upload *u, ferry_object *obj);

/**
 * Discards the upload: the partial object is deleted from the device,
 * also after a cancel in the middle of a write (C15).
 * @return 0 (nothing of it is left); FERRY_ESTATE (already committed);
 *         an error when the device could not be cleaned (gone, wedged)
 * @since 0.1
 */
FERRY_API int ferry_upload_revert(ferry_upload *u);

/**
 * Cancels the upload from any thread; a blocked write returns
 * FERRY_ECANCELLED. Returns as ferry_op_cancel().
 * @since 0.1
 */
FERRY_API int ferry_upload_cancel(ferry_upload *u, ferry_cancel_reason reason);

/**
 * The operation behind the stream, for its state, progress and error text.
 * Owned by the stream: do not close it; valid until ferry_upload_release().
 * @return the operation; NULL when u is NULL
 * @since 0.1
 */
FERRY_API ferry_op *ferry_upload_op(ferry_upload *u);

/**
 * Releases the stream: reverts unless it was committed, then frees it.
 * @param u a stream, or NULL
 * @since 0.1
 */
FERRY_API void ferry_upload_release(ferry_upload *u);

FERRY_END_DECLS

#endif
