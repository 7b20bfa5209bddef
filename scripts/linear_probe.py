"""Is the frozen encoder or the trained head the limit on raw recordings? A linear probe says.

    python scripts/linear_probe.py --corpus runs/real/corpus-12000 --checkpoint models/default-adapter \
        --cache_dir runs/presence/features

On the real_raw clips (one held-out recording each) it compares, top-1 over the labels real_raw
holds (chance: 1 / that many):
- probe within real_raw: softmax regression on the frozen Whisper features (per tap, the mean
  and the max over the presence model's segments), 5-fold cross-validation over real_raw itself.
  What the features can separate when the recordings themselves are seen: an upper bound;
- probe from train: the same regression trained on the train split's one-label clips, tested on
  real_raw: what a linear head learns from the training recordings;
- the presence model: the label whose name it scores highest (its trained labels only).

Each is reported twice: plain top-1, and top-1 among the labels unrelated to the clip's (its
ancestors and descendants left out, as the benchmarks never ask about them as absent): the
presence model is trained with hierarchy targets, so a trumpet clip rightly scores high for
"music", which plain top-1 counts as a miss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch


def clip_vectors(segments: np.ndarray) -> np.ndarray:
    """(N, taps, S, d) -> (N, taps * 2d): per tap, the mean and the max over the segments."""
    x = segments.astype(np.float32)
    return np.concatenate([x.mean(2), x.max(2)], axis=2).reshape(len(x), -1)


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, weight_decay: float = 1e-3, steps: int = 300) -> torch.nn.Linear:
    torch.manual_seed(0)
    head = torch.nn.Linear(x.shape[1], n_classes)
    opt = torch.optim.LBFGS(head.parameters(), max_iter=steps, line_search_fn="strong_wolfe")
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(xt), yt) + weight_decay * head.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return head


def top1(scores: np.ndarray, y: np.ndarray, related: np.ndarray | None = None) -> float:
    """Share of rows whose own column scores highest; `related[y]` masks columns left out for class y."""
    if related is not None:
        scores = np.where(related[y], -np.inf, scores)
    return float((scores.argmax(1) == y).mean())


def head_scores(head: torch.nn.Linear, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return head(torch.from_numpy(x)).numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--checkpoint", type=Path, required=True, help="folder with presence.json")
    ap.add_argument("--cache_dir", type=Path, required=True, help="the presence training's feature cache")
    ap.add_argument("--split", default="real_raw")
    args = ap.parse_args()

    from core.hierarchy import Hierarchy
    from training.model.adapter_config import EncoderConfig
    from training.model.encoder import load_tapped_encoder
    from training.presence.checkpoint import load_presence
    from training.presence.features import split_features
    from training.presence.train import clip_logits, phrase_state_table

    model, meta = load_presence(args.checkpoint)
    frames = meta.config.segment_frames
    encoder = load_tapped_encoder(EncoderConfig())
    index = args.corpus / "clips.jsonl"
    test = split_features(index, args.split, encoder, args.cache_dir, segment_frames=frames)
    train = split_features(index, "train", encoder, args.cache_dir, segment_frames=frames)
    del encoder
    labels = sorted({labs[0] for labs in test.labels if len(labs) == 1})
    col = {lab: i for i, lab in enumerate(labels)}
    keep_test = [i for i, labs in enumerate(test.labels) if len(labs) == 1]
    x_test, y_test = clip_vectors(test.segments[keep_test]), np.array([col[test.labels[i][0]] for i in keep_test])
    keep_train = [i for i, labs in enumerate(train.labels) if len(labs) == 1 and labs[0] in col]
    x_train = clip_vectors(train.segments[keep_train])
    y_train = np.array([col[train.labels[i][0]] for i in keep_train])
    mu, sd = x_train.mean(0), x_train.std(0) + 1e-6
    x_test_n, x_train_n = (x_test - mu) / sd, (x_train - mu) / sd

    hierarchy = Hierarchy.from_entries(meta.labels)
    # related[i, j]: label j is an ancestor or descendant of label i (never i itself)
    related = np.array([[a != b and hierarchy.related(b, [a]) for b in labels] for a in labels])

    folds = np.random.default_rng(0).permutation(len(y_test)) % 5
    within: dict[str, list[float]] = {"plain": [], "unrelated": []}
    for k in range(5):
        s = head_scores(fit_softmax(x_test_n[folds != k], y_test[folds != k], len(labels)), x_test_n[folds == k])
        within["plain"].append(top1(s, y_test[folds == k]))
        within["unrelated"].append(top1(s, y_test[folds == k], related))
    s = head_scores(fit_softmax(x_train_n, y_train, len(labels)), x_test_n)
    from_train = top1(s, y_test), top1(s, y_test, related)

    names = {e["label"]: e["name"] for e in meta.labels}
    trained = sorted({lab for _, lab in meta.vocabulary} & set(labels))
    table = phrase_state_table([names[lab] for lab in trained], meta.llm, args.cache_dir)
    with torch.no_grad():
        text = model.embed_text(torch.from_numpy(np.stack([table[names[lab]] for lab in trained])))
        z = clip_logits(model, test.segments[keep_test], text)
    s = np.full((len(y_test), len(labels)), -np.inf)  # untrained labels can never be picked
    s[:, [col[lab] for lab in trained]] = z
    by_model = top1(s, y_test), top1(s, y_test, related)
    covered = float(np.mean([labels[c] in set(trained) for c in y_test]))

    print(f"{args.split}: {len(y_test)} clips, {len(labels)} labels (chance {1 / len(labels):.3f}); "
          f"train one-label clips of those labels: {len(y_train)}")
    print(f"| top-1 on {args.split} | plain | among unrelated labels |\n|---|---:|---:|")
    print(f"| linear probe, 5-fold within {args.split} (the features' upper bound) | {np.mean(within['plain']):.3f} "
          f"| {np.mean(within['unrelated']):.3f} |")
    print(f"| linear probe trained on the train split | {from_train[0]:.3f} | {from_train[1]:.3f} |")
    print(f"| the presence model (its {len(trained)} trained labels of these; {covered:.0%} of the clips' labels are trained) "
          f"| {by_model[0]:.3f} | {by_model[1]:.3f} |")


if __name__ == "__main__":
    main()
