"""Package a trained checkpoint as a small, committable adapter with a model card.

Copies what export needs (adapter weights in safetensors, the adapter/encoder config, the
prompt text, the label vocabulary, the training config) and leaves out the optimizer
state; writes `MODEL_CARD.md` and `card.json` from the training log, the evaluation
report and the data provenance given by the caller.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from training.errors import TrainingError
from training.model import checkpoint as ckpt
from training.provenance import git_commit

CARD_FILE = "MODEL_CARD.md"
CARD_JSON = "card.json"
KEEP = (ckpt.ADAPTER_FILE, ckpt.ADAPTER_CONFIG_FILE, ckpt.PROMPT_FILE, ckpt.LABELS_FILE,
        ckpt.TRAIN_CONFIG_FILE, ckpt.STATE_FILE)


@dataclass
class CardFacts:
    data: str  # how the training rows were made (corpus, seed, synthesis)
    machine: str  # where it trained
    training_time_s: float  # wall time of the run
    evaluation: dict = field(default_factory=dict)  # title -> `listen eval` metrics.json ({} = not run)
    notes: list[str] = field(default_factory=list)  # honest caveats


def package(checkpoint: Path, out: Path, facts: CardFacts) -> Path:
    checkpoint, out = Path(checkpoint), Path(out)
    missing = [n for n in KEEP if not (checkpoint / n).is_file()]
    if missing:
        raise TrainingError(f"{checkpoint} lacks {missing}; pass a checkpoint folder written by `listen train`")
    meta = ckpt.read_meta(checkpoint)
    state = json.loads((checkpoint / ckpt.STATE_FILE).read_text())
    train_cfg = json.loads((checkpoint / ckpt.TRAIN_CONFIG_FILE).read_text())
    out.mkdir(parents=True, exist_ok=True)
    for name in KEEP:
        if (out / name).resolve() != (checkpoint / name).resolve():  # re-packaging in place keeps the file
            shutil.copyfile(checkpoint / name, out / name)
    card = {
        "recipe": meta.recipe,
        "encoder": meta.encoder.whisper,
        "llm": meta.llm,
        "adapter_parameters": _param_count(out / ckpt.ADAPTER_FILE),
        "step": state.get("step"),
        "seed": train_cfg.get("seed"),
        "git_commit": git_commit(),
        "data": facts.data,
        "machine": facts.machine,
        "training_time_s": round(facts.training_time_s),
        "evaluation": facts.evaluation,
        "notes": facts.notes,
        "validation_history": state.get("history", []),
    }
    (out / CARD_JSON).write_text(json.dumps(card, indent=2) + "\n")
    (out / CARD_FILE).write_text(render_card(card, train_cfg))
    return out


def update_card(out: Path, evaluation: dict[str, dict], notes: list[str] | None = None) -> Path:
    """Add (or replace, by title) evaluations in a packaged adapter's card and re-render it.

    The training facts (commit, data, time) stay those of the run that made the weights;
    `notes`, when given, replace the card's notes."""
    out = Path(out)
    try:
        card = json.loads((out / CARD_JSON).read_text())
        train_cfg = json.loads((out / ckpt.TRAIN_CONFIG_FILE).read_text())
    except (OSError, ValueError) as err:
        raise TrainingError(f"{out} holds no readable {CARD_JSON} and {ckpt.TRAIN_CONFIG_FILE} "
                            f"({err}); package the checkpoint first") from err
    card["evaluation"] = {**{k: v for k, v in card.get("evaluation", {}).items() if v}, **evaluation}
    if notes is not None:
        card["notes"] = notes
    (out / CARD_JSON).write_text(json.dumps(card, indent=2) + "\n")
    (out / CARD_FILE).write_text(render_card(card, train_cfg))
    return out


def render_card(card: dict, train_cfg: dict) -> str:
    lines = [
        "# LISTEN-Edge default adapter",
        "",
        "A Q-Former adapter (plus projection, presence head and decision tokens) between a frozen",
        f"Whisper encoder (`{card['encoder']}`) and a frozen LLM (`{card['llm']}`). Only the adapter",
        f"is trained ({card['adapter_parameters']:,} parameters); the encoder and the LLM are bit-for-bit the shipped weights.",
        "",
        "| fact | value |",
        "|---|---|",
        f"| recipe | `{card['recipe']}` |",
        f"| data | {card['data']} |",
        f"| seed | {card['seed']} |",
        f"| steps | {card['step']} (batch {train_cfg.get('batch_size')}) |",
        f"| training time | {card['training_time_s'] / 60:.0f} min on {card['machine']} |",
        f"| commit | `{card['git_commit']}` |",
        "",
        "## Held-out test split (clips no training step saw)",
        "",
    ]
    from training.eval.report import comparison_markdown, run_markdown

    done = [(name, result) for name, result in card["evaluation"].items() if result]
    if done:
        lines += ["### Side by side", "", comparison_markdown(done), ""]
    for name, result in card["evaluation"].items():
        if not result:
            lines += [f"### {name}", "", "Not trained in this run; see the notes.", ""]
            continue
        lines += [run_markdown(result, title=name).replace("## ", "### ", 1), ""]
    if card["validation_history"]:
        lines += ["## Validation curve (during training)", "", "| step | " + " | ".join(
            f"{s} acc / yes" for s in ("random", "popular", "adversarial")) + " |", "|---:|---:|---:|---:|"]
        for h in card["validation_history"]:
            cells = []
            for s in ("random", "popular", "adversarial"):
                m = h.get("eval", {}).get(s, {})
                cells.append(f"{m.get('accuracy', float('nan')):.3f} / {m.get('yes_ratio', float('nan')):.3f}")
            lines.append(f"| {h.get('step', '?')} | " + " | ".join(cells) + " |")
        lines.append("")
    if card["notes"]:
        lines += ["## Notes", ""] + [f"- {n}" for n in card["notes"]] + [""]
    return "\n".join(lines)


def _param_count(path: Path) -> int:
    from safetensors import safe_open

    with safe_open(str(path), "np") as f:
        return sum(math.prod(f.get_slice(k).get_shape()) for k in f.keys())
