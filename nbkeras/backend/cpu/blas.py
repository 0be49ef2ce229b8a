"""NumPy's own BLAS GEMM, called from inside Numba kernels.

A kernel that loops over many small products (a recurrent layer's time steps) calls
`gemm(fn, a, b, c)` in nopython code instead of returning to Python for each
`np.matmul`. `fn` is the address of the `cblas_?gemm` that NumPy's OpenBLAS exports
(`gemm_address`), passed at run time, so kernels that use it stay in the compile cache.
The call is the one NumPy's matmul makes for C-contiguous operands (row-major, no
transposes, alpha 1, beta 0), so the products are bit-identical to `np.matmul`'s
(tests/test_rnn_sequence.py checks it). Only the ILP64 builds that NumPy's wheels ship
(symbols ending in `64_`, 64-bit integers) are used; `gemm_address` is 0 for any other
BLAS, and callers keep their NumPy path then.

Example:
    >>> fn = gemm_address(np.float32)
    >>> c = np.empty((2, 2), np.float32)
    >>> if fn:
    ...     gemm(fn, np.eye(2, dtype=np.float32), np.ones((2, 2), np.float32), c)
"""

import ctypes

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from nbkeras.backend.cpu import threads
from nbkeras.backend.cpu._jit import jit

_SYMBOLS = {np.dtype(np.float32): ("scipy_cblas_sgemm64_", "cblas_sgemm64_"),
            np.dtype(np.float64): ("scipy_cblas_dgemm64_", "cblas_dgemm64_")}
_ROW_MAJOR, _NO_TRANS = 101, 111
_addresses = {}


def gemm_address(dtype):
    """The address of NumPy's OpenBLAS `cblas_?gemm` (ILP64) for `dtype`, or 0 (another
    BLAS, or not float32 / float64).

    Example:
        >>> gemm_address(np.int32)
        0
    """
    dtype = np.dtype(dtype)
    if dtype not in _addresses:
        _addresses[dtype] = 0
        lib = threads.openblas_library()
        for name in _SYMBOLS.get(dtype, ()) if lib is not None else ():
            fn = getattr(lib, name, None)
            if fn is not None:
                _addresses[dtype] = ctypes.cast(fn, ctypes.c_void_p).value or 0
                break
    return _addresses[dtype]


@intrinsic
def _cblas_gemm(typingctx, fn, m, n, k, a, lda, b, ldb, c, ldc):
    """cblas_?gemm(RowMajor, NoTrans, NoTrans, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)."""
    sig = types.void(fn, m, n, k, a, lda, b, ldb, c, ldc)

    def codegen(context, builder, signature, args):
        fnv, mv, nv, kv, av, ldav, bv, ldbv, cv, ldcv = args
        flt = context.get_value_type(signature.args[4].dtype)
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, flt,
                                               flt.as_pointer(), i64, flt.as_pointer(), i64,
                                               flt, flt.as_pointer(), i64])
        data = [context.make_array(signature.args[i])(context, builder, args[i]).data
                for i in (4, 6, 8)]
        ints = [builder.sext(v, i64) if v.type.width < 64 else v
                for v in (mv, nv, kv, ldav, ldbv, ldcv)]
        builder.call(builder.inttoptr(fnv, fnty.as_pointer()),
                     [ir.Constant(i32, _ROW_MAJOR), ir.Constant(i32, _NO_TRANS),
                      ir.Constant(i32, _NO_TRANS), ints[0], ints[1], ints[2],
                      ir.Constant(flt, 1.0), data[0], ints[3], data[1], ints[4],
                      ir.Constant(flt, 0.0), data[2], ints[5]])
        return context.get_dummy_value()

    return sig, codegen


@jit
def gemm(fn, a, b, c):
    """c = a @ b through the BLAS at address `fn`; 2-D arrays of one dtype whose rows are
    contiguous (C-contiguous, or row blocks of such arrays)."""
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0:
        return
    if k == 0:
        c[:] = 0.0
        return
    size = a.itemsize  # leading dimensions; a one-row array's row stride may be anything
    lda = a.strides[0] // size if m > 1 else k
    ldb = b.strides[0] // size if k > 1 else n
    ldc = c.strides[0] // size if m > 1 else n
    _cblas_gemm(fn, m, n, k, a, lda, b, ldb, c, ldc)
