"""`listen serve`'s daemon: capture -> activity segments -> RAM ring buffer, and a local socket
API over it (edge/PROTOCOL.md). Its command line and wiring are edge/cli/serve.py.

    server.py      `Daemon` and `DaemonConfig`: the lifecycle, the capture callbacks, the
                   answer to each request, the event broadcast
    connection.py  one client connection: a reader thread (requests in order, errors keep the
                   connection open) and a writer with a bounded queue; the idle timeout
    sockets.py     the listening sockets (unix, loopback TCP) and the accept loop
    jobs.py        the one worker that runs every model call from a bounded queue
    watches.py     standing yes/no questions, checked on every new segment
    recording.py   the next N seconds of audio, for a `listen` request
    systemd.py     journald log format and sd_notify

Every module logs to the one logger "edge.daemon".
"""
