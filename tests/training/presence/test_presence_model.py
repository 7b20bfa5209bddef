"""The presence model on synthetic features: it learns, and its open path generalises to
phrases it never saw (training.presence.model)."""

import pytest
import torch

from training.presence.features import segment_means
from training.presence.model import PresenceConfig, PresenceGraph, PresenceModel

N_TAPS, D, TEXT, S, LABELS = 2, 16, 24, 4, 6


def synthetic(seed: int, n: int, audio_dirs: torch.Tensor):
    """Clips of S segments: label k present adds its direction to one random segment."""
    g = torch.Generator().manual_seed(seed)
    present = torch.rand(n, LABELS, generator=g) < 0.3
    x = 0.3 * torch.randn(n, N_TAPS, S, D, generator=g)
    for i, k in zip(*torch.nonzero(present, as_tuple=True)):
        x[i, :, torch.randint(S, (1,), generator=g).item()] += audio_dirs[k]
    return x, present.float()


def paraphrase(text_dirs: torch.Tensor, seed: int, noise: float = 0.3) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return text_dirs + noise * torch.randn(text_dirs.shape, generator=g)


def test_shapes_and_the_soft_max_over_segments():
    model = PresenceModel(PresenceConfig(dim=8, hidden=16, dropout=0.0, segment_frames=5), N_TAPS, D, TEXT).eval()
    clip, seg = model(torch.randn(3, N_TAPS, S, D), torch.randn(5, TEXT))
    assert clip.shape == (3, 5) and seg.shape == (3, 5, S)
    assert torch.allclose(clip, torch.logsumexp(seg, -1))
    assert (clip >= seg.max(-1).values).all()
    states = torch.randn(2, N_TAPS, S * 5 + 3, D)  # a tail shorter than a segment is dropped
    logits, seg2, emb = PresenceGraph(model)(states, torch.randn(4, TEXT))
    assert logits.shape == (2, 4) and seg2.shape == (2, 4, S) and emb.shape == (4, 8)
    assert torch.allclose(emb.norm(dim=-1), torch.ones(4), atol=1e-5)
    assert torch.allclose(segment_means(states, 5)[:, :, 0], states[:, :, :5].mean(2))


def test_it_learns_and_scores_phrases_it_never_saw():
    torch.manual_seed(0)
    audio_dirs = 2.0 * torch.randn(LABELS, D)
    text_dirs = torch.randn(LABELS, TEXT)
    model = PresenceModel(PresenceConfig(dim=16, hidden=32, dropout=0.0, context=1), N_TAPS, D, TEXT)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    x, y = synthetic(0, 256, audio_dirs)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for step in range(300):
        logits, _ = model(x, paraphrase(text_dirs, step))  # a fresh wording of each label every step
        loss = loss_fn(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    x_test, y_test = synthetic(1, 128, audio_dirs)
    with torch.no_grad():
        unseen_wording = paraphrase(text_dirs, 10_000)
        logits, _ = model(x_test, unseen_wording)
    acc = float(((logits > 0) == (y_test > 0)).float().mean())
    assert acc > 0.9, acc  # an untrained model sits at the 70 % of "always absent"
    with torch.no_grad():
        known = model.embed_text(text_dirs)
        far = model.embed_text(torch.randn(20, TEXT) * 3)
    # paraphrases land near their label, random phrases do not (the novelty floor relies on it)
    near = (model.embed_text(unseen_wording) @ known.T).max(1).values
    assert near.min() > (far @ known.T).max(1).values.median()


def test_context_must_be_odd():
    with pytest.raises(ValueError, match="odd"):
        PresenceModel(PresenceConfig(context=2), N_TAPS, D, TEXT)


def test_attention_pooling_weighs_segments_by_salience_and_phrase_match():
    torch.manual_seed(0)
    model = PresenceModel(PresenceConfig(dim=8, hidden=16, dropout=0.0, pooling="attention"), N_TAPS, D, TEXT).eval()
    segments, phrases = torch.randn(3, N_TAPS, S, D), torch.randn(5, TEXT)
    clip, seg = model(segments, phrases)
    assert clip.shape == (3, 5) and seg.shape == (3, 5, S)
    scale, bias = model.log_scale.exp(), model.bias
    assert ((clip - bias) / scale).abs().max() <= 1.0 + 1e-5  # one cosine of the pooled embedding, not a soft max
    with torch.no_grad():  # a segment whose salience towers over the others is the clip
        model.salience.bias.fill_(0.0)
        model.salience.weight.zero_()
        x = model._taps(segments)
        audio = torch.nn.functional.normalize(model.audio(x).transpose(1, 2), dim=-1)
        loud = torch.full((3, S), -50.0)
        loud[:, 2] = 50.0
        pooled, _ = model.score(audio, model.embed_text(phrases), loud)
    torch.testing.assert_close(pooled, seg[:, :, 2], atol=1e-4, rtol=1e-4)


def test_attention_pooling_learns_a_short_event_among_silent_segments():
    """One 0.2 s segment of ten holds the sound (the rest: a shared background, as padding):
    the attention-pooled model separates present from absent."""
    torch.manual_seed(0)
    audio_dirs = 2.0 * torch.randn(LABELS, D)
    text_dirs = torch.randn(LABELS, TEXT)
    g = torch.Generator().manual_seed(3)
    n, s = 256, 10
    present = torch.rand(n, LABELS, generator=g) < 0.3
    x = 0.1 * torch.randn(n, N_TAPS, s, D, generator=g) + 1.0  # a background shared by every clip
    for i, k in zip(*torch.nonzero(present, as_tuple=True)):
        x[i, :, torch.randint(s, (1,), generator=g).item()] += audio_dirs[k]
    model = PresenceModel(PresenceConfig(dim=16, hidden=32, dropout=0.0, context=1, pooling="attention"), N_TAPS, D, TEXT)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(300):
        logits, _ = model(x, text_dirs)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, present.float())
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        logits, _ = model.eval()(x, text_dirs)
    assert float(((logits > 0) == present).float().mean()) > 0.9


