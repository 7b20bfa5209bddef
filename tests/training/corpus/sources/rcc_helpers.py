"""A tiny Qt resource (.rcc) writer for the tests: the layout `rcc -binary` writes."""

from __future__ import annotations

import struct
import zlib

from training.corpus.sources.qtrcc import COMPRESSED, DIRECTORY


def rcc_bytes(files: dict[str, tuple[bytes, int]], version: int = 3) -> bytes:
    """A resource with one folder `snd/` holding `files` ({name: (payload, flags)}): the
    layout `rcc -binary` writes (header, tree, names, data; big-endian)."""
    names, name_off = b"", {}
    for n in ["snd", *files]:
        name_off[n] = len(names)
        names += struct.pack(">HI", len(n), 0) + n.encode("utf-16-be")
    data, data_off = b"", {}
    for n, (payload, flags) in files.items():
        blob = struct.pack(">I", len(payload)) + zlib.compress(payload) if flags & COMPRESSED else payload
        data_off[n] = len(data)
        data += struct.pack(">I", len(blob)) + blob
    mtime = b"\0" * 8 if version >= 2 else b""
    tree = struct.pack(">IHII", 0, DIRECTORY, 1, 1) + mtime  # root: one child, entry 1
    tree += struct.pack(">IHII", name_off["snd"], DIRECTORY, len(files), 2) + mtime  # snd/: entries 2..
    for n, (_, flags) in files.items():
        tree += struct.pack(">IHHHI", name_off[n], flags, 0, 0, data_off[n]) + mtime
    head = 24 if version >= 3 else 20
    t, nm = head, head + len(tree)
    d = nm + len(names)
    header = struct.pack(">4sIIII", b"qres", version, t, d, nm) + (b"\0\0\0\0" if version >= 3 else b"")
    return header + tree + names + data
