"""Golden group 'preproc': Keras 3's preprocessing layers (dev-only; needs real Keras 3 and,
for the string layers, TensorFlow, which Keras's Hashing/lookup layers run on).

Records, for each case: the layer's class and kwargs, the input (array key, or strings in
the JSON), what `adapt` saw, the output of one call (with `training` when given), the
learned vocabulary / bin boundaries / mean and variance, and `get_config()` (name and
dtype left out). Random layers are recorded with degenerate factor ranges, e.g.
`RandomRotation((0.25, 0.25))`, so the transform is fixed and Keras's numbers are exact;
their random behaviour is tested by statistics in the tests.
"""

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np

F = np.float32
_rng = np.random.RandomState(5)
IMG = _rng.uniform(0, 255, (2, 5, 6, 3)).astype(F)
IMG1 = _rng.uniform(0, 1, (7, 6, 2)).astype(F)       # a single image
IMG_CF = _rng.uniform(0, 1, (2, 2, 5, 4)).astype(F)  # channels_first
IMG_U8 = _rng.randint(0, 256, (2, 4, 4, 3)).astype(np.uint8)
TAB = (_rng.randn(12, 3) * [1.0, 5.0, 0.1] + [0.0, 10.0, -2.0]).astype(F)
TAB3 = _rng.randn(4, 3, 2).astype(F)
VALS = np.array([[-1.5, 0.0, 0.2, 1.0], [2.5, 3.0, -0.3, 7.0]], F)
INTS = np.array([[1, 3, 3, 0], [2, 2, 5, 1]], np.int64)
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "a CAT, a dog; and a bird",
         "Élan and ÉCOLE", "the the the"]
QUERY = ["the cat and the dog", "unknown words here", "", "Bird-watching: the CAT"]
WORDS = ["a", "b", "b", "c", "c", "c", "d", "d", "e", "f", "f", "f", "g"]
WORDS_Q = [["c", "z", "a"], ["b", "g", "x"]]

IMAGE_CASES = [
    # (id, class, kwargs, input, call kwargs)
    ("rescale", "Rescaling", {"scale": 1.0 / 255}, "IMG", {}),
    ("rescale_offset", "Rescaling", {"scale": 1.0 / 127.5, "offset": -1.0}, "IMG_U8", {}),
    ("rescale_vector", "Rescaling", {"scale": [0.5, 1.0, 2.0], "offset": 0.25}, "IMG", {}),
    ("resize_down", "Resizing", {"height": 3, "width": 4}, "IMG", {}),
    ("resize_up_nearest", "Resizing", {"height": 8, "width": 9, "interpolation": "nearest"},
     "IMG", {}),
    ("resize_bicubic", "Resizing", {"height": 4, "width": 7, "interpolation": "bicubic"}, "IMG",
     {}),
    ("resize_crop", "Resizing", {"height": 4, "width": 2, "crop_to_aspect_ratio": True}, "IMG",
     {}),
    ("resize_pad", "Resizing", {"height": 4, "width": 2, "pad_to_aspect_ratio": True,
                                "fill_value": 0.5}, "IMG1", {}),
    ("resize_antialias", "Resizing", {"height": 2, "width": 3, "antialias": True}, "IMG", {}),
    ("resize_cf", "Resizing", {"height": 3, "width": 3, "data_format": "channels_first"},
     "IMG_CF", {}),
    ("center_crop", "CenterCrop", {"height": 3, "width": 4}, "IMG", {}),
    ("center_crop_single", "CenterCrop", {"height": 4, "width": 5}, "IMG1", {}),
    ("center_crop_upscale", "CenterCrop", {"height": 6, "width": 8}, "IMG", {}),
    ("center_crop_cf", "CenterCrop", {"height": 3, "width": 2, "data_format": "channels_first"},
     "IMG_CF", {}),
    ("random_crop_small", "RandomCrop", {"height": 6, "width": 4, "seed": 1}, "IMG",
     {"training": True}),
    ("brightness_fixed", "RandomBrightness", {"factor": (0.1, 0.1), "seed": 1}, "IMG",
     {"training": True}),
    ("brightness_clip", "RandomBrightness", {"factor": (-0.6, -0.6), "value_range": (0, 1)},
     "IMG1", {"training": True}),
    ("contrast_fixed", "RandomContrast", {"factor": (-0.3, 0.3), "seed": 2}, "IMG",
     {"training": True}),
    ("contrast_fixed_unit", "RandomContrast", {"factor": (-0.5, 0.5), "value_range": (0, 1)},
     "IMG1", {"training": True}),
    ("brightness_inference", "RandomBrightness", {"factor": 0.4}, "IMG", {"training": False}),
    ("contrast_inference", "RandomContrast", {"factor": 0.4}, "IMG", {"training": False}),
    ("flip_inference", "RandomFlip", {}, "IMG", {"training": False}),
    ("rotation_inference", "RandomRotation", {"factor": 0.3}, "IMG", {"training": False}),
    ("zoom_inference", "RandomZoom", {"height_factor": 0.3}, "IMG", {"training": False}),
    ("translation_inference", "RandomTranslation", {"height_factor": 0.3, "width_factor": 0.2},
     "IMG", {"training": False}),
]
for fill in ("reflect", "wrap", "constant", "nearest"):
    for interp in ("bilinear", "nearest"):
        tag = f"{fill}_{interp}"
        common = {"fill_mode": fill, "interpolation": interp, "fill_value": 0.5}
        IMAGE_CASES += [
            (f"rotate90_{tag}", "RandomRotation", {"factor": (0.25, 0.25), **common}, "IMG",
             {"training": True}),
            (f"rotate30_{tag}", "RandomRotation", {"factor": (-1 / 12, -1 / 12), **common},
             "IMG1", {"training": True}),
            (f"zoom_out_{tag}", "RandomZoom", {"height_factor": (0.5, 0.5), **common}, "IMG",
             {"training": True}),
            (f"zoom_in_{tag}", "RandomZoom", {"height_factor": (-0.3, -0.3),
                                              "width_factor": (0.2, 0.2), **common}, "IMG1",
             {"training": True}),
            (f"translate_{tag}", "RandomTranslation", {"height_factor": (0.3, 0.3),
                                                       "width_factor": (-0.25, -0.25), **common},
             "IMG", {"training": True}),
        ]
