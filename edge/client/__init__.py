"""A Python client for the `listen serve` daemon (the firmware bridge, scripts, other programs).

    address.py     where the daemon listens: `default_socket_path`, `parse_address`
                   (a path, `unix:///path` or `tcp://127.0.0.1:PORT`)
    connection.py  one connection read and written a protocol line at a time; connecting
                   retries a full backlog or a restarting daemon, failures name the address
    requests.py    `DaemonClient`: ask, listen, status, mute, watch over one kept-open
                   connection; `answered_yes`, `as_answer` read its answer replies
    events.py      `EventStream` (one subscribed connection) and `EventSubscription` (a thread
                   that re-subscribes after daemon restarts)

The wire format is edge/protocol.py (spec: edge/PROTOCOL.md).
"""
