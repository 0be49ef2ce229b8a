"""Bad data is caught before training starts: a matrix of bad inputs over the five model
kinds (Dense, Conv2D, LSTM, Embedding, BatchNormalization), each built sequential,
multi-input and multi-output.

Every case checks the exception type; that its message names the argument and the value
received; that neither the message nor the last frame of the traceback comes from
NumPy or Numba internals; and that the weights, the optimizer's slots (and whether the
optimizer is built) and BatchNormalization's moving statistics are exactly as before.
"""

import traceback

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

N = 12
KINDS = ["dense", "conv", "lstm", "embedding", "bn"]
STRUCTS = ["sequential", "multi_input", "multi_output"]
SHAPES = {"dense": (4,), "conv": (5, 5, 2), "lstm": (3, 4), "embedding": (4,), "bn": (4,)}
VOCAB = 10
INTERNALS = ("numba", "operands could not be broadcast", "-9223372036854775808",
             "only 0-dimensional", "cannot reshape", "KeyError")


def _body(kind):
    return {"dense": lambda: [layers.Dense(5, activation="relu")],
            "conv": lambda: [layers.Conv2D(2, 3), layers.Flatten()],
            "lstm": lambda: [layers.LSTM(3)],
            "embedding": lambda: [layers.Embedding(VOCAB, 3), layers.Flatten()],
            "bn": lambda: [layers.Dense(4), layers.BatchNormalization()]}[kind]()


def _apply(stack, h):
    for layer in stack:
        h = layer(h)
    return h


def make_model(kind, struct):
    keras.utils.set_random_seed(1)
    shape = SHAPES[kind]
    dtype = "int32" if kind == "embedding" else "float32"
    if struct == "sequential":
        model = keras.Sequential([keras.Input(shape, dtype=dtype)] + _body(kind)
                                 + [layers.Dense(3, activation="softmax", name="cls")])
        loss = "sparse_categorical_crossentropy"
    elif struct == "multi_input":
        a, b = keras.Input(shape, name="a", dtype=dtype), keras.Input((2,), name="b")
        h = layers.Concatenate()([_apply(_body(kind), a), layers.Dense(2)(b)])
        model = keras.Model({"a": a, "b": b}, layers.Dense(3, activation="softmax", name="cls")(h))
        loss = "sparse_categorical_crossentropy"
    else:
        a = keras.Input(shape, name="a", dtype=dtype)
        h = _apply(_body(kind), a)
        model = keras.Model(a, [layers.Dense(3, activation="softmax", name="cls")(h),
                                layers.Dense(1, name="reg")(h)])
        loss = {"cls": "sparse_categorical_crossentropy", "reg": "mse"}
    model.compile("adam", loss)
    return model


def make_data(kind, struct, n=N, seed=0):
    rs = np.random.RandomState(seed)
    if kind == "embedding":
        xa = rs.randint(0, VOCAB, size=(n,) + SHAPES[kind]).astype("float32")
    else:
        xa = rs.uniform(-1, 1, (n,) + SHAPES[kind]).astype("float32")
    cls = rs.randint(0, 3, size=n)
    x = {"a": xa, "b": rs.rand(n, 2).astype("float32")} if struct == "multi_input" else xa
    y = {"cls": cls, "reg": rs.rand(n, 1).astype("float32")} if struct == "multi_output" else cls
    return x, y


def _x_main(x):
    return x["a"] if isinstance(x, dict) else x


def _with_x_main(x, value):
    return {**x, "a": value} if isinstance(x, dict) else value


def _labels(y):
    return y["cls"] if isinstance(y, dict) else y


def _with_labels(y, value):
    return {**y, "cls": value} if isinstance(y, dict) else value


def _label_name(struct):
    return "y['cls']" if struct == "multi_output" else "y"


def _x_name(struct):
    return "x['a']" if struct == "multi_input" else "x"


def _bad_labels(y, value):
    labels = _labels(y).astype("float64")
    labels[5] = value
    return _with_labels(y, labels)


