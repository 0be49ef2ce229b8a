"""Group 'activations': activation functions (values and gradients), activation
layers, regularized / constrained training trajectories, and get_config dicts of
activation layers, initializers, regularizers and constraints.

Object arguments are written as specs that both sides resolve with the same
rules (mirrored in tests/test_parity_activations.py):
  {"__obj__": "regularizers.L1L2", "kwargs": {...}}  -> keras.regularizers.L1L2(**kwargs)
  {"__fn__": "<name>"}                               -> CUSTOM[name] (a custom callable)
"""

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

# Function cases: (id, function name, kwargs, kink points that gradients avoid).
FUNCTION_CASES = [
    ("relu", "relu", {}, []),
    ("relu_slope", "relu", {"negative_slope": 0.1}, []),
    ("relu_max", "relu", {"max_value": 2.5}, [2.5]),
    ("relu_max6", "relu", {"max_value": 6.0}, [6.0]),
    ("relu_thr", "relu", {"threshold": 1.0}, [1.0]),
    ("relu_thr_neg", "relu", {"threshold": -1.0}, [-1.0]),
    ("relu_slope_max", "relu", {"negative_slope": 0.1, "max_value": 2.5}, [2.5]),
    ("relu_slope_max6", "relu", {"negative_slope": 0.2, "max_value": 6.0}, [6.0]),
    ("relu_slope_thr", "relu", {"negative_slope": 0.3, "threshold": 1.5}, [1.5]),
    ("relu_max_thr", "relu", {"max_value": 4.0, "threshold": 1.0}, [1.0, 4.0]),
    ("relu_max_below_thr", "relu", {"max_value": 1.0, "threshold": 2.0}, [1.0, 2.0]),
    ("relu_slope_max_thr", "relu",
     {"negative_slope": 0.25, "max_value": 3.0, "threshold": 0.5}, [0.5, 3.0]),
    ("relu_slope_max_thr_neg", "relu",
     {"negative_slope": 0.25, "max_value": 3.0, "threshold": -2.0}, [-2.0, 3.0]),
    ("relu_max0", "relu", {"max_value": 0.0}, []),
    ("leaky_relu", "leaky_relu", {}, []),
    ("leaky_relu_0.5", "leaky_relu", {"negative_slope": 0.5}, []),
    ("leaky_relu_neg_slope", "leaky_relu", {"negative_slope": -0.3}, []),
    ("relu6", "relu6", {}, [6.0]),
    ("elu", "elu", {}, []),
    ("elu_0.5", "elu", {"alpha": 0.5}, []),
    ("elu_neg_alpha", "elu", {"alpha": -0.5}, []),
    ("selu", "selu", {}, []),
    ("celu", "celu", {}, []),
    ("celu_2", "celu", {"alpha": 2.0}, []),
    ("sigmoid", "sigmoid", {}, []),
    ("hard_sigmoid", "hard_sigmoid", {}, [-3.0, 3.0]),
    ("hard_silu", "hard_silu", {}, [-3.0, 3.0]),
    ("hard_swish", "hard_swish", {}, [-3.0, 3.0]),
    ("tanh", "tanh", {}, []),
    ("softplus", "softplus", {}, []),
    ("softsign", "softsign", {}, []),
    ("silu", "silu", {}, []),
    ("swish", "swish", {}, []),
    ("gelu", "gelu", {}, []),
    ("gelu_approximate", "gelu", {"approximate": True}, []),
    ("mish", "mish", {}, []),
    ("exponential", "exponential", {}, []),
    ("linear", "linear", {}, []),
    ("softmax", "softmax", {}, []),
    ("softmax_axis0", "softmax", {"axis": 0}, []),
    ("log_softmax", "log_softmax", {}, []),
    ("log_softmax_axis0", "log_softmax", {"axis": 0}, []),
    ("log_sigmoid", "log_sigmoid", {}, []),
    ("squareplus", "squareplus", {}, []),
    ("squareplus_b1", "squareplus", {"b": 1}, []),
    ("tanh_shrink", "tanh_shrink", {}, []),
    ("hard_tanh", "hard_tanh", {}, [-1.0, 1.0]),
    ("hard_shrink", "hard_shrink", {}, [-0.5, 0.5]),
    ("soft_shrink", "soft_shrink", {}, [-0.5, 0.5]),
    ("soft_shrink_1", "soft_shrink", {"threshold": 1.0}, [-1.0, 1.0]),
    ("threshold", "threshold", {"threshold": 0.5, "default_value": -2.0}, [0.5]),
    ("sparse_plus", "sparse_plus", {}, [-1.0, 1.0]),
    ("sparse_sigmoid", "sparse_sigmoid", {}, [-1.0, 1.0]),
    ("glu", "glu", {}, []),
]

