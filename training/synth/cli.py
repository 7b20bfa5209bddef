"""`listen synth` (placeholder until the synthesis lands)."""


def register(subparsers) -> None:
    subparsers.add_parser("synth", help="LISTEN data synthesis (in progress)")
