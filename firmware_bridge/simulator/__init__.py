"""Reference MCU simulator: `python -m firmware_bridge.simulator --pty PATH` (see __main__)."""

from firmware_bridge.simulator.mcu import McuSimulator
from firmware_bridge.simulator.pty_cable import PtyCable

__all__ = ["McuSimulator", "PtyCable"]
