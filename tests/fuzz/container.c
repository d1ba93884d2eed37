/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: container headers and command / response / event
 * containers (input: a container as read from the bulk or interrupt
 * endpoint). Containers have one encoding, so a decoded one must encode
 * back to exactly the input. */
#include "config.h"

#include <string.h>

#include "fuzz.h"

static void check_header(const uint8_t *data, size_t size)
{
    uint8_t out[FC_HDR_LEN];
    fc_hdr h;

    memset(&h, 0xA5, sizeof h);
    int rc = fc_hdr_decode(data, size, &h);
    if (rc != 0) {
        FZ_CHECK(rc == FERRY_EPROTO);
        FZ_CHECK(fz_all_zero(&h, sizeof h));
        return;
    }
    FZ_CHECK(size >= FC_HDR_LEN && h.length >= FC_HDR_LEN);
    FZ_CHECK(h.type >= FC_CT_COMMAND && h.type <= FC_CT_EVENT);
    fc_hdr_encode(&h, out);
    FZ_CHECK(memcmp(out, data, FC_HDR_LEN) == 0);

    uint64_t payload = fc_data_payload_len(&h);
    if (h.length == FC_LEN_UNKNOWN) {
        FZ_CHECK(payload == UINT64_MAX);
    } else {
        FZ_CHECK(payload == h.length - FC_HDR_LEN);
        if (h.type == FC_CT_DATA) {
            fc_data_hdr_encode(h.code, h.tid, payload, out);
            FZ_CHECK(memcmp(out, data, FC_HDR_LEN) == 0);
        }
    }
}

static void check_msg(enum fc_ctype type, const uint8_t *data, size_t size)
{
    uint8_t out[32];
    fc_msg m;

    memset(&m, 0xA5, sizeof m);
    int rc = fc_msg_decode(type, data, size, &m);
    if (rc != 0) {
        FZ_CHECK(rc == FERRY_EPROTO);
        FZ_CHECK(fz_all_zero(&m, sizeof m));
        return;
    }
    FZ_CHECK(m.nparams <= (type == FC_CT_EVENT ? FC_MAX_EVENT_PARAMS : FC_MAX_PARAMS));
    int n = fc_msg_encode(type, &m, out);
    FZ_CHECK(n >= 0 && (size_t)n == size);
    FZ_CHECK(memcmp(out, data, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_header(data, size);
    check_msg(FC_CT_COMMAND, data, size);
    check_msg(FC_CT_RESPONSE, data, size);
    check_msg(FC_CT_EVENT, data, size);
    return 0;
}
