"""The model card of the presence model: what it was trained on and how it did, through the edge.

Every number comes from a file a named command wrote: `presence.json` (`listen presence
train`), and the `metrics.json` of `listen eval` runs (the edge runtime: ONNX Runtime +
llama.cpp). The reliability plot is drawn from their calibration tables (the ECE bins of
P(present)). Notes written by people (what limits it, what is left) come from a file. The card goes on top of the adapter's own card (`training.train.package_adapter`),
which describes the soft-token adapter the descriptions are worded with.
"""

from __future__ import annotations

import json
from pathlib import Path

from training.eval.report import pct
from training.presence.calibration import reliability_plot

CARD_FILE = "MODEL_CARD.md"
PLOT_FILE = "reliability.png"
SAMPLINGS = ("random", "popular", "adversarial", "all")


def read_eval(folder: Path) -> dict:
    """The metrics.json `listen eval --out DIR` wrote (its `calibration` is the ECE table of p_yes)."""
    return json.loads((Path(folder) / "metrics.json").read_text())


def present_trained_yes(folder: Path, trained: set[str]) -> float | None:
    """Share of the present sounds of trained labels answered yes (paper parser), from the eval
    folder's predictions.jsonl; None without one."""
    from core.answers import paper_says_yes

    path = Path(folder) / "predictions.jsonl"
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as f:
        rows = [r for r in map(json.loads, f) if r.get("label") == "yes" and r.get("object") in trained]
    return sum(paper_says_yes(r.get("answer") or "") for r in rows) / len(rows) if rows else None


def evaluated_trained_labels(metrics: dict, default: set[str]) -> set[str]:
    """The trained labels of the bundle an evaluation ran (a "before" bundle has its own), read
    from its manifest; `default` when the bundle is gone or has no presence model."""
    path = Path(metrics.get("system", {}).get("path") or "") / "manifest.json"
    try:
        vocabulary = json.loads(path.read_text())["presence"]["vocabulary"]
    except (OSError, ValueError, KeyError, TypeError):
        return default
    return {label for _, label in vocabulary}


def _cells(metrics: dict) -> list[str]:
    s = metrics["parsers"]["paper"]["by_sampling"] | {"all": metrics["parsers"]["paper"]["all"]}
    return [f"{pct(s[k]['accuracy'])} / {pct(s[k]['f1_no'])} / {pct(s[k]['yes_ratio'])}" if k in s else "-" for k in SAMPLINGS]


