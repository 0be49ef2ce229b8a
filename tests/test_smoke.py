"""End-to-end: a Sequential model learns a separable problem, and its outputs are consistent."""

import numpy as np

import nbkeras as keras


def _blobs(n=200, d=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, d)).astype("float32") + 2.0 * y[:, None]
    return x, y


def test_sequential_learns_and_reports():
    x, y = _blobs()
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=30, batch_size=16, verbose=0, validation_split=0.25)
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(hist.history["loss"]) == 30
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9
    pred = model.predict(x, verbose=0)
    assert pred.shape == (200, 1)
    manual = keras.losses.BinaryCrossentropy()(y, pred)
    np.testing.assert_allclose(loss, manual, rtol=1e-5)


def test_same_seed_same_weights():
    def run():
        keras.utils.clear_session()
        keras.utils.set_random_seed(7)
        x, y = _blobs()
        m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(1)])
        m.compile("rmsprop", "mse")
        m.fit(x, y, epochs=2, verbose=0)
        return m.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)
