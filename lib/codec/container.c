/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB still image class bulk and interrupt containers (codec.h, 7.1):
 * u32 ContainerLength, u16 ContainerType, u16 Code, u32 TransactionID,
 * then parameters (command, response, event) or the payload (data).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "codec/codec.h"
#include "codec/internal.h"

int fc_hdr_decode(const void *buf, size_t len, fc_hdr *out)
{
    const uint8_t *p = buf;

    memset(out, 0, sizeof *out);
    if (!p || len < FC_HDR_LEN)
        return FERRY_EPROTO;

    uint32_t length = fc_ld32(p);
    uint16_t type = fc_ld16(p + 4);
    if (length < FC_HDR_LEN || type < FC_CT_COMMAND || type > FC_CT_EVENT)
        return FERRY_EPROTO;
    out->length = length;
    out->type = type;
    out->code = fc_ld16(p + 6);
    out->tid = fc_ld32(p + 8);
    return 0;
}

void fc_hdr_encode(const fc_hdr *h, uint8_t out[FC_HDR_LEN])
{
    fc_st32(out, h->length);
    fc_st16(out + 4, h->type);
    fc_st16(out + 6, h->code);
    fc_st32(out + 8, h->tid);
}

/* The most parameters a container of this type carries; 0 for the data
 * type and unknown types. */
static uint32_t max_params(enum fc_ctype type)
{
    switch (type) {
    case FC_CT_COMMAND:
    case FC_CT_RESPONSE:
        return FC_MAX_PARAMS;
    case FC_CT_EVENT:
        return FC_MAX_EVENT_PARAMS;
    case FC_CT_DATA:
    default:
        return 0;
    }
}

int fc_msg_encode(enum fc_ctype type, const fc_msg *m, uint8_t out[32])
{
    uint32_t max = max_params(type);

    if (max == 0 || m->nparams > max)
        return FERRY_EINVAL;

    fc_hdr h = {
        .length = FC_HDR_LEN + 4 * m->nparams,
        .type = (uint16_t)type,
        .code = m->code,
        .tid = m->tid,
    };
    fc_hdr_encode(&h, out);
    for (uint32_t i = 0; i < m->nparams; i++)
        fc_st32(out + FC_HDR_LEN + 4 * i, m->params[i]);
    return (int)h.length;
}

int fc_msg_decode(enum fc_ctype type, const void *buf, size_t len, fc_msg *out)
{
    uint32_t max = max_params(type);
    const uint8_t *p = buf;
    fc_hdr h;

    memset(out, 0, sizeof *out);
    if (max == 0)
        return FERRY_EINVAL;
    if (fc_hdr_decode(buf, len, &h) < 0)
        return FERRY_EPROTO;
    if (h.type != type || h.length != len || (len - FC_HDR_LEN) % 4 != 0 ||
        (len - FC_HDR_LEN) / 4 > max)
        return FERRY_EPROTO;

    out->code = h.code;
    out->tid = h.tid;
    out->nparams = (uint32_t)(len - FC_HDR_LEN) / 4;
    for (uint32_t i = 0; i < out->nparams; i++)
        out->params[i] = fc_ld32(p + FC_HDR_LEN + 4 * i);
    return 0;
}

void fc_data_hdr_encode(uint16_t code, uint32_t tid, uint64_t payload,
                        uint8_t out[FC_HDR_LEN])
{
    fc_hdr h = {
        .length = payload >= FC_LEN_UNKNOWN - FC_HDR_LEN
                      ? FC_LEN_UNKNOWN
                      : (uint32_t)(payload + FC_HDR_LEN),
        .type = FC_CT_DATA,
        .code = code,
        .tid = tid,
    };
    fc_hdr_encode(&h, out);
}

uint64_t fc_data_payload_len(const fc_hdr *h)
{
    if (h->length == FC_LEN_UNKNOWN)
        return UINT64_MAX;
    if (h->length < FC_HDR_LEN)
        return 0;
    return h->length - FC_HDR_LEN;
}
