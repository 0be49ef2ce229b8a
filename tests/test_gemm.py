"""The CPU device's matmul: fixed blocks of single-threaded BLAS, the same bits on any lanes."""

import threading

import numpy as np
import pytest

from nbkeras.backend.cpu import gemm, spin_lane, threads

SPLITS = gemm.blocks_per_gemm() >= 2
needs_split = pytest.mark.skipif(not SPLITS, reason="needs 2+ usable cores (GEMM blocks)")
# The row- and batch-block exactness is a property of the BLAS kernel: claimed (and so
# checked) for OpenBLAS's Haswell sgemm/dgemm kernels (also used on Zen up to Zen 3).
# Its SkylakeX kernels (Zen 4 too) break it for some shapes at every alignment tried
# (48, 64, 96, 192 rows; see gemm's docstring): skipped there.
needs_threads_api = pytest.mark.skipif(threads.blas_threads() is None,
                                       reason="needs OpenBLAS's thread-count API")
HASWELL = threads.blas_corename() in ("Haswell", "Zen")


@pytest.fixture
def lanes():
    old = gemm.lanes()
    yield gemm.set_lanes
    gemm.set_lanes(old)


def _rand(*shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape).astype(dtype)


def _whole(a, b):
    """One single-threaded BLAS call: the reference."""
    with gemm.single_threaded_blas():
        return np.matmul(a, b)


# ------------------------------------------------------------------ the plan
@needs_split
def test_plan_depends_on_the_shape_only():
    kind, edges = gemm.plan((512, 300), (300, 256))
    assert kind == "rows" and edges[0] == 0 and edges[-1] == 512
    assert all(e % gemm.row_align() == 0 for e in edges[1:-1]) and len(edges) >= 3
    assert gemm.row_align() == (48 if HASWELL else 16)
    assert gemm.plan((64, 3200), (3200, 256))[0] == "cols"  # a Dense layer at batch 64
    assert gemm.plan((4, 256, 300), (300, 256))[0] == "batch"
    assert gemm.plan((32, 256), (256, 10)) is None  # too little work: one call
    assert gemm.plan((512,), (512, 512)) is None    # 1-D: NumPy's own promotion
    assert gemm.plan((2, 3, 512, 300), (2, 3, 300, 256))[0] == "batch"  # attention
    assert gemm.plan((1, 3, 512, 300), (1, 3, 300, 256)) is None  # one sample: one call
    assert gemm.plan((2, 3, 512, 300), (1, 3, 300, 256)) is None  # broadcasting: one call
    assert gemm.plan((512, 300), (300, 256)) == gemm.plan((512, 300), (300, 256))


def test_set_lanes_rejects_bad_counts_and_caps():
    for bad in (0, -2, 1.0, True, None):
        with pytest.raises(ValueError, match="Received: n="):
            gemm.set_lanes(bad)
    old = gemm.set_lanes(64)
    try:
        assert gemm.lanes() == gemm.blocks_per_gemm()
    finally:
        gemm.set_lanes(old)


# ------------------------------------------------------- the numbers it computes
CASES = [
    ((512, 300), (300, 256), False, False),   # row blocks
    ((64, 3200), (3200, 256), False, False),  # column blocks
    ((784, 64), (64, 256), True, False),      # a transposed view (dW = x.T @ dz)
    ((64, 256), (256, 3200), False, True),    # dX = dz @ w.T
    ((300, 517), (517, 129), False, False),   # boundaries off every tile
]


@pytest.mark.parametrize("sa,sb,ta,tb", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_matches_numpy_and_fills_out(sa, sb, ta, tb, dtype):
    a = _rand(*(sa[::-1] if ta else sa), dtype=dtype)
    b = _rand(*(sb[::-1] if tb else sb), dtype=dtype)
    a, b = (a.T if ta else a), (b.T if tb else b)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    got = gemm.matmul(a, b)
    assert got.shape == ref.shape and got.dtype == dtype
    np.testing.assert_allclose(got, ref, rtol=1e-4 if dtype == np.float32 else 1e-12,
                               atol=1e-3 if dtype == np.float32 else 1e-10)
    out = np.full(ref.shape, np.nan, dtype)
    assert gemm.matmul(a, b, out=out) is out
    assert out.tobytes() == got.tobytes()


def test_matmul_falls_back_to_numpy_for_everything_else():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(gemm.matmul(x, np.arange(3.0)), x @ np.arange(3.0))
    np.testing.assert_array_equal(gemm.matmul([[1, 2]], [[3], [4]]), [[11]])
    mixed = gemm.matmul(_rand(128, 300), _rand(300, 256, dtype=np.float64))
    assert mixed.dtype == np.float64
    with pytest.raises(ValueError):
        gemm.matmul(_rand(512, 300), _rand(200, 256))
    with pytest.raises(ValueError):
        gemm.matmul(_rand(512, 300), _rand(300, 256), out=np.empty((4, 4), np.float32))


@needs_split
@pytest.mark.parametrize("sa,sb,ta,tb", CASES)
def test_same_bits_on_one_or_all_lanes(lanes, sa, sb, ta, tb):
    a = _rand(*(sa[::-1] if ta else sa))
    b = _rand(*(sb[::-1] if tb else sb))
    a, b = (a.T if ta else a), (b.T if tb else b)
    lanes(1)
    one = gemm.matmul(a, b)
    lanes(gemm.blocks_per_gemm())
    every = [gemm.matmul(a, b).tobytes() for _ in range(5)]
    assert set(every) == {one.tobytes()}
    assert any(t.name == "nbkeras-gemm" for t in threading.enumerate())  # a worker ran


@needs_split
@pytest.mark.skipif(not HASWELL, reason="row-block exactness is claimed for OpenBLAS's "
                                        "Haswell kernels only")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sa,sb", [((512, 300), (300, 256)), ((1024, 64), (64, 64)),
                                   ((300, 517), (517, 129)), ((4608, 288), (288, 64))])
