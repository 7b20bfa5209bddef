"""Validation on the yes/no benchmark: does the model say "no" when the sound is absent?

For each sampling (random, popular, adversarial): accuracy, yes-ratio, precision / recall
/ F1 of the "no" class (the benchmark's metrics), the NLL of the expected first word, the
presence head's own accuracy on the same questions (its score for the label the question
names, threshold 0.5), and the share of first-token Yes-No margins under 0.5 logit (those
may flip under llama.cpp's quantized weights). An answer counts as yes when it contains
the word "yes". The rows are `benchmark_io` rows, drawn with `benchmark_io.subsample`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import nullcontext

import torch

from core.answers import paper_says_yes
from core.labels import NO_LABEL
from training.data.benchmark_io import BenchmarkRow
from training.eval.metrics import yes_no_metrics
from training.model.generate import NucleusSampling, generate
from training.model.sequences import generation_inputs, question_ids
from training.model.system import ListenSystem

SMALL_MARGIN = 0.5  # logits: llama.cpp's Q4 weights move logits by about 0.25 (DESIGN.md 4b)


def _first_word_ids(tokenizer) -> dict[str, int]:
    return {w: tokenizer(w.capitalize(), add_special_tokens=False).input_ids[0] for w in ("yes", "no")}


@torch.no_grad()
def evaluate_benchmark(
    system: ListenSystem,
    rows: Sequence[BenchmarkRow],
    states_of: Callable[[Sequence[str]], torch.Tensor],
    batch_size: int = 16,
    max_new_tokens: int = 6,
    autocast=nullcontext,
    sampling: NucleusSampling = NucleusSampling(),
) -> dict:
    """Metrics per sampling and `all` of yes/no rows (open rows have no expected answer)."""
    adapter, llm, tok = system.adapter, system.llm, system.tokenizer
    was_training = adapter.training
    adapter.eval()
    device = next(adapter.parameters()).device
    word_ids = _first_word_ids(tok)
    by_sampling: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        label_index = torch.tensor([system.matcher.match(r.prompt_text) for r in batch], device=device)
        with autocast():
            soft, presence = adapter(states_of([r.audio for r in batch]).to(device), label_index)
            qids = [question_ids(tok, system.prompt, r.prompt_text) for r in batch]
            inputs, mask = generation_inputs(system.embed, system.ids, soft, qids)
            tokens, first = generate(llm, inputs, mask, max_new_tokens, system.ids.eos_ids, sampling)
        texts = tok.batch_decode(tokens, skip_special_tokens=True)
        logp = torch.log_softmax(first, -1)
        head_p = torch.sigmoid(presence.float().gather(1, label_index.clamp(min=0)[:, None]))[:, 0]
        for i, r in enumerate(batch):
            for key in (r.sampling, "all"):
                m = by_sampling[key]
                m["expected"].append(r.label)
                m["predicted"].append("yes" if paper_says_yes(texts[i]) else "no")
                m["nll"].append(-float(logp[i, word_ids[r.label]]))
                m["margin"].append(float(first[i, word_ids["yes"]] - first[i, word_ids["no"]]))
                matched = int(label_index[i]) != NO_LABEL
                m["matched"].append(matched)
                m["head"].append("yes" if matched and float(head_p[i]) > 0.5 else "no")
    adapter.train(was_training)
    out = {}
    for key, m in sorted(by_sampling.items()):
        metrics = yes_no_metrics(m["expected"], m["predicted"])
        metrics["answer_nll"] = sum(m["nll"]) / len(m["nll"])
        head = yes_no_metrics(m["expected"], m["head"])
        metrics["head_accuracy"] = head["accuracy"]
        metrics["head_yes_ratio"] = head["yes_ratio"]
        metrics["label_match_rate"] = sum(m["matched"]) / len(m["matched"])
        # a first-token Yes-No margin under SMALL_MARGIN may flip on the edge
        metrics["small_margin_rate"] = sum(abs(x) < SMALL_MARGIN for x in m["margin"]) / len(m["margin"])
        out[key] = metrics
    return out

