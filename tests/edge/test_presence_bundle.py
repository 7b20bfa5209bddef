"""The open-vocabulary presence path end to end, on a tiny bundle: training wrote the model,
export the graph and the vocabulary states, and the edge answers yes / no / can't tell with
sentences that agree with `heard`, and grounded descriptions."""

import json

import numpy as np
import pytest

from core import audio as af
from core.bundle import open_bundle
from core.mentions import MentionFinder
from core.questions import asked_phrase
from core.replies import Detection, describe, reply_agrees
from edge.assistant import Assistant
from edge.presence.describe import is_grounded

QUESTIONS = [
    "Is there a sound of a smoke alarm in the audio?",  # a trained label's wording
    "Is there a cow?",  # any wording, any phrase
    "Could a ship horn be heard in this clip?",
    "Is there a sound of a theremin in the audio?",
    "Is it?",  # names nothing: can't tell
]


@pytest.fixture(scope="module")
def assistant(tiny_presence_bundle):
    with Assistant.from_bundle(tiny_presence_bundle, n_threads=1) as a:
        yield a


def clip(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * af.SAMPLE_RATE)) / af.SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * 880 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


def test_the_manifest_describes_the_presence_model(tiny_presence_bundle):
    m = open_bundle(tiny_presence_bundle).manifest
    p = m.presence
    assert p is not None and p.graph.variants == {"fp32": "presence.onnx"}
    assert [t.name for t in p.graph.inputs] == ["states", "phrases"]
    states = np.load(tiny_presence_bundle / p.vocabulary_file)
    assert states.shape == (len(p.vocabulary), m.llm.n_embd)
    # f32 GGUF of the same weights: only summation order and the f16 KV cache differ (~1e-3 relative)
    assert p.parity["cosine_min"] > 0.999
    assert p.graph.parity["fp32"]["cosine_min"] > 0.9999
    assert {lab for _, lab in p.vocabulary} <= {e["label"] for e in p.labels}


@pytest.mark.parametrize("question", QUESTIONS)
def test_yes_no_answers_name_the_sound_and_agree_with_heard(assistant, question):
    a = assistant.ask(clip(2.0), question)
    assert reply_agrees(a.heard, a.text), (a.heard, a.text)
    assert "prefill" not in a.timings_ms or a.timings_ms["prefill"] == 0  # the LLM is not run for yes/no
    w = a.windows[0]
    if question == "Is it?":
        assert a.heard is None and w.probability is None
        return
    assert w.probability is not None and 0.0 <= w.probability <= 1.0
    assert a.heard == assistant.listener.rule.decide(w.probability, w.similarity)
    assert (a.confidence is None) == (a.heard is None)
    if a.heard is not None:
        assert a.confidence == pytest.approx(w.probability if a.heard else 1 - w.probability)
    assert asked_phrase(question) in a.text


def test_a_phrase_far_from_every_trained_phrase_gets_cant_tell(assistant, monkeypatch):
    rule = assistant.listener.rule
    monkeypatch.setattr(assistant.listener, "rule", type(rule)(rule.threshold, rule.unsure_low, rule.unsure_high, 1.0))
    a = assistant.ask(clip(2.0), "Is there a cow?")
    assert a.heard is None and a.text.startswith("I can't tell") and "a cow" in a.text


def test_a_score_not_trusted_is_pulled_to_the_prior(assistant, monkeypatch):
    from core.presence import NoveltyGate

    monkeypatch.setattr(assistant.listener, "gate", NoveltyGate(center=1.0, width=0.001, prior_logit=0.0))
    a = assistant.ask(clip(2.0), "Is there a cow?")  # a cow is no trained phrase: trust ~ 0
    assert a.windows[0].probability == pytest.approx(0.5, abs=1e-3)
    assert a.heard is None and a.text.startswith("I can't tell")


