"""The audibility rule behind exact clip labels (training/corpus/audibility.py)."""

from __future__ import annotations

import numpy as np
import pytest

from training.corpus.audibility import audible_seconds, is_audible
from training.corpus.dsp import SR, adsr, colored_noise, n_samples, tone

FLOOR_DB, MIN_S = -6.0, 0.05  # SceneConfig's defaults


def _tone(freq: float, seconds: float, db: float, at: float = 0.5, total: float = 2.0) -> np.ndarray:
    x = np.zeros(n_samples(total))
    n = n_samples(seconds)
    burst = np.sqrt(2) * tone(freq, n) * adsr(n, 0.005, 0.005) * 10 ** (db / 20)  # RMS about db; faded like render()
    x[n_samples(at) : n_samples(at) + burst.size] = burst
    return x


def _noise(db: float, total: float = 2.0) -> np.ndarray:
    return colored_noise(np.random.default_rng(0), n_samples(total), 0.0) * 10 ** (db / 20)


CASES = [  # (case, target, rest, audible)
    ("tone 5 dB under a broadband bed", _tone(1000, 1.0, -35), _noise(-30), True),
    ("tone 20 dB over the bed", _tone(1000, 1.0, -10), _noise(-30), True),
    # a mix always has a floor (the bed, the microphone's noise): without one, the onset of a
    # faint tone splatters into bands where nothing else is, and is heard there
    ("tone 30 dB under a tone of its own band", _tone(1000, 1.0, -40), _tone(1000, 1.5, -10, at=0.3) + _noise(-60),
     False),
    ("tone 30 dB under a tone two octaves away", _tone(4000, 1.0, -40), _tone(1000, 1.5, -10, at=0.3) + _noise(-60),
     True),
    ("20 ms left of a tone (cut at the clip edge)", _tone(1000, 0.02, -20), _noise(-40), False),
    ("200 ms of a tone", _tone(1000, 0.2, -20), _noise(-40), True),
    ("digital silence", np.zeros(n_samples(2.0)), _noise(-60), False),
    ("a faint tone alone", _tone(1000, 1.0, -90), np.zeros(n_samples(2.0)), True),
]


@pytest.mark.parametrize("case,target,rest,audible", CASES, ids=[c[0] for c in CASES])
def test_audibility_rule(case, target, rest, audible):
    assert is_audible(target, rest, FLOOR_DB, MIN_S) is audible, (case, audible_seconds(target, rest, FLOOR_DB))


def test_audible_time_counts_frames_where_the_event_is_heard():
    heard = audible_seconds(_tone(1000, 1.0, -20), _noise(-40), FLOOR_DB)
    assert heard == pytest.approx(1.0, abs=0.05)
    assert audible_seconds(_tone(1000, 1.0, -20), _noise(-40), FLOOR_DB) == heard  # a pure function
    assert SR == 16000
