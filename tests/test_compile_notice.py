"""The first fit on a machine with a cold kernel cache says why it pauses, once."""

import numpy as np

import nbkeras as keras
from nbkeras.trainers import trainer


def _fit(verbose):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    m.compile("sgd", "mse")
    m.fit(np.zeros((4, 3)), np.zeros((4, 2)), epochs=1, verbose=verbose)


def test_cold_cache_notice_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # only read by the check here
    monkeypatch.setattr(trainer, "_compile_announced", False)
    _fit(verbose=2)
    _fit(verbose=2)
    out = capsys.readouterr().out
    assert out.count("compiling kernels for this machine, one time only") == 1
    assert out.count("they are cached now") == 1  # the compile counter's closing line


def test_no_notice_with_a_warm_cache_or_silent_fit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(trainer, "_compile_announced", False)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    _fit(verbose=0)
    (tmp_path / "activations.act_forward-1.py311.nbi").write_bytes(b"")
    _fit(verbose=2)
    assert "compiling kernels" not in capsys.readouterr().out
