"""`listen demo` over a tiny labelled folder: every present and absent sound is asked and scored."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import soundfile as sf

from training.corpus.clip_index import CLIP_INDEX_FILE, ClipRecord, write_clip_index


def write_clips(tmp_path):
    rows = [("a", ["smoke_alarm"]), ("b", ["dog_bark", "speech"])]
    (tmp_path / "audio").mkdir()
    records = []
    for i, (cid, labels) in enumerate(rows):
        sf.write(tmp_path / "audio" / f"{cid}.wav", (0.1 * np.sin(np.arange(32000) * (0.2 + i))).astype(np.float32), 16000)
        records.append(ClipRecord(cid, f"audio/{cid}.wav", "test", 2.0, 16000, sorted(labels)))
    write_clip_index(tmp_path / CLIP_INDEX_FILE, records)


def run_demo(bundle, clips):
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "demo", "--bundle", str(bundle), "--clips", str(clips), "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_demo_asks_present_and_absent_and_scores(tiny_bundle, tmp_path):
    write_clips(tmp_path)
    out = run_demo(tiny_bundle, tmp_path)
    scored = [o for o in out if "expected" in o]
    assert len(scored) == (1 + 1 + 1) + (2 + 2 + 1)  # present + as many absent + one out of vocabulary, per clip
    assert sum(o["expected"] for o in scored) == 3
    assert all(o["correct"] == (o["heard"] == o["expected"]) for o in scored)
    assert out[-1]["asked"] == 8 and out[-1]["right"] == sum(o["correct"] for o in scored)


def test_demo_with_a_presence_model_counts_cant_tell(tiny_presence_bundle, tmp_path):
    write_clips(tmp_path)
    out = run_demo(tiny_presence_bundle, tmp_path)
    scored = [o for o in out if "expected" in o]
    assert out[-1]["cant_tell"] == sum(o["heard"] is None for o in scored)
    assert all(o["answer"].startswith(("Yes", "No", "I can't tell")) for o in scored)
    described = [o for o in out if o.get("question") == "What do you hear?"]
    assert len(described) == 2 and all(o["windows"][0]["worded_by"] in ("llm", "template") for o in described)


def test_demo_without_a_clip_index_is_one_line(tiny_bundle, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "core.cli", "demo", "--bundle", str(tiny_bundle), "--clips", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "listen corpus build" in proc.stderr and "Traceback" not in proc.stderr
