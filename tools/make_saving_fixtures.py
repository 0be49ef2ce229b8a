"""Write the saving fixtures of tests/fixtures/saving/ with real Keras 3 (dev-only).

Run: KERAS_BACKEND=jax /tmp/parity/bin/python tools/make_saving_fixtures.py [NAME ...]
(only the named models when names are given; meta.json always lists them all)

For each model of tests/saving_models.py this trains a few steps (so the
optimizer has state), then writes `<name>.keras`, `<name>.weights.h5`,
`<name>.h5` (legacy) and `<name>.npz` (inputs, predictions, weights and
optimizer variables, to compare with what nbkeras loads).
"""

import json
import os
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
OUT = os.path.join(ROOT, "tests", "fixtures", "saving")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import saving_models  # noqa: E402


def _flat_arrays(prefix, arrays):
    return {f"{prefix}{i}": np.asarray(a) for i, a in enumerate(arrays)}


def write(name):
    keras.utils.clear_session()
    keras.utils.set_random_seed(7)
    model = saving_models.BUILDERS[name](keras)
    x, y = saving_models.data(name)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    path = os.path.join(OUT, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path + ".keras")
        model.save_weights(path + ".weights.h5")
        model.save(path + ".h5")
    predictions = saving_models.as_list(model.predict(x, verbose=0))
    arrays = {**_flat_arrays("x", saving_models.as_list(x)),
              **_flat_arrays("y", saving_models.as_list(y)),
              **_flat_arrays("pred", predictions),
              **_flat_arrays("weight", model.get_weights()),
              **_flat_arrays("opt", [v.numpy() for v in model.optimizer.variables])}
    # One more step from the saved state: a loaded model must take the same step.
    model.train_on_batch(x, y)
    arrays.update(_flat_arrays("next_weight", model.get_weights()))
    np.savez_compressed(path + ".npz", **arrays)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in sys.argv[1:] or saving_models.BUILDERS:
        write(name)
    meta = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
            "python": list(sys.version_info[:2]), "models": list(saving_models.BUILDERS),
            "lambda_models": list(saving_models.LAMBDA_MODELS)}
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
