"""Backend plumbing: the kernel-cache source stamp and the allocator setting for training."""

import hashlib
import os
import resource
import subprocess
import sys

import numpy as np
import pytest

from nbkeras.backend import memory
from nbkeras.backend.cpu._cache_stamp import ensure_fresh, kernel_folder, sources_hash


KERNEL = "rnn.lstm_step_forward-10.py311"


def _tree(tmp_path):
    """Sources, and a NUMBA_CACHE_DIR holding their kernels and another project's."""
    src = tmp_path / "src" / "cpu"
    src.mkdir(parents=True)
    (src / "rnn.py").write_text("A = 1\n")
    (src / "fastmath.py").write_text("B = 2\n")
    cache = tmp_path / "cache"
    ours = cache / f"cpu_{hashlib.sha1(str(src).encode()).hexdigest()}"
    other = cache / f"cpu_{hashlib.sha1(b'/elsewhere/cpu').hexdigest()}"
    for d in (ours, other):
        d.mkdir(parents=True)
        (d / f"{KERNEL}.nbi").write_text("x")
        (d / f"{KERNEL}.1.nbc").write_text("x")
    return src, cache, ours, other


def test_kernel_folder_is_where_numba_caches(tmp_path):
    src, cache, ours, _ = _tree(tmp_path)
    assert kernel_folder(str(cache), str(src)) == str(ours)
    assert kernel_folder(str(src / "__pycache__"), str(src)) == str(src / "__pycache__")
    from numba.core.caching import UserProvidedCacheLocator

    assert UserProvidedCacheLocator.get_suitable_cache_subpath(str(src / "rnn.py")) == ours.name


def test_cache_stamp_purges_kernels_when_any_source_changes(tmp_path):
    src, cache, ours, other = _tree(tmp_path)
    assert ensure_fresh(str(cache), str(src)) is True  # no stamp yet: purge
    assert not list(ours.glob("*.nb*"))
    assert len(list(other.glob("*.nb*"))) == 2  # another checkout's kernels are left alone
    (ours / f"{KERNEL}.nbi").write_text("x")
    assert ensure_fresh(str(cache), str(src)) is False  # same sources: cache kept
    assert (ours / f"{KERNEL}.nbi").exists()
    before = sources_hash(str(src))
    (src / "fastmath.py").write_text("B = 3\n")  # a helper changed, not rnn.py itself
    assert sources_hash(str(src)) != before
    assert ensure_fresh(str(cache), str(src)) is True
    assert not (ours / f"{KERNEL}.nbi").exists()


def test_cache_stamp_purges_kernels_when_an_inlined_formula_changes(tmp_path):
    src, cache, ours, _ = _tree(tmp_path)
    shared = tmp_path / "formulas"
    shared.mkdir()
    (shared / "optimizers.py").write_text("A = 1\n")
    assert ensure_fresh(str(cache), str(src), also=(str(shared),)) is True
    (ours / f"{KERNEL}.nbi").write_text("x")
    assert ensure_fresh(str(cache), str(src), also=(str(shared),)) is False
    (shared / "optimizers.py").write_text("A = 2\n")  # only the shared formula changed
    assert ensure_fresh(str(cache), str(src), also=(str(shared),)) is True
    assert not (ours / f"{KERNEL}.nbi").exists()


def test_every_device_stamp_covers_the_shared_formulas():
    from nbkeras.backend.cpu import _cache_stamp

    import nbkeras.backend

    folder = os.path.join(os.path.dirname(os.path.abspath(nbkeras.backend.__file__)), "formulas")
    assert _cache_stamp.INLINED == (folder,)
    assert os.path.isfile(os.path.join(folder, "optimizers.py"))


def test_cache_stamp_tolerates_an_unwritable_stamp(tmp_path):
    src, cache, ours, _ = _tree(tmp_path)
    (ours / "nbkeras-kernel-sources.sha1").mkdir()  # neither readable nor replaceable
    assert ensure_fresh(str(cache), str(src)) is True
    assert not list(ours.glob("*.nb*"))
    assert not [p for p in ours.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_freed_blocks_are_reused_without_page_faults():
    assert memory.keep_freed_memory() is True

    def faults_of_alloc_cycles():
        np.empty(3_000_000, np.float32).fill(1)  # settle the heap
        r0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(20):
            np.empty(3_000_000, np.float32).fill(1)  # 12 MB = ~2,900 pages each
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r0

    assert faults_of_alloc_cycles() < 500
    memory.release_free_memory()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc only")
def test_opt_out_leaves_malloc_alone():
    code = ("from nbkeras.backend import memory; import nbkeras, numpy as np;"
            "m = nbkeras.Sequential([nbkeras.Input((3,)), nbkeras.layers.Dense(2)]);"
            "m.compile('sgd', 'mse'); m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0);"
            "print(memory.keep_freed_memory())")
    env = dict(os.environ, NBKERAS_KEEP_FREED_MEMORY="0")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_kernel_table_names_the_module_of_every_kernel():
    from nbkeras.backend import cpu, kernel_table

    kernels = kernel_table.load("nbkeras.backend.cpu")
    for name, module in kernel_table.MODULES.items():
        mod = sys.modules[f"nbkeras.backend.cpu.{module}"]
        assert getattr(mod, name) is kernels[name] is getattr(cpu, name), name


def test_a_dense_fit_imports_only_the_kernel_modules_it_uses(tmp_path):
    code = (
        "import sys, numpy as np, nbkeras as keras\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation='relu'),"
        " keras.layers.Dense(2, activation='softmax')])\n"
        "m.compile('adam', 'sparse_categorical_crossentropy')\n"
        "m.fit(np.zeros((4, 3)), np.zeros(4, 'int32'), epochs=1, verbose=0)\n"
        "print(sorted(n.rsplit('.', 1)[1] for n in sys.modules if n.startswith("
        "'nbkeras.backend.cpu.') and n.rsplit('.', 1)[1] in {'conv', 'pooling', 'rnn',"
        " 'normalization', 'activations', 'losses', 'optimizers', 'softmax'}))\n"
    )
    env = dict(os.environ, NBKERAS_PRELOAD="0", NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.stdout.strip() == "['activations', 'losses', 'optimizers', 'softmax']", out.stderr


# ------------------------------------------- what leans on Numba internals fails safe
def test_kernels_load_through_the_light_cache():
    from nbkeras.backend.cpu import _jit, losses

    assert _jit._LoadCache.usable()
    assert type(losses.mse_forward._cache) is _jit._LoadCache


def test_light_cache_falls_back_to_numbas_load(monkeypatch):
    # A Numba whose internals differ: the light load fails, Numba's own load answers.
    from numba.core import caching

    from nbkeras.backend.cpu import _jit, losses

    cache = _jit._LoadCache(losses.mse_forward.py_func)
    monkeypatch.setattr(caching.FunctionCache, "load_overload", lambda self, sig, ctx: "numba's")
    monkeypatch.delattr(caching.Cache, "_load_overload")
    assert cache.load_overload((), None) == "numba's"
    assert not _jit._LoadCache.usable()  # and new kernels keep Numba's own cache
    assert type(_jit.jit(_square)._cache) is caching.FunctionCache


def _square(x):
    return x * x


def test_step_program_cached_is_false_where_the_cache_cannot_tell(monkeypatch):
    from nbkeras.backend.cpu import step_program

    class _OtherCache:  # another Numba's cache: none of the internals `cached` reads
        pass

    monkeypatch.setattr(step_program.run_program, "overloads", {})
    monkeypatch.setattr(step_program.run_program, "_cache", _OtherCache())
    assert step_program.cached(np.float32) is False
