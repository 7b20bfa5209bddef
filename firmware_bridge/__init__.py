"""The UART bridge between the speaker's microcontroller and the daemon (`listen bridge`).

    uart/              the wire to the MCU: PROTOCOL.md's frames, messages and link
                       rules, the serial port, and the thread that runs the link over it
    daemon_client.py   the wire to the daemon: its socket protocol through `edge.client`
    controller.py      the button and LED logic between the two (`BridgeConfig` too)
    service.py         the running process: the threads that connect the three
    cli.py             `listen bridge`: arguments and settings, then a `BridgeService`
    log_text.py        MCU log text made safe for the host's log
    errors.py          the package's exception family (`BridgeError`)
    simulator/         a reference MCU on a pty: `python -m firmware_bridge.simulator`
    c/                 the frame codec in C for firmware, run on the same test vectors
"""
