"""Linear algebra with Keras 3's names (`keras.ops.inv`, `keras.ops.linalg.svd`, ...).

Every op takes batches of matrices `(..., M, N)` and goes through `ops.core.op` (or
`composite`), so it works eagerly, on the tape and on symbolic inputs. Gradients follow
the reverse-mode rules JAX uses: `inv`, `det`, `logdet`, `solve`, `solve_triangular`,
`cholesky`, `cholesky_inverse`, `pinv` / `lstsq`, `svd`'s singular values and `eigh`'s
values and vectors. `eigh` reads the symmetric part of its input, as Keras's JAX backend
does; `solve_triangular` reads one triangle. The QR and LU factors, `eig` and `svd`'s
singular vectors have no gradient here (a loss through them raises at `gradient`).

Example:
    >>> ops.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
"""

import numpy as np

from nbkeras.backend import active as _device
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops.math import norm  # noqa: F401 (keras.ops.linalg.norm)
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import swapaxes
from nbkeras.ops.numpy import unbroadcast

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "logdet", "lstsq",
           "lu_factor", "matrix_rank", "pinv", "qr", "slogdet", "solve", "solve_triangular",
           "svd"]


def _T(xp, a):
    return xp.swapaxes(a, -1, -2)


def _float(xp, a):
    a = xp.asarray(a)
    return a if a.dtype.kind in "fc" else a.astype(np.float32)


def _check(name, x, square=True, arg="x"):
    """Keras's rank and squareness checks, before any LAPACK call."""
    shape = knp.shape(x)
    if len(shape) < 2:
        raise ValueError(f"`{name}` expects an input of rank >= 2 (a batch of matrices). "
                         f"Received: {arg}.shape={shape}")
    if square and shape[-1] != shape[-2]:
        raise ValueError(f"`{name}` expects square matrices (the last two axes equal). "
                         f"Received: {arg}.shape={shape}")
    return shape


def _check_rhs(name, a, b):
    sa, sb = _check(name, a, arg="a"), knp.shape(b)
    if len(sb) < 1:
        raise ValueError(f"`{name}` expects `b` of rank >= 1. Received: b.shape={sb}")
    if len(sb) == len(sa) and sb[-2] != sa[-2] or len(sb) == len(sa) - 1 and sb[-1] != sa[-1]:
        raise ValueError(f"`{name}`: `b`'s rows must match `a`'s. "
                         f"Received: a.shape={sa}, b.shape={sb}")
    return len(sb) == len(sa) - 1  # b holds vectors


def _lapack(name, fn, *args):
    try:
        return fn(*args)
    except np.linalg.LinAlgError as e:
        raise ValueError(f"`{name}` failed: {e}. Received: shape="
                         f"{tuple(np.shape(args[0]))}") from None


def inv(x):
    """The inverse of each square matrix of x; differentiable.

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.inv(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[-2. ,  1. ],
               [ 1.5, -0.5]])
    """
    _check("inv", x)

    def backward(xp, g, needs, arrays, out):
        t = _T(xp, out)
        return (-(t @ g @ t),)

    return op("inv", lambda xp, a: _lapack("inv", xp.linalg.inv, _float(xp, a)), (x,), backward)


def det(x):
    """The determinant of each square matrix of x; differentiable.

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.det(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array(-2.)
    """
    _check("det", x)

    def backward(xp, g, needs, arrays, out):
        a = _float(xp, arrays[0])
        return ((g * out)[..., None, None] * _T(xp, _lapack("det", xp.linalg.inv, a)),)

    return op("det", lambda xp, a: xp.asarray(xp.linalg.det(_float(xp, a))), (x,), backward)


def logdet(x):
    """The log of the determinant of each (Hermitian positive-definite) matrix of x, as
    `slogdet`'s log-magnitude; differentiable.

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.logdet(np.array([[2.0, 0.0], [0.0, 3.0]]))
        array(1.79175947)
    """
    _check("logdet", x)

    def backward(xp, g, needs, arrays, out):
        a = _float(xp, arrays[0])
        return (g[..., None, None] * _T(xp, _lapack("logdet", xp.linalg.inv, a)),)

    return op("logdet", lambda xp, a: xp.asarray(xp.linalg.slogdet(_float(xp, a))[1]), (x,),
              backward)


