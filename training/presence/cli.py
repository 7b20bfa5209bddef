"""`listen presence train`: the open-vocabulary presence model (argument parsing only, no torch here).

Every PresenceTrainConfig field is a flag (`--steps`, `--model.dim`), as in `listen train`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

DESCRIPTION = """\
Train the open-vocabulary presence model: it scores any phrase ("a cow", "a ship horn")
against the audio, by the cosine between a projection of the frozen LLM's states for the
phrase and a projection of the frozen Whisper taps, per 1 s segment. It trains on cached
encoder features and cached phrase states, without the LLM in the loop (minutes on 2 cores),
calibrates its scores on the validation split's benchmark questions (Platt scaling), and
chooses when to say "I can't tell" (an uncertain band, and a floor on how close a phrase
must come to the trained ones). Write it into the adapter checkpoint folder
(--out_dir models/default-adapter) and `listen export` puts it in the bundle.

Example:
  listen presence train --corpus runs/real/corpus-3000 --out_dir runs/presence-model"""


def register(subparsers) -> None:
    from training.config_io import add_arguments
    from training.presence.train import PresenceTrainConfig

    parser = subparsers.add_parser("presence", help="train the open-vocabulary presence model (yes / no / can't tell)",
                                   description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    train = sub.add_parser("train", help="train, calibrate and write presence.safetensors + presence.json",
                           description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("--config", type=Path, help="JSON file with PresenceTrainConfig fields (flags override it)")
    train.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")
    add_arguments(train, PresenceTrainConfig)
    train.set_defaults(func=run_train)
    card = sub.add_parser("card", help="write the model card from `listen eval --bundle` runs (edge runtime)",
                          description="Write MODEL_CARD.md (and reliability.png) into a checkpoint folder: the "
                          "presence model's facts from presence.json, the numbers of `listen eval --bundle ... --out DIR` "
                          "runs, and the adapter's own card (card.json) below.")
    card.add_argument("--checkpoint", type=Path, required=True, help="folder with presence.json (e.g. models/default-adapter)")
    card.add_argument("--eval", action="append", default=[], metavar="NAME=DIR", help="a split's eval folder (repeat)")
    card.add_argument("--ablation", action="append", default=[], metavar="NAME=DIR", help="an ablation arm's eval folder")
    card.add_argument("--reference", help="the --eval NAME the ablation arms are compared with")
    card.add_argument("--commands", type=Path, help="a file whose lines are the commands that made the numbers")
    card.add_argument("--notes", type=Path, help="a Markdown file of notes (goals met or missed, limits) put in the card")
    card.add_argument("--training-seconds", type=float, help="wall time of `listen presence train`")
    card.add_argument("--machine", default="", help="where it trained, e.g. '2 cores of AMD EPYC'")
    card.set_defaults(func=run_card)


def run_train(args: argparse.Namespace) -> int:
    from training.config_io import from_dict, load_config, merge, overrides_from_args, to_dict
    from training.errors import TrainingError
    from training.presence.train import PresenceTrainConfig, train_presence

    base = to_dict(load_config(PresenceTrainConfig, args.config) if args.config else PresenceTrainConfig())
    cfg = from_dict(PresenceTrainConfig, merge(base, overrides_from_args(args)), "config")
    if args.print_config:
        print(json.dumps(to_dict(cfg), indent=2))
        return 0
    if not cfg.corpus:
        raise TrainingError("pass --corpus: a corpus folder with train and validation splits (`listen corpus build`)")
    train_presence(cfg)
    return 0


def _named(pairs: list[str], flag: str) -> dict[str, Path]:
    from training.errors import TrainingError

    out = {}
    for item in pairs:
        name, sep, folder = item.partition("=")
        if not sep or not name or not (Path(folder) / "metrics.json").is_file():
            raise TrainingError(f"{flag} {item!r}: expected NAME=DIR with DIR/metrics.json from `listen eval --out DIR`")
        out[name] = Path(folder)
    return out


def run_card(args: argparse.Namespace) -> int:
    from training.errors import TrainingError
    from training.presence.card import write_card
    from training.presence.checkpoint import META_FILE

    if not (args.checkpoint / META_FILE).is_file():
        raise TrainingError(f"{args.checkpoint} has no {META_FILE}; train one with `listen presence train --out_dir {args.checkpoint}`")
    commands = args.commands.read_text().splitlines() if args.commands else []
    path = write_card(args.checkpoint, _named(args.eval, "--eval"), _named(args.ablation, "--ablation"), commands,
                      args.training_seconds, args.machine, args.reference,
                      args.notes.read_text() if args.notes else "")
    print(f"model card written to {path}")
    return 0
