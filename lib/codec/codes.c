/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Name lookups for the code tables in codes.h. Each is a switch generated
 * from the table's X-macro, so a code listed twice in one table does not
 * compile and a name cannot drift from its value.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "codec/codes.h"

#define FC__NAME_CASE(name, value)                                             \
    case (value):                                                              \
        return #name;

#define FC__NAME_FN(fn, table)                                                 \
    const char *fn(uint16_t code)                                              \
    {                                                                          \
        switch (code) {                                                        \
            table(FC__NAME_CASE)                                               \
        default:                                                               \
            return NULL;                                                       \
        }                                                                      \
    }

FC__NAME_FN(fc_operation_name, FC_OPERATIONS)
FC__NAME_FN(fc_response_name, FC_RESPONSES)
FC__NAME_FN(fc_event_name, FC_EVENTS)
FC__NAME_FN(fc_format_name, FC_FORMATS)
FC__NAME_FN(fc_objprop_name, FC_OBJPROPS)
FC__NAME_FN(fc_devprop_name, FC_DEVPROPS)
FC__NAME_FN(fc_datatype_name, FC_DATATYPES)

const char *fc_code_str(const char *(*lookup)(uint16_t), uint16_t code, char buf[8])
{
    const char *name = lookup ? lookup(code) : NULL;
    if (name)
        return name;
    snprintf(buf, 8, "0x%04X", (unsigned)code);
    return buf;
}