# Layer forward cases: (id, class, kwargs, input shape).
LAYER_CASES = [
    ("leaky_relu_default", "LeakyReLU", {}, (4, 6)),
    ("leaky_relu_0.1", "LeakyReLU", {"negative_slope": 0.1}, (4, 6)),
    ("leaky_relu_keras2_alpha", "LeakyReLU", {"alpha": 0.2}, (4, 6)),
    ("relu_layer_default", "ReLU", {}, (4, 6)),
    ("relu_layer_max6", "ReLU", {"max_value": 6.0}, (4, 6)),
    ("relu_layer_all", "ReLU", {"max_value": 3.0, "negative_slope": 0.2, "threshold": 0.5},
     (4, 6)),
    ("relu_layer_thr", "ReLU", {"threshold": 1.0}, (4, 6)),
    ("elu_default", "ELU", {}, (4, 6)),
    ("elu_0.5", "ELU", {"alpha": 0.5}, (4, 6)),
    ("prelu_2d", "PReLU", {}, (4, 6)),
    ("prelu_3d_shared1", "PReLU", {"shared_axes": [1]}, (2, 3, 4)),
    ("prelu_4d_shared12", "PReLU", {"shared_axes": [1, 2]}, (2, 3, 2, 4)),
    ("prelu_int_shared", "PReLU", {"shared_axes": 2}, (2, 3, 4)),
    ("softmax_layer", "Softmax", {}, (4, 6)),
    ("softmax_layer_axis1_3d", "Softmax", {"axis": 1}, (2, 3, 4)),
    ("softmax_layer_axes12", "Softmax", {"axis": [1, 2]}, (2, 3, 4)),
    ("softmax_layer_axis_list1", "Softmax", {"axis": [-1]}, (2, 3, 4)),
]


def OBJ(path, **kwargs):
    return {"__obj__": path, "kwargs": kwargs}


