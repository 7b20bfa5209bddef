"""Provenance: sha256, licence from a DEP-5 copyright file, identical files = one recording;
and the evaluation-only refusal."""

from __future__ import annotations

import hashlib

import pytest

from training.corpus.recordings import Recording, check_split, provenance_records
from training.corpus.sources.debian import SourcePackage
from training.corpus.sources.discover import discover_package
from training.corpus.sources.provenance import UNPARSED, licence_for, parse_copyright, sha256_of
from training.errors import EvalOnlyError

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: game

Files: *
Copyright: 2010 Someone
License: GPL-2+

Files: share/game/Data/Sounds/*
Copyright: 2011 Someone Else
License: CC-BY-SA-3.0

Files: share/game/Data/Sounds/Drop*.ogg
 share/game/Data/Sounds/extra/*
License: CC0-1.0

Files: debian/*
License: GPL-2+
"""


def test_licence_from_the_copyright_file():
    stanzas = parse_copyright(COPYRIGHT)
    assert licence_for(stanzas, "usr/share/games/game/Data/Sounds/bang.ogg") == "CC-BY-SA-3.0"
    assert licence_for(stanzas, "usr/share/games/game/Data/Sounds/Drop1.ogg") == "CC0-1.0"
    assert licence_for(stanzas, "usr/share/games/game/Data/Sounds/extra/x.ogg") == "CC0-1.0"
    assert licence_for(stanzas, "usr/share/games/game/music/a.ogg") == "GPL-2+"
    assert licence_for(parse_copyright("This package was debianized by ..."), "a.ogg") == UNPARSED


def _package(tmp_path, files: dict[str, bytes], eval_only=False) -> tuple[SourcePackage, object]:
    spec = SourcePackage("0ad-data", eval_only=eval_only)
    root = tmp_path / "0ad-data"
    (root / "usr/share/doc/0ad-data").mkdir(parents=True)
    (root / "usr/share/doc/0ad-data/copyright").write_text(COPYRIGHT.replace("share/game/Data/Sounds", "audio"))
    (root / ".stamp.json").write_text('{"version": "0.0.26-1"}')
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return spec, root


def test_provenance_record_and_identical_files_are_one_recording(tmp_path):
    moo = b"RIFF-moo-bytes"
    spec, root = _package(tmp_path, {
        "public/audio/actor/fauna/animal/cattle_01.ogg": moo,
        "public/audio/actor/fauna/animal/cattle_02.ogg": moo,  # the same bytes twice
        "public/audio/actor/fauna/animal/cattle_03.ogg": b"another cow",
        "public/audio/voice/latin/x.ogg": b"excluded",
    })
    found = discover_package(spec, root)
    assert [r.label for r in found] == ["cattle"] * 3
    first = found[0].provenance
    assert first.sha256 == hashlib.sha256(moo).hexdigest() == sha256_of(root / first.path)
    assert (first.package, first.version, first.path) == ("0ad-data", "0.0.26-1", "public/audio/actor/fauna/animal/cattle_01.ogg")
    assert first.licence == "CC-BY-SA-3.0"
    assert found[0].recording_id == found[1].recording_id != found[2].recording_id
    assert first.to_json()["recording_id"] == found[0].recording_id == "rec:" + first.sha256[:16]
    records = provenance_records(found, [r.instance_id for r in found])
    assert len(records) == 2 and {r["sha256"] for r in records} == {first.sha256, found[2].provenance.sha256}
    assert (root / ".sha256.json").is_file()  # hashes cached for the next run


def test_an_unfetched_package_gives_no_recordings(tmp_path):
    assert discover_package(SourcePackage("0ad-data"), tmp_path / "missing") == []


def test_eval_only_recordings_are_refused_for_training_splits(tmp_path):
    spec, root = _package(tmp_path, {"public/audio/actor/fauna/animal/cattle_01.ogg": b"moo"}, eval_only=True)
    (rec,) = discover_package(spec, root)
    assert rec.eval_only
    for split in ("train", "validation"):
        with pytest.raises(EvalOnlyError, match="reserved for evaluation"):
            check_split(rec, split)
    for split in ("test", "real_test", "unseen"):
        check_split(rec, split)
    plain = Recording(path=rec.path, label="cattle", source="x", group="rec:1")
    check_split(plain, "train")


def test_clip_index_carries_and_checks_the_sources(tmp_path):
    from training.corpus.clip_index import ClipRecord, parse_record, read_clip_index, write_clip_index
    from training.errors import CorpusFileError

    src = {"recording_id": "rec:0123456789abcdef", "package": "0ad-data", "version": "0.0.26-1",
           "path": "public/audio/a.ogg", "licence": "CC-BY-SA-3.0", "sha256": "0123456789abcdef" * 4}
    rec = ClipRecord(id="c1", audio="audio/train/c1.wav", split="train", duration_s=1.0, sample_rate=16000,
                     labels=["cattle"], sources=[src])
    write_clip_index(tmp_path / "clips.jsonl", [rec])
    assert read_clip_index(tmp_path / "clips.jsonl")[0].sources == [src]
    bad = {**rec.to_json(), "sources": [{"package": "x"}]}
    with pytest.raises(CorpusFileError, match=r"sources\[0\] must be an object"):
        parse_record(bad, "here")
    old = {k: v for k, v in rec.to_json().items() if k != "sources"}  # rows written before issue 16
    assert parse_record(old, "here").sources == []


def test_sources_report_runs_without_network(tmp_path, monkeypatch, capsys):
    from core.cli import main

    monkeypatch.setenv("LISTEN_HOME", str(tmp_path))
    assert main(["corpus", "sources", "--report"]) == 0
    out = capsys.readouterr().out
    assert "### Recordings per label" in out and "| cattle | Cattle, bovinae | 0 | 0 | 0 | short |" in out and "### Totals" in out
