/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libmtp's device database: which models need which quirks. We use the
 * table libmtp exports (LIBMTP_Get_Supported_Devices_List) rather than a
 * copy of our own, so ferry knows every model libmtp knows. */
#include "config.h"

#include <libmtp.h>

#include "usb/usb.h"

uint32_t fu_quirks(uint16_t vid, uint16_t pid, bool *known)
{
    LIBMTP_device_entry_t *entries = NULL;
    int n = 0;
    *known = false;
    if (LIBMTP_Get_Supported_Devices_List(&entries, &n) != 0 || !entries)
        return 0;
    for (int i = 0; i < n; i++) {
        if (entries[i].vendor_id == vid && entries[i].product_id == pid) {
            *known = true;
            return entries[i].device_flags;
        }
    }
    return 0;
}
