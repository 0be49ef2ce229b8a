"""Derive the rational float32 tanh used by the CPU kernels (nbkeras/backend/cpu/fastmath.py).

    python tools/fit_tanh.py

tanh(x) ~= x * P(s) / Q(s), s = (x / 9)^2, |x| clamped to 9 (where tanh rounds to 1 in
float32), P of degree 5 and Q of degree 3 with Q(0) = 1. The fit is a weighted linear least
squares on the relative error, reweighted (Lawson) toward the minimax solution. It prints
the coefficients and the worst error of a float32 evaluation against float64 tanh, in ulps.
"""

import numpy as np

CLAMP = 9.0
DEG_P, DEG_Q = 5, 3


def fit(iters=60):
    """Return (p, q, max relative error) of the best iterate."""
    x = np.concatenate([np.linspace(1e-4, CLAMP, 60000), np.geomspace(1e-6, 1e-2, 2000)])
    s = (x / CLAMP) ** 2
    y = np.tanh(x)
    w = np.ones_like(x)
    best = None
    for _ in range(iters):
        a = np.hstack([x[:, None] * s[:, None] ** np.arange(DEG_P + 1),
                       -(y[:, None] * s[:, None] ** np.arange(1, DEG_Q + 1))])
        sw = w / y
        m = a * sw[:, None]
        norm = np.linalg.norm(m, axis=0)
        sol = np.linalg.lstsq(m / norm, y * sw, rcond=None)[0] / norm
        p, q = sol[:DEG_P + 1], np.concatenate([[1.0], sol[DEG_P + 1:]])
        err = np.abs(x * np.polyval(p[::-1], s) / np.polyval(q[::-1], s) - y) / y
        if best is None or err.max() < best[2]:
            best = (p, q, err.max())
        w = w * (err / err.max()) ** 0.3 + 1e-12
        w = w / w.max()
    return best


def eval_f32(p, q, x):
    """Evaluate the approximation the way the kernel does, in float32."""
    x = np.clip(x.astype(np.float32), -CLAMP, CLAMP)
    s = x * x * np.float32(1.0 / CLAMP ** 2)
    num = np.float32(p[-1])
    for c in p[-2::-1]:
        num = num * s + np.float32(c)
    den = np.float32(q[-1])
    for c in q[-2::-1]:
        den = den * s + np.float32(c)
    return x * num / den


def main():
    p, q, err = fit()
    xs = np.concatenate([np.linspace(-12, 12, 2_000_001),
                         np.geomspace(1e-8, 1, 100_000)]).astype(np.float32)
    xs = xs[xs != 0]
    ref = np.tanh(xs.astype(np.float64))
    got = eval_f32(p, q, xs).astype(np.float64)
    ulp = np.abs(got - ref) / np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    print(f"float64 fit: max relative error {err:.2e}; float32 evaluation: max {ulp.max():.1f} ulp")
    print("P =", [float(v) for v in p])
    print("Q =", [float(v) for v in q])


if __name__ == "__main__":
    main()
