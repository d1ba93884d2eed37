/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* USB still image class containers (container.c). Layout: u32 length,
 * u16 type, u16 code, u32 transaction id, then u32 parameters. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "codec-test.h"

/* OpenSession(SessionID 1) in transaction 0 */
static const uint8_t open_session[] = {
    0x10, 0x00, 0x00, 0x00, /* length 16 */
    0x01, 0x00,             /* command */
    0x02, 0x10,             /* 0x1002 OpenSession */
    0x00, 0x00, 0x00, 0x00, /* tid 0 */
    0x01, 0x00, 0x00, 0x00, /* SessionID 1 */
};

/* GetObjectHandles(all storages, any format, root) in transaction 7 */
static const uint8_t get_handles[] = {
    0x18, 0x00, 0x00, 0x00, /* length 24 */
    0x01, 0x00,             /* command */
    0x07, 0x10,             /* 0x1007 GetObjectHandles */
    0x07, 0x00, 0x00, 0x00, /* tid 7 */
    0xFF, 0xFF, 0xFF, 0xFF, /* StorageID: all */
    0x00, 0x00, 0x00, 0x00, /* ObjectFormatCode: any */
    0xFF, 0xFF, 0xFF, 0xFF, /* ObjectHandle of association: root */
};

/* a command with all five parameters */
static const uint8_t five_params[] = {
    0x20, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0x98, 0x78, 0x56, 0x34, 0x12,
    0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
};

/* Response OK, transaction 5, no parameters */
static const uint8_t resp_ok[] = {
    0x0C, 0x00, 0x00, 0x00, /* length 12 */
    0x03, 0x00,             /* response */
    0x01, 0x20,             /* 0x2001 OK */
    0x05, 0x00, 0x00, 0x00, /* tid 5 */
};

/* Event ObjectAdded(handle 0x1234) */
static const uint8_t ev_added[] = {
    0x10, 0x00, 0x00, 0x00, /* length 16 */
    0x04, 0x00,             /* event */
    0x02, 0x40,             /* 0x4002 ObjectAdded */
    0xFF, 0xFF, 0xFF, 0xFF, /* tid */
    0x34, 0x12, 0x00, 0x00, /* ObjectHandle */
};

static fc_msg msg(uint16_t code, uint32_t tid, uint32_t n, const uint32_t *p)
{
    fc_msg m;
    memset(&m, 0, sizeof m);
    m.code = code;
    m.tid = tid;
    m.nparams = n;
    for (uint32_t i = 0; i < n; i++)
        m.params[i] = p[i];
    return m;
}

static void check_msg(enum fc_ctype type, const uint8_t *bytes, size_t len, const fc_msg *exp)
{
    uint8_t out[32];
    memset(out, 0xEE, sizeof out);
    assert_int_equal(fc_msg_encode(type, exp, out), (int)len);
    ct_assert_bytes(out, len, bytes, len);

    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    fc_msg got;
    memset(&got, 0xA5, sizeof got);
    assert_int_equal(fc_msg_decode(type, copy, len, &got), 0);
    assert_int_equal(got.code, exp->code);
    assert_int_equal(got.tid, exp->tid);
    assert_int_equal(got.nparams, exp->nparams);
    for (uint32_t i = 0; i < FC_MAX_PARAMS; i++)
        assert_int_equal(got.params[i], i < exp->nparams ? exp->params[i] : 0);

    /* every shorter read: refused (the length field no longer matches) */
    for (size_t l = 0; l < len; l++) {
        memset(&got, 0xA5, sizeof got);
        assert_int_equal(fc_msg_decode(type, copy, l, &got), FERRY_EPROTO);
        ct_assert_zero(&got, sizeof got);
    }
    /* and as any other container type */
    for (int t = FC_CT_COMMAND; t <= FC_CT_EVENT; t++) {
        if (t == (int)type || t == FC_CT_DATA)
            continue;
        assert_int_equal(fc_msg_decode((enum fc_ctype)t, copy, len, &got), FERRY_EPROTO);
    }
    free(copy);
}

