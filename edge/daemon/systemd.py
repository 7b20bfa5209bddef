"""Running under systemd: log lines journald reads the priority of, and sd_notify for
`Type=notify` units (deploy/systemd/listen-serve.service). Both are no-ops outside systemd."""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("edge.daemon")  # the daemon's one logger, whichever module logs


class JournaldFormatter(logging.Formatter):
    """`<priority>name: message`: journald reads the syslog priority from the prefix and stamps the time."""

    PRIORITIES = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}

    def format(self, record: logging.LogRecord) -> str:
        priority = self.PRIORITIES.get(record.levelno, 6)
        text = super().format(record).replace("\n", "\n" + f"<{priority}>")  # every line of a traceback
        return f"<{priority}>{record.name}: {text}"


def use_journald_format() -> None:
    """Give every root handler the journald format when stderr goes to the journal ($JOURNAL_STREAM)."""
    if not os.environ.get("JOURNAL_STREAM"):
        return
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JournaldFormatter("%(message)s"))


def notify_systemd(state: str) -> None:
    """sd_notify for `Type=notify` units; a no-op outside systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(state.encode(), address)
    except OSError as err:
        log.debug("sd_notify failed: %s", err)
