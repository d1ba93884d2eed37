/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Deep equality of decoded datasets, for the unit tests and the fuzz
 * targets' round-trip checks. Strings: NULL equals "" (both encode the
 * same). Values: fc_value_equal.
 */
#ifndef FERRY_TESTS_CODEC_EQ_H
#define FERRY_TESTS_CODEC_EQ_H

#include <stdbool.h>

#include "codec/codec.h"

bool ceq_str(const char *a, const char *b);
bool ceq_device_info(const fc_device_info *a, const fc_device_info *b);
bool ceq_storage_info(const fc_storage_info *a, const fc_storage_info *b);
bool ceq_object_info(const fc_object_info *a, const fc_object_info *b);
bool ceq_proplist(const fc_proplist *a, const fc_proplist *b);
/* Compares every field both descriptions have (cur and group too). */
bool ceq_prop_desc(const fc_prop_desc *a, const fc_prop_desc *b);

#endif
