/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ferry/common.h>

FERRY_API const char *ferry_version(void)
{
    return PACKAGE_VERSION;
}
