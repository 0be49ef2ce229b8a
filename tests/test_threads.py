"""BLAS thread sizing under load, and steady training (gc freeze): issue 16."""

import gc
import os

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.backend.cpu import threads
from nbkeras.trainers.steady import steady_training

OPENBLAS = threads.blas_threads() is not None
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
START = threads.blas_threads() if OPENBLAS else None
needs_threads = pytest.mark.skipif(not OPENBLAS or (START or 0) < 2,
                                   reason="needs OpenBLAS with 2+ threads")


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
        assert resize() == 1 and threads.blas_threads() == 1
    assert threads.blas_threads() == START
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "64")  # never above the pool OpenBLAS has
    with threads.threads_for_load() as resize:
        assert resize() == START
    monkeypatch.delenv("NBKERAS_BLAS_THREADS")
    reads = []
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: reads.append(1) or 1)
    with threads.threads_for_load(interval=3600, window=3) as resize:
        resize(), resize(), resize()
    assert len(reads) == 3  # the first call fills the window; later ones wait the interval


@needs_threads
def test_threads_for_load_follows_the_load(monkeypatch):
    monkeypatch.delenv("NBKERAS_BLAS_THREADS", raising=False)
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    load = {"n": 1}
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: load["n"])
    with threads.threads_for_load(interval=0, window=3) as resize:
        assert resize() == 1 and threads.blas_threads() == 1
        load["n"] = 0
        assert resize() == 1  # one quiet sample out of three: no flip
        assert resize() == min(2, START) and threads.blas_threads() == min(2, START)
    assert threads.blas_threads() == START


# ------------------------------------------------ bit-identical whatever the count
@needs_threads
def test_gemm_is_bit_identical_with_one_or_two_threads():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((512, 300)).astype(np.float32)
    b = rng.standard_normal((300, 256)).astype(np.float32)
    old = threads.set_blas_threads(1)
    one = a @ b
    threads.set_blas_threads(2)
    two = a @ b
    threads.set_blas_threads(old)
    assert one.tobytes() == two.tobytes()


def _train(monkeypatch, n_threads, seen):
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", str(n_threads))
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
        on_train_batch_end=lambda b, logs: seen.append(threads.blas_threads()))
    hist = model.fit(x, y, batch_size=64, epochs=2, verbose=0, callbacks=[probe])
    return model.get_weights(), hist.history["loss"]


@needs_threads
def test_training_is_bit_identical_with_one_or_two_threads(monkeypatch):
    seen1, seen2 = [], []
    w1, l1 = _train(monkeypatch, 1, seen1)
    w2, l2 = _train(monkeypatch, 2, seen2)
    assert set(seen1) == {1} and set(seen2) == {2}  # the counts really were in force
    assert threads.blas_threads() == START  # and fit gave the user's count back
    assert l1 == l2
    for a, b in zip(w1, w2):
        assert a.tobytes() == b.tobytes()


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