CONFIG_CASES = [
    # (id, kind, spec)
    ("LeakyReLU", "layer", OBJ("layers.LeakyReLU", negative_slope=0.15)),
    ("LeakyReLU_default", "layer", OBJ("layers.LeakyReLU")),
    ("ReLU", "layer", OBJ("layers.ReLU", max_value=6.0, negative_slope=0.1, threshold=0.5)),
    ("ReLU_default", "layer", OBJ("layers.ReLU")),
    ("ELU", "layer", OBJ("layers.ELU", alpha=0.7)),
    ("PReLU_default", "layer", OBJ("layers.PReLU")),
    ("PReLU", "layer", OBJ("layers.PReLU", alpha_initializer="ones", alpha_regularizer="l2",
                           alpha_constraint="non_neg", shared_axes=[1, 2])),
    ("PReLU_objects", "layer",
     OBJ("layers.PReLU", alpha_initializer=OBJ("initializers.Constant", value=0.25),
         alpha_regularizer=OBJ("regularizers.L1L2", l1=0.01, l2=0.02),
         alpha_constraint=OBJ("constraints.MaxNorm", max_value=1.5, axis=0), shared_axes=1)),
    ("Softmax", "layer", OBJ("layers.Softmax", axis=[1, 2])),
    ("Softmax_default", "layer", OBJ("layers.Softmax")),
    ("Activation_leaky_relu", "layer", OBJ("layers.Activation", activation="leaky_relu")),
    ("Dense_regularized", "layer",
     OBJ("layers.Dense", units=3, kernel_regularizer=OBJ("regularizers.L1", l1=0.05),
         bias_regularizer="l2", activity_regularizer=OBJ("regularizers.L2", l2=0.001),
         kernel_constraint="max_norm", bias_constraint=OBJ("constraints.NonNeg"),
         kernel_initializer="he_normal", bias_initializer="ones")),
    ("Zeros", "initializer", OBJ("initializers.Zeros")),
    ("Ones", "initializer", OBJ("initializers.Ones")),
    ("Constant", "initializer", OBJ("initializers.Constant", value=0.5)),
    ("Identity", "initializer", OBJ("initializers.Identity")),
    ("RandomNormal", "initializer", OBJ("initializers.RandomNormal", mean=1.0, stddev=2.0, seed=3)),
    ("RandomNormal_default", "initializer", OBJ("initializers.RandomNormal")),
    ("RandomUniform", "initializer",
     OBJ("initializers.RandomUniform", minval=-1.0, maxval=2.0, seed=4)),
    ("TruncatedNormal", "initializer",
     OBJ("initializers.TruncatedNormal", mean=0.5, stddev=0.1, seed=5)),
    ("VarianceScaling", "initializer",
     OBJ("initializers.VarianceScaling", scale=2.0, mode="fan_out", distribution="uniform",
         seed=6)),
    ("VarianceScaling_normal_alias", "initializer",
     OBJ("initializers.VarianceScaling", distribution="normal")),
    ("VarianceScaling_axes", "initializer",
     OBJ("initializers.VarianceScaling", mode="fan_avg", distribution="untruncated_normal",
         input_axes=[0, 1], output_axes=[2])),
    ("GlorotUniform", "initializer", OBJ("initializers.GlorotUniform", seed=1)),
    ("GlorotNormal", "initializer", OBJ("initializers.GlorotNormal")),
    ("HeUniform", "initializer", OBJ("initializers.HeUniform", seed=2)),
    ("HeNormal", "initializer", OBJ("initializers.HeNormal")),
    ("LecunUniform", "initializer", OBJ("initializers.LecunUniform")),
    ("LecunNormal", "initializer", OBJ("initializers.LecunNormal", seed=7)),
    ("Orthogonal", "initializer", OBJ("initializers.Orthogonal", gain=2.0, seed=8)),
    ("L1", "regularizer", OBJ("regularizers.L1", l1=0.02)),
    ("L1_default", "regularizer", OBJ("regularizers.L1")),
    ("L2", "regularizer", OBJ("regularizers.L2", l2=0.03)),
    ("L2_default", "regularizer", OBJ("regularizers.L2")),
    ("L1L2", "regularizer", OBJ("regularizers.L1L2", l1=0.01, l2=0.02)),
    ("L1L2_default", "regularizer", OBJ("regularizers.L1L2")),
    ("l1_l2_function_alias", "regularizer", OBJ("regularizers.l1_l2", l1=0.1)),
    ("OrthogonalRegularizer", "regularizer",
     OBJ("regularizers.OrthogonalRegularizer", factor=0.1, mode="columns")),
    ("MaxNorm", "constraint", OBJ("constraints.MaxNorm", max_value=1.5, axis=1)),
    ("MaxNorm_default", "constraint", OBJ("constraints.MaxNorm")),
    ("NonNeg", "constraint", OBJ("constraints.NonNeg")),
    ("UnitNorm", "constraint", OBJ("constraints.UnitNorm", axis=1)),
    ("MinMaxNorm", "constraint",
     OBJ("constraints.MinMaxNorm", min_value=0.5, max_value=1.2, rate=0.6, axis=0)),
    ("MinMaxNorm_default", "constraint", OBJ("constraints.MinMaxNorm")),
]


def custom_callables(ops):
    """Custom regularizers / constraints, looked up by name (mirrored in the tests)."""

    def sum_abs_005(x):
        return 0.05 * ops.sum(ops.abs(x))

    def mean_square_01(x):
        return 0.1 * ops.mean(ops.square(x))

    return {"sum_abs_005": sum_abs_005, "mean_square_01": mean_square_01}


def resolve(keras, spec, custom):
    """Build the object a spec describes (mirrored in the tests)."""
    if isinstance(spec, dict) and "__obj__" in spec:
        module, name = spec["__obj__"].split(".")
        kwargs = {k: resolve(keras, v, custom) for k, v in spec["kwargs"].items()}
        return getattr(getattr(keras, module), name)(**kwargs)
    if isinstance(spec, dict) and "__fn__" in spec:
        return custom[spec["__fn__"]]
    return spec


D = lambda units, **kw: OBJ("layers.Dense", units=units, **kw)  # noqa: E731

