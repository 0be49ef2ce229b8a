"""Group 'conv': convolution, pooling and spatial reshaping layers from real Keras 3.

Forward cases: a layer (class + kwargs), an input, weights set with set_weights()
from a fixed RandomState, the output, and the layer's get_config() (minus name and
dtype). Training cases: a small CNN with set weights trained 3 steps by fit()
(one batch per epoch, shuffle=False); per-step losses and the final weights.
"""

import zlib

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np

F = np.float32

FORWARD = [
    # (id, class, kwargs, input shape)
    ("conv1d_valid", "Conv1D", {"filters": 3, "kernel_size": 3}, (2, 9, 2)),
    ("conv1d_same_s2", "Conv1D", {"filters": 3, "kernel_size": 4, "strides": 2,
                                  "padding": "same"}, (2, 9, 2)),
    ("conv1d_causal_d2", "Conv1D", {"filters": 2, "kernel_size": 3, "padding": "causal",
                                    "dilation_rate": 2, "activation": "relu"}, (2, 8, 3)),
    ("conv1d_groups_cf", "Conv1D", {"filters": 4, "kernel_size": 3, "groups": 2,
                                    "data_format": "channels_first"}, (2, 4, 7)),
    ("conv2d_valid", "Conv2D", {"filters": 4, "kernel_size": 3}, (2, 6, 7, 3)),
    ("conv2d_same", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same",
                               "activation": "relu"}, (2, 6, 7, 3)),
    ("conv2d_same_s2", "Conv2D", {"filters": 3, "kernel_size": (3, 2), "strides": 2,
                                  "padding": "same"}, (2, 7, 6, 2)),
    ("conv2d_valid_s2x1", "Conv2D", {"filters": 3, "kernel_size": 2, "strides": (2, 1)},
     (2, 7, 6, 2)),
    ("conv2d_dilation", "Conv2D", {"filters": 2, "kernel_size": 3, "dilation_rate": 2},
     (2, 7, 7, 2)),
    ("conv2d_dilation_same", "Conv2D", {"filters": 2, "kernel_size": 2, "dilation_rate": (2, 3),
                                        "padding": "same"}, (1, 6, 7, 2)),
    ("conv2d_groups", "Conv2D", {"filters": 6, "kernel_size": 3, "groups": 3,
                                 "padding": "same"}, (2, 5, 5, 6)),
    ("conv2d_cf", "Conv2D", {"filters": 3, "kernel_size": 3, "data_format": "channels_first",
                             "strides": 2, "padding": "same"}, (2, 2, 7, 6)),
    ("conv2d_nobias", "Conv2D", {"filters": 3, "kernel_size": 1, "use_bias": False},
     (2, 4, 4, 3)),
    ("convT_valid", "Conv2DTranspose", {"filters": 3, "kernel_size": 3}, (2, 4, 5, 2)),
    ("convT_valid_s2", "Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2},
     (2, 4, 5, 2)),
    ("convT_same_s2", "Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2,
                                          "padding": "same"}, (2, 4, 5, 2)),
    ("convT_same_k4_s2", "Conv2DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2,
                                             "padding": "same"}, (1, 3, 4, 2)),
    ("convT_k2_s3", "Conv2DTranspose", {"filters": 2, "kernel_size": 2, "strides": 3},
     (1, 3, 3, 2)),
    ("convT_outpad", "Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2,
                                         "output_padding": 1}, (1, 3, 4, 2)),
    ("convT_dil_cf", "Conv2DTranspose", {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                         "data_format": "channels_first"}, (2, 2, 4, 3)),
    ("depthwise", "DepthwiseConv2D", {"kernel_size": 3}, (2, 6, 6, 3)),
    ("depthwise_m2_same_s2", "DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2,
                                                 "strides": 2, "padding": "same"},
     (2, 7, 6, 3)),
    ("depthwise_cf_dil", "DepthwiseConv2D", {"kernel_size": 2, "dilation_rate": 2,
                                             "data_format": "channels_first"}, (1, 2, 6, 5)),
    ("separable", "SeparableConv2D", {"filters": 4, "kernel_size": 3}, (2, 6, 6, 3)),
    ("separable_m2_same", "SeparableConv2D", {"filters": 3, "kernel_size": 3,
                                              "depth_multiplier": 2, "padding": "same",
                                              "strides": 2, "activation": "relu"},
     (2, 7, 7, 2)),
    ("maxpool1d", "MaxPooling1D", {}, (2, 9, 3)),
    ("maxpool1d_same_s1", "MaxPooling1D", {"pool_size": 3, "strides": 1, "padding": "same"},
     (2, 7, 3)),
    ("maxpool2d", "MaxPooling2D", {}, (2, 7, 6, 3)),
    ("maxpool2d_same", "MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 6, 3)),
    ("maxpool2d_cf", "MaxPooling2D", {"pool_size": (2, 3), "data_format": "channels_first"},
     (2, 3, 6, 7)),
    ("avgpool1d", "AveragePooling1D", {"pool_size": 2}, (2, 9, 3)),
    ("avgpool1d_same", "AveragePooling1D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 8, 3)),
    ("avgpool2d", "AveragePooling2D", {"pool_size": 2}, (2, 6, 6, 3)),
    ("avgpool2d_same", "AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 7, 6, 3)),
    ("avgpool2d_cf", "AveragePooling2D", {"pool_size": 2, "strides": 1,
                                          "data_format": "channels_first"}, (2, 3, 4, 5)),
    ("gmaxpool1d", "GlobalMaxPooling1D", {}, (2, 5, 3)),
    ("gmaxpool2d_keep", "GlobalMaxPooling2D", {"keepdims": True}, (2, 4, 5, 3)),
    ("gavgpool1d_cf", "GlobalAveragePooling1D", {"data_format": "channels_first"}, (2, 3, 5)),
    ("gavgpool2d", "GlobalAveragePooling2D", {}, (2, 4, 5, 3)),
    ("upsampling2d", "UpSampling2D", {}, (2, 3, 4, 2)),
    ("upsampling2d_cf", "UpSampling2D", {"size": (3, 2), "data_format": "channels_first"},
     (2, 2, 3, 2)),
    ("upsampling2d_bilinear", "UpSampling2D", {"interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("upsampling2d_bilinear_cf", "UpSampling2D", {"size": (3, 2), "interpolation": "bilinear",
                                                  "data_format": "channels_first"}, (1, 2, 3, 4)),
    ("upsampling2d_bicubic", "UpSampling2D", {"size": 3, "interpolation": "bicubic"}, (1, 4, 5, 2)),
    ("upsampling2d_lanczos3", "UpSampling2D", {"interpolation": "lanczos3"}, (1, 5, 4, 1)),
    ("upsampling2d_lanczos5", "UpSampling2D", {"size": (2, 3), "interpolation": "lanczos5"},
     (1, 6, 7, 1)),
    ("zeropad2d", "ZeroPadding2D", {}, (2, 3, 4, 2)),
    ("zeropad2d_asym_cf", "ZeroPadding2D", {"padding": [[1, 0], [2, 3]],
                                            "data_format": "channels_first"}, (1, 2, 3, 3)),
    ("cropping2d", "Cropping2D", {"cropping": [[1, 0], [0, 2]]}, (2, 4, 5, 2)),
    ("cropping2d_sym_cf", "Cropping2D", {"cropping": 1, "data_format": "channels_first"},
     (1, 2, 4, 5)),
    ("permute", "Permute", {"dims": [3, 1, 2]}, (2, 3, 4, 2)),
    ("repeat_vector", "RepeatVector", {"n": 3}, (2, 4)),
    # The 1-D family (transposed, depthwise, separable, up-sampling, padding, cropping).
    ("convT1d_valid", "Conv1DTranspose", {"filters": 3, "kernel_size": 3}, (2, 6, 2)),
    ("convT1d_same_s2", "Conv1DTranspose", {"filters": 2, "kernel_size": 4, "strides": 2,
                                            "padding": "same"}, (2, 5, 3)),
    ("convT1d_outpad_s3", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 3,
                                              "output_padding": 2}, (1, 4, 2)),
    ("convT1d_same_outpad", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2,
                                                "padding": "same", "output_padding": 1},
     (2, 5, 2)),
    ("convT1d_dil_cf", "Conv1DTranspose", {"filters": 2, "kernel_size": 3, "dilation_rate": 2,
                                           "data_format": "channels_first",
                                           "activation": "tanh"}, (2, 3, 5)),
    ("depthwise1d_m2_same_s2", "DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2,
                                                   "strides": 2, "padding": "same"}, (2, 9, 3)),
    ("depthwise1d_cf_dil", "DepthwiseConv1D", {"kernel_size": 2, "dilation_rate": 3,
                                               "data_format": "channels_first",
                                               "activation": "relu"}, (2, 2, 9)),
    ("depthwise1d_s2_d2", "DepthwiseConv1D", {"kernel_size": 3, "strides": 2, "dilation_rate": 2,
                                              "depth_multiplier": 2, "use_bias": False},
     (2, 11, 2)),
    ("separable1d_m2_same_s2", "SeparableConv1D", {"filters": 3, "kernel_size": 3,
                                                   "depth_multiplier": 2, "padding": "same",
                                                   "strides": 2, "activation": "relu"},
     (2, 9, 2)),
    ("separable1d_cf_dil", "SeparableConv1D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                               "data_format": "channels_first"}, (2, 3, 8)),
    ("separable1d_same_s2_d2", "SeparableConv1D", {"filters": 2, "kernel_size": 3, "strides": 2,
                                                   "dilation_rate": 2, "padding": "same",
                                                   "use_bias": False}, (1, 9, 2)),
    ("depthwise_s2_d2", "DepthwiseConv2D", {"kernel_size": 2, "strides": 2, "dilation_rate": 2},
     (1, 7, 7, 2)),
    ("separable_same_s2_d2", "SeparableConv2D", {"filters": 2, "kernel_size": 3, "strides": 2,
                                                 "dilation_rate": 2, "padding": "same"},
     (1, 7, 6, 2)),
    ("upsampling1d", "UpSampling1D", {}, (2, 3, 4)),
    ("upsampling1d_3", "UpSampling1D", {"size": 3}, (1, 4, 2)),
    ("zeropad1d", "ZeroPadding1D", {}, (2, 3, 2)),
    ("zeropad1d_asym_cf", "ZeroPadding1D", {"padding": [2, 0], "data_format": "channels_first"},
     (1, 2, 3)),
    ("cropping1d", "Cropping1D", {}, (2, 5, 3)),
    ("cropping1d_asym", "Cropping1D", {"cropping": [2, 0]}, (1, 6, 2)),
    ("identity", "Identity", {}, (2, 3, 4)),
]

