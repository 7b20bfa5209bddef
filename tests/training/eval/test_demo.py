"""`listen demo` over a tiny labelled folder: every present and absent sound is asked and scored."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import soundfile as sf

from training.corpus.clip_index import CLIP_INDEX_FILE, ClipRecord, write_clip_index


def test_demo_asks_present_and_absent_and_scores(tiny_bundle, tmp_path):
    rows = [("a", ["smoke_alarm"]), ("b", ["dog_bark", "speech"])]
    (tmp_path / "audio").mkdir()
    records = []
    for i, (cid, labels) in enumerate(rows):
        sf.write(tmp_path / "audio" / f"{cid}.wav", (0.1 * np.sin(np.arange(32000) * (0.2 + i))).astype(np.float32), 16000)
        records.append(ClipRecord(cid, f"audio/{cid}.wav", "test", 2.0, 16000, sorted(labels)))
    write_clip_index(tmp_path / CLIP_INDEX_FILE, records)
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "demo", "--bundle", str(tiny_bundle), "--clips", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    scored = [o for o in out if "expected" in o]
    assert len(scored) == 1 + 1 + 2 + 2  # present + as many absent, per clip
    assert sum(o["expected"] for o in scored) == 3
    assert all(o["correct"] == (o["heard"] == o["expected"]) for o in scored)
    assert out[-1]["asked"] == 6 and out[-1]["right"] == sum(o["correct"] for o in scored)


def test_demo_without_a_clip_index_is_one_line(tiny_bundle, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "core.cli", "demo", "--bundle", str(tiny_bundle), "--clips", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "listen corpus build" in proc.stderr and "Traceback" not in proc.stderr