def test_scores_match_the_torch_model_on_the_same_inputs(assistant, tiny_presence_checkpoint):
    import torch

    from training.presence.checkpoint import load_presence
    from training.presence.features import segment_means

    model, meta = load_presence(tiny_presence_checkpoint)
    spans, states, _ = assistant.encode(clip(4.0, seed=1))
    phrases = ["a smoke alarm", "a cow"]
    got = assistant.listener.score(states, phrases)
    with torch.no_grad():
        z, _ = model(segment_means(torch.from_numpy(states), meta.config.segment_frames),
                     torch.from_numpy(assistant.listener.tower.states(phrases)))
    want = meta.calibration.probability(z.numpy(), np.array([g.similarity for g in got])[None, :])  # (W, P), gated
    # ONNX Runtime vs torch, fp32, same inputs: summation order only (measured ~1e-7)
    np.testing.assert_allclose(np.stack([g.probability for g in got], 1), want, atol=1e-4)


def test_the_text_tower_matches_transformers(assistant, tiny_presence_checkpoint):
    from training.backbones.load import load_llm
    from training.presence.text_tower import phrase_states

    from training.presence.checkpoint import load_presence

    _, meta = load_presence(tiny_presence_checkpoint)
    llm, tok = load_llm(meta.llm)
    phrases = ["a dog barking", "rain on a tin roof", "a cow"]
    ref = phrase_states(llm, tok, phrases, meta.template)
    got = assistant.listener.tower.states(phrases)
    cos = (ref * got).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(got, axis=1)
    assert cos.min() > 0.999  # f32 weights both sides; the f16 KV cache rounds at ~1e-3


def test_descriptions_are_grounded_in_the_detections(assistant):
    m = assistant.manifest
    finder = MentionFinder(m.presence.labels)
    a = assistant.ask(clip(4.0, seed=2), "What do you hear?")
    assert a.heard is None
    for w in a.windows:
        dets = [Detection(d["label"], d["name"], tuple(tuple(s) for s in d["spans"]), d["probability"])
                for d in w.detections]
        assert w.worded_by in ("llm", "template")
        if w.worded_by == "template":
            assert w.answer == describe(dets)
        else:
            assert is_grounded(w.answer, dets, finder)
        for d in dets:
            assert all(w.start <= s <= e <= w.end for s, e in d.spans)


def test_descriptions_without_audio_tokens_skip_the_adapter_and_prefill_fewer_positions(assistant, monkeypatch):
    from core.presence import PresenceRule

    spans, states, t = assistant.encode(clip(2.0, seed=3))
    prompts: list[int] = []
    generate = assistant.llm.generate
    monkeypatch.setattr(assistant.llm, "generate", lambda parts, *a, **k: prompts.append(len(parts)) or generate(parts, *a, **k))
    # the tiny model is unsure of everything: name whatever it scores, so that the LLM words it
    monkeypatch.setattr(assistant.listener, "rule", PresenceRule(threshold=1e-6, unsure_low=1e-6, unsure_high=1e-6, describe_min=1e-6))
    with_audio = assistant.ask_encoded(spans, states, "What do you hear?", t)
    monkeypatch.setattr(assistant, "soft_tokens", lambda *a: pytest.fail("the adapter ran for a text-only description"))
    monkeypatch.setattr(assistant, "describe_with_audio_tokens", False)
    text_only = assistant.ask_encoded(spans, states, "What do you hear?", t)
    assert prompts == [5, 4]  # before, [soft tokens], after_audio, question, after_question
    assert with_audio.windows[0].detections == text_only.windows[0].detections  # the presence model decides what is named
    yes_no = assistant.ask_encoded(spans, states, QUESTIONS[0], t)  # yes/no never needs the adapter either
    assert yes_no.heard in (True, False, None)


def test_a_description_with_nothing_detected_is_the_template_without_the_llm(assistant, monkeypatch):
    """The LLM, told that nothing was detected, wrote "No sounds detected." over loud sounds the
    model merely could not name; the template says what is true and costs no prefill."""
    from core.presence import PresenceRule
    from core.replies import NOTHING_HEARD

    monkeypatch.setattr(assistant.listener, "rule", PresenceRule(describe_min=1.0))  # nothing is ever named
    monkeypatch.setattr(assistant.llm, "generate", lambda *a, **k: pytest.fail("the LLM ran with nothing to word"))
    a = assistant.ask(clip(2.0), "What do you hear?")
    assert a.text == NOTHING_HEARD and a.windows[0].worded_by == "template" and a.windows[0].detections == []


