"""Files written by nbkeras load in real Keras 3 and compute the same numbers.

nbkeras saves every model of tests/saving_models.py as `.keras`, legacy `.h5` and
`.weights.h5`; tests/saving_keras_check.py loads them with Keras 3 in a subprocess
(`/tmp/parity/bin/python`, or $NBKERAS_PARITY_PYTHON). Skipped where Keras is not
installed (CI). The other direction, Keras 3's files loading in nbkeras, is tested
with the committed fixtures in tests/test_saving.py.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
import saving_models

PARITY_PYTHON = os.environ.get("NBKERAS_PARITY_PYTHON", "/tmp/parity/bin/python")
CHECK_SCRIPT = os.path.join(os.path.dirname(__file__), "saving_keras_check.py")
# Models without Dropout take the same next training step in both libraries.
DETERMINISTIC = ("nested", "nested_sequential")


def _keras_available():
    if not os.path.exists(PARITY_PYTHON):
        return False
    probe = subprocess.run([PARITY_PYTHON, "-c", "import keras, h5py"], capture_output=True,
                           env={**os.environ, "KERAS_BACKEND": "jax"}, timeout=120)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _keras_available(),
                                reason=f"real Keras 3 is not importable with {PARITY_PYTHON}")


def _flat(prefix, arrays):
    return {f"{prefix}{i}": np.asarray(a) for i, a in enumerate(arrays)}


@pytest.fixture(scope="module")
def keras_results(tmp_path_factory):
    """Save each model with nbkeras, load it with Keras, return both sides' numbers."""
    folder = tmp_path_factory.mktemp("interop")
    expected = {}
    for name, build in saving_models.BUILDERS.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(5)
        model = build(keras)
        x, y = saving_models.data(name)
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        base = str(folder / name)
        model.save(base + ".keras")
        model.save(base + ".h5")
        model.save_weights(base + ".weights.h5")
        np.savez(base + ".inputs.npz", **_flat("x", saving_models.as_list(x)),
                 **_flat("y", saving_models.as_list(y)))
        entry = {"pred": [p.copy() for p in saving_models.as_list(model.predict(x, verbose=0))],
                 "weights": [w.copy() for w in model.get_weights()],
                 "opt": [v.numpy().copy() for v in model.optimizer.variables]}
        model.train_on_batch(x, y)
        entry["next"] = [w.copy() for w in model.get_weights()]
        expected[name] = entry
    run = subprocess.run([PARITY_PYTHON, CHECK_SCRIPT, str(folder)] + list(expected),
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "KERAS_BACKEND": "jax"})
    assert run.returncode == 0, run.stderr[-4000:]
    results = {name: dict(np.load(str(folder / f"{name}.keras_result.npz")))
               for name in expected}
    return expected, results


@pytest.mark.parametrize("name", list(saving_models.BUILDERS))
@pytest.mark.parametrize("tag", ["keras", "h5", "weights"])
def test_keras_loads_nbkeras_files(keras_results, name, tag):
    if name in saving_models.LAMBDA_MODELS and sys.version_info[:2] != (3, 11):
        pytest.skip("Lambda bytecode must come from the parity Python's version")
    expected, results = keras_results
    got = results[name]
    for i, p in enumerate(expected[name]["pred"]):
        np.testing.assert_allclose(got[f"{tag}/pred{i}"], p, rtol=1e-5, atol=2e-6)
    assert len([k for k in got if k.startswith(f"{tag}/weight")]) == len(expected[name]["weights"])
    for i, w in enumerate(expected[name]["weights"]):
        np.testing.assert_array_equal(got[f"{tag}/weight{i}"], w)


@pytest.mark.parametrize("name", list(saving_models.BUILDERS))
def test_keras_restores_the_optimizer_state(keras_results, name):
    expected, results = keras_results
    got = results[name]
    opt = expected[name]["opt"]
    assert len([k for k in got if k.startswith("keras/opt")]) == len(opt)
    for i, v in enumerate(opt):
        np.testing.assert_array_equal(got[f"keras/opt{i}"], v)


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_keras_resumes_training_like_nbkeras(keras_results, name):
    expected, results = keras_results
    for i, w in enumerate(expected[name]["next"]):
        np.testing.assert_allclose(results[name][f"keras/next_weight{i}"], w,
                                   rtol=1e-5, atol=1e-6)
