"""Overhead of the LivePlot callback on the bench/mlp.py model at batch 32.

    python bench/live_plot_overhead.py [--samples 60000] [--epochs 3] [--repeats 3]

Notebook mode is forced and display() is a no-op, so the PNG drawing and the widget
update (on an in-memory comm) are what is measured. Runs alternate between plain fit and
fit with LivePlot (per-epoch, and per_batch=True); the best of the repeats is compared,
as wall time and as this process's CPU time (steadier on a busy machine), and the time
LivePlot itself spent drawing is reported as a share of the fit.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlp  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=60_000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import nbkeras as keras
    import nbkeras.notebook.environment as env
    from nbkeras.callbacks import LivePlot

    env.set_notebook_mode(True)
    env.display = lambda *a, **k: None
    x, y = mlp.make_data(args.samples)
    model = mlp._keras_model(keras)
    model.fit(x[:2400], y[:2400], batch_size=32, epochs=1, verbose=0, validation_split=0.1)
    from nbkeras.notebook.plotting import curves_png

    t0 = time.perf_counter()
    curves_png({"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]})  # imports matplotlib once
    first = time.perf_counter() - t0
    runs = {"plain": [], "live": [], "live_per_batch": []}
    cpu = {name: [] for name in runs}
    draws = {}
    names = list(runs)
    for r in range(args.repeats):
        for name in names[r % 3:] + names[:r % 3]:  # rotate the order: no config always first
            cbs = []
            if name == "live":
                cbs = [LivePlot()]
            elif name == "live_per_batch":
                cbs = [LivePlot(per_batch=True)]
            t0, c0 = time.perf_counter(), time.process_time()
            model.fit(x, y, batch_size=32, epochs=args.epochs, verbose=0, validation_split=0.1,
                      callbacks=cbs)
            runs[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            if cbs:
                draws[name] = (cbs[0].draws, cbs[0].draw_seconds)
    base = min(runs["plain"])
    base_cpu = min(cpu["plain"])
    print(f"MLP 784-256-256-10, batch 32, {args.samples} samples x {args.epochs} epochs "
          f"(validation_split=0.1), best of {args.repeats}; first figure in the process "
          f"(matplotlib import) {first:.2f}s, not counted")
    for name, times in runs.items():
        best = min(times)
        extra = ""
        if name in draws:
            n, s = draws[name]
            extra = f"  draws={n} drawing={s:.2f}s ({100 * s / best:.2f}% of fit)"
        c = min(cpu[name])
        print(f"{name:16s} wall {best:7.2f}s ({100 * (best / base - 1):+.2f}%)  "
              f"CPU {c:7.2f}s ({100 * (c / base_cpu - 1):+.2f}%){extra}")


if __name__ == "__main__":
    main()
