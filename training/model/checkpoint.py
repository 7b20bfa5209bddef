"""Checkpoints: everything export and resume need, in one folder.

    adapter.safetensors   the trained adapter's weights (fp32)
    adapter_config.json   encoder + adapter configs, resolved recipe, sizes: rebuilds the module
    prompt.json           the exact text parts around the audio slot
    labels.json           the presence head's label vocabulary, in head order
    train_config.json     the run's full config
    trainer_state.pt      optimizer + scheduler state (resume only)
    state.json            step, samples seen, last validation metrics

A folder is written under a temporary name and renamed when complete, so a crash never
leaves a half-written checkpoint that resume would trust.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from training.config_io import from_dict, to_dict
from training.errors import CheckpointError
from training.model.adapter_config import AdapterConfig, EncoderConfig
from training.model.prompt import PromptTemplate
from training.model.qformer import ListenAdapter

FORMAT_VERSION = 1
ADAPTER_FILE = "adapter.safetensors"
ADAPTER_CONFIG_FILE = "adapter_config.json"
PROMPT_FILE = "prompt.json"
LABELS_FILE = "labels.json"
TRAIN_CONFIG_FILE = "train_config.json"
TRAINER_STATE_FILE = "trainer_state.pt"
STATE_FILE = "state.json"


@dataclass(frozen=True)
class AdapterMeta:
    encoder: EncoderConfig
    adapter: AdapterConfig
    recipe: str
    n_taps: int
    enc_width: int
    llm_width: int
    n_labels: int
    llm: str  # the LLM spec it was trained against


def save_checkpoint(
    folder: Path, adapter: ListenAdapter, meta: AdapterMeta, prompt: PromptTemplate, labels: list[dict],
    train_config: dict, trainer_state: dict | None, state: dict,
) -> Path:
    folder = Path(folder)
    tmp = folder.with_name(folder.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    tensors = {k: v.detach().float().contiguous().cpu() for k, v in adapter.state_dict().items()}
    save_file(tensors, str(tmp / ADAPTER_FILE), metadata={"format_version": str(FORMAT_VERSION)})
    meta_dict = {"format_version": FORMAT_VERSION, **to_dict(meta)}
    (tmp / ADAPTER_CONFIG_FILE).write_text(json.dumps(meta_dict, indent=2) + "\n")
    prompt.save(tmp / PROMPT_FILE)
    (tmp / LABELS_FILE).write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
    (tmp / TRAIN_CONFIG_FILE).write_text(json.dumps(train_config, indent=2) + "\n")
    if trainer_state is not None:
        torch.save(trainer_state, tmp / TRAINER_STATE_FILE)
    (tmp / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return folder


def read_meta(folder: Path) -> AdapterMeta:
    path = Path(folder) / ADAPTER_CONFIG_FILE
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{path} is missing or unreadable ({err}); pass a folder written by `listen train`") from err
    version = data.pop("format_version", None)
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{path} has format_version {version!r}; this code reads version {FORMAT_VERSION}")
    return from_dict(AdapterMeta, data, ADAPTER_CONFIG_FILE)


def load_adapter(folder: Path) -> tuple[ListenAdapter, AdapterMeta]:
    """Rebuild the trained adapter (eval mode) from a checkpoint folder, for export or evaluation."""
    folder = Path(folder)
    meta = read_meta(folder)
    adapter = ListenAdapter(meta.adapter, meta.recipe, meta.n_taps, meta.enc_width, meta.llm_width, meta.n_labels)
    try:
        adapter.load_state_dict(load_file(str(folder / ADAPTER_FILE)))
    except (OSError, RuntimeError) as err:
        raise CheckpointError(f"cannot load {folder / ADAPTER_FILE}: {err}") from err
    return adapter.eval(), meta


def load_labels(folder: Path) -> list[dict]:
    return json.loads((Path(folder) / LABELS_FILE).read_text())


def load_trainer_state(folder: Path) -> tuple[dict, dict]:
    """(trainer_state, state) for resuming."""
    folder = Path(folder)
    try:
        return torch.load(folder / TRAINER_STATE_FILE, weights_only=False), json.loads((folder / STATE_FILE).read_text())
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{folder} cannot be resumed ({err}); it lacks {TRAINER_STATE_FILE} or {STATE_FILE}") from err


def latest_checkpoint(out_dir: Path) -> Path | None:
    """The newest complete `step-*` folder in a run directory."""
    steps = sorted(Path(out_dir).glob("step-*[0-9]"), key=lambda p: int(p.name.split("-")[1]))
    return steps[-1] if steps else None


def prune_checkpoints(out_dir: Path, keep: int) -> None:
    steps = sorted(Path(out_dir).glob("step-*[0-9]"), key=lambda p: int(p.name.split("-")[1]))
    for old in steps[: max(0, len(steps) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
