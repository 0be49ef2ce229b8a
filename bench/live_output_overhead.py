"""Cost of fit's live output (progress row + curves streamed to JupyterLab) on the
bench/mlp.py model at batch 32, measured inside a real Jupyter kernel.

    python bench/live_output_overhead.py [--samples 60000] [--epochs 3] [--repeats 3]

A kernel is started with jupyter_client and a client drains its IOPub channel, as JupyterLab
does, so every display update is really serialized and sent over ZMQ. In the same kernel, runs
alternate between `fit(verbose=0)` (no live output: what a front end without the extension
costs the kernel when nothing is shown) and `fit(verbose=1)` (the live output), and
`LivePlot(per_batch=True)`; the best of the repeats is compared (wall time and kernel CPU
time). The browser draws the chart in its own process. The update count and the time spent
building and sending updates are reported as a share of the fit.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CODE = r"""
import json, sys, time
sys.path.insert(0, {here!r})
import mlp
import nbkeras as keras
import nbkeras.notebook
from nbkeras.notebook.live_training import LiveTraining
x, y = mlp.make_data({samples})
model = mlp._keras_model(keras)
model.fit(x[:2400], y[:2400], batch_size=32, epochs=1, verbose=0, validation_split=0.1)
runs = {{"absent": [], "live": [], "live_per_batch": []}}
cpu = {{k: [] for k in runs}}
updates = {{}}
names = list(runs)
for r in range({repeats}):
    for name in names[r % 3:] + names[:r % 3]:
        cbs, verbose = [], 0  # the live callbacks show their output whatever verbose is
        if name == "live":
            cbs = [LiveTraining()]  # verbose=0 too: the arms differ only by the live output
        elif name == "live_per_batch":
            cbs = [keras.callbacks.LivePlot(per_batch=True)]
        t0, c0 = time.perf_counter(), time.process_time()
        model.fit(x, y, batch_size=32, epochs={epochs}, verbose=verbose, validation_split=0.1,
                  callbacks=cbs)
        runs[name].append(time.perf_counter() - t0)
        cpu[name].append(time.process_time() - c0)
        if cbs:
            updates[name] = (cbs[0].updates, cbs[0].update_seconds)
print("RESULT " + json.dumps({{"runs": runs, "cpu": cpu, "updates": updates}}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=60_000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    from jupyter_client.manager import start_new_kernel

    env = dict(os.environ, PYTHONPATH=os.getcwd())  # this checkout's nbkeras
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    received = {"messages": 0, "bytes": 0}
    result = {}

    def on_output(msg):  # every IOPub message is read and decoded, as a front end does
        received["messages"] += 1
        received["bytes"] += len(json.dumps(msg["content"], default=str))
        text = msg["content"].get("text", "")
        if msg["msg_type"] == "stream" and text.startswith("RESULT "):
            result.update(json.loads(text[len("RESULT "):]))

    try:
        code = CODE.format(here=HERE, samples=args.samples, epochs=args.epochs,
                           repeats=args.repeats)
        reply = kc.execute_interactive(code, timeout=3600, output_hook=on_output)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    runs, cpu, updates = result["runs"], result["cpu"], result["updates"]
    base, base_cpu = min(runs["absent"]), min(cpu["absent"])
    print(f"MLP 784-256-256-10, batch 32, {args.samples} samples x {args.epochs} epochs "
          f"(validation_split=0.1), in a Jupyter kernel, best of {args.repeats}; the client "
          f"received {received['messages']} messages, {received['bytes'] / 1e6:.1f} MB")
    for name, times in runs.items():
        best, c = min(times), min(cpu[name])
        extra = ""
        if name in updates:
            n, s = updates[name]
            extra = f"  updates={n} sending={s:.3f}s ({100 * s / best:.2f}% of fit)"
        print(f"{name:16s} wall {best:7.2f}s ({100 * (best / base - 1):+.2f}%)  "
              f"CPU {c:7.2f}s ({100 * (c / base_cpu - 1):+.2f}%){extra}")


if __name__ == "__main__":
    sys.exit(main())
