"""The adapter's shapes, its decision tokens, and an export-friendly forward."""

from __future__ import annotations

import pytest
import torch

from training.errors import AdapterConfigError
from training.model.adapter_config import AdapterConfig, resolve_recipe
from training.model.qformer import ListenAdapter

CFG = AdapterConfig(recipe="factorised", num_queries=4, num_layers=2, num_heads=4, decision_tokens=3)


def make(recipe="factorised", **kw):
    torch.manual_seed(0)
    cfg = AdapterConfig(**{**CFG.__dict__, "recipe": recipe, **kw})
    return ListenAdapter(cfg, recipe, n_taps=3, enc_width=32, llm_width=48, n_labels=5).eval()


def test_shapes_factorised_and_listen():
    states = torch.randn(2, 3, 20, 32)
    soft, logits = make()(states, torch.tensor([1, -1]))
    assert soft.shape == (2, 4 + 3, 48) and logits.shape == (2, 5)
    soft, logits = make("listen")(states, torch.tensor([1, -1]))
    assert soft.shape == (2, 4, 48) and logits.shape == (2, 5)


def test_decision_tokens_follow_the_asked_labels_presence():
    a = make()
    states = torch.randn(3, 3, 20, 32)
    with torch.no_grad():
        a.decision_yes.normal_()
        a.decision_no.normal_()
        a.decision_open.normal_()
        soft, logits = a(states, torch.tensor([2, 0, -1]), decision_p=torch.tensor([1.0, 0.0, 0.3]))
        torch.testing.assert_close(soft[0, 4:], a.decision_yes)
        torch.testing.assert_close(soft[1, 4:], a.decision_no)
        torch.testing.assert_close(soft[2, 4:], a.decision_open)  # open question ignores p
        # without an override, p is the head's sigmoid of the asked label
        soft, logits = a(states, torch.tensor([2, 0, 4]))
        p = torch.sigmoid(logits[torch.arange(3), torch.tensor([2, 0, 4])])[:, None, None]
        torch.testing.assert_close(soft[:, 4:], p * a.decision_yes + (1 - p) * a.decision_no)
        # NaN in the override means: use the head
        soft_nan, _ = a(states, torch.tensor([2, 0, 4]), decision_p=torch.full((3,), float("nan")))
        torch.testing.assert_close(soft_nan, soft)


def test_head_input_states_and_frame_pool_one():
    a = make(head_input="states", frame_pool=1)
    soft, logits = a(torch.randn(2, 3, 7, 32), torch.tensor([0, 1]))
    assert soft.shape == (2, 7, 48) and logits.shape == (2, 5)


def test_batch_rows_are_independent():
    """Dynamic batch: a row's output does not depend on the other rows."""
    a = make()
    states, idx = torch.randn(3, 3, 20, 32), torch.tensor([0, 3, -1])
    with torch.no_grad():
        full, _ = a(states, idx)
        one, _ = a(states[1:2], idx[1:2])
    # batch 3 vs 1: other matmul shapes, so fp32 sums may round differently by CPU (equal on AMD
    # EPYC); 1e-5 is ~100 ulps of the outputs' scale (about 1), a row leaking into another moves them ~0.1
    torch.testing.assert_close(full[1:2], one, rtol=1e-5, atol=1e-5)


def test_traces_without_python_control_flow():
    a = make()
    states, idx = torch.randn(2, 3, 20, 32), torch.tensor([0, -1])
    with torch.no_grad():
        traced = torch.jit.trace(a, (states, idx), check_trace=False)
        other_states, other_idx = torch.randn(4, 3, 20, 32), torch.tensor([4, -1, 2, 0])
        torch.testing.assert_close(traced(other_states, other_idx)[0], a(other_states, other_idx)[0])


@pytest.mark.parametrize("kw,match", [({"num_heads": 5}, "divide"), ({"head_input": "x"}, "head_input")])
def test_bad_config(kw, match):
    with pytest.raises(AdapterConfigError, match=match):
        make(**kw)


def test_auto_recipe_by_llm_size():
    auto = AdapterConfig()
    assert resolve_recipe(auto, 135_000_000) == "factorised"
    assert resolve_recipe(auto, 8_000_000_000) == "listen"
    assert resolve_recipe(AdapterConfig(recipe="listen"), 135_000_000) == "listen"


def test_exports_to_onnx_with_dynamic_batch(tmp_path):
    """The adapter graph the export stage needs: opset 17, dynamic batch, label_index as input."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    a = make()
    with torch.no_grad():
        for p in (a.decision_yes, a.decision_no, a.decision_open):
            p.normal_()
    path = tmp_path / "adapter.onnx"
    batch = {0: "batch"}
    torch.onnx.export(
        a, (torch.randn(2, 3, 20, 32), torch.tensor([1, -1])), str(path), opset_version=17, dynamo=False,
        input_names=["states", "label_index"], output_names=["soft_tokens", "presence_logits"],
        dynamic_axes={"states": batch, "label_index": batch, "soft_tokens": batch, "presence_logits": batch},
    )
    states, idx = torch.randn(5, 3, 20, 32), torch.tensor([0, -1, 4, 2, -1])
    soft, logits = ort.InferenceSession(str(path)).run(None, {"states": states.numpy(), "label_index": idx.numpy()})
    with torch.no_grad():
        ref_soft, ref_logits = a(states, idx)
    assert soft.shape == (5, 7, 48)
    assert abs(soft - ref_soft.numpy()).max() < 1e-4 and abs(logits - ref_logits.numpy()).max() < 1e-4