IMAGE_CASES += [
    ("rotate_cf", "RandomRotation", {"factor": (0.1, 0.1), "data_format": "channels_first"},
     "IMG_CF", {"training": True}),
    ("zoom_cf", "RandomZoom", {"height_factor": (0.4, 0.4), "data_format": "channels_first"},
     "IMG_CF", {"training": True}),
]

NUMERIC_CASES = [
    # (id, class, kwargs, input, adapt data or None)
    ("norm_given", "Normalization", {"mean": [0.0, 10.0, -2.0], "variance": [1.0, 25.0, 0.01]},
     "TAB", None),
    ("norm_scalar", "Normalization", {"axis": None, "mean": 2.0, "variance": 4.0}, "TAB", None),
    ("norm_adapt", "Normalization", {}, "TAB", "TAB"),
    ("norm_adapt_batches", "Normalization", {}, "TAB", "TAB_BATCHES"),
    ("norm_adapt_none", "Normalization", {"axis": None}, "TAB", "TAB"),
    ("norm_adapt_axes", "Normalization", {"axis": (1, 2)}, "TAB3", "TAB3"),
    ("norm_adapt_axis1", "Normalization", {"axis": 1}, "TAB3", "TAB3"),
    ("norm_invert", "Normalization", {"mean": [0.0, 10.0, -2.0], "variance": [1.0, 25.0, 0.01],
                                      "invert": True}, "TAB", None),
    ("norm_zero_var", "Normalization", {"mean": 1.0, "variance": 0.0}, "TAB", None),
    ("disc_bins", "Discretization", {"bin_boundaries": [0.0, 1.0, 2.5]}, "VALS", None),
    ("disc_one_hot", "Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"},
     "VALS1", None),
    ("disc_multi_hot", "Discretization", {"bin_boundaries": [0.0, 1.0],
                                          "output_mode": "multi_hot"}, "VALS", None),
    ("disc_count", "Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "count"},
     "VALS", None),
    ("disc_adapt", "Discretization", {"num_bins": 4}, "VALS", "ADAPT_FLOATS"),
    ("disc_adapt_eps", "Discretization", {"num_bins": 5, "epsilon": 0.05}, "VALS",
     "ADAPT_FLOATS"),
    ("disc_adapt_batches", "Discretization", {"num_bins": 3}, "VALS", "ADAPT_BATCHES"),
    ("cat_multi_hot", "CategoryEncoding", {"num_tokens": 6}, "INTS", None),
    ("cat_count", "CategoryEncoding", {"num_tokens": 6, "output_mode": "count"}, "INTS", None),
    ("cat_one_hot", "CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"}, "INTS1",
     None),
    ("cat_one_hot_col", "CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"},
     "INTS_COL", None),
    ("cat_binary_1d", "CategoryEncoding", {"num_tokens": 6, "output_mode": "binary"}, "INTS1",
     None),
]