def slogdet(x):
    """The sign and the log of the absolute determinant of each square matrix, as
    `(sign, logabsdet)`; logabsdet is differentiable.

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.slogdet(np.array([[-2.0, 0.0], [0.0, 1.0]]))
        (array(-1.), array(0.69314718))
    """
    _check("slogdet", x)

    def run(x):
        sign = op("slogdet", lambda xp, a: xp.asarray(xp.linalg.slogdet(_float(xp, a))[0]),
                  (x,))

        def backward(xp, g, needs, arrays, out):
            a = _float(xp, arrays[0])
            return (g[..., None, None] * _T(xp, _lapack("slogdet", xp.linalg.inv, a)),)

        value = op("slogdet", lambda xp, a: xp.asarray(xp.linalg.slogdet(_float(xp, a))[1]),
                   (x,), backward)
        return sign, value

    return composite("slogdet", run, (x,))


def _solve_value(xp, a, b, vector):
    if vector:
        return _lapack("solve", xp.linalg.solve, a, b[..., None])[..., 0]
    return _lapack("solve", xp.linalg.solve, a, b)


def _solve_backward(xp, g, needs, a, b, out, vector, mask=None):
    gb = _solve_value(xp, _T(xp, a), g, vector)
    ga = None
    if needs[0]:
        ga = -(gb[..., :, None] * out[..., None, :]) if vector else -(gb @ _T(xp, out))
        ga = unbroadcast(ga, a.shape)
        if mask is not None:
            ga = mask(ga)
    return ga, gb if needs[1] else None


def solve(a, b):
    """Solve `a @ x = b` for x; differentiable in a and b.

    Args:
        a: the coefficient matrices, shape `(..., M, M)`.
        b: the right-hand sides, shape `(..., M)` or `(..., M, N)`.

    Returns:
        x, shaped as b.

    Example:
        >>> ops.solve(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
        array([1. , 0.5])
    """
    vector = _check_rhs("solve", a, b)

    def forward(xp, a, b):
        return _solve_value(xp, _float(xp, a), _float(xp, b), vector)

    def backward(xp, g, needs, arrays, out):
        return _solve_backward(xp, g, needs, _float(xp, arrays[0]), arrays[1], out, vector)

    return op("solve", forward, (a, b), backward)


def solve_triangular(a, b, lower=False):
    """Solve `a @ x = b` for triangular a (only its lower or upper triangle is read).

    Args:
        a: the triangular matrices, shape `(..., M, M)`.
        b: the right-hand sides, shape `(..., M)` or `(..., M, N)`.
        lower: whether a is lower triangular (else upper).

    Example:
        >>> ops.solve_triangular(np.array([[2.0, 0.0], [1.0, 1.0]]), np.array([2.0, 3.0]),
        ...                      lower=True)
        array([1., 2.])
    """
    vector = _check_rhs("solve_triangular", a, b)

    def tri(xp, m):
        return xp.tril(m) if lower else xp.triu(m)

    def forward(xp, a, b):
        return _solve_value(xp, tri(xp, _float(xp, a)), _float(xp, b), vector)

    def backward(xp, g, needs, arrays, out):
        a = tri(xp, _float(xp, arrays[0]))
        return _solve_backward(xp, g, needs, a, arrays[1], out, vector,
                               mask=lambda m: tri(xp, m))

    return op("solve_triangular", forward, (a, b), backward, {"lower": lower})


def _phi(xp, m):
    """The lower triangle with the diagonal halved."""
    return xp.tril(m) - 0.5 * (xp.eye(m.shape[-1], dtype=m.dtype) * m)


def cholesky(x, upper=False):
    """The Cholesky factor of each symmetric positive-definite matrix; differentiable.

    Args:
        x: a tensor of shape `(..., M, M)`.
        upper: return the upper factor U (x = U^T U) instead of the lower L (x = L L^T).

    Raises:
        ValueError: when a matrix is not positive definite.

    Example:
        >>> ops.cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
        array([[2., 0.],
               [1., 1.]])
    """
    _check("cholesky", x)

    def forward(xp, a):
        try:
            low = xp.linalg.cholesky(_float(xp, a))
        except np.linalg.LinAlgError:
            raise ValueError("Cholesky decomposition failed: the input is not a positive "
                             f"definite matrix. Received: x.shape={np.shape(a)}") from None
        return _T(xp, low) if upper else low

    def backward(xp, g, needs, arrays, out):
        low = _T(xp, out) if upper else out
        g = _T(xp, g) if upper else g
        eye = xp.eye(low.shape[-1], dtype=low.dtype)
        linv = xp.linalg.solve(low, xp.broadcast_to(eye, low.shape))
        s = _T(xp, linv) @ _phi(xp, _T(xp, low) @ g) @ linv
        return (0.5 * (s + _T(xp, s)),)

    return op("cholesky", forward, (x,), backward, {"upper": upper})


