"""Group "contract": Keras 3's model contract (custom train_step / test_step /
compute_loss, custom metric trackers), recorded with the TORCH backend.

The torch backend shares the stateful contract nbkeras follows (`train_step(self,
data)` computes gradients and calls `self.optimizer.apply`); JAX's stateless
`train_step(state, data)` does not apply. The models and runners live in
tests/contract_models.py and run unchanged on both sides; here their gradient step
is torch's (`loss.backward()`), in tests/test_contract_parity.py nbkeras's
`ops.GradientTape`. Weights are drawn from fixed RandomStates and fit() runs with
shuffle=False; the History, evaluate() results and final weights are recorded.

Run through tools/make_goldens.py (it starts this file in a subprocess with
KERAS_BACKEND=torch), or directly:

    KERAS_BACKEND=torch python tools/goldens_contract.py
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

import contract_models as cm  # noqa: E402
from goldens_common import Recorder, to_np  # noqa: E402


def backward_step(model, compute):
    """keras.io's torch pattern: zero the grads, backward, `optimizer.apply` without grad."""
    import torch

    model.zero_grad()
    out = compute()
    loss = out[0] if isinstance(out, tuple) else out
    loss.backward()
    variables = list(model.trainable_weights)
    with torch.no_grad():
        model.optimizer.apply([v.value.grad for v in variables], variables)
    return out


def generate(keras):
    import torch

    torch.manual_seed(0)
    rec = Recorder("contract", meta={"generator": "tools/goldens_contract.py",
                                     "keras_version": keras.__version__,
                                     "backend": keras.backend.backend(),
                                     "torch_version": torch.__version__})
    for cid, arrays in cm.case_data().items():
        keras.utils.clear_session()
        out = cm.RUNNERS[cid](keras, backward_step, arrays, None)
        case = {"id": cid, "arrays": {name: rec.arr(cid, name, a) for name, a in arrays.items()},
                "init": rec.arrs(cid, "init", out["init"]), "history": out["history"],
                "final": rec.arrs(cid, "final", [to_np(w) for w in out["final"]])}
        if "evaluate" in out:
            case["evaluate"] = out["evaluate"]
        rec.case(case)
    rec.save()


def main():
    import warnings

    import keras

    if keras.backend.backend() != "torch":
        raise SystemExit("run with KERAS_BACKEND=torch")
    warnings.filterwarnings("ignore")
    keras.utils.set_random_seed(0)
    generate(keras)


if __name__ == "__main__":
    main()
