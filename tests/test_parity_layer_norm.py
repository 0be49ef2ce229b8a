"""Parity: `ops.layer_normalization` against real Keras 3 (JAX): outputs and the JAX
gradients of sum(output * R) w.r.t. x, gamma and beta, on the fused path (trailing axes)
and the composite one (a middle axis).

Goldens: tests/goldens/layer_norm.{json,npz}, written by tools/goldens_layer_norm.py.
"""

import numpy as np
import pytest

from nbkeras import ops
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-5

_DOC, A = load_goldens("layer_norm")
CASES = _DOC["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_forward_and_gradients(case):
    names = [n for n in ("x", "gamma", "beta") if n in case]
    with ops.GradientTape() as tape:
        t = {n: tape.watch(A[case[n]]) for n in names}
        out = ops.layer_normalization(t["x"], t.get("gamma"), t.get("beta"),
                                      axis=case["axis"], epsilon=case["epsilon"])
        loss = ops.sum(out * A[case["R"]])
    np.testing.assert_allclose(np.asarray(out), A[case["output"]], rtol=RTOL, atol=ATOL)
    for n, g in zip(names, tape.gradient(loss, [t[n] for n in names])):
        want = A[case[f"grad_{n}"]]
        assert g.shape == want.shape and g.dtype == np.float32, n
        np.testing.assert_allclose(g, want, rtol=RTOL, atol=ATOL, err_msg=n)


def test_bad_gamma_shape_is_a_keras_style_error():
    with pytest.raises(ValueError, match="one value per normalized element") as info:
        ops.layer_normalization(np.ones((2, 3), "float32"), np.ones(4, "float32"))
    assert "Received: gamma.shape=(4,)" in str(info.value)


def test_bad_axis_is_a_keras_style_error():
    with pytest.raises(ValueError, match="Invalid axis") as info:
        ops.layer_normalization(np.ones((2, 3), "float32"), axis=2)
    assert "Received: axis=2" in str(info.value)
