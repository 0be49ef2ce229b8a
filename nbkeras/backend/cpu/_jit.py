"""The `jit` decorator shared by every CPU kernel module."""

import numba

_FASTMATH = {"contract", "reassoc", "nsz", "arcp"}


def jit(fn=None, *, fastmath=True, inline="never"):
    """`numba.njit` with the compile cache, falling back when no cache dir is writable.

    inline='always' inlines a small helper into its callers at Numba's IR level, so
    row views and calls do not stop the caller's loops from vectorizing."""

    def wrap(f):
        options = dict(error_model="numpy", nogil=True, inline=inline)
        if fastmath:
            options["fastmath"] = _FASTMATH
        try:
            return numba.njit(cache=True, **options)(f)
        except RuntimeError:  # "no locator available": nowhere to cache
            return numba.njit(**options)(f)

    return wrap(fn) if fn is not None else wrap
