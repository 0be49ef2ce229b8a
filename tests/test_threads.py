"""GEMM lanes sized by load, results independent of it, and steady training (gc freeze):
issue 16 and the determinism of seeded training."""

import collections
import gc
import subprocess
import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.backend.cpu import gemm, threads
from nbkeras.trainers.steady import steady_training

OPENBLAS = threads.blas_threads() is not None
START = gemm.lanes()
needs_threads = pytest.mark.skipif(gemm.blocks_per_gemm() < 2,
                                   reason="needs 2+ usable cores (GEMM blocks on 2 lanes)")


# ------------------------------------------------------------- the decision
@pytest.mark.parametrize("cores,others,limit,expected", [
    (2, 0, None, 2),   # quiet 2-core laptop: both cores
    (2, 1, None, 1),   # one busy loop beside: the free core only
    (2, 5, None, 1),   # very busy: never below one thread
    (8, 3, None, 5),
    (8, 3, 4, 4),      # the user's OPENBLAS_NUM_THREADS caps it
    (8, 0, 2, 2),
    (1, 0, None, 1),
    (4, -1, None, 4),  # a negative count (a racy read) counts as none
])
def test_choose_threads(cores, others, limit, expected):
    assert threads.choose_threads(cores, others, limit=limit) == expected


def test_others_running_parses_loadavg_and_drops_own_threads():
    assert threads.others_running("0.5 0.4 0.3 3/207 4951", own_running=1) == 2
    assert threads.others_running("0.5 0.4 0.3 1/207 4951", own_running=2) == 0
    assert threads.others_running("15.37 15.73 16.42 15/207 4951", own_running=1) == 14


def test_measure_others_running_is_a_count():
    n = threads.measure_others_running(samples=3)
    assert isinstance(n, int) and n >= 0


def test_set_blas_threads_rejects_bad_counts():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="Received: n="):
            threads.set_blas_threads(bad)


@needs_threads
def test_threads_for_load_pins_throttles_and_restores(monkeypatch):
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")
    with threads.threads_for_load() as resize:
        assert resize() == 1 and gemm.lanes() == 1
        assert threads.blas_threads() in (None, 1)  # BLAS itself: one thread, always
    assert gemm.lanes() == START
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "64")  # never above the blocks of a GEMM
    with threads.threads_for_load() as resize:
        assert resize() == gemm.blocks_per_gemm()
    monkeypatch.delenv("NBKERAS_BLAS_THREADS")
    reads = []
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: reads.append(1) or 1)
    monkeypatch.setattr(threads, "_last_fit", {"at": None, "samples": collections.deque()})
    with threads.threads_for_load(interval=3600, window=3) as resize:
        resize(), resize(), resize()
    assert len(reads) == 3  # the first call fills the window; later ones wait the interval
    with threads.threads_for_load(interval=3600, window=3) as resize:
        resize(), resize()
    assert len(reads) == 4  # a fit soon after the last one: its samples and one fresh read


def _two_cores_and_a_load(monkeypatch):
    """Two usable cores, and one other runnable task until the test changes `load["n"]`."""
    monkeypatch.delenv("NBKERAS_BLAS_THREADS", raising=False)
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    load = {"n": 1}
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: load["n"])
    return load


@needs_threads
def test_a_fit_long_after_the_last_reads_the_load_afresh(monkeypatch):
    _two_cores_and_a_load(monkeypatch)
    old = {"at": 0.0, "samples": collections.deque([0, 0, 0])}  # sampled long ago, quiet
    monkeypatch.setattr(threads, "_last_fit", old)
    with threads.threads_for_load(interval=0.01, window=3) as resize:
        assert resize() == 1  # three fresh samples of one other task, not the old quiet ones
    assert list(threads._last_fit["samples"]) == [1, 1, 1]  # (those sampled long ago: gone)


@needs_threads
def test_threads_for_load_follows_the_load(monkeypatch):
    load = _two_cores_and_a_load(monkeypatch)
    with threads.threads_for_load(interval=0, window=3) as resize:
        assert resize() == 1 and gemm.lanes() == 1
        load["n"] = 0
        assert resize() == 1  # one quiet sample out of three: no flip
        assert resize() == 2 and gemm.lanes() == 2
        assert threads.blas_threads() in (None, 1)
    assert gemm.lanes() == START


