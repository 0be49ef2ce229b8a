"""Group 'attention': MultiHeadAttention, Attention, AdditiveAttention and EinsumDense from
real Keras 3, and 3 training steps of keras.io's small transformer text classifier.

Forward cases: a layer (class + kwargs), its inputs (a list for Attention), call keyword
arguments (masks as arrays), weights set from a fixed RandomState, the outputs and the
config (minus name and dtype). A functional case checks that Keras masks (Embedding with
mask_zero) reach MultiHeadAttention.
"""

import os
import sys
import zlib

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
import transformer_models  # noqa: E402

F = np.float32

# (id, class, kwargs, input shapes, call kwargs; "mask:<shape>" values are random booleans)
FORWARD = [
    ("mha_self", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 4, 5)],
     {}),
    ("mha_cross_scores", "MultiHeadAttention", {"num_heads": 3, "key_dim": 2, "value_dim": 4},
     [(2, 4, 5), (2, 6, 3)], {"return_attention_scores": True}),
    ("mha_key_output_shape", "MultiHeadAttention", {"num_heads": 2, "key_dim": 2,
                                                    "output_shape": 7, "use_bias": False},
     [(2, 3, 4), (2, 5, 4), (2, 5, 6)], {}),
    ("mha_causal", "MultiHeadAttention", {"num_heads": 2, "key_dim": 4},
     [(2, 5, 6), (2, 5, 6)], {"use_causal_mask": True, "return_attention_scores": True}),
    ("mha_attention_mask", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3},
     [(2, 4, 5), (2, 6, 5)], {"attention_mask": "mask:2,4,6"}),
    ("mha_value_mask_causal", "MultiHeadAttention", {"num_heads": 1, "key_dim": 3},
     [(2, 5, 4), (2, 5, 4)], {"value_mask": "mask:2,5", "use_causal_mask": True}),
    ("mha_axes_2d", "MultiHeadAttention", {"num_heads": 2, "key_dim": 2,
                                           "attention_axes": [1, 2]},
     [(2, 3, 4, 5), (2, 3, 4, 5)], {"return_attention_scores": True}),
    ("mha_axes_last_spatial", "MultiHeadAttention", {"num_heads": 2, "key_dim": 2,
                                                     "attention_axes": 2},
     [(2, 3, 4, 5), (2, 3, 4, 5)], {}),
    ("mha_gate_window", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "use_gate": True,
                                               "sliding_window": 2},
     [(2, 5, 4), (2, 5, 4)], {}),
    ("attention_dot", "Attention", {}, [(2, 3, 4), (2, 5, 4)], {}),
    ("attention_scale_key_scores", "Attention", {"use_scale": True},
     [(2, 3, 4), (2, 5, 6), (2, 5, 4)], {"return_attention_scores": True}),
    ("attention_concat_masks", "Attention", {"score_mode": "concat", "use_scale": True},
     [(2, 3, 4), (2, 5, 4)], {"mask": ["mask:2,3", "mask:2,5"]}),
    ("attention_causal", "Attention", {}, [(2, 4, 3), (2, 4, 3)], {"use_causal_mask": True}),
    ("additive", "AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)],
     {"return_attention_scores": True}),
    ("additive_noscale_mask", "AdditiveAttention", {"use_scale": False},
     [(2, 3, 4), (2, 5, 4), (2, 5, 4)], {"mask": ["mask:2,3", "mask:2,5"]}),
    ("einsum_dense_2d", "EinsumDense", {"equation": "ab,bc->ac", "output_shape": 4,
                                        "bias_axes": "c"}, [(3, 5)], {}),
    ("einsum_dense_ellipsis", "EinsumDense", {"equation": "...b,bc->...c", "output_shape": 3,
                                              "activation": "relu", "bias_axes": "c"},
     [(2, 3, 4, 5)], {}),
    ("einsum_dense_heads", "EinsumDense", {"equation": "abc,cde->abde",
                                           "output_shape": [None, 2, 3], "bias_axes": "de"},
     [(2, 4, 5)], {}),
    ("einsum_dense_right_ellipsis", "EinsumDense", {"equation": "ab...,bc->ac...",
                                                    "output_shape": [3, 4]}, [(2, 5, 4)], {}),
    ("einsum_dense_middle_bias", "EinsumDense", {"equation": "abc,cd->abd",
                                                 "output_shape": [3, 4], "bias_axes": "b"},
     [(2, 3, 5)], {}),
]


