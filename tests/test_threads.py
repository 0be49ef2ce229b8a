"""The BLAS thread governor: OpenBLAS gets the cores other processes leave free."""

import numpy as np
import pytest

from nbkeras.backend import threads


@pytest.fixture
def governor(monkeypatch):
    """A governor on a fake 2-core clock and load, with the real OpenBLAS setter."""
    monkeypatch.setattr(threads, "_state", dict(threads._state, last=None, threads=None,
                                                enabled=None))
    monkeypatch.setattr(threads, "_max_threads", lambda: 2)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("NBKERAS_ADAPTIVE_THREADS", raising=False)
    _, get = threads._blas()
    before = get()
    clock = {"t": 0.0, "busy": 0.0, "own": 0.0}
    monkeypatch.setattr(threads, "_sample", lambda: (clock["t"], clock["busy"], clock["own"]))
    monkeypatch.setattr(threads.time, "monotonic", lambda: clock["t"])
    yield clock, get
    threads._blas()[0](before)


def _advance(clock, seconds, others, own):
    clock["t"] += seconds
    clock["busy"] += seconds * (others + own)
    clock["own"] += seconds * own


def test_threads_for():
    assert threads.threads_for(0.0, 2) == 2
    assert threads.threads_for(0.4, 2) == 2
    assert threads.threads_for(0.6, 2) == 1
    assert threads.threads_for(1.0, 4) == 3
    assert threads.threads_for(2.7, 4) == 1
    assert threads.threads_for(9.0, 4) == 1


def test_busy_core_shrinks_and_quiet_restores_the_pool(governor):
    clock, get = governor
    assert threads.tick() is None  # first look: no window yet
    _advance(clock, 0.3, others=1.0, own=1.0)  # a busy-loop beside our 1-core use
    assert threads.tick() == 1 and get() == 1
    _advance(clock, 0.1, others=0.0, own=2.0)  # within INTERVAL: no new look
    assert threads.tick() == 1
    _advance(clock, 0.3, others=0.0, own=2.0)  # our own two threads do not count
    assert threads.tick() == 2 and get() == 2
    np.ones((64, 64)) @ np.ones((64, 64))  # BLAS still works after resizing


def test_a_user_setting_is_left_alone(governor, monkeypatch):
    clock, get = governor
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    start = get()
    assert threads.tick() is None
    _advance(clock, 1.0, others=2.0, own=0.0)
    assert threads.tick() is None and get() == start


def test_opt_out(governor, monkeypatch):
    monkeypatch.setenv("NBKERAS_ADAPTIVE_THREADS", "0")
    assert not threads.enabled()


def test_start_judges_by_the_runnable_threads(governor, monkeypatch):
    clock, get = governor
    monkeypatch.setattr(threads, "_runnable_others", lambda: 1)
    assert threads.start() == 1 and get() == 1
    clock["t"] += 100.0  # long idle: look again
    monkeypatch.setattr(threads, "_runnable_others", lambda: 0)
    assert threads.start() == 2 and get() == 2


def test_runnable_others_reads_proc_loadavg():
    with open("/proc/loadavg") as f:
        running = int(f.read().split()[3].split("/")[0])
    assert threads._runnable_others() in range(max(0, running - 30), running + 30)
