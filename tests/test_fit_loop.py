"""The fit loop's per-epoch shortcuts keep every number: the shuffled batches (the same
draws of NumPy's global RNG as `np.random.permutation`), the loss tracker's result, and a
tutorial fit on the quiet path against one whose callbacks force the general path."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import callbacks, layers
from nbkeras.metrics.metric import as_result
from nbkeras.metrics.reduction import Mean
from nbkeras.metrics.utils import divide_no_nan
from nbkeras.trainers import data as data_utils
from nbkeras.trainers.batch_sources import ArrayBatches


def _old_epoch(source):
    """ArrayBatches.epoch as it was: a fresh permutation, rows through `data_utils.take`."""
    order = np.random.permutation(source.n) if source.shuffle else None
    for step in range(source.steps):
        lo = (step * source.batch_size) % max(source.n, 1)
        idx = order[lo:lo + source.batch_size] if order is not None else slice(
            lo, lo + source.batch_size)
        yield tuple(data_utils.take(p, idx) for p in (source.x, source.y, source.sample_weight))


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is b
    return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
            and a.flags.c_contiguous == b.flags.c_contiguous and np.array_equal(a, b))


@pytest.mark.parametrize("n, batch, steps", [(100, 32, None), (7, 3, None), (10, 4, 6),
                                             (5, 8, None), (1, 1, None)])
@pytest.mark.parametrize("parts", ["arrays", "lists", "dicts"])
def test_shuffled_batches_are_the_permutations_draws(n, batch, steps, parts):
    rng = np.random.default_rng(n)
    x = rng.random((n, 3), dtype=np.float32)
    y = rng.integers(0, 2, (n, 1))
    sw = rng.random(n, dtype=np.float32)
    if parts == "lists":
        x, y = [x, x[:, :1]], [y]
    elif parts == "dicts":
        x = {"a": x, "b": x[:, 1:]}
    for weights in (None, sw):
        source = ArrayBatches(x, y, weights, batch, shuffle=True, steps=steps)
        for _ in range(3):  # several epochs: the range is reused
            np.random.seed(n)
            old = list(_old_epoch(source))
            after_old = np.random.get_state()[1].copy()
            np.random.seed(n)
            new = list(source.epoch())
            assert _same(old, new)
            assert np.array_equal(after_old, np.random.get_state()[1])


def test_unshuffled_batches_are_unchanged():
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    source = ArrayBatches(x, None, None, 4, shuffle=False)
    assert _same(list(_old_epoch(source)), list(source.epoch()))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_the_mean_result_is_divide_no_nan_as_a_float(dtype):
    rng = np.random.default_rng(1)
    metric = Mean(dtype=dtype)
    for i in range(300):
        metric._total.data[...] = rng.standard_normal() * 10.0 ** rng.integers(-3, 4)
        metric._count.data[...] = 0 if i % 5 == 0 else rng.integers(1, 1000)
        got = metric.result()
        want = as_result(divide_no_nan(metric._total.data, metric._count.data), dtype)
        assert type(got) is float and (got == want or (got != got and want != want))


def _tutorial(callbacks_=None, epochs=4, batch_size=32):
    np.random.seed(0)
    x = np.random.rand(100, 20)
    y = np.random.randint(2, size=(100, 1))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(16, input_dim=20), layers.Activation("relu"),
                              layers.Dropout(0.5), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                        callbacks=callbacks_)
    return model, history


class _Everything(callbacks.Callback):
    """Reads every hook (so fit takes its general path: logs per batch)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, sorted(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))


@pytest.mark.parametrize("batch_size", [32, 100])
def test_a_quiet_tutorial_fit_matches_one_with_every_callback(batch_size):
    quiet_model, quiet = _tutorial(batch_size=batch_size)
    spy = _Everything()
    loud_model, loud = _tutorial([spy], batch_size=batch_size)
    assert quiet_model._step_path == loud_model._step_path  # the same replayed path
    assert quiet_model._step_path.startswith("replay")
    assert quiet.history == loud.history and quiet.epoch == loud.epoch == [0, 1, 2, 3]
    for a, b in zip(quiet_model.get_weights(), loud_model.get_weights()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    steps = -(-100 // batch_size)
    ends = [c for c in spy.calls if c[0] == "epoch_end"]
    assert [c[2]["loss"] for c in ends] == loud.history["loss"]
    assert len(spy.calls) == 4 * (2 + 2 * steps)
