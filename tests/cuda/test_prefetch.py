"""Batch prefetch on the (simulated) CUDA device: batch k+1 is fetched (its copy started)
before batch k is handed out; batches keep their order, structure and values."""

import numpy as np

import nbkeras as keras
from nbkeras.backend.prefetch import look_ahead


def test_look_ahead_starts_the_next_copy_before_yielding():
    events = []
    gen = look_ahead(iter(range(3)), lambda b: events.append(("start", b)) or b,
                     lambda h: events.append(("finish", h)) or h)
    got = []
    for b in gen:
        events.append(("use", b))
        got.append(b)
    assert got == [0, 1, 2]
    assert events == [("start", 0), ("start", 1), ("finish", 0), ("use", 0),
                      ("start", 2), ("finish", 1), ("use", 1), ("finish", 2), ("use", 2)]
    assert list(look_ahead(iter([]), lambda b: b, lambda h: h)) == []


def test_cuda_prefetch_keeps_order_structure_and_values():
    from nbkeras.backend import cuda

    rng = np.random.default_rng(0)
    batches = [((rng.normal(size=(4, 3)).astype("float32"), {"a": np.arange(4)}),
                rng.normal(size=(4, 1)), None) for _ in range(5)]
    pulled = []

    def source():
        for b in batches:
            pulled.append(len(pulled))
            yield b

    seen = []
    for k, (x, y, sw) in enumerate(cuda.prefetch(source())):
        assert pulled == list(range(min(k + 2, len(batches))))  # one batch ahead
        (x0, d), y0, _ = batches[k]
        np.testing.assert_array_equal(cuda.to_numpy(x[0]), x0)
        np.testing.assert_array_equal(cuda.to_numpy(x[1]["a"]), d["a"])
        np.testing.assert_array_equal(cuda.to_numpy(y), y0)
        assert sw is None and isinstance(x, tuple) and isinstance(x[1], dict)
        seen.append(k)
    assert seen == list(range(5))


def test_fit_on_cuda_sees_every_batch_in_order():
    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.losses = []

        def on_train_batch_end(self, batch, logs=None):
            self.losses.append(logs["loss"])

    def run(device):
        keras.config.set_device(device)
        try:
            keras.utils.clear_session()
            keras.utils.set_random_seed(0)
            rng = np.random.default_rng(0)
            x = rng.normal(size=(12, 3)).astype("float32")
            y = rng.normal(size=(12, 1)).astype("float32")
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
            rec = Recorder()
            model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[rec])
            return rec.losses, [np.asarray(w) for w in model.get_weights()]
        finally:
            keras.config.set_device("cpu")

    cpu_losses, cpu_w = run("cpu")
    cuda_losses, cuda_w = run("cuda")
    assert len(cuda_losses) == 6
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-5)
    for a, b in zip(cpu_w, cuda_w):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-7)
