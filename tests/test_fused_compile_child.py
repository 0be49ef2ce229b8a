"""The fused step's interpreter compiles in a low-priority child process when the kernel
cache lacks it (trainers/step_fused.py `kernel_ready`, backend/cpu/step_program.py
`compile_locked`): the lock, the poll, the load after the child, and the failures."""

import fcntl
import os
import shutil
import time

import numpy as np
import pytest

from nbkeras.backend.cpu import step_program
from nbkeras.trainers import step_fused

F32 = np.dtype(np.float32)


@pytest.fixture
def fresh_state(monkeypatch):
    """The interpreter is in the kernel cache; this process behaves as one that has not
    asked for it yet, with background compiles allowed."""
    assert step_fused.kernel_ready(F32, wait=True)
    monkeypatch.delitem(step_fused._KERNELS, F32)
    monkeypatch.delenv(step_fused.COMPILE_ENV, raising=False)
    return monkeypatch


def test_the_child_waits_on_the_lock_then_the_step_loads_what_it_wrote(fresh_state):
    real = step_program.cached
    asked = []

    def cached(dtype):  # the first question: "not in the cache" (so a child starts)
        asked.append(dtype)
        return len(asked) > 1 and real(dtype)

    fresh_state.setattr(step_program, "cached", cached)
    with open(step_program.lock_path(), "a") as lock:  # another process is compiling
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        assert step_fused.kernel_ready(F32) is False
        child = step_fused._KERNELS[F32]
        assert type(child) is step_fused._Child
        assert os.getpriority(os.PRIO_PROCESS, child.proc.pid) in (0, 19)  # (19 once it runs)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:  # the step keeps replaying: a flag read
            assert step_fused.kernel_ready(F32) is False
            time.sleep(0.05)
        assert child.proc.poll() is None, "the child did not wait for the lock"
        assert os.getpriority(os.PRIO_PROCESS, child.proc.pid) == 19
    deadline = time.monotonic() + 120
    while not step_fused.kernel_ready(F32):
        assert time.monotonic() < deadline, "the child never finished"
        time.sleep(0.05)
    assert child.proc.returncode == 0  # reaped by its thread: no zombie
    assert step_fused._KERNELS[F32] is True


def test_a_failed_child_leaves_the_replay_and_never_compiles_in_the_step(fresh_state):
    class Failed:
        done = True

        def __init__(self, dtype):
            pass

    fresh_state.setattr(step_fused, "_Child", Failed)
    fresh_state.setattr(step_program, "cached", lambda dtype: False)
    loads = []
    fresh_state.setattr(step_fused, "_load", lambda dtype: loads.append(dtype) or True)
    assert step_fused.kernel_ready(F32) is False
    assert step_fused._KERNELS[F32] is step_fused._NO_CHILD
    assert step_fused.kernel_ready(F32) is False and not loads
    assert step_fused.kernel_ready(F32, wait=True) is True and loads == [F32]  # (tests)


def test_the_opt_out_starts_no_child(fresh_state):
    fresh_state.setenv(step_fused.COMPILE_ENV, "0")
    fresh_state.setattr(step_program, "cached", lambda dtype: False)
    assert step_fused.kernel_ready(F32) is False
    assert step_fused._KERNELS[F32] is step_fused._NO_CHILD


def test_a_forked_process_forgets_its_parents_child(fresh_state):
    fresh_state.setitem(step_fused._KERNELS, F32, object.__new__(step_fused._Child))
    step_fused._after_fork()
    assert F32 not in step_fused._KERNELS


def test_an_index_entry_without_its_data_is_not_cached(fresh_state, tmp_path):
    """Numba writes the index before the data: a compile killed between them leaves an
    entry that Numba's load treats as a miss, and `cached` must say False too (else the
    step would compile for 10-30 s in the training thread)."""
    dispatcher = step_program.run_program
    files = dispatcher._cache._cache_file
    sig = tuple(dispatcher.typeof_pyval(a) for a in step_program._warm_args(F32))
    key = dispatcher._cache._index_key(sig, dispatcher.targetctx.codegen())
    name = files._load_index()[key]
    shutil.copy(files._index_path, tmp_path / os.path.basename(files._index_path))
    shutil.copy(files._data_path(name), tmp_path / name)
    fresh_state.setattr(dispatcher, "overloads", {})
    fresh_state.setattr(files, "_cache_path", str(tmp_path))
    fresh_state.setattr(files, "_index_path", str(tmp_path / os.path.basename(files._index_path)))
    assert step_program.cached(F32) is True
    os.remove(tmp_path / name)
    assert step_program.cached(F32) is False
