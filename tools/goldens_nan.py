"""Group 'nan': Keras's NaN (and inf) rule for every activation and pooling layer.

For each activation function case of goldens_activations (same ids, names and
kwargs), the values and gradients at NaN, +-inf and a few ordinary points; for the
pooling layers, forward values and input gradients of a window holding a NaN.
tests/test_nan_rule.py compares nbkeras's kernels (function, fused Dense and
recurrent paths) with them.
"""

import numpy as np

from goldens_activations import FUNCTION_CASES
from goldens_common import Recorder, keras_meta, to_np

F = np.float32
SPECIAL = np.array([np.nan, np.inf, -np.inf, 1.5, -1.5, 7.0, -7.0], F)  # 0 is a kink

POOL_CASES = [
    # (id, class, kwargs, input shape)
    ("max1d", "MaxPooling1D", {"pool_size": 2}, (2, 4, 3)),
    ("avg1d", "AveragePooling1D", {"pool_size": 2}, (2, 4, 3)),
    ("max2d", "MaxPooling2D", {"pool_size": 2}, (2, 4, 4, 3)),
    ("max2d_same", "MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 5, 2)),
    ("avg2d", "AveragePooling2D", {"pool_size": 2}, (2, 4, 4, 3)),
    ("avg2d_same", "AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 5, 5, 2)),
    ("gmax1d", "GlobalMaxPooling1D", {}, (2, 4, 3)),
    ("gavg1d", "GlobalAveragePooling1D", {}, (2, 4, 3)),
    ("gmax2d", "GlobalMaxPooling2D", {}, (2, 4, 4, 3)),
    ("gavg2d", "GlobalAveragePooling2D", {}, (2, 4, 4, 3)),
]


def _functions(keras, rec):
    import jax
    import jax.numpy as jnp

    x = SPECIAL.reshape(1, -1)
    for cid, name, kwargs, _ in FUNCTION_CASES:
        if name in ("softmax", "log_softmax", "glu"):
            continue  # not elementwise: one NaN fills its row (checked by the model test)
        fn = getattr(keras.activations, name)
        y = fn(x, **kwargs)
        grad = jax.grad(lambda t: jnp.sum(fn(t, **kwargs)))(jnp.asarray(x))
        cid = f"fn_{cid}"
        rec.case({"id": cid, "kind": "function", "function": name, "kwargs": kwargs,
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", to_np(y)),
                  "grad": rec.arr(cid, "grad", to_np(grad))})


def _pooling(keras, rec):
    import jax
    import jax.numpy as jnp

    rng = np.random.RandomState(21)
    for cid, cls, kwargs, shape in POOL_CASES:
        x = rng.uniform(-2.0, 2.0, size=shape).astype(F)
        flat = x.reshape(-1)
        flat[1] = np.nan
        flat[-1] = np.inf
        layer = getattr(keras.layers, cls)(**kwargs)
        y = layer(x)
        g = rng.uniform(-1.0, 1.0, size=np.shape(y)).astype(F)
        grad = jax.grad(lambda t: jnp.sum(layer(t) * g))(jnp.asarray(x))
        cid = f"pool_{cid}"
        rec.case({"id": cid, "kind": "pooling", "class": cls, "kwargs": kwargs,
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", to_np(y)),
                  "upstream": rec.arr(cid, "g", g), "grad": rec.arr(cid, "grad", to_np(grad))})


def generate(keras):
    rec = Recorder("nan", keras_meta())
    _functions(keras, rec)
    _pooling(keras, rec)
    return rec.save()