def test_json_answer_carries_the_probability(assistant):
    a = assistant.ask(clip(2.0), QUESTIONS[0])
    out = json.loads(json.dumps(a.to_json()))
    assert out["probability"] == pytest.approx(a.windows[0].probability)
    assert out["windows"][0]["similarity"] is not None


def test_verify_runs_the_presence_graph_and_checks_the_source(tiny_presence_bundle, tiny_presence_checkpoint, tiny_checkpoint):
    from core.errors import BundleError
    from export.verify import verify_bundle

    lines = verify_bundle(tiny_presence_bundle, tiny_presence_checkpoint)
    assert any(line.startswith("presence:") for line in lines)
    with pytest.raises(BundleError, match="presence.json, presence.safetensors differ"):
        verify_bundle(tiny_presence_bundle, tiny_checkpoint)  # same adapter, no presence model


def test_a_vocabulary_phrase_names_its_label(assistant):
    """What a fired watch reports as its sound's label (MQTT): exact phrases only, any case."""
    listener = assistant.listener
    phrase, label = listener.spec.vocabulary[0]
    assert listener.label_of(phrase) == label and listener.label_of(f"  {phrase.upper()} ") == label
    assert listener.label_of("a sound no one trained") is None


def test_an_untrained_sound_is_answered_through_its_trained_parent(assistant):
    """"a trumpet" is in the label library but not trained here; "music", its ancestor, is: no
    music means no trumpet, music heard means "I can't tell if I hear a trumpet; I hear music."."""
    listener = assistant.listener
    assert not listener.is_trained("trumpet") and listener.trained_ancestor("trumpet") == "music"
    audio = clip(2.0)
    a = assistant.ask(audio, "Is there a trumpet?")
    _, states, _ = assistant.encode(audio)
    p_music = float(listener.score(states, [listener.label_name("music")])[0].probability[0])
    parent = listener.rule.decide(p_music)
    assert reply_agrees(a.heard, a.text)
    if parent is False:
        assert a.heard is False and a.text == "No, I don't hear a trumpet."
        assert a.confidence == pytest.approx(1 - p_music)
    elif parent:
        assert a.heard is None and a.text == f"I can't tell if I hear a trumpet; I hear {listener.label_name('music')}."


@pytest.mark.parametrize("p_parent,own,want", [
    (0.05, True, False),  # no parent: no child, whatever the child's own score says
    (0.95, False, None),  # the parent heard, the child not confirmed: can't tell, naming the parent
    (0.95, True, None),  # the parent heard: the child's own yes is not trusted to tell it from its siblings
    (0.5, False, False),  # the parent unsure: the child's own answer stands
])
def test_the_parent_decides_what_it_can(assistant, p_parent, own, want):
    heard, conf, text = assistant._through_parent(own, 0.9, p_parent, "a trumpet", "a brass instrument")
    assert heard is want and reply_agrees(heard, text)
    if want is None:
        assert text == "I can't tell if I hear a trumpet; I hear a brass instrument."


def test_a_description_never_dates_a_sound_inside_the_padding(assistant, monkeypatch):
    from core.presence import PresenceRule

    listener = assistant.listener
    monkeypatch.setattr(listener, "rule", PresenceRule(0.0, 0.0, 0.0, -1.0, 0.0))  # every segment "hot"
    _, states, _ = assistant.encode(clip(0.6, seed=2))  # a 2 s window: its second segment is padding
    (found,) = listener.detect(states, [(0.0, 0.6)])
    assert found
    for d in found:
        assert d.spans == ((0.0, 0.6),), d.spans
    named = {d.label for d in found}
    assert not any(d.label in listener.hierarchy.ancestors(o) for d in found for o in named)
