"""Inference latency of one sample: `predict`, `predict_on_batch`, `model(x)` (and the
evaluation calls), side by side with Keras-JAX and PyTorch.

    python bench/predict.py                       # nbkeras, plus keras+jax and torch if importable
    python bench/predict.py --models tutorial,mlp --frameworks nbkeras,keras
    python bench/predict.py --profile             # cProfile of nbkeras's predict (or: pyinstrument)
    python bench/predict.py --contend             # one busy-loop process beside the run

Models (each fed one sample, float32):
- tutorial: Dense(16, input_dim=20) -> Activation('relu') -> Dropout(0.5) -> Dense(1),
  compiled with rmsprop / binary_crossentropy (bench/tutorial.py's model);
- mlp: Dense(256, relu) -> Dense(256, relu) -> Dense(10, softmax) on 784 inputs, Adam,
  sparse categorical crossentropy + accuracy (bench/mlp.py's model);
- cnn: Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) -> MaxPooling2D ->
  Dropout(0.5) -> Flatten -> Dense(10, softmax) on 24x24x1 (bench/student_cnn.py's model).

Calls timed, per framework:
- nbkeras and Keras-JAX: `model.predict(x, verbose=0)`, `model.predict_on_batch(x)`,
  `model(x)` (Keras-JAX: `np.asarray(model(x))`, so the asynchronous JAX result is
  waited for), `model.test_on_batch(x, y)` and `model.evaluate(x, y, verbose=0)`;
  nbkeras also `model.predict(x)` with the default `verbose="auto"` (its progress bar,
  written to a pipe).
- PyTorch: `model(torch.from_numpy(x)).numpy()` under `torch.no_grad()` in eval mode
  (the same layers, NCHW for the CNN), `torch.set_num_threads(2)`.

Each framework runs in a fresh subprocess. Per call: 30 untimed calls, then `--repeats`
(7) rounds of N calls each (N sized so a round takes about `--round-s` seconds); the
table shows the median over rounds of the time per call, and the spread
(worst - best) / best over the rounds.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

MODELS = ("tutorial", "mlp", "cnn")
KERAS_CALLS = ("predict", "predict_on_batch", "call", "test_on_batch", "evaluate")
NBKERAS_CALLS = KERAS_CALLS + ("predict_verbose_auto",)


def make_sample(name, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    if name == "tutorial":
        return rng.random((1, 20), dtype="float32"), np.ones((1, 1), "float32")
    if name == "mlp":
        return rng.random((1, 784), dtype="float32"), np.array([3])
    return rng.random((1, 24, 24, 1), dtype="float32"), np.array([3])


def keras_model(keras, name):
    """The model `name` in nbkeras or Keras (the same code for both)."""
    layers = keras.layers
    keras.utils.set_random_seed(0)
    if name == "tutorial":
        model = keras.Sequential()
        model.add(layers.Dense(16, input_dim=20))
        model.add(layers.Activation("relu"))
        model.add(layers.Dropout(0.5))
        model.add(layers.Dense(1))
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        return model
    if name == "mlp":
        model = keras.Sequential([
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(256, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
    else:
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
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def torch_model(name):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if name == "tutorial":
        model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
    elif name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10), nn.Softmax(dim=-1))
    else:
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.5),
                              nn.Flatten(), nn.Linear(64 * 4 * 4, 10), nn.Softmax(dim=-1))
    return model.eval()


def _calls(framework, name):
    """{call name: zero-argument function} for the model `name`."""
    import numpy as np

    x, y = make_sample(name)
    if framework == "torch":
        import torch

        torch.set_num_threads(2)
        model = torch_model(name)
        xt = np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if name == "cnn" else x

        def call():
            with torch.no_grad():
                return model(torch.from_numpy(xt)).numpy()

        return {"call": call}
    keras = C.import_framework(framework)
    model = keras_model(keras, name)
    model.predict(x, verbose=0)  # build and compile whatever is compiled lazily
    calls = {
        "predict": lambda: model.predict(x, verbose=0),
        "predict_on_batch": lambda: model.predict_on_batch(x),
        "call": (lambda: model(x)) if framework == "nbkeras" else (lambda: np.asarray(model(x))),
        "test_on_batch": lambda: model.test_on_batch(x, y),
        "evaluate": lambda: model.evaluate(x, y, verbose=0),
    }
    if framework == "nbkeras":
        calls["predict_verbose_auto"] = lambda: model.predict(x)
    return calls


def _time_call(fn, repeats, round_s):
    for _ in range(30):
        fn()
    t0 = time.perf_counter()
    for _ in range(10):
        fn()
    one = max((time.perf_counter() - t0) / 10, 1e-7)
    n = max(10, int(round_s / one))
    per_call = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        per_call.append(1e6 * (time.perf_counter() - t0) / n)
    out = C.stats(per_call)
    out["calls_per_round"] = n
    return out


def worker(framework, cfg):
    skip = C.framework_skip_reason(framework)
    if skip:
        C.worker_reply({"skipped": skip})
        return
    import contextlib
    import io

    results = {}
    for name in cfg["models"]:
        calls = _calls(framework, name)
        results[name] = {}
        for call, fn in calls.items():
            # The progress bar of `verbose="auto"` goes to a pipe-like buffer, not the terminal.
            sink = io.StringIO() if call == "predict_verbose_auto" else None
            with contextlib.redirect_stdout(sink) if sink else contextlib.nullcontext():
                results[name][call] = _time_call(fn, cfg["repeats"], cfg["round_s"])
    C.worker_reply({"results": results})


def profile_nbkeras(mode, name, calls=20000):
    import nbkeras as keras

    x, _ = make_sample(name)
    model = keras_model(keras, name)
    model.predict(x, verbose=0)
    calls = calls if name != "cnn" else calls // 20

    def run():
        for _ in range(calls):
            model.predict(x, verbose=0)

    print(f"\nnbkeras {name} model, predict of one sample, {calls} calls")
    t0 = time.perf_counter()
    run()
    print(f"without profiler: {1e6 * (time.perf_counter() - t0) / calls:.1f} us/call")
    res = C.profile(run, mode, calls)
    C.result_line({"bench": "predict_profile", "model": name, **res})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,keras,torch",
                    help="comma list out of nbkeras,keras,torch (missing ones are skipped)")
    ap.add_argument("--models", default=",".join(MODELS), help="comma list out of "
                    + ",".join(MODELS))
    ap.add_argument("--repeats", type=int, default=7, help="timed rounds per call")
    ap.add_argument("--round-s", type=float, default=0.2, help="seconds per timed round")
    ap.add_argument("--profile", nargs="?", const="cprofile", choices=("cprofile", "pyinstrument"),
                    help="profile nbkeras's predict instead of benchmarking")
    ap.add_argument("--profile-model", default="tutorial", choices=MODELS)
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for other processes to leave the CPU idle")
    C.add_contend_arg(ap)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; expected some of {list(MODELS)}")
    if args.wait_quiet:
        C.wait_quiet(args.wait_quiet)
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header("bench/predict.py: one-sample inference latency (predict, predict_on_batch, "
                   "model(x), test_on_batch, evaluate)", info)
    if args.profile:
        profile_nbkeras(args.profile, args.profile_model)
        return
    cfg = {"models": models, "repeats": args.repeats, "round_s": args.round_s}
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
            print(f"  process {r['process_wall_s']:.1f} s")

    done = {fw: r["results"] for fw, r in results.items() if "results" in r}
    nb = done.get("nbkeras", {})
    rows, summary = [], {}
    for name in models:
        for call in NBKERAS_CALLS:
            cells = {fw: res.get(name, {}).get(call) for fw, res in done.items()}
            if not any(cells.values()):
                continue
            row = [name, call]
            for fw in ("nbkeras", "keras", "torch"):
                st = cells.get(fw)
                row.append(f"{st['median']:.1f} ({st['spread_pct']:.0f}%)" if st else "-")
            ours = (nb.get(name) or {}).get(call)
            for fw in ("keras", "torch"):
                # PyTorch has one call (`model(x)`): every nbkeras call is set beside it.
                st = cells.get(fw) or ((done.get(fw) or {}).get(name, {}).get("call")
                                       if fw == "torch" else None)
                row.append(f"{ours['median'] / st['median']:.2f}" if ours and st else "-")
            rows.append(row)
            summary.setdefault(name, {})[call] = {
                fw: {"median_us": st["median"], "best_us": st["best"],
                     "spread_pct": st["spread_pct"]} for fw, st in cells.items() if st}
    print()
    C.table(["model", "call", "nbkeras us (spread)", "keras-jax us", "torch us",
             "nbkeras/keras", "nbkeras/torch"], rows)
    print(f"\nmedian over {args.repeats} rounds of the time per call, one sample; spread = "
          "(worst - best) / best over the rounds;\nnbkeras/x = nbkeras's time over x's (<1: "
          "nbkeras faster); torch has one call, model(x) under no_grad.")
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({"bench": "predict", "models": models, "results": summary,
                   "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                               if "results" not in r},
                   "env": info})


if __name__ == "__main__":
    main()
