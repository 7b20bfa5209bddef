/* listen_frame.c: see listen_frame.h. C99, no allocation, no library calls beyond memcpy. */
#include "listen_frame.h"

#include <string.h>

uint16_t lf_crc16(const uint8_t *data, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;
    int bit;
    for (i = 0; i < len; i++) {
        crc ^= (uint16_t)((uint16_t)data[i] << 8);
        for (bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

size_t lf_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap)
{
    size_t code_at = 0, o = 1, i;
    uint8_t code = 1;
    int ended_full = 0;  /* the last block was a full 0xFF block with nothing after it */
    if (out_cap < 1)
        return 0;
    for (i = 0; i < len; i++) {
        ended_full = 0;
        if (in[i] == 0) {
            out[code_at] = code;
            code = 1;
            code_at = o++;
            if (o > out_cap)
                return 0;
            continue;
        }
        if (o >= out_cap)
            return 0;
        out[o++] = in[i];
        if (++code == 0xFFu) {
            out[code_at] = code;
            code = 1;
            ended_full = 1;
            code_at = o++;
            if (o > out_cap && i + 1 < len)
                return 0;
        }
    }
    if (ended_full)
        return o - 1;  /* canonical form: no trailing 0x01 after a full block */
    out[code_at] = code;
    return o;
}

int lf_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t i = 0, o = 0, end;
    uint8_t code;
    if (len == 0)
        return LF_ERR_GARBAGE;
    while (i < len) {
        code = in[i];
        if (code == 0)
            return LF_ERR_GARBAGE;
        end = i + code;
        if (end > len)
            return LF_ERR_GARBAGE;
        for (i = i + 1; i < end; i++) {
            if (in[i] == 0)
                return LF_ERR_GARBAGE;
            if (o >= out_cap)
                return LF_ERR_BUFFER;
            out[o++] = in[i];
        }
        if (code != 0xFFu && i < len) {
            if (o >= out_cap)
                return LF_ERR_BUFFER;
            out[o++] = 0;
        }
    }
    *out_len = o;
    return LF_OK;
}

int lf_known_type(uint8_t type)
{
    switch (type) {
    case LF_HELLO: case LF_BUTTON: case LF_MUTE_SWITCH: case LF_LOG:
    case LF_LED: case LF_PING: case LF_SET_CONFIG:
    case LF_HEARTBEAT: case LF_ACK: case LF_NACK:
        return 1;
    default:
        return 0;
    }
}

int lf_frame_encode(const lf_frame *frame, uint8_t *out, size_t out_cap, size_t *out_len)
{
    uint8_t body[LF_MAX_BODY];
    size_t body_len, n;
    uint16_t crc;
    if (frame->len > LF_MAX_PAYLOAD)
        return LF_ERR_OVERSIZED;
    body[0] = frame->version;
    body[1] = frame->type;
    body[2] = frame->seq;
    body[3] = frame->len;
    memcpy(body + LF_HEADER_SIZE, frame->payload, frame->len);
    body_len = LF_HEADER_SIZE + frame->len;
    crc = lf_crc16(body, body_len);
    body[body_len++] = (uint8_t)(crc >> 8);
    body[body_len++] = (uint8_t)(crc & 0xFFu);
    if (out_cap < 2)
        return LF_ERR_BUFFER;
    out[0] = LF_DELIMITER;
    n = lf_cobs_encode(body, body_len, out + 1, out_cap - 2);
    if (n == 0)
        return LF_ERR_BUFFER;
    out[1 + n] = LF_DELIMITER;
    *out_len = n + 2;
    return LF_OK;
}

/* Same order of checks as firmware_bridge/uart/frame.py, so both file a bad frame alike. */
int lf_frame_decode(const uint8_t *encoded, size_t len, lf_frame *frame)
{
    uint8_t body[LF_MAX_BODY];
    size_t n, expected;
    int rc;
    uint16_t got;
    if (len > LF_MAX_ENCODED_BODY)
        return LF_ERR_OVERSIZED;
    rc = lf_cobs_decode(encoded, len, body, sizeof body, &n);
    if (rc == LF_ERR_BUFFER)
        return LF_ERR_OVERSIZED;  /* cannot happen for len <= LF_MAX_ENCODED_BODY */
    if (rc != LF_OK)
        return rc;
    if (n < LF_MIN_BODY)
        return LF_ERR_TRUNCATED;
    if (body[3] > LF_MAX_PAYLOAD)
        return LF_ERR_OVERSIZED;
    expected = LF_HEADER_SIZE + body[3] + LF_CRC_SIZE;
    if (n < expected)
        return LF_ERR_TRUNCATED;
    if (n > expected)
        return LF_ERR_BAD_LENGTH;
    got = (uint16_t)(((uint16_t)body[n - 2] << 8) | body[n - 1]);
    if (lf_crc16(body, n - LF_CRC_SIZE) != got)
        return LF_ERR_CRC;
    if (body[0] != LF_PROTOCOL_VERSION)
        return LF_ERR_BAD_VERSION;
    if (!lf_known_type(body[1]))
        return LF_ERR_UNKNOWN_TYPE;
    frame->version = body[0];
    frame->type = body[1];
    frame->seq = body[2];
    frame->len = body[3];
    memcpy(frame->payload, body + LF_HEADER_SIZE, body[3]);
    return LF_OK;
}

void lf_decoder_init(lf_decoder *dec)
{
    memset(dec, 0, sizeof *dec);
}

static int counter_of(int status)
{
    return -status;  /* LF_ERR_GARBAGE (-1) -> LF_CNT_GARBAGE (1), ... */
}

int lf_decoder_feed(lf_decoder *dec, uint8_t byte, lf_frame *frame)
{
    int rc;
    if (byte != LF_DELIMITER) {
        if (dec->overflow)
            return 0;
        if (dec->len == sizeof dec->buf) {
            dec->overflow = 1;
            dec->len = 0;
            dec->counters[LF_CNT_OVERSIZED]++;
            return LF_ERR_OVERSIZED;
        }
        dec->buf[dec->len++] = byte;
        return 0;
    }
    if (dec->overflow) {
        dec->overflow = 0;
        return 0;
    }
    if (dec->len == 0)
        return 0;  /* idle line or a leading delimiter */
    rc = lf_frame_decode(dec->buf, dec->len, frame);
    dec->len = 0;
    if (rc != LF_OK) {
        dec->counters[counter_of(rc)]++;
        return rc;
    }
    dec->counters[LF_CNT_FRAMES]++;
    return 1;
}