def test_row_blocks_equal_the_whole_call_exactly(lanes, dtype, sa, sb):
    a, b = _rand(*sa, dtype=dtype), _rand(*sb, dtype=dtype)
    assert gemm.plan(a.shape, b.shape)[0] == "rows"
    lanes(gemm.blocks_per_gemm())
    assert gemm.matmul(a, b).tobytes() == _whole(a, b).tobytes()
    # the transposed-operand forms the layers use split along rows the same way
    at = np.ascontiguousarray(a.T).T
    assert gemm.matmul(at, b).tobytes() == _whole(at, b).tobytes()


@needs_split
def test_batch_blocks_equal_the_whole_call_exactly(lanes):
    a, b = _rand(6, 200, 300), _rand(6, 300, 128)
    assert gemm.plan(a.shape, b.shape)[0] == "batch"
    lanes(gemm.blocks_per_gemm())
    assert gemm.matmul(a, b).tobytes() == _whole(a, b).tobytes()
    w = _rand(300, 128)
    assert gemm.matmul(a, w).tobytes() == _whole(a, w).tobytes()
    q, kt = _rand(4, 2, 128, 64), _rand(4, 128, 2, 64).transpose(0, 2, 3, 1)  # attention
    assert gemm.plan(q.shape, kt.shape)[0] == "batch"
    assert gemm.matmul(q, kt).tobytes() == _whole(q, kt).tobytes()
    out = np.empty((4, 2, 128, 128), np.float32)
    assert gemm.matmul(q, kt, out=out) is out and out.tobytes() == _whole(q, kt).tobytes()


@needs_split
def test_column_blocks_are_the_fixed_calls(lanes):
    # Column blocks do not reproduce one whole call's bits; they equal the same
    # single-threaded block calls made one after another.
    a, b = _rand(64, 3200), _rand(3200, 256)
    kind, edges = gemm.plan(a.shape, b.shape)
    assert kind == "cols"
    ref = np.empty((64, 256), np.float32)
    with gemm.single_threaded_blas():
        for lo, hi in zip(edges, edges[1:]):
            np.matmul(a, b[:, lo:hi], out=ref[:, lo:hi])
    lanes(gemm.blocks_per_gemm())
    assert gemm.matmul(a, b).tobytes() == ref.tobytes()


@needs_split
def test_a_worker_that_is_late_leaves_the_blocks_to_the_caller(lanes, monkeypatch):
    a, b = _rand(512, 300, seed=3), _rand(300, 256, seed=3)
    lanes(1)
    ref = gemm.matmul(a, b).tobytes()
    lanes(gemm.blocks_per_gemm())
    gemm.matmul(a, b)  # the workers exist
    monkeypatch.setattr(gemm._Worker, "give", lambda self, job: None)  # never woken
    assert gemm.matmul(a, b).tobytes() == ref  # and it returns: nobody waits for them


@needs_split
def test_a_gemm_from_a_second_thread_runs_in_that_thread(lanes):
    lanes(gemm.blocks_per_gemm())
    a, b = _rand(512, 300), _rand(300, 256)
    expected = gemm.matmul(a, b).tobytes()
    results = []

    def other():
        results.extend(gemm.matmul(a, b).tobytes() for _ in range(20))

    t = threading.Thread(target=other)
    t.start()
    mine = [gemm.matmul(a, b).tobytes() for _ in range(20)]
    t.join()
    assert set(mine) == set(results) == {expected}


@needs_threads_api
def test_the_users_blas_threads_come_back_after_nbkeras_computes():
    # Outside fit/predict the process keeps its own OpenBLAS count; inside, one thread.
    old = threads.set_blas_threads(2)
    try:
        a = _rand(256, 256)
        gemm.matmul(a, a)
        assert threads.blas_threads() == 2
        seen = []
        with gemm.single_threaded_blas():
            seen.append(threads.blas_threads())
            with gemm.single_threaded_blas():
                seen.append(threads.blas_threads())
            seen.append(threads.blas_threads())
        assert seen == [1, 1, 1] and threads.blas_threads() == 2
        with threads.threads_for_load() as resize:
            resize()
            seen.append(threads.blas_threads())
        assert seen[-1] == 1 and threads.blas_threads() == 2
    finally:
        threads.set_blas_threads(old)


