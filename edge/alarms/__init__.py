"""Smoke and CO alarm patterns, detected from the audio itself (issue 28), beside the learned model.

Standard alarms are easy to recognise with near certainty: a narrow-band tone (a piezo at
2.5-4 kHz, or the 520 Hz square wave of low-frequency alarms) beeping in a fixed rhythm: the
temporal-three pattern (ISO 8201 / NFPA 72, smoke and fire) or the temporal-four pattern (carbon
monoxide). The detector runs on every audio block, independent of VAD segments:

    tones.py     per 10 ms frame, the strongest tone in each band and how far it stands out
    onsets.py    the beeps' onsets: sharp rises of that tone (reverberation blurs ends, not onsets)
    patterns.py  groups of equally spaced onsets; T3 / T4 when a group of 3 / 4 repeats
    detector.py  the streaming detector: blocks in, AlarmMatch events out

Torch-free (numpy only), a few % of one core at most.
"""

from edge.alarms.detector import AlarmDetector, AlarmMatch
from edge.alarms.patterns import CO_PATTERN, SMOKE_PATTERN

__all__ = ["AlarmDetector", "AlarmMatch", "CO_PATTERN", "SMOKE_PATTERN"]
