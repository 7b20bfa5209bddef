"""The bundle manifest: the one contract between export and the edge.

`manifest.json` states everything the edge needs and must never guess: the audio front
end, each ONNX graph with its input/output names and shapes, the LLM file and width, the
exact prompt text around the audio slot, the label vocabulary that maps questions to the
adapter's presence head, the parity measured at export, and the sha256 and size of every
file. Export writes it with `Manifest.to_dict`; the edge reads it with `Manifest.from_dict`,
which refuses a wrong schema version or a missing or mistyped field with a message that
names the key. Torch-free.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

from core.audio import CHUNK_SECONDS, MAX_FILE_RATE, MAX_N_MELS, MIN_FILE_RATE
from core.errors import BundleError
from core.json_tree import JSONTooDeep, iter_json_strings

SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"
RECIPES = ("factorised", "listen")  # adapter recipes the edge knows how to drive
SEAL_KEY = "manifest_sha256"  # sha256 of the canonical JSON of every other field
# A real manifest nests 5 containers deep (encoder.inputs[0].shape); the bound keeps the
# seal's json.dumps and the checks below far from Python's recursion limit.
MAX_DEPTH = 32
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


def check_file_name(name: Any, what: str) -> str:
    """A bundle file name: one plain name inside the bundle folder.

    Export writes every file at the top of the bundle folder (`export.pipeline` lists
    `folder.iterdir()`), so a separator, `..` or an absolute path is never legitimate: it
    could only point the edge at a file outside the bundle.
    """
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise BundleError(f"{what} is {_show(name)}: not a plain file name inside the bundle folder "
                          "(no '/', no '..', not absolute, no NUL); re-export the bundle")
    return name


def _show(value: Any, limit: int = 80) -> str:
    """repr() cut short, so that a huge bad value still gives a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: list  # ints for fixed axes, strings for named dynamic axes ("batch")
    dtype: str  # numpy dtype name: float32, int64, ...


@dataclass(frozen=True)
class GraphSpec:
    """One ONNX graph and its precision variants (`{"fp32": "encoder.onnx", "int8": ...}`)."""

    variants: dict  # precision -> file name inside the bundle
    default_variant: str  # the variant the edge loads unless told otherwise
    inputs: list  # of TensorSpec
    outputs: list  # of TensorSpec
    opset: int
    parity: dict = field(default_factory=dict)  # measured at export against torch, per variant

    def file(self, variant: str | None = None) -> str:
        v = variant or self.default_variant
        if v not in self.variants:
            raise BundleError(f"graph variant {v!r} is not in this bundle; available: {sorted(self.variants)}")
        return self.variants[v]


@dataclass(frozen=True)
class AudioSpec:
    sample_rate: int  # Hz
    window_seconds: float  # seconds of audio per encoder window
    n_fft: int  # samples
    hop_length: int  # samples
    n_mels: int
    n_frames: int  # mel frames per window
    frontend: str  # name of the log-mel recipe, e.g. "whisper-log-mel"


@dataclass(frozen=True)
class LLMSpec:
    file: str
    quantization: str  # GGUF file type, e.g. Q4_1, Q8_0, F16
    n_embd: int  # width of the soft tokens
    vocab_size: int
    chat_template: str
    parity: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UserText:
    """Text a user wrote (a question, a watch): tokenized as plain text, never as template,
    so that a question cannot forge the chat template's turns."""

    text: str


@dataclass(frozen=True)
class PromptSpec:
    """Text around the audio slot: before_audio [soft tokens] after_audio question after_question."""

    before_audio: str
    after_audio: str
    after_question: str
    answer_end: str  # the text that closes an answer (end of turn)
    n_audio_tokens: int  # soft tokens the adapter emits per window

    def question_text(self, question: str) -> str:
        """The text after the soft tokens; the same rule as training's PromptTemplate."""
        return f"{self.after_audio}{question.strip()}{self.after_question}"

    def question_parts(self, question: str) -> tuple[str, UserText, str]:
        """The prompt parts after the soft tokens: question_text's layout, with the question
        marked as user text so that the LLM tokenizes it without special tokens."""
        return (self.after_audio, UserText(question.strip()), self.after_question)


