/*
 * listen_frame: the UART frame codec of LISTEN-Edge for firmware (C99, no dynamic allocation).
 *
 * Wire grammar (firmware_bridge/PROTOCOL.md is normative):
 *
 *   frame   := 0x00 cobs(body) 0x00
 *   body    := version:u8 type:u8 seq:u8 len:u8 payload[len] crc:u16be
 *   crc     := CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor)
 *              over version..payload; lf_crc16("123456789", 9) == 0x29B1
 *
 * Tested against tests/vectors/frames.txt, the same vectors as the Python codec.
 * Message payload layouts (section 5 of PROTOCOL.md) are left to the firmware.
 */
#ifndef LISTEN_FRAME_H
#define LISTEN_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LF_PROTOCOL_VERSION 1u
#define LF_DELIMITER 0x00u
#define LF_HEADER_SIZE 4u
#define LF_CRC_SIZE 2u
#define LF_MAX_PAYLOAD 64u
#define LF_MIN_BODY (LF_HEADER_SIZE + LF_CRC_SIZE)
#define LF_MAX_BODY (LF_HEADER_SIZE + LF_MAX_PAYLOAD + LF_CRC_SIZE)          /* 70 */
#define LF_MAX_ENCODED_BODY (LF_MAX_BODY + (LF_MAX_BODY + 253u) / 254u)       /* 71 */
#define LF_MAX_WIRE_FRAME (LF_MAX_ENCODED_BODY + 2u)                          /* 73 */

/* Message types (the `type` byte). */
enum lf_type {
    LF_HELLO = 0x01, LF_BUTTON = 0x02, LF_MUTE_SWITCH = 0x03, LF_LOG = 0x05,
    LF_LED = 0x10, LF_PING = 0x11, LF_SET_CONFIG = 0x12,
    LF_HEARTBEAT = 0x20, LF_ACK = 0x21, LF_NACK = 0x22
};

/* Results; each negative value names the counter a dropped frame is filed under. */
enum lf_status {
    LF_OK = 0,
    LF_ERR_GARBAGE = -1,      /* not valid COBS */
    LF_ERR_TRUNCATED = -2,    /* shorter than header + CRC + declared payload */
    LF_ERR_BAD_LENGTH = -3,   /* bytes after the declared payload and CRC */
    LF_ERR_CRC = -4,
    LF_ERR_OVERSIZED = -5,    /* payload > LF_MAX_PAYLOAD or run > LF_MAX_ENCODED_BODY */
    LF_ERR_BAD_VERSION = -6,
    LF_ERR_UNKNOWN_TYPE = -7,
    LF_ERR_BUFFER = -8        /* the caller's output buffer is too small (never from a decoder) */
};

/* Counter indices of lf_decoder.counters, in the order of the Python COUNTERS tuple. */
enum lf_counter {
    LF_CNT_FRAMES = 0, LF_CNT_GARBAGE, LF_CNT_TRUNCATED, LF_CNT_BAD_LENGTH, LF_CNT_CRC,
    LF_CNT_OVERSIZED, LF_CNT_BAD_VERSION, LF_CNT_UNKNOWN_TYPE, LF_COUNTER_COUNT
};

typedef struct {
    uint8_t version;
    uint8_t type;
    uint8_t seq;
    uint8_t len;                       /* payload bytes used */
    uint8_t payload[LF_MAX_PAYLOAD];
} lf_frame;

typedef struct {
    uint8_t buf[LF_MAX_ENCODED_BODY];  /* the current run between delimiters */
    size_t len;
    int overflow;                      /* the current run was already dropped as oversized */
    uint32_t counters[LF_COUNTER_COUNT];
} lf_decoder;

uint16_t lf_crc16(const uint8_t *data, size_t len);

/* COBS-encode len bytes; returns the encoded length, or 0 if out_cap is too small. */
size_t lf_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap);

/* Decode a COBS run (no delimiters); LF_OK and *out_len, LF_ERR_GARBAGE or LF_ERR_BUFFER. */
int lf_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

/* Wire bytes of a frame, both delimiters included (at most LF_MAX_WIRE_FRAME). */
int lf_frame_encode(const lf_frame *frame, uint8_t *out, size_t out_cap, size_t *out_len);

/* Decode the bytes between two delimiters; LF_OK or one of the LF_ERR_ codes. */
int lf_frame_decode(const uint8_t *encoded, size_t len, lf_frame *frame);

int lf_known_type(uint8_t type);

void lf_decoder_init(lf_decoder *dec);

/* Feed one received byte. Returns 1 when *frame holds a new valid frame, 0 when nothing
 * completed, or a negative LF_ERR_ code when a frame was dropped (already counted). */
int lf_decoder_feed(lf_decoder *dec, uint8_t byte, lf_frame *frame);

#ifdef __cplusplus
}
#endif
#endif /* LISTEN_FRAME_H */
