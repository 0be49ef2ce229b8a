"""Parity: activation functions, activation layers, regularizers, constraints and
initializer configs against goldens recorded from real Keras 3.

Goldens: tests/goldens/activations.{json,npz}, written by tools/goldens_activations.py.
Object arguments are specs resolved by `resolve` (the same rules as the generator).
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import activations, layers, ops
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-6

DOC, A = load_goldens("activations")


def _cases(*kinds):
    return [c for c in DOC["cases"] if c["kind"] in kinds]


def _ids(cases):
    return [c["id"] for c in cases]


def custom_callables():
    """Same names and formulas as tools/goldens_activations.custom_callables."""

    def sum_abs_005(x):
        return 0.05 * ops.sum(ops.abs(x))

    def mean_square_01(x):
        return 0.1 * ops.mean(ops.square(x))

    return {"sum_abs_005": sum_abs_005, "mean_square_01": mean_square_01}


def resolve(spec, custom=None):
    """{"__obj__": "module.Name", "kwargs": ...} -> nbkeras.module.Name(**kwargs)."""
    if isinstance(spec, dict) and "__obj__" in spec:
        module, name = spec["__obj__"].split(".")
        kwargs = {k: resolve(v, custom) for k, v in spec["kwargs"].items()}
        return getattr(getattr(keras, module), name)(**kwargs)
    if isinstance(spec, dict) and "__fn__" in spec:
        return (custom or custom_callables())[spec["__fn__"]]
    return spec


def close(got, want, what=""):
    got = np.asarray(ops.convert_to_numpy(got))
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=what)


# ------------------------------------------------------------------ functions
FUNCTIONS = _cases("function")


def test_goldens_cover_the_brief():
    ids = set(_ids(DOC["cases"]))
    for name in ("exponential", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "relu6",
                 "mish", "log_softmax", "relu_slope", "relu_max", "relu_thr",
                 "relu_slope_max_thr"):
        assert f"fn_{name}" in ids
    for name in ("leaky_relu_default", "relu_layer_all", "elu_0.5", "prelu_3d_shared1",
                 "softmax_layer_axes12"):
        assert f"layer_{name}" in ids
    kinds = {c["kind"] for c in DOC["cases"]}
    assert {"config_layer", "config_initializer", "config_regularizer", "config_constraint",
            "training"} <= kinds


@pytest.mark.parametrize("case", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_function_forward(case):
    fn = activations.get(case["function"])
    close(fn(A[case["x"]], **case["kwargs"]), A[case["y"]])


@pytest.mark.parametrize("case", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_function_gradient(case):
    """The gradient of sum(f(x) * g) matches JAX's autodiff through Keras (away from kinks)."""
    fn = activations.get(case["function"])
    with ops.GradientTape() as tape:
        x = tape.watch(A[case["x_grad"]])
        loss = ops.sum(ops.multiply(fn(x, **case["kwargs"]), A[case["upstream"]]))
    close(tape.gradient(loss, x), A[case["grad"]])


