"""edge.heap: the daemon hands the C heap's freed memory back after each model job."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from edge import heap


def _rss_mib() -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_pages_go_back_to_the_system():
    """What a model run leaves behind: many small blocks freed, a few still held between them
    (so glibc's automatic trim of the heap's top cannot return them)."""
    blocks = [bytearray(4096) for _ in range(40_000)]  # 160 MiB of malloc'd blocks below the mmap threshold
    for b in blocks:
        b[::512] = b"\x01" * 8  # touch every page
    kept = blocks[::64]
    del blocks
    before = _rss_mib()
    assert heap.trim() is True
    after = _rss_mib()
    assert before - after > 100, (before, after)  # 157 of the 160 MiB are free pages between the kept ones
    assert len(kept) == 625
