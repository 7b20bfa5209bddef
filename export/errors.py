"""The export package's exception family."""

from __future__ import annotations

from core.errors import ListenError


class ExportError(ListenError):
    """An export step that cannot run or whose result fails its checks."""


class ParityError(ExportError):
    """An exported artefact that does not match the original within the stated tolerance."""


class ConverterError(ExportError):
    """llama.cpp's HF -> GGUF converter is missing, cannot be fetched, or failed."""


class QuantizationError(ExportError):
    """An unknown quantization type, or llama.cpp failed to quantize a GGUF file."""
