"""Configs load from JSON, flags override them, unknown keys are refused, --help documents every field."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pytest

from training.cli import register, resolve_config
from training.config_io import from_dict, to_dict
from training.errors import TrainConfigError
from training.train.config import TrainConfig


def parse(argv):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser, parser.parse_args(["train", *argv])


def test_roundtrip_defaults():
    cfg = TrainConfig()
    assert from_dict(TrainConfig, to_dict(cfg)) == cfg


def test_file_then_flags(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"lr": 1e-3, "adapter": {"num_queries": 16}, "encoder": {"taps": [0, 2]}}))
    _, args = parse(["--config", str(path), "--adapter.num_layers", "3", "--lr", "2e-3", "--use_cache", "false"])
    cfg = resolve_config(args)
    assert cfg.lr == 2e-3 and cfg.adapter.num_queries == 16 and cfg.adapter.num_layers == 3
    assert cfg.encoder.taps == (0, 2) and cfg.use_cache is False
    assert cfg.adapter.num_heads == TrainConfig().adapter.num_heads  # untouched default


@pytest.mark.parametrize("data,match", [
    ({"learning_rate": 1}, r"unknown key config\.learning_rate; allowed in \[config\]: .*\blr\b"),
    ({"adapter": {"queries": 3}}, r"unknown key config\.adapter\.queries; allowed in \[config\.adapter\]"),
    ({"max_steps": "many"}, r"config\.max_steps = 'many' has the wrong type; allowed: an integer"),
    ({"use_cache": "maybe"}, r"config\.use_cache = 'maybe' has the wrong type; allowed: true or false"),
    ({"encoder": {"taps": "a,b"}}, r"config\.encoder\.taps = 'a,b' has the wrong type; allowed: an integer"),
])
def test_refused(data, match):
    with pytest.raises(TrainConfigError, match=match):
        from_dict(TrainConfig, data)


def test_unknown_flag_is_refused():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--adapter.bogus", "1"])


def test_help_documents_every_field():
    parser, _ = parse([])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["train"]
    text = sub.format_help()

    def names(cls, prefix=""):
        for f in dataclasses.fields(cls):
            if dataclasses.is_dataclass(f.type) or f.name in ("encoder", "adapter"):
                yield from names(type(getattr(TrainConfig(), f.name)), f"{f.name}.")
            else:
                yield prefix + f.name, f.metadata.get("help", "")

    for flag, help_text in names(TrainConfig):
        assert f"--{flag}" in text, flag
        assert help_text, f"{flag} has no help"


def test_every_field_says_whether_a_resumed_run_may_change_it():
    """MODEL_FIELDS is read from the fields' metadata: a new field must take a side."""
    from training.train.config import MODEL_FIELDS

    for f in dataclasses.fields(TrainConfig):
        assert isinstance(f.metadata.get("model"), bool), (
            f"TrainConfig.{f.name} needs metadata 'model': True (defines the trained model) or False")
    assert {"llm", "encoder", "adapter", "train_data", "seed", "lr", "max_steps"} <= set(MODEL_FIELDS)
    assert not {"out_dir", "cache_dir", "micro_batch", "eval_rows", "log_every"} & set(MODEL_FIELDS)
