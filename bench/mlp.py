"""MLP training throughput against the GEMM-bound ideal (and Keras-JAX / PyTorch).

    python bench/mlp.py                    # nbkeras, plus keras+jax and torch if importable
    python bench/mlp.py --frameworks nbkeras --repeats 1
    python bench/mlp.py --profile          # cProfile hotspots of nbkeras at batch 32
    python bench/mlp.py --profile pyinstrument

Workload: synthetic MNIST-shaped data (60,000 x 784 float32 in [0, 1)) with 10
learnable classes (labels = argmax of a fixed random linear map of the centred
inputs); Dense(256, relu) -> Dense(256, relu) -> Dense(10, softmax), Adam,
sparse categorical crossentropy. Every framework runs in a fresh subprocess:
an untimed warm-up (one epoch on 2,400 samples at each batch size, which
compiles every kernel and, for JAX, every batch shape including the partial
last batch of 96), then `--repeats` timed fit(epochs=1) calls on all 60,000
samples at batch 32 and at batch 256 (shuffle on, verbose=0).

The ideal: ideal samples/s = peak GEMM FLOP/s / (6 * weights), weights = the
parameters of the three GEMMs (784*256 + 256*256 + 256*10 = 268,800); peak =
the best float32 GEMM rate NumPy reaches in this run, out of 40 tries of
(1024x1024)@(1024x1024) and the model's own GEMMs at batch 32 and 256. A second,
tighter "shape ideal" is the time NumPy takes for the model's own 8 GEMMs
(forward, dW, dX; no dX for the first layer) at each batch size.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

DIMS = (784, 256, 256, 10)
N_SAMPLES = 60_000
BATCHES = (32, 256)
WARM_N = 2_400  # 2400 % 256 == 96 == 60000 % 256: the warm-up sees the partial batch shape
GEMM_WEIGHTS = sum(a * b for a, b in zip(DIMS[:-1], DIMS[1:]))


def make_data(n=N_SAMPLES, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.random((n, DIMS[0]), dtype=np.float32)
    w = rng.standard_normal((DIMS[0], DIMS[-1])).astype(np.float32)
    y = np.argmax((x - np.float32(0.5)) @ w, axis=1).astype(np.int32)
    return x, y


# ---------------------------------------------------------------- GEMM ideal
def gemm_peak(n=1024, tries=40):
    import numpy as np

    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    times = []
    for _ in range(tries + 2):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t0)
    times = times[2:]
    return 2.0 * n ** 3 / min(times), C.stats(times)


def gemm_model_shapes(batch, tries=7):
    """Time the 8 GEMMs of one training step at this batch; return (flop/s, s per step)."""
    import numpy as np

    rng = np.random.default_rng(2)
    ops = []
    flops = 0
    for i, (din, dout) in enumerate(zip(DIMS[:-1], DIMS[1:])):
        x = rng.random((batch, din), dtype=np.float32)
        w = rng.random((din, dout), dtype=np.float32)
        dy = rng.random((batch, dout), dtype=np.float32)
        ops.append((x, w, np.empty((batch, dout), np.float32)))          # forward
        ops.append((x.T, dy, np.empty((din, dout), np.float32)))         # dW = x^T dy
        flops += 4 * batch * din * dout
        if i > 0:
            ops.append((dy, w.T, np.empty((batch, din), np.float32)))    # dX = dy W^T
            flops += 2 * batch * din * dout
    reps = max(5, 20_000 // batch)
    best = float("inf")
    for _ in range(tries):
        t0 = time.perf_counter()
        for _ in range(reps):
            for a, b, out in ops:
                np.matmul(a, b, out=out)
        best = min(best, (time.perf_counter() - t0) / reps)
    return flops / best, best


# -------------------------------------------------------------------- worker
def worker(framework, cfg):
    if C.skipped_worker(framework):
        return
    import numpy as np

    x, y = make_data(cfg["n"])
    xw, yw = x[:WARM_N], y[:WARM_N]
    if framework == "torch":
        run_epoch = _torch_runner()
    else:
        run_epoch = _keras_runner(C.import_framework(framework))
    t0 = time.perf_counter()
    for bs in cfg["batches"]:
        run_epoch(xw, yw, bs)
    warm = time.perf_counter() - t0
    out = {"warmup_s": warm, "batches": {}}
    for bs in cfg["batches"]:
        times, losses = [], []
        for _ in range(cfg["repeats"]):
            t0 = time.perf_counter()
            loss = run_epoch(x, y, bs)
            times.append(time.perf_counter() - t0)
            losses.append(float(loss))
        out["batches"][str(bs)] = {"epoch_s": C.stats(times), "loss": losses}
    out["final_accuracy"] = float(_accuracy(framework, run_epoch, x[:10_000], y[:10_000]))
    out["numpy_in_worker"] = np.__version__
    C.worker_reply(out)


def _keras_model(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(DIMS[0],)),
        layers.Dense(DIMS[1], activation="relu"),
        layers.Dense(DIMS[2], activation="relu"),
        layers.Dense(DIMS[3], activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    return model


def _keras_runner(keras):
    model = _keras_model(keras)

    def run_epoch(x, y, bs):
        h = model.fit(x, y, batch_size=bs, epochs=1, shuffle=True, verbose=0)
        return h.history["loss"][-1]

    run_epoch.model = model
    return run_epoch


def _keras_init(model):
    """Keras' Dense defaults (glorot_uniform kernels, zero biases) instead of PyTorch's."""
    import torch

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.xavier_uniform_(m.weight)
                torch.nn.init.zeros_(m.bias)


def _torch_runner():
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(DIMS[0], DIMS[1]), nn.ReLU(),
        nn.Linear(DIMS[1], DIMS[2]), nn.ReLU(),
        nn.Linear(DIMS[2], DIMS[3]),  # softmax folded into the loss (log-softmax + NLL)
    )
    _keras_init(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    cache = {}

    def tensors(x, y):
        key = (x.__array_interface__["data"][0], len(x))
        if key not in cache:  # conversion once per array, like a DataLoader over tensors
            cache[key] = (torch.from_numpy(x), torch.from_numpy(y.astype("int64")))
        return cache[key]

    def run_epoch(x, y, bs):
        X, Y = tensors(x, y)
        n = len(X)
        model.train()
        perm = torch.randperm(n)
        total = torch.zeros(())
        for lo in range(0, n, bs):
            idx = perm[lo:lo + bs]
            xb, yb = X[idx], Y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        return float(total) / n

    run_epoch.model = model
    return run_epoch


def _accuracy(framework, run_epoch, x, y):
    import numpy as np

    model = run_epoch.model
    if framework == "torch":
        import torch

        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(x)).argmax(1).numpy()
    else:
        pred = np.argmax(np.asarray(model.predict(x, batch_size=1024, verbose=0)), axis=1)
    return (pred == y).mean()


# ------------------------------------------------------------------- profile
def profile_nbkeras(mode, steps=600):
    import nbkeras as keras

    x, y = make_data(steps * 32)
    model = _keras_model(keras)
    model.fit(x[:WARM_N], y[:WARM_N], batch_size=32, epochs=1, verbose=0)  # compile
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)                    # warm caches
    C.profile_fit(lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0), steps, mode,
                  "mlp_profile", f"MLP, batch 32 (fit(epochs=1) on {steps * 32} samples)")


# -------------------------------------------------------------------- parent
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,keras,torch",
                    help="comma list out of nbkeras,keras,torch (missing ones are skipped)")
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs per batch size")
    ap.add_argument("--samples", type=int, default=N_SAMPLES)
    ap.add_argument("--profile", nargs="?", const="cprofile", choices=("cprofile", "pyinstrument"),
                    help="profile nbkeras at batch 32 instead of benchmarking")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for other processes to leave the CPU idle")
    C.add_contend_arg(ap)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    if args.wait_quiet:
        C.wait_quiet(args.wait_quiet)
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header("bench/mlp.py: 784-256-256-10 MLP, Adam, sparse CCE, "
                   f"{args.samples} samples/epoch", info)
    if args.profile:
        profile_nbkeras(args.profile)
        return

    square, peak_stats = gemm_peak()
    print(f"NumPy float32 (1024x1024)@(1024x1024), best of {peak_stats['n']}: "
          f"{square / 1e9:.1f} GFLOP/s (median {2 * 1024 ** 3 / peak_stats['median'] / 1e9:.1f})")
    shape_ideal, rates = {}, {}
    for bs in BATCHES:
        rate, t = gemm_model_shapes(bs)
        shape_ideal[bs], rates[bs] = bs / t, rate
        print(f"model-shape GEMMs at batch {bs}: {rate / 1e9:.1f} GFLOP/s, {1e6 * t:.0f} us/step "
              f"-> shape ideal {bs / t:,.0f} samples/s")
    peak = max(square, *rates.values())
    ideal = peak / (6 * GEMM_WEIGHTS)
    print(f"peak = best GEMM rate seen = {peak / 1e9:.1f} GFLOP/s; weights in GEMMs = "
          f"{GEMM_WEIGHTS:,}; ideal = peak / (6 * weights) = {ideal:,.0f} samples/s")
    print("-" * 78)

    cfg = {"n": args.samples, "batches": list(BATCHES), "repeats": args.repeats}
    results = {}
    for fw in [f.strip() for f in args.frameworks.split(",") if f.strip()]:
        if args.wait_quiet:
            C.wait_quiet(args.wait_quiet)
        busy = C.busy_cores(0.5)
        print(f"running {fw} ... (cores busy with other work just before: {busy:.2f})", flush=True)
        results[fw] = C.run_worker(__file__, [fw, json.dumps(cfg)])
        r = results[fw]
        r["busy_cores_before"] = busy
        if "skipped" in r:
            print(f"  skipped: {r['skipped']}")
        elif "error" in r:
            print(f"  FAILED: {r['error']}\n    " + "\n    ".join(r["tail"]))
        else:
            print(f"  warm-up {r['warmup_s']:.1f} s, accuracy after training "
                  f"{r['final_accuracy']:.3f}, process {r['process_wall_s']:.1f} s")

    rows, summary = [], {}
    base = results.get("nbkeras", {})
    for fw, r in results.items():
        if "batches" not in r:
            continue
        for bs in BATCHES:
            b = r["batches"][str(bs)]
            st = b["epoch_s"]
            sps = args.samples / st["best"]
            steps = -(-args.samples // bs)
            entry = {
                "samples_per_s": sps,
                "samples_per_s_median": args.samples / st["median"],
                "epoch_s_best": st["best"],
                "epoch_s_all": st["all"],
                "spread_pct": st["spread_pct"],
                "us_per_step": 1e6 * st["best"] / steps,
                "ratio_ideal": sps / ideal,
                "ratio_shape_ideal": sps / shape_ideal[bs],
                "loss_last": b["loss"][-1],
            }
            vs = ""
            if fw != "nbkeras" and "batches" in base:
                nb = args.samples / base["batches"][str(bs)]["epoch_s"]["best"]
                entry["nbkeras_over_this"] = nb / sps
                vs = f"{nb / sps:.2f}x"
            summary[f"{fw}_bs{bs}"] = entry
            rows.append((fw, bs, f"{st['best']:.2f}", f"{sps:,.0f}",
                         f"{entry['samples_per_s_median']:,.0f}", f"{st['spread_pct']:.0f}%",
                         f"{entry['us_per_step']:.0f}", f"{entry['ratio_ideal']:.2f}",
                         f"{entry['ratio_shape_ideal']:.2f}", f"{entry['loss_last']:.3f}", vs))
    print()
    C.table(["framework", "batch", "epoch s", "samples/s", "median", "spread", "us/step",
             "/ideal", "/shape", "loss", "nbkeras/it"], rows)
    print(f"\nsamples/s from the best of {args.repeats} epochs; spread = (worst - best) / best; "
          "/ideal = samples/s over the 1024^3-peak ideal;\n/shape = over the model-shape GEMM "
          "ideal; nbkeras/it = nbkeras samples/s over that framework's (>1: nbkeras faster).")
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({
        "bench": "mlp", "gemm_peak_gflops": peak / 1e9, "gemm_1024_gflops": square / 1e9,
        "gemm_model_shape_gflops": {str(k): v / 1e9 for k, v in rates.items()}, "ideal_samples_per_s": ideal,
        "shape_ideal_samples_per_s": {str(k): v for k, v in shape_ideal.items()},
        "gemm_weights": GEMM_WEIGHTS, "results": summary,
        "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                    if "batches" not in r},
        "env": info,
    })


if __name__ == "__main__":
    main()
