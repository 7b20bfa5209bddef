"""The reviewed table of recorded sounds, and how recordings are split."""

from __future__ import annotations

import logging

import pytest

from training.corpus.sources import themes
from training.corpus.events import labels
from training.corpus.instances import InstancePool
from training.corpus.recordings import Recording
from training.corpus.sources.themes import EXCLUDED, MAPPING, THEME_DIRS, discover_themes as discover
from training.corpus.splits import assign_groups


def test_every_mapped_file_has_a_library_label_and_a_reason():
    assert set(labels()) >= {label for _, _, label, _ in MAPPING}
    assert all(reason for *_, reason in MAPPING) and all(reason for *_, reason in EXCLUDED)
    keys = [(s, f) for s, f, _, _ in MAPPING]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("source", sorted(THEME_DIRS))
def test_mapped_files_exist_where_their_theme_is_installed(source):
    root = THEME_DIRS[source]
    if not root.is_dir():
        pytest.skip(f"sound theme {source} is not installed")
    missing = [f for s, f, _, _ in MAPPING if s == source and not (root / f).is_file()]
    assert missing == []


def test_identical_files_share_a_group_and_so_a_split():
    found = [r for r in discover(use_pygame=False) if r.source == "freedesktop"]
    if not found:
        pytest.skip("sound-theme-freedesktop is not installed")
    by_name = {r.path.name: r for r in found}
    shutter, capture = by_name["camera-shutter.oga"], by_name["screen-capture.oga"]
    assert shutter.group == capture.group  # the theme ships the same file twice
    pool = InstancePool(found, use_speech=False)
    assert pool.split_of_recording(shutter) == pool.split_of_recording(capture)


def test_assign_groups_gives_each_split_a_share():
    assert assign_groups(["a"]) == {"a": "train"}
    two = assign_groups(["a", "b"])
    assert sorted(two.values()) == ["test", "train"]
    many = assign_groups([f"g{i}" for i in range(20)])
    assert sorted(many.values()).count("test") == 2 and list(many.values()).count("validation") == 2
    assert many == assign_groups([f"g{i}" for i in reversed(range(20))])  # order-free


def test_missing_pygame_is_one_log_line(monkeypatch, caplog):
    monkeypatch.setattr(themes, "pygame_examples_dir", lambda: None)
    with caplog.at_level(logging.INFO, logger="training.corpus.sources.themes"):
        found = discover(theme_dirs={}, use_pygame=True)
    assert found == []
    assert any("pygame is not installed" in m for m in caplog.messages)


def test_recordings_render_as_short_mono_clips(tmp_path):
    from training.corpus.clip_files import write_wav
    import numpy as np

    path = tmp_path / "beep.wav"
    write_wav(path, np.concatenate([np.zeros(8000), 0.3 * np.sin(np.arange(16000) / 3.0), np.zeros(8000)]), 48000)
    rec = Recording(path=path, label="notification_chime", source="test", group="rec:1")
    pool = InstancePool([rec], use_speech=False)
    split = pool.split_of_recording(rec)
    drawn = pool.draw("notification_chime", split, np.random.default_rng(0))
    if drawn.path is None:  # the label also has a synthesizer: draw until the recording comes
        drawn = next(d for d in (pool.draw("notification_chime", split, np.random.default_rng(s)) for s in range(50))
                     if d.path is not None)
    x = pool.render(drawn, np.random.default_rng(0), 10.0)
    assert drawn.instance_id == "test:beep.wav"
    assert 0.3 < x.size / 16000 < 0.4  # 1/3 s of tone at 48 kHz, silence trimmed, speed +-6 %


def test_each_label_with_several_recordings_reaches_test_and_validation(tmp_path):
    from training.corpus.clip_files import write_wav
    import numpy as np

    recs = []
    for label, n in (("notification_chime", 10), ("camera_shutter", 2), ("explosion", 1)):
        for i in range(n):
            path = tmp_path / f"{label}{i}.wav"
            write_wav(path, np.full(1600, 0.01 * (i + 1)))
            recs.append(Recording(path=path, label=label, source="test", group=f"rec:{label}{i}"))
    pool = InstancePool(recs, use_speech=False)
    splits = {}
    for r in recs:
        splits.setdefault(r.label, set()).add(pool.split_of_recording(r))
    assert splits == {"notification_chime": {"train", "validation", "test"}, "camera_shutter": {"train", "test"},
                      "explosion": {"train"}}
