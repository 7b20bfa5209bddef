/*
 * Runs the shared vectors (tests/vectors/frames.txt, generated from frames.json) through
 * the C codec. Usage: test_vectors FILE. Prints one line per failure and a summary;
 * exits 0 only if every vector passes. Static buffers only, like the codec.
 */
#include "listen_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 16384
#define MAX_BYTES 4096

static const char *const COUNTER_NAMES[LF_COUNTER_COUNT] = {
    "frames", "garbage", "truncated", "bad_length", "crc", "oversized", "bad_version", "unknown_type"
};

static char line[MAX_LINE];
static uint8_t bytes_a[MAX_BYTES], bytes_b[MAX_BYTES], out[MAX_BYTES];
static int failures, checked, line_no;

static void fail(const char *kind, const char *name, const char *what)
{
    printf("FAIL line %d %s %s: %s\n", line_no, kind, name, what);
    failures++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse hex ("-" = empty) into buf; returns the length or -1. */
static long parse_hex(const char *s, uint8_t *buf)
{
    size_t n, i;
    if (s == NULL) return -1;
    if (strcmp(s, "-") == 0) return 0;
    n = strlen(s);
    if (n % 2 != 0 || n / 2 > MAX_BYTES) return -1;
    for (i = 0; i < n / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        buf[i] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(n / 2);
}

static int counter_index(const char *name)
{
    int i;
    for (i = 0; i < LF_COUNTER_COUNT; i++)
        if (strcmp(COUNTER_NAMES[i], name) == 0) return i;
    return -1;
}

static void check_crc(void)
{
    const char *data = strtok(NULL, " "), *want = strtok(NULL, " ");
    long n = parse_hex(data, bytes_a);
    if (n < 0 || want == NULL) { fail("crc", "?", "malformed line"); return; }
    if (lf_crc16(bytes_a, (size_t)n) != (uint16_t)strtoul(want, NULL, 16)) fail("crc", data, "mismatch");
}

static void check_cobs(void)
{
    const char *dec = strtok(NULL, " "), *enc = strtok(NULL, " ");
    long nd = parse_hex(dec, bytes_a), ne = parse_hex(enc, bytes_b);
    size_t n = 0;
    if (nd < 0 || ne < 0) { fail("cobs", "?", "malformed line"); return; }
    n = lf_cobs_encode(bytes_a, (size_t)nd, out, sizeof out);
    if (n != (size_t)ne || memcmp(out, bytes_b, n) != 0) fail("cobs", enc, "encode differs");
    if (ne > 1 && lf_cobs_encode(bytes_a, (size_t)nd, out, (size_t)ne - 1) != 0)
        fail("cobs", enc, "encode into a buffer one byte short did not refuse");
    if (lf_cobs_decode(bytes_b, (size_t)ne, out, sizeof out, &n) != LF_OK || n != (size_t)nd ||
        memcmp(out, bytes_a, n) != 0)
        fail("cobs", enc, "decode differs");
}

static void check_cobs_error(void)
{
    const char *enc = strtok(NULL, " ");
    long ne = parse_hex(enc, bytes_b);
    size_t n;
    if (ne < 0) { fail("cobs_error", "?", "malformed line"); return; }
    if (lf_cobs_decode(bytes_b, (size_t)ne, out, sizeof out, &n) != LF_ERR_GARBAGE)
        fail("cobs_error", enc, "decoded without error");
}

static void check_frame(void)
{
    const char *name = strtok(NULL, " ");
    const char *sv = strtok(NULL, " "), *st = strtok(NULL, " "), *ss = strtok(NULL, " ");
    const char *payload = strtok(NULL, " "), *wire = strtok(NULL, " ");
    long np = parse_hex(payload, bytes_a), nw = parse_hex(wire, bytes_b);
    lf_frame f, got;
    lf_decoder dec;
    size_t n = 0;
    long i;
    int frames = 0;
    if (name == NULL || sv == NULL || st == NULL || ss == NULL || np < 0 || nw < 0) {
        fail("frame", "?", "malformed line");
        return;
    }
    f.version = (uint8_t)atoi(sv);
    f.type = (uint8_t)atoi(st);
    f.seq = (uint8_t)atoi(ss);
    f.len = (uint8_t)np;
    memcpy(f.payload, bytes_a, (size_t)np);
    if (lf_frame_encode(&f, out, sizeof out, &n) != LF_OK || n != (size_t)nw || memcmp(out, bytes_b, n) != 0)
        fail("frame", name, "encode differs");
    if (n > LF_MAX_WIRE_FRAME) fail("frame", name, "longer than LF_MAX_WIRE_FRAME");
    lf_decoder_init(&dec);
    for (i = 0; i < nw; i++) {
        int rc = lf_decoder_feed(&dec, bytes_b[i], &got);
        if (rc < 0) fail("frame", name, "decoder dropped it");
        if (rc == 1) frames++;
    }
    if (frames != 1 || got.version != f.version || got.type != f.type || got.seq != f.seq ||
        got.len != f.len || memcmp(got.payload, f.payload, f.len) != 0)
        fail("frame", name, "decode differs");
}

static void check_frame_error(void)
{
    const char *name = strtok(NULL, " "), *counter = strtok(NULL, " "), *enc = strtok(NULL, " ");
    long ne = parse_hex(enc, bytes_b);
    int idx = counter == NULL ? -1 : counter_index(counter);
    lf_frame f;
    lf_decoder dec;
    long i;
    if (name == NULL || idx < 1 || ne < 0) { fail("frame_error", "?", "malformed line"); return; }
    if (lf_frame_decode(bytes_b, (size_t)ne, &f) != -idx) fail("frame_error", name, "wrong error code");
    lf_decoder_init(&dec);
    lf_decoder_feed(&dec, 0, &f);
    for (i = 0; i < ne; i++) lf_decoder_feed(&dec, bytes_b[i], &f);
    if (lf_decoder_feed(&dec, 0, &f) == 1) fail("frame_error", name, "stream decoder accepted it");
    if (dec.counters[idx] != 1) fail("frame_error", name, "stream decoder filed it under another counter");
}

static void check_stream(void)
{
    const char *name = strtok(NULL, " "), *wire = strtok(NULL, " "), *tok;
    long nw = parse_hex(wire, bytes_b), i;
    lf_decoder dec;
    lf_frame f;
    char seqs[MAX_LINE], want_seqs[MAX_LINE] = "";
    size_t used = 0;
    if (name == NULL || nw < 0) { fail("stream", "?", "malformed line"); return; }
    seqs[0] = '\0';
    lf_decoder_init(&dec);
    for (i = 0; i < nw; i++) {
        if (lf_decoder_feed(&dec, bytes_b[i], &f) == 1)
            used += (size_t)snprintf(seqs + used, sizeof seqs - used, "%s%u", used ? "," : "", f.seq);
    }
    if (used == 0) strcpy(seqs, "-");
    while ((tok = strtok(NULL, " ")) != NULL) {
        const char *eq = strchr(tok, '=');
        char key[32];
        int idx;
        if (eq == NULL || (size_t)(eq - tok) >= sizeof key) { fail("stream", name, "malformed field"); continue; }
        memcpy(key, tok, (size_t)(eq - tok));
        key[eq - tok] = '\0';
        if (strcmp(key, "seqs") == 0) {
            strncpy(want_seqs, eq + 1, sizeof want_seqs - 1);
            continue;
        }
        idx = counter_index(key);
        if (idx < 0) { fail("stream", name, "unknown counter"); continue; }
        if (dec.counters[idx] != strtoul(eq + 1, NULL, 10)) {
            char msg[96];
            snprintf(msg, sizeof msg, "counter %s is %lu", key, (unsigned long)dec.counters[idx]);
            fail("stream", name, msg);
        }
    }
    if (strcmp(seqs, want_seqs) != 0) fail("stream", name, "decoded seqs differ");
}

int main(int argc, char **argv)
{
    FILE *fp;
    if (argc != 2) {
        fprintf(stderr, "usage: %s tests/vectors/frames.txt\n", argv[0]);
        return 2;
    }
    fp = fopen(argv[1], "r");
    if (fp == NULL) {
        perror(argv[1]);
        return 2;
    }
    if (lf_crc16((const uint8_t *)"123456789", 9) != 0x29B1u) fail("crc", "check", "check value is not 0x29B1");
    while (fgets(line, sizeof line, fp) != NULL) {
        char *kind;
        line_no++;
        line[strcspn(line, "\r\n")] = '\0';
        kind = strtok(line, " ");
        if (kind == NULL || kind[0] == '#') continue;
        checked++;
        if (strcmp(kind, "crc") == 0) check_crc();
        else if (strcmp(kind, "cobs") == 0) check_cobs();
        else if (strcmp(kind, "cobs_error") == 0) check_cobs_error();
        else if (strcmp(kind, "frame") == 0) check_frame();
        else if (strcmp(kind, "frame_error") == 0) check_frame_error();
        else if (strcmp(kind, "stream") == 0) check_stream();
        else fail(kind, "-", "unknown record kind");
    }
    fclose(fp);
    printf("%d vectors, %d failures\n", checked, failures);
    return failures == 0 && checked > 0 ? 0 : 1;
}