STRING_CASES = [
    # (id, class, kwargs, call input (JSON), adapt data (JSON) or None)
    ("hash_str", "Hashing", {"num_bins": 7}, [["A"], ["B"], ["hello world"], ["é"]], None),
    ("hash_long", "Hashing", {"num_bins": 1000},
     [["x" * n for n in (15, 16, 17, 31, 32, 33, 63, 64, 65, 128, 200)]], None),
    ("hash_int", "Hashing", {"num_bins": 5}, [[1, 2, 3], [-4, 1000000, 0]], None),
    ("hash_salt", "Hashing", {"num_bins": 11, "salt": 133}, [["A", "B", "C", "D"]], None),
    ("hash_salt_pair", "Hashing", {"num_bins": 11, "salt": [1, 2]}, [["A", "B", "C", "D"]], None),
    ("hash_mask", "Hashing", {"num_bins": 4, "mask_value": ""}, [["", "a", "b", "", "c"]], None),
    ("hash_mask_int", "Hashing", {"num_bins": 4, "mask_value": 0}, [[0, 1, 2, 3, 0]], None),
    ("hash_multi_hot", "Hashing", {"num_bins": 5, "output_mode": "multi_hot"},
     [["a", "b"], ["c", "a"]], None),
    ("hash_count", "Hashing", {"num_bins": 5, "output_mode": "count"},
     [["a", "b", "a"], ["c", "a", "c"]], None),
    ("hash_one_hot", "Hashing", {"num_bins": 5, "output_mode": "one_hot"}, ["a", "b", "c"], None),
    ("str_vocab", "StringLookup", {"vocabulary": ["a", "b", "c"]}, WORDS_Q, None),
    ("str_adapt", "StringLookup", {}, WORDS_Q, WORDS),
    ("str_adapt_max", "StringLookup", {"max_tokens": 4}, WORDS_Q, WORDS),
    ("str_mask", "StringLookup", {"mask_token": "", "vocabulary": ["a", "b"]},
     [["a", "", "q"], ["b", "b", ""]], None),
    ("str_oov2", "StringLookup", {"num_oov_indices": 2, "vocabulary": ["a", "b"]},
     [["a", "zz", "q", "r", "s", "b"]], None),
    ("str_oov0", "StringLookup", {"num_oov_indices": 0, "vocabulary": ["a", "b"]},
     [["a", "b", "b"]], None),
    ("str_salt", "StringLookup", {"num_oov_indices": 3, "salt": 7, "vocabulary": ["a"]},
     [["a", "u", "v", "w", "x", "y"]], None),
    ("str_invert", "StringLookup", {"invert": True, "vocabulary": ["a", "b", "c"]},
     [[1, 3, 0, 9]], None),
    ("str_invert_mask", "StringLookup", {"invert": True, "mask_token": "[M]",
                                         "vocabulary": ["a", "b"]}, [[0, 1, 2, 3, 5]], None),
    ("str_multi_hot", "StringLookup", {"output_mode": "multi_hot"}, WORDS_Q, WORDS),
    ("str_count_mask", "StringLookup", {"output_mode": "count", "mask_token": "",
                                        "vocabulary": ["a", "b", "c"]},
     [["a", "", "c", "c"], ["", "b", "z", "a"]], None),
    ("str_one_hot", "StringLookup", {"output_mode": "one_hot", "vocabulary": ["a", "b", "c"]},
     ["a", "z", "c"], None),
    ("str_tf_idf", "StringLookup", {"output_mode": "tf_idf"}, WORDS_Q,
     [["a", "b", "b"], ["c", "b", "d"], ["c", "c", "e"]]),
    ("str_tf_idf_given", "StringLookup", {"output_mode": "tf_idf", "vocabulary": ["a", "b"],
                                          "idf_weights": [0.5, 0.25]}, [["a", "b", "b", "q"]],
     None),
    ("str_pad_max", "StringLookup", {"output_mode": "multi_hot", "max_tokens": 8,
                                     "pad_to_max_tokens": True}, WORDS_Q, WORDS),
    ("int_vocab", "IntegerLookup", {"vocabulary": [12, 36, 1138]}, [[12, 1138, 42], [36, 36, 7]],
     None),
    ("int_adapt", "IntegerLookup", {}, [[5, 7, 100], [9, 1, 5]], [5, 5, 7, 9, 9, 9, 1, 100, 100]),
    ("int_mask", "IntegerLookup", {"mask_token": 0, "vocabulary": [3, 4]}, [[0, 3, 4, 8]], None),
    ("int_oov2", "IntegerLookup", {"num_oov_indices": 2, "vocabulary": [3, 4]},
     [[3, 4, 5, 6, 7, 8, -3]], None),
    ("int_farmhash", "IntegerLookup", {"num_oov_indices": 3, "oov_method": "farmhash",
                                       "vocabulary": [3]}, [[3, 4, 5, 6, 7, 8]], None),
    ("int_invert", "IntegerLookup", {"invert": True, "vocabulary": [12, 36]}, [[0, 1, 2, 5]],
     None),
    ("int_count", "IntegerLookup", {"output_mode": "count"}, [[5, 5, 7], [9, 1, 2]],
     [5, 5, 7, 9, 9, 9, 1]),
    ("tv_int", "TextVectorization", {"output_sequence_length": 6}, QUERY, TEXTS),
    ("tv_int_ragged_pad", "TextVectorization", {}, QUERY, TEXTS),
    ("tv_max_tokens", "TextVectorization", {"max_tokens": 6, "output_sequence_length": 4},
     QUERY, TEXTS),
    ("tv_lower", "TextVectorization", {"standardize": "lower", "output_sequence_length": 5},
     QUERY, TEXTS),
    ("tv_strip", "TextVectorization", {"standardize": "strip_punctuation",
                                       "output_sequence_length": 5}, QUERY, TEXTS),
    ("tv_no_std", "TextVectorization", {"standardize": None, "output_sequence_length": 5},
     QUERY, TEXTS),
    ("tv_char", "TextVectorization", {"split": "character", "output_sequence_length": 8},
     QUERY, TEXTS),
    ("tv_ngrams", "TextVectorization", {"ngrams": 2, "output_sequence_length": 10}, QUERY, TEXTS),
    ("tv_ngrams_tuple", "TextVectorization", {"ngrams": (1, 3), "output_mode": "count"}, QUERY,
     TEXTS),
    ("tv_multi_hot", "TextVectorization", {"output_mode": "multi_hot"}, QUERY, TEXTS),
    ("tv_count", "TextVectorization", {"output_mode": "count", "max_tokens": 8,
                                       "pad_to_max_tokens": True}, QUERY, TEXTS),
    ("tv_tf_idf", "TextVectorization", {"output_mode": "tf_idf"}, QUERY, TEXTS),
    ("tv_vocab", "TextVectorization", {"vocabulary": ["the", "cat", "dog"],
                                       "output_sequence_length": 4}, QUERY, None),
    ("tv_split_none", "TextVectorization", {"split": None, "vocabulary": ["the cat", "dog"]},
     [["the cat"], ["Dog"], ["bird"]], None),
    ("tv_col_input", "TextVectorization", {"output_sequence_length": 3},
     [["the cat"], ["a dog sat"]], TEXTS),
]


