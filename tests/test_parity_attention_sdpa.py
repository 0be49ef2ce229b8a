"""Parity: `ops.dot_product_attention` (fused attention) against real Keras 3 (JAX).

Goldens: tests/goldens/attention_sdpa.{json,npz}, written by tools/goldens_attention_sdpa.py:
outputs and JAX gradients of sum(output * R) w.r.t. query, key, value and bias, with
masks (full, broadcast, a row with no key), causal masks, scales, biases and grouped-query
attention. Also: Keras's errors, the op in a functional model, and MultiHeadAttention's
fused path against its explicit-scores path.
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-5

_DOC, A = load_goldens("attention_sdpa")
CASES = _DOC["cases"]


def _args(case):
    kw = {"scale": case["scale"], "is_causal": case["is_causal"]}
    if "mask" in case:
        kw["mask"] = A[case["mask"]].astype(bool)
    if "bias" in case:
        kw["bias"] = A[case["bias"]]
    return [A[case[n]] for n in ("query", "key", "value")], kw


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_forward(case):
    (q, k, v), kw = _args(case)
    out = ops.nn.dot_product_attention(q, k, v, **kw)
    assert out.dtype == np.float32 and out.shape == A[case["output"]].shape
    np.testing.assert_allclose(out, A[case["output"]], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_gradients(case):
    (q, k, v), kw = _args(case)
    with ops.GradientTape() as tape:
        qt, kt, vt = (tape.watch(a) for a in (q, k, v))
        watched = [qt, kt, vt]
        if "bias" in kw:
            kw["bias"] = tape.watch(kw["bias"])
            watched.append(kw["bias"])
        loss = ops.sum(ops.dot_product_attention(qt, kt, vt, **kw) * A[case["R"]])
    grads = tape.gradient(loss, watched)
    for name, g in zip(("query", "key", "value", "bias"), grads):
        want = A[case[f"grad_{name}"]]
        assert g.shape == want.shape and g.dtype == np.float32, name
        np.testing.assert_allclose(g, want, rtol=RTOL, atol=ATOL, err_msg=name)


def test_functional_model_runs_the_op():
    q = keras.Input((4, 2, 3))
    kv = keras.Input((5, 2, 3))
    model = keras.Model([q, kv], ops.dot_product_attention(q, kv, kv, is_causal=False,
                                                           scale=0.5))
    case = next(c for c in CASES if c["id"] == "plain")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 4, 2, 3)).astype("f4"), rng.normal(size=(2, 5, 2, 3)).astype("f4")
    assert model.output.shape == (None, 4, 2, 3)
    np.testing.assert_allclose(model.predict([a, b], verbose=0),
                               ops.dot_product_attention(a, b, b, scale=0.5), rtol=1e-6)
    assert case  # the goldens loaded


BAD = [
    (dict(query=np.zeros((2, 3, 4)), key=np.zeros((2, 3, 4)), value=np.zeros((2, 3, 4))),
     ValueError, "only supports 4D inputs"),
    (dict(query=np.zeros((2, 3, 3, 4)), key=np.zeros((2, 5, 2, 4)),
          value=np.zeros((2, 5, 2, 4))), ValueError, "multiple of"),
    (dict(query=np.zeros((2, 3, 2, 4)), key=np.zeros((2, 5, 2, 3)),
          value=np.zeros((2, 5, 2, 4))), ValueError, "same H"),
    (dict(query=np.zeros((2, 3, 2, 4)), key=np.zeros((2, 5, 2, 4)),
          value=np.zeros((2, 5, 2, 4)), mask=np.ones((3, 1, 3, 5), bool)), ValueError,
     "mask"),
    (dict(query=np.zeros((2, 3, 2, 4)), key=np.zeros((2, 5, 2, 4)),
          value=np.zeros((2, 5, 2, 4)), attn_logits_soft_cap=30.0), ValueError, "TPU"),
    (dict(query=np.zeros((2, 3, 2, 4)), key=np.zeros((2, 5, 2, 4)),
          value=np.zeros((2, 5, 2, 4)), flash_attention=True), ValueError, "Flash"),
]


@pytest.mark.parametrize("kwargs,err,text", BAD, ids=[b[2] for b in BAD])
def test_bad_input_errors(kwargs, err, text):
    with pytest.raises(err, match=text) as info:
        ops.dot_product_attention(**kwargs)
    assert "Received:" in str(info.value)


@pytest.mark.parametrize("call", [{}, {"use_causal_mask": True},
                                  {"attention_mask": "mask"}], ids=["self", "causal", "mask"])
def test_multi_head_attention_fused_matches_explicit_scores(call):
    """return_attention_scores=True takes the explicit path (softmax layer, matmuls);
    without it MultiHeadAttention runs the fused op: the same numbers."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 6, 8)).astype("f4")
    if call.get("attention_mask") == "mask":
        m = rng.uniform(size=(3, 6, 6)) > 0.3
        m[..., 0] = True
        call = {"attention_mask": m}
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    fused = mha(x, x, **call)
    explicit, scores = mha(x, x, return_attention_scores=True, **call)
    assert scores.shape == (3, 2, 6, 6)
    np.testing.assert_allclose(fused, explicit, rtol=1e-5, atol=1e-6)
