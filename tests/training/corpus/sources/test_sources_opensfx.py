"""The OpenTTD .cat reader on a tiny container written here."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile as sf

from training.corpus.sources.opensfx import read_cat, unpack_cat
from training.errors import CorpusFileError


def _wav(tmp_path, name, n) -> bytes:
    path = tmp_path / name
    sf.write(str(path), np.linspace(-0.5, 0.5, n), 8000, subtype="PCM_16")
    return path.read_bytes()


def _cat(entries: list[tuple[bytes, bytes]]) -> bytes:
    table = len(entries) * 8
    body, offsets = b"", []
    for name, wav in entries:
        offsets.append((table + len(body), len(wav)))
        body += bytes([len(name)]) + name + wav
    head = b"".join(struct.pack("<II", off | (0x80000000 if i == 0 else 0), size) for i, (off, size) in enumerate(offsets))
    return head + body


def test_reads_names_and_wav_files(tmp_path):
    a, b = _wav(tmp_path, "a.wav", 800), _wav(tmp_path, "b.wav", 1600)
    cat = tmp_path / "tiny.cat"
    cat.write_bytes(_cat([(b'"Cow". By X. License: CC0.\0', a), (b'"Big crash". By Y.\0', b)]))
    sounds = read_cat(cat)
    assert [(s.index, s.title) for s in sounds] == [(0, "Cow"), (1, "Big crash")]
    assert sounds[0].wav == a and sounds[1].wav == b
    paths = unpack_cat(cat, tmp_path / "out")
    assert [p.name for p in paths] == ["00_cow.wav", "01_big_crash.wav"]
    assert sf.info(str(paths[1])).frames == 1600


@pytest.mark.parametrize("data, needle", [
    (b"\x01", "too short"),
    (struct.pack("<II", 0x80000000 | 800, 4), "does not fit"),
    (struct.pack("<II", 0x80000000 | 8, 40) + b"\x00RIFF", "not a complete RIFF"),
])
def test_malformed_containers_are_one_line_errors(tmp_path, data, needle):
    cat = tmp_path / "bad.cat"
    cat.write_bytes(data)
    with pytest.raises(CorpusFileError, match=needle):
        read_cat(cat)
