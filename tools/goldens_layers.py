"""Group a) layer forward outputs with explicitly set weights."""

import numpy as np

from goldens_common import LAMBDAS, Recorder, keras_meta, to_np

ACTIVATIONS = [
    "linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu",
    "softplus", "softsign", "swish", "silu", "gelu",
]


def make_layer(keras, spec):
    """Build a layer from {"class", "kwargs"} -- mirrored in the tests."""
    kwargs = dict(spec.get("kwargs", {}))
    if "function" in kwargs:
        kwargs["function"] = LAMBDAS[kwargs["function"]]
    if "target_shape" in kwargs:
        kwargs["target_shape"] = tuple(kwargs["target_shape"])
    return getattr(keras.layers, spec["class"])(**kwargs)


def run_case(keras, rec, cid, spec, x, weights=None, training=None, note=None):
    layer = make_layer(keras, spec)
    layer(x)  # build (eager call, inference)
    if weights is not None:
        layer.set_weights(weights)
    if training is None:
        y = layer(x)
    else:
        y = layer(x, training=training)
    case = {
        "id": cid,
        "layer": spec,
        "input": rec.arr(cid, "x", x),
        "weights": rec.arrs(cid, "w", weights) if weights is not None else None,
        "training": training,
        "output": rec.arr(cid, "y", to_np(y)),
    }
    if weights is not None:
        # Weights after the call (BatchNormalization training updates the
        # moving statistics; for every other layer they are unchanged).
        case["weights_after"] = rec.arrs(
            cid, "w_after", [to_np(w) for w in layer.get_weights()]
        )
    if note:
        case["note"] = note
    rec.case(case)


def generate(keras):
    rec = Recorder("layers", keras_meta())
    rng = np.random.RandomState(1234)

    # --- Dense, one case per activation -------------------------------
    x2 = (rng.randn(4, 5) * 1.5).astype(np.float32)
    w = (rng.randn(5, 3) * 0.7).astype(np.float32)
    b = (rng.randn(3) * 0.3).astype(np.float32)
    run_case(keras, rec, "dense_default", {"class": "Dense", "kwargs": {"units": 3}},
             x2, [w, b])
    for act in ACTIVATIONS:
        spec = {"class": "Dense", "kwargs": {"units": 3, "activation": act}}
        run_case(keras, rec, f"dense_{act}", spec, x2, [w, b])
    run_case(keras, rec, "dense_no_bias",
             {"class": "Dense", "kwargs": {"units": 3, "use_bias": False}},
             x2, [w])
    x3 = (rng.randn(2, 3, 5)).astype(np.float32)
    w4 = (rng.randn(5, 4) * 0.5).astype(np.float32)
    b4 = (rng.randn(4) * 0.2).astype(np.float32)
    run_case(keras, rec, "dense_3d_input_relu",
             {"class": "Dense", "kwargs": {"units": 4, "activation": "relu"}},
             x3, [w4, b4])

    # --- Activation layer ---------------------------------------------
    xa = (rng.randn(4, 6) * 2.0).astype(np.float32)
    xa[0, 0], xa[1, 1], xa[2, 2], xa[3, 3] = 25.0, -25.0, 0.0, 9.0
    for act in ACTIVATIONS:
        run_case(keras, rec, f"activation_{act}",
                 {"class": "Activation", "kwargs": {"activation": act}}, xa)

    # --- Dropout at inference -----------------------------------------
    xd = rng.randn(3, 7).astype(np.float32)
    run_case(keras, rec, "dropout_default_call",
             {"class": "Dropout", "kwargs": {"rate": 0.5}}, xd)
    run_case(keras, rec, "dropout_training_false",
             {"class": "Dropout", "kwargs": {"rate": 0.5}}, xd, training=False)

    # --- BatchNormalization -------------------------------------------
    xb = (rng.randn(6, 4) * 2.0 + 1.0).astype(np.float32)
    gamma = (1.0 + 0.3 * rng.randn(4)).astype(np.float32)
    beta = (0.5 * rng.randn(4)).astype(np.float32)
    mm = (0.4 * rng.randn(4)).astype(np.float32)
    mv = (0.5 + rng.rand(4)).astype(np.float32)
    bn = {"class": "BatchNormalization", "kwargs": {}}
    run_case(keras, rec, "bn_inference_default_call", bn, xb, [gamma, beta, mm, mv])
    run_case(keras, rec, "bn_inference", bn, xb, [gamma, beta, mm, mv],
             training=False)
    run_case(keras, rec, "bn_training", bn, xb, [gamma, beta, mm, mv],
             training=True,
             note="momentum 0.99, epsilon 1e-3; weights_after holds the "
                  "moving stats after one training call")
    bn_c = {"class": "BatchNormalization",
            "kwargs": {"momentum": 0.9, "epsilon": 0.01,
                       "center": False, "scale": False}}
    run_case(keras, rec, "bn_custom_inference", bn_c, xb, [mm, mv],
             training=False)
    run_case(keras, rec, "bn_custom_training", bn_c, xb, [mm, mv],
             training=True)
    xb3 = (rng.randn(2, 3, 4) + 0.5).astype(np.float32)
    run_case(keras, rec, "bn_3d_training", bn, xb3, [gamma, beta, mm, mv],
             training=True)

    # --- Flatten / Reshape / Lambda -----------------------------------
    xf = rng.randn(2, 3, 4).astype(np.float32)
    run_case(keras, rec, "flatten_3d", {"class": "Flatten", "kwargs": {}}, xf)
    xr = rng.randn(2, 12).astype(np.float32)
    run_case(keras, rec, "reshape_3_4",
             {"class": "Reshape", "kwargs": {"target_shape": [3, 4]}}, xr)
    run_case(keras, rec, "reshape_minus1_2",
             {"class": "Reshape", "kwargs": {"target_shape": [-1, 2]}}, xr)
    xl = rng.randn(3, 5).astype(np.float32)
    run_case(keras, rec, "lambda_times2_plus1",
             {"class": "Lambda", "kwargs": {"function": "times2_plus1"}}, xl)
    run_case(keras, rec, "lambda_slice_1_3",
             {"class": "Lambda", "kwargs": {"function": "slice_1_3"}}, xl)
    return rec.save()
