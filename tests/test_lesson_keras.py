"""Lesson 11's code is Keras 3 code: with `nbkeras` spelled `keras` it runs on real Keras,
trains to the same verdict (the Transformer solves the order task, the bag of embeddings
cannot), and Keras opens the `.keras` file nbkeras wrote, custom layers included.

Both sides run in subprocesses: nbkeras with this Python, Keras (JAX backend) with
$NBKERAS_PARITY_PYTHON, /tmp/parity/bin/python, or this Python if it has Keras. Skipped
where none has Keras (CI).
"""

import json
import os
import subprocess
import sys

import pytest

from lesson_notebooks import ROOT, code_cells, load, source

CANDIDATES = [os.environ.get("NBKERAS_PARITY_PYTHON", "/tmp/parity/bin/python"), sys.executable]
KERAS_ENV = {**os.environ, "KERAS_BACKEND": "jax"}


def _keras_python():
    for python in CANDIDATES:
        if os.path.exists(python) and subprocess.run(
                [python, "-c", "import keras, jax, h5py"], capture_output=True,
                env=KERAS_ENV, timeout=120).returncode == 0:
            return python
    return None


PYTHON = _keras_python()
pytestmark = pytest.mark.skipif(PYTHON is None, reason=f"real Keras 3 is not importable with {CANDIDATES}")

PREAMBLE = "import matplotlib\nmatplotlib.use('Agg')\n"


def _lesson_code():
    """The lesson's code cells in order, without the exercise and its solution."""
    cells = [c for c in code_cells(load("en", "11_attention"))
             if not set(c["metadata"].get("tags", [])) & {"exercise", "solution"}]
    return "\n\n".join(source(c) for c in cells)


def _as_keras(code):
    code = (code.replace("import nbkeras as keras", "import keras")
                .replace("from nbkeras import layers, ops", "from keras import layers, ops")
                .replace("from nbkeras import tutorial", ""))
    assert "nbkeras" not in code, "the lesson uses an nbkeras-only name"
    return code


def _run(python, script, env):
    run = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=900,
                         env=env, cwd=str(ROOT))
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout


def test_lesson_11_runs_on_keras_and_keras_loads_nbkeras_file(tmp_path):
    code = _lesson_code()
    saved, preds = tmp_path / "nbkeras_model.keras", tmp_path / "nbkeras_pred.npy"
    nb_env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    _run(sys.executable, PREAMBLE + code +
         f"\ntransformer.save({str(saved)!r})"
         f"\nnp.save({str(preds)!r}, transformer.predict(x_test, verbose=0))\n", nb_env)

    report = """
import json
other = keras.models.load_model(SAVED)
print(json.dumps({
    "bag": float(bag.evaluate(x_test, y_test, verbose=0)[1]),
    "transformer": float(transformer.evaluate(x_test, y_test, verbose=0)[1]),
    "reloaded_same": bool(same),
    "nbkeras_file_diff": float(np.abs(other.predict(x_test, verbose=0) - np.load(PREDS)).max()),
    "nbkeras_file_layers": [type(layer).__name__ for layer in other.layers],
}))
""".replace("SAVED", repr(str(saved))).replace("PREDS", repr(str(preds)))
    out = _run(PYTHON, PREAMBLE + _as_keras(code) + report, KERAS_ENV)
    got = json.loads(out.strip().splitlines()[-1])
    assert got["transformer"] >= 0.9, got          # attention + positions solve the order task
    assert got["bag"] <= 0.65, got                 # an average of embeddings cannot
    assert got["reloaded_same"], got               # Keras's own save/load of the custom layers
    assert got["nbkeras_file_layers"][1:3] == ["TokenAndPositionEmbedding", "TransformerBlock"], got
    assert got["nbkeras_file_diff"] < 1e-5, got    # nbkeras's file: same predictions in Keras