# Keras's other names of layer classes: the case records the class each one is in Keras.
ALIASES = ["AvgPool1D", "AvgPool2D", "Convolution1D", "Convolution1DTranspose", "Convolution2D",
           "Convolution2DTranspose", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
           "GlobalMaxPool2D", "MaxPool1D", "MaxPool2D", "SeparableConvolution1D",
           "SeparableConvolution2D"]

# ops.image.resize: (id, input shape, size, interpolation, antialias, data_format)
RESIZES = [
    ("resize_bilinear_down", (2, 8, 9, 3), (3, 4), "bilinear", False, "channels_last"),
    ("resize_bilinear_down_aa", (2, 8, 9, 3), (3, 4), "bilinear", True, "channels_last"),
    ("resize_bicubic_mixed_aa", (1, 6, 10, 2), (9, 4), "bicubic", True, "channels_last"),
    ("resize_lanczos3_down_aa_cf", (1, 2, 10, 7), (4, 3), "lanczos3", True, "channels_first"),
    ("resize_lanczos5_up", (5, 6, 2), (11, 13), "lanczos5", False, "channels_last"),
    ("resize_nearest_fraction", (1, 5, 7, 2), (8, 3), "nearest", False, "channels_last"),
]

MODELS = {
    "cnn_relu_maxpool": [
        ("Conv2D", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
        ("MaxPooling2D", {}),
        ("Conv2D", {"filters": 6, "kernel_size": 2, "padding": "same", "activation": "relu"}),
        ("Flatten", {}),
        ("Dense", {"units": 3, "activation": "softmax"}),
    ],
    "cnn_mixed": [
        ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "padding": "same",
                             "activation": "tanh"}),
        ("AveragePooling2D", {"pool_size": 2}),
        ("DepthwiseConv2D", {"kernel_size": 2, "depth_multiplier": 2}),
        ("Conv2DTranspose", {"filters": 3, "kernel_size": 2, "strides": 2}),
        ("GlobalMaxPooling2D", {}),
        ("Dense", {"units": 3, "activation": "softmax"}),
    ],
}


