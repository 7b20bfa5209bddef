"""A reader of Gravis UltraSound patches (.pat, "GF1PATCH110"): the samples of one instrument.

The file is little-endian, fixed-size headers, then each sample's data right after its header:
- file header, 129 bytes: `GF1PATCH110\\0` or `GF1PATCH100\\0` (12), `ID#000002\\0` (10),
  description (60), instruments (1), voices (1), channels (1), waveforms (2), master volume (2),
  data size (4), reserved (36);
- instrument header, 63 bytes: id (2), name (16), size (4), layers (1), reserved (40);
- layer header, 47 bytes: duplicate (1), layer (1), size (4), samples (1), reserved (40);
- per sample, a 96-byte header then `length` bytes of data: name (7), fractions (1), length (4),
  loop start (4), loop end (4) (byte offsets into the data), sample rate (2), low, high and root
  frequency (4 each, in milli-hertz: the keys it plays and the pitch it was recorded at), tune (2),
  balance (1, 0-15 = left-right), envelope rates and offsets (6 + 6), tremolo and vibrato
  (3 + 3), modes (1: 0x01 16-bit, 0x02 unsigned, 0x04 looped, 0x08 ping-pong loop, 0x10
  backward), scale frequency (2), scale factor (2), reserved (36).
Only the first layer of the first instrument is read (what TiMidity plays; FreePats has no
other). A damaged or truncated file raises one CorpusFileError naming it.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

from training.errors import CorpusFileError

MAGICS = (b"GF1PATCH110\0", b"GF1PATCH100\0")
FILE_HEADER, INSTRUMENT_HEADER, LAYER_HEADER, SAMPLE_HEADER = 129, 63, 47, 96
MODE_16BIT, MODE_UNSIGNED, MODE_LOOP, MODE_PINGPONG, MODE_BACKWARD = 0x01, 0x02, 0x04, 0x08, 0x10


@dataclass(frozen=True)
class PatchSample:
    index: int
    name: str
    rate: int
    low_hz: float  # the lowest pitch it plays
    high_hz: float
    root_hz: float  # the pitch it was recorded at
    balance: int  # 0 (left) - 15 (right); 7 is the centre
    modes: int
    loop: tuple[int, int]  # loop start and end, in frames
    pcm: bytes  # as stored: 8- or 16-bit, signed or unsigned

    @property
    def root_key(self) -> int:
        """The MIDI key nearest the root frequency."""
        return max(0, min(127, round(69 + 12 * math.log2(self.root_hz / 440.0)))) if self.root_hz > 0 else 60

    @property
    def looped(self) -> bool:
        return bool(self.modes & MODE_LOOP)

    def audio(self):
        """The samples as float32 in [-1, 1] (numpy)."""
        import numpy as np

        if self.modes & MODE_16BIT:
            dtype = "<u2" if self.modes & MODE_UNSIGNED else "<i2"
            raw = np.frombuffer(self.pcm[: len(self.pcm) // 2 * 2], dtype=dtype)
            x = raw.astype(np.float32) - (32768.0 if self.modes & MODE_UNSIGNED else 0.0)
            return x / 32768.0
        raw = np.frombuffer(self.pcm, dtype=np.uint8 if self.modes & MODE_UNSIGNED else np.int8)
        return (raw.astype(np.float32) - (128.0 if self.modes & MODE_UNSIGNED else 0.0)) / 128.0


@dataclass(frozen=True)
class Patch:
    path: Path
    description: str
    name: str  # the instrument's name
    samples: tuple[PatchSample, ...]


def read_patch(path: Path | str) -> Patch:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CorpusFileError(f"{path}: cannot read the patch ({err.strerror or err})") from None
    try:
        return _parse(path, data)
    except (struct.error, UnicodeDecodeError) as err:
        raise CorpusFileError(f"{path}: damaged GUS patch ({err})") from None


def _parse(path: Path, data: bytes) -> Patch:
    if data[:12] not in MAGICS:
        raise CorpusFileError(f"{path}: not a GUS patch (no GF1PATCH header)")
    description = _cstr(data[22:82])
    instruments, = struct.unpack_from("<B", data, 82)
    if instruments < 1:
        raise CorpusFileError(f"{path}: damaged GUS patch (no instrument)")
    at = FILE_HEADER
    name = _cstr(data[at + 2:at + 18])
    layers, = struct.unpack_from("<B", data, at + 22)
    if layers < 1:
        raise CorpusFileError(f"{path}: damaged GUS patch (no layer)")
    at += INSTRUMENT_HEADER
    count, = struct.unpack_from("<B", data, at + 6)
    at += LAYER_HEADER
    samples = []
    for i in range(count):
        if at + SAMPLE_HEADER > len(data):
            raise CorpusFileError(f"{path}: damaged GUS patch (sample {i} of {count} runs past the end: truncated?)")
        (wname, _frac, length, loop_start, loop_end, rate, low, high, root, _tune, balance) = struct.unpack_from(
            "<7sBIIIHIIIhB", data, at)
        modes = data[at + 55]
        at += SAMPLE_HEADER
        if at + length > len(data):
            raise CorpusFileError(f"{path}: damaged GUS patch (sample {_cstr(wname)!r} runs past the end: truncated?)")
        width = 2 if modes & MODE_16BIT else 1
        frames = length // width
        loop = (min(loop_start // width, frames), min(loop_end // width, frames))
        samples.append(PatchSample(i, _cstr(wname), rate, low / 1000.0, high / 1000.0, root / 1000.0, balance, modes,
                                   loop, data[at:at + length]))
        at += length
    return Patch(path, description, name, tuple(samples))


def _cstr(raw: bytes) -> str:
    return bytes(raw).split(b"\0", 1)[0].decode("latin-1").strip()
