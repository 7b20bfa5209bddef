"""GUS patches (gus.py, freepats.py): a tiny .pat writer, the reader's fields, a looped sample
played on through its loop, one labelled WAV per sample with the render manifest, the patch's
samples in one split group, and the stamp that only patch packages carry."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from training.corpus.sources import debian
from training.corpus.sources.debian import SourcePackage, stamp_for
from training.corpus.sources.discover import discover_package
from training.corpus.sources.freepats import PatchSettings, instrument_of, played, render_patches
from training.corpus.sources.gus import MODE_16BIT, MODE_LOOP, MODE_UNSIGNED, read_patch
from training.corpus.sources.render import MANIFEST, RENDERED
from training.errors import CorpusFileError

RATE = 22050
FOLDER = "usr/share/midi/freepats/"


def _sample(name: str, pcm: bytes, modes: int, loop: tuple[int, int], root_hz: float, balance: int = 7) -> bytes:
    head = struct.pack("<7sBIIIHIIIhB", name.encode()[:7], 0, len(pcm), loop[0], loop[1], RATE,
                       int(20 * 1000), int(8000 * 1000), int(root_hz * 1000), 0, balance)
    head += bytes(12) + bytes(6) + bytes([modes]) + struct.pack("<HH", 60, 1024) + bytes(36)
    assert len(head) == 96
    return head + pcm


def pat_bytes(samples: list[bytes], name: str = "Tiny") -> bytes:
    """A GF1PATCH110 file of one instrument, one layer and the given sample blocks."""
    body = b"".join(samples)
    header = (b"GF1PATCH110\0" + b"ID#000002\0" + b"tiny test patch".ljust(60, b"\0")
              + struct.pack("<BBBHHI", 1, 14, 0, len(samples), 127, len(body)) + bytes(36))
    inst = struct.pack("<H16sIB", 0, name.encode(), len(body), 1) + bytes(40)
    layer = struct.pack("<BBIB", 0, 0, len(body), len(samples)) + bytes(40)
    assert (len(header), len(inst), len(layer)) == (129, 63, 47)
    return header + inst + layer + body


def _tone(freq: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 0.5 * np.sin(2 * np.pi * freq * t)


def _looped_16bit(freq: float = 440.0, seconds: float = 0.5) -> bytes:
    x = _tone(freq, seconds)
    period = RATE / freq
    a = int(0.3 * RATE)
    b = a + int(round(20 * period))  # a whole number of cycles, near enough
    pcm = (x * 32767).astype("<i2").tobytes()
    return _sample("A4", pcm, MODE_16BIT | MODE_LOOP, (2 * a, 2 * b), freq)


def _hit_8bit_unsigned(seconds: float = 0.2) -> bytes:
    rng = np.random.default_rng(0)
    x = 0.8 * rng.uniform(-1, 1, int(seconds * RATE)) * np.exp(-np.arange(int(seconds * RATE)) / (0.03 * RATE))
    pcm = (x * 127 + 128).astype(np.uint8).tobytes()
    return _sample("kick", pcm, MODE_UNSIGNED, (0, 0), 261.63)


def _short_loop() -> bytes:
    pcm = (_tone(440.0, 0.05) * 32767).astype("<i2").tobytes()
    return _sample("tiny", pcm, MODE_16BIT | MODE_LOOP, (200, 2 * 500), 440.0)


def test_the_reader_gives_each_sample_its_fields(tmp_path):
    path = tmp_path / "x.pat"
    path.write_bytes(pat_bytes([_looped_16bit(), _hit_8bit_unsigned()], name="Piano"))
    patch = read_patch(path)
    assert patch.name == "Piano" and patch.description == "tiny test patch" and len(patch.samples) == 2
    tone, hit = patch.samples
    assert tone.name == "A4" and tone.rate == RATE and tone.looped and tone.root_key == 69
    assert tone.loop == (int(0.3 * RATE), int(0.3 * RATE) + round(20 * RATE / 440))  # in frames
    assert tone.audio().size == int(0.5 * RATE) and abs(tone.audio().max() - 0.5) < 0.01
    assert not hit.looped and hit.root_key == 60 and hit.audio().dtype == np.float32
    assert abs(float(hit.audio().mean())) < 0.05  # unsigned 8-bit centred on zero


def test_a_truncated_or_foreign_file_is_one_error(tmp_path):
    path = tmp_path / "x.pat"
    path.write_bytes(pat_bytes([_looped_16bit()])[:2000])
    with pytest.raises(CorpusFileError, match="x.pat: damaged GUS patch.*truncated"):
        read_patch(path)
    path.write_bytes(b"RIFF" + bytes(200))
    with pytest.raises(CorpusFileError, match="not a GUS patch"):
        read_patch(path)


def test_a_looped_sample_is_held_then_faded(tmp_path):
    path = tmp_path / "x.pat"
    path.write_bytes(pat_bytes([_looped_16bit(), _hit_8bit_unsigned()]))
    tone, hit = read_patch(path).samples
    settings = PatchSettings(hold_s=1.0, release_s=0.2)
    y = played(tone, settings)
    assert y.size == int(1.0 * RATE) + int(0.2 * RATE)
    spec = np.abs(np.fft.rfft(y[int(0.5 * RATE):int(0.9 * RATE)]))  # well inside the repeated loop
    assert np.fft.rfftfreq(int(0.4 * RATE), 1 / RATE)[int(np.argmax(spec))] == pytest.approx(440, abs=5)
    assert np.abs(y[-50:]).max() < 0.05  # faded out
    assert np.array_equal(played(hit, settings), hit.audio())  # a hit is written whole


def test_labels_come_from_the_numbers_in_the_file_names():
    assert instrument_of(FOLDER + "Tone_000/000_Acoustic_Grand_Piano.pat")[3].label == "piano"
    assert instrument_of(FOLDER + "Tone_000/040_Violin.pat")[:3] == ("note", 0, 40)
    assert instrument_of(FOLDER + "Tone_000/038_Synth_Bass_1.pat")[3].label == "bass_guitar"  # a fingered bass
    assert instrument_of(FOLDER + "Tone_000/102_Echo_Voice.pat")[3].label is None  # GM synth effect
    kind, bank, key, inst = instrument_of(FOLDER + "Drum_000/036_Kick_2.pat")
    assert (kind, bank, key, inst.label) == ("hit", 128, 36, "bass_drum")
    assert instrument_of(FOLDER + "Drum_000/025_Snare_Roll.pat")[3].label == "drum_roll"
    assert instrument_of(FOLDER + "Drum_000/033_Metronome_Click.pat")[3].label is None
    assert instrument_of(FOLDER + "Drum_000/075_Claves.pat")[3].label is None  # removed by the checks
    assert instrument_of("elsewhere/x.pat")[3] is None


def _patch_package(tmp_path: Path) -> Path:
    root = tmp_path / "freepats"
    doc = root / "usr/share/doc/freepats/copyright"
    doc.parent.mkdir(parents=True)
    doc.write_text("FreePats: GPL version 2 or later, with a composition exception\n")
    (root / ".stamp.json").write_text('{"version": "20060219-4"}')
    for rel, data in ((FOLDER + "Tone_000/000_Acoustic_Grand_Piano.pat",
                       pat_bytes([_looped_16bit(440), _looped_16bit(220), _short_loop()], "acpiano")),
                      (FOLDER + "Drum_000/036_Kick_2.pat", pat_bytes([_hit_8bit_unsigned()], "kick")),
                      (FOLDER + "Drum_000/033_Metronome_Click.pat", pat_bytes([_hit_8bit_unsigned(0.1)], "click"))):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def test_render_writes_one_wav_per_labelled_sample_and_discovery_groups_a_patch(tmp_path):
    root = _patch_package(tmp_path)
    manifest = render_patches(root, (FOLDER,))
    assert not list(root.rglob("*.pat"))  # deleted: the manifest and the WAVs are all discovery reads
    assert json.loads((root / RENDERED / MANIFEST).read_text()) == json.loads(json.dumps(manifest))
    renders = manifest["renders"]
    assert sorted((r["label"], r["id"]) for r in renders) == [
        ("bass_drum", "128-036/s00"), ("piano", "000-000/s00"), ("piano", "000-000/s01")]  # short loop, metronome out
    piano = manifest["soundfonts"][FOLDER + "Tone_000/000_Acoustic_Grand_Piano.pat"]
    assert len(piano["recordings"]) == 3
    assert piano["skipped"] == [{"sample": "tiny", "reason": "a loop of under 0.25 s"}]
    for r in renders:
        x, rate = sf.read(str(root / r["wav"]))
        assert rate == RATE and abs(20 * np.log10(np.abs(x).max()) + 1.0) < 0.1  # scaled to -1 dBFS

    spec = SourcePackage("freepats", members=(FOLDER + "*.pat",), patches=(FOLDER,), licence="GPL-2+")
    recs = {r.provenance.path.rsplit("/", 1)[-1] + r.label: r for r in discover_package(spec, root)}
    assert len(recs) == 3 and {r.provenance.licence for r in recs.values()} == {"GPL-2+"}
    a, b, kick = recs["s00piano"], recs["s01piano"], recs["s00bass_drum"]
    assert a.group == b.group != kick.group  # one instrument's samples share a split
    assert a.recording_id != b.recording_id  # each sample is its own recording
    assert a.provenance.path.startswith(FOLDER + "Tone_000/000_Acoustic_Grand_Piano.pat#acpiano/")


def test_only_patch_packages_carry_the_patch_stamp(tmp_path, monkeypatch):
    monkeypatch.setattr(debian, "deb_version", lambda deb: "1.0-1")
    deb = tmp_path / "x_1.0-1_all.deb"
    deb.write_bytes(b"deb")
    plain = stamp_for(SourcePackage("x"), deb)
    assert "patches" not in plain and "patches" not in plain["spec"]  # the other packages' stamps stay valid
    stamped = stamp_for(SourcePackage("x", members=("*.pat",), patches=("p/",)), deb)
    assert stamped["patches"]["folders"] == ["p/"] and stamped["patches"]["settings"]["plan"] >= 1
