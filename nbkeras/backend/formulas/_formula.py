"""The `formula` decorator: a scalar function compiled for the CPU and for CUDA alike."""

import numba


def formula(fn):
    """`numba.njit(inline="always", error_model="numpy")`: inlined into each caller at
    Numba's IR level, so it takes the caller's fastmath flags on the CPU.

    numba-cuda compiles a CPU dispatcher that a CUDA kernel calls as a device function
    with the dispatcher's own target options, so these options must be valid for both
    targets and change no numbers on either: no fastmath (on CUDA it would flush
    denormals and approximate divisions), no cache (it is only ever inlined), no nogil.

    Args:
        fn: a function of scalars (and other formulas) returning a scalar or a tuple.

    Example:
        >>> @formula
        ... def axpy(a, x, y):
        ...     return a * x + y
        >>> axpy(2.0, 3.0, 1.0)
        7.0
    """
    return numba.njit(inline="always", error_model="numpy")(fn)
