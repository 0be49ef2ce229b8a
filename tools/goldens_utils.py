"""Golden group 'utils': `keras.utils.pad_sequences` (dev-only; needs real Keras 3)."""

import numpy as np

from goldens_common import Recorder, keras_meta

SEQS = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10], [11]]
VECS = [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0]], [[7.0, 8.0], [9.0, 1.0], [2.0, 3.0]]]

# (id, sequences, kwargs)
CASES = [
    ("default", SEQS, {}),
    ("maxlen3", SEQS, {"maxlen": 3}),
    ("maxlen3_post_post", SEQS, {"maxlen": 3, "padding": "post", "truncating": "post"}),
    ("maxlen3_pre_post", SEQS, {"maxlen": 3, "truncating": "post"}),
    ("maxlen7_post_value", SEQS, {"maxlen": 7, "padding": "post", "value": -1}),
    ("float_value", SEQS, {"maxlen": 4, "dtype": "float32", "value": 0.5}),
    ("int_dtype_float_value", SEQS, {"maxlen": 2, "value": 2.7}),
    ("vectors", VECS, {"dtype": "float32"}),
    ("vectors_maxlen2_post", VECS, {"maxlen": 2, "dtype": "float32", "padding": "post",
                                    "truncating": "post"}),
    ("int64", [[300000000000], [1, 2]], {"dtype": "int64"}),
]


def generate(keras):
    rec = Recorder("utils", keras_meta())
    for cid, seqs, kwargs in CASES:
        out = keras.utils.pad_sequences(seqs, **kwargs)
        rec.case({"id": cid, "sequences": seqs, "kwargs": kwargs,
                  "output": np.asarray(out).tolist(), "dtype": str(np.asarray(out).dtype)})
    return rec.save()
