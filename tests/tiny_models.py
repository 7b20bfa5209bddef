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

    from edge.default_weights import smollm2_gguf

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
