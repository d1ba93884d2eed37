/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/device.h
 * @brief Finding devices and opening device handles.
 *
 * A device handle is cheap, and the documented pattern is one handle per
 * thread (CONTRACT.md C10): all handles of one physical device share one
 * USB connection and one MTP session (a "link"), and their operations are
 * queued and run one after the other on the wire. Cancelling on one handle
 * touches that handle's operations only (C11). Closing the last handle of
 * a device ends the session and releases the USB interface (C12).
 */
#ifndef FERRY_DEVICE_H
#define FERRY_DEVICE_H

#include <ferry/common.h>
#include <ferry/context.h>
#include <ferry/op.h>

FERRY_BEGIN_DECLS

/** A device handle. @since 0.1 */
typedef struct ferry_dev ferry_dev;

/** A device found on the bus. @since 0.1 */
typedef struct ferry_device_desc {
    uint8_t bus;          /**< USB bus number */
    uint8_t address;      /**< USB device address */
    char port_path[32];   /**< "1-4.2" */
    /** USB vendor id (vid) and product id (pid) */
    /** @{ */
    uint16_t vid, pid;
    /** @} */
    char *manufacturer;   /**< from the USB string descriptors; may be NULL */
    char *product;        /**< may be NULL */
    char *serial;         /**< may be NULL */
    uint32_t quirks;      /**< libmtp device flags for this model, 0 if unlisted */
    bool known;           /**< the model is in libmtp's device database */
} ferry_device_desc;

/**
 * Lists the MTP/PTP devices on the bus: still-image class interfaces,
 * vendor-specific interfaces named "MTP", and models libmtp knows.
 *
 * @param[out] list  array of n descriptions; free with ferry_devices_free()
 * @param[out] n     how many
 * @return 0 (also with none found), FERRY_EINVAL, FERRY_ENOMEM, FERRY_EIO
 * @since 0.1
 */
FERRY_API int ferry_devices(ferry_ctx *ctx, ferry_device_desc **list, size_t *n);

/** Frees what ferry_devices() returned. @since 0.1 */
FERRY_API void ferry_devices_free(ferry_device_desc *list, size_t n);

/**
 * Chooses a device by serial number, product name, "BUS:ADDRESS" or port
 * path; spec NULL or "" chooses the only device there is.
 *
 * @param[out] out  a copy of the description; free with ferry_devices_free(out, 1)
 * @return 0; FERRY_ENODEV (none matches / none connected); FERRY_EBUSY
 *         ("several match": spec is needed or is ambiguous); FERRY_EINVAL;
 *         FERRY_ENOMEM; FERRY_EIO
 * @since 0.1
 */
FERRY_API int ferry_device_find(ferry_ctx *ctx, const char *spec, ferry_device_desc **out);

/**
 * Opens a handle to a device. Never blocks: the first handle of a device
 * starts connecting it (claiming the interface, opening the session) in
 * the background, and operations wait in the queue until it is ready.
 * A connection that fails makes those operations fail with its error
 * (FERRY_EDEVICE_BUSY when another program holds the device, FERRY_ENODEV,
 * FERRY_EACCESS for missing permissions, FERRY_EWEDGED).
 *
 * @return 0, FERRY_EINVAL, FERRY_ENOMEM, FERRY_EINTERNAL
 * @since 0.1
 */
FERRY_API int ferry_dev_open(ferry_ctx *ctx, const ferry_device_desc *desc, ferry_dev **out);

/**
 * Opens another handle to the same device (for another thread).
 * @return 0, FERRY_EINVAL, FERRY_ENOMEM, FERRY_ECLOSED
 * @since 0.1
 */
FERRY_API int ferry_dev_dup(ferry_dev *h, ferry_dev **out);

/**
 * Closes a handle. Its operations that are still queued or running are
 * cancelled with FERRY_CANCEL_SHUTDOWN; their final callbacks still come
 * and they must still be closed. Never blocks. When the last handle of a
 * device closes, the session ends and the interface is released once the
 * remaining operations have finished (C12).
 * @param h a handle, or NULL
 * @since 0.1
 */
FERRY_API void ferry_dev_close(ferry_dev *h);

/**
 * Sends a Device Reset (class request 0x66). Only when the application
 * asks: some phones stop MTP until they are replugged after it (C9).
 * @return an operation as with other requests (see ferry/op.h)
 * @since 0.1
 */
FERRY_API int ferry_dev_reset(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * The device's identity and abilities (one FERRY_ITEM_DEVICE item).
 * @return 0, FERRY_EINVAL, FERRY_ENOMEM, FERRY_ECLOSED; the operation may
 *         end with the connection's error
 * @since 0.1
 */
FERRY_API int ferry_dev_info(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out);

/**
 * The storages with their capacity and free space (FERRY_ITEM_STORAGE
 * items), read fresh from the device.
 * @return as ferry_dev_info()
 * @since 0.1
 */
FERRY_API int ferry_storages(ferry_dev *h, const ferry_op_cbs *cbs, ferry_op **out);

FERRY_END_DECLS

#endif
