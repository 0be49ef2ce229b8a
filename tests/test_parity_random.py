"""Parity: keras.random's shapes, dtypes, statistics and seeding facts.

Goldens: tests/goldens/random.json, written by tools/goldens_random.py
(`KERAS_BACKEND=jax python tools/make_goldens.py random`). The generators differ (JAX's
threefry vs NumPy's PCG64), so each large draw is compared by its moments and range.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras

with open(Path(__file__).parent / "goldens" / "random.json") as f:
    CASES = json.load(f)["cases"]


def _value(v):
    if isinstance(v, dict) and "ones" in v:
        return np.ones(v["ones"], v["dtype"])
    if isinstance(v, dict) and "arange" in v:
        return np.arange(v["arange"])
    if isinstance(v, dict) and "array" in v:
        return np.array(v["array"], v["dtype"])
    if isinstance(v, list) and all(isinstance(t, int) for t in v):
        return tuple(v)
    return v


def _call(case, **seed):
    args = [_value(a) for a in case["args"]]
    kwargs = {k: _value(v) for k, v in case["kwargs"].items()}
    return np.asarray(getattr(keras.random, case["function"])(*args, **kwargs, **seed))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_random_matches_keras_statistics(case):
    out = _call(case, seed=7)
    assert list(out.shape) == case["shape"]
    want = case["dtype"]
    if case["kwargs"].get("dtype") in ("float64", "int64"):
        want = case["kwargs"]["dtype"]  # Keras-on-JAX (no x64) narrows 64-bit requests
    if want == "int32" and case["function"] == "shuffle":
        want = "int64"  # shuffle keeps NumPy's int64 input dtype (JAX narrows it)
    assert str(out.dtype) == want
    f = out.astype(np.float64)
    if out.size >= 10_000 and "rows_equal" not in case:
        tol = 4 * case["std"] / np.sqrt(out.size) + 1e-6
        assert abs(f.mean() - case["mean"]) < tol
        assert abs(f.std() - case["std"]) < 0.02 * case["std"] + 1e-6
        span = case["max"] - case["min"]
        assert case["min"] - 0.1 * span <= f.min() and f.max() <= case["max"] + 0.1 * span
        if case["function"] in ("uniform", "randint", "truncated_normal", "categorical",
                                "dropout", "shuffle"):  # samples reach the support's bounds
            assert f.min() >= case["min"] - 0.01 * span and f.max() <= case["max"] + 0.01 * span
    if "rows_equal" in case:
        assert bool((out == out[:1]).all()) == case["rows_equal"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_random_seeding_facts_match_keras(case):
    facts = case["facts"]
    assert np.array_equal(_call(case, seed=7), _call(case, seed=7)) == facts["int_seed_repeats"]
    gen = keras.random.SeedGenerator(3)
    advances = not np.array_equal(_call(case, seed=gen), _call(case, seed=gen))
    assert advances == facts["seed_generator_advances"]
    keras.utils.set_random_seed(11)
    first = _call(case)
    keras.utils.set_random_seed(11)
    assert np.array_equal(first, _call(case)) == facts["set_random_seed_replays"]
