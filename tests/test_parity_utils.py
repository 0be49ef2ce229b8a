"""`pad_sequences` against real Keras 3 (goldens: tests/goldens/utils.json, written by
tools/goldens_utils.py), its Keras-2 import path, and its errors."""

import json
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.preprocessing.sequence import pad_sequences as keras2_pad_sequences

DOC = json.loads((Path(__file__).parent / "goldens" / "utils.json").read_text())
CASES = DOC["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pad_sequences_matches_keras(case):
    out = keras.utils.pad_sequences(case["sequences"], **case["kwargs"])
    assert str(out.dtype) == case["dtype"]
    np.testing.assert_array_equal(out, np.asarray(case["output"], dtype=case["dtype"]))
    assert keras2_pad_sequences is keras.utils.pad_sequences


def test_pad_sequences_accepts_numpy_and_object_arrays():
    seqs = np.empty(2, dtype=object)
    seqs[:] = [np.array([1, 2, 3]), np.array([4])]
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4]])
    text = keras.utils.pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert text.tolist() == [["a", "b"], ["<pad>", "c"]]


@pytest.mark.parametrize("kwargs,seqs,match", [
    ({"padding": "middle"}, [[1]], "padding"),
    ({"truncating": "both"}, [[1]], "truncating"),
    ({"maxlen": -1}, [[1]], "maxlen"),
    ({"value": "x"}, [[1]], "value"),
    ({}, [[1], 5], "non-iterable"),
    ({}, 7, "iterable"),
    ({"dtype": "float32"}, [[[1.0, 2.0]], [[1.0, 2.0, 3.0]]], "shape"),
])
def test_pad_sequences_errors(kwargs, seqs, match):
    with pytest.raises(ValueError, match=match) as info:
        keras.utils.pad_sequences(seqs, **kwargs)
    assert "Received:" in str(info.value)
