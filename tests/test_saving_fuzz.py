"""Damaged files: truncated, bit-flipped or hand-edited files fail with a clean ValueError
naming the file (or, where the damage is harmless, load the original model).

A fixed seed and a bounded number of cases keep this to a few seconds.
"""

import io
import json
import os
import random
import warnings
import zipfile

import numpy as np
import pytest

import nbkeras as keras
import saving_models
from nbkeras.saving import integrity

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "saving")
CASES = 60


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One trained model saved in every format, with its weights for comparison."""
    keras.utils.clear_session()
    folder = tmp_path_factory.mktemp("fuzz_sources")
    model = saving_models.mlp(keras)
    x, y = saving_models.data("mlp")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(folder / "m.keras")
    model.save(folder / "m.h5")
    model.save_weights(folder / "m.weights.h5")
    return folder, [w.copy() for w in model.get_weights()]


def _load(path, template):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if str(path).endswith(".weights.h5"):
            template.load_weights(path)
            return template
        return keras.models.load_model(path)


def _attempt(path, template):
    """Load `path`; return the model, or None after checking the error is a clean ValueError."""
    try:
        return _load(path, template)
    except ValueError as exc:
        assert str(path) in str(exc), f"error does not name the file: {exc}"
        return None


def _mutations(data, rng, n):
    """`n` damaged copies of `data`: truncations and single bit flips."""
    out = [("truncate", 0, data[:0]), ("truncate", len(data) - 1, data[:-1])]
    while len(out) < n:
        if rng.random() < 0.35:
            cut = rng.randrange(len(data))
            out.append(("truncate", cut, data[:cut]))
        else:
            pos = rng.randrange(len(data))
            flipped = bytearray(data)
            flipped[pos] ^= 1 << rng.randrange(8)
            out.append(("flip", pos, bytes(flipped)))
    return out


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_damaged_nbkeras_files(saved, tmp_path, name):
    folder, weights = saved
    data = (folder / name).read_bytes()
    template = saving_models.mlp(keras)
    target = tmp_path / name
    for kind, where, damaged in _mutations(data, random.Random(sum(name.encode())), CASES):
        target.write_bytes(damaged)
        model = _attempt(target, template)
        if model is None:
            continue
        # A load that succeeds must give back exactly the saved model: nbkeras's HDF5 files
        # carry a SHA-256 digest and the zip members a CRC, so damage cannot slip through.
        assert kind == "flip", f"a truncated file loaded ({where} of {len(data)} bytes)"
        if name.endswith(".h5"):
            assert where < integrity.USERBLOCK_SIZE, f"flip at byte {where} went unnoticed"
        for a, b in zip(model.get_weights(), weights):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["mlp.keras", "mlp.h5", "mlp.weights.h5"])
def test_damaged_keras3_files(tmp_path, name):
    """Keras's own files have no digest: damage may load, but never as a raw library error."""
    data = open(os.path.join(FIXTURES, name), "rb").read()
    template = saving_models.mlp(keras)
    target = tmp_path / ("c" + name[name.index("."):])
    for kind, where, damaged in _mutations(data, random.Random(7), CASES):
        target.write_bytes(damaged)
        model = _attempt(target, template)
        assert model is None or kind == "flip"


def _random_edit(config, rng):
    """Change one random entry of a JSON tree: drop it or give it a wrong value."""
    paths = []

    def collect(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            paths.append(path + [key])
            if isinstance(value, (dict, list)):
                collect(value, path + [key])

    collect(config, [])
    path = rng.choice(paths)
    parent = config
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if isinstance(parent, dict) and rng.random() < 0.4:
        del parent[key]
    else:
        parent[key] = rng.choice([None, -1, 0, 10 ** 9, 1.5, "", "Dense", [], {}, [None, -3],
                                  {"class_name": "Nope", "config": {}}])
    return "/".join(map(str, path))


def test_hand_edited_configs(saved, tmp_path):
    folder, _ = saved
    with zipfile.ZipFile(folder / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rng = random.Random(3)
    target = tmp_path / "edited.keras"
    template = saving_models.mlp(keras)
    for _ in range(CASES):
        config = json.loads(members["config.json"])
        _random_edit(config, rng)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, json.dumps(config) if member == "config.json" else data)
        target.write_bytes(buffer.getvalue())
        _attempt(target, template)


def test_not_a_model_file(tmp_path):
    cases = {"empty.keras": b"", "text.keras": b"hello", "empty.h5": b"",
             "text.h5": b"hello" * 200, "x.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 100}
    template = saving_models.mlp(keras)
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=name.replace(".", r"\.")):
            _load(tmp_path / name, template)
    zip_path = tmp_path / "other.keras"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("readme.txt", "not a model")
    with pytest.raises(ValueError, match=r"other\.keras.*config\.json"):
        keras.models.load_model(zip_path)
