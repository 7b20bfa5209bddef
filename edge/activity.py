"""Which 30 ms frames hold activity, and the segmenter that turns frames into segments.

webrtcvad only knows speech (and also fires on plain noise and on beeps), so a frame is active when
  - speech: webrtcvad says speech AND the frame is `speech_margin_db` above the noise floor
    AND it is not tonal (`tonal_fraction` of its power in 5 FFT bins), or
  - sound (energy gate): its level is `energy_margin_db` above the noise floor, or
  - sound (spectral gate): at least `spectral_min_bins` FFT bins rise `spectral_margin_db`
    above the background spectrum (positive spectral flux against the background): this
    catches narrow-band sounds, such as a beeping alarm, whose total energy barely rises
    above broadband noise,
and in every case the frame is louder than `min_level_dbfs`.

The noise floor is the minimum frame level over the last `floor_window_s` (minimum
statistics): a steady hum becomes background within that window. The first `warmup_s`
after a start or a reset only measure the room (no frame is active then; a sound already
playing at start-up is noticed once it pauses). The background spectrum follows each bin
quickly, except while the frame is active or the bin stands out by half the margin (then
slowly), so a sound does not become its own background before it is noticed.

`Segmenter` adds `pre_roll_s` before the first active frame and keeps `hangover_s` of
inactivity after the last one, drops segments with less than `min_active_s` of activity,
and cuts segments at `max_length_s` (the next one starts at once).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from core.audio import SAMPLE_RATE
from core.binding import allowed, between
from core.settings import flag
from edge.ring_buffer import Segment

FRAME_MS = 30  # webrtcvad accepts 10, 20 or 30 ms frames; capture delivers blocks of 4 (edge/capture.py)
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 480 samples
_FFT = 512  # FFT size for the spectral gate (the 480-sample frame, zero-padded)
_EPS = 1e-10  # floor inside log10


@dataclass(frozen=True)
class ActivityConfig:
    # webrtcvad mode 0 (lenient) .. 3 (strict)
    vad_aggressiveness: int = field(default=2, metadata=allowed(
        lambda v: v in (0, 1, 2, 3), "0, 1, 2 or 3 (webrtcvad mode, 3 = strictest)")
        | flag("--vad-aggressiveness", "webrtcvad mode 0..3", choices=range(4), group="activity and buffer"))
    # dBFS; quieter frames are never active (a silent room)
    min_level_dbfs: float = field(default=-55.0, metadata=between(-120, 0, unit="dBFS"))
    # s after a start or reset that only measure the floor (never active)
    warmup_s: float = field(default=0.5, metadata=between(0, None, unit="s"))
    # s; the noise floor is the quietest frame in this window
    floor_window_s: float = field(default=10.0, metadata=between(0, None, lo_open=True, unit="s"))
    # dB above the floor that makes a frame a sound
    energy_margin_db: float = field(default=10.0, metadata=between(0, None, unit="dB"))
    # dB above the floor webrtcvad also needs (it fires on noise)
    speech_margin_db: float = field(default=6.0, metadata=between(0, None, unit="dB"))
    # dB a bin must rise above the background spectrum
    spectral_margin_db: float = field(default=12.0, metadata=between(0, None, unit="dB"))
    # bins that must rise (a Hann-windowed tone: the peak and a neighbour at -6 dB)
    spectral_min_bins: int = field(default=2, metadata=between(1, 257, unit="FFT bins"))
    # a frame with this share of its power in 5 bins is a tone, not speech
    tonal_fraction: float = field(default=0.7, metadata=between(0, 1, lo_open=True))
    # s; background spectrum time constant while inactive
    background_tau_s: float = field(default=0.5, metadata=between(0, None, lo_open=True, unit="s"))
    # s; ... while active (a steady sound fades into it)
    background_active_tau_s: float = field(default=8.0, metadata=between(0, None, lo_open=True, unit="s"))

    def __post_init__(self) -> None:
        if self.vad_aggressiveness not in (0, 1, 2, 3):
            raise ValueError(f"vad_aggressiveness must be 0..3, got {self.vad_aggressiveness}")


@dataclass(frozen=True)
class FrameActivity:
    level_dbfs: float  # frame RMS level
    floor_dbfs: float  # noise floor used for this frame
    speech: bool  # webrtcvad fired (and the level cleared the speech margin)
    sound: bool  # the energy or the spectral gate fired

    @property
    def active(self) -> bool:
        return self.speech or self.sound


class ActivityDetector:
    """Classifies consecutive 30 ms int16 frames, keeping its own noise floor and background spectrum."""

    def __init__(self, config: ActivityConfig = ActivityConfig()) -> None:
        import webrtcvad  # edge extra (webrtcvad-wheels)

        c = self.config = config
        self._vad = webrtcvad.Vad(config.vad_aggressiveness)
        self._window = np.hanning(FRAME_SAMPLES + 2)[1:-1]  # (480,), no zero end points
        self._bin_scale = float(np.sum(self._window**2))  # white-noise power per bin at unit RMS
        self._bin_floor = 10 ** (c.min_level_dbfs / 10) * self._bin_scale / (_FFT // 2 + 1)  # power per bin
        self._rise = 10 ** (c.spectral_margin_db / 10)  # power ratio over the background: a rising bin
        self._stand_out = 10 ** (c.spectral_margin_db / 20)  # half the margin in dB: a bin that follows slowly
        self._fast = min(1.0, FRAME_MS / 1000 / c.background_tau_s)  # background step per frame
        self._slow = min(1.0, FRAME_MS / 1000 / c.background_active_tau_s)
        self.reset()

    def reset(self) -> None:
        """Forget the noise floor and background (after a mute, or a new device)."""
        c = self.config
        self._frame = 0
        self._floor_window = max(1, int(c.floor_window_s * 1000 / FRAME_MS))
        self._warmup = max(1, int(c.warmup_s * 1000 / FRAME_MS))
        self._minima: deque[tuple[int, float]] = deque()  # monotonic queue of (frame, level)
        n_bins = _FFT // 2 + 1
        self._background = np.full(n_bins, 10 ** (c.min_level_dbfs / 10) * self._bin_scale)  # (F,)

    def frame(self, frame: np.ndarray) -> FrameActivity:
        """`frame`: int16, shape (FRAME_SAMPLES,)."""
        if frame.shape != (FRAME_SAMPLES,) or frame.dtype != np.int16:
            raise ValueError(f"expected an int16 frame of {FRAME_SAMPLES} samples, got {frame.dtype} {frame.shape}")
        return self.frames(frame[None])[0]

    def frames(self, frames: np.ndarray) -> list[FrameActivity]:
        """`frames`: int16, shape (n, FRAME_SAMPLES), consecutive; the same as `frame` on each in turn.

        What does not depend on the running state (the levels and the windowed power spectra) is
        computed for all n frames at once; the floor, the gates against the background spectrum and
        its update, and webrtcvad then go frame by frame, on plain floats where they can. The tonal
        and spectral checks run only for frames whose answer they can change.
        """
        if frames.ndim != 2 or frames.shape[1] != FRAME_SAMPLES or frames.dtype != np.int16:
            raise ValueError(f"expected int16 frames of shape (n, {FRAME_SAMPLES}), got {frames.dtype} {frames.shape}")
        if not len(frames):
            return []
        x = frames * (1 / 32768.0)  # (n, 480) float64; scaling by a power of two is exact
        mean_square = np.add.reduce(x * x, axis=1) / FRAME_SAMPLES  # (n,); what np.mean does, less its overhead
        levels = (10 * np.log10(mean_square + _EPS)).tolist()  # n floats, dBFS
        power = np.abs(np.fft.rfft(x * self._window, _FFT, axis=1)) ** 2  # (n, F)
        return [self._next(frames[i], levels[i], power[i]) for i in range(len(frames))]

    def _next(self, frame: np.ndarray, level: float, power: np.ndarray) -> FrameActivity:
        """The sequential part for one frame: `frame` (480,) int16, its `level` (dBFS) and `power` (F,)."""
        c = self.config
        warm = self._frame >= self._warmup
        floor = self._update_floor(level)
        loud = warm and level > c.min_level_dbfs
        background = self._background  # (F,), updated in place below
        sound = loud and (level > floor + c.energy_margin_db or self._spectral(power))
        speech = (
            loud
            and level > floor + c.speech_margin_db
            and not self._tonal(power)  # webrtcvad also fires on beeps; speech spreads over harmonics and formants
            and self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)
        )

        # Bins that stand out (half the margin) follow slowly, so a sound does not teach the
        # background its own spectrum before the gate has fired; the rest follow quickly.
        if not warm:
            alpha = self._fast
        elif sound or speech:
            alpha = self._slow
        else:
            alpha = np.where(power > background * self._stand_out, self._slow, self._fast)  # (F,)
        background += alpha * (power - background)
        return FrameActivity(level, floor, bool(speech), bool(sound))

    def _tonal(self, power: np.ndarray) -> bool:
        """`tonal_fraction` of the frame's power (F,) lies in the 5 bins around its peak."""
        peak = int(np.argmax(power))
        return bool(power[max(0, peak - 2) : peak + 3].sum() > self.config.tonal_fraction * (power.sum() + _EPS))

    def _spectral(self, power: np.ndarray) -> bool:
        """At least `spectral_min_bins` bins of `power` (F,) rise the margin above the background."""
        rising = (power > self._background * self._rise) & (power > self._bin_floor)  # (F,)
        return int(np.count_nonzero(rising)) >= self.config.spectral_min_bins

    def _update_floor(self, level: float) -> float:
        """Minimum of the levels in the window, before this frame joins it."""
        floor = self._minima[0][1] if self._minima else level
        self._frame += 1
        while self._minima and self._minima[-1][1] >= level:
            self._minima.pop()
        self._minima.append((self._frame, level))
        while self._minima[0][0] <= self._frame - self._floor_window:
            self._minima.popleft()
        return floor


