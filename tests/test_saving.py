"""Saving and loading: round trips of every layer type, Sequential / functional / nested
models, compiled state, legacy HDF5, JSON, safe_mode, Keras 3 fixtures and atomic writes."""

import json
import os
import random
import signal
import sys
import time
import warnings
import zipfile

import numpy as np
import pytest

import nbkeras as keras
import saving_models
from nbkeras import layers
from nbkeras.saving import atomic

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "saving")
with open(os.path.join(FIXTURES, "meta.json")) as _f:
    META = json.load(_f)
SAME_PYTHON = tuple(META["python"]) == sys.version_info[:2]


def _trained(name, epochs=1):
    model = saving_models.BUILDERS[name](keras)
    x, y = saving_models.data(name)
    model.fit(x, y, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    return model, x, y


def _predict(model, x):
    return saving_models.as_list(model.predict(x, verbose=0))


def _assert_same_model(a, b, x):
    for p, q in zip(_predict(a, x), _predict(b, x)):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-6)
    assert [w.shape for w in a.get_weights()] == [w.shape for w in b.get_weights()]
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(u, v)


def _optimizer_state(model):
    return [v.numpy().copy() for v in model.optimizer.variables]


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("name", list(saving_models.BUILDERS))
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_model_round_trip(tmp_path, name, ext):
    model, x, _ = _trained(name)
    path = tmp_path / f"m{ext}"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    assert type(loaded) is type(model)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    _assert_same_model(model, loaded, x)
    assert loaded.compiled and type(loaded.optimizer) is type(model.optimizer)
    for u, v in zip(_optimizer_state(model), _optimizer_state(loaded)):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("name", list(saving_models.BUILDERS))
def test_weights_round_trip(tmp_path, name):
    model, x, _ = _trained(name)
    model.save_weights(tmp_path / "m.weights.h5")
    keras.utils.clear_session()
    other = saving_models.BUILDERS[name](keras)
    other(x if not isinstance(x, list) else x, training=False)
    other.load_weights(tmp_path / "m.weights.h5")
    _assert_same_model(model, other, x)


def test_every_layer_type_is_covered():
    import preproc_models  # the preprocessing layers' models (tests/test_preprocessing.py)

    seen = set()
    models = [build(keras) for build in saving_models.BUILDERS.values()]
    for model in models + list(preproc_models.builders(keras).values()):
        stack = list(model.layers)
        while stack:
            layer = stack.pop()
            seen.add(type(layer).__name__)
            stack.extend(getattr(layer, "layers", []) if isinstance(layer, keras.Model) else [])
            stack.extend([layer.cell] if isinstance(layer, layers.RNN) else [])
            stack.extend(getattr(layer, "cells", []))
    # Aliases (MaxPool2D, Convolution1D, ...) are the same classes: count class names.
    public = {getattr(layers, n).__name__ for n in layers.__all__
              if isinstance(getattr(layers, n), type)}
    assert public - {"Layer", "InputSpec", "Wrapper"} <= seen  # Wrapper: an abstract base


def test_layer_configs_round_trip_through_serialize():
    model, x, _ = _trained("all_layers")
    for layer in model.layers:
        if isinstance(layer, layers.Lambda):
            continue
        config = keras.saving.serialize_keras_object(layer)
        clone = keras.saving.deserialize_keras_object(json.loads(json.dumps(config)))
        assert type(clone) is type(layer)
        assert json.loads(json.dumps(clone.get_config())) == config["config"]


def _double(x):
    return x * 2.0


def test_non_default_layer_configs_survive_saving(tmp_path):
    model = keras.Sequential([
        keras.Input((4, 6)),
        layers.Dense(6, activation="tanh", use_bias=False, kernel_initializer="he_normal",
                     kernel_regularizer=keras.regularizers.L1L2(0.01, 0.02), trainable=False),
        layers.Dropout(0.3, noise_shape=(None, 1, 6), seed=3),
        layers.BatchNormalization(axis=1, momentum=0.8, epsilon=1e-4, center=False),
        layers.PReLU(shared_axes=[1]),
        layers.ReLU(max_value=4.0, negative_slope=0.1, threshold=0.5),
        layers.LeakyReLU(negative_slope=0.2), layers.ELU(alpha=0.3),
        layers.Softmax(axis=1), layers.Lambda(_double, output_shape=(4, 6)),
        layers.Flatten(data_format="channels_first"), layers.Reshape((-1, 2)),
        layers.Activation("softplus"), layers.Flatten(),
    ])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"_double": _double})
    for a, b in zip(model.layers, loaded.layers):
        assert json.dumps(a.get_config(), default=str) == json.dumps(b.get_config(), default=str)
    assert not loaded.layers[0].trainable
    _assert_same_model(model, loaded, np.random.default_rng(0).random((3, 4, 6), "float32"))


