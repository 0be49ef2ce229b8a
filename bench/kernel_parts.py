"""Per-kernel timing of the CNN's and the LSTM's training step on the CPU (nbkeras only).

    python bench/kernel_parts.py cnn          # bench/cnn.py's layers at batch 128
    python bench/kernel_parts.py lstm         # bench/lstm.py's LSTM(64) at batch 64
    python bench/kernel_parts.py cnn --threads 2

Times each part of one training step in isolation, on the shapes of the benchmark: the
column-matrix kernels, every GEMM, bias + activation, pooling (CNN); the recurrent GEMMs,
the fused cell kernels and the whole-sequence GEMMs (LSTM). Best of `--repeats` calls,
with OpenBLAS pinned to `--threads` threads (default 1: what one core does). The sum is
not the step (no Python, loss or optimizer); `--profile` of cnn.py / lstm.py gives that.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402


def best_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * min(times)


def cnn_parts(repeats):
    import numpy as np

    from nbkeras.backend.cpu import activations as A, conv as K, fused_backward as F, pooling as P
    from nbkeras.ops.conv import DCOLS_BYTES

    rng, n, rows = np.random.default_rng(0), 128, []
    for name, side, c, o, need_dx in (("conv1", 28, 1, 32, False), ("conv2", 13, 32, 64, True)):
        x = rng.random((n, 1, side, side, c), dtype=np.float32)
        oh = side - 2
        per, m = oh * oh, n * oh * oh
        geo = (1, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, oh, oh)
        cols = np.empty((m, 9 * c), np.float32)
        w = rng.standard_normal((9 * c, o)).astype(np.float32)
        b = rng.standard_normal(o).astype(np.float32)
        y, g = np.empty((m, o), np.float32), rng.standard_normal((m, o)).astype(np.float32)
        dz, gb = np.empty_like(g), np.empty(o, np.float32)
        rows += [(f"{name} im2col", best_ms(lambda: K.im2col(x, cols, *geo), repeats)),
                 (f"{name} GEMM forward", best_ms(lambda: np.matmul(cols, w, out=y), repeats)),
                 (f"{name} bias + relu", best_ms(lambda: A.bias_act_forward(y, b, y, 1, 0.0),
                                                 repeats))]
        if 9 * c < o:  # a thin kernel: the op's one pass (relu, bias and kernel gradients)
            gw, no_dz = np.empty((9 * c, o), np.float32), np.empty((0, o), np.float32)
            rows.append((f"{name} relu + bias + kernel gradient (one pass)", best_ms(
                lambda: F.bias_act_weight_backward(g, y, y, cols, no_dz, gw, gb, 1, 0.0),
                repeats)))
        else:
            rows += [(f"{name} relu + bias gradient (one pass)", best_ms(
                         lambda: F.bias_act_backward(g, y, y, dz, gb, 1, 0.0), repeats)),
                     (f"{name} GEMM kernel gradient", best_ms(lambda: cols.T @ dz, repeats))]
        if need_dx:
            dx = np.empty_like(x)
            sub = max(1, DCOLS_BYTES["cpu"] // (per * 9 * c * 4))
            part = np.empty((sub * per, 9 * c), np.float32)

            def input_grad():
                for lo in range(0, n, sub):
                    hi = min(n, lo + sub)
                    np.matmul(dz[lo * per:hi * per], w.T, out=part[:(hi - lo) * per])
                    K.col2im(part[:(hi - lo) * per], dx[lo:hi], *geo)

            rows.append((f"{name} input gradient (GEMM + col2im, {sub}-sample chunks)",
                         best_ms(input_grad, repeats)))
            # what the step runs after ReLU and a 2x2 max pool: ~1/5 of dz is nonzero
            dzs = np.where(rng.random(dz.shape) < 0.2, g, np.float32(0))
            wt = np.ascontiguousarray(w.T)
            rows.append((f"{name} input gradient, 20 % nonzero (sparse_col2im)", best_ms(
                lambda: K.sparse_col2im(dzs, wt, dx, *geo), repeats)))
        y5, ph = y.reshape(n, 1, oh, oh, o), oh // 2
        py = np.empty((n, 1, ph, ph, o), np.float32)
        arg, gx = np.empty(py.shape, np.int64), np.empty_like(y5)
        rows += [(f"pool{name[-1]} forward", best_ms(
                     lambda: P.max_pool_forward(y5, py, arg, 1, 2, 2, 1, 2, 2, 0, 0, 0), repeats)),
                 (f"pool{name[-1]} backward", best_ms(lambda: P.max_pool_backward(py, arg, gx),
                                                     repeats))]
    return rows


def lstm_parts(repeats):
    import numpy as np

    from nbkeras.backend.cpu import rnn as R

    steps, n, d, u = 50, 64, 32, 64
    rng = np.random.default_rng(0)
    x2 = rng.standard_normal((steps * n, d)).astype(np.float32)
    w = rng.standard_normal((d, 4 * u)).astype(np.float32)
    uu = rng.standard_normal((u, 4 * u)).astype(np.float32)
    ut = np.ascontiguousarray(uu.T)
    dz = rng.standard_normal((steps * n, 4 * u)).astype(np.float32)
    hs = rng.standard_normal((steps * n, u)).astype(np.float32)
    h, r, dh = hs[:n], np.empty((n, 4 * u), np.float32), np.empty((n, u), np.float32)
    xp3 = rng.standard_normal((n, 4, u)).astype(np.float32)
    r3 = rng.standard_normal((n, 4, u)).astype(np.float32)
    c, m = h.copy(), np.ones(n, np.float32)
    gates, hn, cn = np.empty((n, 4, u), np.float32), np.empty_like(h), np.empty_like(h)
    dz3, dhp, dcp = np.empty_like(gates), np.empty_like(h), np.empty_like(h)
    work = np.empty((3, u), np.float32)
    per_step = [
        ("recurrent GEMM forward (64x64 @ 64x256)", best_ms(lambda: np.matmul(h, uu, out=r),
                                                           repeats)),
        ("cell kernel forward", best_ms(lambda: R.lstm_step_forward(
            xp3, r3, h, c, m, 3, 2, gates, hn, cn), repeats)),
        ("recurrent GEMM backward (64x256 @ 256x64)", best_ms(
            lambda: np.matmul(dz[:n], ut, out=dh), repeats)),
        ("cell kernel backward", best_ms(lambda: R.lstm_step_backward(
            hn, cn, gates, cn, c, m, 3, 2, dz3, dhp, dcp, work), repeats)),
    ]
    rows = [(f"{k} x {steps}", v * steps) for k, v in per_step]
    rows += [("input projection of all steps (3200x32 @ 32x256)", best_ms(lambda: x2 @ w, repeats)),
             ("kernel gradient X.T @ dZ", best_ms(lambda: x2.T @ dz, repeats)),
             ("recurrent kernel gradient H.T @ dZ", best_ms(lambda: hs.T @ dz, repeats))]
    rec, proj = 2 * steps * n * u * 4 * u, 2 * steps * n * d * 4 * u  # FLOPs
    flops = [rec, 0, rec, 0, proj, proj, rec]
    big = rng.standard_normal((512, 512)).astype(np.float32)
    peak = 2 * 512 ** 3 / best_ms(lambda: big @ big, repeats) / 1e6
    rows = [(f"{k} [{f / v / 1e6:.0f} GFLOP/s]" if f else k, v) for (k, v), f in zip(rows, flops)]
    total = sum(flops) / 1e6
    notes = [f"NumPy's GEMM peak (512^3, this run): {peak:.0f} GFLOP/s; the step's GEMMs: "
             f"{total:.0f} MFLOP = {total / peak:.2f} ms at that peak"]
    return rows, notes + _sequence_rows(repeats, steps, n, u, x2 @ w, uu, ut)


def _sequence_rows(repeats, steps, n, u, xp, uu, ut):
    """The whole-sequence kernels (what the training step runs) on 1 and 2 GEMM lanes."""
    import numpy as np

    from nbkeras.backend.cpu import gemm, rnn_sequence as S

    f32 = np.float32
    xp = xp.reshape(steps, n, 4 * u)
    h, c = np.zeros((steps + 1, n, u), f32), np.zeros((steps + 1, n, u), f32)
    m, gates = np.ones((steps, n), f32), np.empty((steps, n, 4 * u), f32)
    r, dxp, e1 = np.empty((n, 4 * u), f32), np.empty_like(gates), np.empty(0, f32)
    dh0 = np.random.default_rng(1).standard_normal((n, u)).astype(f32)

    def forward():
        return S.rnn_sequence_forward("lstm", xp, e1, uu, e1, h, c, m, 3, 2, gates, r)

    def backward():
        S.rnn_sequence_backward("lstm", dh0.copy(), dh0.copy(), dh0[None], ut, gates, r, h, c,
                                m, 3, 2, dxp, dxp)

    if not forward():
        return ["whole-sequence kernels: not available here (NumPy's BLAS is not ILP64 OpenBLAS)"]
    lines, old = [], gemm.lanes()
    try:
        for lanes in sorted({1, gemm.blocks_per_gemm()}):
            gemm.set_lanes(lanes)
            lines.append(f"whole-sequence kernels, {lanes} lane(s): "
                         f"forward {best_ms(forward, repeats):.2f} ms, backward "
                         f"{best_ms(backward, repeats):.2f} ms")
    finally:
        gemm.set_lanes(old)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", choices=("cnn", "lstm"))
    ap.add_argument("--threads", type=int, default=1, help="OpenBLAS threads (default 1)")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    from nbkeras.backend.cpu import threads

    info = C.env_info()
    C.print_header(f"bench/kernel_parts.py {args.model}: per-kernel times, "
                   f"{args.threads} BLAS thread(s)", info)
    old = threads.set_blas_threads(args.threads)
    try:
        if args.model == "cnn":
            rows, notes = cnn_parts(args.repeats), []
        else:
            rows, notes = lstm_parts(args.repeats)
    finally:
        if old:
            threads.set_blas_threads(old)
    C.table(["part", "ms"], [(k, f"{v:.2f}") for k, v in rows] +
            [("sum of the parts", f"{sum(v for _, v in rows):.2f}")])
    for line in notes:
        print(line)
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({"bench": "kernel_parts", "model": args.model, "threads": args.threads,
                   "parts_ms": dict(rows), "env": info})


if __name__ == "__main__":
    main()