@pytest.mark.parametrize("case", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_function_serialize(case):
    fn = activations.get(case["function"])
    assert activations.serialize(fn) == case["serialized"]
    assert activations.deserialize(case["serialized"]) is fn


# --------------------------------------------------------------------- layers
LAYERS = _cases("layer")


def _layer(case):
    layer = getattr(layers, case["class"])(**case["kwargs"])
    layer(A[case["x"]])
    if case["weights"]:
        layer.set_weights([A[k] for k in case["weights"]])
    return layer


@pytest.mark.filterwarnings("ignore:Argument `alpha` is deprecated")
@pytest.mark.parametrize("case", LAYERS, ids=_ids(LAYERS))
def test_layer_forward(case):
    layer = _layer(case)
    close(layer(A[case["x"]]), A[case["y"]])
    assert layer.compute_output_shape(A[case["x"]].shape) == A[case["y"]].shape


@pytest.mark.filterwarnings("ignore:Argument `alpha` is deprecated")
@pytest.mark.parametrize("case", LAYERS, ids=_ids(LAYERS))
def test_layer_gradient(case):
    layer = _layer(case)
    with ops.GradientTape() as tape:
        x = tape.watch(A[case["x_grad"]])
        loss = ops.sum(ops.multiply(layer(x), A[case["upstream"]]))
    grads = tape.gradient(loss, [x] + list(layer.trainable_weights))
    close(grads[0], A[case["grad_x"]], "d/dx")
    for i, (g, k) in enumerate(zip(grads[1:], case["grad_weights"])):
        close(g, A[k], f"d/dweight{i}")


@pytest.mark.filterwarnings("ignore:Argument `alpha` is deprecated")
@pytest.mark.parametrize("case", LAYERS, ids=_ids(LAYERS))
def test_layer_config(case):
    layer = _layer(case)
    assert layer.get_config() == case["config"]
    clone = type(layer).from_config(case["config"])
    assert clone.get_config() == case["config"]


MASKED = _cases("layer_mask")


@pytest.mark.parametrize("case", MASKED, ids=_ids(MASKED))
def test_softmax_mask(case):
    y = layers.Softmax()(A[case["x"]], mask=A[case["mask"]])
    close(y, A[case["y"]])


# -------------------------------------------------------------------- configs
CONFIGS = _cases("config_layer", "config_initializer", "config_regularizer", "config_constraint")
# Keys of other layers' configs that this group checks (Dense has keys of its own elsewhere).
_DENSE_KEYS = ("name", "kernel_initializer", "bias_initializer", "kernel_regularizer",
               "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint")


def _config_view(obj, cfg):
    if isinstance(obj, layers.Dense):
        return {k: cfg.get(k) for k in _DENSE_KEYS}
    return cfg


@pytest.mark.parametrize("case", CONFIGS, ids=_ids(CONFIGS))
def test_config_dict(case):
    obj = resolve(case["spec"])
    assert _config_view(obj, obj.get_config()) == _config_view(obj, case["config"])


@pytest.mark.parametrize("case", CONFIGS, ids=_ids(CONFIGS))
def test_config_round_trip(case):
    """from_config(Keras's dict) rebuilds an object whose config is that dict again."""
    obj = resolve(case["spec"])
    # Dense is not this group's layer: Keras 3.15 adds `quantization_config`, so
    # its own config is the one round-tripped.
    source = obj.get_config() if isinstance(obj, layers.Dense) else case["config"]
    clone = type(obj).from_config(source)
    assert _config_view(obj, clone.get_config()) == _config_view(obj, case["config"])
    if "serialized" in case:
        module = {"config_initializer": keras.initializers,
                  "config_regularizer": keras.regularizers,
                  "config_constraint": keras.constraints}[case["kind"]]
        assert module.serialize(obj) == case["serialized"]
        again = module.deserialize(case["serialized"])
        assert type(again) is type(obj) and again.get_config() == case["config"]
        assert module.get(case["serialized"]).get_config() == case["config"]


VALUED = [c for c in CONFIGS if {"penalty", "projected", "values"} & set(c)]


@pytest.mark.parametrize("case", VALUED, ids=_ids(VALUED))
def test_config_object_values(case):
    obj = resolve(case["spec"])
    if "penalty" in case:
        close(obj(A[case["w"]]), A[case["penalty"]])
    elif "projected" in case:
        close(obj(A[case["w"]]), A[case["projected"]])
    else:
        close(obj((3, 4)), A[case["values"]])


def test_identity_gain_values_and_round_trip():
    (case,) = _cases("identity_gain")
    init = keras.initializers.Identity(gain=case["gain"])
    close(init((4, 3)), A[case["values"]])
    # Keras drops `gain` from the config; nbkeras keeps it when it is not 1.
    assert keras.initializers.Identity.from_config(init.get_config()).gain == case["gain"]


# ------------------------------------------------------------------- training
TRAINING = _cases("training")
_RESULTS = {}


def train(case):
    """Build, evaluate and train the case once (3 full-data epochs); cache the result."""
    cid = case["id"]
    if cid not in _RESULTS:
        keras.utils.clear_session()
        model = keras.Sequential([keras.Input(shape=(4,))] + [resolve(s) for s in case["layers"]])
        model.set_weights([A[k] for k in case["init_weights"]])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=case["learning_rate"]),
                      loss="mse")
        x, y, bs = A[case["x"]], A[case["y"]], case["batch_size"]
        model(x)
        res = {"losses": [float(ops.convert_to_numpy(v)) for v in model.losses],
               "predict": model.predict(x, verbose=0),
               "evaluate": model.evaluate(x, y, batch_size=bs, verbose=0),
               "history": [], "weights": []}
        for _ in range(3):
            h = model.fit(x, y, batch_size=bs, epochs=1, shuffle=False, verbose=0)
            res["history"].append(h.history["loss"][0])
            res["weights"].append(model.get_weights())
        _RESULTS[cid] = res
    return _RESULTS[cid]


