"""Room impulse responses from simulated shoebox rooms (pyroomacoustics' image source method).

A *bank* holds `rooms` rooms of random size, reverberation time and positions (one
microphone, `sources` source positions each), drawn from a seed. Simulating is the slow
part (about a second a room), so a bank is computed once per (settings, seed) and cached
under `$LISTEN_HOME/cache/rirs/`; the builder computes it in the parent process, and every
worker mixes with the same arrays, so the corpus bytes do not depend on the worker count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.paths import listen_home
from training.corpus.dsp import SR, n_samples
from training.errors import CorpusError

log = logging.getLogger(__name__)
ROOM_SALT = 0x500E  # rng stream of the room draws
CACHE_VERSION = 1  # bump when the simulation changes, so old banks are not reused


@dataclass(frozen=True)
class RoomConfig:
    rooms: int = 32  # simulated rooms in the bank
    sources: int = 3  # source positions per room (events of a clip sit at different ones)
    length_m: tuple[float, float] = (3.0, 10.0)  # room length range, metres
    width_m: tuple[float, float] = (2.5, 8.0)  # room width range, metres
    height_m: tuple[float, float] = (2.4, 3.6)  # ceiling height range, metres
    rt60_s: tuple[float, float] = (0.2, 0.9)  # target reverberation time (Sabine), seconds
    wall_gap_m: float = 0.5  # sources and microphone keep this far from every wall
    max_order: int = 60  # image-source reflection order cap: cost grows with its cube
    max_ir_s: float = 1.2  # impulse responses are cut here, seconds


@dataclass(frozen=True)
class Room:
    dims_m: tuple[float, float, float]
    rt60_s: float  # the target of the simulation (Sabine)
    rirs: np.ndarray  # (sources, taps) float32, each scaled to unit energy

    def describe(self) -> str:
        x, y, z = self.dims_m
        return f"room {x:.1f}x{y:.1f}x{z:.1f} m, RT60 {self.rt60_s:.2f} s"


class RirBank:
    """The rooms of one (settings, seed); `pick` draws a room with a clip's rng."""

    def __init__(self, rooms: list[Room]):
        if not rooms:
            raise CorpusError("a room bank needs at least one room; set RoomConfig.rooms >= 1")
        self.rooms = rooms

    def pick(self, rng: np.random.Generator) -> Room:
        return self.rooms[int(rng.integers(len(self.rooms)))]


def rir_bank(cfg: RoomConfig, seed: int, cache_dir: Path | None = None) -> RirBank:
    """The bank for (cfg, seed), from the cache or simulated (and cached) now."""
    cache_dir = listen_home() / "cache" / "rirs" if cache_dir is None else cache_dir
    path = cache_dir / f"{_cache_key(cfg, seed)}.npz"
    if path.is_file():
        try:
            return _load(path)
        except (OSError, ValueError, KeyError) as err:
            log.warning("room bank cache %s is unreadable (%s): simulating it again", path, err)
    log.info("simulating %d rooms (seed %d); cached in %s", cfg.rooms, seed, path)
    bank = simulate_bank(cfg, seed)
    _save(bank, path)
    return bank


def simulate_bank(cfg: RoomConfig, seed: int) -> RirBank:
    if cfg.rooms < 1 or cfg.sources < 1:
        raise CorpusError(f"a room bank needs rooms >= 1 and sources >= 1, got {cfg.rooms} and {cfg.sources}")
    rng = np.random.default_rng([seed, ROOM_SALT])
    return RirBank([_simulate_room(rng, cfg) for _ in range(cfg.rooms)])


def _simulate_room(rng: np.random.Generator, cfg: RoomConfig) -> Room:
    import pyroomacoustics as pra  # the train extra; imported only when a bank is simulated

    dims = np.array([rng.uniform(*cfg.length_m), rng.uniform(*cfg.width_m), rng.uniform(*cfg.height_m)])
    rt60 = float(rng.uniform(*cfg.rt60_s))
    try:
        absorption, order = pra.inverse_sabine(rt60, dims)
    except ValueError as err:  # a room too large for so short a reverberation
        raise CorpusError(f"RT60 {rt60:.2f} s is not reachable in a {dims.round(1).tolist()} m room: {err}") from err
    room = pra.ShoeBox(dims, fs=SR, materials=pra.Material(absorption), max_order=min(order, cfg.max_order),
                       air_absorption=False)
    gap = cfg.wall_gap_m
    room.add_microphone(rng.uniform(gap, dims - gap))
    for _ in range(cfg.sources):
        room.add_source(rng.uniform(gap, dims - gap))
    room.compute_rir()
    taps = n_samples(cfg.max_ir_s)
    rirs = np.zeros((cfg.sources, taps), dtype=np.float32)  # (sources, taps)
    for k in range(cfg.sources):
        h = np.asarray(room.rir[0][k], dtype=np.float64)[:taps]
        rirs[k, : h.size] = h / (np.sqrt(np.sum(h**2)) + 1e-12)
    return Room(tuple(round(float(d), 3) for d in dims), round(rt60, 3), rirs)


def _cache_key(cfg: RoomConfig, seed: int) -> str:
    from importlib.metadata import version  # not the import: pyroomacoustics takes seconds to load

    text = json.dumps({"cfg": asdict(cfg), "seed": seed, "sr": SR, "pra": version("pyroomacoustics"), "v": CACHE_VERSION},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _save(bank: RirBank, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part.npz")
    np.savez(tmp, rirs=np.stack([r.rirs for r in bank.rooms]), dims=np.array([r.dims_m for r in bank.rooms]),
             rt60=np.array([r.rt60_s for r in bank.rooms]))
    os.replace(tmp, path)


def _load(path: Path) -> RirBank:
    with np.load(path) as z:
        rirs, dims, rt60 = z["rirs"], z["dims"], z["rt60"]  # (rooms, sources, taps), (rooms, 3), (rooms,)
    return RirBank([Room(tuple(float(d) for d in dims[i]), float(rt60[i]), rirs[i]) for i in range(len(rt60))])