def test_uncompiled_and_compile_false(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.save(tmp_path / "plain.keras")
    loaded = keras.models.load_model(tmp_path / "plain.keras")
    assert not loaded.compiled
    trained, _, _ = _trained("mlp")
    trained.save(tmp_path / "m.keras")
    assert not keras.models.load_model(tmp_path / "m.keras", compile=False).compiled


def test_keras_zip_contents(tmp_path):
    model, _, _ = _trained("mlp")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        meta = json.loads(zf.read("metadata.json"))
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["build_config"] == {"input_shape": [None, 4]}
    assert config["compile_config"]["optimizer"]["module"] == "keras.optimizers"
    assert config["compile_config"]["loss"] == "categorical_crossentropy"
    assert config["config"]["layers"][1]["module"] == "keras.layers"
    assert meta["keras_version"].startswith("3.")


def test_functional_config_matches_keras_form():
    model, _, _ = _trained("nested")
    config = keras.saving.serialize_keras_object(model)
    assert config["module"] == "keras.src.models.functional"
    assert config["registered_name"] == "Functional"
    names = [entry["name"] for entry in config["config"]["layers"]]
    assert names == [l.name for l in model.layers]
    assert config["config"]["output_layers"] == ["head", 0, 0]
    assert config["config"]["input_layers"] == [["p", 0, 0], ["q", 0, 0]]
    mid = next(e for e in config["config"]["layers"] if e["name"] == "mid")
    assert mid["inbound_nodes"][0]["kwargs"] == {"mask": None}
    clone = keras.Model.from_config(model.get_config())
    assert [l.name for l in clone.layers] == names


def test_json_round_trip():
    model, x, _ = _trained("nested_sequential")
    text = model.to_json()
    clone = keras.models.model_from_json(text)
    clone.set_weights(model.get_weights())
    _assert_same_model(model, clone, x)
    assert json.loads(text)["class_name"] == "Sequential"


def test_sequential_and_functional_from_config():
    model, x, _ = _trained("mlp")
    clone = keras.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    _assert_same_model(model, clone, x)
    model, x, _ = _trained("nested")
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    _assert_same_model(model, clone, x)


def test_clone_model():
    model, x, _ = _trained("nested")
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    _assert_same_model(model, clone, x)
    assert not clone.compiled


@keras.saving.register_keras_serializable(package="test_saving")
class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_custom_layers(tmp_path):
    model = keras.Sequential([keras.Input((3,)), Scale(3.0), Unregistered(0.5)])
    model.layers[0].w.assign(np.array([1.0, 2.0, 3.0]))
    model.save(tmp_path / "c.keras")
    with pytest.raises(ValueError, match=r"custom_objects=\{'Unregistered'"):
        keras.models.load_model(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras",
                                     custom_objects={"Unregistered": Unregistered})
    _assert_same_model(model, loaded, np.ones((2, 3), "float32"))
    with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
        keras.models.load_model(tmp_path / "c.keras")


# --------------------------------------------------------------- compiled state
def _fit(model, name, epochs, initial_epoch=0):
    x, y = saving_models.data(name, n=24)
    model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch, batch_size=8, verbose=0)


@pytest.mark.parametrize("name,ext", [("nested", ".keras"), ("nested_sequential", ".keras"),
                                      ("nested", ".h5")])
def test_training_resumes_on_the_same_trajectory(tmp_path, name, ext):
    keras.utils.set_random_seed(3)
    straight = saving_models.BUILDERS[name](keras)
    _fit(straight, name, epochs=4)

    keras.utils.clear_session()
    keras.utils.set_random_seed(3)
    first = saving_models.BUILDERS[name](keras)
    _fit(first, name, epochs=2)
    first.save(tmp_path / f"half{ext}")
    rng_state = np.random.get_state()
    resumed = keras.models.load_model(tmp_path / f"half{ext}")
    np.random.set_state(rng_state)  # the straight run's shuffling continues from here
    _fit(resumed, name, epochs=4, initial_epoch=2)

    assert int(resumed.optimizer.iterations.numpy()) == int(straight.optimizer.iterations.numpy())
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(_optimizer_state(straight), _optimizer_state(resumed)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_compile_config_keeps_loss_metrics_and_schedule(tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.MeanAbsoluteError(), keras.losses.mean_squared_error,
                           "acc"], loss_weights=[0.5])
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    assert isinstance(loaded.optimizer.get_config()["learning_rate"], dict)
    config = loaded.get_compile_config()
    assert config["loss"]["class_name"] == "MeanSquaredError"
    assert config["metrics"][1] == {"module": "builtins", "class_name": "function",
                                    "config": "mean_squared_error",
                                    "registered_name": "function"}
    assert config["metrics"][2] == "acc" and config["loss_weights"] == [0.5]
    assert int(loaded.optimizer.iterations.numpy()) == 1


