"""A reader of SoundFont 2 (.sf2) and MuseScore's SoundFont 3 (.sf3) files: presets, zones, samples.

The file is RIFF `sfbk` with three lists:
- `INFO`: `ifil` (version: 2.x, or 3.x for SF3), `INAM` (bank name), ...;
- `sdta`: `smpl`, the sample data (SF2: 16-bit little-endian PCM, every sample header counting
  in frames; SF3: a sample whose type has bit 0x10 is an Ogg Vorbis stream and its header counts
  in bytes of `smpl`); `sm24` (the low bytes of 24-bit samples) is ignored;
- `pdta`: nine tables of fixed-size records, each ending with a terminal record:
  `phdr` presets (38 bytes) -> `pbag` zones (4) -> `pgen` generators (4) naming an instrument;
  `inst` instruments (22) -> `ibag` zones (4) -> `igen` generators (4) naming a sample;
  `shdr` sample headers (46); `pmod`/`imod` (modulators) are not needed here.

A zone's key and velocity ranges are those of its preset zone and its instrument zone
intersected (a local generator replaces its global zone's); its root key is the instrument
zone's overridingRootKey, else the sample's original pitch. The file is memory-mapped: sample
data is hashed from the map, never copied whole (FluidR3_GM.sf2 is 148 MB). A damaged or
truncated file raises one CorpusFileError naming it.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from training.errors import CorpusFileError

# generator operators (SoundFont 2.04, section 8.1.2)
GEN_RELEASE_VOL_ENV = 38  # timecents
GEN_INSTRUMENT = 41
GEN_KEY_RANGE = 43
GEN_VEL_RANGE = 44
GEN_SAMPLE_ID = 53
GEN_OVERRIDING_ROOT_KEY = 58
RANGE_GENS = (GEN_KEY_RANGE, GEN_VEL_RANGE)

# sample types (sfSampleType): a stereo pair is a left and a right sample linked to each other
MONO, RIGHT, LEFT, LINKED = 1, 2, 4, 8
VORBIS = 0x10  # SF3: the sample's bytes in smpl are an Ogg Vorbis stream
ROM = 0x8000  # data in a synthesizer's ROM, not in the file

PERCUSSION_BANK = 128
RELEASE_DEFAULT_TC = -12000  # releaseVolEnv's default: about 1 ms
_RECORDS = {"phdr": 38, "pbag": 4, "pmod": 10, "pgen": 4, "inst": 22, "ibag": 4, "imod": 10, "igen": 4, "shdr": 46}


@dataclass(frozen=True)
class SampleHeader:
    index: int
    name: str
    start: int  # SF2: frame in smpl; SF3 compressed: byte offset in smpl
    end: int
    rate: int
    original_pitch: int  # MIDI key of the recording (255 = unpitched: 60)
    link: int  # the other side of a stereo pair
    type: int

    @property
    def compressed(self) -> bool:
        return bool(self.type & VORBIS)

    @property
    def side(self) -> int:
        """MONO, LEFT, RIGHT or LINKED, without the VORBIS and ROM flags."""
        return self.type & 0x0F


@dataclass(frozen=True)
class Zone:
    """One sample as a preset plays it: the keys and velocities that sound it."""
    sample: int  # index into SoundFont.samples
    instrument: str
    keys: tuple[int, int]  # inclusive MIDI key range
    vels: tuple[int, int]  # inclusive velocity range
    root_key: int
    release_s: float  # volume envelope release: how long the note rings after note-off

    def plays(self, key: int, vel: int) -> bool:
        return self.keys[0] <= key <= self.keys[1] and self.vels[0] <= vel <= self.vels[1]


@dataclass(frozen=True)
class Preset:
    name: str
    bank: int
    program: int
    zones: tuple[Zone, ...]

    @property
    def is_kit(self) -> bool:
        return self.bank == PERCUSSION_BANK

    @property
    def key_range(self) -> tuple[int, int]:
        return (min(z.keys[0] for z in self.zones), max(z.keys[1] for z in self.zones)) if self.zones else (0, -1)

    def sounding(self, key: int, vel: int) -> tuple[Zone, ...]:
        """Every zone a note sounds (a stereo pair, layers): what the synthesizer plays."""
        return tuple(z for z in self.zones if z.plays(key, vel))


@dataclass(frozen=True)
class _InstZone:
    sample: int
    keys: tuple[int, int]
    vels: tuple[int, int]
    root_key: int
    release_tc: int  # timecents; the preset zone adds its own offset


@dataclass(frozen=True)
class _Chunk:
    offset: int  # of the data, in the file
    size: int


class SoundFont:
    """An open SF2/SF3 file. Use as a context manager (it holds a memory map)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._hashes: dict[tuple[int, ...], str] = {}  # sample data is hashed once per file
        try:
            self._file = open(self.path, "rb")
        except OSError as err:
            raise CorpusFileError(f"{self.path}: cannot open the SoundFont ({err.strerror or err})") from None
        try:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as err:  # an empty file cannot be mapped
            self._file.close()
            raise CorpusFileError(f"{self.path}: not a SoundFont ({err})") from None
        try:
            self.version, self.name, self._smpl, pdta = self._read_riff()
            self.samples = self._read_samples(pdta["shdr"])
            self._partner: dict[int, int] = {}  # stereo pairs: sample -> the other side
            self._pair_by_links()
            self.presets = self._read_presets(pdta)  # pairs the samples the links leave unpaired
        except (struct.error, IndexError, UnicodeDecodeError) as err:
            self.close()
            raise CorpusFileError(f"{self.path}: damaged SoundFont ({err})") from None
        except CorpusFileError:
            self.close()
            raise

    def __enter__(self) -> SoundFont:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if not self._map.closed:
            self._map.close()
        self._file.close()

    @property
    def is_sf3(self) -> bool:
        return self.version[0] >= 3

    # -- sample data ---------------------------------------------------------------------
    def sample_span(self, index: int) -> tuple[int, int]:
        """(file offset, byte length) of a sample's data in smpl."""
        s = self.samples[index]
        width = 1 if s.compressed else 2
        return self._smpl.offset + s.start * width, (s.end - s.start) * width

    def sample_chunks(self, index: int, block: int = 1 << 20) -> Iterator[bytes]:
        """The sample's raw bytes (PCM16 or an Ogg stream), in blocks: memory stays bounded."""
        offset, size = self.sample_span(index)
        for at in range(offset, offset + size, block):
            yield self._map[at:min(at + block, offset + size)]

    def sample_bytes(self, index: int) -> bytes:
        return b"".join(self.sample_chunks(index))

    def sample_sha256(self, index: int) -> str:
        if (index,) not in self._hashes:
            h = hashlib.sha256()
            for block in self.sample_chunks(index):
                h.update(block)
            self._hashes[(index,)] = h.hexdigest()
        return self._hashes[(index,)]

    def pair_of(self, index: int) -> tuple[int, ...]:
        """The sample and its stereo partner (left first), or the sample alone."""
        other = self._partner.get(index)
        if other is None:
            return (index,)
        return (index, other) if self.samples[index].side == LEFT else (other, index)

    def _pair(self, a: int, b: int) -> None:
        sa, sb = self.samples[a], self.samples[b]
        if a != b and {sa.side, sb.side} == {LEFT, RIGHT} and a not in self._partner and b not in self._partner:
            self._partner[a], self._partner[b] = b, a

    def _pair_by_links(self) -> None:
        """Pairs by sample links. Many files leave the links at 0 (FluidR3, MuseScore_General):
        their pairs are found from instrument zones afterwards (see _pair_zones)."""
        for s in self.samples:
            if s.side in (LEFT, RIGHT) and 0 <= s.link < len(self.samples) and self.samples[s.link].link == s.index:
                self._pair(s.index, s.link)

    def recording_sha256(self, index: int) -> str:
        """One hash for what was recorded once: a stereo pair's two sides hashed together."""
        pair = self.pair_of(index)
        if len(pair) == 1:
            return self.sample_sha256(index)
        if pair not in self._hashes:
            h = hashlib.sha256(b"stereo-pair\0")
            for i in pair:
                for block in self.sample_chunks(i):
                    h.update(block)
            self._hashes[pair] = h.hexdigest()
        return self._hashes[pair]

    # -- parsing ---------------------------------------------------------------------------
    def _fail(self, why: str) -> CorpusFileError:
        return CorpusFileError(f"{self.path}: damaged SoundFont ({why})")

    def _chunks(self, start: int, end: int) -> Iterator[tuple[bytes, _Chunk]]:
        at = start
        while at + 8 <= end:
            cid, size = struct.unpack_from("<4sI", self._map, at)
            if at + 8 + size > end:
                raise self._fail(f"chunk {cid.decode('latin-1')!r} at byte {at} runs past the end: truncated?")
            yield cid, _Chunk(at + 8, size)
            at += 8 + size + (size & 1)

    def _inside(self, lst: _Chunk) -> Iterator[tuple[bytes, _Chunk]]:
        """The chunks of a LIST (after its 4-byte type)."""
        return self._chunks(lst.offset + 4, lst.offset + lst.size)

    def _read_riff(self) -> tuple[tuple[int, int], str, _Chunk, dict[str, bytes]]:
        m = self._map
        if len(m) < 12 or m[0:4] != b"RIFF" or m[8:12] != b"sfbk":
            raise CorpusFileError(f"{self.path}: not a SoundFont (no RIFF sfbk header)")
        riff_end = 8 + struct.unpack_from("<I", m, 4)[0]
        if riff_end > len(m):
            raise self._fail(f"the RIFF header says {riff_end} bytes, the file has {len(m)}: truncated")
        lists = {bytes(m[c.offset:c.offset + 4]): c for cid, c in self._chunks(12, riff_end)
                 if cid == b"LIST" and c.size >= 4}
        missing = [n for n in ("INFO", "sdta", "pdta") if n.encode() not in lists]
        if missing:
            raise self._fail(f"no {', '.join(missing)} list")
        info = dict(self._inside(lists[b"INFO"]))
        if b"ifil" not in info or info[b"ifil"].size < 4:
            raise self._fail("no ifil version")
        version = struct.unpack_from("<HH", m, info[b"ifil"].offset)
        name = _cstr(m[info[b"INAM"].offset:info[b"INAM"].offset + info[b"INAM"].size]) if b"INAM" in info else ""
        smpl = dict(self._inside(lists[b"sdta"])).get(b"smpl")
        if smpl is None:
            raise self._fail("no smpl chunk")
        pdta = {cid.decode("latin-1"): bytes(m[c.offset:c.offset + c.size])  # a few MB: copied once
                for cid, c in self._inside(lists[b"pdta"])}
        for table, width in _RECORDS.items():
            if table not in pdta:
                raise self._fail(f"no {table} table")
            if len(pdta[table]) % width or len(pdta[table]) < width:
                raise self._fail(f"{table} is {len(pdta[table])} bytes, not a whole number of {width}-byte records")
        return version, name, smpl, pdta

    def _read_samples(self, shdr: bytes) -> tuple[SampleHeader, ...]:
        out = []
        rows = list(struct.iter_unpack("<20sIIIIIBbHH", shdr))[:-1]  # the last is the terminal EOS
        for i, (name, start, end, _ls, _le, rate, pitch, _corr, link, stype) in enumerate(rows):
            s = SampleHeader(i, _cstr(name), start, end, rate, pitch, link, stype)
            if not s.type & ROM:
                width = 1 if s.compressed else 2
                if s.compressed and not self.is_sf3:
                    raise self._fail(f"sample {s.name!r} is Ogg-compressed (type 0x10) in a version "
                                     f"{self.version[0]} file")
                if end < start or end * width > self._smpl.size:
                    raise self._fail(f"sample {s.name!r} spans {start}-{end}, outside smpl "
                                     f"({self._smpl.size // width} {'bytes' if width == 1 else 'frames'})")
            out.append(s)
        return tuple(out)

    def _read_presets(self, pdta: dict[str, bytes]) -> tuple[Preset, ...]:
        instruments = self._read_instruments(pdta)
        bags = list(struct.iter_unpack("<HH", pdta["pbag"]))
        gens = list(struct.iter_unpack("<HH", pdta["pgen"]))
        presets = []
        rows = list(struct.iter_unpack("<20sHHHIII", pdta["phdr"]))
        for (name, program, bank, bag, *_), nxt in zip(rows, rows[1:]):
            zones = _zones(bags, gens, bag, nxt[3], GEN_INSTRUMENT, self._fail)
            out = []
            for gen in zones:
                inst = gen.get(GEN_INSTRUMENT)
                if inst is None or inst >= len(instruments):
                    raise self._fail(f"preset {_cstr(name)!r} names instrument {inst} of {len(instruments)}")
                iname, izones = instruments[inst]
                pkeys, pvels = _range(gen.get(GEN_KEY_RANGE)), _range(gen.get(GEN_VEL_RANGE))
                prelease = _signed(gen.get(GEN_RELEASE_VOL_ENV, 0))
                for z in izones:
                    keys, vels = _meet(pkeys, z.keys), _meet(pvels, z.vels)
                    if keys and vels:
                        release = 2.0 ** ((z.release_tc + prelease) / 1200.0)
                        out.append(Zone(z.sample, iname, keys, vels, z.root_key, round(min(release, 100.0), 4)))
            presets.append(Preset(_cstr(name), bank, program, tuple(out)))
        return tuple(sorted(presets, key=lambda p: (p.bank, p.program, p.name)))

    def _read_instruments(self, pdta: dict[str, bytes]) -> list[tuple[str, list[_InstZone]]]:
        bags = list(struct.iter_unpack("<HH", pdta["ibag"]))
        gens = list(struct.iter_unpack("<HH", pdta["igen"]))
        rows = list(struct.iter_unpack("<20sH", pdta["inst"]))
        out = []
        for (name, bag), nxt in zip(rows, rows[1:]):
            zones: list[_InstZone] = []
            for gen in _zones(bags, gens, bag, nxt[1], GEN_SAMPLE_ID, self._fail):
                sid = gen[GEN_SAMPLE_ID]
                if sid >= len(self.samples):
                    raise self._fail(f"instrument {_cstr(name)!r} names sample {sid} of {len(self.samples)}")
                if self.samples[sid].type & ROM:
                    continue
                root = gen.get(GEN_OVERRIDING_ROOT_KEY, 0xFFFF)
                root = _signed(root) if root != 0xFFFF and _signed(root) >= 0 else self.samples[sid].original_pitch
                root = 60 if root > 127 else root
                zones.append(_InstZone(sid, _range(gen.get(GEN_KEY_RANGE)), _range(gen.get(GEN_VEL_RANGE)), root,
                                       _signed(gen.get(GEN_RELEASE_VOL_ENV, RELEASE_DEFAULT_TC & 0xFFFF))))
            self._pair_zones(zones)
            out.append((_cstr(name), zones))
        return out

    def _pair_zones(self, zones: list[_InstZone]) -> None:
        """A left and a right sample on the same keys and velocities of one instrument are a
        stereo pair (when the file's sample links are not set)."""
        by_range: dict[tuple, list[int]] = {}
        for z in zones:
            by_range.setdefault((z.keys, z.vels), []).append(z.sample)
        for samples in by_range.values():
            left = [s for s in set(samples) if self.samples[s].side == LEFT]
            right = [s for s in set(samples) if self.samples[s].side == RIGHT]
            if len(left) == 1 and len(right) == 1:
                self._pair(left[0], right[0])


