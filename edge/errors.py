"""The exception family of the whole project.

`ListenError` is the root that the `listen` CLI turns into a one-line message (no
traceback). Each package derives its own family from it (`TrainingError`,
`ExportError`, `BridgeError`, ...). Messages name the bad value and the fix, and chain
the cause with `raise ... from err`.
"""

from __future__ import annotations


class ListenError(Exception):
    """A user-facing error: bad input, a missing file or package, a mismatched bundle."""


class EdgeError(ListenError):
    """Errors raised by the edge runtime."""


class ModelNotFoundError(ListenError):
    """A default-model package or a model file is missing."""


class AudioInputError(EdgeError):
    """An audio file that cannot be used: unreadable, empty, truncated, or holding NaN/Inf."""


class LLMError(EdgeError):
    """The LLM cannot be loaded, or llama.cpp failed while evaluating a prompt."""


class CaptureError(EdgeError):
    """The capture device is missing or failed (the daemon retries failures with backoff)."""


class ProtocolError(EdgeError):
    """A line of the daemon's socket protocol that breaks its grammar; `code` goes on the wire."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code  # one of edge.protocol.ErrorCode
        self.text = text


class DaemonError(EdgeError):
    """The daemon cannot start, cannot be reached, or refused a request."""


class RequestRefused(DaemonError):
    """The daemon answered a request with `error{code, text}`."""

    def __init__(self, request: str, code: str, text: str) -> None:
        super().__init__(f"the daemon refused {request}: {code}: {text}")
        self.request = request  # the request type
        self.code = code  # an edge.protocol.ErrorCode
        self.text = text
