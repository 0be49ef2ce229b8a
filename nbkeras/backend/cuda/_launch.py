"""Launch helpers shared by every CUDA kernel module: the decorators and the 1-D grid.

Each public kernel of `nbkeras.backend.cuda` is a plain Python function with the same
name and arguments as its CPU twin in `nbkeras.backend.cpu`; it sizes a grid and launches
one or more `numba.cuda` kernels. Arrays are CuPy arrays on a GPU (shared with Numba
through `__cuda_array_interface__`, no copy) and NumPy arrays under the simulator
(`NUMBA_ENABLE_CUDASIM=1`).

Example:
    >>> @kernel
    ... def _twice(x, out):
    ...     i = cuda.grid(1)
    ...     if i < x.size:
    ...         out[i] = 2 * x[i]
    >>> launch(_twice, x.size, x, out)
"""

import types

from numba import cuda

from nbkeras.backend.cuda_check import simulated

try:  # a small layer launches few blocks by design: no low-occupancy warning per launch
    from numba.cuda.core import config as _config

    _config.CUDA_LOW_OCCUPANCY_WARNINGS = 0
except ImportError:  # numba's built-in numba.cuda, or the simulator
    pass

# Threads per block: a multiple of the 32-thread warp; small launches use fewer threads,
# which keeps tiny arrays cheap under the simulator (one Python thread per CUDA thread).
THREADS = 256



def kernel(fn):
    """`numba.cuda.jit` with the compile cache (cuda/__init__.py drops it when any kernel
    source changes), falling back to in-memory compiles when nowhere is writable."""
    try:
        return cuda.jit(cache=True)(fn)
    except RuntimeError:  # "no locator available": nowhere to cache
        return cuda.jit(fn)


device = cuda.jit(device=True)


@device
def unravel(t, d, h, w, c):
    """(n, z, i, j, k) of flat index t into a C-ordered (N, d, h, w, c) array."""
    k = t % c
    r = t // c
    j = r % w
    r = r // w
    i = r % h
    r = r // h
    return r // d, r % d, i, j, k


def launch(fn, n, *args):
    """Run kernel `fn` over `n` threads (at least one block, none when n == 0).

    Args:
        fn: a `numba.cuda.jit` kernel whose threads read `cuda.grid(1)`.
        n: how many threads must run (the kernel guards indices >= n itself).
        *args: the kernel's arguments.
    """
    n = int(n)
    if n <= 0:
        return
    threads = min(THREADS, n)
    fn[(n + threads - 1) // threads, threads](*args)


@kernel
def _fill_kernel(x, value):
    i = cuda.grid(1)
    if i < x.size:
        x[i] = value


def fill(x, value):
    """x[:] = value for a flat (1-D) array, on the device."""
    launch(_fill_kernel, x.size, x, value)


def formulas(module):
    """The shared formulas of `module` (a module of `nbkeras.backend.formulas`) as the CUDA
    kernels call them.

    On a GPU this is the module itself: numba-cuda compiles each formula into the kernel
    that calls it. Under the simulator the kernels run as Python and pass the simulator's
    array wrappers, which compiled code cannot take, so each formula is called on the
    NumPy arrays they wrap (in place, as the kernel would write them).

    Example:
        >>> from nbkeras.backend.formulas import losses
        >>> f = formulas(losses)  # then, inside a kernel: out[i] = f.mse_row(t, p, i)
    """
    if not simulated():
        return module
    wrapped = types.SimpleNamespace()
    for name, fn in vars(module).items():
        if hasattr(fn, "py_func"):  # a formula (a numba dispatcher)
            setattr(wrapped, name, _on_wrapped_arrays(fn))
    return wrapped


def _on_wrapped_arrays(fn):
    def call(*args):
        return fn(*(getattr(a, "_ary", a) for a in args))

    call.__name__ = fn.__name__
    return call
