"""Golden group 'random': keras.random's shapes, dtypes, statistics and seeding facts
(dev-only; needs real Keras 3). Keras's generator differs from nbkeras's, so the numbers
themselves are not compared: each case records the output shape and dtype, the mean and
standard deviation (and min / max) of a large draw, and whether repeated draws repeat.
"""

import numpy as np

from goldens_common import Recorder, keras_meta

N = 100_000
CASES = [
    # (id, function, args, kwargs)
    ("normal", "normal", [(N,)], {"mean": 1.0, "stddev": 2.0}),
    ("normal_f64", "normal", [(3, 2)], {"dtype": "float64"}),
    ("uniform", "uniform", [(N,)], {"minval": -1.0, "maxval": 3.0}),
    ("truncated_normal", "truncated_normal", [(N,)], {"mean": 0.5, "stddev": 1.5}),
    ("randint", "randint", [(N,)], {"minval": -2, "maxval": 5}),
    ("randint_int64", "randint", [(4, 3)], {"minval": 0, "maxval": 9, "dtype": "int64"}),
    ("gamma", "gamma", [(N,)], {"alpha": 2.5}),
    ("binomial", "binomial", [(N,)], {"counts": 12, "probabilities": 0.3}),
    ("beta", "beta", [(N,)], {"alpha": 2.0, "beta": 5.0}),
    ("categorical", "categorical", [np.log([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25]]), N // 10], {}),
    ("dropout", "dropout", [np.ones((N,), "float32"), 0.3], {}),
    ("dropout_noise_shape", "dropout", [np.ones((200, 50), "float32"), 0.5],
     {"noise_shape": (1, 50)}),
    ("shuffle", "shuffle", [np.arange(1000)], {}),
]


def _stats(a):
    a = np.asarray(a)
    f = a.astype(np.float64)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "mean": float(f.mean()),
            "std": float(f.std()), "min": float(f.min()), "max": float(f.max())}


def generate(keras):
    rec = Recorder("random", keras_meta())
    for cid, fn, args, kwargs in CASES:
        f = getattr(keras.random, fn)
        case = {"id": cid, "function": fn, "kwargs": _plain(kwargs), "args": _plain(args)}
        case.update(_stats(f(*args, seed=7, **kwargs)))
        same = np.array_equal(np.asarray(f(*args, seed=7, **kwargs)),
                              np.asarray(f(*args, seed=7, **kwargs)))
        gen = keras.random.SeedGenerator(3)
        advance = not np.array_equal(np.asarray(f(*args, seed=gen, **kwargs)),
                                     np.asarray(f(*args, seed=gen, **kwargs)))
        keras.utils.set_random_seed(11)
        first = np.asarray(f(*args, **kwargs))
        keras.utils.set_random_seed(11)
        replay = np.array_equal(first, np.asarray(f(*args, **kwargs)))
        if fn == "dropout" and "noise_shape" in kwargs:
            out = np.asarray(f(*args, seed=7, **kwargs))
            case["rows_equal"] = bool((out == out[:1]).all())
        case["facts"] = {"int_seed_repeats": bool(same), "seed_generator_advances": bool(advance),
                         "set_random_seed_replays": bool(replay)}
        rec.case(case)
    return rec.save()


def _plain(v):
    if isinstance(v, np.ndarray):
        if v.size > 100 and (v == 1).all():
            return {"ones": list(v.shape), "dtype": str(v.dtype)}
        if v.ndim == 1 and v.size > 100 and (v == np.arange(v.size)).all():
            return {"arange": int(v.size)}
        return {"array": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v
