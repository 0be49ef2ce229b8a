"""fit / evaluate / predict on a PyDataset (Keras 2's Sequence) or a Python generator,
as Keras 3 reads them: batches are `x`, `(x, y)` or `(x, y, sample_weight)`."""

import warnings

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
SW = RNG.random(40).astype("float32")


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y=None, sw=None, batch_size=8, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.sw, self.batch_size = x, y, sw, batch_size
        self.epochs_ended, self.seen = 0, []

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, i):
        self.seen.append(i)
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        if self.y is None:
            return self.x[s]
        if self.sw is None:
            return self.x[s], self.y[s]
        return self.x[s], self.y[s], self.sw[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def batches_forever(x, y, batch_size=8):
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]


def model():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    m.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    return m


def test_pydataset_trains_exactly_like_the_arrays():
    a, b = model(), model()
    ha = a.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    data = Batches(X, Y)
    hb = b.fit(data, epochs=3, shuffle=False, verbose=0)
    for k in ("loss", "mae"):
        np.testing.assert_allclose(hb.history[k], ha.history[k], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wb, wa, rtol=1e-6)
    assert data.epochs_ended == 3
    assert data.seen[1:] == [0, 1, 2, 3, 4] * 3  # seen[0]: the batch that sizes the metrics


def test_pydataset_shuffle_permutes_batches_and_sample_weights_apply():
    data = Batches(X, Y, SW)
    m = model()
    m.fit(data, epochs=2, verbose=0)  # shuffle=True by default
    epoch1, epoch2 = data.seen[1:6], data.seen[6:11]
    assert sorted(epoch1) == sorted(epoch2) == [0, 1, 2, 3, 4]
    assert epoch1 != [0, 1, 2, 3, 4] or epoch2 != [0, 1, 2, 3, 4]
    got = m.evaluate(Batches(X, Y, SW), verbose=0)
    want = m.evaluate(X, Y, sample_weight=SW, batch_size=8, verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_infinite_generator_with_steps_and_validation():
    a, b = model(), model()
    ha = a.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0,
               validation_data=(X[:16], Y[:16]))
    hb = b.fit(batches_forever(X, Y), steps_per_epoch=5, epochs=2, verbose=0,
               validation_data=batches_forever(X[:16], Y[:16]), validation_steps=2)
    for k in ("loss", "val_loss", "val_mae"):
        np.testing.assert_allclose(hb.history[k], ha.history[k], rtol=1e-6)


def test_finite_generator_runs_out_of_data():
    m = model()
    gen = ((X[i:i + 8], Y[i:i + 8]) for i in range(0, 40, 8))
    with pytest.warns(UserWarning, match="ran out of data"):
        h = m.fit(gen, epochs=3, verbose=0)
    assert len(h.history["loss"]) == 1  # one pass, then training stops as in Keras


def test_predict_and_evaluate_on_generators_and_keras2_names():
    m = model()
    m.fit_generator(batches_forever(X, Y), steps_per_epoch=5, epochs=1, verbose=0)
    want = m.predict(X, verbose=0)
    got = m.predict((X[i:i + 8] for i in range(0, 40, 8)), verbose=0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(m.predict_generator(Batches(X), steps=5), want, rtol=1e-6)
    np.testing.assert_allclose(m.predict(Batches(X), steps=2, verbose=0), want[:16], rtol=1e-6)
    np.testing.assert_allclose(m.evaluate_generator(batches_forever(X, Y), steps=5),
                               m.evaluate(X, Y, batch_size=8, verbose=0), rtol=1e-6)


def test_class_weight_on_generator_batches():
    yc = (Y > 0).astype("float32")
    a, b = model(), model()
    a.compile("sgd", "binary_crossentropy")
    b.compile("sgd", "binary_crossentropy")
    cw = {0: 1.0, 1: 3.0}
    ha = a.fit(X, yc, batch_size=8, epochs=2, shuffle=False, class_weight=cw, verbose=0)
    hb = b.fit(Batches(X, yc), epochs=2, shuffle=False, class_weight=cw, verbose=0)
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    ({"y": Y}, "`y` is not supported"),
    ({"sample_weight": SW}, "`sample_weight` is not supported"),
    ({"validation_split": 0.2}, "`validation_split` is not supported"),
])
def test_arrays_next_to_a_dataset_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        model().fit(Batches(X, Y), verbose=0, **kwargs)


def test_bad_batches_are_refused():
    class Four(keras.utils.PyDataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            return X, Y, SW, SW

    with pytest.raises(ValueError, match="length 4"):
        model().fit(Four(), verbose=0)
    with pytest.raises(ValueError, match="yielded no batch"):
        model().fit(iter([]), verbose=0)
    with pytest.raises(TypeError, match="numeric"):
        model().fit(iter([(np.array(["a"] * 8), Y[:8])]), verbose=0)
    assert keras.utils.Sequence is keras.utils.PyDataset


def test_progress_with_unknown_steps_prints_one_line_per_epoch(capsys):
    m = model()
    gen = ((X[i:i + 8], Y[i:i + 8]) for i in range(0, 40, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(gen, epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "5/Unknown" in out and "loss" in out
