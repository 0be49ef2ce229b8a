"""Train-step time of keras.io's small transformer text classifier (tests/transformer_models.py).

    python bench/transformer.py                        # nbkeras, Keras-JAX, Keras-torch
    python bench/transformer.py --frameworks nbkeras --repeats 3
    python bench/transformer.py --baseline /work/main  # also nbkeras from another checkout
    python bench/transformer.py --profile cprofile     # nbkeras hotspots per step

keras.io's sizes: maxlen 200, vocab 20000, embed 32, 2 heads, ff 32, dropout 0.1, batch 32,
Adam, sparse categorical crossentropy. Each framework runs in a fresh subprocess (Keras
with KERAS_BACKEND=jax or torch, set in that worker only): one untimed warm-up epoch
(compiles), then `--repeats` timed fit(epochs=1) calls of `--steps` steps (shuffle on,
verbose=0). `--rounds` > 1 runs every framework once per round, interleaved, so that they
share the machine's load; ms/step is the best epoch, with the median and the spread.
The last column says how many IMDB-sized reviews (maxlen 200) one minute of training
covers at the best rate.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _common as C  # noqa: E402

MAXLEN, VOCAB, EMBED, HEADS, FF, RATE, BATCH = 200, 20000, 32, 2, 32, 0.1, 32
FRAMEWORKS = ("nbkeras", "keras-jax", "keras-torch")


def _import(framework, root):
    """The keras-like module of `framework` (inside a worker process only)."""
    if framework.startswith("keras-"):
        os.environ["KERAS_BACKEND"] = framework.split("-", 1)[1]
        import keras

        return keras
    if root:
        sys.path.insert(0, root)
    import nbkeras

    return nbkeras


def _model(k):
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
    import transformer_models

    k.utils.set_random_seed(0)
    model = transformer_models.classifier(k, maxlen=MAXLEN, vocab_size=VOCAB, embed_dim=EMBED,
                                          num_heads=HEADS, ff_dim=FF, rate=RATE)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n):
    import numpy as np

    rng = np.random.default_rng(0)
    return rng.integers(0, VOCAB, size=(n, MAXLEN)), rng.integers(0, 2, size=(n,))


def worker(framework, cfg):
    try:
        k = _import(framework, cfg.get("root"))
    except Exception as e:  # not installed here
        C.worker_reply({"skipped": f"{type(e).__name__}: {e}"})
        return
    x, y = _data(cfg["steps"] * BATCH)
    model = _model(k)
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    warm = time.perf_counter() - t0
    times, losses = [], []
    for _ in range(cfg["repeats"]):
        t0 = time.perf_counter()
        h = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        times.append((time.perf_counter() - t0) / cfg["steps"])
        losses.append(float(h.history["loss"][-1]))
    C.worker_reply({"warmup_s": warm, "step_s": times, "loss": losses})


def profile_nbkeras(mode, steps):
    """cProfile (or pyinstrument) of nbkeras's fit over `steps` batches, after a warm-up."""
    import nbkeras as keras

    x, y = _data(steps * BATCH)
    model = _model(keras)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # compile
    C.profile_fit(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0), steps, mode,
                  "transformer_profile", f"transformer classifier, batch {BATCH}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CONFIG"), help=argparse.SUPPRESS)
    ap.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    ap.add_argument("--baseline", metavar="CHECKOUT",
                    help="also time nbkeras imported from this checkout ('nbkeras@base')")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--profile", choices=("cprofile", "pyinstrument"))
    C.add_contend_arg(ap)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], json.loads(args.worker[1]))
        return
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header(f"bench/transformer.py: keras.io's transformer classifier, maxlen {MAXLEN}, "
                   f"vocab {VOCAB}, embed {EMBED}, {HEADS} heads, ff {FF}, batch {BATCH}", info)
    if args.profile:
        profile_nbkeras(args.profile, args.steps)
        return
    runs = [(f, None) for f in args.frameworks.split(",") if f.strip()]
    if args.baseline:
        runs.append(("nbkeras@base", os.path.abspath(args.baseline)))
    results = {name: {"step_s": [], "loss": []} for name, _ in runs}
    for rnd in range(args.rounds):
        for name, root in runs:
            fw = name.split("@")[0]
            cfg = {"steps": args.steps, "repeats": args.repeats, "root": root}
            print(f"round {rnd + 1}/{args.rounds}: {name} ... (load {C.loadavg():.2f})",
                  flush=True)
            r = C.run_worker(__file__, [fw, json.dumps(cfg)])
            res = results[name]
            if "step_s" in r:
                res["step_s"] += r["step_s"]
                res["loss"] += r["loss"]
                res["warmup_s"] = r["warmup_s"]
            else:
                res["skipped"] = r.get("skipped") or f"{r.get('error')}: {r.get('tail')}"
                print(f"  not run: {res['skipped']}")
    rows, summary = [], {}
    base = results.get("nbkeras", {}).get("step_s")
    for name, res in results.items():
        if not res["step_s"]:
            continue
        st = C.stats(res["step_s"])
        entry = {"ms_per_step": 1e3 * st["best"], "ms_median": 1e3 * st["median"],
                 "spread_pct": st["spread_pct"], "warmup_s": res["warmup_s"],
                 "reviews_per_minute": 60 * BATCH / st["best"]}
        vs = ""
        if base and name != "nbkeras":
            entry["nbkeras_over_this"] = st["best"] / min(base)
            vs = f"{entry['nbkeras_over_this']:.2f}x"
        summary[name] = entry
        rows.append((name, f"{entry['ms_per_step']:.1f}", f"{entry['ms_median']:.1f}",
                     f"{st['spread_pct']:.0f}%", f"{res['warmup_s']:.1f}",
                     f"{res['loss'][-1]:.4f}", f"{entry['reviews_per_minute']:,.0f}", vs))
    print()
    C.table(["framework", "ms/step", "median", "spread", "warm-up s", "loss",
             "reviews/min", "nbkeras/it"], rows)
    print(f"\nbest of {args.repeats * args.rounds} epochs of {args.steps} steps; nbkeras/it = "
          "that framework's step time over nbkeras's (>1: nbkeras faster).")
    print(f"load (1 min) after the run: {C.loadavg():.2f}")
    C.result_line({"bench": "transformer", "results": summary, "env": info,
                   "skipped": {n: r["skipped"] for n, r in results.items() if "skipped" in r}})


if __name__ == "__main__":
    main()