def cholesky_inverse(x, upper=False):
    """The inverse of `L @ L^T` (or `U^T @ U`) from its Cholesky factor; differentiable.

    Args:
        x: the triangular Cholesky factors, shape `(..., M, M)`.
        upper: whether x holds upper factors U.

    Example:
        >>> ops.cholesky_inverse(np.array([[2.0, 0.0], [1.0, 1.0]]))
        array([[ 0.5 , -0.5 ],
               [-0.5 ,  1.25]])
    """
    _check("cholesky_inverse", x)

    def run(x):
        a = unwrap(x)
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype if a.dtype.kind == "f"
                                     else np.float32), a.shape)
        m = solve_triangular(x, eye, lower=not upper)
        mt = swapaxes(m, -1, -2)
        return knp.matmul(m, mt) if upper else knp.matmul(mt, m)

    return composite("cholesky_inverse", run, (x,), {"upper": upper})


def _host(x):
    """x's value as a host NumPy array (LAPACK work on small matrices runs there)."""
    return _device.to_numpy(unwrap(x))


def _svd_parts(x, full_matrices):
    a = _host(x)
    a = a if a.dtype.kind in "fc" else a.astype(np.float32)
    return np.linalg.svd(a, full_matrices=full_matrices)


def _no_grad(name, what):
    def backward(xp, g, needs, arrays, out):
        raise NotImplementedError(f"nbkeras has no gradient for `{name}`'s {what}. Received: "
                                  f"a loss that depends on {what}")
    return backward