def _fix(kwargs, layers=None):
    """JSON kwargs -> constructor kwargs: nested lists as tuples, a {"class", "kwargs"}
    `layer` (a wrapper's) as that layer of `layers`."""
    out = dict(kwargs)
    if isinstance(out.get("layer"), dict):
        spec = out["layer"]
        out["layer"] = getattr(layers, spec["class"])(**_fix(spec["kwargs"], layers))
    for k in ("padding", "cropping", "dims"):
        if isinstance(out.get(k), list):
            out[k] = tuple(tuple(v) if isinstance(v, list) else v for v in out[k])
    return out


def record_forward(rec, keras, cases):
    """Record each (id, class, kwargs, input shape) case: input, set weights, output (a list
    of outputs for layers that return several) and config."""
    for cid, cls, kwargs, shape in cases:
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x = rng.randn(*shape).astype(F)
        layer = getattr(keras.layers, cls)(**_fix(kwargs, keras.layers))
        layer(x)
        weights = [(rng.randn(*w.shape) * 0.5).astype(F) for w in layer.get_weights()]
        layer.set_weights(weights)
        y = layer(x)
        out = (rec.arrs(cid, "y", [to_np(v) for v in y]) if isinstance(y, (list, tuple))
               else rec.arr(cid, "y", to_np(y)))
        cfg = layer.get_config()
        cfg.pop("name")
        cfg.pop("dtype")
        rec.case({
            "id": cid, "layer": {"class": cls, "kwargs": kwargs},
            "input": rec.arr(cid, "x", x), "weights": rec.arrs(cid, "w", weights),
            "output": out, "config": jsonable(cfg),
        })


