"""`listen corpus ...` end to end through the real dispatcher."""

from __future__ import annotations

import json

from core.cli import main


def test_build_check_stats_labels(tmp_path, capsys):
    out = tmp_path / "corpus"
    assert main(["corpus", "build", "--out", str(out), "--clips", "6", "--seed", "2", "--clip-seconds", "2",
                 "--workers", "1", "--quiet"]) == 0
    assert "wrote 6 clips" in capsys.readouterr().out
    assert len((out / "clips.jsonl").read_text().splitlines()) == 6
    assert main(["corpus", "check", str(out), "--decode"]) == 0
    assert "all audio files present" in capsys.readouterr().out
    assert main(["corpus", "stats", str(out)]) == 0
    assert "| label | all |" in capsys.readouterr().out
    assert main(["corpus", "labels", "--out", str(tmp_path / "b" / "labels.json")]) == 0
    assert json.loads((tmp_path / "b" / "labels.json").read_text())[0]["label"] == "smoke_alarm"


def test_bad_corpus_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "clips.jsonl").write_text("")
    assert main(["corpus", "check", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("listen corpus: error:") and "empty" in err and "\n" not in err
