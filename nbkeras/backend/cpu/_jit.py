"""The `jit` decorator shared by every CPU kernel module."""

import numba
from numba.core import caching as _caching

_FASTMATH = {"contract", "reassoc", "nsz", "arcp"}


class _LoadCache(_caching.FunctionCache):
    """Numba's on-disk cache, whose loads skip the target context's `refresh()`.

    Numba refreshes the CPU target before every cache load: it imports all of its
    lowering and typing registries (numba.np.arraymath, linalg, the typed containers, ...
    and, through `arraymath`, SciPy's BLAS), about 0.35-0.55 s of a warm first fit that a
    loaded kernel never uses: its machine code is linked, and what it runs at load
    (`reload_init`, such as the parallel kernels' thread launch) comes with it. A load needs
    only Numba's runtime (NRT), which `refresh` would initialize first. A cache miss
    compiles as before, and Numba's compiler refreshes the target itself.

    This leans on Numba internals (`Cache._load_overload`, `_guard_against_spurious_io_errors`,
    `rtsys.initialize`): `_light_loads` installs it only where they exist (`usable`), and a
    light load that fails in any way loads again through Numba's own `load_overload`."""

    @staticmethod
    def usable():
        """Whether this Numba has the internals a light load calls."""
        try:
            from numba.core.runtime import rtsys
        except ImportError:
            return False
        base = _caching.FunctionCache
        return all(callable(getattr(base, name, None)) for name in
                   ("load_overload", "_load_overload", "_guard_against_spurious_io_errors")) \
            and callable(getattr(rtsys, "initialize", None))

    def load_overload(self, sig, target_context):
        try:
            return self._light_load(sig, target_context)
        except Exception:  # noqa: BLE001 -- another Numba: its own (refreshing) load
            return super().load_overload(sig, target_context)

    def _light_load(self, sig, target_context):
        from numba.core.runtime import rtsys

        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)


def _light_loads(dispatcher):
    """`dispatcher` with `_LoadCache` in place of Numba's cache, where that is safe: the
    dispatcher has Numba's `FunctionCache` and this Numba the internals it calls."""
    try:
        if type(getattr(dispatcher, "_cache", None)) is _caching.FunctionCache \
                and _LoadCache.usable():
            dispatcher._cache = _LoadCache(dispatcher.py_func)
    except Exception:  # noqa: BLE001 -- keep Numba's own cache
        pass
    return dispatcher


def jit(fn=None, *, fastmath=True, inline="never", parallel=False):
    """`numba.njit` with the compile cache, falling back when no cache dir is writable.

    inline='always' inlines a small helper into its callers at Numba's IR level, so
    row views and calls do not stop the caller's loops from vectorizing. parallel=True
    runs `prange` loops on Numba's threads (see `_parallel.run`)."""

    def wrap(f):
        options = dict(error_model="numpy", nogil=True, inline=inline)
        if parallel:
            options["parallel"] = True
        if fastmath:
            options["fastmath"] = _FASTMATH
        try:
            return _light_loads(numba.njit(cache=True, **options)(f))
        except RuntimeError:  # "no locator available": nowhere to cache
            return numba.njit(**options)(f)

    return wrap(fn) if fn is not None else wrap
