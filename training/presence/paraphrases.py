"""LLM-written paraphrases of the label names: more ways of saying each sound for the text side to learn.

The backbone LLM completes a few-shot list ("skateboard: skateboard wheels rolling; a skater riding";
the examples are sounds outside the library),
once greedily and `samples - 1` times with sampling, for each label's name. Every candidate
is cleaned and kept only when it is a short phrase (1-6 words, letters only), is not already
one of the label's phrases, says more than a generic word ("a loud noise"), and names no
other sound of the library (the synthesis filter's mention scorer). SmolLM2-135M keeps about
a third of what it writes (it repeats the name, or drifts: "cow mooing: cow laugh").

The result is cached per LLM beside the phrase states (paraphrases-<tag>.json), with what
was rejected and why, so a rerun costs nothing and the table can be read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from core.mentions import MentionFinder
from training.synth.prompts import bare

FEW_SHOT = (
    "Other ways to say a sound:\n"
    "popcorn popping: kernels popping; popping corn; a popcorn machine\n"
    "skateboard: skateboard wheels rolling; a skater riding; skateboarding\n"
    "windshield wiper: wipers squeaking; car wipers; wiper blades on glass\n"
)
# Words that say nothing about which sound it is: a paraphrase made only of these is refused.
GENERIC_WORDS = frozenset(
    "a an the of and or in on at with from some sound sounds noise noises loud soft quiet faint distant "
    "small big large little sudden short long something thing things".split())
MAX_WORDS = 6
_ALLOWED = re.compile(r"^[a-z][a-z' -]*[a-z]$")

Complete = Callable[[list[str], list[int], float], list[str]]  # (prompts, seeds, temperature) -> completions


def prompt_for(name: str) -> str:
    return f"{FEW_SHOT}{name}:"


def candidates(completion: str) -> list[str]:
    """The phrases of one completion line ("a; b; c" or "a, b"), cleaned, in order."""
    line = completion.strip().splitlines()[0] if completion.strip() else ""
    out = []
    for part in re.split(r"[;,/]", line):
        text = " ".join(part.lower().strip(" .\"'()-").split())
        if text:
            out.append(text)
    return out


def review(phrase: str, label: str, known: set[str], finder: MentionFinder) -> str | None:
    """Why `phrase` cannot be a paraphrase of `label` (None when it can)."""
    if phrase in known:
        return "repeats_a_phrase"
    if not _ALLOWED.match(phrase) or len(phrase.split()) > MAX_WORDS:
        return "not_a_short_phrase"
    if all(w in GENERIC_WORDS for w in phrase.split()):
        return "generic"
    others = {lab for m in finder.mentions(phrase) for lab in m.labels} - {label}
    if others:
        return "names_another_sound"
    return None


def write_paraphrases(entries: Sequence[dict], labels: Sequence[str], complete: Complete, samples: int = 3,
                      per_label: int = 4, seed: int = 0, progress=None) -> dict:
    """{"paraphrases": {label: [phrase]}, "rejected": {reason: count}, "examples_rejected": [...]}."""
    from training.presence.phrases import label_phrases

    finder = MentionFinder(list(entries))
    by_label = {e["label"]: e for e in entries}
    out: dict[str, list[str]] = {}
    rejected: dict[str, int] = {}
    examples: list[list[str]] = []
    for i, label in enumerate(labels):
        entry = by_label[label]
        name = bare(entry["name"].lower())
        prompt = prompt_for(name)
        texts = complete([prompt], [seed], 0.0)  # greedy first, then sampled for variety
        texts += complete([prompt] * (samples - 1), [seed + 1000 * i + k for k in range(1, samples)], 0.8)
        known = set(label_phrases(entry))
        known |= {bare(p) for p in known}
        kept: list[str] = []
        for text in texts:
            for phrase in candidates(text):
                why = review(phrase, label, known | set(kept), finder)
                if why is None and len(kept) < per_label:
                    kept.append(phrase)
                elif why is not None:
                    rejected[why] = rejected.get(why, 0) + 1
                    if len(examples) < 40:
                        examples.append([label, phrase, why])
        out[label] = kept
        if progress:
            progress(i + 1, len(labels))
    return {"paraphrases": out, "rejected": rejected, "examples_rejected": examples}


def llm_completer(llm_spec: str, max_new_tokens: int = 24) -> tuple[Complete, Callable[[], None]]:
    """A raw-text completion function on the LLM (llama.cpp for a GGUF, else transformers) and its closer."""
    from training.backbones.load import resolve_llm_spec

    target = resolve_llm_spec(llm_spec)
    if str(target).endswith(".gguf"):
        import os

        from llama_cpp import Llama

        llm = Llama(model_path=str(target), n_ctx=512, n_threads=os.cpu_count(), verbose=False, seed=0)

        def complete(prompts: list[str], seeds: list[int], temperature: float) -> list[str]:
            return [llm.create_completion(p, max_tokens=max_new_tokens, temperature=temperature, top_p=0.95,
                                          seed=s, stop=["\n"])["choices"][0]["text"] for p, s in zip(prompts, seeds)]

        return complete, llm.close
    import torch

    from training.backbones.load import load_llm

    model, tok = load_llm(llm_spec)

    @torch.no_grad()
    def complete_hf(prompts: list[str], seeds: list[int], temperature: float) -> list[str]:
        out = []
        for p, s in zip(prompts, seeds):
            ids = tok(p, return_tensors="pt", add_special_tokens=False).input_ids
            torch.manual_seed(s)
            kwargs = {"do_sample": True, "temperature": temperature, "top_p": 0.95} if temperature > 0 else {"do_sample": False}
            new = model.generate(ids, max_new_tokens=max_new_tokens, pad_token_id=tok.eos_token_id, **kwargs)[0, ids.shape[1]:]
            out.append(tok.decode(new, skip_special_tokens=True).split("\n")[0])
        return out

    return complete_hf, lambda: None


def paraphrase_table(entries: Sequence[dict], labels: Sequence[str], llm_spec: str, cache: Path, tag: str,
                     samples: int = 3, per_label: int = 4, progress=print) -> dict[str, list[str]]:
    """label -> LLM-written paraphrases for every label given; written once per LLM (`tag`), then read."""
    path = cache / f"paraphrases-{tag}.json"
    done = json.loads(path.read_text()) if path.is_file() else {"paraphrases": {}, "rejected": {}, "examples_rejected": []}
    todo = [lab for lab in labels if lab not in done["paraphrases"]]
    if todo:
        from tqdm.auto import tqdm

        progress(f"paraphrases: the LLM writes up to {per_label} for each of {len(todo)} labels")
        complete, close = llm_completer(llm_spec)
        bar = tqdm(total=len(todo), desc="paraphrases", unit="label")
        try:
            new = write_paraphrases(entries, todo, complete, samples, per_label, progress=lambda i, n: bar.update(1))
        finally:
            bar.close()
            close()
        done["paraphrases"].update(new["paraphrases"])
        for why, n in new["rejected"].items():
            done["rejected"][why] = done["rejected"].get(why, 0) + n
        done["examples_rejected"] = (done["examples_rejected"] + new["examples_rejected"])[:40]
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(done, indent=1))
        tmp.replace(path)
    return {lab: done["paraphrases"][lab] for lab in labels}