def record_aliases(rec, keras, names):
    """The class each of Keras's alias names is."""
    aliases = {name: getattr(keras.layers, name).__name__ for name in names}
    assert all(getattr(keras.layers, name) is getattr(keras.layers, cls)
               for name, cls in aliases.items())
    rec.case({"id": "aliases", "aliases": aliases})


def record_training(rec, keras, models, input_shape):
    """3 SGD steps of each Sequential model of `models` on a fixed batch."""
    for cid, spec in models.items():
        keras.utils.clear_session()
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x = rng.rand(12, *input_shape).astype(F)
        y = rng.randint(0, 3, size=(12,)).astype(np.int64)
        model = keras.Sequential([keras.Input(input_shape)] +
                                 [getattr(keras.layers, c)(**kw) for c, kw in spec])
        init = [(rng.randn(*w.shape) * (0.5 if w.ndim > 1 else 0.1)).astype(F)
                for w in model.get_weights()]
        model.set_weights(init)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                      loss="sparse_categorical_crossentropy")
        hist = model.fit(x, y, batch_size=12, epochs=3, shuffle=False, verbose=0)
        rec.case({
            "id": cid, "model": [{"class": c, "kwargs": kw} for c, kw in spec],
            "input_shape": list(input_shape),
            "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", y),
            "init": rec.arrs(cid, "w", init),
            "losses": [float(v) for v in hist.history["loss"]],
            "final": rec.arrs(cid, "final", [to_np(w) for w in model.get_weights()]),
            "predict": rec.arr(cid, "pred", to_np(model.predict(x, verbose=0))),
        })


def generate(keras):
    rec = Recorder("conv", keras_meta())
    record_forward(rec, keras, FORWARD)
    record_aliases(rec, keras, ALIASES)

    for cid, shape, size, interpolation, antialias, fmt in RESIZES:
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x = rng.randn(*shape).astype(F)
        y = to_np(keras.ops.image.resize(x, size, interpolation=interpolation,
                                         antialias=antialias, data_format=fmt))
        rec.case({"id": cid, "resize": {"size": list(size), "interpolation": interpolation,
                                        "antialias": antialias, "data_format": fmt},
                  "input": rec.arr(cid, "x", x), "output": rec.arr(cid, "y", y)})

    record_training(rec, keras, MODELS, (8, 8, 2))
    rec.save()