def svd(x, full_matrices=True, compute_uv=True):
    """The singular value decomposition `x = u @ diag(s) @ v` of each matrix of x.

    The singular values `s` are differentiable; u and v are not.

    Args:
        x: a tensor of shape `(..., M, N)`.
        full_matrices: u and v square (`(M, M)`, `(N, N)`), else reduced to K = min(M, N).
        compute_uv: return `(u, s, v)`; else only s.

    Example:
        >>> ops.svd(np.array([[3.0, 0.0], [0.0, 4.0]]), compute_uv=False)
        array([4., 3.])
    """
    _check("svd", x, square=False)
    config = {"full_matrices": full_matrices, "compute_uv": compute_uv}

    def run(x):
        u, s, vh = _svd_parts(x, False)
        full = _svd_parts(x, True) if full_matrices and compute_uv else None

        def s_backward(xp, g, needs, arrays, out):
            return ((xp.asarray(u) * g[..., None, :]) @ xp.asarray(vh),)

        values = op("svd", lambda xp, a: xp.asarray(s), (x,), s_backward)
        if not compute_uv:
            return values
        uu, vv = (full[0], full[2]) if full is not None else (u, vh)
        return (op("svd", lambda xp, a: xp.asarray(uu), (x,), _no_grad("svd", "u")), values,
                op("svd", lambda xp, a: xp.asarray(vv), (x,), _no_grad("svd", "v")))

    return composite("svd", run, (x,), config)


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors of each symmetric matrix of x, as
    `(values, vectors)`; both differentiable. The symmetric part `(x + x^T) / 2` is used.

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.eigh(np.array([[2.0, 0.0], [0.0, 1.0]]))[0]
        array([1., 2.])
    """
    _check("eigh", x)

    def run(x):
        a = _host(x)
        a = a if a.dtype.kind in "fc" else a.astype(np.float32)
        w_h, v_h = np.linalg.eigh(0.5 * (a + np.swapaxes(a, -1, -2)))
        w, v = _device.xp.asarray(w_h), _device.xp.asarray(v_h)

        def sym(xp, m):
            return 0.5 * (m + _T(xp, m))

        def w_backward(xp, g, needs, arrays, out):
            return (sym(xp, (v * g[..., None, :]) @ _T(xp, v)),)

        def v_backward(xp, g, needs, arrays, out):
            diff = w[..., None, :] - w[..., :, None]  # w_j - w_i
            f = xp.where(diff == 0, 0.0, 1.0 / xp.where(diff == 0, 1.0, diff))
            inner = f.astype(v.dtype) * (_T(xp, v) @ g)
            return (sym(xp, v @ inner @ _T(xp, v)),)

        return (op("eigh", lambda xp, a: xp.asarray(w), (x,), w_backward),
                op("eigh", lambda xp, a: xp.asarray(v), (x,), v_backward))

    return composite("eigh", run, (x,))


def eig(x):
    """Eigenvalues and right eigenvectors of each square matrix of x, as complex64
    `(values, vectors)` (no gradient).

    Args:
        x: a tensor of shape `(..., M, M)`.

    Example:
        >>> ops.eig(np.array([[2.0, 0.0], [0.0, 1.0]]))[0]
        array([2.+0.j, 1.+0.j], dtype=complex64)
    """
    _check("eig", x)

    def run(x):
        a = _host(x)
        w, v = _lapack("eig", np.linalg.eig, a)
        cdt = np.complex128 if a.dtype == np.float64 else np.complex64
        return (op("eig", lambda xp, a: xp.asarray(w, cdt), (x,)),
                op("eig", lambda xp, a: xp.asarray(v, cdt), (x,)))

    return composite("eig", run, (x,))


def qr(x, mode="reduced"):
    """The QR decomposition `x = q @ r` of each matrix of x, as `(q, r)` (no gradient).

    Args:
        x: a tensor of shape `(..., M, N)`.
        mode: 'reduced' (q is `(M, K)`, r is `(K, N)`, K = min(M, N)) or 'complete'
            (q is `(M, M)`, r is `(M, N)`).

    Example:
        >>> q, r = ops.qr(np.array([[3.0, 0.0], [4.0, 1.0]]))
        >>> np.allclose(q @ r, [[3.0, 0.0], [4.0, 1.0]])
        True
    """
    if mode not in ("reduced", "complete"):
        raise ValueError("`mode` argument value not supported. Expected one of "
                         f"{{'reduced', 'complete'}}. Received: mode={mode}")
    _check("qr", x, square=False)

    def run(x):
        a = _host(x)
        q, r = np.linalg.qr(a if a.dtype.kind in "fc" else a.astype(np.float32), mode=mode)
        return (op("qr", lambda xp, a: xp.asarray(q), (x,)),
                op("qr", lambda xp, a: xp.asarray(r), (x,)))

    return composite("qr", run, (x,), {"mode": mode})


def _lu(a):
    """LU with partial pivoting, LAPACK's getrf layout: the packed factors and the 0-based
    row swaps (row i was swapped with row piv[i])."""
    lu = np.array(a, dtype=a.dtype if a.dtype.kind == "f" else np.float32, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    piv = np.zeros(lu.shape[:-2] + (k,), np.int32)
    flat, fpiv = lu.reshape(-1, m, n), piv.reshape(-1, k)
    for b in range(flat.shape[0]):
        f = flat[b]
        for j in range(k):
            p = j + int(np.argmax(np.abs(f[j:, j])))
            fpiv[b, j] = p
            if p != j:
                f[[j, p]] = f[[p, j]]
            if f[j, j] != 0:
                f[j + 1:, j] /= f[j, j]
                f[j + 1:, j + 1:] -= np.outer(f[j + 1:, j], f[j, j + 1:])
    return flat.reshape(lu.shape), piv


def lu_factor(x):
    """The LU factorization with partial pivoting of each matrix, as `(lu, pivots)` in
    LAPACK's (and `scipy.linalg.lu_factor`'s) layout: L below the diagonal (unit diagonal
    implied), U on and above it, and int32 0-based row swaps (no gradient).

    Args:
        x: a tensor of shape `(..., M, N)`.

    Example:
        >>> lu, piv = ops.lu_factor(np.array([[1.0, 2.0], [3.0, 4.0]]))
        >>> piv
        array([1, 1], dtype=int32)
    """
    _check("lu_factor", x, square=False)

    def run(x):
        lu, piv = _lu(_host(x))
        return (op("lu_factor", lambda xp, a: xp.asarray(lu), (x,)),
                op("lu_factor", lambda xp, a: xp.asarray(piv), (x,)))

    return composite("lu_factor", run, (x,))


def _pinv_value(xp, a, rcond):
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    if rcond is None:
        rcond = 10 * max(a.shape[-2:]) * np.finfo(a.dtype).eps
    cut = rcond * xp.max(s, axis=-1, keepdims=True) if s.shape[-1] else s
    sinv = xp.where(s > cut, 1.0 / xp.where(s > cut, s, 1.0), 0.0).astype(a.dtype)
    return xp.swapaxes(vh, -1, -2) @ (sinv[..., :, None] * xp.swapaxes(u, -1, -2))


def pinv(x, rcond=None):
    """The Moore-Penrose pseudo-inverse of each matrix of x (from its SVD: singular values
    at most `rcond` times the largest count as zero); differentiable (at full rank).

    Args:
        x: a tensor of shape `(..., M, N)`.
        rcond: the cut-off ratio (None: 10 * max(M, N) * the dtype's epsilon, as JAX).

    Example:
        >>> ops.pinv(np.array([[2.0, 0.0], [0.0, 0.0]]))
        array([[0.5, 0. ],
               [0. , 0. ]])
    """
    _check("pinv", x, square=False)

    def backward(xp, g, needs, arrays, out):
        a, p = _float(xp, arrays[0]), out
        pt = _T(xp, p)
        m, n = a.shape[-2], a.shape[-1]
        q = xp.eye(m, dtype=a.dtype) - a @ p
        r = xp.eye(n, dtype=a.dtype) - p @ a
        gt = _T(xp, g)
        return (-(pt @ g @ pt) + q @ gt @ p @ pt + pt @ p @ gt @ r,)

    return op("pinv", lambda xp, a: xp.asarray(_pinv_value(xp, _float(xp, a), rcond)), (x,),
              backward, {"rcond": rcond})


def lstsq(a, b, rcond=None):
    """The least-squares solution x of `a @ x = b` (the minimum-norm one when a is rank
    deficient), through `pinv`; differentiable in a (at full rank) and b.

    Args:
        a: the coefficient matrix, shape `(M, N)`.
        b: the ordinates, shape `(M,)` or `(M, K)`.
        rcond: the cut-off ratio for small singular values of a (None: NumPy's and JAX's
            default, max(M, N) times the dtype's epsilon).

    Returns:
        x of shape `(N,)` or `(N, K)`.

    Example:
        >>> ops.lstsq(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.array([1.0, 2.0, 5.0]))
        array([1., 2.])
    """
    sa = knp.shape(a)
    sb = knp.shape(b)
    if len(sa) != 2:
        raise ValueError(f"Expected a to have rank 2. Received: a.shape={sa}")
    if len(sb) not in (1, 2):
        raise ValueError(f"Expected b to have rank 1 or 2. Received: b.shape={sb}")
    if sb[0] != sa[0]:
        raise ValueError("Expected b.shape[0] to be equal to a.shape[0]. "
                         f"Received: a.shape={sa}, b.shape={sb}")

    def run(a, b):
        cut = rcond
        if cut is None:
            dt = np.dtype(getattr(unwrap(a), "dtype", np.float32))
            cut = max(sa) * np.finfo(dt if dt.kind == "f" else np.float32).eps
        return knp.matmul(pinv(a, rcond=cut), b)

    return composite("lstsq", run, (a, b), {"rcond": rcond})


def matrix_rank(x, tol=None):
    """The rank of each matrix of x: how many singular values exceed `tol` (int32).

    Args:
        x: a tensor of shape `(..., M, N)`.
        tol: the threshold (None: the largest singular value times max(M, N) times the
            dtype's epsilon, as NumPy and JAX).

    Example:
        >>> ops.matrix_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))
        array(1, dtype=int32)
    """
    _check("matrix_rank", x, square=False)

    def forward(xp, a):
        a = _float(xp, a)
        s = xp.linalg.svd(a, compute_uv=False)
        t = tol
        if t is None:
            t = xp.max(s, axis=-1, keepdims=True) * max(a.shape[-2:]) * np.finfo(a.dtype).eps
        return xp.asarray(xp.sum(s > t, axis=-1), dtype=np.int32)

    return op("matrix_rank", forward, (x,), config={"tol": tol})


def matrix_norm_svd(x, ord, axis, keepdims):
    """`norm`'s 'nuc', 2 and -2 matrix norms: the sum, largest and smallest singular value
    over the two axes in `axis` (differentiable through `svd`)."""
    r, c = axis
    nd = len(knp.shape(x))
    rest = [i for i in range(nd) if i not in (r, c)]
    moved = knp.transpose(x, rest + [r, c])
    s = svd(moved, compute_uv=False)
    out = knp.sum(s, axis=-1) if ord == "nuc" else knp.max(s, axis=-1) if ord == 2 else \
        knp.min(s, axis=-1)
    if keepdims:
        for a in sorted((r, c)):
            out = knp.expand_dims(out, a)
    return out
