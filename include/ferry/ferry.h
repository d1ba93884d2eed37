/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/ferry.h
 * @brief Everything of the ferry API in one include.
 *
 * ferry moves files to and from MTP/PTP devices over USB with cancellable,
 * transactional I/O. Start with ferry/context.h, then ferry/device.h,
 * ferry/op.h (operations and their cancel and close rules), ferry/fs.h
 * (requests), ferry/stream.h (uploads and downloads that never leave half
 * a file) and ferry/event.h.
 */
#ifndef FERRY_FERRY_H
#define FERRY_FERRY_H

#include <ferry/common.h>
#include <ferry/error.h>
#include <ferry/log.h>
#include <ferry/context.h>
#include <ferry/object.h>
#include <ferry/op.h>
#include <ferry/data.h>
#include <ferry/device.h>
#include <ferry/event.h>
#include <ferry/fs.h>
#include <ferry/stream.h>

#endif