def render(meta: dict, evals: dict[str, Path], ablations: dict[str, Path], commands: list[str], out_dir: Path,
           training_seconds: float | None = None, machine: str = "", reference: str | None = None,
           notes: str = "") -> tuple[str, dict]:
    """(Markdown, the numbers as JSON) of the presence section; writes the reliability plot into out_dir."""
    m = meta["metrics"]
    runs = {name: read_eval(folder) for name, folder in evals.items()}
    abl = {name: read_eval(folder) for name, folder in ablations.items()}
    calib = {name: metrics.get("calibration") for name, metrics in runs.items()}
    tables = {name: c for name, c in calib.items() if c}
    plot = reliability_plot(tables, Path(out_dir) / PLOT_FILE, "P(present), edge runtime") if tables else None
    rule = meta["rule"]
    gate = meta["calibration"]
    cfg = meta["config"]
    seconds = cfg.get("segment_frames", 50) / 50
    pooled = ("the segments' embeddings pooled with weights from a learned salience and their match to the phrase, "
              "then scored once" if cfg.get("pooling") == "attention" else "the cosine per segment, soft-maxed over the segments")
    lines = [
        "# LISTEN-Edge default model: open-vocabulary presence + the LISTEN adapter",
        "",
        "Yes/no questions are decided by the **presence model** (`training/presence`): the asked phrase, in any",
        f"wording, goes through the frozen LLM ({meta['pooling']}, llama.cpp on the edge), the audio",
        f"through the frozen Whisper taps averaged per {seconds:g} s segment; two small projections meet in one space;",
        f"{pooled}, Platt-calibrated, is P(present). The answer is",
        f"\"Yes\" at P >= {rule['threshold']}, \"No\" below, and \"I can't tell\" inside ({rule['unsure_low']}, "
        f"{rule['unsure_high']}) or when the phrase's cosine to every trained phrase is below {rule['min_similarity']:.3f}.",
        *(["The score of a phrase unlike the trained ones is pulled toward P = 0.5 first (the novelty gate: trust =",
           f"sigmoid((cosine - {gate['novelty_center']:.3f}) / {gate['novelty_width']:.3f}), fitted on validation questions about "
           "labels held out of a first training run)."] if gate.get("novelty_width") else []),
        "Descriptions are built from what it detects per window, worded by the LLM with the adapter's soft tokens",
        "and checked against the detections (the template stands in otherwise).",
        "",
        "| fact | value |",
        "|---|---|",
        f"| trained labels | {len(m['trained_labels'])} ({len(meta['vocabulary'])} phrases: names, synonyms"
        + (f", {m['paraphrases']['phrases']} paraphrases written by the LLM for {m['paraphrases']['labels_with_any']} labels"
           if m.get("paraphrases", {}).get("phrases") else "") + ") |",
        f"| data | {m['train_clips']} train clips, {m['validation_clips']} validation clips (calibration, step choice) |",
        f"| best step | {m['best_step']} |",
        f"| validation (torch) | accuracy {pct(m['validation']['accuracy'])}, F1(no) {pct(m['validation']['f1_no'])}, "
        f"yes {pct(m['validation']['yes_ratio'])}, ECE {m['validation']['ece']:.3f} |",
        f"| novelty floor | cosine {m['novelty']['floor']:.3f} ({m['novelty']['quantile']:.0%} quantile of the trained labels' "
        f"nearest other label; median {m['novelty']['median_nearest_other_label']:.3f}) |",
    ]
    if training_seconds is not None:
        lines.append(f"| training time | {training_seconds / 60:.1f} min{' on ' + machine if machine else ''} "
                     "(cached features; the LLM only computes the phrase states, once) |")
    trained = set(m["trained_labels"])
    lines += ["", "## Through the edge runtime (ONNX Runtime + llama.cpp), held-out clips", "",
              "Cells: accuracy / F1 of \"no\" / yes-ratio, in %, paper parser (\"I can't tell\" is not a yes);",
              "\"present, trained: yes\" is the share of the present sounds of trained labels answered yes (the labels",
              "the evaluated bundle was trained on).", "",
              "| split | " + " | ".join(SAMPLINGS) + " | present, trained: yes | can't tell | neither | ECE |",
              "|---|" + "---:|" * (len(SAMPLINGS) + 4)]
    summary: dict = {"splits": {}, "ablations": {}}
    for name, metrics in runs.items():
        kinds = metrics.get("answer_kinds", {})
        c = calib[name]
        ece = f"{c['ece']:.3f}" if c else "-"
        heard = present_trained_yes(evals[name], evaluated_trained_labels(metrics, trained))
        lines.append(f"| {name} | " + " | ".join(_cells(metrics)) + f" | {pct(heard) if heard is not None else '-'} "
                     f"| {kinds.get('cant_tell', '-')} | {kinds.get('neither', '-')} | {ece} |")
        summary["splits"][name] = {"paper": metrics["parsers"]["paper"], "answer_kinds": kinds, "present_trained_yes": heard,
                                   "ece": c["ece"] if c else None, "mentions": metrics.get("mentions")}
    lines += ["", "## Descriptions (\"What do you hear?\", one per clip)", "",
              "The worst label is the one named most often in descriptions of clips that lack it (its share of them).", "",
              "| split | answers | naming an absent sound | naming a present sound | worst label |", "|---|---:|---:|---:|---|"]
    for name, metrics in runs.items():
        mm = metrics.get("mentions")
        if mm:
            w = mm.get("worst_absent_label")
            worst = f"{w['label']}: {w['answers']} of {w['of']} ({pct(w['share'])} %)" if w else "-"
            lines.append(f"| {name} | {mm['n_answers']} | {pct(mm['answers_hallucinating_ratio'])} % "
                         f"| {pct(mm.get('answers_naming_present_ratio'))} % | {worst} |")
    if abl:
        lines += ["", "## Ablation: the presence model trained without negatives (positives only)", "",
                  "| run | " + " | ".join(SAMPLINGS) + " |", "|---|" + "---:|" * len(SAMPLINGS)]
        compared = ({f"{reference}, with negatives (this model)": runs[reference]} if reference in runs else {})
        for name, metrics in {**compared, **abl}.items():
            lines.append(f"| {name} | " + " | ".join(_cells(metrics)) + " |")
        for name, metrics in abl.items():
            summary["ablations"][name] = {"paper": metrics["parsers"]["paper"]}
    if m.get("zero_shot", {}).get("metrics", {}).get("n"):
        lines += zero_shot_section(m["zero_shot"])
        summary["zero_shot_validation"] = m["zero_shot"]
    if plot is not None:
        lines += ["", "## Calibration", "", f"![reliability]({PLOT_FILE})", "",
                  "Accuracy against confidence of the yes/no answers (bins of 0.05), per split; the dashed line is",
                  "perfect calibration. Platt scaling was fitted on the validation split only."]
    if notes.strip():
        lines += ["", notes.strip()]
    lines += ["", "## Commands", "", "```", *commands, "```", ""]
    return "\n".join(lines), summary


