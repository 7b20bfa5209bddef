"""The SF2/SF3 reader on a tiny SoundFont written by the test helper: zones, ranges, root keys,
stereo pairs, sample hashes, Ogg-compressed samples, and one-line errors for damaged files."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
import pytest

from tests.training.corpus.sources.soundfont_helpers import (
    LEFT, MONO, RIGHT, VORBIS, Builder, Sample, build, sine, tiny_builder, tiny_soundfont)
from training.corpus.sources.fingerprint import decode, fingerprint
from training.corpus.sources.soundfont import SoundFont
from training.errors import CorpusFileError


@pytest.fixture
def sf2(tmp_path):
    path = tmp_path / "tiny.sf2"
    path.write_bytes(tiny_soundfont())
    return path


def test_presets_zones_ranges_and_root_keys(sf2):
    with SoundFont(sf2) as font:
        assert font.version == (2, 1) and font.name == "Tiny Test Font" and not font.is_sf3
        assert [(p.bank, p.program, p.name) for p in font.presets] == [(0, 0, "Test Tone"), (128, 0, "Standard")]
        tone, kit = font.presets
        zones = [(font.samples[z.sample].name, z.keys, z.vels, z.root_key) for z in tone.zones]
        assert zones == [("Low", (0, 63), (0, 127), 57),  # root: the sample's original pitch
                         ("High(L)", (64, 127), (0, 63), 69), ("High(R)", (64, 127), (0, 63), 69),  # overridingRootKey
                         ("High loud", (64, 127), (64, 127), 69)]
        assert all(z.release_s == pytest.approx(0.1, rel=0.01) for z in tone.zones)  # from the global zone
        assert tone.key_range == (0, 127) and not tone.is_kit
        assert [font.samples[z.sample].name for z in tone.sounding(72, 30)] == ["High(L)", "High(R)"]
        assert [font.samples[z.sample].name for z in tone.sounding(72, 100)] == ["High loud"]
        assert kit.is_kit and [(z.keys, z.root_key) for z in kit.zones] == [((36, 36), 36), ((38, 38), 38),
                                                                           ((42, 42), 42)]
        assert kit.sounding(40, 100) == ()


def test_sample_bytes_and_hashes(sf2):
    b = tiny_builder()
    with SoundFont(sf2) as font:
        low = (np.clip(b.samples[0].audio, -1, 1) * 32767).astype("<i2").tobytes()
        assert font.sample_bytes(0) == low  # the 16-bit slice of smpl, not its 46 trailing zero frames
        assert font.sample_sha256(0) == hashlib.sha256(low).hexdigest()
        assert b"".join(font.sample_chunks(0, block=1000)) == low  # read in bounded blocks
        # the stereo pair is one recording: found from the zones (links are 0), left first
        assert font.pair_of(1) == font.pair_of(2) == (1, 2)
        assert font.recording_sha256(1) == font.recording_sha256(2) != font.sample_sha256(1)
        assert font.pair_of(3) == (3,) and font.recording_sha256(3) == font.sample_sha256(3)


def test_stereo_pairs_by_sample_links(tmp_path):
    b = Builder([Sample("A(L)", sine(300), 60, LEFT, link=1), Sample("A(R)", sine(300), 60, RIGHT, link=0),
                 Sample("B", sine(500), 60, MONO)],
                [("I", [[(53, 0)], [(43, 0 | (40 << 8)), (53, 1)], [(53, 2)]])], [("P", 0, 5, [[(41, 0)]])])
    path = tmp_path / "links.sf2"
    path.write_bytes(build(b))
    with SoundFont(path) as font:
        assert font.pair_of(0) == font.pair_of(1) == (0, 1)  # zones differ: paired by the links
        assert font.pair_of(2) == (2,)


def test_sf3_vorbis_sample_is_its_ogg_stream(tmp_path):
    path = tmp_path / "tiny.sf3"
    b = tiny_builder(vorbis=True)  # libvorbis picks a random stream serial: write this builder's bytes
    path.write_bytes(build(b))
    with SoundFont(path) as font:
        assert font.is_sf3 and font.samples[0].compressed and font.samples[0].type == MONO | VORBIS
        assert font.sample_bytes(0) == b.samples[0].ogg and font.sample_bytes(0)[:4] == b"OggS"
        assert font.sample_sha256(0) == hashlib.sha256(b.samples[0].ogg).hexdigest()
        x, rate = decode(font, 0)  # libsndfile decodes the Vorbis stream
        assert rate == 32000 and abs(x.size - b.samples[0].audio.size) < 2000
        assert not font.samples[1].compressed and font.sample_bytes(3)[:4] != b"OggS"
        fp = fingerprint(font, (0,))
        assert fp["dur"] == pytest.approx(0.5, abs=0.05) and len(fp["bands"]) == 32 and len(fp["env"]) == 16


def test_unreadable_ogg_sample_is_one_line_error(tmp_path):
    b = tiny_builder(vorbis=True)
    b.samples[0].ogg = b"OggS" + bytes(range(256)) * 4  # the header of a stream, then garbage
    path = tmp_path / "bad-ogg.sf3"
    path.write_bytes(build(b))
    with SoundFont(path) as font:  # the reader does not decode: hashing needs the bytes only
        assert font.sample_sha256(0) == hashlib.sha256(b.samples[0].ogg).hexdigest()
        with pytest.raises(CorpusFileError, match="'Low' is not a readable Ogg Vorbis stream") as err:
            fingerprint(font, (0,))
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def _one_line_error(path, match):
    with pytest.raises(CorpusFileError, match=match) as err:
        SoundFont(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_damaged_files_give_one_line_errors(tmp_path, sf2):
    data = sf2.read_bytes()
    cases = {
        "empty.sf2": (b"", "not a SoundFont"),
        "text.sf2": (b"hello, I am not a SoundFont at all", "not a SoundFont"),
        "half.sf2": (data[:len(data) // 2], "truncated"),
        "wrong-riff-size.sf2": (data[:4] + struct.pack("<I", len(data) * 2) + data[8:], "truncated"),
    }
    for name, (payload, match) in cases.items():
        path = tmp_path / name
        path.write_bytes(payload)
        _one_line_error(path, match)
    _one_line_error(tmp_path / "missing.sf2", "cannot open")


def test_inconsistent_tables_give_one_line_errors(tmp_path):
    b = tiny_builder()
    b.samples[0].type = MONO | VORBIS  # Ogg-flagged sample in a version 2 file
    path = tmp_path / "flag.sf2"
    path.write_bytes(build(b))
    _one_line_error(path, "Ogg-compressed")

    b = tiny_builder()
    b.instruments[0][1][1][-1] = (53, 42)  # a zone names sample 42 of 7
    path = tmp_path / "sample-id.sf2"
    path.write_bytes(build(b))
    _one_line_error(path, "names sample 42")

    data = bytearray(tiny_soundfont())
    at = data.find(b"shdr") + 8
    struct.pack_into("<I", data, at + 24, 10**8)  # the first sample ends far past smpl
    path = tmp_path / "sample-end.sf2"
    path.write_bytes(bytes(data))
    _one_line_error(path, "outside smpl")

    data = bytearray(tiny_soundfont())
    at = data.find(b"pbag")
    struct.pack_into("<I", data, at + 4, struct.unpack_from("<I", data, at + 4)[0] - 2)  # 2 bytes short
    data[at + 8 + struct.unpack_from("<I", data, at + 4)[0]:at + 10 + struct.unpack_from("<I", data, at + 4)[0]] = b""
    struct.pack_into("<I", data, 4, len(data) - 8)
    lst = data.find(b"pdta") - 8
    struct.pack_into("<I", data, lst + 4, struct.unpack_from("<I", data, lst + 4)[0] - 2)
    path = tmp_path / "record-size.sf2"
    path.write_bytes(bytes(data))
    _one_line_error(path, "whole number")
