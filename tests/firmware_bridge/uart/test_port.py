"""Transports over real pty pairs: pyserial on the slave, a raw fd on the master; backoff."""

from __future__ import annotations

import os
import time

import pytest

from core.backoff import Backoff
from firmware_bridge.errors import TransportError
from firmware_bridge.simulator.pty_cable import PtyCable
from firmware_bridge.uart.port import FdTransport, SerialTransport


def _read_until(transport, n: int, timeout: float = 2.0) -> bytes:
    data = b""
    end = time.monotonic() + timeout
    while len(data) < n and time.monotonic() < end:
        data += transport.read()
    return data


def test_bytes_cross_a_pty_pair_both_ways_unchanged():
    master, slave = os.openpty()
    try:
        port = SerialTransport(os.ttyname(slave), 115200)
        try:
            every_byte = bytes(range(256))  # raw mode: no echo, no CR/LF translation, 0x00 kept
            os.write(master, every_byte)
            assert _read_until(port, 256) == every_byte
            port.write(every_byte)
            far = FdTransport(master)
            assert _read_until(far, 256) == every_byte
        finally:
            port.close()
    finally:
        os.close(master)
        os.close(slave)


def test_missing_port_is_a_transport_error_naming_it(tmp_path):
    with pytest.raises(TransportError, match="ttyNOPE"):
        SerialTransport(str(tmp_path / "ttyNOPE"))


def test_unplugging_the_cable_makes_reads_fail(tmp_path):
    cable = PtyCable(tmp_path / "ttyMCU")
    path = cable.plug()
    assert os.path.islink(path)
    port = SerialTransport(path)
    try:
        cable.unplug()
        assert not os.path.exists(path)
        with pytest.raises(TransportError, match="unplugged"):
            for _ in range(50):
                port.read()
    finally:
        port.close()
    with pytest.raises(TransportError):
        SerialTransport(path)
    # Plugged again at the same path: a different /dev/pts, the same name for the host.
    cable.plug()
    port = SerialTransport(path)
    os.write(cable.master, b"\x00hi\x00")
    assert _read_until(port, 4) == b"\x00hi\x00"
    port.close()
    cable.unplug()


def test_fd_transport_drops_bytes_nobody_reads():
    cable = PtyCable()
    cable.plug()
    sim_end = cable.open_transport()
    for _ in range(2000):  # far more than a pty buffers
        sim_end.write(bytes(64))
    assert sim_end.dropped_bytes > 0
    cable.unplug()
    with pytest.raises(TransportError, match="unplugged"):
        cable.open_transport()


def test_backoff_grows_to_its_cap_and_resets():
    backoff = Backoff(initial_s=0.1, factor=2.0, maximum_s=0.5)
    assert [backoff.next_delay() for _ in range(5)] == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5])
    backoff.reset()
    assert backoff.next_delay() == pytest.approx(0.1)


def test_a_second_opener_of_the_same_port_is_refused(tmp_path):
    cable = PtyCable(tmp_path / "ttyMCU")
    cable.plug()
    first = SerialTransport(cable.path)
    try:
        with pytest.raises(TransportError, match="ttyMCU"):
            SerialTransport(cable.path)
    finally:
        first.close()
        cable.unplug()