# --------------------------------------------------------------- Keras 3 files
@pytest.mark.parametrize("name", META["models"])
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_loads_keras3_files(name, ext):
    if name in META["lambda_models"] and not SAME_PYTHON:
        pytest.skip("the fixture's Lambda bytecode is for another Python version")
    ref = np.load(os.path.join(FIXTURES, name + ".npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, name + ext), safe_mode=False)
    _check_against_fixture(model, ref)
    opt = [ref[k] for k in sorted((k for k in ref.files if k.startswith("opt")),
                                  key=lambda k: int(k[3:]))]
    assert len(opt) == len(model.optimizer.variables)
    for a, b in zip(opt, _optimizer_state(model)):
        np.testing.assert_array_equal(a, b)


def _inputs(ref, prefix):
    keys = sorted((k for k in ref.files if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))
    arrays = [ref[k] for k in keys]
    return arrays if len(arrays) > 1 else arrays[0]


def _check_against_fixture(model, ref):
    x = _inputs(ref, "x")
    for i, p in enumerate(_predict(model, x)):
        np.testing.assert_allclose(p, ref[f"pred{i}"], rtol=1e-5, atol=2e-6)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_array_equal(w, ref[f"weight{i}"])


@pytest.mark.parametrize("name", META["models"])
def test_loads_keras3_weights_files(name):
    ref = np.load(os.path.join(FIXTURES, name + ".npz"))
    model = saving_models.BUILDERS[name](keras)
    model.load_weights(os.path.join(FIXTURES, name + ".weights.h5"))
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_array_equal(w, ref[f"weight{i}"])


@pytest.mark.parametrize("name", ["nested", "nested_sequential"])
def test_keras3_file_resumes_training_like_keras(name):
    """One more step from a Keras-saved state equals Keras's own next step (no Dropout here)."""
    ref = np.load(os.path.join(FIXTURES, name + ".npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, name + ".keras"))
    model.train_on_batch(_inputs(ref, "x"), _inputs(ref, "y"))
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ref[f"next_weight{i}"], rtol=1e-5, atol=1e-6)


def _comparable(node):
    """A config without what legitimately differs: object ids and lambda bytecode."""
    if isinstance(node, dict):
        return {k: ("<code>" if k == "code" else _comparable(v)) for k, v in node.items()
                if k != "shared_object_id"}
    if isinstance(node, list):
        return [_comparable(v) for v in node]
    return node


@pytest.mark.parametrize("name", META["models"])
def test_config_json_is_what_keras_writes(tmp_path, name):
    model, _, _ = _trained(name)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as ours, \
            zipfile.ZipFile(os.path.join(FIXTURES, name + ".keras")) as theirs:
        assert _comparable(json.loads(ours.read("config.json"))) == \
            _comparable(json.loads(theirs.read("config.json")))


def _h5_layout(source):
    import io

    import h5py

    layout = {}

    def visit(path, obj):
        attrs = {k: str(v) for k, v in obj.attrs.items()}
        kind = (obj.shape, str(obj.dtype)) if isinstance(obj, h5py.Dataset) else "group"
        layout[path] = (kind, attrs)

    with h5py.File(io.BytesIO(source) if isinstance(source, bytes) else source, "r") as f:
        f.visititems(visit)
    return layout


@pytest.mark.parametrize("name", META["models"])
def test_weights_layout_is_what_keras_writes(tmp_path, name):
    model, _, _ = _trained(name)
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    with zipfile.ZipFile(tmp_path / "m.keras") as ours, \
            zipfile.ZipFile(os.path.join(FIXTURES, name + ".keras")) as theirs:
        assert _h5_layout(ours.read("model.weights.h5")) == \
            _h5_layout(theirs.read("model.weights.h5"))
    assert _h5_layout(str(tmp_path / "m.weights.h5")) == \
        _h5_layout(os.path.join(FIXTURES, name + ".weights.h5"))


# -------------------------------------------------------------------- safe mode
def _lambda_model():
    inp = keras.Input((3,))
    return keras.Model(inp, layers.Lambda(lambda t, k=3.0: t * k)(layers.Dense(2)(inp)))


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_safe_mode_refuses_lambda_code(tmp_path, ext):
    model = _lambda_model()
    path = str(tmp_path / f"lam{ext}")
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False") as info:
        keras.models.load_model(path)
    assert path in str(info.value) and "Lambda layer 'lambda'" in str(info.value)
    loaded = keras.models.load_model(path, safe_mode=False)
    _assert_same_model(model, loaded, np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.model_from_json(model.to_json())
    assert keras.models.model_from_json(model.to_json(), safe_mode=False) is not None


def test_safe_mode_refuses_keras3_lambda_fixture():
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(os.path.join(FIXTURES, "all_layers.keras"))


def test_lambda_from_config_is_safe_by_default():
    config = _lambda_model().layers[-1].get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        layers.Lambda.from_config(config)
    assert layers.Lambda.from_config(config, safe_mode=False).function(2.0) == 6.0


def test_enable_unsafe_deserialization(tmp_path):
    from nbkeras.saving import safe_mode

    model = _lambda_model()
    model.save(tmp_path / "lam.keras")
    try:
        keras.config.enable_unsafe_deserialization()
        assert keras.models.load_model(tmp_path / "lam.keras") is not None
    finally:
        safe_mode._state["global_unsafe"] = False
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "lam.keras")


def test_named_function_lambda_needs_no_opt_in(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Lambda(keras.activations.relu)(inp))
    model.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    assert loaded.layers[-1].function is keras.activations.relu


# -------------------------------------------------------------------- errors
def test_clear_errors_for_bad_paths(tmp_path):
    model, _, _ = _trained("mlp")
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        model.save_weights(tmp_path / "m.h5")
    missing = str(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="missing.keras"):
        keras.models.load_model(missing)
    not_zip = tmp_path / "junk.keras"
    not_zip.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="junk.keras.*not a `.keras` zip"):
        keras.models.load_model(not_zip)
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        unbuilt.load_weights(tmp_path / "m.keras")


def test_mismatched_weights_are_named(tmp_path):
    model, _, _ = _trained("mlp")
    model.save_weights(tmp_path / "m.weights.h5")
    other = keras.Sequential([keras.Input((4,)), layers.Dense(5), layers.BatchNormalization(),
                              layers.Dropout(0.1), layers.Dense(3)])
    match = r"m.weights.h5.*Dense 'dense_2' \(at 'layers/dense/vars'\).*shape"
    with pytest.raises(ValueError, match=match):
        other.load_weights(tmp_path / "m.weights.h5")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        other.load_weights(tmp_path / "m.weights.h5", skip_mismatch=True)


def test_hand_edited_config_is_reported(tmp_path):
    model, _, _ = _trained("mlp")
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][4]["config"]["units"] = 7
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "edited.keras", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(ValueError, match=r"edited.keras.*Dense 'dense_1'.*\(6, 7\)"):
        keras.models.load_model(tmp_path / "edited.keras")


def test_legacy_keras2_style_file(tmp_path):
    """A Keras 2-style HDF5 file: `batch_input_shape`, string dtypes, `:0` weight names."""
    import h5py

    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                                                "sparse": False, "ragged": False,
                                                "name": "dense_input"}},
        {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32",
                                           "units": 2, "activation": "relu", "use_bias": True,
                                           "kernel_initializer": {"class_name": "GlorotUniform",
                                                                  "config": {"seed": None}},
                                           "bias_initializer": {"class_name": "Zeros",
                                                                "config": {}}}},
        {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1]}}]}}
    kernel = np.arange(6, dtype="float32").reshape(3, 2) / 10
    path = tmp_path / "k2.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["training_config"] = json.dumps({
            "loss": "mse", "metrics": None, "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": {"class_name": "Adam", "config": {
                "name": "Adam", "learning_rate": 0.01, "decay": 0.0, "beta_1": 0.9,
                "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False,
                "is_legacy_optimizer": False, "jit_compile": False}}})
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [b"dense", b"bn"]
        d = g.create_group("dense")
        d.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
        d["dense/kernel:0"] = kernel
        d["dense/bias:0"] = np.ones(2, "float32")
        b = g.create_group("bn")
        names = ["gamma", "beta", "moving_mean", "moving_variance"]
        b.attrs["weight_names"] = [f"bn/{n}:0".encode() for n in names]
        for i, n in enumerate(names):
            b[f"bn/{n}:0"] = np.full(2, i + 1.0, "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = keras.models.load_model(path)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
    np.testing.assert_array_equal(model.layers[1].moving_variance.numpy(), [4.0, 4.0])
    assert model.compiled and float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)


