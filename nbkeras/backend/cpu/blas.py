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

_PREFIX = {np.dtype(np.float32): "s", np.dtype(np.float64): "d"}
_ROW_MAJOR, _NO_TRANS = 101, 111
_addresses = {}


def gemm_address(dtype, routine="gemm"):
    """The address of NumPy's OpenBLAS `cblas_?gemm` (ILP64) for `dtype`, or 0 (another
    BLAS, or not float32 / float64); `routine="gemv"` gives `cblas_?gemv`'s.

    Example:
        >>> gemm_address(np.int32)
        0
    """
    key = (np.dtype(dtype), routine)
    if key not in _addresses:
        _addresses[key] = 0
        lib = threads.openblas_library()
        prefix = _PREFIX.get(key[0])
        names = (f"scipy_cblas_{prefix}{routine}64_", f"cblas_{prefix}{routine}64_")
        for name in names if lib is not None and prefix else ():
            fn = getattr(lib, name, None)
            if fn is not None:
                _addresses[key] = ctypes.cast(fn, ctypes.c_void_p).value or 0
                break
    return _addresses[key]


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
    cblas_gemm(fn, _ROW_MAJOR, _NO_TRANS, _NO_TRANS, m, n, k, a, 0, lda, b, 0, ldb,
               c, 0, ldc)


def _data_at(context, builder, aryty, ary, offset):
    """The pointer to element `offset` of a 1-D array argument."""
    data = context.make_array(aryty)(context, builder, ary).data
    return builder.gep(data, [offset])


@intrinsic
def cblas_gemm(typingctx, fn, order, ta, tb, m, n, k, a, ia, lda, b, ib, ldb, c, ic, ldc):
    """cblas_?gemm(order, ta, tb, m, n, k, 1, a + ia, lda, b + ib, ldb, 0, c + ic, ldc), with
    `a + ia` the element `ia` of `a`'s data (any array rank: the step interpreter passes 1-D
    arenas, `gemm` 2-D blocks): any call NumPy's matmul makes, transposes included."""
    sig = types.void(fn, order, ta, tb, m, n, k, a, ia, lda, b, ib, ldb, c, ic, ldc)

    def codegen(context, builder, signature, args):
        flt = context.get_value_type(signature.args[7].dtype)
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, i64, i64, i64, flt,
                                               flt.as_pointer(), i64, flt.as_pointer(), i64,
                                               flt, flt.as_pointer(), i64])
        ptr = [_data_at(context, builder, signature.args[i], args[i], _i64(builder, args[i + 1]))
               for i in (7, 10, 13)]
        flags = [builder.trunc(_i64(builder, args[i]), i32) for i in (1, 2, 3)]
        ints = [_i64(builder, args[i]) for i in (4, 5, 6, 9, 12, 15)]
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()),
                     flags + ints[:3] + [ir.Constant(flt, 1.0), ptr[0], ints[3], ptr[1],
                                         ints[4], ir.Constant(flt, 0.0), ptr[2], ints[5]])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def cblas_gemv(typingctx, fn, order, trans, m, n, a, ia, lda, x, ix, incx, y, iy, incy):
    """cblas_?gemv(order, trans, m, n, 1, a + ia, lda, x + ix, incx, 0, y + iy, incy) on 1-D
    arrays (element offsets `ia`, `ix`, `iy`): NumPy's matmul with a vector operand."""
    sig = types.void(fn, order, trans, m, n, a, ia, lda, x, ix, incx, y, iy, incy)

    def codegen(context, builder, signature, args):
        flt = context.get_value_type(signature.args[5].dtype)
        i32, i64 = ir.IntType(32), ir.IntType(64)
        fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i64, i64, flt, flt.as_pointer(), i64,
                                               flt.as_pointer(), i64, flt, flt.as_pointer(),
                                               i64])
        ptr = [_data_at(context, builder, signature.args[i], args[i], _i64(builder, args[i + 1]))
               for i in (5, 8, 11)]
        flags = [builder.trunc(_i64(builder, args[i]), i32) for i in (1, 2)]
        ints = [_i64(builder, args[i]) for i in (3, 4, 7, 10, 13)]
        builder.call(builder.inttoptr(args[0], fnty.as_pointer()),
                     flags + ints[:2] + [ir.Constant(flt, 1.0), ptr[0], ints[2], ptr[1],
                                         ints[3], ir.Constant(flt, 0.0), ptr[2], ints[4]])
        return context.get_dummy_value()

    return sig, codegen


def _i64(builder, v):
    i64 = ir.IntType(64)
    return builder.sext(v, i64) if v.type.width < 64 else v
