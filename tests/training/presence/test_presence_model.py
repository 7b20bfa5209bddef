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
