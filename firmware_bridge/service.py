"""BridgeService: the running bridge process, wired together; it decides nothing itself.

It owns the threads and their lifetimes: a `LinkRunner` (uart/runner.py) keeps the serial
port open (reconnecting with backoff when it vanishes) and hands MCU messages to the
`Controller` (controller.py, the button and LED logic); an event subscription of the
daemon client (daemon_client.py) keeps the daemon's alerts coming (re-subscribing when the
daemon restarts); and a ticker refreshes the LED so held patterns expire. `listen bridge`
(cli.py) runs one until SIGINT/SIGTERM; tests run one in-process.
"""

from __future__ import annotations

import threading
from typing import Callable

from core.backoff import Backoff
from firmware_bridge.controller import BridgeConfig, Controller
from firmware_bridge.daemon_client import DaemonPort
from firmware_bridge.uart.link import LinkConfig
from firmware_bridge.uart.port import SerialTransport, Transport
from firmware_bridge.uart.protocol import DEFAULT_BAUD, FROM_MCU
from firmware_bridge.uart.runner import LinkRunner

TICK_S = 0.05  # LED refresh period: answer and alert holds end within this


class BridgeService:
    def __init__(
        self,
        port: str,
        daemon: DaemonPort,
        baud: int = DEFAULT_BAUD,
        config: BridgeConfig = BridgeConfig(),
        link_config: LinkConfig = LinkConfig(),
        backoff: Backoff | None = None,
        open_transport: Callable[[], Transport] | None = None,
    ) -> None:
        self.port = port
        self.daemon = daemon
        self.controller = Controller(daemon, config)
        self.runner = LinkRunner(
            open_transport or (lambda: SerialTransport(port, baud)),
            self.controller,
            FROM_MCU,
            link_config,
            backoff or Backoff(),
            name=f"bridge {port}",
        )
        self._subscription = None
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="bridge-led", daemon=True)

    def start(self) -> BridgeService:
        self.runner.start()
        self._subscription = self.daemon.subscribe(
            self.controller.on_daemon_event, self.controller.on_daemon_connected
        )
        self._ticker.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            self.controller.refresh()

    def wait(self, stop: threading.Event) -> None:
        """Block until `stop` is set."""
        while not stop.wait(0.5):
            pass

    def stop(self) -> None:
        self._stop.set()
        if self._subscription is not None:
            self._subscription.close()
        self.runner.stop()
        self._ticker.join(1.0)
        self.controller.close()

    def __enter__(self) -> BridgeService:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
