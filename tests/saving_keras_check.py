"""Load files written by nbkeras with real Keras 3 and record what Keras computes (dev-only).

Run by tests/test_saving_interop.py as
`KERAS_BACKEND=jax /tmp/parity/bin/python tests/saving_keras_check.py <folder> <name> ...`.
For each `<name>` it loads `<name>.keras`, `<name>.h5` and `<name>.weights.h5` (into a
freshly loaded copy whose weights were zeroed) and writes `<name>.keras_result.npz`:
predictions, weights and optimizer variables, and the weights after one more
training step on the saved inputs.
"""

import os
import sys
import warnings

import numpy as np


def _inputs(arrays, prefix):
    xs = [arrays[f"{prefix}{i}"] for i in range(len([k for k in arrays if k.startswith(prefix)]))]
    return xs if len(xs) > 1 else xs[0]


def _record(out, tag, model, x):
    preds = model.predict(x, verbose=0)
    preds = preds if isinstance(preds, list) else [preds]
    for i, p in enumerate(preds):
        out[f"{tag}/pred{i}"] = np.asarray(p)
    for i, w in enumerate(model.get_weights()):
        out[f"{tag}/weight{i}"] = np.asarray(w)


def check(folder, name):
    import keras

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import saving_models

    saving_models.minimal_rnn_cell_class(keras)  # registers the custom cell with Keras
    base = os.path.join(folder, name)
    data = dict(np.load(base + ".inputs.npz"))
    x, y = _inputs(data, "x"), _inputs(data, "y")
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.saving.load_model(base + ".keras", safe_mode=False)
        _record(out, "keras", model, x)
        for i, v in enumerate(model.optimizer.variables):
            out[f"keras/opt{i}"] = np.asarray(v.numpy())
        model.train_on_batch(x, y)
        for i, w in enumerate(model.get_weights()):
            out[f"keras/next_weight{i}"] = np.asarray(w)
        legacy = keras.saving.load_model(base + ".h5", safe_mode=False)
        _record(out, "h5", legacy, x)
        fresh = keras.saving.load_model(base + ".keras", safe_mode=False, compile=False)
        fresh.set_weights([np.zeros_like(w) for w in fresh.get_weights()])
        fresh.load_weights(base + ".weights.h5")
        _record(out, "weights", fresh, x)
    np.savez(base + ".keras_result.npz", **out)


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    for model_name in sys.argv[2:]:
        check(sys.argv[1], model_name)
    print("ok")