def _take(data, sl):
    return {k: v[sl] for k, v in data.items()} if isinstance(data, dict) else data[sl]


class OneBatch(keras.utils.PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return _take(self.x, slice(6 * i, 6 * i + 6)), _take(self.y, slice(6 * i, 6 * i + 6))


def _cases(kind, struct):
    """(id, call(model, x, y), exception type, substrings the message must hold)."""
    lab, xn = _label_name(struct), _x_name(struct)
    wide = (N,) + SHAPES[kind][:-1] + (SHAPES[kind][-1] + 3,)
    fit = dict(verbose=0, batch_size=4, shuffle=False)
    cases = [
        ("negative_label", lambda m, x, y: m.fit(x, _bad_labels(y, -1), **fit),
         ValueError, [lab, "-1", "sample 5"]),
        ("label_too_large", lambda m, x, y: m.fit(x, _bad_labels(y, 3), **fit),
         ValueError, [lab, "label of 3", "sample 5"]),
        ("nan_label", lambda m, x, y: m.fit(x, _bad_labels(y, np.nan), **fit),
         ValueError, [lab, "NaN", "sample 5"]),
        ("inf_label", lambda m, x, y: m.fit(x, _bad_labels(y, -np.inf), **fit),
         ValueError, [lab, "-inf", "sample 5"]),
        ("huge_label", lambda m, x, y: m.fit(x, _bad_labels(y, 1e30), **fit),
         ValueError, [lab, "1e+30", "sample 5"]),
        ("evaluate_bad_label", lambda m, x, y: m.evaluate(x, _bad_labels(y, 7), verbose=0),
         ValueError, [lab, "label of 7"]),
        ("validation_label", lambda m, x, y: m.fit(
            x, y, validation_data=(x, _bad_labels(y, -2)), **fit),
         ValueError, ["y_val", "-2", "sample 5"]),
        ("validation_width", lambda m, x, y: m.fit(
            x, y, validation_data=(_with_x_main(x, np.zeros(wide, "float32")), y), **fit),
         ValueError, ["x_val", str(wide)]),
        ("validation_split_bad_label", lambda m, x, y: m.fit(
            x, _bad_labels(y, 4), validation_split=0.25, **fit),
         ValueError, [lab, "label of 4"]),
        ("x_width", lambda m, x, y: m.fit(_with_x_main(x, np.zeros(wide, "float32")), y, **fit),
         ValueError, [xn, str(wide)]),
        ("empty_fit", lambda m, x, y: m.fit(_take(x, slice(0, 0)), _take(y, slice(0, 0)), **fit),
         ValueError, ["`x`", "empty", "(0,"]),
        ("empty_evaluate", lambda m, x, y: m.evaluate(_take(x, slice(0, 0)),
                                                       _take(y, slice(0, 0)), verbose=0),
         ValueError, ["`x`", "empty", "(0,"]),
        ("sample_weight_2d", lambda m, x, y: m.fit(x, y, sample_weight=np.ones((N, 2)), **fit),
         ValueError, ["sample_weight", f"({N}, 2)"]),
        ("sample_weight_short", lambda m, x, y: m.fit(x, y, sample_weight=np.ones(N - 3), **fit),
         ValueError, ["sample_weight", str(N - 3)]),
        ("y_short", lambda m, x, y: m.fit(x, _take(y, slice(0, N - 1)), **fit),
         ValueError, ["y", str(N - 1)]),
        ("x_strings", lambda m, x, y: m.fit(
            _with_x_main(x, np.full((N,) + SHAPES[kind], "a")), y, **fit),
         TypeError, ["x", "dtype <U1"]),
        ("dataset_first_batch_label", lambda m, x, y: m.fit(OneBatch(x, _bad_labels(y, 9)),
                                                            verbose=0),
         ValueError, ["batch 0", lab, "label of 9", "sample 5"]),
        ("class_weight_with_nan_label", lambda m, x, y: m.fit(
            x, _bad_labels(y, np.nan), class_weight={0: 1.0, 1: 2.0, 2: 1.0}, **fit)
         if struct != "multi_output" else m.fit(x, _bad_labels(y, np.nan), **fit),
         ValueError, [lab, "NaN"]),
    ]
    if struct == "multi_input":
        cases += [
            ("dict_missing_key", lambda m, x, y: m.fit({"a": x["a"]}, y, **fit),
             ValueError, ["x", '"b"', "['a']", "['a', 'b']"]),
            ("list_too_short", lambda m, x, y: m.fit([x["a"]], y, **fit),
             ValueError, ["x", "['a', 'b']", "1 array"]),
            ("predict_wrong_key", lambda m, x, y: m.predict({"b": x["b"]}, verbose=0),
             ValueError, ["x", '"a"', "['b']"]),
            ("side_input_width", lambda m, x, y: m.fit(
                {"a": x["a"], "b": np.zeros((N, 5), "float32")}, y, **fit),
             ValueError, ["x['b']", f"({N}, 5)"]),
        ]
    if struct == "multi_output":
        cases += [
            ("y_one_item_list", lambda m, x, y: m.fit(x, [y["cls"]], **fit),
             ValueError, ["y", "['cls', 'reg']", "1 array"]),
            ("y_dict_missing", lambda m, x, y: m.fit(x, {"cls": y["cls"]}, **fit),
             ValueError, ["y", '"reg"', "['cls']"]),
            ("y_dict_unknown", lambda m, x, y: m.fit(x, {**y, "rgs": y["reg"]}, **fit),
             ValueError, ["y", '"rgs"', "['cls', 'reg']"]),
            ("y_single_array", lambda m, x, y: m.fit(x, y["cls"], **fit),
             ValueError, ["y", "single array"]),
        ]
    if kind == "embedding":
        def bad_index(value):
            def call(m, x, y):
                xa = _x_main(x).copy()
                xa[7, 2] = value
                return m.fit(_with_x_main(x, xa), y, **fit)
            return call
        cases += [
            ("index_nan", bad_index(np.nan), IndexError, ["x", "NaN", "sample 7"]),
            ("index_too_large", bad_index(VOCAB), IndexError, ["x", f"index {VOCAB}", "sample 7"]),
            ("index_1e30", bad_index(1e30), IndexError, ["x", "1e+30", "sample 7"]),
            ("index_negative", bad_index(-1), IndexError, ["x", "-1", "sample 7"]),
        ]
    return cases


CASES = [(kind, struct, case) for kind in KINDS for struct in STRUCTS
         for case in _cases(kind, struct)]
_MODELS = {}


def _trained_model(kind, struct):
    """One model per kind and structure, trained a step (optimizer slots and BN statistics
    are set), shared by its cases: each case checks it leaves the model as it found it."""
    if (kind, struct) not in _MODELS:
        model = make_model(kind, struct)
        x, y = make_data(kind, struct)
        model.train_on_batch(x, y)
        _MODELS[kind, struct] = model
    return _MODELS[kind, struct]


def snapshot(model):
    opt = model.optimizer
    return ([np.array(w, copy=True) for w in model.get_weights()],
            [np.array(v, copy=True) for v in opt.variables], bool(opt.built), model.built)


def assert_same_state(before, after):
    (w0, o0, b0, m0), (w1, o1, b1, m1) = before, after
    assert (b0, m0) == (b1, m1), "optimizer or model built state changed"
    assert len(w0) == len(w1) and len(o0) == len(o1)
    for u, v in zip(w0 + o0, w1 + o1):
        assert u.tobytes() == v.tobytes(), "a weight, optimizer slot or BN statistic changed"


def check_error(call, exc, contains):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for part in contains:
        assert part in msg, f"{part!r} not in: {msg}"
    assert "Received" in msg, msg
    for bad in INTERNALS:
        assert bad not in msg, msg
    last = traceback.extract_tb(info.value.__traceback__)[-1].filename
    assert "/numpy/" not in last and "/numba/" not in last, last
    assert "nbkeras" in last, last


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("kind,struct,case", CASES,
                         ids=[f"{k}-{s}-{c[0]}" for k, s, c in CASES])
def test_bad_input(kind, struct, case):
    _, call, exc, contains = case
    model = _trained_model(kind, struct)
    x, y = make_data(kind, struct)
    before = snapshot(model)
    check_error(lambda: call(model, x, y), exc, contains)
    assert_same_state(before, snapshot(model))


def test_matrix_size():
    assert len(CASES) >= 150
    assert {k for k, _, _ in CASES} == set(KINDS) and {s for _, s, _ in CASES} == set(STRUCTS)


@pytest.mark.parametrize("kind", KINDS)
def test_bad_labels_leave_a_fresh_model_unbuilt(kind):
    """The optimizer of a never-trained model stays unbuilt after a bad fit."""
    model = make_model(kind, "sequential")
    x, y = make_data(kind, "sequential")
    before = snapshot(model)
    assert before[2] is False
    check_error(lambda: model.fit(x, _bad_labels(y, np.nan), verbose=0), ValueError,
                ["y", "NaN", "sample 5"])
    assert_same_state(before, snapshot(model))
    model.fit(x, y, verbose=0)  # the same model still trains on good data
    assert model.optimizer.built


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("struct", STRUCTS)
def test_predict_on_no_samples_gives_empty_outputs(kind, struct):
    model = _trained_model(kind, struct)
    x, _ = make_data(kind, struct)
    want = model.predict(x, verbose=0)
    got = model.predict(_take(x, slice(0, 0)), verbose=0)
    for g, w in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
        assert g.shape == (0,) + w.shape[1:] and g.dtype == w.dtype


@pytest.mark.parametrize("kind", KINDS)
def test_fractional_labels_truncate_as_keras_casts(kind):
    """Keras casts sparse labels to int: 2.7 is class 2 (NumPy's rint would say 3)."""
    x, y = make_data(kind, "sequential")
    model = make_model(kind, "sequential")
    frac = model.evaluate(x, y + 0.7, verbose=0)
    assert frac == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)


