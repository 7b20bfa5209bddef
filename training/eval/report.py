"""Evaluation results as JSON and Markdown: one run, and runs side by side (torch-free).

One run: a table per parser (per sampling and over all rows), a table per template, a
confusion matrix per sampling, and the hallucinated mentions. Side by side: the paper's
cell format `Acc / F1-no / Yes %` per sampling, one row per run, with reference rows
from the papers (numbers in percent, as the papers print them).
"""

from __future__ import annotations

import json
from pathlib import Path

from training.errors import EvalError
from training.eval.metrics import EXPECTED, PREDICTED, SAMPLING_ORDER

RESULTS_FILE = "metrics.json"
REPORT_FILE = "report.md"
PREDICTIONS_FILE = "predictions.jsonl"

# Reference rows: {column: (accuracy %, F1 of "no" %, yes %)}; None where the paper gives none.
REFERENCES: dict[str, tuple[tuple[str, dict], ...]] = {
    # LISTEN (Kuan & Lee, Interspeech 2025): its ablation, one number over the benchmark.
    "listen": (
        ("LISTEN paper: positives only", {"all": (66.0, 63.7, None)}),
        ("LISTEN paper: positives + negatives", {"all": (77.5, 77.1, None)}),
    ),
    # Kuan, Huang & Lee (Interspeech 2024), Table 1 (AudioCaps clips; DESIGN.md section 6).
    "kuan2024": (
        ("Qwen-Audio-Chat-7B", {"random": (65.0, 46.4, 84.3), "popular": (58.1, 28.4, 90.7), "adversarial": (56.0, 20.8, 93.5)}),
        ("SALMONN-13B", {"random": (67.6, 53.1, 81.1), "popular": (65.2, 47.6, 83.6), "adversarial": (60.4, 34.8, 88.8)}),
        ("LTU-AS-7B", {"random": (51.7, 47.7, 57.8), "popular": (47.3, 39.9, 62.2), "adversarial": (50.1, 44.6, 59.5)}),
        ("captioner + ChatGPT cascade", {"random": (79.8, 82.8, 32.1), "popular": (66.5, 67.8, 45.5),
                                         "adversarial": (70.7, 72.8, 41.2)}),
    ),
}
COLUMNS = (*SAMPLING_ORDER, "all")


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _sampling_rows(parser: dict) -> list[tuple[str, dict]]:
    return [*parser["by_sampling"].items(), ("all", parser["all"])]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def confusion_markdown(name: str, table: dict, columns: tuple[str, ...]) -> str:
    lines = [f"| {name}: expected \\ answered | " + " | ".join(columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for e in EXPECTED:
        lines.append(f"| {e} | " + " | ".join(str(table[e][p]) for p in columns) + " |")
    return "\n".join(lines)


def run_markdown(result: dict, title: str = "") -> str:
    """The Markdown report of one evaluation (`evaluate_rows` output, plus `system` if any)."""
    paper, strict = result["parsers"]["paper"], result["parsers"]["first_word"]
    out = [f"## {title}" if title else "## Object-hallucination benchmark", ""]
    if result.get("system"):
        s = result["system"]
        rate = f", {s['questions_per_s']} questions/s" if s.get("questions_per_s") else ""
        out += [f"{s['system']} `{s['path']}` ({s.get('recipe') or 'recipe ?'}) on {s['device']}, {s['precision']}: "
                f"{s['questions']} questions in {s['seconds']} s{rate} (+{s['load_seconds']} s loading)", ""]
    out += ["Paper parser (an answer containing the word \"yes\" is yes, anything else no); values in %:", "",
            "| sampling | n | accuracy | precision (no) | recall (no) | F1 (no) | yes |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for name, m in _sampling_rows(paper):
        out.append(f"| {name} | {m['n']} | {pct(m['accuracy'])} | {pct(m['precision_no'])} | {pct(m['recall_no'])} "
                   f"| {pct(m['f1_no'])} | {pct(m['yes_ratio'])} |")
    out += ["", "First-word parser (stricter: the first word must be yes or no; unparsable answers count as wrong):", "",
            "| sampling | n | accuracy | F1 (no) | yes % | unparsable |", "|---|---:|---:|---:|---:|---:|"]
    for name, m in _sampling_rows(strict):
        out.append(f"| {name} | {m['n']} | {pct(m['accuracy'])} | {pct(m['f1_no'])} | {pct(m['yes_ratio'])} | {m['unparsable']} |")
    if result.get("answer_kinds"):
        k = result["answer_kinds"]
        out += ["", f"Answers by their opening: yes {k['yes']}, no {k['no']}, \"I can't tell\" {k['cant_tell']}, "
                f"neither {k['neither']}."]
    if result.get("calibration"):
        c = result["calibration"]
        out += ["", f"Calibration of the answers' confidence: ECE {c['ece']:.3f} over {c['n']} answers "
                f"({len(c['bins'])} bins of 0.05 between 0.5 and 1)."]
    out += ["", "Per template (paper parser; unparsable by the first-word parser):", "",
            "| template | n | accuracy | F1 (no) | yes % | unparsable |", "|---|---:|---:|---:|---:|---:|"]
    for name, m in paper["by_template"].items():
        u = strict["by_template"][name]["unparsable"]
        out.append(f"| {_escape(name)} | {m['n']} | {pct(m['accuracy'])} | {pct(m['f1_no'])} | {pct(m['yes_ratio'])} | {u} |")
    out += ["", "Confusion matrices per sampling (paper parser, then first-word parser):", ""]
    for (name, m), (_, m_strict) in zip(_sampling_rows(paper), _sampling_rows(strict)):  # same rows, same keys
        out += [confusion_markdown(name, m["confusion"], ("yes", "no")), ""]
        out += [confusion_markdown(f"{name} (first word)", m_strict["confusion"], PREDICTED), ""]
    if "mentions" in result:
        out += mentions_markdown(result["mentions"])
    return "\n".join(out).rstrip() + "\n"


def mentions_markdown(m: dict) -> list[str]:
    out = ["Hallucinated mentions in open answers (CHAIR-like; events matched through the label synonyms):", "",
           "| answers | naming an absent event | naming a present event | mentions | absent among them | unknown | silent | coverage of present labels | exact labels |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
           f"| {m['n_answers']} | {m['answers_hallucinating']} ({pct(m['answers_hallucinating_ratio'])} %) "
           f"| {m.get('answers_naming_present', '-')} ({pct(m.get('answers_naming_present_ratio'))} %) | {m['mentions']} "
           f"| {m['mentions_hallucinated']} ({pct(m['mentions_hallucinated_ratio'])} %) | {m['mentions_unknown']} | {m['silent']} "
           f"| {pct(m['coverage'])} % | {m['exact_labels']} of {m['n_answers']} |", ""]
    for ex in m.get("examples", []):
        out.append(f"- clip {ex['clip']} (present: {', '.join(ex['present']) or 'none'}): "
                   f"\"{_escape(ex['answer'])}\" names absent {', '.join(ex['absent_named'])}")
    return out + ([""] if m.get("examples") else [])


def _cell(m: dict | None) -> str:
    if not m or not m.get("n"):
        return "-"
    return f"{pct(m['accuracy'])} / {pct(m['f1_no'])} / {pct(m['yes_ratio'])}"


def comparison_markdown(runs: list[tuple[str, dict]], references: tuple[str, ...] = ("listen",)) -> str:
    """Runs side by side in the paper's format (paper parser), plus reference rows."""
    out = ["| run | " + " | ".join(COLUMNS) + " | unparsable (first word) | answers naming an absent event |",
           "|---|" + "---|" * len(COLUMNS) + "---:|---:|"]
    for name, result in runs:
        paper, strict = result["parsers"]["paper"], result["parsers"]["first_word"]
        cells = [_cell(paper["by_sampling"].get(c)) for c in SAMPLING_ORDER] + [_cell(paper["all"])]
        m = result.get("mentions")
        chair = f"{pct(m['answers_hallucinating_ratio'])} %" if m else "-"
        out.append(f"| {_escape(name)} | " + " | ".join(cells) + f" | {strict['all']['unparsable']} | {chair} |")
    for ref in references:
        if ref not in REFERENCES:
            raise EvalError(f"unknown reference {ref!r}; known: {', '.join(REFERENCES)}")
        for name, cols in REFERENCES[ref]:
            cells = [" / ".join(_num(v) for v in cols[c]) if c in cols else "-" for c in COLUMNS]
            out.append(f"| *{name}* | " + " | ".join(cells) + " | - | - |")
    out += ["", "Cells: accuracy / F1 of \"no\" / yes-ratio, in % (paper parser). Reference rows are the papers' "
                "numbers on their own benchmark (AudioCaps clips), not on this one."]
    return "\n".join(out) + "\n"


def write_run(out_dir: Path, result: dict, title: str) -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / RESULTS_FILE).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(run_markdown(result, title), encoding="utf-8")
    return out_dir / RESULTS_FILE, out_dir / REPORT_FILE


def read_run(path: Path) -> dict:
    """A metrics.json, or an eval output folder holding one."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{path} does not exist; pass a metrics.json written by `listen eval --out DIR`") from None
    except (OSError, ValueError) as err:
        raise EvalError(f"{path} is not readable JSON ({err}); pass a metrics.json written by `listen eval`") from err
    if not isinstance(result, dict) or "parsers" not in result:
        raise EvalError(f"{path} is not a `listen eval` result (no 'parsers'); pass its metrics.json")
    return result
