/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Code tables and name lookups (codes.c). */
#include "config.h"

#include <string.h>

#include "codec-test.h"

/* Every entry of every table maps back to its own name. */
#define CHECK_ENTRY(fn)                                                        \
    {                                                                          \
        const char *got = fn(value);                                           \
        assert_non_null(got);                                                  \
        assert_string_equal(got, name);                                        \
    }

static void test_every_entry(void **state)
{
    (void)state;
    const char *name;
    uint16_t value;
    unsigned n = 0;

#define VISIT(fn, table)                                                       \
    do {                                                                       \
        static const struct {                                                  \
            const char *name;                                                  \
            uint16_t value;                                                    \
        } t[] = {table(ROW)};                                                  \
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++, n++) {             \
            name = t[i].name;                                                  \
            value = t[i].value;                                                \
            CHECK_ENTRY(fn)                                                    \
        }                                                                      \
    } while (0)
#define ROW(nm, v) {#nm, (v)},

    VISIT(fc_operation_name, FC_OPERATIONS);
    VISIT(fc_response_name, FC_RESPONSES);
    VISIT(fc_event_name, FC_EVENTS);
    VISIT(fc_format_name, FC_FORMATS);
    VISIT(fc_objprop_name, FC_OBJPROPS);
    VISIT(fc_devprop_name, FC_DEVPROPS);
    VISIT(fc_datatype_name, FC_DATATYPES);
    assert_true(n > 250);
#undef ROW
#undef VISIT
}

static void test_known_names(void **state)
{
    (void)state;
    assert_string_equal(fc_operation_name(0x9805), "GetObjectPropList");
    assert_string_equal(fc_operation_name(FC_OC_GetPartialObject64), "GetPartialObject64");
    assert_string_equal(fc_response_name(0x2001), "OK");
    assert_string_equal(fc_response_name(0x200C), "StoreFull");
    assert_string_equal(fc_response_name(0xA809), "ObjectTooLarge");
    assert_string_equal(fc_event_name(0x400A), "StoreFull");
    assert_string_equal(fc_event_name(0xC801), "ObjectPropChanged");
    assert_string_equal(fc_format_name(0x3001), "Association");
    assert_string_equal(fc_format_name(0xB984), "3GP");
    assert_string_equal(fc_objprop_name(0xDC07), "ObjectFileName");
    assert_string_equal(fc_devprop_name(0xD402), "DeviceFriendlyName");
    assert_string_equal(fc_datatype_name(0xFFFF), "STR");
    assert_string_equal(fc_datatype_name(0x400A), "AUINT128");
    assert_int_equal(FC_DTC_AUINT16, FC_DTC_ARRAY | FC_DTC_UINT16);
}

static void test_unknown_codes(void **state)
{
    (void)state;
    assert_null(fc_operation_name(0x0000));
    assert_null(fc_operation_name(0x101D));
    assert_null(fc_operation_name(0xFFFF));
    assert_null(fc_response_name(0x2021));
    assert_null(fc_event_name(0x4000));
    assert_null(fc_format_name(0x3806));
    assert_null(fc_objprop_name(0xDC00));
    assert_null(fc_devprop_name(0x5004));
    assert_null(fc_datatype_name(0x000B));
    /* a code from another table is not found */
    assert_null(fc_response_name(0x1001));
    assert_null(fc_operation_name(0x2001));
}

static void test_code_str(void **state)
{
    (void)state;
    char buf[8];

    memset(buf, 'x', sizeof buf);
    assert_string_equal(fc_code_str(fc_operation_name, 0x1001, buf), "GetDeviceInfo");
    assert_int_equal(buf[0], 'x'); /* the static name, buf untouched */
    assert_ptr_equal(fc_code_str(fc_operation_name, 0x9999, buf), buf);
    assert_string_equal(buf, "0x9999");
    assert_string_equal(fc_code_str(fc_response_name, 0xABCD, buf), "0xABCD");
    assert_string_equal(fc_code_str(fc_event_name, 0x0001, buf), "0x0001");
    assert_string_equal(fc_code_str(NULL, 0x2001, buf), "0x2001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry),
        cmocka_unit_test(test_known_names),
        cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_code_str),
    };
    return cmocka_run_group_tests_name("codec-codes", tests, NULL, NULL);
}