def test_unknown_input_key_warns_as_keras_does():
    model = make_model("dense", "multi_input")
    x, y = make_data("dense", "multi_input")
    with pytest.warns(UserWarning, match=r"\['c'\].*Expected the following keys: \['a', 'b'\]"):
        model.fit({**x, "c": x["b"]}, y, verbose=0)


def test_class_weight_names_a_nan_binary_label():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    y = np.ones((10, 1), "float32")
    y[3] = np.nan
    before = snapshot(model)
    check_error(lambda: model.fit(np.zeros((10, 4)), y, class_weight={0: 1, 1: 2}, verbose=0),
                ValueError, ["class_weight", "y", "NaN", "sample 3"])
    assert_same_state(before, snapshot(model))


def test_outputs_without_a_loss_need_no_target():
    """As in Keras, `y` may leave out outputs that have no loss (dict, or a shorter list);
    a loss dict that leaves outputs out needs a model whose outputs are a dict (for a list
    of outputs Keras asks for every key)."""
    listed = make_model("dense", "multi_output")
    listed.compile("adam", loss={"cls": "sparse_categorical_crossentropy"})
    x, y = make_data("dense", "multi_output")
    check_error(lambda: listed.fit(x, {"cls": y["cls"]}, verbose=0), ValueError,
                ["Expected keys ['cls', 'reg'] in loss dict", "loss.keys()=['cls']"])
    model = keras.Model(listed.inputs, dict(zip(["cls", "reg"], listed.outputs)))
    model.compile("adam", loss={"cls": "sparse_categorical_crossentropy"})
    model.fit(x, {"cls": y["cls"]}, verbose=0)
    model.fit(x, [y["cls"]], verbose=0)
    check_error(lambda: model.fit(x, {"reg": y["reg"]}, verbose=0), ValueError,
                ["y", '"cls"', "['reg']"])
