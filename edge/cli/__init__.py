"""The edge's `listen` commands: argument parsing and wiring only; the logic lives beside them
in edge/. Each module's `register(subparsers)` is a `listen.commands` entry point (pyproject.toml).

    ask.py     `listen ask`: questions about an audio file (edge/assistant.py)
    serve.py   `listen serve`: the daemon (edge/daemon/)
"""
