"""Parity: model.summary() text and automatic layer / model names.

Goldens: tests/goldens/summary.json and tests/goldens/names.json, written
by tools/make_goldens.py.  Keras sizes the summary table as
min(88, terminal columns - 4); the goldens were recorded with COLUMNS=80
(what a non-terminal and Jupyter get), so the tests pin COLUMNS=80 too.
"""

import re

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from parity_goldens import LAMBDAS, build_sequential, load_goldens

SUMMARY, _ = load_goldens("summary")
NAMES, _ = load_goldens("names")
S_CASES = SUMMARY["cases"]
SEQ_CASES = [c for c in NAMES["cases"] if "sequence" in c]
MODEL_CASES = [c for c in NAMES["cases"] if "layer_names" in c]


def summary_model(case):
    keras.backend.clear_session()
    model = build_sequential(case["layers"], case["build"])
    comp = case["compile_and_fit"]
    if comp is not None:
        model.compile(**comp)
        n_in = model.inputs[0].shape[-1]
        n_out = model.outputs[0].shape[-1]
        model.fit(np.zeros((4, n_in), np.float32),
                  np.zeros((4, n_out), np.float32), epochs=1, verbose=0)
    return model


def captured_summary(model, **kw):
    chunks = []
    model.summary(print_fn=lambda s, *a, **k: chunks.append(s), **kw)
    return "\n".join(c[:-1] if c.endswith("\n") else c for c in chunks)


def content(text):
    """Text without table borders / padding: names, shapes, counts, totals."""
    text = re.sub(r"[\u2500-\u257f]", " ", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", SUMMARY["columns"])


@pytest.mark.parametrize("case", S_CASES, ids=[c["id"] for c in S_CASES])
def test_summary_content(case):
    """Same rows / shapes / parameter counts, ignoring the box drawing."""
    got = captured_summary(summary_model(case), **case["summary_kwargs"])
    assert content(got) == content(case["text"])


@pytest.mark.parametrize("case", S_CASES, ids=[c["id"] for c in S_CASES])
def test_summary_exact(case):
    got = captured_summary(summary_model(case), **case["summary_kwargs"])
    assert got == case["text"]


def test_summary_to_stdout(capsys):
    """Plain model.summary() (what a notebook calls) prints the same text."""
    case = S_CASES[0]
    model = summary_model(case)
    capsys.readouterr()
    model.summary()
    assert capsys.readouterr().out.rstrip("\n") == case["text"]


def _make(cls, kw):
    kw = dict(kw)
    if "function" in kw:
        kw["function"] = LAMBDAS[kw["function"]]
    for k in ("target_shape", "shape"):
        if k in kw:
            kw[k] = tuple(kw[k])
    if cls == "Sequential":
        return keras.Sequential(**kw)
    return getattr(layers, cls)(**kw)


@pytest.mark.parametrize("case", SEQ_CASES, ids=[c["id"] for c in SEQ_CASES])
def test_auto_names(case):
    keras.backend.clear_session()
    got = [_make(cls, kw).name for cls, kw in case["sequence"]]
    assert got == case["names"]


def test_utils_clear_session_resets_names():
    case = SEQ_CASES[0]
    keras.utils.clear_session()
    first = [_make(cls, kw).name for cls, kw in case["sequence"]]
    keras.utils.clear_session()
    second = [_make(cls, kw).name for cls, kw in case["sequence"]]
    assert first == second == case["names"]


def test_backend_clear_session_resets_names():
    expected = next(c for c in NAMES["cases"]
                    if c["id"] == "backend_clear_session_resets")["names"]
    keras.backend.clear_session()
    a = layers.Dense(1).name
    keras.backend.clear_session()
    b = layers.Dense(1).name
    assert [a, b] == expected


@pytest.mark.parametrize("case", MODEL_CASES, ids=[c["id"] for c in MODEL_CASES])
def test_model_layer_names(case):
    keras.backend.clear_session()
    model = build_sequential(case["layers"], case["build"])
    assert model.name == case["model_name"]
    assert [layer.name for layer in model.layers] == case["layer_names"]
