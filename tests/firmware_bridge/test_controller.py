"""The bridge end to end over a pty pair: the reference MCU simulator on one end, the
bridge (pyserial) on the other, and a real NDJSON unix-socket server as the daemon."""

from __future__ import annotations

import logging
import time

import pytest

from core.backoff import Backoff
from firmware_bridge.controller import BridgeConfig
from firmware_bridge.daemon_client import NdjsonDaemonClient
from firmware_bridge.service import BridgeService
from firmware_bridge.simulator import McuSimulator, PtyCable
from firmware_bridge.uart.messages import ConfigKey, LedPattern as P

QUESTION = "Is the smoke alarm beeping?"


def _eventually(predicate, timeout: float = 5.0) -> bool:
    """Poll a condition that no Condition variable announces (the bridge's own state)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def _in_order(seen: list, wanted: list) -> bool:
    it = iter(seen)
    return all(any(s is w for s in it) for w in wanted)


@pytest.fixture
def rig(short_tmp, fake_daemon):
    """Start a simulator and a bridge; yields a function that builds them with a config."""
    made = []

    def build(
        config: BridgeConfig = BridgeConfig(question=QUESTION, answer_hold_s=0.4, alert_hold_s=0.4),
        first: P = P.IDLE,
    ):
        cable = PtyCable(short_tmp / "ttyMCU")
        cable.plug()
        sim = McuSimulator(cable=cable).start()
        client = NdjsonDaemonClient(fake_daemon.path, timeout_s=5, backoff=Backoff(0.02, 2.0, 0.2))
        service = BridgeService(cable.path, client, config=config, backoff=Backoff(0.05, 2.0, 0.3)).start()
        made.append((sim, service, cable))
        assert sim.wait_for_led(first), f"no {first.name} LED; got {sim.patterns()}"
        return sim, service

    yield build
    for sim, service, cable in made:
        service.stop()
        sim.stop()
        if cable.plugged:
            cable.unplug()


def test_button_press_asks_and_shows_thinking_then_the_answer(rig, fake_daemon):
    sim, service = rig()
    assert sim.press(0).wait(2)
    assert fake_daemon.wait_for(lambda d: len(d.of_type("ask")) == 1)
    assert fake_daemon.of_type("ask")[0]["question"] == QUESTION
    assert sim.wait_for_led(P.ANSWER_YES)
    assert sim.wait_for_led(P.IDLE)  # after the hold time
    assert _in_order(sim.patterns(), [P.IDLE, P.THINKING, P.ANSWER_YES, P.IDLE])
    assert service.controller.stats.answers == 1
    led = next(x for x in sim.leds if x.pattern is P.THINKING)
    assert (led.red, led.green, led.blue, led.brightness) == (150, 0, 255, 160)


def test_the_answer_pattern_shows_on_the_decision_before_the_words(rig, fake_daemon):
    fake_daemon.words_delay_s = 1.5  # the daemon decided; its words take a while longer
    sim, service = rig(BridgeConfig(question=QUESTION, answer_hold_s=5.0, alert_hold_s=0.4))
    sim.press(0)
    assert fake_daemon.wait_for(lambda d: len(d.of_type("ask")) == 1)
    assert fake_daemon.of_type("ask")[0]["stream"] is True
    assert sim.wait_for_led(P.ANSWER_YES, timeout=1.0)
    assert service.controller.stats.answers == 0  # lit on the decision: the answer has not arrived yet
    assert _eventually(lambda: service.controller.stats.answers == 1, 5.0)


def test_a_no_answer_shows_answer_no(rig, fake_daemon):
    fake_daemon.answer = "No, I do not hear a smoke alarm."
    sim, _ = rig()
    sim.press(0)
    assert sim.wait_for_led(P.ANSWER_NO)
    assert P.ANSWER_YES not in sim.patterns()


def test_without_a_question_a_press_starts_listening(rig, fake_daemon):
    sim, _ = rig(BridgeConfig(question=None, answer_hold_s=0.4))
    sim.press(0)
    assert sim.wait_for_led(P.ANSWER_YES)
    assert _in_order(sim.patterns(), [P.LISTENING, P.ANSWER_YES])
    assert len(fake_daemon.of_type("listen")) == 1 and not fake_daemon.of_type("ask")


def test_other_buttons_do_not_ask(rig, fake_daemon):
    sim, service = rig()
    assert sim.press(1).wait(2)
    assert not sim.wait_for_led(P.THINKING, timeout=0.5)
    assert not fake_daemon.of_type("ask")


def test_mute_switch_mutes_the_daemon_and_shows_muted(rig, fake_daemon):
    sim, service = rig()
    assert sim.set_mute(True).wait(2)
    assert sim.wait_for_led(P.MUTED)
    assert fake_daemon.wait_for(lambda d: d.muted)
    assert fake_daemon.buffer_s == 0.0  # the ring buffer was wiped
    # A press while muted asks nothing and the ring stays muted.
    assert sim.press(0).wait(2)
    assert _eventually(lambda: service.controller.stats.ignored_presses == 1)  # handled after its ACK
    assert not fake_daemon.of_type("ask")
    assert sim.led.pattern is P.MUTED
    sim.set_mute(False)
    assert sim.wait_for_led(P.IDLE)
    assert fake_daemon.wait_for(lambda d: not d.muted)


def test_watch_alert_shows_the_alert_pattern(rig, fake_daemon):
    sim, _ = rig()
    assert fake_daemon.wait_for(lambda d: len(d.subscribers) == 1)
    fake_daemon.push_alert("smoke alarm", 0.93)
    assert sim.wait_for_led(P.ALERT)
    assert sim.wait_for_led(P.IDLE)


def test_daemon_restart_is_survived_and_mute_reasserted(rig, fake_daemon):
    sim, service = rig()
    sim.set_mute(True)
    assert fake_daemon.wait_for(lambda d: d.muted)
    fake_daemon.stop()
    assert _eventually(lambda: service.controller.daemon_up is False)
    fake_daemon.restart()  # comes back unmuted, with no subscribers
    assert fake_daemon.wait_for(lambda d: len(d.subscribers) == 1)  # re-subscribed
    assert fake_daemon.wait_for(lambda d: d.muted)  # the switch is still on: muted again
    sim.set_mute(False)
    assert sim.wait_for_led(P.IDLE)
    fake_daemon.push_alert("doorbell", None)
    assert sim.wait_for_led(P.ALERT)


def test_daemon_down_shows_error_and_recovers(rig, fake_daemon):
    sim, _ = rig()
    fake_daemon.stop()
    assert sim.wait_for_led(P.ERROR)
    fake_daemon.restart()
    assert sim.wait_for_led(P.IDLE)
    sim.press(0)
    assert sim.wait_for_led(P.ANSWER_YES)


def test_unplug_and_replug_is_survived(rig, fake_daemon):
    sim, service = rig()
    assert service.runner.connects == 1
    sim.unplug()
    assert _eventually(lambda: not service.runner.connected.is_set())
    n_before = len(sim.leds)
    sim.replug()
    assert _eventually(lambda: service.runner.connects == 2)
    # After the new session's HELLO the bridge shows its state again...
    assert sim.wait_for(lambda s: len(s.leds) > n_before and s.led.pattern is P.IDLE)
    # ...and the link works both ways.
    sim.press(0)
    assert sim.wait_for_led(P.ANSWER_YES)
    assert fake_daemon.wait_for(lambda d: len(d.of_type("ask")) == 1)


def test_switch_moved_while_unplugged_is_picked_up_on_replug(rig, fake_daemon):
    sim, _ = rig()
    sim.unplug()
    sim.muted = True  # moved while the cable was out: reported after the next HELLO
    sim.replug()
    assert sim.wait_for_led(P.MUTED)
    assert fake_daemon.wait_for(lambda d: d.muted)


def test_config_and_logs(rig, caplog):
    caplog.set_level(logging.INFO, logger="firmware_bridge.controller")
    sim, _ = rig(BridgeConfig(question=QUESTION, long_press_ms=700))
    assert sim.wait_for(lambda s: s.settings.get(ConfigKey.LONG_PRESS_MS) == 700)
    sim.log("mic gain clipped")
    assert _eventually(lambda: "mcu: mic gain clipped" in caplog.text)
    assert "MCU firmware 0.1.0" in caplog.text


def test_mcu_log_text_cannot_drive_the_terminal_or_forge_log_lines(rig, caplog):
    """A LOG line is untrusted bytes: an escape sequence, a newline that starts a fake
    record, a bidi override. The record the bridge writes holds them escaped, on one line."""
    caplog.set_level(logging.INFO, logger="firmware_bridge.controller")
    sim, _ = rig()
    sim.log("\x1b[2J\rok\nERROR listen: forged\u202e\x07\\x41")  # 36 bytes: fits one LOG payload
    assert _eventually(lambda: any(r.getMessage().startswith("mcu: ") for r in caplog.records))
    (record,) = [r for r in caplog.records if r.getMessage().startswith("mcu: ")]
    text = record.getMessage()
    assert text.isprintable()  # no ESC, CR, LF, BEL, bidi override
    assert text == r"mcu: \x1b[2J\rok\nERROR listen: forged\u202e\x07\\x41"


def test_a_mute_set_on_the_daemon_itself_shows_muted(rig, fake_daemon):
    """Muted from elsewhere (a phone app): the daemon's `state` event turns the ring MUTED."""
    sim, service = rig()
    assert fake_daemon.wait_for(lambda d: len(d.subscribers) == 1)
    other = NdjsonDaemonClient(fake_daemon.path, timeout_s=5)
    other.mute()
    assert sim.wait_for_led(P.MUTED)
    assert sim.press(0).wait(2)
    assert _eventually(lambda: service.controller.stats.ignored_presses == 1)
    other.unmute()
    assert sim.wait_for_led(P.IDLE)
    other.close()


def test_bridge_learns_the_daemon_state_when_it_connects(fake_daemon, rig):
    fake_daemon.muted = True  # muted before the bridge started
    sim, service = rig(first=P.MUTED)
    assert fake_daemon.of_type("status")  # it asked


def test_long_press_listens_and_its_release_asks_nothing(rig, fake_daemon):
    sim, service = rig()
    assert sim.long_press(0).wait(2)
    assert sim.wait_for_led(P.ANSWER_YES)
    assert _in_order(sim.patterns(), [P.LISTENING, P.ANSWER_YES])
    assert fake_daemon.of_type("listen")[0]["seconds"] == 5.0
    assert sim.wait_for_led(P.IDLE)
    assert not fake_daemon.of_type("ask") and service.controller.stats.asks == 1


def test_a_bridge_started_while_the_daemon_is_down_shows_error_never_idle(rig, fake_daemon):
    """`daemon_up` started true: a bridge whose daemon never came showed IDLE for ever (issue 29)."""
    fake_daemon.stop()
    sim, service = rig(first=P.ERROR)
    assert P.IDLE not in sim.patterns() and service.controller.daemon_up is False
    fake_daemon.restart()
    assert sim.wait_for_led(P.IDLE)  # the first contact