def zero_shot_section(z: dict) -> list[str]:
    """The open path alone: the recipe trained without some labels, asked about them on validation."""
    plain, gated, ruled = z["metrics"], z["gated"], z["with_rule"]
    lines = ["", f"## The open path alone: {len(z['labels'])} labels held out of training (validation, torch)", "",
             f"The same recipe trained without {', '.join(z['labels'])}; {plain['n']} validation questions about them.",
             "The novelty gate of this model's calibration was fitted on them (and on the other labels' questions).", "",
             "| answers | accuracy | F1(no) | yes | can't tell | ECE |", "|---|---:|---:|---:|---:|---:|",
             f"| Platt only, P >= 0.5 | {pct(plain['accuracy'])} | {pct(plain['f1_no'])} | {pct(plain['yes_ratio'])} | - | {plain['ece']:.3f} |",
             f"| with the novelty gate | {pct(gated['accuracy'])} | {pct(gated['f1_no'])} | {pct(gated['yes_ratio'])} | - | {gated['ece']:.3f} |",
             f"| gate + rule (band, novelty floor) | {pct(ruled['accuracy'])} | {pct(ruled['f1_no'])} | {pct(ruled['yes_ratio'])} "
             f"| {pct(ruled['cant_tell'])} | - |", "",
             "Accuracy by how close the asked phrase comes to a trained phrase (cosine in the model's text space, quartiles; "
             f"{pct(z['refused_as_novel'])} % fall below the novelty floor):", "",
             "| nearest trained cosine | questions | present | accuracy |", "|---|---:|---:|---:|"]
    lines += [f"| {band} | {v['n']} | {pct(v['present']) if 'present' in v else '-'} | {pct(v['accuracy'])} |"
              for band, v in z["accuracy_by_nearest_trained_cosine"].items()]
    return lines


def write_card(checkpoint: Path, evals: dict[str, Path], ablations: dict[str, Path], commands: list[str],
               training_seconds: float | None, machine: str, reference: str | None, notes: str = "") -> Path:
    """MODEL_CARD.md of a packaged adapter folder: the presence section, then the adapter's own card."""
    from training.model.checkpoint import TRAIN_CONFIG_FILE
    from training.presence.checkpoint import META_FILE
    from training.train.package_adapter import CARD_JSON, render_card

    checkpoint = Path(checkpoint)
    meta = json.loads((checkpoint / META_FILE).read_text())
    text, summary = render(meta, evals, ablations, commands, checkpoint, training_seconds, machine, reference, notes)
    adapter_card = ""
    if (checkpoint / CARD_JSON).is_file():
        card = json.loads((checkpoint / CARD_JSON).read_text())
        train_cfg = json.loads((checkpoint / TRAIN_CONFIG_FILE).read_text())
        adapter_card = render_card(card, train_cfg).replace("# LISTEN-Edge default adapter",
                                                            "# The LISTEN adapter (soft tokens; words the descriptions)", 1)
        adapter_card = "\n".join("#" + line if line.startswith("#") else line for line in adapter_card.splitlines())
    (checkpoint / CARD_FILE).write_text(text + ("\n" + adapter_card + "\n" if adapter_card else ""))
    (checkpoint / "presence_card.json").write_text(json.dumps(summary, indent=1) + "\n")
    return checkpoint / CARD_FILE
