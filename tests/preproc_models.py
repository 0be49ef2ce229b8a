"""Models with the preprocessing layers, built the same way by real Keras
(tools/make_preproc_fixtures.py) and by nbkeras (tests/test_preprocessing_saving.py)."""

import numpy as np

TEXTS = ["the cat sat on the mat", "a dog ate my homework", "the bird and the cat",
         "dogs and cats", "my cat is a good cat", "the end"]


def images(k, adapt_data):
    """Every image layer between an 8x8x3 input and a Dense head (adapted Normalization)."""
    L = k.layers
    norm = L.Normalization()
    norm.adapt(adapt_data)
    model = k.Sequential([
        k.Input((8, 8, 3)),
        L.Rescaling(1.0 / 255),
        norm,
        L.RandomFlip(seed=1),
        L.RandomRotation(0.1, seed=2),
        L.RandomZoom(0.1, seed=3),
        L.RandomTranslation(0.1, 0.1, seed=4),
        L.RandomContrast(0.2, seed=5),
        L.RandomBrightness(0.1, value_range=(-3, 3), seed=6),
        L.RandomCrop(8, 8, seed=7),
        L.Resizing(6, 6),
        L.CenterCrop(4, 4),
        L.Flatten(),
        L.Dense(2, activation="softmax"),
    ], name="images")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def categorical(k):
    """Discretization, CategoryEncoding, Hashing and IntegerLookup side by side."""
    L = k.layers
    x = k.Input((4,))
    ids = k.Input((3,), dtype="int64")
    d = L.Discretization(bin_boundaries=[-1.0, 0.0, 1.0], output_mode="count")(x)
    c = L.CategoryEncoding(num_tokens=6, output_mode="multi_hot")(ids)
    h = L.Hashing(num_bins=5, output_mode="count")(ids)
    lookup = L.IntegerLookup(vocabulary=[1, 3, 5], output_mode="multi_hot")(ids)
    merged = L.Concatenate()([d, c, h, lookup])
    model = k.Model([x, ids], L.Dense(1)(merged), name="categorical")
    model.compile(optimizer="sgd", loss="mse")
    return model


def text(k):
    """TextVectorization (adapted: its vocabulary is an asset) -> Embedding, a TF-IDF
    TextVectorization and a StringLookup of whole strings, -> Dense."""
    L = k.layers
    vec = L.TextVectorization(max_tokens=20, output_sequence_length=5)
    vec.adapt(TEXTS)
    inp = k.Input((), dtype="string")
    x = L.Embedding(20, 3)(vec(inp))
    x = L.GlobalAveragePooling1D()(x)
    tfidf = L.TextVectorization(output_mode="tf_idf", ngrams=2)
    tfidf.adapt(TEXTS)
    whole = L.StringLookup(vocabulary=["the end", "dogs and cats"], output_mode="one_hot")
    words = L.Concatenate()([x, tfidf(inp), whole(inp)])
    model = k.Model(inp, L.Dense(1)(words), name="text")
    model.compile(optimizer="sgd", loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    img = rng.uniform(0, 255, (6, 8, 8, 3)).astype("float32")
    return {
        "images": (img, np.eye(2, dtype="float32")[rng.integers(0, 2, 6)]),
        "categorical": ([rng.normal(size=(6, 4)).astype("float32"),
                         rng.integers(0, 7, (6, 3)).astype("int64")],
                        rng.normal(size=(6, 1)).astype("float32")),
        "text": (np.array(TEXTS), rng.normal(size=(6, 1)).astype("float32")),
    }


def builders(k):
    """Each model of this file, built with `k` (nbkeras or Keras)."""
    x = data()["images"][0]
    return {"images": images(k, x / 255.0), "categorical": categorical(k), "text": text(k)}
