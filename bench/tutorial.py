"""The tutorial model's fit time: per-step overhead on a tiny model.

    python bench/tutorial.py                  # nbkeras, plus keras+jax and torch if importable
    python bench/tutorial.py --repeats 3 --frameworks nbkeras
    python bench/tutorial.py --profile        # cProfile hotspots of nbkeras (or: pyinstrument)

Workload (the Keras tutorial's first model): Sequential Dense(16, input_dim=20)
-> Activation('relu') -> Dropout(0.5) -> Dense(1); compile(optimizer='rmsprop',
loss='binary_crossentropy'); 100 samples of 20 features (np.random.rand), 0/1
labels; fit(epochs=100, batch_size=32, verbose=0) = 4 steps/epoch, 400 steps
(the last batch of each epoch holds 4 samples). Each framework runs in a fresh
subprocess: one untimed warm-up fit (2 epochs), then `--repeats` timed
100-epoch fits; the table shows the best whole-fit time and us/step = fit / 400.
The GEMMs are tiny, so this measures the framework's per-step overhead.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

N, D, EPOCHS, BATCH = 100, 20, 100, 32
STEPS_PER_EPOCH = -(-N // BATCH)


def make_data(seed=0):
    import numpy as np

    np.random.seed(seed)
    x = np.random.rand(N, D)
    y = np.random.randint(2, size=(N, 1))
    return x, y


def _keras_model(keras):
    from_layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential()
    model.add(from_layers.Dense(16, input_dim=D))
    model.add(from_layers.Activation("relu"))
    model.add(from_layers.Dropout(0.5))
    model.add(from_layers.Dense(1))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    return model


def _keras_runner(keras):
    model = _keras_model(keras)

    def fit(x, y, epochs):
        return model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0).history["loss"][-1]

    return fit


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
    model = nn.Sequential(nn.Linear(D, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
    _keras_init(model)
    # Keras RMSprop defaults: lr 1e-3, rho 0.9, epsilon 1e-7.
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    eps = 1e-7

    def fit(x, y, epochs):
        # Like Keras' fit, convert the arrays (float64 -> float32) once per call.
        X = torch.from_numpy(x.astype("float32"))
        Y = torch.from_numpy(y.astype("float32"))
        n = len(X)
        model.train()
        loss_val = 0.0
        for _ in range(epochs):
            perm = torch.randperm(n)
            total = torch.zeros(())
            for lo in range(0, n, BATCH):
                idx = perm[lo:lo + BATCH]
                xb, yb = X[idx], Y[idx]
                opt.zero_grad(set_to_none=True)
                # Keras binary_crossentropy(from_logits=False) on the raw Dense(1) output:
                # clip to [eps, 1 - eps], then the cross-entropy.
                p = model(xb).clamp(eps, 1 - eps)
                loss = nn.functional.binary_cross_entropy(p, yb)
                loss.backward()
                opt.step()
                total += loss.detach() * len(idx)
            loss_val = float(total) / n
        return loss_val

    return fit


def worker(framework, cfg):
    skip = C.framework_skip_reason(framework)
    if skip:
        C.worker_reply({"skipped": skip})
        return
    x, y = make_data()
    fit = _torch_runner() if framework == "torch" else _keras_runner(C.import_framework(framework))
    t0 = time.perf_counter()
    fit(x, y, 2)
    warm = time.perf_counter() - t0
    times, losses = [], []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        losses.append(float(fit(x, y, cfg["epochs"])))
        times.append(time.perf_counter() - t0)
    C.worker_reply({"warmup_s": warm, "fit_s": C.stats(times), "loss": losses})


def profile_nbkeras(mode, epochs=1000):
    import nbkeras as keras

    x, y = make_data()
    model = _keras_model(keras)
    model.fit(x, y, epochs=2, batch_size=BATCH, verbose=0)
    C.profile_fit(lambda: model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0),
                  epochs * STEPS_PER_EPOCH, mode, "tutorial_profile",
                  f"tutorial model, batch 32, fit(epochs={epochs})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default="nbkeras,keras,torch",
                    help="comma list out of nbkeras,keras,torch (missing ones are skipped)")
    ap.add_argument("--repeats", type=int, default=5, help="timed 100-epoch fits")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--profile", nargs="?", const="cprofile", choices=("cprofile", "pyinstrument"),
                    help="profile nbkeras instead of benchmarking")
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
    C.print_header("bench/tutorial.py: Dense(16)-relu-Dropout(0.5)-Dense(1), rmsprop, BCE, "
                   f"100x20, {args.epochs} epochs x {STEPS_PER_EPOCH} steps", info)
    if args.profile:
        profile_nbkeras(args.profile)
        return
    steps = args.epochs * STEPS_PER_EPOCH
    cfg = {"epochs": args.epochs, "repeats": args.repeats}
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
            print(f"  warm-up fit {r['warmup_s']:.2f} s, process {r['process_wall_s']:.1f} s")

    rows, summary = [], {}
    base = results.get("nbkeras", {}).get("fit_s")
    for fw, r in results.items():
        if "fit_s" not in r:
            continue
        st = r["fit_s"]
        entry = {"fit_s_best": st["best"], "fit_s_median": st["median"], "fit_s_all": st["all"],
                 "spread_pct": st["spread_pct"], "us_per_step": 1e6 * st["best"] / steps,
                 "us_per_step_median": 1e6 * st["median"] / steps, "loss_last": r["loss"][-1]}
        vs = ""
        if fw != "nbkeras" and base:
            entry["nbkeras_over_this_time"] = base["best"] / st["best"]
            vs = f"{base['best'] / st['best']:.2f}"
        summary[fw] = entry
        rows.append((fw, f"{st['best']:.3f}", f"{st['median']:.3f}", f"{st['spread_pct']:.0f}%",
                     f"{entry['us_per_step']:.0f}", f"{entry['us_per_step_median']:.0f}",
                     f"{entry['loss_last']:.3f}", vs))
    print()
    C.table(["framework", "fit s (best)", "median", "spread", "us/step", "median us/step",
             "loss", "nbkeras/it time"], rows)
    print(f"\nbest of {args.repeats} fits of {args.epochs} epochs ({steps} steps); spread = "
          "(worst - best) / best;\nnbkeras/it time = nbkeras fit time over that framework's "
          "(<1: nbkeras faster).")
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({"bench": "tutorial", "steps": steps, "results": summary,
                   "skipped": {fw: r.get("skipped") or r.get("error") for fw, r in results.items()
                               if "fit_s" not in r},
                   "env": info})


if __name__ == "__main__":
    main()
