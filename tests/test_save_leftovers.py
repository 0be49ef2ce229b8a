"""Saving leaves nothing behind and refuses nothing it can store: stale temporary files of
killed writers are removed by the next save to their folder, and a lambda activation is
stored as Keras stores it (bytecode, refused under safe mode, loaded with safe_mode=False).
"""

import base64
import marshal
import os
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _model(activation="relu"):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation=activation)])
    model.compile("sgd", "mse")
    return model


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX process ids")
def test_next_save_to_the_folder_removes_stale_temp_files(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    stale = [tmp_path / f".other.keras.{dead}.nbkeras-tmp",
             tmp_path / f".ckpt.weights.h5.{dead}.nbkeras-tmp"]
    live = tmp_path / f".other.keras.{alive}.nbkeras-tmp"  # a writer still running
    unrelated = tmp_path / ".hidden-notes.txt"
    for path in stale + [live, unrelated]:
        path.write_bytes(b"partial")
    _model().save(tmp_path / "m.keras")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["m.keras", live.name, unrelated.name])


def test_lambda_activation_round_trips_outside_safe_mode(tmp_path):
    model = _model(activation=lambda t: t * 2.0 - 1.0)
    x = np.random.RandomState(0).rand(5, 4).astype("float32")
    path = tmp_path / "lam.keras"
    with pytest.warns(UserWarning, match="lambda"):
        model.save(path)
    with pytest.raises(ValueError, match="safe_mode") as info:
        keras.models.load_model(path)
    assert "Received: safe_mode=True" in str(info.value)
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_lambda_activation_in_keras_written_form_loads_outside_safe_mode():
    """Keras 3's Dense config holds the bare `{"value": [code, defaults, closure]}`."""
    code = base64.encodebytes(marshal.dumps((lambda t: t * 3.0).__code__)).decode("ascii")
    cfg = {"units": 2, "activation": {"value": [code, None, None]}}
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Dense.from_config(dict(cfg))
    from nbkeras.saving.safe_mode import safe_mode_scope

    with safe_mode_scope(False):
        dense = layers.Dense.from_config(dict(cfg))
    assert float(dense.activation(np.float32(2.0))) == 6.0
