"""LSTM training throughput: LSTM(64) -> Dense(1) on 50 steps of 32 features, batch 64.

    python bench/lstm.py                       # nbkeras, plus keras+jax and torch if importable
    python bench/lstm.py --frameworks nbkeras --repeats 1
    python bench/lstm.py --cell gru            # the same with GRU(64) (or simple: SimpleRNN)
    python bench/lstm.py --profile             # cProfile hotspots of nbkeras's training step

Workload: synthetic sequences (4,096 x 50 x 32 float32, standard normal); the target is
the mean of the first feature over the last 10 steps; Adam, mean squared error.
Every framework runs in a fresh subprocess: an untimed warm-up epoch on 640 samples
(compiles every kernel and, for JAX, the batch shape), then `--repeats` timed
fit(epochs=1) calls over all samples (shuffle on, verbose=0). samples/s uses the best
epoch. PyTorch runs nn.LSTM (nn.GRU, nn.RNN) + nn.Linear with the same sizes, on 2
threads. Keras's GRU default is reset_after=True, which is PyTorch's GRU formulation too.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

T, F, UNITS, BATCH = 50, 32, 64, 64
N_SAMPLES = 4096
WARM_N = 640


def make_data(n, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, F), dtype=np.float32)
    y = x[:, -10:, 0].mean(axis=1, keepdims=True).astype(np.float32)
    return x, y


CELLS = {"lstm": ("LSTM", "LSTM"), "gru": ("GRU", "GRU"), "simple": ("SimpleRNN", "RNN")}


def _keras_runner(keras, cell):
    keras.utils.set_random_seed(0)
    layer = getattr(keras.layers, CELLS[cell][0])
    model = keras.Sequential([keras.Input(shape=(T, F)), layer(UNITS),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(), loss="mse")

    def run_epoch(x, y):
        return model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True, verbose=0).history["loss"][-1]

    return run_epoch


def _torch_runner(cell):
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(nn, CELLS[cell][1])(F, UNITS, batch_first=True)
            self.out = nn.Linear(UNITS, 1)

        def forward(self, x):
            _, h = self.rnn(x)
            h = h[0] if isinstance(h, tuple) else h
            return self.out(h[-1])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.MSELoss()

    def run_epoch(x, y):
        X, Y = torch.from_numpy(x), torch.from_numpy(y)
        perm = torch.randperm(len(X))
        total = 0.0
        for lo in range(0, len(X), BATCH):
            idx = perm[lo:lo + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        return total / len(X)

    return run_epoch


def worker(framework, cfg):
    skip = C.framework_skip_reason(framework)
    if skip:
        C.worker_reply({"skipped": skip})
        return
    x, y = make_data(cfg["n"])
    cell = cfg.get("cell", "lstm")
    run_epoch = (_torch_runner(cell) if framework == "torch"
                 else _keras_runner(C.import_framework(framework), cell))
    t0 = time.perf_counter()
    run_epoch(x[:WARM_N], y[:WARM_N])
    warm = time.perf_counter() - t0
    times, losses = [], []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        losses.append(float(run_epoch(x, y)))
        times.append(time.perf_counter() - t0)
    C.worker_reply({"warmup_s": warm, "epoch_s": C.stats(times), "loss": losses})


def profile_nbkeras(mode, samples, cell):
    """cProfile (or pyinstrument) of nbkeras's fit over `samples` samples, after a warm-up."""
    import nbkeras as keras

    x, y = make_data(samples)
    run_epoch = _keras_runner(keras, cell)
    run_epoch(x[:WARM_N], y[:WARM_N])  # compile
    C.profile_fit(lambda: run_epoch(x, y), -(-samples // BATCH), mode, "lstm_profile",
                  f"{CELLS[cell][0]}, batch {BATCH}", cell=cell)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,keras,torch")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--samples", type=int, default=N_SAMPLES)
    ap.add_argument("--cell", choices=sorted(CELLS), default="lstm")
    ap.add_argument("--profile", nargs="?", const="cprofile", choices=("cprofile", "pyinstrument"),
                    help="profile nbkeras's training step instead of benchmarking")
    C.add_contend_arg(ap)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header(f"bench/lstm.py: {CELLS[args.cell][0]}({UNITS}) -> Dense(1), {T} steps x {F} features, "
                   f"batch {BATCH}, {args.samples} samples/epoch", info)
    if args.profile:
        profile_nbkeras(args.profile, args.samples, args.cell)
        return
    cfg = {"n": args.samples, "repeats": args.repeats, "cell": args.cell}
    results, rows = {}, []
    for fw in [f.strip() for f in args.frameworks.split(",") if f.strip()]:
        busy = C.busy_cores(0.5)
        print(f"running {fw} ... (cores busy with other work just before: {busy:.2f})", flush=True)
        r = results[fw] = C.run_worker(__file__, [fw, json.dumps(cfg)])
        r["busy_cores_before"] = busy
        if "skipped" in r:
            print(f"  skipped: {r['skipped']}")
        elif "error" in r:
            print(f"  FAILED: {r['error']}\n    " + "\n    ".join(r["tail"]))
    base = results.get("nbkeras", {})
    summary = {}
    for fw, r in results.items():
        if "epoch_s" not in r:
            continue
        st = r["epoch_s"]
        sps = args.samples / st["best"]
        entry = {"samples_per_s": sps, "samples_per_s_median": args.samples / st["median"],
                 "epoch_s_best": st["best"], "spread_pct": st["spread_pct"],
                 "warmup_s": r["warmup_s"], "loss_last": r["loss"][-1]}
        vs = ""
        if fw != "nbkeras" and "epoch_s" in base:
            entry["nbkeras_over_this"] = (args.samples / base["epoch_s"]["best"]) / sps
            vs = f"{entry['nbkeras_over_this']:.2f}x"
        summary[fw] = entry
        rows.append((fw, f"{st['best']:.2f}", f"{sps:,.0f}", f"{entry['samples_per_s_median']:,.0f}",
                     f"{st['spread_pct']:.0f}%", f"{r['warmup_s']:.1f}", f"{r['loss'][-1]:.4f}", vs))
    print()
    C.table(["framework", "epoch s", "samples/s", "median", "spread", "warm-up s", "loss",
             "nbkeras/it"], rows)
    print(f"\nsamples/s from the best of {args.repeats} epochs; nbkeras/it = nbkeras samples/s "
          "over that framework's (>1: nbkeras faster).")
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({"bench": "lstm", "cell": args.cell, "results": summary, "env": info,
                   "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                               if "epoch_s" not in r}})


if __name__ == "__main__":
    main()
