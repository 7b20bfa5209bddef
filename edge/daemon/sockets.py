"""The daemon's listening sockets: bind a unix socket and/or a loopback TCP port, accept on them.

`Listeners` owns every listening socket, the selector over them and the pipe that wakes its
accept loop; `close()` releases them all and removes the unix socket file it made.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import selectors
import socket
import stat
from pathlib import Path
from typing import Callable

from edge.errors import DaemonError

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs

# Connections the kernel queues before `accept` (capped by net.core.somaxconn): a burst of
# clients waits here instead of failing with EAGAIN (edge.client.connection retries that too).
LISTEN_BACKLOG = 512


def socket_mode_problem(mode: object) -> str | None:
    """Why `mode` is no usable unix socket mode, or None. Connecting needs write permission, so
    the owner needs it, and a world-write bit would open the unauthenticated API to every user."""
    if not isinstance(mode, int) or isinstance(mode, bool) or not 0 <= mode <= 0o777:
        return "not an octal file mode 0o000..0o777"
    if not mode & 0o200:
        return f"0o{mode:03o} denies the owner write access, so nobody but root could connect; use 0o600"
    if mode & 0o002:
        return (f"0o{mode:03o} lets every local user connect to the unauthenticated API; use 0o660 "
                "and add the users who need it to the socket's group")
    return None


def refuse_connection(sock: socket.socket, line: bytes) -> None:
    """Send one error line and close, without blocking the accept loop on a client that does not read."""
    try:
        sock.setblocking(False)
        sock.send(line)  # a fresh socket's send buffer holds one short line
    except OSError:
        pass
    finally:
        sock.close()


class Listeners:
    """Bound, listening sockets and one accept loop over them (run it on its own thread)."""

    def __init__(self, socket_path: Path | None, socket_mode: int, tcp_host: str, tcp_port: int | None) -> None:
        self.socket_path = socket_path
        self.tcp_address: tuple[str, int] | None = None  # bound (host, port)
        self._sockets: list[socket.socket] = []
        self._bound_path: Path | None = None  # the socket file this object made, and so removes
        try:
            if socket_path is not None:
                self._sockets.append(bind_unix(Path(socket_path), socket_mode))
                self._bound_path = Path(socket_path)
            if tcp_port is not None:
                sock = bind_tcp(tcp_host, tcp_port)
                self.tcp_address = sock.getsockname()[:2]
                self._sockets.append(sock)
        except BaseException:
            self._close_sockets()
            raise
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        for sock in self._sockets:
            sock.setblocking(False)
            self._selector.register(sock, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)

    def describe(self) -> str:
        where = [str(self.socket_path)] if self.socket_path else []
        if self.tcp_address:
            where.append(f"tcp://{self.tcp_address[0]}:{self.tcp_address[1]}")
        return " and ".join(where)

    def accept_loop(self, on_socket: Callable[[socket.socket], None]) -> None:
        """Hand each accepted (blocking) socket to `on_socket` until `wake()`."""
        while True:
            for key, _ in self._selector.select():
                if key.fileobj == self._wake_r:
                    return
                try:
                    sock, _addr = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as err:
                    log.warning("accept failed: %s", err)
                    continue
                sock.setblocking(True)
                on_socket(sock)

    def wake(self) -> None:
        """End `accept_loop`."""
        os.write(self._wake_w, b"x")

    def close(self) -> None:
        self._close_sockets()
        self._selector.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _close_sockets(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()
        path, self._bound_path = self._bound_path, None  # never another daemon's live socket
        if path is not None:
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    os.unlink(path)
            except FileNotFoundError:
                pass


def bind_unix(path: Path, mode: int) -> socket.socket:
    """Bind a unix socket at `path` with `mode`, replacing a stale socket but never a live one or a file."""
    # Private, but passable by the socket's group when `mode` lets that group connect (a 0700
    # folder would lock it out while the socket's mode looks right).
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o710 if mode & 0o060 else 0o700)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISSOCK(st.st_mode):
            raise DaemonError(f"{path} exists and is not a socket; remove it or pass another --socket")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            os.unlink(path)  # stale: left by a daemon that died
        else:
            raise DaemonError(f"another daemon is already listening on {path}; stop it or pass another --socket")
        finally:
            probe.close()
    # Bound and listening under a temporary name, then renamed into place: a client never
    # finds the path before it accepts connections, nor with wider permissions than `mode`.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o777 & ~mode)
    try:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        sock.bind(str(tmp))
        os.chmod(tmp, mode)
        sock.listen(LISTEN_BACKLOG)
        os.rename(tmp, path)
    except OSError as err:
        sock.close()
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise DaemonError(f"cannot bind the unix socket {path}: {err}; pass another --socket") from err
    finally:
        os.umask(old_umask)
    return sock


def bind_tcp(host: str, port: int) -> socket.socket:
    """Bind loopback TCP only: the API has no authentication."""
    try:
        addr = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError as err:
        raise DaemonError(f"TCP host {host!r} is not an IP address; use 127.0.0.1 or ::1") from err
    if not addr.is_loopback:
        raise DaemonError(
            f"refusing to listen on {host}: the socket API has no authentication, so TCP is loopback only (127.0.0.1 or ::1)"
        )
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((str(addr), port))
    except OSError as err:
        sock.close()
        raise DaemonError(f"cannot listen on {addr}:{port}: {err}; pick another --tcp port") from err
    sock.listen(LISTEN_BACKLOG)
    return sock