static void test_messages_golden(void **state)
{
    (void)state;
    fc_msg m;

    m = msg(0x1002, 0, 1, (const uint32_t[]){1});
    check_msg(FC_CT_COMMAND, open_session, sizeof open_session, &m);
    m = msg(0x1007, 7, 3, (const uint32_t[]){0xFFFFFFFF, 0, 0xFFFFFFFF});
    check_msg(FC_CT_COMMAND, get_handles, sizeof get_handles, &m);
    m = msg(0x9805, 0x12345678, 5, (const uint32_t[]){1, 2, 3, 4, 5});
    check_msg(FC_CT_COMMAND, five_params, sizeof five_params, &m);
    m = msg(0x2001, 5, 0, NULL);
    check_msg(FC_CT_RESPONSE, resp_ok, sizeof resp_ok, &m);
    m = msg(0x4002, 0xFFFFFFFF, 1, (const uint32_t[]){0x1234});
    check_msg(FC_CT_EVENT, ev_added, sizeof ev_added, &m);
}

static void test_messages_invalid(void **state)
{
    (void)state;
    uint8_t b[40];
    fc_msg m;

    /* too many parameters to encode */
    m = msg(0x1001, 1, 5, (const uint32_t[]){1, 2, 3, 4, 5});
    m.nparams = 6;
    assert_int_equal(fc_msg_encode(FC_CT_COMMAND, &m, b), FERRY_EINVAL);
    m.nparams = 4;
    assert_int_equal(fc_msg_encode(FC_CT_EVENT, &m, b), FERRY_EINVAL);
    m.nparams = 3;
    assert_int_equal(fc_msg_encode(FC_CT_EVENT, &m, b), 24);
    assert_int_equal(fc_msg_encode(FC_CT_DATA, &m, b), FERRY_EINVAL);
    assert_int_equal(fc_msg_encode((enum fc_ctype)9, &m, b), FERRY_EINVAL);

    /* six parameters */
    static const uint8_t six[] = {
        0x24, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
        0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
    };
    memset(&m, 0xA5, sizeof m);
    assert_int_equal(fc_msg_decode(FC_CT_COMMAND, six, sizeof six, &m), FERRY_EPROTO);
    ct_assert_zero(&m, sizeof m);

    /* an event with four parameters */
    memcpy(b, five_params, 28);
    b[0] = 28;
    b[4] = FC_CT_EVENT;
    assert_int_equal(fc_msg_decode(FC_CT_EVENT, b, 28, &m), FERRY_EPROTO);
    b[4] = FC_CT_RESPONSE;
    assert_int_equal(fc_msg_decode(FC_CT_RESPONSE, b, 28, &m), 0);
    assert_int_equal(m.nparams, 4);

    /* length not a multiple of 4 after the header */
    memcpy(b, open_session, 16);
    b[0] = 14;
    assert_int_equal(fc_msg_decode(FC_CT_COMMAND, b, 14, &m), FERRY_EPROTO);
    /* header length and buffer length differ */
    b[0] = 16;
    assert_int_equal(fc_msg_decode(FC_CT_COMMAND, b, 20, &m), FERRY_EPROTO);
    b[0] = 12;
    assert_int_equal(fc_msg_decode(FC_CT_COMMAND, b, 16, &m), FERRY_EPROTO);
    /* data type asked for: not a message */
    b[0] = 16;
    b[4] = FC_CT_DATA;
    assert_int_equal(fc_msg_decode(FC_CT_DATA, b, 16, &m), FERRY_EINVAL);
    ct_assert_zero(&m, sizeof m);
    assert_int_equal(fc_msg_decode(FC_CT_COMMAND, NULL, 0, &m), FERRY_EPROTO);
}