# ------------------------------------------------- the spinning lane's blocks
needs_spin = pytest.mark.skipif(not spin_lane.available(),
                                reason="needs NumPy's OpenBLAS ILP64 cblas")


def _numpy_blocks(a, b, rows, edges):
    ref = np.full((a.shape[0], b.shape[1]), np.nan, a.dtype)
    with gemm.single_threaded_blas():
        for lo, hi in zip(edges, edges[1:]):
            if rows:
                np.matmul(a[lo:hi], b, out=ref[lo:hi])
            else:
                np.matmul(a, b[:, lo:hi], out=ref[:, lo:hi])
    return ref


@needs_spin
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_spin_lane_blocks_are_numpys_blocks(lanes, dtype, rows, ta, tb):
    # Each block is the cblas call np.matmul makes for it: the same bits, on either thread.
    a = _rand(*((300, 200) if not ta else (200, 300)), dtype=dtype)
    b = _rand(*((200, 160) if not tb else (160, 200)), dtype=dtype)
    a, b = (a.T if ta else a), (b.T if tb else b)
    edges = [0, 96, 192, 300] if rows else [0, 64, 160]
    ref = _numpy_blocks(a, b, rows, edges)
    for n_lanes in (1, 2):
        lanes(n_lanes)
        out = np.full(ref.shape, np.nan, dtype)
        with gemm.single_threaded_blas():
            assert spin_lane.run(a, b, out, rows, np.array(edges), n_lanes,
                                 lambda: gemm._wake_workers(1))
        assert out.tobytes() == ref.tobytes()


@needs_spin
def test_spin_lane_refuses_what_numpy_does_not_send_to_gemm():
    a = _rand(64, 64)
    out = np.empty((64, 64), np.float32)
    edges = np.array([0, 32, 64])
    assert not spin_lane.run(a, a.T, out, True, np.array([0, 64]), 1)  # a @ a.T: syrk
    assert not spin_lane.run(a[:, ::2], a[::2], out, True, edges, 1)  # strided: no BLAS
    assert not spin_lane.run(a, a, out, True, np.array([0, 1, 64]), 1)  # 1 row: gemv
    assert not spin_lane.run(a, a.astype(np.float64), out, True, edges, 1)
    assert not spin_lane.run(a.T, a, out.T, True, edges, 1)  # an F-ordered out


@needs_split
@needs_spin
def test_the_spinning_worker_takes_blocks(lanes):
    import time

    a, b = _rand(32, 784), _rand(784, 256)
    assert gemm.plan(a.shape, b.shape)[0] == "cols"
    lanes(1)
    ref = gemm.matmul(a, b).tobytes()
    lanes(2)
    before, end = spin_lane.served(), time.monotonic() + 5
    results = set()
    while spin_lane.served() == before and time.monotonic() < end:  # (a busy core delays it)
        results.add(gemm.matmul(a, b).tobytes())
    assert spin_lane.served() > before
    assert results == {ref}


@needs_spin
def test_spin_lane_compiles_one_job_for_every_layout():
    # C/C, F/C, C/F, readonly and strided operands share one compiled job per float kind
    # (compiling it again for each layout took 1.5 s each on a cold kernel cache).
    a, b = _rand(64, 300), _rand(300, 256)
    frozen = b.copy()
    frozen.flags.writeable = False
    wide = np.zeros((64, 600), np.float32)
    wide[:, :300] = a
    edges = [0, 128, 256]
    for x, y in ((a, b), (np.asfortranarray(a), b), (a, np.asfortranarray(b)), (a, frozen),
                 (wide[:, :300], b)):
        ref = _numpy_blocks(x, y, False, edges)
        out = np.full(ref.shape, np.nan, np.float32)
        with gemm.single_threaded_blas():
            assert spin_lane.run(x, y, out, False, np.array(edges), 1)
        assert out.tobytes() == ref.tobytes()
    job = spin_lane._JOBS[0]
    assert job is spin_lane._run_job_f32 and len(job.signatures) == 1


@needs_spin
def test_spin_lane_falls_back_to_numbas_dispatch(monkeypatch):
    # Where the one-signature job cannot be set up (another Numba), or an argument does not
    # fit it (int32 edges), Numba's per-layout dispatcher computes the same bits.
    a, b = _rand(64, 300), _rand(300, 256)
    ref = _numpy_blocks(a, b, True, [0, 32, 64])
    for edges in (np.array([0, 32, 64]), np.array([0, 32, 64], np.int32)):
        out = np.full(ref.shape, np.nan, np.float32)
        with gemm.single_threaded_blas():
            assert spin_lane.run(a, b, out, True, edges, 1)
        assert out.tobytes() == ref.tobytes()
    monkeypatch.setattr(spin_lane, "_JOBS", [None, None])
    monkeypatch.setattr(spin_lane, "_run_job_f32", None)  # no .compile: Numba's own dispatch
    out = np.full(ref.shape, np.nan, np.float32)
    with gemm.single_threaded_blas():
        assert spin_lane.run(a, b, out, True, np.array([0, 32, 64]), 1)
    assert spin_lane._JOBS[0] is spin_lane._run_job
    assert out.tobytes() == ref.tobytes()
