"""Group 'layer_norm': `keras.ops.layer_normalization` from real Keras 3 (JAX).

Each case: x, optional gamma and beta, axis and epsilon; the output and the JAX
gradients of sum(output * R) for a fixed random R w.r.t. x, gamma and beta.
"""

import zlib

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

# (id, x shape, axis, gamma?, beta?, epsilon)
CASES = [
    ("last_axis", (3, 4, 6), -1, True, True, 1e-3),
    ("last_axis_default_eps", (5, 8), -1, True, True, None),
    ("two_trailing_axes", (2, 3, 4), [1, 2], True, False, 1e-2),
    ("no_affine", (4, 7), -1, False, False, 1e-6),
    ("middle_axis", (2, 5, 3), 1, True, True, 1e-3),
]


def generate(keras):
    import jax
    import jax.numpy as jnp

    rec = Recorder("layer_norm", keras_meta())
    for cid, shape, axis, with_gamma, with_beta, eps in CASES:
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x = (rng.randn(*shape) * 2 + 1).astype(F)
        axes = [axis] if isinstance(axis, int) else axis
        pshape = tuple(shape[a] for a in axes)
        gamma = rng.randn(*pshape).astype(F) if with_gamma else None
        beta = rng.randn(*pshape).astype(F) if with_beta else None
        case = {"id": cid, "x": rec.arr(cid, "x", x), "axis": axis, "epsilon": eps}
        if gamma is not None:
            case["gamma"] = rec.arr(cid, "gamma", gamma)
        if beta is not None:
            case["beta"] = rec.arr(cid, "beta", beta)

        def f(x, gamma, beta, axis=axis, eps=eps):
            return keras.ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=eps)

        out = f(x, gamma, beta)
        R = rng.randn(*np.shape(out)).astype(F)
        wrt = [0] + [i for i, v in ((1, gamma), (2, beta)) if v is not None]
        grads = jax.grad(lambda *a: jnp.sum(f(*a) * R), argnums=tuple(wrt))(x, gamma, beta)
        case["output"] = rec.arr(cid, "output", to_np(out))
        case["R"] = rec.arr(cid, "R", R)
        for i, g in zip(wrt, grads):
            name = ("x", "gamma", "beta")[i]
            case[f"grad_{name}"] = rec.arr(cid, f"grad_{name}", to_np(g))
        rec.case(case)
    rec.save()
