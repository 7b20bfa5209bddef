"""Map a CTranslate2 Whisper (`WhisperSpec`) onto transformers' WhisperForConditionalGeneration.

CTranslate2 stores attention q/k/v fused as one [q;k;v] matrix (self-attention) or as
q plus a fused [k;v] (cross-attention), layer norms as gamma/beta, and the output
projection as an alias of the token embeddings. Whisper's k projection has no bias; the
fused bias carries zeros in its slot, which we check rather than drop silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from training.backbones.ct2_format import CT2Model, read_ct2_model
from training.errors import CT2FormatError

# Special tokens of the English-only Whisper vocabulary (51864 entries).
EN_ONLY_SPECIAL_IDS = {
    "eot": 50256,
    "sot": 50257,
    "translate": 50357,
    "transcribe": 50358,
    "startoflm": 50359,
    "startofprev": 50360,
    "nospeech": 50361,
    "notimestamps": 50362,
}


def whisper_config_dict(ct2: CT2Model, ct2_config: dict) -> dict:
    """A transformers WhisperConfig (as a dict) inferred from the tensor shapes."""
    n_enc = _count_layers(ct2, "encoder")
    n_dec = _count_layers(ct2, "decoder")
    vocab, d_model = ct2.get("decoder/embeddings/weight").shape
    return {
        "architectures": ["WhisperForConditionalGeneration"],
        "model_type": "whisper",
        "vocab_size": int(vocab),
        "num_mel_bins": int(ct2.get("encoder/conv1/weight").shape[1]),
        "d_model": int(d_model),
        "encoder_layers": n_enc,
        "decoder_layers": n_dec,
        "encoder_attention_heads": int(ct2.get("encoder/num_heads")),
        "decoder_attention_heads": int(ct2.get("decoder/num_heads")),
        "encoder_ffn_dim": int(ct2.get("encoder/layer_0/ffn/linear_0/weight").shape[0]),
        "decoder_ffn_dim": int(ct2.get("decoder/layer_0/ffn/linear_0/weight").shape[0]),
        "max_source_positions": int(ct2.get("encoder/position_encodings/encodings").shape[0]),
        "max_target_positions": int(ct2.get("decoder/position_encodings/encodings").shape[0]),
        "activation_function": "gelu",
        "scale_embedding": False,
        "tie_word_embeddings": True,
        "bos_token_id": EN_ONLY_SPECIAL_IDS["eot"],
        "eos_token_id": EN_ONLY_SPECIAL_IDS["eot"],
        "pad_token_id": EN_ONLY_SPECIAL_IDS["eot"],
        "decoder_start_token_id": EN_ONLY_SPECIAL_IDS["sot"],
        "begin_suppress_tokens": ct2_config.get("suppress_ids_begin", [220, EN_ONLY_SPECIAL_IDS["eot"]]),
        "suppress_tokens": ct2_config.get("suppress_ids", []),
    }


def whisper_state_dict(ct2: CT2Model) -> dict[str, np.ndarray]:
    """transformers parameter names -> float32 arrays."""
    sd: dict[str, np.ndarray] = {}
    g = lambda name: ct2.get(name).astype(np.float32)  # noqa: E731

    for side in ("encoder", "decoder"):
        hf = f"model.{side}"
        sd[f"{hf}.layer_norm.weight"] = g(f"{side}/layer_norm/gamma")
        sd[f"{hf}.layer_norm.bias"] = g(f"{side}/layer_norm/beta")
        sd[f"{hf}.embed_positions.weight"] = g(f"{side}/position_encodings/encodings")
        for i in range(_count_layers(ct2, side)):
            src, dst = f"{side}/layer_{i}", f"{hf}.layers.{i}"
            _fused_attention(sd, g, f"{src}/self_attention", f"{dst}.self_attn", fused_qkv=True)
            _norm(sd, g, f"{src}/self_attention/layer_norm", f"{dst}.self_attn_layer_norm")
            if side == "decoder":
                _fused_attention(sd, g, f"{src}/attention", f"{dst}.encoder_attn", fused_qkv=False)
                _norm(sd, g, f"{src}/attention/layer_norm", f"{dst}.encoder_attn_layer_norm")
            _norm(sd, g, f"{src}/ffn/layer_norm", f"{dst}.final_layer_norm")
            for k, fc in (("linear_0", "fc1"), ("linear_1", "fc2")):
                sd[f"{dst}.{fc}.weight"] = g(f"{src}/ffn/{k}/weight")
                sd[f"{dst}.{fc}.bias"] = g(f"{src}/ffn/{k}/bias")
    for conv in ("conv1", "conv2"):
        sd[f"model.encoder.{conv}.weight"] = g(f"encoder/{conv}/weight")
        sd[f"model.encoder.{conv}.bias"] = g(f"encoder/{conv}/bias")
    sd["model.decoder.embed_tokens.weight"] = g("decoder/embeddings/weight")
    return sd


def _norm(sd, g, src: str, dst: str) -> None:
    sd[f"{dst}.weight"] = g(f"{src}/gamma")
    sd[f"{dst}.bias"] = g(f"{src}/beta")


def _fused_attention(sd, g, src: str, dst: str, fused_qkv: bool) -> None:
    if fused_qkv:  # linear_0 = [q;k;v], linear_1 = out
        w, b = g(f"{src}/linear_0/weight"), g(f"{src}/linear_0/bias")
        (qw, kw, vw), (qb, kb, vb) = np.split(w, 3), np.split(b, 3)
        out = "linear_1"
    else:  # linear_0 = q, linear_1 = [k;v], linear_2 = out
        qw, qb = g(f"{src}/linear_0/weight"), g(f"{src}/linear_0/bias")
        (kw, vw), (kb, vb) = np.split(g(f"{src}/linear_1/weight"), 2), np.split(g(f"{src}/linear_1/bias"), 2)
        out = "linear_2"
    if np.abs(kb).max() > 1e-6:
        raise CT2FormatError(f"{src}: non-zero key bias, which transformers' Whisper cannot represent")
    sd[f"{dst}.q_proj.weight"], sd[f"{dst}.q_proj.bias"] = qw, qb
    sd[f"{dst}.k_proj.weight"] = kw
    sd[f"{dst}.v_proj.weight"], sd[f"{dst}.v_proj.bias"] = vw, vb
    sd[f"{dst}.out_proj.weight"] = g(f"{src}/{out}/weight")
    sd[f"{dst}.out_proj.bias"] = g(f"{src}/{out}/bias")


def _count_layers(ct2: CT2Model, side: str) -> int:
    n = 0
    while f"{side}/layer_{n}/ffn/linear_0/weight" in ct2.variables:
        n += 1
    if n == 0:
        raise CT2FormatError(f"no {side} layers found: is this a CTranslate2 Whisper model?")
    return n


def convert_ct2_whisper(ct2_dir: str | Path, out_dir: str | Path) -> Path:
    """Write a transformers Whisper folder (model, config, tokenizer, feature extractor) to out_dir."""
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperTokenizerFast,
    )

    ct2_dir, out_dir = Path(ct2_dir), Path(out_dir)
    ct2 = read_ct2_model(ct2_dir / "model.bin")
    if ct2.spec_name != "WhisperSpec":
        raise CT2FormatError(f"{ct2_dir / 'model.bin'} holds a {ct2.spec_name}, not a WhisperSpec")
    ct2_config = json.loads((ct2_dir / "config.json").read_text()) if (ct2_dir / "config.json").exists() else {}
    config = WhisperConfig(**whisper_config_dict(ct2, ct2_config))
    model = WhisperForConditionalGeneration(config)
    state = {k: torch.from_numpy(v) for k, v in whisper_state_dict(ct2).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if k != "proj_out.weight"]  # tied to embed_tokens
    if missing or unexpected:
        raise CT2FormatError(f"weight mapping incomplete: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.tie_weights()
    model.eval()

    multilingual = config.vocab_size >= 51865
    if multilingual:
        raise CT2FormatError("only English-only Whisper (vocab 51864) is mapped here; pass a hub id for multilingual models")
    ids = EN_ONLY_SPECIAL_IDS
    model.generation_config = GenerationConfig(
        decoder_start_token_id=ids["sot"],
        eos_token_id=ids["eot"],
        pad_token_id=ids["eot"],
        bos_token_id=ids["eot"],
        no_timestamps_token_id=ids["notimestamps"],
        forced_decoder_ids=[[1, ids["notimestamps"]]],
        begin_suppress_tokens=config.begin_suppress_tokens,
        suppress_tokens=config.suppress_tokens,
        is_multilingual=False,
        max_length=config.max_target_positions,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tok = WhisperTokenizerFast(tokenizer_file=str(ct2_dir / "tokenizer.json"))
    tok.save_pretrained(out_dir)
    WhisperFeatureExtractor(feature_size=config.num_mel_bins).save_pretrained(out_dir)
    return out_dir
