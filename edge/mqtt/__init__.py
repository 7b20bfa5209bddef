"""Home Assistant over MQTT: `listen serve --mqtt mqtt://HOST:PORT` (docs/home-assistant.md).

    broker.py     the broker the user names: URL, TLS, credentials (never from the command line)
    topics.py     every topic the daemon publishes or reads, in one place
    discovery.py  Home Assistant's discovery configs: a binary sensor per watch, the mute
                  switch, the last-sound sensor, all on one device
    holds.py      each watch sensor's ON state and its hold time
    outbox.py     what waits for the broker: bounded, latest-only for states, in order for alerts
    commands.py   command payloads (mute, watch add/remove, ask) -> the daemon's protocol requests
    link.py       the paho-mqtt client that joins these to a running daemon

paho-mqtt is imported by link.py only, when the daemon is started with a broker.
"""
