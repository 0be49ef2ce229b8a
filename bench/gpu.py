"""GPU training throughput: nbkeras on CUDA against PyTorch on CUDA, side by side.

    python bench/gpu.py                          # every workload, both frameworks
    python bench/gpu.py --workloads mlp-1024,lstm --steps 20
    NUMBA_ENABLE_CUDASIM=1 python bench/gpu.py --tiny --frameworks nbkeras   # wiring check, no GPU

Workloads (the models of bench/mlp.py, bench/cnn.py and bench/lstm.py, synthetic data):
  mlp-256, mlp-1024   784-256-256-10 MLP (relu, softmax), Adam, sparse CCE, batch 256 / 1024
  cnn-128, cnn-512    Conv32-Pool-Conv64-Pool-Dense10 on 28x28x1, Adam, sparse CCE, batch 128 / 512
  lstm                LSTM(64) -> Dense(1) on 50 steps x 32 features, Adam, MSE, batch 64

Each framework runs in its own fresh subprocess (one for all workloads, so compiles are
shared): per workload an untimed warm-up fit of 2 batches, then `--repeats` timed
fit(epochs=1) calls of `--steps` batches (PyTorch: the same number of optimizer steps
on data already on the GPU, synchronized before the clock stops). samples/s uses the
best repeat; "ratio" is nbkeras over PyTorch (the issue's target: at least 0.5).

Parity: the nbkeras worker also trains each model for 3 steps (batch 32, 16 for the
LSTM) on the CPU device and on the CUDA device from the same weights and reports the
largest weight difference relative to rtol 1e-4 (|cuda - cpu| <= 1e-6 + 1e-4 |cpu|).

Prints a table and a last line `RESULT {...json...}`; `--json PATH` also writes it.
The whole run is planned to take under 5 minutes on one GPU (a worker that runs out of
its `--budget` seconds reports the workloads it finished).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

WORKLOADS = {"mlp-256": ("mlp", 256), "mlp-1024": ("mlp", 1024), "cnn-128": ("cnn", 128),
             "cnn-512": ("cnn", 512), "lstm": ("lstm", 64)}
# Full sizes, and the --tiny sizes that the CUDA simulator can run in seconds.
SIZES = {
    False: {"mlp": (784, 256, 256, 10), "cnn": (28, 32, 64), "lstm": (50, 32, 64),
            "parity_batch": {"mlp": 32, "cnn": 32, "lstm": 16}},
    True: {"mlp": (12, 8, 8, 3), "cnn": (10, 2, 2), "lstm": (3, 2, 3), "batch": 4,
           "parity_batch": {"mlp": 4, "cnn": 2, "lstm": 2}},
}
TARGET_RATIO = 0.5
PARITY_RTOL, PARITY_ATOL = 1e-4, 1e-6


def make_data(kind, n, sizes, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    if kind == "mlp":
        d, classes = sizes["mlp"][0], sizes["mlp"][-1]
        x = rng.random((n, d), dtype=np.float32)
        return x, rng.integers(0, classes, n).astype(np.int32)
    if kind == "cnn":
        hw = sizes["cnn"][0]
        x = rng.random((n, hw, hw, 1), dtype=np.float32)
        return x, rng.integers(0, 10, n).astype(np.int32)
    t, f, _ = sizes["lstm"]
    x = rng.standard_normal((n, t, f), dtype=np.float32)
    return x, x[:, -min(t, 10):, 0].mean(axis=1, keepdims=True).astype(np.float32)


def keras_model(keras, kind, sizes):
    """The workload's model in nbkeras (or any Keras 3)."""
    layers = keras.layers
    if kind == "mlp":
        d, h1, h2, k = sizes["mlp"]
        model = keras.Sequential([keras.Input((d,)), layers.Dense(h1, activation="relu"),
                                  layers.Dense(h2, activation="relu"),
                                  layers.Dense(k, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    elif kind == "cnn":
        hw, f1, f2 = sizes["cnn"]
        model = keras.Sequential([keras.Input((hw, hw, 1)), layers.Conv2D(f1, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.Conv2D(f2, 3, activation="relu"),
                                  layers.MaxPooling2D(), layers.Flatten(),
                                  layers.Dense(10, activation="softmax")])
        loss = "sparse_categorical_crossentropy"
    else:
        t, f, u = sizes["lstm"]
        model = keras.Sequential([keras.Input((t, f)), layers.LSTM(u), layers.Dense(1)])
        loss = "mse"
    return model, loss


def torch_model(kind, sizes):
    import torch
    from torch import nn

    if kind == "mlp":
        d, h1, h2, k = sizes["mlp"]
        return nn.Sequential(nn.Linear(d, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(),
                             nn.Linear(h2, k)), nn.CrossEntropyLoss()
    if kind == "cnn":
        hw, f1, f2 = sizes["cnn"]
        side = ((hw - 2) // 2 - 2) // 2
        return nn.Sequential(nn.Conv2d(1, f1, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(f1, f2, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(f2 * side * side, 10)), nn.CrossEntropyLoss()
    t, f, u = sizes["lstm"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(f, u, batch_first=True)
            self.out = nn.Linear(u, 1)

        def forward(self, x):
            _, (h, _) = self.rnn(x)
            return self.out(h[-1])

    return Net(), torch.nn.MSELoss()


# -------------------------------------------------------------------- workers
def _nbkeras_throughput(keras, kind, batch, cfg, sizes):
    keras.utils.set_random_seed(0)
    model, loss = keras_model(keras, kind, sizes)
    model.compile(optimizer=keras.optimizers.Adam(), loss=loss)
    x, y = make_data(kind, batch * cfg["steps"], sizes)
    model.fit(x[:2 * batch], y[:2 * batch], batch_size=batch, epochs=1, verbose=0)  # compile
    times, losses = [], []
    with _HostCopies() as copies:
        for _ in range(cfg["repeats"]):
            t0 = time.perf_counter()
            h = model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
            losses.append(float(h.history["loss"][-1]))  # a host number: the device is done
            times.append(time.perf_counter() - t0)
    steps = cfg["repeats"] * -(-len(x) // batch)
    return {"samples_per_s": len(x) / min(times), "epoch_s": C.stats(times), "loss": losses[-1],
            # what the device copies to the host per training step: a few scalars (the
            # logs, the labels' min and max); a batch-sized count means a host fallback
            "host_copies_per_step": len(copies) / steps,
            "host_elements_per_step": sum(copies) / steps}


class _HostCopies(list):
    """While active, the sizes of the arrays the CUDA device copies to the host."""

    def __enter__(self):
        from nbkeras import backend
        from nbkeras.backend import cuda

        self._cuda, self._active, self._real = cuda, backend.active, cuda.to_numpy

        def counting(x):
            out = self._real(x)
            self.append(int(out.size))
            return out

        cuda.to_numpy = counting
        object.__setattr__(backend.active, "to_numpy", counting)  # the cached lookup
        return self

    def __exit__(self, *exc):
        self._cuda.to_numpy = self._real
        object.__setattr__(self._active, "to_numpy", self._real)


def _nbkeras_parity(keras, kind, sizes):
    """3 train_on_batch steps on the CPU and on CUDA from the same weights."""
    import numpy as np

    batch = sizes["parity_batch"][kind]
    x, y = make_data(kind, batch, sizes, seed=1)
    runs = {}
    for device in ("cpu", "cuda"):
        keras.config.set_device(device)
        keras.utils.clear_session()
        keras.utils.set_random_seed(0)
        model, loss = keras_model(keras, kind, sizes)
        if device == "cuda":
            model.set_weights(runs["cpu"][0])
        start = [np.array(w) for w in model.get_weights()]
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
        for _ in range(3):
            model.train_on_batch(x, y)
        runs[device] = (start, [np.asarray(w) for w in model.get_weights()])
    keras.config.set_device("cuda")
    worst = 0.0  # max of |cuda - cpu| / (atol + rtol |cpu|): <= 1 passes
    for a, b in zip(runs["cuda"][1], runs["cpu"][1]):
        worst = max(worst, float(np.max(np.abs(a - b) / (PARITY_ATOL + PARITY_RTOL * np.abs(b)))))
    moved = any(not np.array_equal(a, b) for a, b in zip(runs["cpu"][0], runs["cpu"][1]))
    return {"batch": batch, "worst_over_tolerance": worst, "ok": worst <= 1.0 and moved}


def _torch_throughput(kind, batch, cfg, sizes):
    import torch

    torch.manual_seed(0)
    dev = torch.device("cuda")
    model, loss_fn = torch_model(kind, sizes)
    model = model.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    x, y = make_data(kind, batch * cfg["steps"], sizes)
    X = torch.from_numpy(x).to(dev)
    if kind == "cnn":
        X = X.permute(0, 3, 1, 2).contiguous()  # NCHW, torch's native layout
    Y = torch.from_numpy(y.astype("int64") if kind != "lstm" else y).to(dev)

    def epoch(steps):
        total = None
        for s in range(steps):
            xb, yb = X[s * batch:(s + 1) * batch], Y[s * batch:(s + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total = loss.detach()
        torch.cuda.synchronize()
        return float(total)

    epoch(2)
    times, losses = [], []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        losses.append(epoch(cfg["steps"]))
        times.append(time.perf_counter() - t0)
    return {"samples_per_s": len(x) / min(times), "epoch_s": C.stats(times), "loss": losses[-1]}


def _device_name(framework):
    if framework == "torch":
        import torch

        return torch.cuda.get_device_name(0)
    from nbkeras.backend.cuda_check import describe

    return describe()


def worker(framework, cfg):
    sizes = SIZES[cfg["tiny"]]
    try:
        if framework == "torch":
            import torch

            if not torch.cuda.is_available():
                C.worker_reply({"skipped": f"torch {torch.__version__} sees no CUDA device"})
                return
        else:
            import nbkeras as keras

            keras.config.set_device("cuda")  # a clear error when CUDA is unavailable
    except Exception as e:
        C.worker_reply({"skipped": f"{type(e).__name__}: {e}"})
        return
    deadline = time.perf_counter() + cfg["budget"]
    out = {"device": _device_name(framework), "workloads": {}}
    for name in cfg["workloads"]:
        if time.perf_counter() > deadline:
            out["workloads"][name] = {"error": "skipped: the worker's time budget ran out"}
            continue
        kind, batch = WORKLOADS[name]
        batch = sizes.get("batch", batch)
        try:
            t0 = time.perf_counter()
            if framework == "torch":
                r = _torch_throughput(kind, batch, cfg, sizes)
            else:
                r = _nbkeras_throughput(keras, kind, batch, cfg, sizes)
                if cfg["parity"] and kind not in out.get("parity_done", ()):
                    r["parity"] = _nbkeras_parity(keras, kind, sizes)
                    out.setdefault("parity_done", []).append(kind)
            r["wall_s"] = time.perf_counter() - t0
        except Exception as e:  # report it and go on with the next workload
            r = {"error": f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}
        out["workloads"][name] = r
        print(f"  {framework} {name}: {r}", file=sys.stderr, flush=True)
    out.pop("parity_done", None)
    C.worker_reply(out)


# ----------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="Workloads: " + ", ".join(WORKLOADS))
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,torch", help="comma list of nbkeras,torch")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma list (default: all)")
    ap.add_argument("--steps", type=int, default=40, help="optimizer steps per timed repeat")
    ap.add_argument("--repeats", type=int, default=3, help="timed repeats (the best counts)")
    ap.add_argument("--budget", type=float, default=100.0, metavar="SECONDS",
                    help="time a framework's worker may spend before it skips what is left "
                         "(it is stopped at budget + 45 s)")
    ap.add_argument("--no-parity", action="store_true", help="skip the CPU-vs-CUDA weight check")
    ap.add_argument("--tiny", action="store_true",
                    help="tiny models at batch 4 (a wiring check the CUDA simulator runs in seconds)")
    ap.add_argument("--json", metavar="PATH", help="also write the RESULT object there")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return 0
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workloads {unknown}; expected some of {list(WORKLOADS)}")
    info = C.env_info()
    C.print_header(f"bench/gpu.py: nbkeras CUDA vs PyTorch CUDA, {args.steps} steps x "
                   f"{args.repeats} repeats{' (tiny models)' if args.tiny else ''}", info)
    cfg = {"workloads": workloads, "steps": args.steps, "repeats": args.repeats,
           "budget": args.budget, "parity": not args.no_parity, "tiny": args.tiny}
    results = {}
    for fw in [f.strip() for f in args.frameworks.split(",") if f.strip()]:
        print(f"running {fw} ...", flush=True)
        r = results[fw] = C.run_worker(__file__, [fw, json.dumps(cfg)], timeout=args.budget + 45)
        if "skipped" in r:
            print(f"  skipped: {r['skipped']}")
        elif "error" in r:
            print(f"  FAILED: {r['error']}\n    " + "\n    ".join(r["tail"]))
        else:
            print(f"  {r['device']}; process {r['process_wall_s']:.1f} s")
    rows, summary = [], {}
    for name in workloads:
        kind, batch = WORKLOADS[name]
        batch = SIZES[args.tiny].get("batch", batch)
        cells = {fw: results[fw].get("workloads", {}).get(name, {}) for fw in results}
        nb, tc = cells.get("nbkeras", {}), cells.get("torch", {})
        ratio = (nb["samples_per_s"] / tc["samples_per_s"]
                 if "samples_per_s" in nb and "samples_per_s" in tc else None)
        parity = nb.get("parity")
        summary[name] = {"batch": batch, "nbkeras": nb, "torch": tc, "ratio": ratio,
                         "meets_target": None if ratio is None else ratio >= TARGET_RATIO}

        def sps(c):
            return f"{c['samples_per_s']:,.0f}" if "samples_per_s" in c else c.get("error", "-")[:40]

        copies = nb.get("host_elements_per_step")
        rows.append((name, batch, sps(nb), sps(tc), "-" if ratio is None else f"{ratio:.2f}x",
                     "-" if ratio is None else ("yes" if ratio >= TARGET_RATIO else "NO"),
                     "-" if copies is None else f"{copies:g}",
                     "-" if not parity else
                     f"{'ok' if parity['ok'] else 'FAIL'} ({parity['worst_over_tolerance']:.2g})"))
    print()
    C.table(["workload", "batch", "nbkeras samples/s", "torch samples/s", "ratio",
             f">= {TARGET_RATIO}x", "host elements/step", "parity (worst/tol)"], rows)
    print(f"\nratio = nbkeras over PyTorch samples/s (best of {args.repeats}); host elements/step: "
          "what nbkeras copies from the device per training step (a few scalars: the logs; "
          "about the batch size or more: a host fallback); "
          f"parity: 3 Adam "
          f"steps on CPU vs CUDA, worst |diff| / ({PARITY_ATOL} + {PARITY_RTOL} |cpu|), <= 1 "
          "passes.")
    result = {"bench": "gpu", "steps": args.steps, "repeats": args.repeats, "tiny": args.tiny,
              "results": summary, "env": info,
              "devices": {fw: r.get("device") for fw, r in results.items()},
              "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                          if "workloads" not in r}}
    C.result_line(result)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1, default=C._json_default)
    parity_failed = any((s["nbkeras"].get("parity") or {}).get("ok") is False
                        for s in summary.values())
    return 1 if parity_failed else 0


if __name__ == "__main__":
    sys.exit(main())
