"""Read OpenTTD's sound container (`opensfx.cat`, the `.cat` of a base sound set).

Layout (little-endian), as OpenTTD's `sound.cpp` reads it:

```
cat     = table entry*
table   = count_dword (offset_dword size_dword)*(count - 1)   ; count_dword is the first offset
count   = (first offset & 0x7FFFFFFF) / 8                     ; bit 31 set = the "new" format
entry   = name_len:u8 name:name_len bytes (NUL-terminated) riff:size bytes
offset  = (offset_dword & 0x7FFFFFFF)                          ; from the start of the file
```

Each `riff` is a complete RIFF/WAVE file. OpenSFX's names are the sound's title with its
author and licence ("\"Cow\". Original ... License: Creative Commons Zero 1.0."). Sounds
from this container are EVALUATION-ONLY (see `recordings.check_split`).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

from training.errors import CorpusFileError

_ENTRY = struct.Struct("<II")  # offset, size
_TITLE_RE = re.compile(r'^"([^"]*)"')


@dataclass(frozen=True)
class CatSound:
    index: int  # position in the container (0-based)
    name: str  # the entry's name: title, author and licence
    wav: bytes  # the RIFF/WAVE file

    @property
    def title(self) -> str:
        m = _TITLE_RE.match(self.name)
        return m.group(1) if m else self.name

    def file_name(self) -> str:
        """`NN_slug.wav`, e.g. `37_cow.wav`: stable, and readable by the path rules."""
        slug = re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_") or "sound"
        return f"{self.index:02d}_{slug}.wav"


def read_cat(path: Path) -> list[CatSound]:
    """Every sound of a .cat file; a malformed container is a CorpusFileError naming the byte."""
    data = Path(path).read_bytes()
    if len(data) < _ENTRY.size:
        raise CorpusFileError(f"{path} is too short ({len(data)} bytes) to be an OpenTTD sound container")
    count = (_ENTRY.unpack_from(data, 0)[0] & 0x7FFFFFFF) // 8
    if count == 0 or count * _ENTRY.size > len(data):
        raise CorpusFileError(f"{path}: its table claims {count} sounds, which does not fit in {len(data)} bytes")
    sounds = []
    for i in range(count):
        offset, size = _ENTRY.unpack_from(data, i * _ENTRY.size)
        offset &= 0x7FFFFFFF
        if offset >= len(data):
            raise CorpusFileError(f"{path}: sound {i} starts at byte {offset}, past the end ({len(data)} bytes)")
        name_len = data[offset]
        start = offset + 1 + name_len
        wav = data[start:start + size]
        if len(wav) != size or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
            raise CorpusFileError(f"{path}: sound {i} at byte {start} is not a complete RIFF/WAVE file of {size} bytes")
        name = data[offset + 1:start].split(b"\0", 1)[0].decode("utf-8", "replace")
        sounds.append(CatSound(i, name, wav))
    return sounds


def unpack_cat(path: Path, out: Path) -> list[Path]:
    """Write each sound of the container as `out/NN_slug.wav` (unchanged files are not rewritten)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for sound in read_cat(path):
        dest = out / sound.file_name()
        if not dest.is_file() or dest.read_bytes() != sound.wav:
            dest.write_bytes(sound.wav)
        written.append(dest)
    return written
