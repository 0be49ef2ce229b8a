"""The student CNN of issue 16, quiet and beside busy cores (`--contend`), vs Keras-JAX.

    python bench/student_cnn.py                      # quiet and contended, interleaved
    python bench/student_cnn.py --contend 0          # quiet only
    python bench/student_cnn.py --rounds 3 --variants nbkeras,nbkeras-fixed,keras

Workload: Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) -> MaxPooling2D ->
Dropout(0.5) -> Flatten -> Dense(10, softmax) on synthetic 24x24x1 images (float32 in
[0, 1), 10 classes from a fixed random linear map), Adam, sparse categorical
crossentropy, batch 32. Each run is a fresh worker process: one untimed warm-up epoch,
then `--repeats` timed fit(epochs=1) of `--samples` samples; it reports ms per step
(median epoch / steps) and the spread between its epochs.

Variants: `nbkeras` (GEMM lanes sized to the free cores, the default), `nbkeras-fixed`
(`NBKERAS_BLAS_THREADS` = every usable core: the lanes pinned; before the fixed GEMM
blocks this was OpenBLAS's own sizing, as before the thread sizing existed) and `keras` (Keras 3 on JAX). Conditions: `quiet` and, with
`--contend N` (default 1), `contended` = N busy-loop processes beside the worker.
Variants and conditions are interleaved round by round, so a change of the machine's
load hits them alike; the table gives the median over rounds and the spread.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402
import cnn  # noqa: E402  (its synthetic images, at 24x24)

BATCH = 32
N_SAMPLES = 2_560  # 80 steps per epoch
WARM_N = 640


def make_data(n, seed=0):
    return cnn.make_data(n, seed, side=24)


def build(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(24, 24, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Dropout(0.5),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    return model


def worker(framework, cfg):
    if C.skipped_worker(framework):
        return
    keras = C.import_framework(framework)
    x, y = make_data(cfg["n"])
    model = build(keras)
    model.fit(x[:WARM_N], y[:WARM_N], batch_size=BATCH, epochs=1, verbose=0)
    steps = -(-cfg["n"] // BATCH)
    times = []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append(time.perf_counter() - t0)
    reply = {"ms_per_step": C.stats([1e3 * t / steps for t in times])}
    if framework == "nbkeras":
        from nbkeras.backend.cpu import threads

        reply["blas_threads_after_fit"] = threads.blas_threads()
    C.worker_reply(reply)


VARIANTS = {
    "nbkeras": ("nbkeras", {}),
    "nbkeras-fixed": ("nbkeras", {"NBKERAS_BLAS_THREADS": str(len(os.sched_getaffinity(0)))
                                  if hasattr(os, "sched_getaffinity") else "2"}),
    "keras": ("keras", {}),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--variants", default="nbkeras,nbkeras-fixed,keras",
                    help="comma list out of " + ",".join(VARIANTS))
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs per worker")
    ap.add_argument("--samples", type=int, default=N_SAMPLES)
    C.add_contend_arg(ap)
    ap.set_defaults(contend=1)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    info = C.env_info()
    C.print_header(f"bench/student_cnn.py: Conv32-Pool-Conv64-Pool-Dropout-Dense10 on 24x24x1, "
                   f"Adam, batch {BATCH}, {args.samples} samples/epoch", info)
    cfg = {"n": args.samples, "repeats": args.repeats}
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    conditions = ["quiet"] + (["contended"] if args.contend else [])
    runs = {(v, c): [] for v in variants for c in conditions}
    for rnd in range(args.rounds):
        for cond in conditions:
            with C.Contend(args.contend if cond == "contended" else 0):
                for v in variants:
                    fw, extra = VARIANTS[v]
                    busy = C.busy_cores(0.3)
                    r = C.run_worker(__file__, [fw, json.dumps(cfg)], env={**C.START_ENV, **extra})
                    r["busy_cores_before"] = busy
                    runs[(v, cond)].append(r)
                    msg = r.get("skipped") or r.get("error") or (
                        f"{r['ms_per_step']['median']:.2f} ms/step "
                        f"(spread {r['ms_per_step']['spread_pct']:.0f}%)")
                    print(f"round {rnd + 1} {cond:9s} {v:14s} busy {busy:.2f}: {msg}", flush=True)
    summary = {}
    for (v, cond), rs in runs.items():
        ok = [r["ms_per_step"]["median"] for r in rs if "ms_per_step" in r]
        if ok:
            summary[f"{v}/{cond}"] = {
                "ms_per_step_median": statistics.median(ok),
                "spread_pct": 100 * (max(ok) - min(ok)) / min(ok),
                "epoch_spread_pct": statistics.median(
                    r["ms_per_step"]["spread_pct"] for r in rs if "ms_per_step" in r),
                "all": ok,
                "busy_cores_before": [round(r["busy_cores_before"], 2) for r in rs],
            }
    print()
    rows = []
    for cond in conditions:
        for v in variants:
            s = summary.get(f"{v}/{cond}")
            if not s:
                rows.append((cond, v, "skipped", "", "", ""))
                continue
            k = summary.get(f"keras/{cond}")
            ratio = f"{k['ms_per_step_median'] / s['ms_per_step_median']:.2f}x" if k else "-"
            q = summary.get(f"{v}/quiet")
            slow = f"{s['ms_per_step_median'] / q['ms_per_step_median']:.2f}x" if q else "-"
            rows.append((cond, v, f"{s['ms_per_step_median']:.2f}",
                         f"{s['spread_pct']:.0f}% / {s['epoch_spread_pct']:.0f}%", ratio, slow))
    C.table(["condition", "variant", "ms/step", "spread rounds/epochs", "speed vs Keras-JAX",
             "vs quiet"], rows)
    print("(medians over rounds; the machine is shared, so 'quiet' means no busy loop of ours, "
          "not an idle machine: see the busy cores in the RESULT)")
    C.result_line({"bench": "student_cnn", "contend": args.contend, "results": summary,
                   "env": info})


if __name__ == "__main__":
    main()
