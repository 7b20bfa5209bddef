"""The assembled system: frozen encoder + trainable adapter + frozen LLM, and its prompt.

`build_system` loads the backbones, resolves the recipe, builds the prompt from the chat
template and the adapter sized for both ends. Only `system.adapter` has trainable
parameters; the encoder and the LLM are frozen and in eval mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.labels import LabelMatcher
from training.model.adapter_config import AdapterConfig, EncoderConfig, resolve_recipe
from training.model.encoder import TappedWhisperEncoder, load_tapped_encoder
from training.model.prompt import PromptTemplate, build_prompt
from training.model.qformer import ListenAdapter
from training.model.sequences import PromptIds, prompt_ids

# Phrases whose embeddings initialise the decision tokens (then learned).
DECISION_INIT = {"yes": "The answer is yes", "no": "The answer is no", "open": "Describe what you hear"}


@dataclass
class ListenSystem:
    encoder: TappedWhisperEncoder
    adapter: ListenAdapter
    llm: nn.Module
    tokenizer: object
    prompt: PromptTemplate
    ids: PromptIds
    label_entries: list[dict]  # labels.json entries, in presence-head order
    matcher: LabelMatcher
    recipe: str  # resolved: factorised | listen

    @property
    def embed(self) -> nn.Embedding:
        return self.llm.get_input_embeddings()


def llm_param_count(llm: nn.Module) -> int:
    return sum(p.numel() for p in llm.parameters())


def build_system(
    encoder_config: EncoderConfig,
    adapter_config: AdapterConfig,
    llm_spec: str,
    label_entries: list[dict],
    seed: int,
    encoder: TappedWhisperEncoder | None = None,
    llm_and_tokenizer: tuple | None = None,
) -> ListenSystem:
    """Load (or reuse) the frozen backbones and build a freshly initialised adapter."""
    from training.backbones.load import load_llm

    encoder = encoder or load_tapped_encoder(encoder_config)
    llm, tokenizer = llm_and_tokenizer or load_llm(llm_spec)
    llm.eval()
    for p in llm.parameters():
        p.requires_grad_(False)
    recipe = resolve_recipe(adapter_config, llm_param_count(llm))
    prompt = build_prompt(tokenizer)
    embed = llm.get_input_embeddings()
    torch.manual_seed(seed)
    adapter = ListenAdapter(
        adapter_config, recipe, encoder.n_taps, encoder.d_model, embed.embedding_dim, len(label_entries)
    )
    with torch.no_grad():
        rms = float(embed.weight.float().pow(2).mean().sqrt())
        phrases = {k: embed(torch.tensor(tokenizer(v, add_special_tokens=False).input_ids)).float()
                   for k, v in DECISION_INIT.items()}
    adapter.init_for_llm(rms, phrases["yes"], phrases["no"], phrases["open"])
    return ListenSystem(
        encoder, adapter, llm, tokenizer, prompt, prompt_ids(tokenizer, prompt),
        list(label_entries), LabelMatcher.from_entries(label_entries), recipe,
    )


def load_system(folder, encoder: TappedWhisperEncoder | None = None, llm_and_tokenizer: tuple | None = None) -> ListenSystem:
    """A trained system from a checkpoint folder: its adapter, labels and saved prompt, with
    the backbones it names (or the ones given, to share them between checkpoints)."""
    from pathlib import Path

    from training.backbones.load import load_llm
    from training.model.checkpoint import PROMPT_FILE, load_adapter, load_labels

    folder = Path(folder)
    adapter, meta = load_adapter(folder)
    labels = load_labels(folder)
    prompt = PromptTemplate.load(folder / PROMPT_FILE)  # the saved text is the contract, not a re-render
    encoder = encoder or load_tapped_encoder(meta.encoder)
    llm, tokenizer = llm_and_tokenizer or load_llm(meta.llm)
    return ListenSystem(
        encoder, adapter, llm, tokenizer, prompt, prompt_ids(tokenizer, prompt),
        labels, LabelMatcher.from_entries(labels), meta.recipe,
    )
