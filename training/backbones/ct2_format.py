"""Reader for CTranslate2's `model.bin` (binary version 6, written by its model-spec serializer).

Grammar (little-endian):

    file     := u32 version, string spec_name, u32 spec_revision,
                u32 n_vars, var * n_vars, u32 n_aliases, alias * n_aliases
    var      := string name, u8 rank, u32 dim * rank, u8 dtype_id, u32 n_bytes, bytes[n_bytes]
    alias    := string alias_name, string target_name
    string   := u16 length (including the trailing NUL), utf-8 bytes, 0x00

dtype ids follow CTranslate2's DataType enum: float32, int8, int16, int32, float16, bfloat16.
numpy only: no torch, no ctranslate2 package.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from training.errors import CT2FormatError


SUPPORTED_VERSIONS = (5, 6)
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


@dataclass
class CT2Model:
    spec_name: str
    revision: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray:
        """A variable by name, following aliases."""
        name = self.aliases.get(name, name)
        try:
            return self.variables[name]
        except KeyError:
            raise CT2FormatError(f"variable {name!r} not found in the CTranslate2 model") from None


class _Cursor:
    def __init__(self, data: bytes, path: Path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CT2FormatError(
                f"{self.path}: truncated at byte {self.pos} (wanted {n} more bytes); re-install the model package"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))[0]

    def string(self) -> str:
        n = self.unpack("H")
        return self.take(n)[:-1].decode("utf-8")


def read_ct2_model(path: str | Path) -> CT2Model:
    """Parse a CTranslate2 model.bin into numpy arrays (bfloat16 is widened to float32)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CT2FormatError(f"cannot read {path}: {err.strerror}") from err
    cur = _Cursor(data, path)
    version = cur.unpack("I")
    if version not in SUPPORTED_VERSIONS:
        raise CT2FormatError(f"{path}: CTranslate2 binary version {version} is not supported (need one of {SUPPORTED_VERSIONS})")
    model = CT2Model(spec_name=cur.string(), revision=cur.unpack("I"))
    for _ in range(cur.unpack("I")):
        name = cur.string()
        shape = tuple(cur.unpack("I") for _ in range(cur.unpack("B")))
        dtype_id = cur.unpack("B")
        if dtype_id >= len(_DTYPES):
            raise CT2FormatError(f"{path}: variable {name!r} has unknown dtype id {dtype_id}")
        raw = cur.take(cur.unpack("I"))
        model.variables[name] = _decode(raw, _DTYPES[dtype_id], shape)
    for _ in range(cur.unpack("I")):
        alias = cur.string()
        model.aliases[alias] = cur.string()
    return model


def _decode(raw: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == "bfloat16":  # numpy has no bfloat16: place the 16 bits high in a float32
        bits = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()
