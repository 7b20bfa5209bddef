"""Read a Qt resource file (`.rcc`, as `rcc -binary` writes it; GCompris ships its sounds so).

Layout (big-endian), as Qt's `qresource.cpp` reads it:

```
rcc      = header tree* names data                 ; sections at the header's offsets
header   = "qres" version:u32 tree:u32 data:u32 names:u32 [flags:u32]   ; flags from version 3
tree     = name:u32 flags:u16 (dir | file) [mtime:u64]                  ; mtime from version 2
dir      = count:u32 first:u32                     ; flags & 2; children are tree[first:first+count]
file     = country:u16 language:u16 offset:u32     ; its bytes at data + offset
names    = length:u16 hash:u32 utf16be:length*2    ; at names + name
bytes    = size:u32 payload:size                   ; flags & 1: payload = length:u32 zlib-stream
```

Tree entry 0 is the unnamed root. Zstandard payloads (flags & 4, Qt 6) are refused: GCompris's
files do not use them.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from training.errors import CorpusFileError

MAGIC = b"qres"
COMPRESSED, DIRECTORY, COMPRESSED_ZSTD = 0x01, 0x02, 0x04
_HEADER = struct.Struct(">4sIIII")
_ENTRY_HEAD = struct.Struct(">IH")  # name offset, flags
_DIR = struct.Struct(">II")  # child count, first child index
_FILE = struct.Struct(">HHI")  # country, language, data offset
MAX_DEPTH = 64  # a deeper tree is a corrupt file, not a real resource layout


def read_rcc(path: Path) -> dict[str, bytes]:
    """{entry path ('/'-separated, no leading '/'): bytes} of every file in the resource."""
    return parse_rcc(Path(path).read_bytes(), str(path))


def parse_rcc(buf: bytes, where: str = "rcc") -> dict[str, bytes]:
    if len(buf) < _HEADER.size or buf[:4] != MAGIC:
        raise CorpusFileError(f"{where}: not a Qt resource file (starts {buf[:4]!r}, expected {MAGIC!r})")
    _, version, tree, data, names = _HEADER.unpack_from(buf)
    if version not in (1, 2, 3):
        raise CorpusFileError(f"{where}: Qt resource version {version} is not supported (1-3 are)")
    entry_size = _ENTRY_HEAD.size + _DIR.size + (8 if version >= 2 else 0)
    out: dict[str, bytes] = {}

    def unpack(fmt: struct.Struct, offset: int) -> tuple:
        if offset < 0 or offset + fmt.size > len(buf):
            raise CorpusFileError(f"{where}: truncated at byte {offset} (file is {len(buf)} bytes)")
        return fmt.unpack_from(buf, offset)

    def name_at(offset: int) -> str:
        (length,) = unpack(struct.Struct(">H"), names + offset)
        start = names + offset + 6
        if start + 2 * length > len(buf):
            raise CorpusFileError(f"{where}: a name runs past the end of the file")
        return buf[start: start + 2 * length].decode("utf-16-be")

    def payload(offset: int, flags: int, name: str) -> bytes:
        (size,) = unpack(struct.Struct(">I"), data + offset)
        start = data + offset + 4
        if start + size > len(buf):
            raise CorpusFileError(f"{where}: {name} runs past the end of the file")
        blob = buf[start: start + size]
        if flags & COMPRESSED_ZSTD:
            raise CorpusFileError(f"{where}: {name} is zstd-compressed, which this reader does not support")
        if flags & COMPRESSED:
            try:
                return zlib.decompress(blob[4:])
            except zlib.error as err:
                raise CorpusFileError(f"{where}: {name} is not a valid zlib stream ({err})") from err
        return blob

    def walk(index: int, prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise CorpusFileError(f"{where}: the resource tree is deeper than {MAX_DEPTH}: corrupt")
        at = tree + index * entry_size
        name_off, flags = unpack(_ENTRY_HEAD, at)
        name = name_at(name_off) if index else ""
        path = f"{prefix}/{name}" if prefix else name
        if flags & DIRECTORY:
            count, first = unpack(_DIR, at + _ENTRY_HEAD.size)
            if first + count > len(buf) // entry_size:
                raise CorpusFileError(f"{where}: {path or 'root'} claims {count} children past the end of the tree")
            for child in range(first, first + count):
                walk(child, path, depth + 1)
        else:
            _, _, offset = unpack(_FILE, at + _ENTRY_HEAD.size)
            out[path] = payload(offset, flags, path)

    walk(0, "", 0)
    return out
