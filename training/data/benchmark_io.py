"""Benchmark rows and predictions files: JSONL, CSV, or a Hugging Face dataset (torch-free).

Columns (Kuan et al. 2024, the object-hallucination benchmark):

    audio_index   the clip's id (AudioCaps id in the paper); with --audio-dir DIR the audio is
                  DIR/<audio_index>.{wav,flac,ogg,mp3}
    audio         (optional) the audio: a path (relative to the file's folder), or in a
                  Hugging Face dataset an Audio cell
    prompt_text   the question ("Is there a sound of {obj} in the audio?")
    object        the asked sound
    attribute     positive | negative (optional, must agree with label)
    label         yes | no: the expected answer
    sampling      random | popular | adversarial
    entry_id, template_id, object_name, clip_id: optional; `labels` (optional) lists the
    clip's present labels (JSON list; in CSV a JSON list or `a;b;c`)

Open-question rows (for hallucinated mentions) have `attribute: "open"`, no label and
no sampling. A predictions file is rows like these plus `answer` (the model's text) and
optionally `p_yes` (the model's probability of yes at the first answer token).

Every malformed row is a one-line `EvalError` naming the file, the row and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from training.errors import CorpusError, EvalError
from training.jsonl import read_json_lines

SAMPLINGS = ("random", "popular", "adversarial")
ATTRIBUTES = {"positive": "yes", "negative": "no"}
OPEN = "open"
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
HF_PREFIX = "hf:"


@dataclass(frozen=True)
class BenchmarkRow:
    where: str  # "FILE line N" / "FILE row N": how errors name this row
    fields: dict  # the row as read (written back, with the answer, into predictions files)
    audio: str  # resolved audio path; "" when the row names none (scoring needs no audio)
    clip: str  # groups questions about one clip: audio_index, else clip_id, else the audio path
    prompt_text: str
    object: str  # the asked sound ("" for open rows)
    attribute: str  # positive | negative | open
    label: str  # yes | no; "" for open rows
    sampling: str  # random | popular | adversarial; "" for open rows
    template: str  # the question with its object replaced by {obj}
    clip_labels: tuple[str, ...] | None  # present labels of the clip, when the row gives them
    answer: str | None = None  # predictions files only
    p_yes: float | None = None  # predictions files only, when the system reports it

    @property
    def is_open(self) -> bool:
        return self.attribute == OPEN


# ---- readers: each yields (where, raw row dict) ------------------------------------------
def _read_jsonl(path: Path) -> Iterator[tuple[str, dict]]:
    for n, row in read_json_lines(path, EvalError, "pass a benchmark JSONL, CSV or hf:DATASET"):
        yield f"{path} line {n}", row


def _read_csv(path: Path) -> Iterator[tuple[str, dict]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f, delimiter=delimiter)
            for n, row in enumerate(reader, 1):
                if None in row:
                    raise EvalError(f"{path} row {n} has more cells than the header; quote cells that hold '{delimiter}'")
                yield f"{path} row {n}", {k: v for k, v in row.items() if v not in (None, "")}
    except csv.Error as err:
        raise EvalError(f"{path} is not valid CSV ({err}); fix the quoting or export it again") from err
    except (OSError, UnicodeDecodeError) as err:
        raise EvalError(f"cannot read {path}: {err}; pass a benchmark JSONL, CSV or hf:DATASET") from err


def _read_hf(spec: str, split: str, audio_cache: Path) -> Iterator[tuple[str, dict]]:
    """A saved dataset folder, a parquet file or a hub name (`hf:` prefix), split `split`.
    Audio cells are not decoded: their file (or bytes, written to `audio_cache`) is used."""
    from training.corpus.loaders.hf import open_dataset

    name = spec[len(HF_PREFIX):] if spec.startswith(HF_PREFIX) else spec
    try:
        if name.endswith(".parquet"):
            import datasets

            ds = datasets.load_dataset("parquet", data_files={split: name}, split=split)
        else:
            ds = open_dataset(name, split)
    except CorpusError as err:
        raise EvalError(str(err)) from err
    except ImportError as err:
        raise EvalError("reading a Hugging Face dataset needs the `datasets` package: pip install 'listen-edge[hf]'") from err
    except Exception as err:  # noqa: BLE001 - datasets raises many types for a bad file
        raise EvalError(f"cannot open Hugging Face dataset {name!r} (split {split!r}): {err}") from err
    features = getattr(ds, "features", {}) or {}
    if "audio" in features and type(features["audio"]).__name__ == "Audio":
        import datasets

        ds = ds.cast_column("audio", datasets.Audio(decode=False))  # {path, bytes}: no decoder needed
    for i, item in enumerate(ds):
        where = f"{name} row {i}"
        row = dict(item)
        if isinstance(row.get("audio"), dict):
            row["audio"] = _materialise(row["audio"], row, audio_cache, where)
        yield where, row


def _materialise(cell: dict, row: dict, cache: Path, where: str) -> str:
    """An undecoded Audio cell -> a file path (its own, or its bytes written to the cache)."""
    path, data = cell.get("path"), cell.get("bytes")
    if path and Path(path).is_file():
        return str(Path(path).resolve())
    if not data:
        raise EvalError(f"{where}: the audio cell holds neither an existing file nor bytes; re-save the dataset with its audio")
    suffix = Path(path).suffix.lower() if path and Path(path).suffix.lower() in AUDIO_SUFFIXES else ".wav"
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", str(row.get("audio_index", ""))) or hashlib.sha1(data).hexdigest()[:16]
    out = cache / f"{stem}{suffix}"
    if not out.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return str(out.resolve())


def _is_hf(spec: str) -> bool:
    p = Path(spec)
    return spec.startswith(HF_PREFIX) or p.suffix.lower() in (".parquet", ".arrow") or (
        p.is_dir() and ((p / "dataset_info.json").exists() or (p / "dataset_dict.json").exists())
    )


def read_raw(spec: str | Path, hf_split: str = "test", audio_cache: Path | None = None) -> tuple[Path, Iterator]:
    """(folder that relative audio paths resolve against, (where, row) iterator)."""
    spec = str(spec)
    if _is_hf(spec):
        from core.paths import listen_home

        cache = audio_cache or listen_home() / "eval_audio" / hashlib.sha1(spec.encode()).hexdigest()[:12]
        return Path.cwd(), _read_hf(spec, hf_split, cache)
    path = Path(spec)
    if not path.is_file():
        raise EvalError(f"{path} does not exist; pass a benchmark JSONL or CSV file, or hf:DATASET for a Hugging Face dataset")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return path.parent, _read_jsonl(path)
    if suffix in (".csv", ".tsv"):
        return path.parent, _read_csv(path)
    raise EvalError(f"{path}: unknown format {suffix or '(no suffix)'!r}; use .jsonl, .csv/.tsv, or hf:DATASET")


# ---- one row ----------------------------------------------------------------------------
def _text(row: dict, names: tuple[str, ...], where: str, required: bool = True) -> str:
    for name in names:
        value = row.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise EvalError(f"{where}: {name!r} must be text, found {type(value).__name__} {value!r}")
        return value.strip()
    if required:
        raise EvalError(f"{where}: missing column {' or '.join(repr(n) for n in names)}; every benchmark row needs it")
    return ""


def _labels(row: dict, where: str) -> tuple[str, ...] | None:
    value = row.get("labels")
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError as err:
                raise EvalError(f"{where}: labels {value!r} is not a JSON list ({err.msg})") from err
        else:
            return tuple(x.strip() for x in value.split(";") if x.strip())
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
        raise EvalError(f"{where}: labels must be a list of label ids, found {value!r}")
    return tuple(value)


_ARTICLE_BEFORE = re.compile(r"\b(a|an|the)\s+$", re.IGNORECASE)


def template_of(prompt: str, *objects: str) -> str:
    """The prompt with the first of `objects` that it contains replaced by {obj}; an article
    just before it joins {obj}, so "of a dog" and "of rain" share one template."""
    for obj in objects:
        if obj:
            m = re.search(re.escape(obj), prompt, re.IGNORECASE)
            if m:
                head = _ARTICLE_BEFORE.sub("", prompt[: m.start()])
                return head + "{obj}" + prompt[m.end():]
    return prompt


def _audio(row: dict, base: Path, audio_dir: Path | None, where: str) -> str:
    value = row.get("audio")
    if isinstance(value, str) and value.strip():
        p = Path(value.strip()).expanduser()
        if not p.is_absolute():
            p = (audio_dir or base) / p
        return str(p.resolve())
    if value not in (None, ""):
        raise EvalError(f"{where}: audio must be a path, found {type(value).__name__}; in a dataset use an Audio column")
    index = row.get("audio_index")
    if audio_dir is not None and index not in (None, ""):
        for suffix in ("", *AUDIO_SUFFIXES):
            p = audio_dir / f"{index}{suffix}"
            if p.is_file():
                return str(p.resolve())
    return ""


def parse_row(where: str, row: dict, base: Path, audio_dir: Path | None = None, need_answer: bool = False) -> BenchmarkRow:
    prompt = _text(row, ("prompt_text", "question"), where)
    attribute = _text(row, ("attribute",), where, required=False).lower()
    label = _text(row, ("label",), where, required=False).lower()
    if attribute == OPEN:
        if label:
            raise EvalError(f"{where}: an open-question row (attribute 'open') has no yes/no label; drop label {label!r}")
        sampling = ""
    else:
        if label not in ("yes", "no"):
            raise EvalError(f"{where}: label {label or '(missing)'!r} must be 'yes' or 'no' "
                            f"(open questions need attribute 'open' instead)")
        if attribute and ATTRIBUTES.get(attribute) != label:
            raise EvalError(f"{where}: attribute {attribute!r} disagrees with label {label!r} "
                            f"(positive goes with yes, negative with no)")
        attribute = attribute or ("positive" if label == "yes" else "negative")
        sampling = _text(row, ("sampling",), where).lower()
        if sampling not in SAMPLINGS:
            raise EvalError(f"{where}: sampling {sampling!r} must be one of {', '.join(SAMPLINGS)}")
    obj = _text(row, ("object",), where, required=False)
    name = _text(row, ("object_name",), where, required=False)
    audio = _audio(row, base, audio_dir, where)
    clip = _text(row, ("audio_index", "clip_id"), where, required=False) or audio
    answer = p_yes = None
    if need_answer:
        answer = row.get("answer")
        if not isinstance(answer, str):
            raise EvalError(f"{where}: missing 'answer' (the model's text; \"\" for no answer); a predictions file is "
                            f"benchmark rows plus an answer column")
        if row.get("p_yes") not in (None, ""):
            try:
                p_yes = float(row["p_yes"])
            except (TypeError, ValueError) as err:
                raise EvalError(f"{where}: p_yes {row['p_yes']!r} must be a number in [0, 1]") from err
    return BenchmarkRow(
        where=where, fields=row, audio=audio, clip=clip, prompt_text=prompt, object=obj, attribute=attribute,
        label=label, sampling=sampling, template=template_of(prompt, name, obj, obj.replace("_", " ")) if obj or name
        else prompt, clip_labels=_labels(row, where), answer=answer, p_yes=p_yes,
    )


def load_rows(spec: str | Path, audio_dir: Path | None = None, hf_split: str = "test", need_answer: bool = False,
              need_audio: bool = False, audio_cache: Path | None = None) -> list[BenchmarkRow]:
    """Every row of a benchmark (or, with need_answer, a predictions file)."""
    base, raw = read_raw(spec, hf_split, audio_cache)
    rows = [parse_row(where, row, base, audio_dir, need_answer) for where, row in raw]
    if not rows:
        raise EvalError(f"{spec} holds no rows; pass a benchmark with the columns prompt_text, label, sampling")
    if need_audio:
        for r in rows:
            if not r.audio:
                hint = f"no file {r.fields.get('audio_index')}.wav/.flac/.ogg/.mp3 in {audio_dir}" if audio_dir \
                    else "pass --audio-dir DIR holding <audio_index>.wav"
                raise EvalError(f"{r.where}: no audio for this row ({hint})")
            if not Path(r.audio).is_file():
                raise EvalError(f"{r.where}: audio file {r.audio} does not exist; fix the path or pass --audio-dir")
    return rows


def subsample(rows: list[BenchmarkRow], per_sampling: int, seed: int = 0) -> list[BenchmarkRow]:
    """At most `per_sampling` yes/no rows of each sampling, half expecting yes and half no (so
    the yes-ratio of a perfect model stays 0.5), chosen reproducibly from `seed`, in file
    order (0 = all); open rows are kept. Validation during training and `listen eval --rows`
    both draw with this, so the same seed scores the same rows."""
    if per_sampling <= 0:
        return list(rows)
    rng = random.Random(seed)
    keep: set[int] = set()
    for s in SAMPLINGS:
        for label, n in (("yes", per_sampling // 2), ("no", per_sampling - per_sampling // 2)):
            group = [i for i, r in enumerate(rows) if r.sampling == s and r.label == label]
            keep.update(rng.sample(group, min(n, len(group))))
    return [r for i, r in enumerate(rows) if r.is_open or i in keep]


# ---- clip labels and open questions -------------------------------------------------------
def with_clip_labels(rows: list[BenchmarkRow], clips: dict[str, tuple[str, ...]] | None) -> list[BenchmarkRow]:
    """Rows whose clip labels the clip index knows (`clip_index.clip_labels`: by audio path,
    clip_id or audio_index)."""
    if not clips:
        return rows
    out = []
    for r in rows:
        if r.clip_labels is None:
            for key in (r.audio, str(r.fields.get("clip_id", "")), str(r.fields.get("audio_index", ""))):
                if key and key in clips:
                    r = replace(r, clip_labels=clips[key])
                    break
        out.append(r)
    return out


def open_question_rows(rows: list[BenchmarkRow], question: str) -> list[BenchmarkRow]:
    """One open question per clip of the benchmark (first row of each clip gives its audio)."""
    out, seen = [], set()
    for r in rows:
        if r.is_open or r.clip in seen:
            continue
        seen.add(r.clip)
        fields = {"audio_index": r.fields.get("audio_index", r.clip), "audio": r.audio, "prompt_text": question,
                  "attribute": OPEN}
        if "clip_id" in r.fields:
            fields["clip_id"] = r.fields["clip_id"]
        if r.clip_labels is not None:
            fields["labels"] = list(r.clip_labels)
        out.append(BenchmarkRow(
            where=f"open question for clip {r.clip}", fields=fields, audio=r.audio, clip=r.clip, prompt_text=question,
            object="", attribute=OPEN, label="", sampling="", template=question, clip_labels=r.clip_labels,
        ))
    return out


# ---- predictions --------------------------------------------------------------------------
def prediction_record(row: BenchmarkRow, answer: str, p_yes: float | None = None) -> dict:
    """The row's own columns plus `answer` (and `p_yes`); an audio cell becomes its path."""
    rec = {k: v for k, v in row.fields.items() if k not in ("answer", "p_yes")}
    if row.audio:
        rec["audio"] = row.audio
    elif not isinstance(rec.get("audio"), (str, type(None))):
        rec.pop("audio")
    if row.clip_labels is not None:
        rec["labels"] = list(row.clip_labels)
    rec["answer"] = answer
    if p_yes is not None:
        rec["p_yes"] = round(float(p_yes), 6)
    return rec


