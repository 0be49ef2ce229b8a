"""Finite-difference gradient checks, in float64, of every activation function
(relu with each combination of slope, cap and threshold included), every activation
layer (w.r.t. its input and its weights) and the regularizers' penalties.

The analytic gradient of `sum(f(x) * R)` (R a fixed random projection) from
`GradientTape` is compared with central differences. Inputs avoid kinks.
"""

import numpy as np
import pytest

from finite_differences import avoid, fd, fd_variable
from nbkeras import activations, layers, ops, regularizers
from nbkeras.ops.core import Tensor, unwrap

pytestmark = pytest.mark.usefixtures("float64")


def rnd(*shape, lo=-4.0, hi=4.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def assert_close(ga, gn, what, rtol=1e-5):
    assert ga is not None, f"no gradient for {what}"
    ga = np.asarray(ga)
    assert ga.shape == gn.shape, (what, ga.shape, gn.shape)
    np.testing.assert_allclose(ga, gn, rtol=rtol, atol=rtol * max(1.0, np.abs(gn).max()),
                               err_msg=what)


def check(forward, x, weights=(), rtol=1e-5):
    """Tape gradient of sum(forward(x) * R) w.r.t. x and each Variable vs central differences."""
    out = unwrap(forward(x))
    assert out.dtype == np.float64, out.dtype
    R = np.random.default_rng(7).normal(size=np.shape(out))
    with ops.GradientTape() as tape:
        xt = tape.watch(x.copy())
        y = forward(xt)
        assert isinstance(y, Tensor), f"expected a Tensor from a tracked input, got {type(y)}"
        loss = ops.sum(ops.multiply(y, R))
    grads = tape.gradient(loss, [xt] + list(weights))
    xb = x.copy()
    f = lambda: float(np.sum(unwrap(forward(xb)) * R))  # noqa: E731
    assert_close(grads[0], fd(f, xb), "input", rtol)
    for v, g in zip(weights, grads[1:]):
        assert_close(g, fd_variable(f, v), v.path, rtol)


# (id, function name, kwargs, kinks)
FUNCTIONS = [
    ("relu", "relu", {}, [0]),
    ("relu-slope", "relu", {"negative_slope": 0.1}, [0]),
    ("relu-max", "relu", {"max_value": 2.5}, [0, 2.5]),
    ("relu-max6", "relu", {"max_value": 6.0}, [0, 6]),
    ("relu-thr", "relu", {"threshold": 1.0}, [1.0]),
    ("relu-thr-neg", "relu", {"threshold": -1.0}, [-1.0, 0]),
    ("relu-slope-max", "relu", {"negative_slope": 0.1, "max_value": 2.5}, [0, 2.5]),
    ("relu-slope-max6", "relu", {"negative_slope": 0.2, "max_value": 6.0}, [0, 6]),
    ("relu-slope-thr", "relu", {"negative_slope": 0.3, "threshold": 1.5}, [1.5]),
    ("relu-max-thr", "relu", {"max_value": 3.0, "threshold": 1.0}, [1.0, 3.0]),
    ("relu-slope-max-thr", "relu", {"negative_slope": 0.25, "max_value": 3.0, "threshold": 0.5},
     [0.5, 3.0]),
    ("relu-slope-max-thr-neg", "relu",
     {"negative_slope": 0.25, "max_value": 3.0, "threshold": -2.0}, [-2.0, 0, 3.0]),
    ("leaky_relu", "leaky_relu", {}, [0]),
    ("leaky_relu-0.5", "leaky_relu", {"negative_slope": 0.5}, [0]),
    ("leaky_relu-negative-slope", "leaky_relu", {"negative_slope": -0.3}, [0]),
    ("relu6", "relu6", {}, [0, 6]),
    ("elu", "elu", {}, [0]),
    ("elu-0.5", "elu", {"alpha": 0.5}, [0]),
    ("elu-negative-alpha", "elu", {"alpha": -0.5}, [0]),
    ("selu", "selu", {}, [0]),
    ("celu", "celu", {}, [0]),
    ("celu-2", "celu", {"alpha": 2.0}, [0]),
    ("sigmoid", "sigmoid", {}, []),
    ("hard_sigmoid", "hard_sigmoid", {}, [-3, 3]),
    ("hard_silu", "hard_silu", {}, [-3, 3]),
    ("hard_swish", "hard_swish", {}, [-3, 3]),
    ("tanh", "tanh", {}, []),
    ("softplus", "softplus", {}, []),
    ("softsign", "softsign", {}, [0]),
    ("silu", "silu", {}, []),
    ("gelu", "gelu", {}, []),
    ("gelu-approximate", "gelu", {"approximate": True}, []),
    ("mish", "mish", {}, []),
    ("exponential", "exponential", {}, []),
    ("linear", "linear", {}, []),
    ("softmax", "softmax", {}, []),
    ("softmax-axis0", "softmax", {"axis": 0}, []),
    ("log_softmax", "log_softmax", {}, []),
    ("log_softmax-axis0", "log_softmax", {"axis": 0}, []),
    ("log_sigmoid", "log_sigmoid", {}, []),
    ("squareplus", "squareplus", {}, []),
    ("tanh_shrink", "tanh_shrink", {}, []),
    ("hard_tanh", "hard_tanh", {}, [-1, 1]),
    ("hard_shrink", "hard_shrink", {}, [-0.5, 0.5]),
    ("soft_shrink", "soft_shrink", {}, [-0.5, 0.5]),
    ("threshold", "threshold", {"threshold": 0.5, "default_value": -2.0}, [0.5]),
    ("sparse_plus", "sparse_plus", {}, [-1, 1]),
    ("sparse_sigmoid", "sparse_sigmoid", {}, [-1, 1]),
    ("glu", "glu", {}, []),
]


def test_every_registered_activation_is_checked():
    checked = {name for _, name, _, _ in FUNCTIONS}
    assert set(activations.ALL_OBJECTS_DICT) - {"swish"} <= checked


@pytest.mark.parametrize("name,kwargs,kinks", [f[1:] for f in FUNCTIONS],
                         ids=[f[0] for f in FUNCTIONS])
def test_function_gradient(name, kwargs, kinks):
    fn = activations.get(name)
    x = avoid(rnd(4, 6, seed=1), kinks)
    check(lambda t: fn(t, **kwargs), x)


# (id, layer factory, input, kinks)
LAYERS = [
    ("LeakyReLU", lambda: layers.LeakyReLU(), (4, 5), [0]),
    ("LeakyReLU-0.1", lambda: layers.LeakyReLU(negative_slope=0.1), (4, 5), [0]),
    ("ReLU", lambda: layers.ReLU(), (4, 5), [0]),
    ("ReLU-max6", lambda: layers.ReLU(max_value=6.0), (4, 5), [0, 6]),
    ("ReLU-all", lambda: layers.ReLU(max_value=3.0, negative_slope=0.2, threshold=0.5), (4, 5),
     [0.5, 3.0]),
    ("ELU", lambda: layers.ELU(), (4, 5), [0]),
    ("ELU-0.5", lambda: layers.ELU(alpha=0.5), (4, 5), [0]),
    ("PReLU", lambda: layers.PReLU(alpha_initializer="random_uniform"), (4, 5), [0]),
    ("PReLU-shared1", lambda: layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1]),
     (2, 3, 4), [0]),
    ("PReLU-shared12", lambda: layers.PReLU(alpha_initializer="random_uniform",
                                            shared_axes=[1, 2]), (2, 3, 2, 4), [0]),
    ("Softmax", lambda: layers.Softmax(), (4, 5), []),
    ("Softmax-axis1", lambda: layers.Softmax(axis=1), (2, 3, 4), []),
    ("Softmax-axes12", lambda: layers.Softmax(axis=[1, 2]), (2, 3, 4), []),
]


@pytest.mark.parametrize("make,shape,kinks", [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS])
def test_layer_gradient(make, shape, kinks):
    layer = make()
    x = avoid(rnd(*shape, seed=2), kinks)
    layer(x)
    check(layer, x, layer.trainable_weights)


def test_softmax_mask_gradient():
    x = rnd(2, 3, 4, seed=3)
    mask = np.random.default_rng(4).uniform(size=(2, 1, 4)) > 0.3
    check(lambda t: layers.Softmax()(t, mask=mask), x)


REGULARIZERS = [
    ("L1", lambda: regularizers.L1(0.3)),
    ("L2", lambda: regularizers.L2(0.3)),
    ("L1L2", lambda: regularizers.L1L2(l1=0.2, l2=0.4)),
    ("OrthogonalRegularizer-rows", lambda: regularizers.OrthogonalRegularizer(0.5)),
    ("OrthogonalRegularizer-columns", lambda: regularizers.OrthogonalRegularizer(0.5, "columns")),
]


@pytest.mark.parametrize("make", [r[1] for r in REGULARIZERS], ids=[r[0] for r in REGULARIZERS])
def test_regularizer_gradient(make):
    reg = make()
    w = avoid(rnd(4, 3, seed=5), [0])
    check(reg, w)
