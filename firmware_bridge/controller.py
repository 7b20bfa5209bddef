"""The button and LED logic: MCU events -> daemon calls, daemon state -> LED patterns.

This is the bridge's only policy; everything around it is plumbing. `Controller` is the
host's `LinkHandler`: it decides what a press, a long press or the mute switch asks of the
daemon and which pattern the ring shows, as `BridgeConfig` (the `[bridge.mapping]`
settings) says. It never talks to a socket or a port itself: the daemon is a `DaemonPort`
(daemon_client.py) and the MCU is the `LinkRunner` (uart/runner.py) it is handed; service.py
wires the three into the running process. The LED shows, by priority:

    muted        -> MUTED        (the switch is on, or the daemon reports itself muted)
    daemon gone  -> ERROR
    activity     -> LISTENING / THINKING while a question runs,
                    ANSWER_YES / ANSWER_NO / ALERT / ERROR for a hold time (an answer's
                    pattern shows on the daemon's decision, before its words arrive)
    otherwise    -> IDLE

Daemon calls run on two worker threads (questions; mute and unmute) so that the link
thread never waits on the daemon and a mute is never stuck behind a slow question.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from core.binding import allowed, between
from edge.protocol import MAX_LISTEN_SECONDS, MAX_QUESTION_CHARS, AlertEvent, StateEvent
from firmware_bridge.daemon_client import Answer, DaemonPort
from firmware_bridge.errors import BridgeError
from firmware_bridge.log_text import printable
from firmware_bridge.uart.link import Delivery, Received
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
    Ping,
    SetConfig,
)
from firmware_bridge.uart.runner import LinkRunner

log = logging.getLogger(__name__)

# Color of each pattern (red, green, blue); the MCU animates the pattern itself.
COLORS: dict[LedPattern, tuple[int, int, int]] = {
    LedPattern.IDLE: (255, 255, 255),
    LedPattern.LISTENING: (0, 80, 255),
    LedPattern.THINKING: (150, 0, 255),
    LedPattern.ANSWER_YES: (0, 255, 0),
    LedPattern.ANSWER_NO: (255, 140, 0),
    LedPattern.ALERT: (255, 0, 0),
    LedPattern.MUTED: (255, 0, 0),
    LedPattern.ERROR: (255, 60, 0),
}
IDLE_BRIGHTNESS_SCALE = 0.25  # the idle ring glows dimly


@dataclass(frozen=True)
class BridgeConfig:
    """How buttons map to questions and how long patterns stay."""

    # asked on a press of `ask_button`; None: a press starts listening
    question: str | None = field(default=None, metadata=allowed(
        lambda v: 0 < len(v.strip()) <= MAX_QUESTION_CHARS, f"a question of 1..{MAX_QUESTION_CHARS} characters"))
    # the button that asks (a long press of it always starts listening)
    ask_button: int = field(default=0, metadata=between(0, 255, unit="(button id)"))
    # how long a "start listening" records before the daemon answers
    listen_seconds: float = field(default=5.0, metadata=between(0, MAX_LISTEN_SECONDS, lo_open=True, unit="s"))
    # the answer pattern shows this long, then idle
    answer_hold_s: float = field(default=4.0, metadata=between(0, None, unit="s"))
    alert_hold_s: float = field(default=10.0, metadata=between(0, None, unit="s"))  # a watch alert shows this long
    brightness: int = field(default=160, metadata=between(0, 255))  # LED brightness 0..255 for every pattern but idle
    # pushed to the MCU (SET_CONFIG) after each HELLO when set
    long_press_ms: int | None = field(default=None, metadata=between(50, 60000, unit="ms"))


@dataclass
class _Activity:
    pattern: LedPattern
    until: float | None = None  # monotonic s; None while a question is running


@dataclass
class ControllerStats:
    asks: int = 0
    answers: int = 0
    ignored_presses: int = 0  # pressed while muted or while a question ran
    alerts: int = 0
    led_sent: int = 0
    errors: list[str] = field(default_factory=list)  # last messages of daemon / link failures


class Controller:
    def __init__(
        self, daemon: DaemonPort, config: BridgeConfig = BridgeConfig(), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.daemon = daemon
        self.config = config
        self.clock = clock
        self.stats = ControllerStats()
        self.mcu: Hello | None = None  # from the last HELLO
        self.muted: bool | None = None  # the switch position, None until the MCU reports it
        self.daemon_muted = False  # the daemon's own mute state (its `state` events, `status`)
        self.daemon_up = False  # ERROR until the first successful contact (the event stream says so)
        self._activity: _Activity | None = None
        self._asking = False
        self._held_long = False  # the ask button's current press already became a long press
        self._shown: LedPattern | None = None  # last pattern acknowledged or in flight
        self._led_delivery = None  # Delivery of that LED message
        self._runner: LinkRunner | None = None
        self._lock = threading.RLock()
        self._questions = ThreadPoolExecutor(1, thread_name_prefix="bridge-ask")
        self._mutes = ThreadPoolExecutor(1, thread_name_prefix="bridge-mute")

    # -- LinkHandler (runner thread) -----------------------------------------------------

    def connection_made(self, runner: LinkRunner) -> None:
        with self._lock:
            self._runner = runner
            self._shown = None
        runner.send(Ping())  # seq 0: our session starts; the MCU answers with HELLO

    def message_received(self, runner: LinkRunner, received: Received) -> None:
        message = received.message
        if isinstance(message, Hello):
            self._on_hello(runner, message)
        elif isinstance(message, Button):
            self._on_button(message)
        elif isinstance(message, MuteSwitch):
            self._on_mute_switch(message.muted)
        elif isinstance(message, Log):
            # MCU text is untrusted: escaped, so it cannot drive a terminal or forge log lines
            log.log(_LOG_LEVELS.get(message.level, logging.INFO), "mcu: %s", printable(message.text))

    def connection_lost(self, runner: LinkRunner, error: Exception | None) -> None:
        with self._lock:
            self._runner = None
            self._shown = None  # the MCU may have rebooted: show the state again on reconnect

    # -- MCU events ----------------------------------------------------------------------

    def _on_hello(self, runner: LinkRunner, hello: Hello) -> None:
        caps = "+".join(c.name.lower() for c in Capability if c in hello.capabilities) or "none"
        log.info("MCU firmware %s, capabilities %s, %d buttons", hello.firmware, caps, hello.buttons)
        with self._lock:
            self.mcu = hello
            self._shown = None  # a (re)booted MCU shows nothing we sent before
        if self.config.long_press_ms is not None:
            self._send(SetConfig(ConfigKey.LONG_PRESS_MS, self.config.long_press_ms))
        self.refresh()

    def _on_button(self, button: Button) -> None:
        # A short press acts on RELEASE (it is short only if no LONG_PRESS came in between);
        # a long press acts on LONG_PRESS, while the button is still held.
        if button.button != self.config.ask_button:
            return
        if button.event is ButtonEvent.PRESS:
            self._held_long = False
            return
        if button.event is ButtonEvent.RELEASE and self._held_long:
            return
        if button.event is ButtonEvent.LONG_PRESS:
            self._held_long = True
        listen = button.event is ButtonEvent.LONG_PRESS or self.config.question is None
        with self._lock:
            if self.muted or self.daemon_muted or self._asking:
                self.stats.ignored_presses += 1
                return
            self._asking = True
            self._activity = _Activity(LedPattern.LISTENING if listen else LedPattern.THINKING)
            self.stats.asks += 1
        self.refresh()
        self._questions.submit(self._ask, listen)

    def _on_mute_switch(self, muted: bool) -> None:
        with self._lock:
            was = self.muted
            self.muted = muted
            if muted:
                self._activity = None  # nothing else shows while muted
        self.refresh()
        # "muted" is asserted every time (the daemon may have restarted); "live" only on a
        # real change, so a bridge restart does not undo a mute set in software.
        if muted or was is True:
            self._mutes.submit(self._apply_mute, muted)

    # -- daemon calls (worker threads) ---------------------------------------------------

    def _ask(self, listen: bool) -> None:
        try:
            if listen:
                answer: Answer = self.daemon.listen(self.config.listen_seconds, on_decision=self._decided)
            else:
                answer = self.daemon.ask(self.config.question, on_decision=self._decided)
            pattern = LedPattern.ANSWER_YES if answer.yes else LedPattern.ANSWER_NO
            log.info("answer: %s", answer.text)
            with self._lock:
                self.stats.answers += 1
        except BridgeError as err:
            log.warning("question failed: %s", err)
            self.stats.errors.append(str(err))
            pattern = LedPattern.ERROR
        with self._lock:
            self._asking = False
            if not self.muted:
                self._activity = _Activity(pattern, self.clock() + self.config.answer_hold_s)
        self.refresh()

    def _decided(self, yes: bool) -> None:
        """The daemon's decision, before the answer's words: the ring shows it at once."""
        pattern = LedPattern.ANSWER_YES if yes else LedPattern.ANSWER_NO
        with self._lock:
            if self.muted or not self._asking:
                return
            self._activity = _Activity(pattern, self.clock() + self.config.answer_hold_s)
        self.refresh()

    def _apply_mute(self, muted: bool) -> None:
        if muted != self.muted:
            return  # the switch moved again before this ran
        try:
            self.daemon.mute() if muted else self.daemon.unmute()
        except BridgeError as err:
            log.warning("could not %s the daemon: %s", "mute" if muted else "unmute", err)
            self.stats.errors.append(str(err))
            return
        with self._lock:
            self.daemon_muted = muted
        self.refresh()

    # -- daemon events (event thread) ----------------------------------------------------

    def on_daemon_event(self, event: dict) -> None:
        if event.get("type") == StateEvent.TYPE and isinstance(event.get("muted"), bool):
            with self._lock:
                self.daemon_muted = event["muted"]
            self.refresh()
            return
        if event.get("type") != AlertEvent.TYPE:
            return
        log.info("alert: %s", event)
        with self._lock:
            self.stats.alerts += 1
            if not self._asking:
                self._activity = _Activity(LedPattern.ALERT, self.clock() + self.config.alert_hold_s)
        self.refresh()

    def on_daemon_connected(self, up: bool) -> None:
        with self._lock:
            self.daemon_up = up
            muted = self.muted
        if up:
            self._mutes.submit(self._sync_daemon, muted)
        self.refresh()

    def _sync_daemon(self, switch_muted: bool | None) -> None:
        """After (re)subscribing: mute a restarted daemon if the switch is on, learn its state."""
        try:
            if switch_muted:
                self.daemon.mute()
            status = self.daemon.status()
        except BridgeError as err:
            log.warning("could not read the daemon's state: %s", err)
            return
        if isinstance(status.get("muted"), bool):
            with self._lock:
                self.daemon_muted = status["muted"]
            self.refresh()

    # -- LED -----------------------------------------------------------------------------

    def pattern(self) -> LedPattern:
        """The pattern the ring should show now."""
        with self._lock:
            if self.muted or self.daemon_muted:
                return LedPattern.MUTED
            if not self.daemon_up:
                return LedPattern.ERROR
            activity = self._activity
            if activity is not None and activity.until is not None and self.clock() >= activity.until:
                self._activity = activity = None
            return activity.pattern if activity is not None else LedPattern.IDLE

    def refresh(self) -> None:
        """Send the LED pattern if it differs from what the MCU shows; call it periodically."""
        with self._lock:
            if self._runner is None or self.mcu is None:
                return
            pattern = self.pattern()
            delivery = self._led_delivery
            if delivery is not None and delivery.done and not delivery.wait(0):
                self._shown = None  # refused or never acknowledged: send it again
            if pattern is self._shown:
                return
            self._shown = pattern
        self._led_delivery = self._send(led_for(pattern, self.config.brightness))

    def _send(self, message) -> Delivery | None:
        with self._lock:
            runner = self._runner
        if runner is None:
            return None
        try:
            delivery = runner.send(message)
        except BridgeError as err:  # not connected, queue full, port write failed
            log.warning("could not send %r: %s", message, err)
            with self._lock:
                self._shown = None  # try again on the next refresh
            return None
        if isinstance(message, Led):
            self.stats.led_sent += 1
        return delivery

    def close(self) -> None:
        self._questions.shutdown(wait=False, cancel_futures=True)
        self._mutes.shutdown(wait=False, cancel_futures=True)


def led_for(pattern: LedPattern, brightness: int) -> Led:
    red, green, blue = COLORS[pattern]
    if pattern is LedPattern.IDLE:
        brightness = int(brightness * IDLE_BRIGHTNESS_SCALE)
    return Led(pattern, red, green, blue, brightness)


_LOG_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
}
