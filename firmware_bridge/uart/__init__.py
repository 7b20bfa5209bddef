"""The UART side of the bridge: PROTOCOL.md in code, from bytes on the wire to typed messages.

Layers, bottom up; each module imports only the ones above it in this list:

    protocol.py  the constants of PROTOCOL.md (sizes, message types, seq rules)
    crc.py       CRC-16/CCITT-FALSE
    cobs.py      COBS byte stuffing
    frame.py     one frame <-> its wire bytes, and the stream decoder: bytes -> frames
    messages.py  one typed dataclass per message type (frame payload <-> fields)
    link.py      the link rules, sans I/O: ACK, retransmission, duplicates, heartbeats
    port.py      the byte ports under the link: a pyserial port, a pty master fd
    runner.py    the thread that keeps a port open and runs the link over it

Nothing here knows the daemon, buttons or LED patterns' meaning: that is
`firmware_bridge.controller`. The C frame codec for firmware (`../c/`) mirrors
crc.py, cobs.py and frame.py.
"""