@pytest.mark.parametrize("case", TRAINING, ids=_ids(TRAINING))
def test_model_losses(case):
    """`model.losses` after a call: activity penalties (divided by the batch size), then
    weight penalties, in Keras's order."""
    got = train(case)["losses"]
    np.testing.assert_allclose(got, case["losses_after_call"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", TRAINING, ids=_ids(TRAINING))
def test_evaluate_loss_includes_penalties(case):
    res = train(case)
    close(res["predict"], A[case["predict"]], "predict")
    np.testing.assert_allclose(res["evaluate"], case["evaluate"], rtol=RTOL, atol=ATOL)
    if case["batch_size"] >= len(A[case["x"]]):
        data = float(np.mean((res["predict"].astype(np.float64) - A[case["y"]]) ** 2))
        np.testing.assert_allclose(res["evaluate"], data + sum(case["losses_after_call"]),
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", TRAINING, ids=_ids(TRAINING))
def test_trajectory(case):
    """Three SGD epochs: per-epoch loss and weights (constraints applied after each step)."""
    res = train(case)
    np.testing.assert_allclose(res["history"], case["history"], rtol=RTOL, atol=ATOL)
    for epoch, (got, keys) in enumerate(zip(res["weights"], case["weights"])):
        assert len(got) == len(keys)
        for i, (g, k) in enumerate(zip(got, keys)):
            close(g, A[k], f"epoch {epoch + 1}, weight {i}")


# ----------------------------------------------------------- custom functions
def test_custom_function_configs_use_keras_form():
    """Keras 3.15 writes a plain function as {'module': 'builtins', 'class_name': 'function',
    'config': <name or registered name>, 'registered_name': 'function'}."""

    def my_penalty(x):
        return 0.1 * ops.sum(ops.abs(x))

    want = {"module": "builtins", "class_name": "function", "config": "my_penalty",
            "registered_name": "function"}
    for module in (activations, keras.regularizers, keras.constraints, keras.initializers):
        assert module.serialize(my_penalty) == want
        assert module.deserialize(want, custom_objects={"my_penalty": my_penalty}) is my_penalty
    layer = layers.Dense(2, kernel_regularizer=my_penalty, activation=my_penalty)
    assert layer.get_config()["kernel_regularizer"] == want
    assert layer.get_config()["activation"] == want


def test_registered_function_round_trip():
    @keras.saving.register_keras_serializable(package="act_tests")
    def doubled(x):
        return ops.multiply(x, 2.0)

    cfg = activations.serialize(doubled)
    assert cfg["config"] == "act_tests>doubled"
    assert activations.deserialize(cfg) is doubled
    assert keras.regularizers.deserialize(keras.regularizers.serialize(doubled)) is doubled


def test_activation_layer_as_dense_activation_round_trip():
    dense = layers.Dense(3, activation=layers.LeakyReLU(negative_slope=0.1))
    cfg = dense.get_config()
    assert cfg["activation"]["module"] == "keras.layers"
    assert cfg["activation"]["class_name"] == "LeakyReLU"
    clone = layers.Dense.from_config(cfg)
    assert isinstance(clone.activation, layers.LeakyReLU)
    assert clone.activation.negative_slope == 0.1
