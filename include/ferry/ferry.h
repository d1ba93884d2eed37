/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ferry/ferry.h
 * @brief Everything of the ferry API in one include.
 */
#ifndef FERRY_FERRY_H
#define FERRY_FERRY_H

#include <ferry/common.h>
#include <ferry/error.h>

#endif
