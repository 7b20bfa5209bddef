"""A trained presence model on disk: `presence.safetensors` + `presence.json`.

`presence.json` holds what export and the edge need besides the weights: the model's config
and widths, the text tower's prefix and pooling, the Platt calibration, the decision rule
(threshold, uncertain band, novelty floor), the vocabulary of trained phrases (phrase,
label) and the validation numbers the rule was chosen with. It sits in the adapter
checkpoint folder, beside the adapter, so that one folder exports to one bundle.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from core.presence import PresenceRule, TextTemplate
from training.errors import PresenceDataError
from training.presence.calibration import Platt
from training.presence.model import PresenceConfig, PresenceModel

WEIGHTS_FILE = "presence.safetensors"
META_FILE = "presence.json"
FORMAT_VERSION = 1


@dataclass
class PresenceMeta:
    config: PresenceConfig
    n_taps: int
    enc_width: int
    text_width: int
    text_prefix: str
    pooling: str
    calibration: Platt
    rule: PresenceRule
    vocabulary: list  # [[phrase, label], ...]: the trained phrases, the descriptions' vocabulary
    labels: list  # the corpus's labels.json entries: every label a description may name
    llm: str  # the LLM spec whose states the text tower was trained on
    metrics: dict  # validation numbers (and how the rule was chosen)
    text_suffix: str = ""  # read after the phrase (a PromptEOL template's; core.presence.TextTemplate)

    @property
    def template(self) -> TextTemplate:
        return TextTemplate(self.text_prefix, self.text_suffix, self.pooling).check()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["format_version"] = FORMAT_VERSION
        return d


def save_presence(folder: Path, model: PresenceModel, meta: PresenceMeta) -> None:
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(folder / WEIGHTS_FILE))
    (folder / META_FILE).write_text(json.dumps(meta.to_dict(), indent=1) + "\n")


def has_presence(folder: Path) -> bool:
    return (Path(folder) / META_FILE).is_file() and (Path(folder) / WEIGHTS_FILE).is_file()


def load_presence(folder: Path) -> tuple[PresenceModel, PresenceMeta]:
    from safetensors.torch import load_file

    folder = Path(folder)
    try:
        d = json.loads((folder / META_FILE).read_text())
        if d.get("format_version") != FORMAT_VERSION:
            raise PresenceDataError(f"{folder / META_FILE} has format_version {d.get('format_version')!r}, "
                                    f"this version reads {FORMAT_VERSION}; retrain with `listen presence train`")
        meta = PresenceMeta(
            PresenceConfig(**d["config"]), d["n_taps"], d["enc_width"], d["text_width"], d["text_prefix"], d["pooling"],
            Platt(**d["calibration"]), PresenceRule(**d["rule"]).check(), [list(v) for v in d["vocabulary"]], d["labels"], d["llm"],
            d["metrics"], d.get("text_suffix", ""),
        )
        model = PresenceModel(meta.config, meta.n_taps, meta.enc_width, meta.text_width)
        model.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as err:
        raise PresenceDataError(f"cannot load the presence model in {folder}: {err}") from err
    return model.eval(), meta