@pytest.mark.parametrize("pooling,frames", [("attention", 5), ("lse", 2)])
def test_the_exported_graph_matches_torch_for_each_pooling_and_segment_length(tmp_path, pooling, frames):
    """presence.onnx through ONNX Runtime against the torch graph, fp32: summation order only."""
    from export import onnx_export as ox
    from export.presence import PRESENCE_INPUTS, PRESENCE_OUTPUTS

    torch.manual_seed(1)
    model = PresenceModel(PresenceConfig(dim=8, hidden=16, dropout=0.0, segment_frames=frames, pooling=pooling),
                          N_TAPS, D, TEXT).eval()
    graph = PresenceGraph(model).eval()
    states, phrases = torch.randn(2, N_TAPS, 20, D), torch.randn(3, TEXT)
    b, p = torch.export.Dim(ox.BATCH_AXIS), torch.export.Dim("n_phrases")
    path = tmp_path / "presence.onnx"
    ox._export(graph, (states, phrases), path, PRESENCE_INPUTS, PRESENCE_OUTPUTS, {"states": {0: b}, "phrases": {0: p}})
    more_states, more_phrases = torch.randn(4, N_TAPS, 20, D), torch.randn(6, TEXT)  # dynamic batch and phrases
    got = ox.run_onnx(path, {"states": more_states.numpy(), "phrases": more_phrases.numpy()})
    with torch.no_grad():
        want = graph(more_states, more_phrases)
    for g_, w in zip(got, want):
        assert g_.shape == tuple(w.shape)
        torch.testing.assert_close(torch.from_numpy(g_), w, atol=1e-4, rtol=1e-4)


def test_targets_hold_what_a_clip_implies_and_leave_finer_labels_unknown():
    from core.hierarchy import Hierarchy
    from training.presence.train import label_targets

    h = Hierarchy({"trumpet": ("brass_instrument",), "brass_instrument": ("music",), "snare_drum": ("drum",),
                   "drum": ("music",)})
    trained = ["music", "brass_instrument", "trumpet", "drum", "snare_drum", "dog_barking"]
    targets, weights = label_targets([("trumpet",), ("drum",), ("dog_barking",)], trained, h)
    assert targets[0].tolist() == [1, 1, 1, 0, 0, 0] and weights[0].tolist() == [1] * 6
    assert targets[1].tolist() == [1, 0, 0, 1, 0, 0]
    assert weights[1].tolist() == [1, 1, 1, 1, 0, 1]  # "a drum" may be a snare drum: neither yes nor no
    flat, _ = label_targets([("trumpet",)], trained, Hierarchy({}))
    assert flat[0].tolist() == [0, 0, 1, 0, 0, 0]  # without the hierarchy, the issue-17 targets