SPLIT_CASES = [
    ("split_left_float", {"left_size": 0.8}),
    ("split_right_int", {"right_size": 3}),
    ("split_both", {"left_size": 4, "right_size": 0.3}),
    ("split_shuffle", {"left_size": 0.5, "shuffle": True, "seed": 7}),
    ("split_shuffle_right", {"right_size": 0.25, "shuffle": True, "seed": 123}),
]


def _arrays():
    return {"IMG": IMG, "IMG1": IMG1, "IMG_CF": IMG_CF, "IMG_U8": IMG_U8, "TAB": TAB,
            "TAB3": TAB3, "VALS": VALS, "VALS1": VALS[0], "INTS": INTS, "INTS1": INTS[0],
            "INTS_COL": INTS[:, :1],
            "ADAPT_FLOATS": np.concatenate([_rng.randn(200), _rng.uniform(2, 4, 57)]).astype(F)}


def _plain_config(cfg):
    cfg = {k: v for k, v in cfg.items() if k not in ("name", "dtype")}
    return jsonable(cfg)


def _strings_out(out):
    a = np.asarray(out)
    if a.dtype.kind in "SO":
        return [[x.decode() if isinstance(x, bytes) else x for x in row] for row in a.tolist()]
    return None


def generate(keras):
    rec = Recorder("preproc", keras_meta())
    arrays = _arrays()
    tab_batches = [TAB[:5], TAB[5:9], TAB[9:]]
    for cid, cls, kwargs, src, call_kw in IMAGE_CASES:
        keras.utils.clear_session()
        layer = getattr(keras.layers, cls)(**kwargs)
        out = to_np(layer(arrays[src], **call_kw))
        rec.case({"id": cid, "kind": "image", "layer": cls, "kwargs": jsonable(kwargs),
                  "input": rec.arr(cid, "x", arrays[src]), "call": call_kw,
                  "output": rec.arr(cid, "y", out), "config": _plain_config(layer.get_config())})
    for cid, cls, kwargs, src, adapt in NUMERIC_CASES:
        keras.utils.clear_session()
        layer = getattr(keras.layers, cls)(**kwargs)
        case = {"id": cid, "kind": "numeric", "layer": cls, "kwargs": jsonable(kwargs),
                "input": rec.arr(cid, "x", arrays[src]), "adapt": adapt}
        if adapt == "TAB_BATCHES":
            layer.adapt(tab_batches)
        elif adapt == "ADAPT_BATCHES":
            data = arrays["ADAPT_FLOATS"]
            layer.adapt([data[:100], data[100:180], data[180:]])
        elif adapt is not None:
            layer.adapt(arrays[adapt])
        if adapt is not None:
            source = {"TAB_BATCHES": "TAB", "ADAPT_BATCHES": "ADAPT_FLOATS"}.get(adapt, adapt)
            case["adapt_data"] = rec.arr(cid, "adapt", arrays[source])
        if cls == "Normalization" and adapt is not None:
            case["mean"] = rec.arr(cid, "mean", to_np(layer.adapt_mean))
            case["variance"] = rec.arr(cid, "variance", to_np(layer.adapt_variance))
        if cls == "Discretization":
            case["bin_boundaries"] = [float(b) for b in layer.bin_boundaries]
        out = np.asarray(layer(arrays[src]))
        case["output"] = rec.arr(cid, "y", out, dtype=out.dtype)
        case["dtype"] = str(out.dtype)
        case["config"] = _plain_config(layer.get_config())
        rec.case(case)
    for cid, cls, kwargs, inputs, adapt in STRING_CASES:
        keras.utils.clear_session()
        layer = getattr(keras.layers, cls)(**kwargs)
        if adapt is not None:
            layer.adapt(np.array(adapt) if cls != "TextVectorization" else adapt)
        if cls == "StringLookup" and kwargs.get("invert"):
            import tensorflow as tf  # Keras's JAX backend cannot hold the string output

            out = layer._lookup_dense(tf.constant(inputs, tf.int64)).numpy()
        else:
            out = layer(np.array(inputs))
        case = {"id": cid, "kind": "string", "layer": cls, "kwargs": jsonable(kwargs),
                "inputs": inputs, "adapt_data": adapt}
        strings = _strings_out(out)
        if strings is not None:
            case["output_strings"] = strings
        else:
            a = np.asarray(out)
            case["output"] = rec.arr(cid, "y", a, dtype=a.dtype)
            case["dtype"] = str(a.dtype)
        if hasattr(layer, "get_vocabulary"):
            case["vocabulary"] = jsonable(layer.get_vocabulary())
        case["config"] = _plain_config(layer.get_config())
        rec.case(case)
    for cid, kwargs in SPLIT_CASES:
        x = np.arange(20).reshape(10, 2)
        left, right = keras.utils.split_dataset((x, np.arange(10)), **kwargs)
        rec.case({"id": cid, "kind": "split", "kwargs": kwargs,
                  "left": [int(v[1]) for v in left], "right": [int(v[1]) for v in right]})
    return rec.save()