TRAINING_CASES = [
    # (id, layer specs, optimizer learning rate, batch size, note)
    ("reg_kernel_bias_activity",
     [D(3, activation="tanh", kernel_regularizer=OBJ("regularizers.L1L2", l1=0.01, l2=0.02),
        bias_regularizer=OBJ("regularizers.L2", l2=0.05),
        activity_regularizer=OBJ("regularizers.L1", l1=0.03)),
      D(2, kernel_regularizer=OBJ("regularizers.L1", l1=0.02),
        activity_regularizer=OBJ("regularizers.L2", l2=0.01))], 0.1, 8),
    ("reg_activity_minibatch",
     [D(3, activation="relu", activity_regularizer=OBJ("regularizers.L2", l2=0.05)),
      D(2, activity_regularizer=OBJ("regularizers.L1", l1=0.02))], 0.1, 3),
    ("reg_string_identifiers",
     [D(3, activation="sigmoid", kernel_regularizer="l1", bias_regularizer="l2"),
      D(2, kernel_regularizer="l1l2", activity_regularizer="l2")], 0.2, 8),
    ("reg_custom_callables",
     [D(3, activation="tanh", kernel_regularizer={"__fn__": "sum_abs_005"},
        activity_regularizer={"__fn__": "mean_square_01"}),
      D(2)], 0.1, 8),
    ("reg_orthogonal",
     [D(3, kernel_regularizer=OBJ("regularizers.OrthogonalRegularizer", factor=0.5)),
      D(2, kernel_regularizer=OBJ("regularizers.OrthogonalRegularizer", factor=0.2,
                                  mode="columns"))], 0.1, 8),
    ("constraints_all",
     [D(4, activation="tanh", kernel_constraint=OBJ("constraints.MaxNorm", max_value=0.8),
        bias_constraint=OBJ("constraints.NonNeg")),
      D(2, kernel_constraint=OBJ("constraints.UnitNorm"),
        bias_constraint=OBJ("constraints.MinMaxNorm", min_value=0.1, max_value=0.3, rate=0.5))],
     0.5, 8),
    ("constraints_axis1_strings",
     [D(4, activation="relu", kernel_constraint=OBJ("constraints.MaxNorm", max_value=0.5, axis=1)),
      D(2, kernel_constraint="non_neg", bias_constraint="unit_norm")], 0.3, 8),
    ("prelu_reg_constraint",
     [D(4), OBJ("layers.PReLU", alpha_regularizer=OBJ("regularizers.L2", l2=0.1),
                alpha_constraint=OBJ("constraints.NonNeg")),
      D(2)], 0.2, 8),
    ("activation_layers_stack",
     [D(5), OBJ("layers.LeakyReLU", negative_slope=0.1), D(5),
      OBJ("layers.ReLU", max_value=1.5, negative_slope=0.05, threshold=0.1), D(4),
      OBJ("layers.ELU", alpha=0.7), D(2), OBJ("layers.Softmax")], 0.1, 8),
]


def _grid(rng, shape, kinks):
    """Values in [-8, 8] that include every kink exactly, plus the kink-free copy."""
    x = rng.uniform(-8.0, 8.0, size=shape).astype(F)
    flat = x.reshape(-1)
    special = [0.0, -0.5, 0.5, -1.0, 1.0, -3.0, 3.0, 6.0, 7.5, -7.5] + list(kinks)
    flat[:len(special)] = special
    xg = flat.copy()
    for k in set([0.0] + list(kinks)):
        near = np.abs(xg - k) < 0.05
        xg[near] = k + 0.137
    return x, xg.reshape(shape)


def _functions(keras, rec):
    import jax
    import jax.numpy as jnp

    rng = np.random.RandomState(11)
    for cid, name, kwargs, kinks in FUNCTION_CASES:
        fn = getattr(keras.activations, name)
        x, xg = _grid(rng, (5, 8), kinks)
        if name == "exponential":
            x, xg = x * 0.5, xg * 0.5
        y = fn(x, **kwargs)
        g = rng.uniform(-1.0, 1.0, size=np.shape(y)).astype(F)
        grad = jax.grad(lambda t: jnp.sum(fn(t, **kwargs) * g))(jnp.asarray(xg))
        cid = f"fn_{cid}"
        rec.case({"id": cid, "kind": "function", "function": name, "kwargs": kwargs,
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", to_np(y)),
                  "x_grad": rec.arr(cid, "xg", xg), "upstream": rec.arr(cid, "g", g),
                  "grad": rec.arr(cid, "grad", to_np(grad)),
                  "serialized": keras.activations.serialize(fn)})