# -------------------------------------------------------------------- atomicity
def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    """Ctrl-C in the middle of writing leaves the previous file intact and no temporary file."""
    from nbkeras.saving import legacy_h5, weights_store

    model, _, _ = _trained("mlp")
    for target in ("m.keras", "m.weights.h5", "m.h5"):
        (model.save_weights if target.endswith(".weights.h5") else model.save)(tmp_path / target)
    before = {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)}
    model.layers[0].kernel.assign(np.zeros((4, 6)))
    real_writestr, calls = zipfile.ZipFile.writestr, []

    def writestr_then_interrupt(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_writestr(self, *args, **kwargs)

    def write_then_interrupt(*args):
        group = next(a for a in args if hasattr(a, "create_group"))
        group.create_group("partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / "m.keras")
    assert len(calls) == 2
    monkeypatch.setattr(weights_store, "write_state", write_then_interrupt)
    monkeypatch.setattr(legacy_h5, "save_weights_group", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / "m.h5")
    assert {n: (tmp_path / n).read_bytes() for n in os.listdir(tmp_path)} == before


def _child_saves(folder, model):
    """Save forever, each round with all weights set to the round number."""
    rnd = 0
    while True:
        rnd += 1
        for w in model.weights:
            w.assign(np.full(w.shape, rnd, dtype=w.dtype))
        model.save(os.path.join(folder, "m.keras"))
        model.save_weights(os.path.join(folder, "m.weights.h5"))
        model.save(os.path.join(folder, "m.h5"))


def _check_left_behind(folder, template):
    values = {}
    for name in ("m.keras", "m.h5", "m.weights.h5"):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        if name == "m.weights.h5":
            template.load_weights(path)
            model = template
        else:
            model = keras.models.load_model(path)
        rounds = {float(np.unique(w)[0]) for w in model.get_weights()}
        assert len(rounds) == 1 and all(len(np.unique(w)) == 1 for w in model.get_weights())
        values[name] = rounds.pop()
    return values


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_sigkill_during_saves_never_leaves_a_broken_file(tmp_path):
    folder = str(tmp_path)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization()])
    model.compile(optimizer="sgd", loss="mse")
    template = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization()])
    rng = random.Random(0)
    kills = mid_write = 0
    for _ in range(25):
        pid = os.fork()
        if pid == 0:  # child: save until killed
            try:
                _child_saves(folder, model)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.005, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        mid_write += any(n.endswith(atomic._SUFFIX) for n in os.listdir(folder))
        _check_left_behind(folder, template)
    assert kills == 25 and mid_write >= 1  # some kills did land in the middle of a write
    assert os.path.exists(os.path.join(folder, "m.keras"))
    leftovers = [n for n in os.listdir(folder) if n not in ("m.keras", "m.h5", "m.weights.h5")]
    assert all(n.endswith(atomic._SUFFIX) for n in leftovers)
    model.save(os.path.join(folder, "m.keras"))
    model.save_weights(os.path.join(folder, "m.weights.h5"))
    model.save(os.path.join(folder, "m.h5"))
    assert sorted(os.listdir(folder)) == ["m.h5", "m.keras", "m.weights.h5"]


def _h5_weight_names(path):
    import h5py

    names = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if "weight_names" in obj.attrs:
                names[name] = [n.decode() if isinstance(n, bytes) else str(n)
                               for n in obj.attrs["weight_names"]]
        f["model_weights"].visititems(visit)
    return names


@pytest.mark.parametrize("name", META["models"])
def test_weight_paths_are_keras_paths(tmp_path, name):
    """Variable paths follow Keras's name scopes (`rnn_layers/gru/gru_cell/kernel`, a
    functional model's `dense/kernel`): a legacy .h5 names every weight as Keras's does."""
    keras.utils.clear_session()
    model, _, _ = _trained(name)
    model.save(tmp_path / "m.h5")
    assert _h5_weight_names(tmp_path / "m.h5") == \
        _h5_weight_names(os.path.join(FIXTURES, name + ".h5"))


def test_variable_repr_is_keras_style():
    keras.utils.clear_session()
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)], name="mlp")
    assert repr(model.weights[1]) == \
        "<Variable path=mlp/dense/bias, shape=(2,), dtype=float32, value=[0. 0.]>"