@dataclass(frozen=True)
class AdapterSpec:
    recipe: str  # "factorised" (presence head decides yes/no) or "listen" (plain LM)
    labels: list  # [{label, name, synonyms}] in the order of the presence head's outputs
    yes_threshold: float = 0.5  # presence probability above which the label counts as heard


@dataclass(frozen=True)
class PresenceSpec:
    """The open-vocabulary presence model (`training.presence`): decides yes / no / can't tell.

    The text tower is the bundle's own LLM: `text_prefix` + " " + phrase through llama.cpp,
    the phrase tokens' output states averaged (`pooling`). `graph` maps (encoder states,
    phrase states) to clip logits, 1 s segment logits and the phrases' embeddings;
    `calibration` turns a logit z into sigmoid(scale * z + bias), pulled toward a prior for
    phrases unlike the trained ones when it has the optional `core.presence.NoveltyGate`
    keys (novelty_center, novelty_width, novelty_prior_logit); `rule` is
    `core.presence.PresenceRule`. `vocabulary_file` holds the text tower's states of the
    trained phrases (`vocabulary`: [[phrase, label], ...], in row order): the descriptions
    are built from them and a phrase far from all of them is not judged. `labels` is the
    whole label library, so that a description that names any known sound not detected is
    caught (`core.mentions`).
    """

    graph: GraphSpec
    text_prefix: str
    pooling: str
    calibration: dict  # {"scale": float, "bias": float} (+ the optional NoveltyGate keys)
    rule: dict  # PresenceRule fields
    vocabulary: list  # [[phrase, label], ...]
    labels: list  # [{label, name, synonyms}]: every label a description may name (its grounding check)
    vocabulary_file: str  # .npy, (len(vocabulary), llm.n_embd) float32
    segment_seconds: float  # seconds of audio per segment logit
    parity: dict = field(default_factory=dict)  # text tower: llama.cpp vs transformers, measured at export
    text_suffix: str = ""  # read after the phrase (core.presence.TextTemplate; older bundles: none)

    @property
    def template(self):
        """The text tower's `core.presence.TextTemplate`."""
        from core.presence import TextTemplate

        return TextTemplate(self.text_prefix, self.text_suffix, self.pooling)


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int  # bytes


@dataclass(frozen=True)
class Manifest:
    schema_version: int
    created: str  # ISO 8601, UTC
    provenance: dict  # encoder, llm, adapter checkpoint (+ sha256), git commit, tool versions
    audio: AudioSpec
    encoder: GraphSpec  # input_features -> tapped states, once per window
    adapter: GraphSpec  # tapped states (+ label index) -> soft tokens, once per question
    adapter_info: AdapterSpec
    llm: LLMSpec
    prompt: PromptSpec
    files: dict  # file name -> FileEntry
    presence: PresenceSpec | None = None  # absent: yes/no is decided by the adapter's recipe (older bundles)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object to write, sealed with `manifest_sha256` over its canonical form."""
        data = asdict(self)
        return {**data, SEAL_KEY: _canonical_sha256(data)}

    @classmethod
    def from_dict(cls, data: Any) -> Manifest:
        if not isinstance(data, dict):
            raise BundleError("manifest.json is not a JSON object; re-export the bundle")
        _check_depth(data)
        data = dict(data)
        seal = data.pop(SEAL_KEY, None)
        try:
            sealed = seal == _canonical_sha256(data)
        except (TypeError, ValueError) as err:  # e.g. a lone surrogate "\\ud800": no UTF-8 form, export never wrote it
            raise BundleError(f"manifest.json holds a value that has no canonical JSON form ({err}); re-export the bundle") from err
        if not sealed:
            raise BundleError("manifest.json does not match its manifest_sha256: it was edited or corrupted; re-export the bundle")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise BundleError(
                f"manifest schema_version is {version!r}, this edge reads {SCHEMA_VERSION}; "
                "re-export the bundle with the same listen-edge version"
            )
        m = _build(cls, data, "")
        _check_values(m)
        return m


