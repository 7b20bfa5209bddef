"""Tiny random backbones built from configs in seconds, with no network.

The tiny LLM uses the REAL SmolLM2 tokenizer (read out of the installed GGUF), because
llama.cpp's converter refuses BPE pre-tokenizers it does not know.
"""

from __future__ import annotations

from pathlib import Path

TINY_WHISPER = dict(
    vocab_size=51864, num_mel_bins=80, d_model=64, encoder_layers=2, decoder_layers=2,
    encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128,
    max_source_positions=1500, max_target_positions=448,
    decoder_start_token_id=50257, eos_token_id=50256, pad_token_id=50256, bos_token_id=50256,
)
TINY_LLAMA = dict(
    hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
    num_key_value_heads=2, max_position_embeddings=2048, rms_norm_eps=1e-5, tie_word_embeddings=True,
)


def build_tiny_whisper(out: Path, seed: int = 0) -> Path:
    import torch
    from transformers import WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration

    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(WhisperConfig(**TINY_WHISPER)).eval()
    model.save_pretrained(out)
    WhisperFeatureExtractor(feature_size=TINY_WHISPER["num_mel_bins"]).save_pretrained(out)
    return out


def build_tiny_llama(out: Path, seed: int = 0) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from core.paths import smollm2_gguf

    gguf = smollm2_gguf()
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tok), bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id, **TINY_LLAMA,
    )
    LlamaForCausalLM(config).eval().save_pretrained(out)
    tok.save_pretrained(out)
    return out


TINY_LABELS = [
    {"label": "smoke_alarm", "name": "a smoke alarm", "synonyms": ["smoke detector", "fire alarm"]},
    {"label": "dog_bark", "name": "a dog barking", "synonyms": ["dog", "barking"]},
    {"label": "doorbell", "name": "a doorbell", "synonyms": ["door bell"]},
    {"label": "speech", "name": "speech", "synonyms": ["talking", "someone speaking"]},
]


def build_tiny_checkpoint(out: Path, whisper_dir: Path, llama_dir: Path, recipe: str = "factorised",
                          window_seconds: float = 2.0, seed: int = 0) -> Path:
    """An untrained (freshly initialised) adapter checkpoint over the tiny backbones,
    written by the real `training.model.checkpoint.save_checkpoint`."""
    from training.model import checkpoint as ckpt
    from training.model.adapter_config import AdapterConfig, EncoderConfig
    from training.model.system import build_system

    enc_cfg = EncoderConfig(whisper=str(whisper_dir), window_seconds=window_seconds)
    ad_cfg = AdapterConfig(recipe=recipe, num_queries=4, num_layers=1, num_heads=4, decision_tokens=2)
    system = build_system(enc_cfg, ad_cfg, str(llama_dir), TINY_LABELS, seed)
    meta = ckpt.AdapterMeta(enc_cfg, ad_cfg, system.recipe, system.encoder.n_taps, system.encoder.d_model,
                            system.embed.embedding_dim, len(TINY_LABELS), str(llama_dir))
    return ckpt.save_checkpoint(out, system.adapter, meta, system.prompt, TINY_LABELS, {}, None, {"step": 0})