def _layers(keras, rec):
    import jax
    import jax.numpy as jnp

    rng = np.random.RandomState(12)
    for cid, cls, kwargs, shape in LAYER_CASES:
        keras.utils.clear_session()
        layer = getattr(keras.layers, cls)(**kwargs)
        x = (rng.randn(*shape) * 2.5).astype(F)
        x.reshape(-1)[:3] = [0.0, 0.5, 1.0]
        layer(x)
        weights = None
        if layer.weights:
            weights = [(rng.rand(*w.shape) * 0.6).astype(F) for w in layer.get_weights()]
            layer.set_weights(weights)
        y = layer(x)
        g = rng.uniform(-1.0, 1.0, size=x.shape).astype(F)
        xg = np.where(np.abs(x) < 0.05, x + 0.137, x).astype(F)
        tv = [v.value for v in layer.trainable_variables]

        def loss(tv, t):
            out, _ = layer.stateless_call(tv, [], t)
            return jnp.sum(out * g)

        gtv, gx = jax.grad(loss, argnums=(0, 1))(tv, jnp.asarray(xg))
        cid = f"layer_{cid}"
        rec.case({"id": cid, "kind": "layer", "class": cls, "kwargs": kwargs,
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", to_np(y)),
                  "weights": rec.arrs(cid, "w", weights) if weights else None,
                  "x_grad": rec.arr(cid, "xg", xg), "upstream": rec.arr(cid, "g", g),
                  "grad_x": rec.arr(cid, "gx", to_np(gx)),
                  "grad_weights": rec.arrs(cid, "gw", [to_np(a) for a in gtv]),
                  "config": layer.get_config()})
    # Softmax with a mask (float and bool).
    keras.utils.clear_session()
    x = rng.randn(2, 3, 4).astype(F)
    for cid, mask in (("softmax_mask_float", (rng.rand(2, 3, 4) > 0.3).astype(F)),
                      ("softmax_mask_bool_bcast", rng.rand(2, 1, 4) > 0.3)):
        y = keras.layers.Softmax()(x, mask=mask)
        cid = f"layer_{cid}"
        rec.case({"id": cid, "kind": "layer_mask", "class": "Softmax", "kwargs": {},
                  "x": rec.arr(cid, "x", x), "mask": rec.arr(cid, "mask", mask, dtype=mask.dtype),
                  "y": rec.arr(cid, "y", to_np(y))})


def _configs(keras, rec):
    custom = custom_callables(keras.ops)
    wrng = np.random.RandomState(13)
    w = (wrng.randn(4, 3) * 1.2).astype(F)
    for cid, kind, spec in CONFIG_CASES:
        keras.utils.clear_session()
        obj = resolve(keras, spec, custom)
        cid = f"config_{cid}"
        case = {"id": cid, "kind": f"config_{kind}", "spec": spec,
                "config": obj.get_config()}
        if kind != "layer":
            case["serialized"] = keras.saving.serialize_keras_object(obj)
        if kind == "regularizer":
            case["w"] = rec.arr(cid, "w", w)
            case["penalty"] = rec.arr(cid, "penalty", to_np(obj(keras.ops.convert_to_tensor(w))))
        if kind == "constraint":
            case["w"] = rec.arr(cid, "w", w)
            case["projected"] = rec.arr(cid, "projected", to_np(obj(w)))
        if kind == "initializer" and cid in ("Zeros", "Ones", "Constant", "Identity"):
            case["values"] = rec.arr(cid, "values", to_np(obj((3, 4))))
        rec.case(case)
    ident = keras.initializers.Identity(gain=2.5)
    rec.case({"id": "config_Identity_gain_values", "kind": "identity_gain", "gain": 2.5,
              "values": rec.arr("identity_gain", "values", to_np(ident((4, 3))))})


def _training(keras, rec):
    custom = custom_callables(keras.ops)
    for cid, specs, lr, batch_size in TRAINING_CASES:
        cid = f"train_{cid}"
        keras.utils.clear_session()
        rng = np.random.RandomState(21)
        x = rng.randn(8, 4).astype(F)
        y = rng.randn(8, 2).astype(F)
        model = keras.Sequential([keras.Input(shape=(4,))] + [resolve(keras, s, custom)
                                                              for s in specs])
        init = [(rng.randn(*w.shape) * 0.6).astype(F) for w in model.get_weights()]
        model.set_weights(init)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
        model(x)
        losses_after_call = [float(v) for v in model.losses]
        pred = model.predict(x, verbose=0)
        ev = model.evaluate(x, y, batch_size=batch_size, verbose=0)
        hist, weights = [], []
        for _ in range(3):
            h = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
            hist.append(float(h.history["loss"][0]))
            weights.append(rec.arrs(cid, f"w{len(weights)}_", [to_np(a)
                                                               for a in model.get_weights()]))
        rec.case({"id": cid, "kind": "training", "layers": specs,
                  "learning_rate": lr, "batch_size": batch_size,
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", y),
                  "init_weights": rec.arrs(cid, "init", init),
                  "losses_after_call": losses_after_call,
                  "predict": rec.arr(cid, "pred", to_np(pred)),
                  "evaluate": float(ev), "history": hist, "weights": weights})


def generate(keras):
    rec = Recorder("activations", keras_meta())
    _functions(keras, rec)
    _layers(keras, rec)
    _configs(keras, rec)
    _training(keras, rec)
    return rec.save()
