"""Cold start: `import nbkeras`, and process start -> end of the first epoch.

    python bench/cold_start.py                 # nbkeras, plus keras+jax and torch if importable
    python bench/cold_start.py --runs 3 --frameworks nbkeras

(a) Import time: `python -c 'import time; t=time.perf_counter(); import nbkeras;
    print(time.perf_counter()-t)'` in fresh subprocesses, median of --import-runs
    (after one untimed run that warms the OS file cache). Measured twice: with the
    environment as it is (if PYTHONDONTWRITEBYTECODE=1 and the package has no
    .pyc files, every import compiles nbkeras' sources), and with a bytecode
    cache (PYTHONPYCACHEPREFIX = a temp dir, populated once), as a normal
    install has. Also `import numpy` and the heaviest modules of
    `python -X importtime -c 'import nbkeras'`.

(b) Time from spawning a fresh process to the end of its first fit(epochs=1),
    for two workloads: the tutorial model (100 x 20, rmsprop, BCE, 4 steps) and
    the MNIST-shaped MLP (784-256-256-10, Adam, sparse CCE, 2,048 samples at
    batch 32). The Numba kernel cache:
      warm: NUMBA_CACHE_DIR = one temp dir, populated by an untimed run, then
            --runs measured runs against it;
      cold: NUMBA_CACHE_DIR = a brand-new empty temp dir for every run;
      warm+preload: warm, with NBKERAS_PRELOAD=1 and a --pause (1 s) sleep
            after the import, as when a notebook's next cell follows the import
            cell: the preload thread imports Numba meanwhile. The pause is not
            counted in the total.
    With NUMBA_CACHE_DIR set, Numba's first cache locator
    (_UserProvidedCacheLocator) serves every cache=True function, so the
    package's own __pycache__/*.nbi/*.nbc are never read. Each run reports its
    kernels' cache hits and misses (Dispatcher._cache_hits/_cache_misses) and
    the files in the temp dir, which prove it (each kernel counted once, though
    three modules re-export it).
    Bytecode (--bytecode): 'cached' runs with PYTHONPYCACHEPREFIX = a temp dir
    that the warm case's untimed run fills, as an installed package has its
    .pyc; 'as-is' runs with the environment as it is (under
    PYTHONDONTWRITEBYTECODE=1 in a checkout without .pyc, every run compiles
    nbkeras' sources: about 0.2 s). Keras and PyTorch import their installed .pyc.
    Keras-JAX and PyTorch have no persistent kernel cache by default (JAX's
    compilation cache is off unless configured): one number each.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

# The measured child: self-contained so that nothing but the framework is imported.
CHILD = r'''
import os, sys, time
t_start = time.time()
FW, WL = sys.argv[1], sys.argv[2]
if FW == "keras":
    os.environ["KERAS_BACKEND"] = "jax"
    import keras
elif FW == "nbkeras":
    import nbkeras as keras
else:
    import torch
    from torch import nn
t_import = time.time()
PAUSE = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
time.sleep(PAUSE)  # a notebook user writing the next cell
t_resume = time.time()
import json
import numpy as np
rng = np.random.default_rng(0)
if WL == "tutorial":
    x = rng.random((100, 20)); y = rng.integers(0, 2, size=(100, 1))
else:
    x = rng.random((2048, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=2048).astype(np.int32)
if FW == "torch":
    torch.set_num_threads(2)
    if WL == "tutorial":
        model = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 1))
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        X, Y = torch.from_numpy(x.astype("float32")), torch.from_numpy(y.astype("float32"))
        loss_fn = lambda p, t: nn.functional.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), t)
    else:
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        X, Y = torch.from_numpy(x), torch.from_numpy(y.astype("int64"))
        loss_fn = nn.CrossEntropyLoss()
    t_built = time.time()
    perm = torch.randperm(len(X))
    for lo in range(0, len(X), 32):
        idx = perm[lo:lo + 32]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), Y[idx])
        loss.backward()
        opt.step()
    float(loss)
else:
    L = keras.layers
    if WL == "tutorial":
        model = keras.Sequential([L.Dense(16, input_dim=20), L.Activation("relu"), L.Dropout(0.5),
                                  L.Dense(1)])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    else:
        model = keras.Sequential([keras.Input((784,)), L.Dense(256, activation="relu"),
                                  L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    t_built = time.time()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
t_end = time.time()
info = {"t0": float(os.environ["BENCH_T0"]), "t_start": t_start, "t_import": t_import,
        "t_resume": t_resume, "pause": PAUSE, "t_built": t_built, "t_end": t_end}
if FW == "nbkeras":
    import numba.core.registry as reg
    hits = misses = compiled = 0
    paths = set()
    seen = set()  # a kernel is re-exported by cpu, kernels and its own module: count it once
    for name, mod in list(sys.modules.items()):
        if not name.startswith("nbkeras.backend.") or mod is None:
            continue
        for obj in vars(mod).values():
            if isinstance(obj, reg.CPUDispatcher) and obj.signatures and id(obj) not in seen:
                seen.add(id(obj))
                compiled += len(obj.signatures)
                hits += sum(obj._cache_hits.values())
                misses += sum(obj._cache_misses.values())
                cache = getattr(obj, "_cache", None)
                if getattr(cache, "_cache_path", None):
                    paths.add(cache._cache_path)
    info.update(compiled=compiled, cache_hits=hits, cache_misses=misses, cache_paths=sorted(paths))
print("WORKER " + json.dumps(info))
'''

IMPORT_SNIPPET = ("import time; t=time.perf_counter(); import {mod}; "
                  "print(time.perf_counter()-t)")
KERAS_IMPORT = ("import os, time; os.environ['KERAS_BACKEND']='jax'; t=time.perf_counter(); "
                "import keras; print(time.perf_counter()-t)")


def _env(**extra):
    env = dict(C.START_ENV)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def time_import(code, runs, env):
    """Median of `runs` fresh-process import times (seconds) after one untimed run."""
    times = []
    for i in range(runs + 1):
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            return {"skipped": (p.stderr.strip().splitlines() or ["?"])[-1]}
        if i:
            times.append(float(p.stdout.strip().splitlines()[-1]))
    return C.stats(times)


def importtime_top(env, top=8):
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", "import nbkeras"], env=env,
                       capture_output=True, text=True)
    rows = []
    for line in p.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|", 2)
        rows.append((name.strip(), int(self_us), int(cum_us)))
    return sorted(rows, key=lambda r: -r[1])[:top]


def _bytecode_env(pyc_dir):
    """The environment as it is, or with a bytecode cache in `pyc_dir` (as an installed
    package has: pip writes the .pyc files when it installs)."""
    return _env(PYTHONPYCACHEPREFIX=pyc_dir, PYTHONDONTWRITEBYTECODE=None) if pyc_dir else _env()


def first_epoch(fw, workload, cache_dir=None, pyc_dir=None, pause=0.0):
    env = _bytecode_env(pyc_dir)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    if pause:
        env["NBKERAS_PRELOAD"] = "1"
    t0 = time.time()
    env["BENCH_T0"] = repr(t0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([sys.executable, "-c", CHILD, fw, workload, repr(pause)], env=env,
                       capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.time() - t0
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in p.stdout.splitlines():
        if line.startswith(C.WORKER_TAG):
            r = json.loads(line[len(C.WORKER_TAG):])
            out = {
                "total_s": r["t_end"] - r["t0"] - (r["t_resume"] - r["t_import"]),
                "startup_s": r["t_start"] - r["t0"],
                "import_s": r["t_import"] - r["t_start"],
                "build_s": r["t_built"] - r["t_resume"],
                "fit_s": r["t_end"] - r["t_built"],
                "process_wall_s": wall,
                "cpu_s": cpu,
            }
            for k in ("compiled", "cache_hits", "cache_misses", "cache_paths"):
                if k in r:
                    out[k] = r[k]
            if cache_dir:
                out["cache_files"] = sum(len(fs) for _, _, fs in os.walk(cache_dir))
            return out
    tail = (p.stdout + p.stderr).strip().splitlines()[-1:] or ["?"]
    return {"skipped" if "Error" in tail[-1] else "error": tail[-1]}


def summarize(runs):
    keys = ("total_s", "startup_s", "import_s", "build_s", "fit_s", "cpu_s")
    return {k: statistics.median(r[k] for r in runs) for k in keys} | {
        "total_all": [r["total_s"] for r in runs],
        "spread_pct": 100 * (max(r["total_s"] for r in runs) - min(r["total_s"] for r in runs))
        / min(r["total_s"] for r in runs),
        "cache_hits": [r.get("cache_hits") for r in runs],
        "cache_misses": [r.get("cache_misses") for r in runs],
        "cache_files": [r.get("cache_files") for r in runs],
        "compiled": runs[0].get("compiled"),
        "cache_paths": runs[0].get("cache_paths", [])[:1],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frameworks", default="nbkeras,keras,torch",
                    help="comma list out of nbkeras,keras,torch (missing ones are skipped)")
    ap.add_argument("--import-runs", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3, help="measured first-epoch runs per case")
    ap.add_argument("--workloads", default="tutorial,mlp")
    ap.add_argument("--pause", type=float, default=1.0, metavar="SECONDS",
                    help="also time a warm first epoch with NBKERAS_PRELOAD=1 and this pause "
                         "after the import (a notebook's next cell; 0: skip); the pause is "
                         "not counted")
    ap.add_argument("--bytecode", default="cached,as-is",
                    help="nbkeras first-epoch variants: 'cached' (a populated .pyc cache, as an "
                         "install has) and/or 'as-is' (the environment as it is)")
    ap.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                    help="first wait up to this long for other processes to leave the CPU idle")
    C.add_contend_arg(ap)
    args = ap.parse_args()
    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    bytecodes = [b.strip() for b in args.bytecode.split(",") if b.strip()]
    if not bytecodes or set(bytecodes) - {"cached", "as-is"}:
        ap.error(f"--bytecode takes 'cached' and/or 'as-is'. Received: {args.bytecode!r}")
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    if args.wait_quiet:
        C.wait_quiet(args.wait_quiet)
    C.start_contend(args.contend)
    info = C.env_info()
    C.print_header("bench/cold_start.py: import time and process start -> first epoch", info)
    result = {"bench": "cold_start", "import": {}, "first_epoch": {}, "env": info}
    tmp_root = tempfile.mkdtemp(prefix="nbkeras-bench-")
    try:
        # ------------------------------------------------------------ (a) imports
        rows = []
        pyc_dir = os.path.join(tmp_root, "pycache")
        cases = [("numpy", "as is", IMPORT_SNIPPET.format(mod="numpy"), _env())]
        if "nbkeras" in frameworks:
            cases += [
                ("nbkeras", "as is", IMPORT_SNIPPET.format(mod="nbkeras"), _env()),
                ("nbkeras", "with .pyc cache", IMPORT_SNIPPET.format(mod="nbkeras"),
                 _bytecode_env(pyc_dir)),
            ]
        if "keras" in frameworks:
            cases.append(("keras (jax)", "as is", KERAS_IMPORT, _env()))
        if "torch" in frameworks:
            cases.append(("torch", "as is", IMPORT_SNIPPET.format(mod="torch"), _env()))
        for name, how, code, env in cases:
            st = time_import(code, args.import_runs, env)
            result["import"][f"{name} ({how})"] = st
            if "skipped" in st:
                rows.append((name, how, "-", "-", "-", "skipped: " + st["skipped"][:60]))
            else:
                rows.append((name, how, f"{1e3 * st['median']:.0f}", f"{1e3 * st['best']:.0f}",
                             f"{1e3 * st['worst']:.0f}", f"{st['n']} runs"))
        print("(a) import time in a fresh process (ms)")
        C.table(["module", "bytecode", "median", "best", "worst", "notes"], rows)
        if "nbkeras" in frameworks:
            print("\nheaviest modules of `import nbkeras` (-X importtime, self time, as is):")
            top = importtime_top(_env())
            C.table(["module", "self ms", "cumulative ms"],
                    [(n, f"{s / 1e3:.1f}", f"{c / 1e3:.1f}") for n, s, c in top])
            result["importtime_top"] = top

        # ------------------------------------------------------- (b) first epoch
        print("\n(b) fresh process start -> end of the first fit(epochs=1), seconds (median)")
        rows = []
        for wl in workloads:
            for fw in frameworks:
                if fw == "nbkeras":
                    cases = [(kind, bc) for bc in bytecodes for kind in ("warm", "cold")]
                    if args.pause:
                        cases.insert(1, ("warm+preload", bytecodes[0]))
                else:
                    cases = [("-", "installed")]
                for kind, bc in cases:
                    if args.wait_quiet:
                        C.wait_quiet(args.wait_quiet)
                    # The warm case's untimed run fills the .pyc cache before the cold case.
                    pyc = pyc_dir if bc == "cached" else None
                    runs = []
                    if fw == "nbkeras" and kind.startswith("warm"):
                        pause = args.pause if kind == "warm+preload" else 0.0
                        warm_dir = tempfile.mkdtemp(dir=tmp_root, prefix=f"warm-{wl}-")
                        populate = first_epoch(fw, wl, warm_dir, pyc)  # untimed: fills the cache
                        if "error" in populate or "skipped" in populate:
                            runs = [populate]
                        else:
                            runs = [first_epoch(fw, wl, warm_dir, pyc, pause)
                                    for _ in range(args.runs)]
                    elif fw == "nbkeras":
                        for _ in range(args.runs):
                            cold_dir = tempfile.mkdtemp(dir=tmp_root, prefix=f"cold-{wl}-")
                            runs.append(first_epoch(fw, wl, cold_dir, pyc))
                    else:
                        first = first_epoch(fw, wl)
                        runs = [first] if ("error" in first or "skipped" in first) else \
                            [first] + [first_epoch(fw, wl) for _ in range(args.runs - 1)]
                    bad = [r for r in runs if "error" in r or "skipped" in r]
                    key = f"{fw}/{wl}/{kind}" + (f"/{bc}" if fw == "nbkeras" else "")
                    if bad:
                        why = bad[0].get("error") or bad[0].get("skipped")
                        result["first_epoch"][key] = {"skipped": why}
                        rows.append((wl, fw, kind, bc, "-", "-", "-", "-", "-", "-", "-",
                                     "skipped: " + why[:60]))
                        continue
                    s = summarize(runs)
                    result["first_epoch"][key] = s
                    cache = ""
                    if fw == "nbkeras":
                        cache = (f"hits {s['cache_hits']} misses {s['cache_misses']} "
                                 f"files {s['cache_files']}")
                    rows.append((wl, fw, kind, bc, f"{s['total_s']:.2f}", f"{s['startup_s']:.2f}",
                                 f"{s['import_s']:.2f}", f"{s['build_s']:.2f}",
                                 f"{s['fit_s']:.2f}", f"{s['spread_pct']:.0f}%",
                                 f"{s['cpu_s']:.2f}", cache))
        C.table(["workload", "framework", "kernel cache", "bytecode", "total", "python", "import",
                 "build", "fit", "spread", "cpu", "numba cache per run / notes"], rows)
        print("\ntotal = spawn -> fit returned; python = interpreter start-up; import = the "
              "framework;\nbuild = data + model + compile(); fit = the first epoch, with "
              "every kernel compile or cache load;\ncpu = the process's user + system CPU "
              "seconds (median; less skewed than wall time on a\nbusy machine).\n"
              "warm = NUMBA_CACHE_DIR populated by an "
              "untimed run; cold = a brand-new NUMBA_CACHE_DIR per run;\nwarm+preload = warm, "
              f"with NBKERAS_PRELOAD=1 and a {args.pause:g} s pause after the import (not "
              "counted), as in a notebook.\nbytecode: cached = "
              "PYTHONPYCACHEPREFIX filled by an untimed run (as an install has); as-is = the "
              "environment\nas it is (with PYTHONDONTWRITEBYTECODE=1 and no .pyc, every run "
              "compiles the sources); installed = site-packages' own .pyc.")
        paths = {k: v.get("cache_paths") for k, v in result["first_epoch"].items()
                 if v.get("cache_paths")}
        if paths:
            k, v = next(iter(paths.items()))
            print(f"Numba reads/writes the cache at: {v[0]} ({k}), not the package's __pycache__")
        print(f"load (1 min) after the run: {C.loadavg():.2f}")
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    C.result_line(result)


if __name__ == "__main__":
    main()