def _canonical_sha256(data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_NESTED = {
    "audio": AudioSpec,
    "encoder": GraphSpec,
    "adapter": GraphSpec,
    "adapter_info": AdapterSpec,
    "llm": LLMSpec,
    "prompt": PromptSpec,
    "presence": PresenceSpec,
}
_TYPES = {"int": int, "float": (int, float), "str": str, "dict": dict, "list": list}


def _build(cls: type, data: Any, where: str):
    if not isinstance(data, dict):
        raise BundleError(f"manifest field {where or 'root'} must be an object; re-export the bundle")
    kwargs = {}
    for f in fields(cls):
        key = f"{where}.{f.name}" if where else f.name
        if f.name not in data:
            if f.default is not MISSING or f.default_factory is not MISSING:
                continue
            raise BundleError(f"manifest is missing {key}; re-export the bundle")
        value = data[f.name]
        if value is None and f.default is None:
            pass  # an optional part that is absent
        elif f.name in _NESTED and cls is Manifest:
            value = _build(_NESTED[f.name], value, key)
        elif f.name == "graph" and cls is PresenceSpec:
            value = _build(GraphSpec, value, key)
        elif f.name in ("inputs", "outputs"):
            if not isinstance(value, list):
                raise BundleError(f"manifest field {key} must be a list")
            value = [_build(TensorSpec, v, f"{key}[{i}]") for i, v in enumerate(value)]
        elif f.name == "files" and cls is Manifest:
            if not isinstance(value, dict):
                raise BundleError(f"manifest field {key} must be an object")
            value = {name: _build(FileEntry, v, f"{key}.{_show(name)}") for name, v in value.items()}
        else:
            expected = _TYPES.get(str(f.type))
            if expected is not None and (not isinstance(value, expected) or isinstance(value, bool)):
                raise BundleError(f"manifest field {key} has {type(value).__name__} {_show(value)}, expected {f.type}")
        kwargs[f.name] = value
    return cls(**kwargs)


def _check_depth(data: Any) -> None:
    """Refuse containers nested deeper than MAX_DEPTH, without recursing."""
    try:
        for _ in iter_json_strings(data, MAX_DEPTH):
            pass
    except JSONTooDeep as err:
        raise BundleError(f"manifest.json nests deeper than {MAX_DEPTH} levels; it is not a bundle manifest, re-export the bundle") from err


def _finite(x: int | float) -> bool:
    return isinstance(x, int) or math.isfinite(x)  # math.isfinite(10**400) raises OverflowError


def _fail(key: str, value: Any, want: str) -> None:
    raise BundleError(f"manifest field {key} is {_show(value)}, expected {want}; re-export the bundle")


def _check_values(m: Manifest) -> None:
    """What `_build`'s type check cannot see: file names, ranges, and the contents of lists and dicts."""
    a = m.audio
    for key in ("sample_rate", "n_fft", "hop_length", "n_mels", "n_frames"):
        if getattr(a, key) <= 0:
            _fail(f"audio.{key}", getattr(a, key), "a positive int")
    # Upper bounds before anything is sized by them (10**400 mel bands once reached numpy).
    if not MIN_FILE_RATE <= a.sample_rate <= MAX_FILE_RATE:
        _fail("audio.sample_rate", a.sample_rate, f"Hz in {MIN_FILE_RATE}..{MAX_FILE_RATE}")
    if a.n_fft > a.sample_rate:
        _fail("audio.n_fft", a.n_fft, f"at most one second of samples ({a.sample_rate})")
    if a.hop_length > a.n_fft:
        _fail("audio.hop_length", a.hop_length, f"at most n_fft ({a.n_fft})")
    if a.n_mels > min(MAX_N_MELS, a.n_fft // 2 + 1):
        _fail("audio.n_mels", a.n_mels, f"at most {min(MAX_N_MELS, a.n_fft // 2 + 1)} (the FFT's bins, and {MAX_N_MELS})")
    if a.n_frames > CHUNK_SECONDS * a.sample_rate // a.hop_length:
        _fail("audio.n_frames", a.n_frames, f"at most {CHUNK_SECONDS * a.sample_rate // a.hop_length} (Whisper's 30 s)")
    features = m.encoder.inputs[0].shape if m.encoder.inputs else []  # (batch, n_mels, n_frames)
    for axis, key in ((1, "n_mels"), (2, "n_frames")):
        if len(features) == 3 and isinstance(features[axis], int) and features[axis] != getattr(a, key):
            _fail(f"audio.{key}", getattr(a, key), f"{features[axis]}, axis {axis} of the encoder's input "
                  f"{m.encoder.inputs[0].name} {features}")
    if not (_finite(m.audio.window_seconds) and 0 < m.audio.window_seconds <= CHUNK_SECONDS):
        _fail("audio.window_seconds", m.audio.window_seconds, f"seconds in (0, {CHUNK_SECONDS}], Whisper's longest window")
    graphs = [("encoder", m.encoder), ("adapter", m.adapter)]
    if m.presence is not None:
        graphs.append(("presence.graph", m.presence.graph))
        _check_presence(m.presence)
    for where, graph in graphs:
        for variant, name in graph.variants.items():
            check_file_name(name, f"manifest field {where}.variants.{variant}")
        if graph.default_variant not in graph.variants:
            _fail(f"{where}.default_variant", graph.default_variant, f"one of {sorted(graph.variants)}")
        if graph.opset <= 0:
            _fail(f"{where}.opset", graph.opset, "a positive int")
        for io in ("inputs", "outputs"):
            for i, tensor in enumerate(getattr(graph, io)):
                for dim in tensor.shape:
                    if not (isinstance(dim, str) or (type(dim) is int and dim >= 0)):
                        _fail(f"{where}.{io}[{i}].shape", dim, "axis sizes as ints >= 0 or names")
    if m.adapter_info.recipe not in RECIPES:
        _fail("adapter_info.recipe", m.adapter_info.recipe, f"one of {RECIPES}")
    if not (_finite(m.adapter_info.yes_threshold) and 0 <= m.adapter_info.yes_threshold <= 1):
        _fail("adapter_info.yes_threshold", m.adapter_info.yes_threshold, "a probability in [0, 1]")
    _check_label_entries(m.adapter_info.labels, "adapter_info.labels")
    check_file_name(m.llm.file, "manifest field llm.file")
    for key in ("n_embd", "vocab_size"):
        if getattr(m.llm, key) <= 0:
            _fail(f"llm.{key}", getattr(m.llm, key), "a positive int")
    if m.prompt.n_audio_tokens <= 0:
        _fail("prompt.n_audio_tokens", m.prompt.n_audio_tokens, "a positive int")
    for name, entry in m.files.items():
        check_file_name(name, "manifest field files has a key that")
        if entry.size < 0:
            _fail(f"files.{name}.size", entry.size, "a size in bytes >= 0")
        if not _SHA256_RE.fullmatch(entry.sha256):
            _fail(f"files.{name}.sha256", entry.sha256, "64 lower-case hex digits")


def _check_presence(p: PresenceSpec) -> None:
    from core.presence import PresenceRule

    check_file_name(p.vocabulary_file, "manifest field presence.vocabulary_file")
    try:
        p.template.check()
    except ValueError as err:
        _fail("presence.pooling", p.pooling, str(err))
    from core.presence import NoveltyGate

    for key in ("scale", "bias", *NoveltyGate.KEYS):
        if (key in ("scale", "bias") or key in p.calibration) and (
                not isinstance(p.calibration.get(key), (int, float)) or not _finite(p.calibration[key])):
            _fail(f"presence.calibration.{key}", p.calibration.get(key), "a finite number")
    if p.calibration.get("novelty_width", 0) < 0:
        _fail("presence.calibration.novelty_width", p.calibration["novelty_width"], "a width >= 0 (0: no gate)")
    try:
        PresenceRule(**p.rule).check()
    except (TypeError, ValueError) as err:
        _fail("presence.rule", p.rule, f"PresenceRule fields ({err})")
    _check_label_entries(p.labels, "presence.labels")
    if not all(isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in p.vocabulary):
        _fail("presence.vocabulary", p.vocabulary, "[[phrase, label], ...]")
    if not (_finite(p.segment_seconds) and p.segment_seconds > 0):
        _fail("presence.segment_seconds", p.segment_seconds, "seconds > 0")


def _check_label_entries(entries: list, key: str) -> None:
    """The shape core.labels.LabelMatcher.from_entries and core.mentions.MentionFinder read."""
    for i, entry in enumerate(entries):
        ok = isinstance(entry, dict) and isinstance(entry.get("label"), str) and isinstance(entry.get("name"), str)
        synonyms = entry.get("synonyms", []) if ok else None
        if not (ok and isinstance(synonyms, list) and all(isinstance(s, str) for s in synonyms)):
            _fail(f"{key}[{i}]", entry, "{label: str, name: str, synonyms: [str]}")