static void test_header(void **state)
{
    (void)state;
    static const uint8_t data_hdr[] = {
        0x70, 0x00, 0x00, 0x00, /* length 112: 100 bytes of payload */
        0x02, 0x00,             /* data */
        0x09, 0x10,             /* 0x1009 GetObject */
        0x07, 0x00, 0x00, 0x00, /* tid 7 */
    };
    fc_hdr h;
    uint8_t out[FC_HDR_LEN];

    assert_int_equal(fc_hdr_decode(data_hdr, sizeof data_hdr, &h), 0);
    assert_int_equal(h.length, 112);
    assert_int_equal(h.type, FC_CT_DATA);
    assert_int_equal(h.code, 0x1009);
    assert_int_equal(h.tid, 7);
    assert_true(fc_data_payload_len(&h) == 100);
    fc_hdr_encode(&h, out);
    CT_ASSERT_BYTES(out, sizeof out, data_hdr);
    fc_data_hdr_encode(0x1009, 7, 100, out);
    CT_ASSERT_BYTES(out, sizeof out, data_hdr);

    /* a header is read from the first 12 bytes of a longer buffer */
    assert_int_equal(fc_hdr_decode(open_session, sizeof open_session, &h), 0);
    assert_int_equal(h.length, 16);
    assert_int_equal(h.type, FC_CT_COMMAND);

    uint8_t b[12];
    for (size_t l = 0; l < sizeof b; l++) {
        memset(&h, 0xA5, sizeof h);
        assert_int_equal(fc_hdr_decode(data_hdr, l, &h), FERRY_EPROTO);
        ct_assert_zero(&h, sizeof h);
    }
    assert_int_equal(fc_hdr_decode(NULL, 12, &h), FERRY_EPROTO);

    /* container types 0 and 5 */
    memcpy(b, data_hdr, sizeof b);
    b[4] = 0;
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), FERRY_EPROTO);
    b[4] = 5;
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), FERRY_EPROTO);
    b[4] = 2;
    b[5] = 1; /* type 0x0102 */
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), FERRY_EPROTO);
    /* lengths below the header size */
    memcpy(b, data_hdr, sizeof b);
    b[0] = 11;
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), FERRY_EPROTO);
    b[0] = 0;
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), FERRY_EPROTO);
    b[0] = 12; /* empty data phase */
    assert_int_equal(fc_hdr_decode(b, sizeof b, &h), 0);
    assert_true(fc_data_payload_len(&h) == 0);
}

static void test_data_over_4gib(void **state)
{
    (void)state;
    static const uint8_t big[] = {
        0xFF, 0xFF, 0xFF, 0xFF, /* length unknown: over 4 GiB */
        0x02, 0x00,             /* data */
        0x0D, 0x10,             /* 0x100D SendObject */
        0x2A, 0x00, 0x00, 0x00, /* tid 42 */
    };
    static const uint8_t largest[] = {
        0xFE, 0xFF, 0xFF, 0xFF, /* 0xFFFFFFFE: payload 0xFFFFFFF2 */
        0x02, 0x00, 0x0D, 0x10, 0x2A, 0x00, 0x00, 0x00,
    };
    uint8_t out[FC_HDR_LEN];
    fc_hdr h;

    fc_data_hdr_encode(0x100D, 42, UINT64_C(5) << 30, out); /* 5 GiB */
    CT_ASSERT_BYTES(out, sizeof out, big);
    fc_data_hdr_encode(0x100D, 42, UINT64_MAX, out);
    CT_ASSERT_BYTES(out, sizeof out, big);
    /* the first payload size that no longer fits */
    fc_data_hdr_encode(0x100D, 42, UINT64_C(0xFFFFFFF4), out);
    CT_ASSERT_BYTES(out, sizeof out, big);
    /* 0xFFFFFFF3 + 12 is 0xFFFFFFFF itself: also "unknown" */
    fc_data_hdr_encode(0x100D, 42, UINT64_C(0xFFFFFFF3), out);
    CT_ASSERT_BYTES(out, sizeof out, big);
    fc_data_hdr_encode(0x100D, 42, UINT64_C(0xFFFFFFF2), out);
    CT_ASSERT_BYTES(out, sizeof out, largest);

    assert_int_equal(fc_hdr_decode(big, sizeof big, &h), 0);
    assert_int_equal(h.length, FC_LEN_UNKNOWN);
    assert_true(fc_data_payload_len(&h) == UINT64_MAX);
    assert_int_equal(fc_hdr_decode(largest, sizeof largest, &h), 0);
    assert_true(fc_data_payload_len(&h) == UINT64_C(0xFFFFFFF2));

    /* a header built by hand with a length below 12 has no payload */
    h.length = 3;
    assert_true(fc_data_payload_len(&h) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_golden),
        cmocka_unit_test(test_messages_invalid),
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_data_over_4gib),
    };
    return cmocka_run_group_tests_name("codec-container", tests, NULL, NULL);
}