# --------------------------------------- bit-identical whatever the load or the lanes
def _train(monkeypatch, pin, seen):
    if pin is None:
        monkeypatch.delenv("NBKERAS_BLAS_THREADS", raising=False)
    else:
        monkeypatch.setenv("NBKERAS_BLAS_THREADS", str(pin))
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x = rng.random((256, 12, 12, 1), dtype=np.float32)
    y = rng.integers(0, 10, 256).astype(np.int32)
    L = keras.layers
    model = keras.Sequential([keras.Input((12, 12, 1)), L.Conv2D(32, 3, activation="relu"),
                              L.Flatten(), L.Dense(256, activation="relu"), L.Dropout(0.25),
                              L.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: seen.append((gemm.lanes(), threads.blas_threads())))
    hist = model.fit(x, y, batch_size=64, epochs=2, verbose=0, callbacks=[probe])
    return model.get_weights(), hist.history["loss"]


def _assert_same(run_a, run_b):
    (w1, l1), (w2, l2) = run_a, run_b
    assert l1 == l2
    for a, b in zip(w1, w2):
        assert a.tobytes() == b.tobytes()


def test_the_model_really_splits_its_gemms():
    if gemm.blocks_per_gemm() < 2:
        pytest.skip("one usable core: no GEMM is split")
    # _train's Dense(256): forward and dX in column blocks, dW in row blocks
    assert gemm.plan((64, 3200), (3200, 256))[0] == "cols"
    assert gemm.plan((64, 256), (256, 3200))[0] == "cols"
    assert gemm.plan((3200, 64), (64, 256))[0] == "rows"


@needs_threads
def test_training_is_bit_identical_on_one_or_two_lanes(monkeypatch):
    seen1, seen2 = [], []
    one = _train(monkeypatch, 1, seen1)
    two = _train(monkeypatch, 2, seen2)
    blas = {None} if not OPENBLAS else {1}
    assert set(seen1) == {(1, b) for b in blas} and set(seen2) == {(2, b) for b in blas}
    assert gemm.lanes() == START  # and fit gave the count back
    _assert_same(one, two)


@needs_threads
def test_training_is_bit_identical_when_the_load_flips_the_lanes(monkeypatch):
    reference = _train(monkeypatch, 1, [])
    flips = iter(range(10 ** 6))
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: next(flips) % 2)

    class Clock:  # every resize() call is past the sampling interval
        now = 0.0

        @classmethod
        def monotonic(cls):
            cls.now += 1.0
            return cls.now

    monkeypatch.setattr(threads, "time", Clock)
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    seen = []
    flipped = _train(monkeypatch, None, seen)
    assert {lanes for lanes, _ in seen} == {1, 2}  # both lane counts were in force
    _assert_same(reference, flipped)


@needs_threads
def test_training_is_bit_identical_beside_a_busy_loop(monkeypatch):
    reference = _train(monkeypatch, 2, [])
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        beside = _train(monkeypatch, None, [])  # the governor sizes the lanes by load
    finally:
        busy.kill()
        busy.wait()
    _assert_same(reference, beside)


# ---------------------------------------------------------------- steady gc
def test_fit_freezes_old_objects_and_unfreezes_at_the_end():
    counts = []
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: counts.append(gc.get_freeze_count()))
    model.fit(np.ones((8, 4), np.float32), np.ones((8, 2), np.float32), epochs=1, verbose=0,
              callbacks=[probe])
    assert counts and min(counts) > 0
    assert gc.get_freeze_count() == 0


def test_steady_training_keeps_a_users_freeze_and_nests():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with steady_training():
            with steady_training() as resize:
                resize()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
    with steady_training():
        with steady_training():
            pass
        assert gc.get_freeze_count() > 0  # the inner exit leaves the outer freeze
    assert gc.get_freeze_count() == 0


def test_cycles_made_while_training_are_still_collected():
    class Node:
        pass

    with steady_training():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2
