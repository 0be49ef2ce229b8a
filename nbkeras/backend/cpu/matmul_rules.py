"""NumPy's rules for the BLAS call of one 2-D matmul, in one place.

`np.matmul` (numpy/_core/src/umath/matmul.c.src) computes a (m, k) @ (k, p) product of
float arrays with one row-major `cblas_?gemm` call when every operand is "blasable" (unit
stride along one axis, the other a multiple of it and at least as long as that axis), with
the transposes and leading dimensions its strides give; otherwise it copies an operand
first (or, for a matrix times its own transpose, calls syrk). The spinning GEMM lane
(`spin_lane`, in compiled code) and the fused training step's compiler
(`trainers/step_fused`, in Python) make the calls NumPy makes, so both read these rules:
plain Python functions that compiled kernels call (`register_jitable`; not
inline="always": through Numba's overload inliner `_describe` compiled in 4.9 s instead of 1.0 s).

Example:
    >>> gemm_call(4, 3, 5, 12, 4, 20, 4, 20, 4, 4, False)  # float32, all C-contiguous
    (0, 111, 3, 111, 5, 5)
    >>> gemm_call(4, 3, 5, 4, 16, 20, 4, 20, 4, 4, False)[:3]  # a F-ordered first operand
    (0, 112, 4)
"""

from numba.extending import register_jitable

NO_TRANS, TRANS = 111, 112
GEMM, COPIES, SYRK = 0, 1, 2  # how NumPy computes the product (`gemm_call`)


@register_jitable
def blasable(s1, s2, d2, size):
    """NumPy's `is_blasable2d`: stride `s2` is one unit (`size` bytes; 1 for strides in
    elements), `s1` a whole number of units and at least `d2` of them."""
    return s2 == size and s1 % size == 0 and s1 // size >= d2


@register_jitable
def _operand(s1, s2, d1, d2, size):
    """(transpose, leading dimension) of a (d1, d2) operand of strides (s1, s2) in NumPy's
    gemm call: row-major when blasable so, else transposed; (0, 0) when neither."""
    if blasable(s1, s2, d2, size):
        return NO_TRANS, s1 // size
    if blasable(s2, s1, d1, size):
        return TRANS, s2 // size
    return 0, 0


@register_jitable
def gemm_call(m, k, p, s1m, s1n, s2n, s2p, som, sop, size, same_data):
    """How `np.matmul` computes a (m, k) @ (k, p) -> (m, p) product, m, k and p at least 2
    (smaller ones go to gemv or a loop), from the strides of the operands and the output
    (bytes, `size` per element; or elements, `size` 1) and whether both operands start at
    one address: `(how, ta, lda, tb, ldb, ldc)`, how = GEMM with its call's transposes and
    leading dimensions (in elements), COPIES (an operand or the output is not blasable) or
    SYRK (a matrix times its own transpose); the other five are 0 then."""
    ta, lda = _operand(s1m, s1n, m, k, size)
    tb, ldb = _operand(s2n, s2p, k, p, size)
    if ta == 0 or tb == 0 or not blasable(som, sop, p, size):
        return COPIES, 0, 0, 0, 0, 0
    if same_data and m == p and s1m == s2p and s1n == s2n and ta != tb:
        return SYRK, 0, 0, 0, 0, 0
    return GEMM, ta, lda, tb, ldb, som // size
