"""A reference MCU in Python: what firmware must do, runnable against the real bridge.

It speaks the protocol through the same Link as the host (so it is a reference for the
rules, not a second implementation of them) and behaves as PROTOCOL.md section 7 asks
of firmware:
- on connecting, and whenever the host starts a session (a reliable frame with seq 0),
  send HELLO and then the mute switch position;
- show every LED message (here: record it in `leds`), store SET_CONFIG values;
- send BUTTON and MUTE_SWITCH on request (`press`, `long_press`, `set_mute`).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from core.backoff import Backoff
from firmware_bridge.errors import BridgeError
from firmware_bridge.simulator.pty_cable import PtyCable
from firmware_bridge.uart.link import Delivery, LinkConfig, Received
from firmware_bridge.uart.messages import (
    Button,
    ButtonEvent,
    Capability,
    ConfigKey,
    Hello,
    Led,
    LedPattern,
    Log,
    LogLevel,
    MuteSwitch,
    SetConfig,
)
from firmware_bridge.uart.port import Transport
from firmware_bridge.uart.protocol import FROM_HOST
from firmware_bridge.uart.runner import LinkRunner

log = logging.getLogger(__name__)

FIRMWARE = (0, 1, 0)  # the simulator's own "firmware" version
CAPABILITIES = Capability.BUTTONS | Capability.MUTE_SWITCH | Capability.LED_RING | Capability.LOG


class McuSimulator:
    """The MCU end of the link, over any transport (a pty master, a real serial port)."""

    def __init__(
        self,
        open_transport: Callable[[], Transport] | None = None,
        cable: PtyCable | None = None,
        buttons: int = 2,
        muted: bool = False,
        config: LinkConfig = LinkConfig(),
        backoff: Backoff | None = None,
    ) -> None:
        self.buttons = buttons
        self.muted = muted  # the switch position
        self.leds: list[Led] = []  # every LED message received, in order
        self.settings: dict[ConfigKey, int] = {}
        self.host_sessions = 0  # host session starts seen (seq-0 frames)
        self._changed = threading.Condition()
        self.cable = cable
        if open_transport is None:
            if cable is None:
                raise BridgeError("McuSimulator needs open_transport or a PtyCable")
            open_transport = cable.open_transport
        self.runner = LinkRunner(
            open_transport, self, FROM_HOST, config, backoff or Backoff(0.05, 2.0, 0.5), name="mcu-sim"
        )

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> McuSimulator:
        self.runner.start()
        return self

    def stop(self) -> None:
        self.runner.stop()

    def __enter__(self) -> McuSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def unplug(self) -> None:
        """Pull the pty cable: the host sees its port vanish."""
        self._need_cable().unplug(before_close=self.runner.drop_connection)

    def replug(self) -> str:
        """Plug a fresh pty in at the same path; returns the path."""
        return self._need_cable().plug()

    def _need_cable(self) -> PtyCable:
        if self.cable is None:
            raise BridgeError("this simulator runs on a serial port, not a pty cable: nothing to unplug")
        return self.cable

    # -- the buttons and switch ----------------------------------------------------------

    def press(self, button: int = 0) -> Delivery:
        """A short press: PRESS then RELEASE; returns the PRESS delivery."""
        delivery = self.runner.send(Button(button, ButtonEvent.PRESS))
        self.runner.send(Button(button, ButtonEvent.RELEASE))
        return delivery

    def long_press(self, button: int = 0) -> Delivery:
        """Held past the long-press time: PRESS, LONG_PRESS, RELEASE; returns the LONG_PRESS delivery."""
        self.runner.send(Button(button, ButtonEvent.PRESS))
        delivery = self.runner.send(Button(button, ButtonEvent.LONG_PRESS))
        self.runner.send(Button(button, ButtonEvent.RELEASE))
        return delivery

    def set_mute(self, muted: bool) -> Delivery:
        self.muted = muted
        return self.runner.send(MuteSwitch(muted))

    def log(self, text: str, level: LogLevel = LogLevel.INFO) -> None:
        self.runner.send(Log(level, text))

    # -- observation ---------------------------------------------------------------------

    @property
    def led(self) -> Led | None:
        """The LED state now showing."""
        with self._changed:
            return self.leds[-1] if self.leds else None

    def wait_for(self, predicate: Callable[[McuSimulator], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate(self)` holds (checked on every change) or `timeout` s pass."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def wait_for_led(self, pattern: LedPattern, timeout: float = 5.0) -> bool:
        return self.wait_for(lambda sim: sim.led is not None and sim.led.pattern is pattern, timeout)

    def patterns(self) -> list[LedPattern]:
        with self._changed:
            return [led.pattern for led in self.leds]

    # -- LinkHandler ---------------------------------------------------------------------

    def connection_made(self, runner: LinkRunner) -> None:
        self._announce(runner)

    def message_received(self, runner: LinkRunner, received: Received) -> None:
        message = received.message
        if received.starts_session:
            self.host_sessions += 1
            self._announce(runner)
        if isinstance(message, Led):
            with self._changed:
                self.leds.append(message)
                self._changed.notify_all()
        elif isinstance(message, SetConfig):
            with self._changed:
                self.settings[message.key] = message.value
                self._changed.notify_all()

    def connection_lost(self, runner: LinkRunner, error: Exception | None) -> None:
        with self._changed:
            self._changed.notify_all()

    def _announce(self, runner: LinkRunner) -> None:
        runner.send(Hello(*FIRMWARE, CAPABILITIES, self.buttons))
        runner.send(MuteSwitch(self.muted))
