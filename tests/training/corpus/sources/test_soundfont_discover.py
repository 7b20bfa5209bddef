"""Discovery of rendered SoundFont packages from hand-written manifests (no fluidsynth): labels,
provenance, what counts once (source_id) and the split groups (union over shared samples and
near-duplicate samples across packages)."""

from __future__ import annotations

import json

import pytest

from training.corpus.sources.debian import SourcePackage, write_stamp
from training.corpus.sources.discover import discover_debian, discover_package
from training.corpus.sources.fingerprint import N_BANDS, N_ENV, near_duplicates
from training.corpus.sources.render import MANIFEST, RENDERED
from training.errors import CorpusFileError

FONT = "usr/share/sounds/sf2/a.sf2"


def _fp(dur: float, tilt: float = 0.0) -> dict:
    return {"dur": dur, "bands": [round(-i * (1.0 + tilt), 1) for i in range(N_BANDS)],
            "env": [round(-2.0 * i, 1) for i in range(N_ENV)]}


def _render(rid: str, label: str, samples: list[str], kind: str = "note", preset: str = "Piano") -> dict:
    return {"wav": f"{RENDERED}/a/{rid}.wav", "soundfont": FONT, "id": rid, "kind": kind, "bank": 0, "program": 0,
            "preset": preset, "label": label, "key": 60, "velocity": 100, "notes": 1,
            "samples": [{"name": s, "sha256": s * 64, "recording": s * 64} for s in samples],
            "principal": samples[0] * 64, "seconds": 1.0, "rendered_peak_dbfs": -6.0}


def _package(root, name: str, renders: list[dict], prints: dict[str, dict], licence: str = "MIT") -> SourcePackage:
    pkg = root / name
    (pkg / f"usr/share/doc/{name}").mkdir(parents=True)
    (pkg / f"usr/share/doc/{name}/copyright").write_text("This is not DEP-5.\n")
    for r in renders:
        (pkg / r["wav"]).parent.mkdir(parents=True, exist_ok=True)
        (pkg / r["wav"]).write_bytes(b"RIFF")
    manifest = {"format": 1, "soundfonts": {FONT: {"recordings": {
        s * 64: {"samples": [s], "fingerprint": fp} for s, fp in prints.items()}}}, "renders": renders}
    (pkg / RENDERED / MANIFEST).write_text(json.dumps(manifest))
    write_stamp(pkg, {"version": "1.0-1"})
    return SourcePackage(name, members=(), soundfonts=(FONT,), licence=licence)


def test_labels_provenance_source_ids_and_groups(tmp_path):
    renders = [_render("000-000/n000", "piano", ["a"]), _render("000-000/n001", "piano", ["b"]),
               _render("000-000/n002", "piano", ["c"]),
               _render("000-000/p00", "piano", ["a", "b"], kind="phrase"),  # starts on a, sounds b too
               _render("128-000/k036-000", "bass_drum", ["k"], preset="Standard")]
    spec = _package(tmp_path, "sfpkg", renders, {s: _fp(1.0 + i) for i, s in enumerate("abck")})
    recs = discover_package(spec, tmp_path / "sfpkg")
    by_id = {r.provenance.path: r for r in recs}
    assert set(by_id) == {f"{FONT}#Piano/000-000/n000", f"{FONT}#Piano/000-000/n001", f"{FONT}#Piano/000-000/n002",
                          f"{FONT}#Piano/000-000/p00", f"{FONT}#Standard/128-000/k036-000"}
    note_a, note_b, note_c, phrase = (by_id[f"{FONT}#Piano/000-000/{i}"] for i in ("n000", "n001", "n002", "p00"))
    assert phrase.source_id == note_a.source_id == "rec:" + "a" * 16  # a phrase counts as its first note's sample
    assert phrase.provenance.sha256 == "a" * 64 and phrase.recording_id == phrase.provenance.recording_id
    assert len({r.recording_id for r in recs}) == 4
    assert note_a.group == note_b.group == phrase.group != note_c.group  # the phrase joins a and b
    assert {r.label for r in recs} == {"piano", "bass_drum"}
    assert all(r.provenance.licence == "MIT" for r in recs)  # the reviewed licence: the file is not DEP-5
    assert all(r.is_real and r.role == "event" and r.provenance.version == "1.0-1" for r in recs)


def test_near_duplicates_across_packages_count_once_and_share_a_group(tmp_path, monkeypatch):
    monkeypatch.setenv("LISTEN_HOME", str(tmp_path))
    extracted = tmp_path / "sources" / "extracted"
    gm = _package(extracted, "gm", [_render("000-000/n000", "piano", ["a"]), _render("000-000/n001", "piano", ["b"])],
                  {"a": _fp(2.0), "b": _fp(3.0)})
    ms = _package(extracted, "ms", [_render("000-000/n000", "piano", ["x"]), _render("000-000/n001", "piano", ["y"])],
                  {"x": _fp(2.0005, tilt=0.01), "y": _fp(3.0, tilt=0.5)})  # x: a re-encoded a; y: another sound
    recs = discover_debian(sources=(gm, ms))
    by = {(r.source, r.provenance.path.rsplit("/", 1)[1]): r for r in recs}
    a, b, x, y = by[("gm", "n000")], by[("gm", "n001")], by[("ms", "n000")], by[("ms", "n001")]
    assert x.source_id == a.source_id and x.group == a.group  # near-duplicate: one recording, one split
    assert x.provenance.sha256 == "x" * 64  # its provenance still names its own bytes
    assert len({y.source_id, b.source_id, a.source_id}) == 3 and y.group != b.group


def test_near_duplicate_matching_rules():
    items = [("f1", "a", _fp(1.0)), ("f2", "b", _fp(1.001, tilt=0.02)),  # same length, close profile
             ("f2", "c", _fp(1.5)),  # other length
             ("f1", "d", _fp(1.0, tilt=0.02)),  # same font as a: never a pair with it
             ("f3", "e", _fp(1.0, tilt=1.0))]  # far profile
    pairs = {tuple(sorted(p)) for p in near_duplicates(items)}
    assert ("a", "b") in pairs and ("b", "d") in pairs
    assert not any("c" in p or "e" in p for p in pairs) and ("a", "d") not in pairs


def test_unrendered_package_gives_nothing(tmp_path):
    spec = SourcePackage("missing", members=(), soundfonts=(FONT,))
    assert discover_package(spec, tmp_path / "missing") == []


def test_malformed_manifest_is_one_line_error(tmp_path):
    spec = _package(tmp_path, "bad", [_render("000-000/n000", "piano", ["a"])], {"a": _fp(1.0)})
    path = tmp_path / "bad" / RENDERED / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest["renders"][0]["label"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(CorpusFileError, match="render.json is malformed") as err:
        discover_package(spec, tmp_path / "bad")
    assert "\n" not in str(err.value)
