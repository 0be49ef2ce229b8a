"""Parity: Keras 3's model contract against real Keras (torch backend) goldens.

Goldens: tests/goldens/contract.{json,npz}, written by tools/goldens_contract.py
(through tools/make_goldens.py) with KERAS_BACKEND=torch, whose `train_step(self,
data)` is stateful like nbkeras's. The models (tests/contract_models.py) follow
keras.io's "Customizing what happens in fit()" guide: a custom train_step calling
compute_loss, own metric trackers behind a `metrics` property with a custom test_step,
an override calling `super().train_step`, knowledge distillation (a compute_loss
override, a frozen teacher) and a two-loss autoencoder. Here their gradient step is
the guide's TensorFlow pattern with `nbkeras.ops.GradientTape`; each must train to
Keras's History, evaluate() values and final weights.
"""

import numpy as np
import pytest

import contract_models as cm
import nbkeras as keras
from nbkeras import ops
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-5

DOC, A = load_goldens("contract")
CASES = {c["id"]: c for c in DOC["cases"]}


def tape_step(model, compute):
    """keras.io's TensorFlow pattern, with nbkeras's tape."""
    with ops.GradientTape() as tape:
        out = compute()
    loss = out[0] if isinstance(out, tuple) else out
    variables = model.trainable_variables
    gradients = tape.gradient(loss, variables)
    model.optimizer.apply(gradients, variables)
    return out


_RESULTS = {}


def trained(cid):
    if cid not in _RESULTS:
        keras.utils.clear_session()
        case = CASES[cid]
        arrays = {name: A[key] for name, key in case["arrays"].items()}
        _RESULTS[cid] = cm.RUNNERS[cid](keras, tape_step, arrays, [A[k] for k in case["init"]])
    return _RESULTS[cid]


def test_goldens_are_from_the_torch_backend():
    assert DOC["backend"] == "torch"
    assert set(CASES) == set(cm.RUNNERS)


@pytest.mark.parametrize("cid", sorted(cm.RUNNERS))
def test_history_matches_keras(cid):
    got, want = trained(cid)["history"], CASES[cid]["history"]
    assert sorted(got) == sorted(want)
    for key, values in want.items():
        np.testing.assert_allclose(got[key], values, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("cid", sorted(cm.RUNNERS))
def test_final_weights_match_keras(cid):
    got, want = trained(cid)["final"], [A[k] for k in CASES[cid]["final"]]
    assert len(got) == len(want)
    for w, w0 in zip(got, want):
        np.testing.assert_allclose(w, w0, rtol=RTOL, atol=ATOL)


def test_the_frozen_teacher_does_not_move():
    out = trained("distillation")
    for w, w0 in zip(out["final"][:4], out["init"][:4]):
        np.testing.assert_array_equal(w, w0)


@pytest.mark.parametrize("cid", sorted(c for c in cm.RUNNERS if "evaluate" in CASES[c]))
def test_evaluate_matches_keras(cid):
    got, want = trained(cid)["evaluate"], CASES[cid]["evaluate"]
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        got, want = [got[k] for k in sorted(want)], [want[k] for k in sorted(want)]
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
