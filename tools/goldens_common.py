"""Shared helpers for tools/make_goldens.py (dev-only; needs real Keras 3).

A ``Recorder`` collects the cases of one golden group: JSON-able case
descriptions plus float32 / int arrays.  ``save()`` writes
``tests/goldens/<group>.json`` and ``tests/goldens/<group>.npz``.
Array keys are ``"<case id>/<name>"``; a case refers to its arrays by key.
"""

import json
import os

import numpy as np

GOLDEN_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "tests",
    "goldens",
)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def to_np(x):
    """Keras tensor / jax array / python scalar -> numpy (float32 if float)."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        a = a.astype(np.float32)
    return a


def jsonable(value):
    """A config or argument value as JSON: tuples -> lists, arrays -> nested lists, NumPy
    scalars -> Python ones (dicts and lists converted throughout)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # NumPy / JAX arrays and scalars
        return np.asarray(value).tolist()
    return value


class Recorder:
    def __init__(self, group, meta=None):
        self.group = group
        self.meta = dict(meta or {})
        self.cases = []
        self.arrays = {}
        self._ids = set()
        self._by_content = {}
        self._keys = set()

    def arr(self, case_id, name, value, dtype=None):
        """Store an array and return its key."""
        key = f"{case_id}/{name}"
        if key in self._keys:
            raise KeyError(f"duplicate array key {key}")
        self._keys.add(key)
        a = np.asarray(value)
        if dtype is not None:
            a = a.astype(dtype)
        elif a.dtype.kind == "f":
            a = a.astype(np.float32)
        elif a.dtype.kind in "iu":
            a = a.astype(np.int64)
        # Identical arrays (shared inputs, labels) are stored once; the case
        # simply refers to the first key holding that content.
        sig = (a.dtype.str, a.shape, a.tobytes())
        if sig in self._by_content:
            return self._by_content[sig]
        self._by_content[sig] = key
        self.arrays[key] = a
        return key

    def arrs(self, case_id, name, values):
        """Store a list of arrays (e.g. a weight list); return list of keys."""
        return [self.arr(case_id, f"{name}{i}", v) for i, v in enumerate(values)]

    def case(self, case):
        if case["id"] in self._ids:
            raise KeyError(f"duplicate case id {case['id']}")
        self._ids.add(case["id"])
        self.cases.append(case)
        return case

    def save(self):
        os.makedirs(GOLDEN_DIR, exist_ok=True)
        doc = dict(self.meta)
        doc["group"] = self.group
        doc["cases"] = self.cases
        dump_doc(doc, os.path.join(GOLDEN_DIR, f"{self.group}.json"))
        if self.arrays:
            np.savez_compressed(
                os.path.join(GOLDEN_DIR, f"{self.group}.npz"), **self.arrays
            )
        print(f"  {self.group}: {len(self.cases)} cases, "
              f"{len(self.arrays)} arrays")
        return len(self.cases)


# Named lambdas shared (by name) with the tests: a JSON case says
# {"function": "<name>"} and both sides look the callable up here / in the
# test file's identical table.
LAMBDAS = {
    "times2_plus1": lambda x: x * 2 + 1,
    "slice_1_3": lambda x: x[:, 1:3],
}


def dump_doc(doc, path):
    """Write a golden JSON compactly, one case per line (small files, readable diffs)."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = [json.dumps(c, separators=(",", ":")) for c in doc.get("cases", [])]
    with open(path, "w") as f:
        f.write(json.dumps(head, separators=(",", ":"))[:-1])
        f.write(',"cases":[\n' + ",\n".join(lines) + "\n]}\n")


def keras_meta():
    import jax
    import keras

    return {
        "generator": "tools/make_goldens.py",
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "jax_version": jax.__version__,
    }
