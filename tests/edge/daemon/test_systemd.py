"""edge.daemon.systemd: the journald line format (sd_notify is tested in tests/deploy/test_systemd_units.py)."""

from __future__ import annotations

import logging

from edge.daemon.systemd import JournaldFormatter


def test_journald_format_carries_the_syslog_priority():
    fmt = JournaldFormatter("%(message)s")
    record = logging.LogRecord("edge.daemon", logging.WARNING, __file__, 1, "capture failed: %s", ("x",), None)
    assert fmt.format(record) == "<4>edge.daemon: capture failed: x"
    record = logging.LogRecord("edge.daemon", logging.ERROR, __file__, 1, "a\nb", None, None)
    assert fmt.format(record) == "<3>edge.daemon: a\n<3>b"  # every line keeps its priority
