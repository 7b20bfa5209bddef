"""Write the shared frame-codec test vectors: frames.json (Python tests) and frames.txt (C test).

    .venv/bin/python tests/vectors/make_vectors.py     # rewrites both files

The JSON file is the source of truth and is committed; frames.txt is the same table in a
line format a 100-line C program can parse, and a test checks that it is exactly
`render_txt(frames.json)`. Frame bytes come from the Python codec, so regenerate only on a
deliberate protocol change: the C codec must then be changed to pass them too. The CRC
check value and the COBS examples are fixed external facts, written here by hand.

frames.txt grammar (one record per line, fields separated by one space, `-` = no bytes):
    crc        DATA_HEX CRC_HEX4
    cobs       DECODED_HEX ENCODED_HEX
    cobs_error ENCODED_HEX
    frame      NAME VERSION TYPE SEQ PAYLOAD_HEX WIRE_HEX       (decimal numbers)
    frame_error NAME COUNTER ENCODED_HEX                        (bytes between delimiters)
    stream     NAME WIRE_HEX seqs=S1,S2,.. COUNTER=N ...        (all eight counters)
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
JSON_PATH = HERE / "frames.json"
TXT_PATH = HERE / "frames.txt"

COUNTERS = ("frames", "garbage", "truncated", "bad_length", "crc", "oversized", "bad_version", "unknown_type")

# External facts, not produced by our code.
CRC_VECTORS = [
    ("313233343536373839", "29b1"),  # "123456789": the CRC-16/CCITT-FALSE check value
    ("", "ffff"),  # the initial value, untouched
    ("00", "e1f0"),
    ("41", "b915"),  # "A"
]
# Wikipedia's COBS examples (decoded, encoded), the 254/255 block boundaries among them.
COBS_VECTORS = [
    ("", "01"),
    ("00", "0101"),
    ("0000", "010101"),
    ("001100", "01021101"),
    ("11220033", "0311220233"),
    ("11223344", "0511223344"),
    ("11000000", "0211010101"),
    (bytes(range(1, 255)).hex(), "ff" + bytes(range(1, 255)).hex()),  # 254 non-zero: no trailing code
    (bytes(range(0, 255)).hex(), "01ff" + bytes(range(1, 255)).hex()),
    (bytes(range(1, 256)).hex(), "ff" + bytes(range(1, 255)).hex() + "02ff"),  # 255 non-zero
    (bytes(range(2, 256)).hex() + "00", "ff" + bytes(range(2, 256)).hex() + "0101"),
    (bytes(range(3, 256)).hex() + "0001", "fe" + bytes(range(3, 256)).hex() + "0201"),
]
COBS_ERRORS = [
    "",  # no code byte
    "05112233",  # code runs past the end
    "ff" + "11" * 253,  # a 0xff block one byte short
    "02110311",  # second block runs past the end
]


def build() -> dict:
    sys.path.insert(0, str(HERE.parents[1]))
    from firmware_bridge.uart import cobs
    from firmware_bridge.uart.frame import Frame, StreamDecoder, encode_body, encode_frame
    from firmware_bridge.uart.messages import (
        Ack,
        Button,
        ButtonEvent,
        Capability,
        ConfigKey,
        Heartbeat,
        Hello,
        Led,
        LedPattern,
        Log,
        LogLevel,
        MuteSwitch,
        Nack,
        NackReason,
        Ping,
        SetConfig,
        to_frame,
    )

    messages = [
        ("hello", Hello(0, 1, 0, Capability.BUTTONS | Capability.MUTE_SWITCH | Capability.LED_RING, 2), 0),
        ("button_press", Button(0, ButtonEvent.PRESS), 1),
        ("button_long_press", Button(1, ButtonEvent.LONG_PRESS), 2),
        ("button_release", Button(0, ButtonEvent.RELEASE), 3),
        ("mute_on", MuteSwitch(True), 4),
        ("mute_off", MuteSwitch(False), 255),
        ("heartbeat", Heartbeat(0x00010203), 0),
        ("log", Log(LogLevel.WARNING, "mic gain clipped"), 0),
        ("led_thinking", Led(LedPattern.THINKING, 150, 0, 255, 160), 7),
        ("led_idle_zeros", Led(LedPattern.IDLE, 0, 0, 0, 0), 8),
        ("ping", Ping(), 0),
        ("set_config", SetConfig(ConfigKey.LONG_PRESS_MS, 800), 9),
        ("ack", Ack(), 9),
        ("nack", Nack(NackReason.BUSY), 10),
    ]
    doc: dict = {
        "about": "Shared test vectors of the UART frame codec (PROTOCOL.md). Regenerate with "
        "tests/vectors/make_vectors.py; frames.txt is the same table for the C test.",
        "crc": [{"data_hex": d, "crc_hex": c} for d, c in CRC_VECTORS],
        "cobs": [{"decoded_hex": d, "encoded_hex": e} for d, e in COBS_VECTORS],
        "cobs_errors": [{"encoded_hex": e} for e in COBS_ERRORS],
        "messages": [],
        "frames": [],
        "frame_errors": [],
        "streams": [],
    }
    frames: dict[str, Frame] = {}
    for name, message, seq in messages:
        frame = to_frame(message, seq)
        frames[name] = frame
        doc["messages"].append(
            {"name": name, "class": type(message).__name__, "fields": _fields(message),
             "payload_hex": frame.payload.hex()}
        )
    frames["max_payload_zeros"] = Frame(type=0x05, seq=1, payload=bytes(64))
    frames["max_payload_ff"] = Frame(type=0x05, seq=2, payload=bytes([0xFF]) * 64)
    rng = random.Random(5)
    frames["max_payload_random"] = Frame(type=0x05, seq=3, payload=bytes(rng.randrange(256) for _ in range(64)))
    for name, frame in frames.items():
        doc["frames"].append(
            {"name": name, "version": frame.version, "type": frame.type, "seq": frame.seq,
             "payload_hex": frame.payload.hex(), "wire_hex": encode_frame(frame).hex()}
        )

    good = encode_body(frames["button_press"])  # 01 02 01 02 00 01 crc crc

    def raw_body(version: int, mtype: int, seq: int, payload: bytes, declared: int | None = None) -> bytes:
        from firmware_bridge.uart.crc import crc16

        head = bytes((version, mtype, seq, len(payload) if declared is None else declared)) + payload
        return head + crc16(head).to_bytes(2, "big")

    errors = [
        ("cobs_overrun", "garbage", bytes.fromhex("05112233")),
        ("ascii_noise", "garbage", b"hello world"),
        ("five_bytes", "truncated", cobs.encode(good[:5])),
        ("lost_payload_byte", "truncated", cobs.encode(good[:4] + good[5:])),
        ("declared_longer", "truncated", cobs.encode(raw_body(1, 2, 1, b"\x00\x01", declared=3))),
        ("extra_byte", "bad_length", cobs.encode(good + b"\x42")),
        ("flipped_payload_bit", "crc", cobs.encode(good[:5] + bytes([good[5] ^ 0x01]) + good[6:])),
        ("swapped_crc", "crc", cobs.encode(good[:-2] + good[-1:] + good[-2:-1])),
        ("payload_65", "oversized", cobs.encode(raw_body(1, 5, 1, bytes(range(1, 66))))),
        ("declared_200", "oversized", cobs.encode(raw_body(1, 5, 1, b"abc", declared=200))),
        ("too_long_run", "oversized", b"\x55" * 100),
        ("version_2", "bad_version", cobs.encode(raw_body(2, 2, 1, b"\x00\x01"))),
        ("type_7f", "unknown_type", cobs.encode(raw_body(1, 0x7F, 1, b""))),
    ]
    for name, counter, encoded in errors:
        doc["frame_errors"].append({"name": name, "counter": counter, "encoded_hex": encoded.hex()})

    def wire(name: str) -> bytes:
        return encode_frame(frames[name])

    cut = wire("led_thinking")[:-4]  # a frame whose tail (and delimiter) never arrived
    streams = [
        ("back_to_back", wire("hello") + wire("button_press") + wire("mute_on")),
        ("idle_delimiters", b"\x00\x00\x00" + wire("ping") + b"\x00\x00"),
        ("noise_then_frame", b"\x13\x37\xfe" + wire("button_press")),
        ("cut_frame_then_frame", cut + wire("button_release")),
        ("long_run_then_frame", b"\x55" * 200 + wire("mute_off")),
        ("max_frames", wire("max_payload_zeros") + wire("max_payload_ff") + wire("max_payload_random")),
        (
            "every_error_between_frames",
            wire("hello")
            + b"".join(b"\x00" + bytes.fromhex(e["encoded_hex"]) + b"\x00" + wire("ack")
                       for e in doc["frame_errors"]),
        ),
    ]
    for name, data in streams:
        decoder = StreamDecoder()
        got = decoder.feed(data)
        doc["streams"].append(
            {"name": name, "wire_hex": data.hex(), "seqs": [f.seq for f in got],
             "types": [f.type for f in got], "counters": {c: decoder.counters[c] for c in COUNTERS}}
        )
    return doc


def _fields(message) -> dict:
    import dataclasses
    import enum

    out = {}
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        if isinstance(value, enum.IntFlag):
            out[f.name] = int(value)
        elif isinstance(value, enum.Enum):
            out[f.name] = value.name
        else:
            out[f.name] = value
    return out


def render_txt(doc: dict) -> str:
    """The C test's line format of `doc` (see the module docstring)."""

    def h(s: str) -> str:
        return s or "-"

    lines = ["# generated by tests/vectors/make_vectors.py from frames.json; do not edit"]
    lines += [f"crc {h(v['data_hex'])} {v['crc_hex']}" for v in doc["crc"]]
    lines += [f"cobs {h(v['decoded_hex'])} {v['encoded_hex']}" for v in doc["cobs"]]
    lines += [f"cobs_error {h(v['encoded_hex'])}" for v in doc["cobs_errors"]]
    lines += [
        f"frame {v['name']} {v['version']} {v['type']} {v['seq']} {h(v['payload_hex'])} {v['wire_hex']}"
        for v in doc["frames"]
    ]
    lines += [f"frame_error {v['name']} {v['counter']} {v['encoded_hex']}" for v in doc["frame_errors"]]
    for v in doc["streams"]:
        counters = " ".join(f"{c}={v['counters'][c]}" for c in COUNTERS)
        seqs = ",".join(str(s) for s in v["seqs"]) or "-"
        lines.append(f"stream {v['name']} {v['wire_hex']} seqs={seqs} {counters}")
    return "\n".join(lines) + "\n"


def main() -> None:
    doc = build()
    JSON_PATH.write_text(json.dumps(doc, indent=1) + "\n")
    TXT_PATH.write_text(render_txt(doc))
    print(f"wrote {JSON_PATH} and {TXT_PATH}")


if __name__ == "__main__":
    main()
