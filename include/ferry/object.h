/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/object.h
 * @brief What operations return: objects, storages, device information.
 *
 * Identifiers: an object id is the device's object handle; a storage id
 * the device's storage id. Both are valid while the device stays open: a
 * device that is reopened (after recovery, or by another program) may give
 * the same object another id. Paths ("/Internal storage/DCIM/a.jpg") are
 * the stable names; ferry_resolve() maps them to ids.
 */
#ifndef FERRY_OBJECT_H
#define FERRY_OBJECT_H

#include <stdbool.h>

#include <ferry/common.h>

FERRY_BEGIN_DECLS

/** The folder id that means "the root of a storage". @since 0.1 */
#define FERRY_ROOT 0u

/** An object (a file or a folder) on the device. @since 0.1 */
typedef struct ferry_object {
    uint32_t id;       /**< object handle */
    uint32_t storage;  /**< storage id */
    uint32_t parent;   /**< parent folder, FERRY_ROOT at the top of the storage */
    char *name;        /**< UTF-8 file name as the device gives it (may be hostile: check before use) */
    uint64_t size;     /**< bytes; 0 for folders */
    int64_t mtime;     /**< modification time, seconds since the epoch; -1 unknown */
    uint16_t format;   /**< MTP object format code (0x3001 folder) */
    bool is_folder;    /**< a folder (an association), not a file */
} ferry_object;

/** A storage (memory, SD card) of the device. @since 0.1 */
typedef struct ferry_storage {
    uint32_t id;       /**< storage id */
    char *description; /**< name shown to people, used as the first part of a path */
    char *volume;      /**< volume label, may be "" */
    uint64_t capacity; /**< bytes */
    uint64_t free;     /**< bytes */
    uint16_t type;     /**< MTP storage type (fixed/removable ROM/RAM) */
    bool read_only;    /**< the device does not allow writing to it */
} ferry_storage;

/** The device's identity and what it can do. @since 0.1 */
typedef struct ferry_device_info {
    char *manufacturer;  /**< Manufacturer of the DeviceInfo dataset */
    char *model;         /**< Model */
    char *version;       /**< DeviceVersion (firmware) */
    char *serial;        /**< SerialNumber */
    char *friendly_name; /**< DeviceFriendlyName, may be NULL */
    char *extensions;    /**< MTP vendor extension description */
    int battery;         /**< percent, -1 unknown */
    bool has_proplist;   /**< GetObjectPropList usable (quirks honoured) */
    bool has_partial64;  /**< GetPartialObject64 */
    bool has_edit;       /**< Android edit extensions (resumable uploads) */
    bool can_rename;     /**< ObjectFileName can be set */
    uint32_t quirks;     /**< libmtp device flags of this model, 0 if unlisted */
} ferry_device_info;

/** What an item of an operation's results is. @since 0.1 */
typedef enum ferry_item_kind {
    FERRY_ITEM_OBJECT = 1,
    FERRY_ITEM_STORAGE = 2,
    FERRY_ITEM_DEVICE = 3,
} ferry_item_kind;

/** One result of an operation (a listing entry, a storage, ...). @since 0.1 */
typedef struct ferry_item {
    ferry_item_kind kind; /**< which member of u is set */
    /** The result itself, by kind. */
    union {
        ferry_object object;      /**< FERRY_ITEM_OBJECT */
        ferry_storage storage;    /**< FERRY_ITEM_STORAGE */
        ferry_device_info device; /**< FERRY_ITEM_DEVICE */
    } u;
} ferry_item;

/**
 * Frees the strings an item owns (items from ferry_op_next()) and zeroes
 * it. Items passed to callbacks belong to ferry and must not be cleared.
 * @param item an item, or NULL
 * @since 0.1
 */
FERRY_API void ferry_item_clear(ferry_item *item);

/**
 * Copies an item with its strings (to keep one from a callback).
 * @return 0 or FERRY_ENOMEM (dst is then zeroed)
 * @since 0.1
 */
FERRY_API int ferry_item_copy(ferry_item *dst, const ferry_item *src);

FERRY_END_DECLS

#endif
