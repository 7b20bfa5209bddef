"""The Qt resource (.rcc) reader on tiny resource files written here, byte by byte."""

from __future__ import annotations

import struct

import pytest

from tests.training.corpus.sources.rcc_helpers import rcc_bytes
from training.corpus.sources.qtrcc import COMPRESSED, COMPRESSED_ZSTD, parse_rcc, read_rcc
from training.errors import CorpusFileError


@pytest.mark.parametrize("version", [1, 2, 3])
def test_reads_plain_and_zlib_entries_with_their_folders(tmp_path, version):
    path = tmp_path / "tiny.rcc"
    path.write_bytes(rcc_bytes({"moo.ogg": (b"OggS-moo", 0), "baa.wav": (b"RIFF" + b"b" * 100, COMPRESSED)}, version))
    assert read_rcc(path) == {"snd/moo.ogg": b"OggS-moo", "snd/baa.wav": b"RIFF" + b"b" * 100}


@pytest.mark.parametrize("data, needle", [
    (b"qrez" + b"\0" * 20, "not a Qt resource file"),
    (struct.pack(">4sIIII", b"qres", 9, 20, 20, 20), "version 9 is not supported"),
    (rcc_bytes({"a.ogg": (b"a", 0)})[:40], "truncated|past the end"),
    (rcc_bytes({"a.ogg": (b"a", COMPRESSED_ZSTD)}), "zstd-compressed"),
])
def test_malformed_resources_are_one_line_errors(data, needle):
    with pytest.raises(CorpusFileError, match=needle):
        parse_rcc(data, "bad.rcc")
