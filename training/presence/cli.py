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
