/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/event.h
 * @brief Device events (objects and storages changing) and hot-plug.
 *
 * A device reports changes on its interrupt endpoint: objects added,
 * removed or changed (by the phone's user, or by another handle), storages
 * added or removed (an SD card). ferry reads them all the time and hands
 * them to every handle that watches, so a file manager can refresh its
 * view. They are delivered like other callbacks (see ferry/context.h).
 */
#ifndef FERRY_EVENT_H
#define FERRY_EVENT_H

#include <ferry/common.h>
#include <ferry/device.h>

FERRY_BEGIN_DECLS

/** What happened. @since 0.1 */
typedef enum ferry_event_kind {
    FERRY_EVENT_OBJECT_ADDED = 1,   /**< param: object id */
    FERRY_EVENT_OBJECT_REMOVED = 2, /**< param: object id */
    FERRY_EVENT_OBJECT_CHANGED = 3, /**< param: object id (renamed, moved, written) */
    FERRY_EVENT_STORAGE_ADDED = 4,  /**< param: storage id */
    FERRY_EVENT_STORAGE_REMOVED = 5,/**< param: storage id */
    FERRY_EVENT_STORAGE_CHANGED = 6,/**< param: storage id (free space, full) */
    FERRY_EVENT_DEVICE_CHANGED = 7, /**< a device property or the device info changed */
    FERRY_EVENT_DEVICE_GONE = 8,    /**< the device was unplugged or stopped answering */
    FERRY_EVENT_OTHER = 9,          /**< anything else; see code */
} ferry_event_kind;

/** A device event. @since 0.1 */
typedef struct ferry_event {
    ferry_event_kind kind; /**< what happened */
    uint16_t code;   /**< MTP event code (0x4002 ObjectAdded, ...), 0 for DEVICE_GONE */
    uint32_t param;  /**< first parameter */
} ferry_event;

/**
 * An event callback.
 * @param h     the handle that watches
 * @param ev    the event, valid during the call
 * @since 0.1
 */
typedef void (*ferry_event_fn)(ferry_dev *h, const ferry_event *ev, void *user);

/**
 * Starts (or with fn NULL stops) watching a device's events on a handle.
 * @return 0, FERRY_EINVAL, FERRY_ECLOSED
 * @since 0.1
 */
FERRY_API int ferry_dev_watch(ferry_dev *h, ferry_event_fn fn, void *user);

/**
 * A hot-plug callback: a device came (arrived true) or went.
 * @param dev  bus and address are set; the strings may be NULL
 * @since 0.1
 */
typedef void (*ferry_hotplug_fn)(ferry_ctx *ctx, const ferry_device_desc *dev, bool arrived, void *user);

/**
 * Starts (fn NULL: stops) hot-plug notifications where libusb offers them.
 * @return 0, FERRY_EINVAL, FERRY_ENOTSUP (no hot-plug on this system)
 * @since 0.1
 */
FERRY_API int ferry_ctx_watch_devices(ferry_ctx *ctx, ferry_hotplug_fn fn, void *user);

FERRY_END_DECLS

#endif