def _call_args(rec, cid, rng, spec):
    """Call kwargs with "mask:<shape>" strings drawn as boolean arrays (recorded)."""
    keys, values = {}, {}
    for name, v in spec.items():
        if isinstance(v, list):
            arrs = [rng.rand(*map(int, m[5:].split(","))) > 0.3 for m in v]
            for a in arrs:
                a[..., 0] = True  # every row keeps one position
            values[name] = arrs
            keys[name] = rec.arrs(cid, name, [a.astype(np.int64) for a in arrs])
        elif isinstance(v, str) and v.startswith("mask:"):
            a = rng.rand(*map(int, v[5:].split(","))) > 0.3
            a[..., 0] = True
            values[name] = a
            keys[name] = rec.arr(cid, name, a.astype(np.int64))
        else:
            values[name] = v
    return keys, values


def generate(keras):
    rec = Recorder("attention", keras_meta())
    for cid, cls, kwargs, shapes, call in FORWARD:
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        xs = [rng.randn(*s).astype(F) for s in shapes]
        layer = getattr(keras.layers, cls)(**kwargs)
        array_keys, call_kwargs = _call_args(rec, cid, rng, call)

        def run(layer=layer, xs=xs, call_kwargs=call_kwargs, cls=cls):
            if cls in ("Attention", "AdditiveAttention"):
                return layer(xs, **call_kwargs)
            return layer(*xs, **call_kwargs)

        run()
        weights = [np.asarray(rng.randn(*w.shape) * 0.5, F) for w in layer.get_weights()]
        layer.set_weights(weights)
        y = run()
        out = (rec.arrs(cid, "y", [to_np(v) for v in y]) if isinstance(y, (list, tuple))
               else rec.arr(cid, "y", to_np(y)))
        cfg = layer.get_config()
        cfg.pop("name")
        cfg.pop("dtype")
        rec.case({"id": cid, "layer": {"class": cls, "kwargs": kwargs},
                  "inputs": rec.arrs(cid, "x", xs), "call": call, "call_arrays": array_keys,
                  "weights": rec.arrs(cid, "w", weights), "output": out,
                  "config": jsonable(cfg)})

    # Keras masks: Embedding(mask_zero=True) -> MultiHeadAttention(x, x).
    keras.utils.clear_session()
    cid = "mha_embedding_mask"
    rng = np.random.RandomState(zlib.crc32(cid.encode()))
    inp = keras.Input((6,), dtype="int32")
    emb = keras.layers.Embedding(9, 4, mask_zero=True)(inp)
    out = keras.layers.MultiHeadAttention(2, 3)(emb, emb)
    model = keras.Model(inp, out)
    tokens = rng.randint(1, 9, size=(3, 6))
    tokens[0, 4:] = 0
    tokens[2, 2:] = 0
    weights = [(rng.randn(*w.shape) * 0.5).astype(F) for w in model.get_weights()]
    model.set_weights(weights)
    rec.case({"id": cid, "masked_model": True, "x": rec.arr(cid, "x", tokens),
              "weights": rec.arrs(cid, "w", weights),
              "output": rec.arr(cid, "y", to_np(model.predict(tokens, verbose=0)))})

    # keras.io's transformer text classifier: 3 Adam steps, one batch per epoch.
    keras.utils.clear_session()
    cid = "transformer_classifier"
    rng = np.random.RandomState(zlib.crc32(cid.encode()))
    model = transformer_models.classifier(keras)
    x = rng.randint(0, 50, size=(16, 20))
    y = rng.randint(0, 2, size=(16,))
    init = [(rng.randn(*w.shape) * (0.3 if w.ndim > 1 else 0.1)).astype(F)
            for w in model.get_weights()]
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    rec.case({"id": cid, "transformer": True, "x": rec.arr(cid, "x", x),
              "y": rec.arr(cid, "y", y), "init": rec.arrs(cid, "w", init),
              "losses": [float(v) for v in hist.history["loss"]],
              "final": rec.arrs(cid, "final", [to_np(w) for w in model.get_weights()]),
              "predict": rec.arr(cid, "pred", to_np(model.predict(x, verbose=0)))})
    rec.save()
