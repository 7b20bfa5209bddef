"""`listen presence train` on the tiny backbones: what the checkpoint holds, and its CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from core.presence import PresenceRule
from training.errors import PresenceDataError
from training.presence.checkpoint import META_FILE, load_presence


def test_the_checkpoint_holds_the_model_its_calibration_and_rule(tiny_presence_checkpoint):
    model, meta = load_presence(tiny_presence_checkpoint)
    assert isinstance(meta.rule, PresenceRule) and meta.rule.unsure_low < meta.rule.unsure_high
    assert -1.0 <= meta.rule.min_similarity <= 1.0
    trained = set(meta.metrics["trained_labels"])
    assert trained and {lab for _, lab in meta.vocabulary} == trained
    assert {e["label"] for e in meta.labels} >= trained
    v = meta.metrics["validation"]
    assert v["n"] > 0 and 0 <= v["accuracy"] <= 1 and 0 <= v["ece"] <= 1
    x, phrases = torch.randn(2, model.n_taps, 2, model.enc_width), torch.randn(3, model.text_width)
    with torch.no_grad():
        a, _ = model(x, phrases)
        b, _ = load_presence(tiny_presence_checkpoint)[0](x, phrases)
    assert a.shape == (2, 3)
    torch.testing.assert_close(a, b)  # same weights, same computation: loading is lossless


def test_a_checkpoint_of_another_format_is_refused(tiny_presence_checkpoint, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_presence_checkpoint, bad)
    meta = json.loads((bad / META_FILE).read_text())
    meta["format_version"] = 99
    (bad / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(PresenceDataError, match="format_version"):
        load_presence(bad)


def test_phrase_states_are_the_mean_over_the_phrase_tokens_only(tiny_llama_dir):
    from training.backbones.load import load_llm
    from training.presence.text_tower import phrase_states, phrase_token_ids

    llm, tok = load_llm(str(tiny_llama_dir))
    batch = phrase_states(llm, tok, ["a dog", "a very loud smoke alarm"])  # padded together
    alone = phrase_states(llm, tok, ["a very loud smoke alarm"])
    np.testing.assert_allclose(batch[1], alone[0], rtol=1e-4, atol=1e-5)  # right padding changes nothing
    pre, body, post = phrase_token_ids(tok, "a dog")
    assert post == []
    with torch.no_grad():
        h = llm.model(input_ids=torch.tensor([pre + body])).last_hidden_state[0]
    np.testing.assert_allclose(batch[0], h[len(pre):].mean(0).numpy(), rtol=1e-4, atol=1e-5)


def test_a_prompteol_template_takes_the_last_token_state(tiny_llama_dir):
    from core.presence import TEXT_TEMPLATES
    from training.backbones.load import load_llm
    from training.presence.text_tower import phrase_states, phrase_token_ids

    eol = TEXT_TEMPLATES["eol"]
    llm, tok = load_llm(str(tiny_llama_dir))
    batch = phrase_states(llm, tok, ["a dog", "a very loud smoke alarm"], eol)
    pre, body, post = phrase_token_ids(tok, "a dog", eol)
    assert post  # the suffix is tokenized apart, as the edge does
    with torch.no_grad():
        h = llm.model(input_ids=torch.tensor([pre + body + post])).last_hidden_state[0]
    np.testing.assert_allclose(batch[0], h[-1].numpy(), rtol=1e-4, atol=1e-5)


def test_cli_without_a_corpus_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "core.cli", "presence", "train"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--corpus" in proc.stderr and "Traceback" not in proc.stderr
    help_text = subprocess.run([sys.executable, "-m", "core.cli", "presence", "train", "--help"],
                               capture_output=True, text=True, timeout=120).stdout
    assert "--model.dim" in help_text and "can't tell" in help_text


def test_the_description_floor_keeps_absent_sounds_out_of_validation_descriptions(tiny_presence_checkpoint):
    _, meta = load_presence(tiny_presence_checkpoint)
    d = meta.metrics["descriptions"]
    assert d["floor"] == meta.rule.describe_min
    assert d["naming_absent"] <= d["max_absent"] or d["floor"] == 0.99  # the strictest floor when none meets it
    assert meta.rule.describes(1.0) and not meta.rule.describes(meta.rule.describe_min - 0.01)


def test_held_out_labels_measure_the_open_path_and_fit_the_novelty_gate(tiny_presence_checkpoint):
    _, meta = load_presence(tiny_presence_checkpoint)  # trained with the default holdout_labels
    zero = meta.metrics["zero_shot"]
    assert zero["labels"] and set(zero["labels"]) <= set(meta.metrics["trained_labels"])  # the final model has them all
    assert zero["metrics"]["n"] > 0 and zero["gated"]["n"] == zero["metrics"]["n"]
    assert sum(b["n"] for b in zero["accuracy_by_nearest_trained_cosine"].values()) == zero["metrics"]["n"]
    gate = meta.calibration.gate
    assert meta.metrics["novelty"]["gate"] == gate.to_calibration() and gate.width > 0
    # the gate is in the calibration the bundle carries
    assert json.loads((tiny_presence_checkpoint / META_FILE).read_text())["calibration"]["novelty_width"] == gate.width
