"""The parity goldens recorded from real Keras 3 by tools/make_goldens.py, as the parity
tests read them (they also run against real Keras through a shim named `nbkeras`, see
tools/make_goldens.py).

Example:
    >>> DOC, A = load_goldens("losses")
    >>> A[DOC["cases"][0]["y_true"]].dtype
    dtype('float32')
"""

import json
from pathlib import Path

import numpy as np

import nbkeras as keras

GOLDENS = Path(__file__).parent / "goldens"


# Named lambdas of the layer cases, looked up by name: tools/goldens_common.LAMBDAS.
LAMBDAS = {
    "times2_plus1": lambda x: x * 2 + 1,
    "slice_1_3": lambda x: x[:, 1:3],
}


def load_goldens(group):
    """The goldens of `group`: (the document of tests/goldens/<group>.json, {array key: array}
    of tests/goldens/<group>.npz, empty for a group without arrays)."""
    doc = json.loads((GOLDENS / f"{group}.json").read_text())
    path = GOLDENS / f"{group}.npz"
    if not path.exists():
        return doc, {}
    with np.load(path) as z:
        return doc, {k: z[k] for k in z.files}


def build_sequential(specs, build):
    """The Sequential model of a case's layer specs (`{"class", "kwargs"}`, an "Input" first
    or none), given its layers at once or, when `build` is "add", one `add` at a time."""
    layers = []
    for spec in specs:
        if spec["class"] == "Input":
            layers.append(keras.layers.Input(shape=tuple(spec["kwargs"]["shape"])))
        else:
            layers.append(getattr(keras.layers, spec["class"])(**spec["kwargs"]))
    if build == "add":
        model = keras.Sequential()
        for layer in layers:
            model.add(layer)
        return model
    return keras.Sequential(layers)


def as_numpy(t):
    """A tensor (an array, or a Keras tensor under the shim) as a NumPy array."""
    ops = getattr(keras, "ops", None)
    if ops is not None and hasattr(ops, "convert_to_numpy"):
        return np.asarray(ops.convert_to_numpy(t))
    return np.asarray(t)
