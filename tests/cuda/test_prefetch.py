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


class _FakeCupy:
    """Just enough CuPy for `transfer._StreamCopier`, logging the stream operations."""

    def __init__(self):
        import types

        self.log = []
        fake = self

        class Event:
            def __init__(self, stream):
                self.stream = stream

            def synchronize(self):
                fake.log.append(("sync", self.stream.name))

        class Stream:
            def __init__(self, name="side", non_blocking=False):
                self.name = name

            def record(self):
                fake.log.append(("record", self.name))
                return Event(self)

            def wait_event(self, event):
                fake.log.append(("wait", self.name, event.stream.name))

        class DeviceArray(np.ndarray):
            def set(self, host, stream=None):
                fake.log.append(("copy", stream.name))
                self[...] = host

        self.main = Stream("main")
        self.cuda = types.SimpleNamespace(Stream=Stream, get_current_stream=lambda: self.main)
        self.empty = lambda shape, dtype: np.empty(shape, dtype).view(DeviceArray)
        self.cupyx = types.SimpleNamespace(empty_pinned=np.empty)


def test_stream_copier_orders_copies_between_the_steps(monkeypatch):
    """The GPU path's stream order, with a stand-in for CuPy (the simulator has none): each
    copy waits for the steps queued before it, and each step waits for its batch's copy."""
    import sys

    from nbkeras.backend.cuda import transfer

    fake = _FakeCupy()
    monkeypatch.setitem(sys.modules, "cupy", fake)
    monkeypatch.setitem(sys.modules, "cupyx", fake.cupyx)
    copier = transfer._StreamCopier()
    batches = [(np.full((2, 3), k, "float32"), None) for k in range(4)]
    got = []
    for x, sw in transfer.look_ahead(iter(batches), copier.start, copier.finish):
        fake.log.append(("step", int(x[0, 0])))
        got.append(np.array(x))
        assert sw is None
    for k, x in enumerate(got):
        np.testing.assert_array_equal(x, batches[k][0])
    log = fake.log
    one_copy = [("record", "main"), ("wait", "side", "main"), ("copy", "side"), ("record", "side")]
    assert log[:8] == one_copy * 2  # batches 0 and 1 start before step 0
    assert log[8:10] == [("wait", "main", "side"), ("step", 0)]
    assert log[10:14] == one_copy  # batch 2's copy is issued while step 1 can run
    # batch 0's staging buffer is released once its copy is surely done (three in flight)
    assert log[14:17] == [("wait", "main", "side"), ("sync", "side"), ("step", 1)]
    assert log.count(("copy", "side")) == 4 and log.count(("step", 3)) == 1
