"""`python -m firmware_bridge.simulator`: a reference MCU on a pty or a serial port.

Commands on stdin, one per line: `press [ID]`, `long [ID]`, `mute on|off`,
`log TEXT`, `leds`, `unplug`, `plug`, `quit`. The LED messages the host sends are
printed as they arrive.
"""

from __future__ import annotations

import argparse
import sys
import time

from firmware_bridge.errors import BridgeError
from firmware_bridge.simulator.mcu import McuSimulator
from firmware_bridge.simulator.pty_cable import PtyCable


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m firmware_bridge.simulator", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", metavar="PATH", help="create a pty and link its host end at PATH (give PATH to `listen bridge --port`)")
    where.add_argument("--port", metavar="DEV", help="use an existing serial device instead (a USB-serial adapter)")
    p.add_argument("--baud", type=int, default=115200, help="baud rate with --port (default: 115200)")
    p.add_argument("--muted", action="store_true", help="start with the mute switch on")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cable = None
    if args.pty:
        cable = PtyCable(args.pty)
        cable.plug()
        open_transport = cable.open_transport
        print(f"simulator: host end at {cable.path} (-> {cable.slave_name})", flush=True)
    else:
        from firmware_bridge.uart.port import SerialTransport

        def open_transport():
            return SerialTransport(args.port, args.baud)

    sim = McuSimulator(open_transport, cable=cable, muted=args.muted)
    shown = 0
    with sim:
        try:
            for line in sys.stdin:
                words = line.split()
                if not words:
                    continue
                cmd, rest = words[0], words[1:]
                try:
                    if cmd == "press":
                        sim.press(int(rest[0]) if rest else 0)
                    elif cmd == "long":
                        sim.long_press(int(rest[0]) if rest else 0)
                    elif cmd == "mute":
                        sim.set_mute(rest[:1] == ["on"])
                    elif cmd == "log":
                        sim.log(" ".join(rest))
                    elif cmd == "unplug":
                        sim.unplug()
                    elif cmd == "plug":
                        sim.replug()
                    elif cmd == "quit":
                        break
                    elif cmd != "leds":
                        print(f"unknown command {cmd!r}; see --help", flush=True)
                except BridgeError as err:
                    print(f"simulator: {err}", flush=True)
                time.sleep(0.2)
                leds = sim.leds[shown:]
                shown += len(leds)
                for led in leds:
                    print(f"LED {led.pattern.name} rgb=({led.red},{led.green},{led.blue}) brightness={led.brightness}", flush=True)
        except KeyboardInterrupt:
            pass
    if cable and cable.plugged:
        cable.unplug()
    return 0


if __name__ == "__main__":
    sys.exit(main())