def write_predictions(records: list[dict], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records), encoding="utf-8")
    tmp.replace(path)
    return path


def join_answers(bench: list[BenchmarkRow], preds: list[dict], where: str) -> list[BenchmarkRow]:
    """Attach answers given separately: by `entry_id` when every prediction has one, else by order."""
    def answer_of(p: dict, at: str) -> tuple[str, float | None]:
        if not isinstance(p.get("answer"), str):
            raise EvalError(f"{at}: missing 'answer' (text)")
        return p["answer"], (float(p["p_yes"]) if p.get("p_yes") not in (None, "") else None)

    if preds and all("entry_id" in p for p in preds):
        by_id = {str(p["entry_id"]): (i, p) for i, p in enumerate(preds)}
        out = []
        for r in bench:
            key = str(r.fields.get("entry_id", ""))
            if key not in by_id:
                raise EvalError(f"{r.where}: entry_id {key!r} has no answer in {where}")
            i, p = by_id[key]
            a, py = answer_of(p, f"{where} row {i + 1}")
            out.append(replace(r, answer=a, p_yes=py))
        return out
    if len(preds) != len(bench):
        raise EvalError(f"{where} holds {len(preds)} answers for {len(bench)} benchmark rows; "
                        f"give one answer per row in order, or an entry_id on each")
    out = []
    for i, (r, p) in enumerate(zip(bench, preds)):
        a, py = answer_of(p, f"{where} row {i + 1}")
        out.append(replace(r, answer=a, p_yes=py))
    return out