@dataclass(frozen=True)
class SegmenterConfig:
    # s kept before the first active frame (onsets are often quiet)
    pre_roll_s: float = field(default=0.3, metadata=between(0, None, unit="s"))
    # s of inactivity that ends a segment (bridges pauses between words/beeps)
    hangover_s: float = field(default=0.5, metadata=between(0, None, unit="s"))
    # s of active frames a segment needs (drops clicks)
    min_active_s: float = field(default=0.09, metadata=between(0, None, unit="s"))
    # s; longer activity is cut into segments of this length
    max_length_s: float = field(default=10.0, metadata=between(0, None, lo_open=True, unit="s")
                                | flag("--max-segment-seconds", "longer activity is cut", group="activity and buffer"))


class Segmenter:
    """Feeds blocks of int16 samples through an `ActivityDetector` and returns finished segments.

    `push(block, t)` takes any number of samples; `t` is the wall clock (Unix seconds, or any
    clock the caller likes) of the block's first sample. Segment times follow that clock.
    """

    def __init__(
        self,
        config: SegmenterConfig = SegmenterConfig(),
        activity: ActivityConfig = ActivityConfig(),
        sample_rate: int = SAMPLE_RATE,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"the segmenter runs at {SAMPLE_RATE} Hz (webrtcvad), got {sample_rate}")
        self.config = config
        self.detector = ActivityDetector(activity)
        frames = lambda s: max(0, int(round(s * 1000 / FRAME_MS)))  # noqa: E731
        self._pre_roll_frames = frames(config.pre_roll_s)
        self._hangover_frames = max(1, frames(config.hangover_s))
        self._min_active_frames = max(1, frames(config.min_active_s))
        self._max_frames = max(1, frames(config.max_length_s))
        self.reset()

    def reset(self) -> None:
        """Drop the open segment and the pre-roll (mute), and restart the detector."""
        self.detector.reset()
        self._pending = np.zeros(0, np.int16)  # samples not yet framed
        self._pending_t: float | None = None  # clock of _pending[0]
        self._pre_roll: deque[tuple[float, np.ndarray]] = deque(maxlen=self._pre_roll_frames or 1)
        self._open: list[np.ndarray] = []  # frames of the open segment
        self._open_t = 0.0
        self._active = 0  # active frames in the open segment
        self._speech = 0  # speech frames in the open segment
        self._quiet = 0  # inactive frames since the last active one

    def push(self, block: np.ndarray, t: float) -> list[Segment]:
        """Add int16 samples (shape (n,)) starting at clock `t`; return the segments that ended."""
        block = np.asarray(block)
        if block.dtype != np.int16:
            raise ValueError(f"expected int16 samples, got {block.dtype}")
        if self._pending_t is None or not len(self._pending):
            self._pending_t = t - len(self._pending) / SAMPLE_RATE
        self._pending = np.concatenate([self._pending, block.reshape(-1)])
        done: list[Segment] = []
        n_frames = len(self._pending) // FRAME_SAMPLES
        frames = self._pending[: n_frames * FRAME_SAMPLES].reshape(n_frames, FRAME_SAMPLES)  # (n, 480)
        for i, act in enumerate(self.detector.frames(frames)):
            seg = self._step(frames[i], act, self._pending_t + i * FRAME_SAMPLES / SAMPLE_RATE)
            if seg is not None:
                done.append(seg)
        self._pending = self._pending[n_frames * FRAME_SAMPLES :].copy()
        self._pending_t += n_frames * FRAME_SAMPLES / SAMPLE_RATE
        return done

    def flush(self) -> list[Segment]:
        """End the open segment (end of a file, shutdown)."""
        seg = self._close() if self._open else None
        return [seg] if seg is not None else []

    def _step(self, frame: np.ndarray, act: FrameActivity, t: float) -> Segment | None:
        if not self._open:
            if not act.active:
                if self._pre_roll_frames:
                    self._pre_roll.append((t, frame.copy()))
                return None
            pre = list(self._pre_roll) if self._pre_roll_frames else []
            self._pre_roll.clear()
            self._open = [f for _, f in pre] + [frame.copy()]
            self._open_t = pre[0][0] if pre else t
            self._active, self._speech, self._quiet = 1, int(act.speech), 0
            return None
        self._open.append(frame.copy())
        if act.active:
            self._active += 1
            self._speech += int(act.speech)
            self._quiet = 0
        else:
            self._quiet += 1
        if self._quiet >= self._hangover_frames:
            return self._close()
        if len(self._open) >= self._max_frames:
            return self._close()  # activity that goes on opens the next segment at its next frame
        return None

    def _close(self) -> Segment | None:
        frames, start = self._open, self._open_t
        active, speech = self._active, self._speech
        self._open, self._active, self._speech, self._quiet = [], 0, 0, 0
        if active < self._min_active_frames:
            return None
        audio = np.concatenate(frames).astype(np.float32) / 32768.0  # (n,)
        kind = "speech" if speech * 2 >= active else "sound"
        return Segment(start=start, audio=audio, kind=kind)
