"""Behaviour of the preprocessing layers, keras.random and the image / dataset utilities:
training vs inference, seeding, statistics, gradients, errors, saving (both ways: nbkeras
round trips and files written by real Keras 3 in tests/fixtures/preproc/)."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

import nbkeras as keras
import preproc_models
from nbkeras import ops
from test_layers_grad import check_layer, rnd

L = keras.layers
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "preproc")
IMG = np.random.default_rng(0).uniform(0, 1, (4, 6, 7, 3)).astype("float32")
RANDOM_LAYERS = [
    lambda: L.RandomFlip(seed=1), lambda: L.RandomRotation(0.2, seed=1),
    lambda: L.RandomZoom(0.3, seed=1), lambda: L.RandomTranslation(0.2, 0.3, seed=1),
    lambda: L.RandomContrast(0.5, value_range=(0, 1), seed=1),
    lambda: L.RandomBrightness(0.3, value_range=(0, 1), seed=1),
    lambda: L.RandomCrop(6, 7, seed=1),
]


# ------------------------------------------------------------------ keras.random
def test_random_shapes_dtypes_and_int_seeds():
    R = keras.random
    draws = {
        "normal": lambda s: R.normal((3, 4), seed=s),
        "uniform": lambda s: R.uniform((3, 4), 2.0, 5.0, seed=s),
        "truncated_normal": lambda s: R.truncated_normal((3, 4), seed=s),
        "gamma": lambda s: R.gamma((3, 4), 2.0, seed=s),
        "beta": lambda s: R.beta((3, 4), 2.0, 3.0, seed=s),
        "binomial": lambda s: R.binomial((3, 4), 10, 0.3, seed=s),
    }
    for name, draw in draws.items():
        a, b, c = draw(1), draw(1), draw(2)
        assert a.shape == (3, 4) and a.dtype == np.float32, name
        np.testing.assert_array_equal(a, b, err_msg=name)  # an int seed is stateless
        assert not np.array_equal(a, c), name
    i = R.randint((50,), 3, 7, seed=1)
    assert i.dtype == np.int32 and i.min() >= 3 and i.max() < 7
    assert R.categorical(np.zeros((2, 5)), 6, seed=1).shape == (2, 6)
    assert R.normal((2,), dtype="float64").dtype == np.float64


def test_random_seed_generator_and_set_random_seed():
    gen = keras.random.SeedGenerator(42)
    a, b = keras.random.normal((5,), seed=gen), keras.random.normal((5,), seed=gen)
    assert not np.array_equal(a, b)
    gen2 = keras.random.SeedGenerator(42)
    np.testing.assert_array_equal(keras.random.normal((5,), seed=gen2), a)
    assert gen.get_config() == {"seed": 42, "name": gen.name}
    keras.utils.set_random_seed(3)
    first = [keras.random.uniform((4,)) for _ in range(3)]
    keras.utils.set_random_seed(3)
    again = [keras.random.uniform((4,)) for _ in range(3)]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], first[1])


def test_random_statistics():
    R, n = keras.random, 200_000
    x = R.normal((n,), mean=1.0, stddev=2.0, seed=0)
    assert abs(x.mean() - 1.0) < 0.02 and abs(x.std() - 2.0) < 0.02
    u = R.uniform((n,), -1.0, 3.0, seed=0)
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.02
    t = R.truncated_normal((n,), stddev=1.0, seed=0)
    assert np.abs(t).max() <= 2.0 and abs(t.std() - 0.8796) < 0.01
    g = R.gamma((n,), alpha=3.0, seed=0)
    assert abs(g.mean() - 3.0) < 0.03 and abs(g.var() - 3.0) < 0.1
    bt = R.beta((n,), 2.0, 6.0, seed=0)
    assert abs(bt.mean() - 0.25) < 0.005
    bn = R.binomial((n,), counts=20, probabilities=0.25, seed=0)
    assert abs(bn.mean() - 5.0) < 0.05 and set(np.unique(bn)) <= set(range(21))
    c = R.categorical(np.log([[0.2, 0.5, 0.3]]), n, seed=0)
    np.testing.assert_allclose(np.bincount(c[0], minlength=3) / n, [0.2, 0.5, 0.3], atol=0.01)
    d = R.dropout(np.ones((n,), "float32"), 0.3, seed=0)
    assert abs((d == 0).mean() - 0.3) < 0.01 and np.allclose(d[d > 0], 1 / 0.7)
    s = R.shuffle(np.arange(100), seed=0)
    assert sorted(s.tolist()) == list(range(100)) and s.tolist() != list(range(100))
    cols = R.shuffle(np.arange(12).reshape(3, 4), axis=1, seed=0)
    assert sorted(cols[0].tolist()) == [0, 1, 2, 3] and (cols[1] - cols[0] == 4).all()


def test_random_errors():
    with pytest.raises(ValueError, match="floating point"):
        keras.random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer"):
        keras.random.randint((2,), 0, 3, dtype="float32")
    with pytest.raises(ValueError, match="2-D"):
        keras.random.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="SeedGenerator"):
        keras.random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="integer"):
        keras.random.SeedGenerator(1.5)


def test_random_dropout_is_differentiable():
    x = np.random.default_rng(1).normal(size=(3, 4))
    with ops.GradientTape() as tape:
        xt = tape.watch(x)
        y = ops.sum(keras.random.dropout(xt, 0.5, seed=3) * 2.0)
    g = tape.gradient(y, xt)
    mask = keras.random.dropout(np.ones((3, 4)), 0.5, seed=3)
    np.testing.assert_allclose(g, 2.0 * mask)


def test_vae_sampling_layer_trains():
    class Sampling(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * eps

    keras.utils.set_random_seed(0)
    inp = keras.Input((6,))
    h = L.Dense(8, activation="relu")(inp)
    z = Sampling()([L.Dense(2)(h), L.Dense(2)(h)])
    model = keras.Model(inp, L.Dense(6)(z))
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    hist = model.fit(x, x, epochs=15, batch_size=16, verbose=0).history["loss"]
    assert hist[-1] < hist[0] * 0.9
    a, b = model.predict(x[:4], verbose=0), model.predict(x[:4], verbose=0)
    assert not np.array_equal(a, b)  # a fresh draw on every call


# ------------------------------------------------------------ augmentation layers
@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_augmentation_only_in_training(make):
    layer = make()
    np.testing.assert_array_equal(layer(IMG, training=False), IMG)
    out = layer(IMG, training=True)
    assert out.shape == IMG.shape and out.dtype == np.float32
    if not isinstance(layer, L.RandomCrop):  # 6x7 into 6x7: nothing to crop
        assert not np.allclose(out, IMG)
    model = keras.Sequential([keras.Input(IMG.shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(IMG, verbose=0), IMG)
    a, b = make(), make()  # the same seed gives the same sequence of transforms
    for _ in range(2):
        np.testing.assert_array_equal(a(IMG, training=True), b(IMG, training=True))


def test_random_flip_flips_about_half_the_images():
    x = np.arange(2 * 3 * 1, dtype="float32").reshape(1, 2, 3, 1).repeat(400, axis=0)
    out = L.RandomFlip("horizontal", seed=5)(x, training=True)
    flipped = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(flipped | np.all(out == x, axis=(1, 2, 3)))
    assert 0.4 < flipped.mean() < 0.6
    out = L.RandomFlip("vertical", seed=5)(x, training=True)
    assert np.all(np.all(out == x[:, ::-1], axis=(1, 2, 3)) | np.all(out == x, axis=(1, 2, 3)))


def test_random_crop_window_and_inference():
    x = np.arange(10 * 12, dtype="float32").reshape(1, 10, 12, 1)
    out = L.RandomCrop(4, 5, seed=2)(x, training=True)[0, :, :, 0]
    r, c = divmod(int(out[0, 0]), 12)
    np.testing.assert_array_equal(out, x[0, r:r + 4, c:c + 5, 0])
    centered = L.RandomCrop(5, 6)(x, training=False)
    assert centered.shape == (1, 5, 6, 1)


def test_augmented_model_trains():
    seen = []

    class SpyFlip(L.RandomFlip):
        def augment(self, x, axes, rng):
            seen.append(len(x))
            return super().augment(x, axes, rng)

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((8, 8, 1)), SpyFlip(seed=1),
                              L.RandomRotation(0.05, seed=2), L.Flatten(),
                              L.Dense(2, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    x = np.random.default_rng(2).uniform(size=(64, 8, 8, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")
    x[y == 1] += 0.5
    hist = model.fit(x, y, epochs=10, batch_size=16, verbose=0).history
    assert hist["loss"][-1] < 0.9 * hist["loss"][0]
    assert seen and sum(seen) == 10 * 64  # every training batch augmented
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert sum(seen) == 10 * 64  # never at inference


def test_image_layer_errors():
    with pytest.raises(ValueError, match="factor"):
        L.RandomRotation(2.0)
    with pytest.raises(ValueError, match="mode"):
        L.RandomFlip("diagonal")
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 3"):
        L.RandomFlip()(np.ones((4, 4)), training=True)
    with pytest.raises(ValueError, match="crop_to_aspect_ratio"):
        L.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="value_range"):
        L.RandomBrightness(0.1, value_range=5)


# ------------------------------------------------------------ gradients (float64)
@pytest.fixture
def f64():
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield
    keras.config.set_floatx(old)


def test_gradients_of_the_differentiable_layers(f64):
    x = rnd(2, 5, 6, 2, seed=4)
    norm = L.Normalization(mean=[0.5, -1.0], variance=[2.0, 0.25])
    adapted = L.Normalization(axis=(1, 3))
    adapted.adapt(rnd(7, 5, 6, 2, seed=5))
    for layer in [L.Rescaling(0.5, offset=0.25), L.Rescaling([2.0, -1.0]), norm, adapted,
                  L.Normalization(mean=1.0, variance=4.0, invert=True),
                  L.Resizing(3, 4), L.Resizing(7, 9, interpolation="bicubic"),
                  L.Resizing(4, 4, crop_to_aspect_ratio=True),
                  L.Resizing(3, 6, pad_to_aspect_ratio=True, fill_value=0.5),
                  L.CenterCrop(3, 4), L.CenterCrop(6, 8)]:
        check_layer(lambda t, layer=layer: layer(t), x)


# ------------------------------------------------------- adapt, lookups and text
def test_normalization_adapt_forms_and_errors():
    data = np.random.default_rng(3).normal(size=(30, 4)).astype("float32") * 3 + 1
    whole = L.Normalization()
    whole.adapt(data)
    batches = L.Normalization()
    batches.adapt([data[:7], data[7:20], data[20:]])
    gen = L.Normalization()
    gen.adapt(data[i:i + 10] for i in range(0, 30, 10))
    for layer in (batches, gen):
        np.testing.assert_allclose(layer.adapt_mean.numpy(), whole.adapt_mean.numpy(), rtol=1e-5)
        np.testing.assert_allclose(layer.adapt_variance.numpy(), whole.adapt_variance.numpy(),
                                   rtol=1e-5)
    out = whole(data)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="incompatible shape"):
        whole.adapt(np.ones((3, 5)))


def test_lookup_round_trip_and_errors():
    lookup = L.StringLookup()
    lookup.adapt(["b", "a", "b", "c", "b", "a"])
    assert lookup.get_vocabulary() == ["[UNK]", "b", "a", "c"]
    inverse = L.StringLookup(vocabulary=lookup.get_vocabulary(), invert=True)
    words = np.array([["a", "c"], ["zzz", "b"]])
    assert inverse(lookup(words)).tolist() == [["a", "c"], ["[UNK]", "b"]]
    assert lookup.vocabulary_size() == 4
    with pytest.raises(ValueError, match="repeated term"):
        L.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["b"]))
    with pytest.raises(RuntimeError, match="vocabulary before calling"):
        L.StringLookup(output_mode="multi_hot")(np.array(["a"]))
    with pytest.raises(ValueError, match="integer tokens"):
        L.IntegerLookup(vocabulary=[1, 2])(np.array(["a"]))


def test_vocabulary_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("cat\ndog\n\n", encoding="utf-8")
    lookup = L.StringLookup(vocabulary=str(path))
    assert lookup(np.array(["dog", "cat", "x"])).tolist() == [2, 1, 0]
    vec = L.TextVectorization(vocabulary=str(path), output_sequence_length=3)
    assert vec(np.array(["Dog, cat!"])).tolist() == [[3, 2, 0]]


def test_text_vectorization_custom_callables_and_model_fit():
    vec = L.TextVectorization(standardize=lambda a: np.char.upper(a), split=lambda s: s.split("-"),
                              output_sequence_length=3)
    vec.adapt(["a-b", "b-c-b"])
    assert vec.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    assert vec(np.array(["b-a-q-c"])).tolist() == [[2, 4, 1]]
    text = L.TextVectorization(max_tokens=30, output_sequence_length=6)
    text.adapt(preproc_models.TEXTS)
    inp = keras.Input((), dtype="string")
    out = L.Dense(1, activation="sigmoid")(L.GlobalAveragePooling1D()(L.Embedding(30, 4)(text(inp))))
    model = keras.Model(inp, out)
    model.compile("adam", "binary_crossentropy")
    x = np.array(preproc_models.TEXTS * 4)
    y = np.array([("cat" in t) for t in x], "float32")
    hist = model.fit(x, y, epochs=20, batch_size=8, verbose=0).history["loss"]
    assert hist[-1] < hist[0]
    assert model.predict(x[:3], verbose=0).shape == (3, 1)


def test_hash_functions_match_known_values():
    from nbkeras.layers.preprocessing.string_hash import fingerprint64, siphash24

    assert fingerprint64(b"") == 0x9AE16A3B2F90404F
    assert siphash24((0x0706050403020100, 0x0F0E0D0C0B0A0908), bytes(range(15))) == \
        0xA129CA6149BE45E5  # the SipHash paper's test vector (message 00..0e)
    assert L.Hashing(3)(np.array([["A"], ["B"], ["C"]])).tolist() == [[1], [0], [1]]


# ------------------------------------------------------------------------ saving
def _roundtrip(model, tmp_path, x):
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    ours, theirs = model.predict(x, verbose=0), loaded.predict(x, verbose=0)
    for a, b in zip(ours if isinstance(ours, list) else [ours],
                    theirs if isinstance(theirs, list) else [theirs]):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6, atol=1e-6)
    return loaded


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
@pytest.mark.parametrize("name", ["images", "categorical", "text"])
def test_preprocessing_models_round_trip(tmp_path, name):
    keras.utils.set_random_seed(0)
    x, _ = preproc_models.data()[name]
    model = (preproc_models.images(keras, x / 255.0) if name == "images"
             else getattr(preproc_models, name)(keras))
    loaded = _roundtrip(model, tmp_path, x)
    assert [type(layer).__name__ for layer in loaded.layers] == \
        [type(layer).__name__ for layer in model.layers]
    for a, b in zip(model.layers, loaded.layers):
        assert json.loads(json.dumps(b.get_config())) == json.loads(json.dumps(a.get_config()))


def test_adapted_layers_round_trip(tmp_path):
    lookup = L.IntegerLookup(output_mode="tf_idf")
    lookup.adapt(np.array([[1, 2, 2], [3, 2, 9]]))
    disc = L.Discretization(num_bins=3)
    disc.adapt(np.arange(30.0))
    inp = keras.Input((3,), dtype="int64")
    model = keras.Model(inp, [lookup(inp), disc(inp)])
    x = np.array([[1, 9, 4], [2, 2, 30]])
    _roundtrip(model, tmp_path, x)
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert zf.read("assets/layers/integer_lookup/vocabulary.txt").decode().split("\n") == \
            [str(v) for v in lookup.get_vocabulary()]


@pytest.mark.parametrize("name", ["images", "categorical", "text"])
def test_loads_keras3_preprocessing_fixtures(name):
    ref = np.load(os.path.join(FIXTURES, name + ".npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, name + ".keras"))
    xs = [ref[k] for k in sorted(k for k in ref.files if k.startswith("x"))]
    pred = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    np.testing.assert_allclose(pred, ref["pred"], rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------------- utils
def test_image_file_round_trip(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3)).astype("float32")
    keras.utils.save_img(tmp_path / "a.png", rgb, scale=False)
    img = keras.utils.load_img(tmp_path / "a.png")
    assert img.size == (7, 5) and img.mode == "RGB"
    np.testing.assert_array_equal(keras.utils.img_to_array(img), rgb)
    gray = keras.utils.img_to_array(keras.utils.load_img(tmp_path / "a.png",
                                                         color_mode="grayscale"))
    assert gray.shape == (5, 7, 1)
    small = keras.utils.load_img(str(tmp_path / "a.png"), target_size=(2, 3),
                                 keep_aspect_ratio=True)
    assert small.size == (3, 2)
    first = keras.utils.img_to_array(img, data_format="channels_first")
    assert first.shape == (3, 5, 7)
    scaled = keras.utils.img_to_array(keras.utils.array_to_img(rgb / 1000.0))
    assert scaled.min() == 0 and scaled.max() == 255
    buf = io.BytesIO()
    keras.utils.save_img(buf, rgb, file_format="jpeg")
    assert keras.utils.load_img(io.BytesIO(buf.getvalue())).size == (7, 5)
    assert keras.preprocessing.image.load_img is keras.utils.load_img
    with pytest.raises(ValueError, match="rank 3"):
        keras.utils.array_to_img(np.ones((2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.load_img(tmp_path / "a.png", color_mode="cmyk")


SPLITS = [c for c in __import__("test_parity_preproc").DOC["cases"] if c["kind"] == "split"]


@pytest.mark.parametrize("case", SPLITS, ids=[c["id"] for c in SPLITS])
def test_split_dataset_matches_keras(case):
    x = np.arange(20).reshape(10, 2)
    (lx, ly), (rx, ry) = keras.utils.split_dataset((x, np.arange(10)), **case["kwargs"])
    assert ly.tolist() == case["left"] and ry.tolist() == case["right"]
    np.testing.assert_array_equal(lx[:, 1], 2 * ly + 1)


def test_split_dataset_structures_and_errors():
    left, right = keras.utils.split_dataset(np.arange(10), right_size=0.3)
    assert left.tolist() == list(range(7)) and right.tolist() == [7, 8, 9]
    a, b = keras.utils.split_dataset({"x": np.zeros((4, 2)), "y": np.ones(4)}, left_size=1)
    assert a["x"].shape == (1, 2) and b["y"].shape == (3,)
    with pytest.raises(ValueError, match="At least one"):
        keras.utils.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="left_size"):
        keras.utils.split_dataset(np.arange(4), left_size=1.5)
    with pytest.raises(TypeError, match="dataset"):
        keras.utils.split_dataset(object(), left_size=0.5)
