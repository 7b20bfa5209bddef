"""A tiny SoundFont writer for the tests: RIFF sfbk with INFO, sdta/smpl and the nine pdta tables.

`tiny_soundfont()` gives a valid SF2 with two presets:
- bank 0 program 0 "Test Tone": an instrument with a global zone (release 0.1 s) and
  - keys 0-63: mono "Low" (220 Hz, recorded at key 57);
  - keys 64-127, velocity 0-63: the stereo pair "High(L)"/"High(R)" (440 Hz, overridingRootKey
    69; the links left at 0, as FluidR3 leaves them, so the pair is found from the zones);
  - keys 64-127, velocity 64-127: mono "High loud" (440 Hz, key 69);
- bank 128 program 0 "Standard": keys 36 "Kick", 38 "Snare", 42 "Hat" (decaying noise bursts).
`vorbis=True` writes an SF3 (ifil 3.1) whose "Low" is an Ogg Vorbis stream (type 0x11).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

import numpy as np

RATE = 32000
MONO, RIGHT, LEFT, VORBIS = 1, 2, 4, 0x10
KEY_RANGE, VEL_RANGE, INSTRUMENT, SAMPLE_ID, ROOT_KEY, RELEASE, SAMPLE_MODES = 43, 44, 41, 53, 58, 38, 54


@dataclass
class Sample:
    name: str
    audio: np.ndarray  # float in [-1, 1]
    pitch: int
    type: int = MONO
    link: int = 0
    ogg: bytes = b""  # SF3: the sample's stored bytes


@dataclass
class Builder:
    samples: list[Sample] = field(default_factory=list)
    instruments: list[tuple[str, list[list[tuple[int, int]]]]] = field(default_factory=list)  # name, zones of gens
    presets: list[tuple[str, int, int, list[list[tuple[int, int]]]]] = field(default_factory=list)
    version: tuple[int, int] = (2, 1)


def sine(freq: float, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.6 * np.sin(2 * np.pi * freq * t) * np.minimum(1.0, (seconds - t) / 0.05)


def burst(seed: int, seconds: float = 0.3, decay: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.7 * rng.uniform(-1, 1, t.size) * np.exp(-t / decay)


def rng_(lo: int, hi: int) -> int:
    return lo | (hi << 8)


def _chunk(cid: bytes, data: bytes) -> bytes:
    return cid + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")


def _list(kind: bytes, chunks: bytes) -> bytes:
    return _chunk(b"LIST", kind + chunks)


def _name(name: str) -> bytes:
    return name.encode("latin-1")[:20].ljust(20, b"\0")


def build(b: Builder) -> bytes:
    """The bytes of a SoundFont of the builder's samples, instruments and presets."""
    smpl, headers = b"", b""
    for s in b.samples:
        if s.type & VORBIS:
            start = len(smpl)
            smpl += s.ogg
            end = len(smpl)
            smpl += b"\0" * (len(smpl) & 1)  # the PCM after it stays 16-bit aligned
            loops = (0, 0)
        else:
            start = len(smpl) // 2
            pcm = (np.clip(s.audio, -1, 1) * 32767).astype("<i2").tobytes()
            smpl += pcm + b"\0" * 92  # 46 zero frames after each sample, as the spec asks
            end = start + len(pcm) // 2
            loops = (start + 8, end - 8)
        headers += struct.pack("<20sIIIIIBbHH", _name(s.name), start, end, *loops, RATE, s.pitch, 0, s.link, s.type)
    headers += struct.pack("<20sIIIIIBbHH", _name("EOS"), 0, 0, 0, 0, 0, 0, 0, 0, 0)

    def tables(items, with_extra):
        head, bags, gens = b"", b"", b""
        bag = gen = 0
        for item in items:
            head += with_extra(item, bag)
            for zone in item[-1]:
                bags += struct.pack("<HH", gen, 0)
                for op, amount in zone:
                    gens += struct.pack("<HH", op, amount & 0xFFFF)
                    gen += 1
                bag += 1
        return head, bags + struct.pack("<HH", gen, 0), gens + struct.pack("<HH", 0, 0), bag

    inst, ibag, igen, n_ibag = tables(b.instruments, lambda it, bag: struct.pack("<20sH", _name(it[0]), bag))
    inst += struct.pack("<20sH", _name("EOI"), n_ibag)
    phdr, pbag, pgen, n_pbag = tables(b.presets, lambda it, bag: struct.pack(
        "<20sHHHIII", _name(it[0]), it[2], it[1], bag, 0, 0, 0))
    phdr += struct.pack("<20sHHHIII", _name("EOP"), 0, 0, n_pbag, 0, 0, 0)
    mods = struct.pack("<HHhHH", 0, 0, 0, 0, 0)
    pdta = (_chunk(b"phdr", phdr) + _chunk(b"pbag", pbag) + _chunk(b"pmod", mods) + _chunk(b"pgen", pgen)
            + _chunk(b"inst", inst) + _chunk(b"ibag", ibag) + _chunk(b"imod", mods) + _chunk(b"igen", igen)
            + _chunk(b"shdr", headers))
    # INFO strings are zero-terminated and of even size (fluidsynth refuses odd ones)
    info = _chunk(b"ifil", struct.pack("<HH", *b.version)) + _chunk(b"INAM", b"Tiny Test Font\0\0")
    body = b"sfbk" + _list(b"INFO", info) + _list(b"sdta", _chunk(b"smpl", smpl)) + _list(b"pdta", pdta)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def ogg_bytes(audio: np.ndarray) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, audio.astype(np.float32), RATE, format="OGG", subtype="VORBIS")
    return buf.getvalue()


def tiny_builder(vorbis: bool = False) -> Builder:
    low = Sample("Low", sine(220), 57)
    if vorbis:
        low.ogg, low.type = ogg_bytes(low.audio), MONO | VORBIS
    samples = [low, Sample("High(L)", sine(440), 69, LEFT), Sample("High(R)", sine(440) * 0.8, 69, RIGHT),
               Sample("High loud", sine(440, 0.6), 69), Sample("Kick", burst(1, decay=0.08), 36),
               Sample("Snare", burst(2), 38), Sample("Hat", burst(3, decay=0.02), 42)]
    tone = [
        [(RELEASE, -3986)],  # global zone: release 2^(-3986/1200) = 0.1 s
        [(KEY_RANGE, rng_(0, 63)), (SAMPLE_MODES, 1), (SAMPLE_ID, 0)],
        [(KEY_RANGE, rng_(64, 127)), (VEL_RANGE, rng_(0, 63)), (ROOT_KEY, 69), (SAMPLE_MODES, 1), (SAMPLE_ID, 1)],
        [(KEY_RANGE, rng_(64, 127)), (VEL_RANGE, rng_(0, 63)), (ROOT_KEY, 69), (SAMPLE_MODES, 1), (SAMPLE_ID, 2)],
        [(KEY_RANGE, rng_(64, 127)), (VEL_RANGE, rng_(64, 127)), (SAMPLE_MODES, 1), (SAMPLE_ID, 3)],
    ]
    kit = [[(KEY_RANGE, rng_(k, k)), (SAMPLE_ID, s)] for k, s in ((36, 4), (38, 5), (42, 6))]
    return Builder(samples, [("Tone", tone), ("Kit", kit)],
                   [("Test Tone", 0, 0, [[(INSTRUMENT, 0)]]), ("Standard", 128, 0, [[(INSTRUMENT, 1)]])],
                   (3, 1) if vorbis else (2, 1))


def tiny_soundfont(vorbis: bool = False) -> bytes:
    return build(tiny_builder(vorbis))
