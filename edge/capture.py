"""Where the daemon's audio comes from: a microphone (sounddevice) or a file replayed in real time.

Both sources deliver `Block`s of `BLOCK_SAMPLES` int16 mono samples at 16 kHz (four of the
30 ms frames webrtcvad takes) with the wall-clock time of their first sample. `CaptureLoop` runs
a source on its own thread, hands each block to a callback, retries a failing source with
exponential backoff, and can be paused (mute): pausing closes the source, so the device
really stops capturing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from core.audio import SAMPLE_RATE
from edge.activity import FRAME_SAMPLES
from core.backoff import Backoff
from edge.errors import CaptureError

log = logging.getLogger(__name__)

# 1920 samples = 120 ms at 16 kHz. The capture thread wakes once per block, and on an idle
# speaker a wake-up, not the work, is the cost: its per-block Python runs with cold caches. One
# VAD frame per block (30 ms) cost 1.4-1.7 % of a core on silence, replaying a file; a segment
# or an alarm pattern is at most 90 ms later for it (bench/bench_always_on.py).
BLOCK_SAMPLES = 4 * FRAME_SAMPLES
BLOCK_SECONDS = BLOCK_SAMPLES / SAMPLE_RATE


@dataclass(frozen=True)
class Block:
    samples: np.ndarray  # int16 mono, shape (BLOCK_SAMPLES,)
    time: float  # wall clock of the first sample, Unix seconds


class NotYet(Exception):
    """`read` timed out before the next block was due; call it again.

    Control flow between a source and the capture loop, not an error: deliberately outside the
    `EdgeError` family, so no `except EdgeError`/`ListenError` handler can swallow or report it.
    """


class AudioSource(Protocol):
    name: str  # for logs and `status`

    def open(self) -> None: ...
    def read(self, timeout: float) -> Block | None:
        """The next block; None at the end of a finite source; NotYet when `timeout` passed first;
        CaptureError on failure."""

    def close(self) -> None: ...


# -- microphone --------------------------------------------------------------------------


def find_input_device(spec: str | int | None) -> int:
    """The PortAudio index of the device `spec` names (index, or part of a name); None: the default."""
    sd = _sounddevice()
    devices = list(sd.query_devices())
    inputs = [(i, d["name"]) for i, d in enumerate(devices) if d["max_input_channels"] > 0]
    seen = ", ".join(f"{i}: {name!r}" for i, name in inputs) or "none"
    hint = "pass --device NAME or INDEX, or replay a file with --source FILE"
    if spec is None:
        default = sd.default.device[0] if isinstance(sd.default.device, (list, tuple)) else sd.default.device
        if isinstance(default, int) and default >= 0 and any(i == default for i, _ in inputs):
            return default
        if inputs:
            return inputs[0][0]
        raise CaptureError(f"no audio capture device found (devices seen: {seen}); {hint}")
    if isinstance(spec, int) or str(spec).isdigit():
        index = int(spec)
        if any(i == index for i, _ in inputs):
            return index
        raise CaptureError(f"capture device {spec} does not exist or cannot record (devices seen: {seen}); {hint}")
    matches = [i for i, name in inputs if str(spec).lower() in name.lower()]
    if not matches:
        raise CaptureError(f"no capture device matches {spec!r} (devices seen: {seen}); {hint}")
    exact = [i for i in matches if devices[i]["name"].lower() == str(spec).lower()]
    return (exact or matches)[0]


def _sounddevice():
    try:
        import sounddevice as sd
    except (ImportError, OSError) as err:  # OSError: the system PortAudio library is missing
        raise CaptureError(
            f"cannot use the microphone: {err}; install the edge extra and PortAudio "
            f"(pip install 'listen-edge[edge]', apt install libportaudio2), or replay a file with --source FILE"
        ) from err
    return sd


class MicrophoneSource:
    """16 kHz mono int16 capture in blocks of BLOCK_SAMPLES through a sounddevice RawInputStream."""

    def __init__(
        self, device: str | int | None = None, queue_blocks: int = 25, stall_s: float = 2.0, start_s: float = 10.0
    ) -> None:
        self.device = device  # index or part of a name; None: the system default
        self.queue_blocks = queue_blocks  # 25 blocks = 3 s of audio buffered before dropping
        self.stall_s = stall_s  # no block for this long counts as a capture failure
        self.start_s = start_s  # ... but the first block of a stream may take this long (a loaded machine)
        self.name = f"microphone {device if device is not None else '(default)'}"
        self.dropped_blocks = 0  # blocks lost because the consumer fell behind
        self.overflows = 0  # input overflows reported by PortAudio
        self._queue: queue.Queue[tuple[bytes, float]] = queue.Queue(queue_blocks)
        self._stream = None
        self._anchor: float | None = None  # wall clock of sample 0 of this stream
        self._samples = 0  # samples delivered since the anchor
        self._last_block = 0.0  # monotonic time of the last block

    def open(self) -> None:
        sd = _sounddevice()
        index = find_input_device(self.device)
        self.name = f"microphone {sd.query_devices(index)['name']!r}"
        self._queue = queue.Queue(self.queue_blocks)
        self._anchor, self._samples = None, 0
        self._last_block = time.monotonic()  # the stall clock starts at open
        try:
            self._stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                blocksize=BLOCK_SAMPLES,
                device=index,
                channels=1,
                dtype="int16",
                callback=self._callback,
            )
            self._stream.start()
        except Exception as err:  # sounddevice.PortAudioError, or ValueError for bad settings
            self.close()
            raise CaptureError(f"cannot open {self.name} at {SAMPLE_RATE} Hz mono int16: {err}") from err
        log.info("capturing from %s", self.name)

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio's thread
        if status.input_overflow:
            self.overflows += 1
        item = (bytes(indata), time.time())
        try:
            self._queue.put_nowait(item)
        except queue.Full:  # keep latency low: drop the oldest block
            self.dropped_blocks += 1
            try:
                self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put_nowait(item)

    def read(self, timeout: float) -> Block | None:
        try:
            data, arrived = self._queue.get(timeout=timeout)
        except queue.Empty:
            if self._stream is None or not self._stream.active:
                raise CaptureError(f"{self.name} stopped delivering audio") from None
            limit = self.stall_s if self._anchor is not None else self.start_s
            if time.monotonic() - self._last_block > limit:
                raise CaptureError(f"{self.name} delivered no audio for {limit:.1f} s") from None
            raise NotYet from None
        self._last_block = time.monotonic()
        samples = np.frombuffer(data, dtype=np.int16).copy()  # (BLOCK_SAMPLES,)
        # Time by sample count from an anchor; re-anchor when the clocks drift (an overflow).
        expected = None if self._anchor is None else self._anchor + self._samples / SAMPLE_RATE
        start = arrived - len(samples) / SAMPLE_RATE
        if expected is None or abs(expected - start) > 0.25:
            self._anchor, self._samples = start, 0
            expected = start
        self._samples += len(samples)
        return Block(samples, expected)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception as err:  # closing a failed stream may fail again; nothing to keep
                log.debug("closing %s: %s", self.name, err)


# -- file replay -------------------------------------------------------------------------


class FileSource:
    """Replays an audio file in real time (`speed` 1.0), as a microphone would hear it.

    Time keeps running while the source is closed (muted): reopening resumes at the point
    the replay has reached by then, so muted audio is never heard. `loop` starts over at the end.
    The file is streamed (`iter_audio_blocks`), never held whole: memory stays bounded by one
    read block whatever the file's length.
    """

    def __init__(self, path: str | Path, speed: float = 1.0, loop: bool = False) -> None:
        from core.audio_io import iter_audio_blocks

        if not (speed > 0 and np.isfinite(speed)):
            raise CaptureError(f"replay speed must be a positive number, got {speed}")
        self.path = Path(path)
        self.name = f"file {self.path}"
        self.speed = speed  # 1.0: real time; tests replay faster
        self.loop = loop
        # One streaming pass up front: a bad file (missing, corrupt, NaN anywhere) fails here
        # with AudioInputError, as a whole-file read would, and the exact length is known.
        self.n_samples = sum(len(b) for b in iter_audio_blocks(self.path))
        self._reader = None  # iterator of int16 blocks; restarted on loop or when seeking back
        self._pending = np.zeros(0, dtype=np.int16)  # read from the file, not yet delivered
        self._read_pos = 0  # samples taken from the reader so far
        self._t0: float | None = None  # wall clock of sample 0
        self._pos = 0  # next sample to deliver
        self._open = False

    @property
    def duration(self) -> float:
        return self.n_samples / SAMPLE_RATE

    def open(self) -> None:
        now = time.time()
        if self._t0 is None:
            self._t0 = now
        else:  # resume where real time has got to
            reached = int((now - self._t0) * self.speed * SAMPLE_RATE)
            if self.loop and reached >= self.n_samples:
                # Whole replays went by while closed (muted): skip them. Moving the start by one
                # file length only would date the muted period's audio into the past and play it at once.
                laps = reached // self.n_samples
                self._t0 += laps * self.n_samples / SAMPLE_RATE / self.speed
                self._pos = (reached - laps * self.n_samples) // BLOCK_SAMPLES * BLOCK_SAMPLES
            else:
                self._pos = max(self._pos, reached // BLOCK_SAMPLES * BLOCK_SAMPLES)
        self._open = True
        log.info("replaying %s (%.1f s at %.1fx)", self.path, self.duration, self.speed)

    def _take(self, n: int) -> np.ndarray:
        """The next `n` int16 samples of the file (fewer at its end); holds at most one block more."""
        from core.audio_io import iter_audio_blocks

        if self._reader is None:
            self._reader = (
                (np.clip(b, -1.0, 1.0) * 32767.0).astype(np.int16) for b in iter_audio_blocks(self.path)
            )
        while len(self._pending) < n:
            block = next(self._reader, None)
            if block is None:
                break
            self._pending = np.concatenate([self._pending, block])
        out, self._pending = self._pending[:n], self._pending[n:]
        self._read_pos += len(out)
        return out

    def _seek(self, pos: int) -> None:
        """Move the reader to sample `pos`: forward by skipping (block by block), back by restarting."""
        if pos < self._read_pos:
            self._reader, self._pending, self._read_pos = None, np.zeros(0, dtype=np.int16), 0
        while self._read_pos < pos:
            if not len(self._take(min(pos - self._read_pos, 10 * SAMPLE_RATE))):
                break

    def read(self, timeout: float) -> Block | None:
        if not self._open:
            raise CaptureError(f"{self.name} is not open")
        if self._pos >= self.n_samples:
            if not self.loop:
                return None
            self._t0 += self.n_samples / SAMPLE_RATE / self.speed
            self._pos = 0
        due = self._t0 + (self._pos + BLOCK_SAMPLES) / SAMPLE_RATE / self.speed  # when the block is complete
        delay = due - time.time()
        if delay > timeout:
            time.sleep(max(timeout, 0.0))
            raise NotYet  # lets the capture thread check for pause/stop between blocks
        if delay > 0:
            time.sleep(delay)
        self._seek(self._pos)
        block = self._take(BLOCK_SAMPLES)
        if len(block) < BLOCK_SAMPLES:
            block = np.pad(block, (0, BLOCK_SAMPLES - len(block)))
        start = self._t0 + self._pos / SAMPLE_RATE / self.speed
        self._pos += BLOCK_SAMPLES
        return Block(block.copy(), start)  # a copy: a view would pin the whole read block in the ring buffer

    def close(self) -> None:
        self._open = False


# -- the capture thread ------------------------------------------------------------------


class CaptureLoop:
    """Runs `source` on a thread, calling `on_block(block)`; retries failures; pause() = mute."""

    def __init__(
        self,
        source: AudioSource,
        on_block: Callable[[Block], None],
        on_end: Callable[[], None] = lambda: None,
        backoff: Backoff | None = None,
    ) -> None:
        self.source = source
        self.on_block = on_block
        self.on_end = on_end  # called once when a finite source has been read to its end
        self.backoff = backoff or Backoff(0.2, 2.0, 10.0)  # a replugged microphone is picked up within 10 s
        self.failures = 0  # capture errors seen (each retried)
        self.last_error: str | None = None
        self.ended = False  # the source has no more audio
        self._paused = False
        self._stop = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)

    @property
    def capturing(self) -> bool:
        with self._cond:
            return not self._paused and not self._stop and not self.ended

    def start(self) -> None:
        self._thread.start()

    def pause(self) -> None:
        """Stop capturing (the source is closed by the capture thread before its next block)."""
        with self._cond:
            self._paused = True
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _wait_while_paused(self) -> bool:
        """Block while paused; False when stopping."""
        with self._cond:
            while self._paused and not self._stop:
                self._cond.wait()
            return not self._stop

    def _run(self) -> None:
        while self._wait_while_paused():
            try:
                self.source.open()
            except CaptureError as err:
                self._failed(err)
                continue
            try:
                self._pump()
            except CaptureError as err:
                self._failed(err)
            except Exception as err:  # a bug downstream must not end capture for good
                log.exception("capture pipeline failed")
                self._failed(CaptureError(f"{type(err).__name__}: {err}"))
            finally:
                self.source.close()
            if self.ended:
                self.on_end()
                return

    def _pump(self) -> None:
        """Read blocks until paused, stopped or the end of the source."""
        while True:
            with self._cond:
                if self._paused or self._stop:
                    return
            try:
                block = self.source.read(timeout=0.1)
            except NotYet:
                continue
            if block is None:
                self.ended = True
                return
            self.backoff.reset()
            self.on_block(block)

    def _failed(self, err: CaptureError) -> None:
        self.failures += 1
        self.last_error = str(err)
        delay = self.backoff.next_delay()
        log.warning("capture failed: %s; retrying in %.1f s", err, delay)
        with self._cond:
            self._cond.wait_for(lambda: self._stop, timeout=delay)
