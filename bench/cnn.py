"""Small-CNN training throughput and peak memory (and Keras-JAX / PyTorch side by side).

    python bench/cnn.py                     # nbkeras, plus keras+jax and torch if importable
    python bench/cnn.py --frameworks nbkeras --repeats 1
    python bench/cnn.py --profile           # cProfile hotspots of nbkeras's training step

Workload: synthetic 28x28x1 float32 images in [0, 1) with 10 learnable classes
(labels = argmax of a fixed random linear map of the centred pixels);
Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) -> MaxPooling2D -> Flatten ->
Dense(10, softmax), Adam, sparse categorical crossentropy, batch 128. Every framework
runs in a fresh subprocess: an untimed warm-up epoch on 1,280 samples, then `--repeats`
timed fit(epochs=1) calls on `--samples` samples (shuffle on, verbose=0). Peak RSS is
resource.getrusage(RUSAGE_SELF).ru_maxrss of that worker, read after the import and
after training; "train MiB" is the growth during warm-up and timed training.
"""

import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

BATCH = 128
N_SAMPLES = 7_680  # 60 steps per epoch
WARM_N = 1_280


def make_data(n, seed=0, side=28):
    """n side x side x 1 images in [0, 1) and 10 classes from a fixed random linear map."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.random((n, side, side, 1), dtype=np.float32)
    w = rng.standard_normal((side * side, 10)).astype(np.float32)
    y = np.argmax((x.reshape(n, -1) - np.float32(0.5)) @ w, axis=1).astype(np.int32)
    return x, y


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _keras_runner(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")

    def run_epoch(x, y):
        return model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True,
                         verbose=0).history["loss"][-1]

    return run_epoch


def _torch_runner():
    import torch
    from torch import nn

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def run_epoch(x, y):
        X = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # NCHW, torch's native layout
        Y = torch.from_numpy(y.astype("int64"))
        n = len(X)
        perm = torch.randperm(n)
        total = 0.0
        for lo in range(0, n, BATCH):
            idx = perm[lo:lo + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        return total / n

    return run_epoch


def worker(framework, cfg):
    skip = C.framework_skip_reason(framework)
    if skip:
        C.worker_reply({"skipped": skip})
        return
    rss_import = peak_rss_mib()
    x, y = make_data(cfg["n"])
    run_epoch = _torch_runner() if framework == "torch" else _keras_runner(
        C.import_framework(framework))
    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    run_epoch(x[:WARM_N], y[:WARM_N])
    warm = time.perf_counter() - t0
    times, losses = [], []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        losses.append(float(run_epoch(x, y)))
        times.append(time.perf_counter() - t0)
    C.worker_reply({"warmup_s": warm, "epoch_s": C.stats(times), "loss": losses,
                    "rss_import_mib": rss_import, "rss_peak_mib": peak_rss_mib(),
                    "rss_train_growth_mib": peak_rss_mib() - rss_before})


# ------------------------------------------------------------------- profile
def profile_nbkeras(mode, samples):
    """cProfile (or pyinstrument) of nbkeras's fit over `samples` samples, after a warm-up."""
    import nbkeras as keras

    x, y = make_data(samples)
    run_epoch = _keras_runner(keras)
    run_epoch(x[:WARM_N], y[:WARM_N])  # compile
    C.profile_fit(lambda: run_epoch(x, y), -(-samples // BATCH), mode, "cnn_profile",
                  f"CNN, batch {BATCH}", top=30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,keras,torch",
                    help="comma list out of nbkeras,keras,torch (missing ones are skipped)")
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs")
    ap.add_argument("--samples", type=int, default=N_SAMPLES)
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for other processes to leave the CPU idle")
    ap.add_argument("--profile", nargs="?", const="cprofile", choices=("cprofile", "pyinstrument"),
                    help="profile nbkeras's training step instead of benchmarking")
    C.add_contend_arg(ap)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    if args.wait_quiet:
        C.wait_quiet(args.wait_quiet)
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header(f"bench/cnn.py: Conv32-Pool-Conv64-Pool-Dense10, Adam, batch {BATCH}, "
                   f"{args.samples} samples/epoch", info)
    if args.profile:
        profile_nbkeras(args.profile, args.samples)
        return
    cfg = {"n": args.samples, "repeats": args.repeats}
    results = {}
    for fw in [f.strip() for f in args.frameworks.split(",") if f.strip()]:
        if args.wait_quiet:
            C.wait_quiet(args.wait_quiet)
        busy = C.busy_cores(0.5)
        print(f"running {fw} ... (cores busy with other work just before: {busy:.2f})", flush=True)
        r = results[fw] = C.run_worker(__file__, [fw, json.dumps(cfg)])
        r["busy_cores_before"] = busy
        if "skipped" in r:
            print(f"  skipped: {r['skipped']}")
        elif "error" in r:
            print(f"  FAILED: {r['error']}\n    " + "\n    ".join(r["tail"]))
        else:
            print(f"  warm-up {r['warmup_s']:.1f} s, process {r['process_wall_s']:.1f} s")
    rows, summary = [], {}
    base = results.get("nbkeras", {})
    for fw, r in results.items():
        if "epoch_s" not in r:
            continue
        st = r["epoch_s"]
        sps = args.samples / st["best"]
        vs = ""
        entry = {"samples_per_s": sps, "samples_per_s_median": args.samples / st["median"],
                 "epoch_s_all": st["all"], "ms_per_step": 1e3 * st["best"] * BATCH / args.samples,
                 "peak_rss_mib": r["rss_peak_mib"], "rss_import_mib": r["rss_import_mib"],
                 "rss_train_growth_mib": r["rss_train_growth_mib"], "loss_last": r["loss"][-1]}
        if fw != "nbkeras" and "epoch_s" in base:
            entry["nbkeras_over_this"] = args.samples / base["epoch_s"]["best"] / sps
            vs = f"{entry['nbkeras_over_this']:.2f}x"
        summary[fw] = entry
        rows.append((fw, f"{sps:,.0f}", f"{entry['samples_per_s_median']:,.0f}",
                     f"{st['spread_pct']:.0f}%", f"{entry['ms_per_step']:.1f}",
                     f"{r['rss_peak_mib']:.0f}", f"{r['rss_import_mib']:.0f}",
                     f"{r['rss_train_growth_mib']:.0f}", f"{entry['loss_last']:.3f}", vs))
    print()
    C.table(["framework", "samples/s", "median", "spread", "ms/step", "peak RSS MiB",
             "after import", "train MiB", "loss", "nbkeras/it"], rows)
    print(f"\nsamples/s from the best of {args.repeats} epochs; peak RSS = ru_maxrss of the "
          "worker process;\nnbkeras/it = nbkeras samples/s over that framework's (>1: nbkeras "
          "faster).")
    C.result_line({"bench": "cnn", "batch": BATCH, "samples": args.samples, "results": summary,
                   "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                               if "epoch_s" not in r}, "env": info})


if __name__ == "__main__":
    main()
