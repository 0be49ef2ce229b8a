"""Groups f) model.summary() text and g) automatic layer / model names."""

import os

import numpy as np

from goldens_common import LAMBDAS, Recorder, keras_meta
from goldens_models import (BN_MODEL, CAT_MODEL, TUTORIAL_BN_MODEL,
                              TUTORIAL_MODEL, build_model)

# Keras sizes the summary table as min(88, terminal columns - 4); outside a
# terminal (and in Jupyter) that is 80 - 4 = 76.  Pin COLUMNS so the golden
# is reproducible; the test sets the same environment variable.
SUMMARY_COLUMNS = "80"

DROPOUT_MODEL = [{"class": "Input", "kwargs": {"shape": [6]}},
                 {"class": "Dense", "kwargs": {"units": 8, "activation": "relu"}},
                 {"class": "Dropout", "kwargs": {"rate": 0.5}},
                 {"class": "Flatten", "kwargs": {}},
                 {"class": "Dense", "kwargs": {"units": 3, "activation": "softmax"}}]


def _summary_text(model, **kw):
    chunks = []
    model.summary(print_fn=lambda s, *a, **k: chunks.append(s), **kw)
    return "\n".join(c[:-1] if c.endswith("\n") else c for c in chunks)


def summaries(keras):
    rec = Recorder("summary", dict(keras_meta(), columns=SUMMARY_COLUMNS))
    os.environ["COLUMNS"] = SUMMARY_COLUMNS
    cases = [
        ("tutorial", TUTORIAL_MODEL, "add", None, {}),
        ("tutorial_bn", TUTORIAL_BN_MODEL, "add", None, {}),
        ("cat_input", CAT_MODEL, "list", None, {}),
        ("bn_input", BN_MODEL, "list", None, {}),
        ("dropout_flatten", DROPOUT_MODEL, "list", None, {}),
        ("cat_input_line_length_70", CAT_MODEL, "list", None, {"line_length": 70}),
        # after compile + fit the optimizer variables are built and the
        # summary gains an "Optimizer params" line
        ("tutorial_after_fit_adam", TUTORIAL_MODEL, "add",
         {"optimizer": "adam", "loss": "binary_crossentropy"}, {}),
        ("cat_after_fit_sgd", CAT_MODEL, "list",
         {"optimizer": "sgd", "loss": "categorical_crossentropy"}, {}),
    ]
    for cid, layers, build, comp, kw in cases:
        keras.utils.clear_session()
        model = build_model(keras, layers, build)
        if comp is not None:
            model.compile(**comp)
            n_in = model.inputs[0].shape[-1]
            n_out = model.outputs[0].shape[-1]
            x = np.zeros((4, n_in), np.float32)
            y = np.zeros((4, n_out), np.float32)
            model.fit(x, y, epochs=1, verbose=0)
        rec.case({"id": cid, "layers": layers, "build": build,
                  "compile_and_fit": comp, "summary_kwargs": kw,
                  "text": _summary_text(model, **kw)})
    del os.environ["COLUMNS"]
    return rec.save()


# Each sequence runs right after clear_session(); "name" = explicit name.
NAME_SEQUENCES = {
    "brief_sequence": [
        ("Dense", {"units": 4}), ("Dense", {"units": 4}),
        ("Dropout", {"rate": 0.5}), ("Dense", {"units": 1}),
        ("Activation", {"activation": "relu"}),
        ("BatchNormalization", {}), ("Sequential", {}),
    ],
    "all_classes_twice": [
        ("Flatten", {}), ("Reshape", {"target_shape": [2, 2]}),
        ("Lambda", {"function": "times2_plus1"}), ("InputLayer", {"shape": [3]}),
        ("Sequential", {}), ("Flatten", {}),
        ("Reshape", {"target_shape": [4]}),
        ("Lambda", {"function": "slice_1_3"}), ("InputLayer", {"shape": [3]}),
        ("Sequential", {}), ("Activation", {"activation": "tanh"}),
        ("Activation", {"activation": "tanh"}), ("Dropout", {"rate": 0.1}),
    ],
    "explicit_names_do_not_consume_counter": [
        ("Dense", {"units": 2, "name": "my_dense"}), ("Dense", {"units": 2}),
        ("Dense", {"units": 2, "name": "dense_7"}), ("Dense", {"units": 2}),
        ("Sequential", {"name": "net"}), ("Sequential", {}),
    ],
}


def names(keras):
    rec = Recorder("names", keras_meta())
    for cid, seq in NAME_SEQUENCES.items():
        keras.utils.clear_session()
        got = []
        for cls, kw in seq:
            kw = dict(kw)
            if "function" in kw:
                kw["function"] = LAMBDAS[kw["function"]]
            for k in ("target_shape", "shape"):
                if k in kw:
                    kw[k] = tuple(kw[k])
            if cls == "Sequential":
                obj = keras.Sequential(**kw)
            else:
                obj = getattr(keras.layers, cls)(**kw)
            got.append(obj.name)
        rec.case({"id": cid, "sequence": [[c, k] for c, k in seq], "names": got})

    # Names given inside a model built after clear_session (incl. Input).
    for cid, layers, build in (("model_cat_input", CAT_MODEL, "list"),
                               ("model_bn_input", BN_MODEL, "list"),
                               ("model_tutorial_add", TUTORIAL_MODEL, "add")):
        keras.utils.clear_session()
        model = build_model(keras, layers, build)
        rec.case({"id": cid, "layers": layers, "build": build,
                  "model_name": model.name,
                  "layer_names": [layer.name for layer in model.layers]})
    # clear_session via keras.backend resets the counters as well
    keras.backend.clear_session()
    a = keras.layers.Dense(1).name
    keras.backend.clear_session()
    b = keras.layers.Dense(1).name
    rec.case({"id": "backend_clear_session_resets", "names": [a, b]})
    return rec.save()
