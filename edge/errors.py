"""The edge runtime's exception family, under the project root `core.errors.ListenError`.

The errors the shared core raises (`AudioInputError`, `BundleError`, `ModelNotFoundError`)
are in `core.errors`; the ones here come from the edge's own parts (llama.cpp, capture,
the daemon and its socket protocol).
"""

from __future__ import annotations

from core.errors import ListenError


class EdgeError(ListenError):
    """Errors raised by the edge runtime."""


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


class Refused(DaemonError):
    """The daemon's side: a job it never ran (shutting down); `code` is the protocol's error code for the waiting request."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


class RequestRefused(DaemonError):
    """The daemon answered a request with `error{code, text}`."""

    def __init__(self, request: str, code: str, text: str) -> None:
        super().__init__(f"the daemon refused {request}: {code}: {text}")
        self.request = request  # the request type
        self.code = code  # an edge.protocol.ErrorCode
        self.text = text