def _zones(bags: list, gens: list, first: int, last: int, terminal: int, fail) -> list[dict[int, int]]:
    """The generators of zones first..last-1, each merged over the list's global zone (the first
    zone when it lacks the terminal generator); zones without the terminal one are dropped."""
    if not 0 <= first <= last < len(bags):
        raise fail(f"zone index {first}-{last} outside the {len(bags)} zones")
    out, global_ = [], {}
    for z in range(first, last):
        g0, g1 = bags[z][0], bags[z + 1][0]
        if not 0 <= g0 <= g1 <= len(gens):
            raise fail(f"generator index {g0}-{g1} outside the {len(gens)} generators")
        gen = {op: amount for op, amount in gens[g0:g1]}
        if terminal not in gen:
            if z == first:
                global_ = gen
            continue
        out.append({**global_, **gen})
    return out


def _range(amount: int | None) -> tuple[int, int]:
    if amount is None:
        return (0, 127)
    return (amount & 0xFF, amount >> 8)


def _meet(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    lo, hi = max(a[0], b[0]), min(a[1], b[1], 127)
    return (lo, hi) if lo <= hi else None


def _signed(amount: int) -> int:
    return amount - 0x10000 if amount >= 0x8000 else amount


def _cstr(raw: bytes) -> str:
    return bytes(raw).split(b"\0", 1)[0].decode("latin-1").strip()
