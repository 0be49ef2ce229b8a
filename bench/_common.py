"""Shared helpers for the benchmarks in bench/ (not part of the nbkeras package).

Kept free of heavy imports at module level: the cold-start benchmark imports
nothing from here in its measured subprocesses, and the workers import only
what their framework needs.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

ENV_VARS = (
    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
    "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER",
    "NUMBA_CACHE_DIR", "NUMBA_OPT", "KERAS_BACKEND", "XLA_FLAGS", "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
)

# The environment this run started with: every worker subprocess gets exactly
# this (nbkeras sets OMP_WAIT_POLICY in its own process; it must not leak).
START_ENV = dict(os.environ)

WORKER_TAG = "WORKER "


# ---------------------------------------------------------------- environment
def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [x for x in ("avx2", "fma", "avx512f") if x in flags]
    except OSError:
        pass
    return []


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def _cpu_times():
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)  # idle + iowait
    return sum(vals), idle


def busy_cores(interval=1.0):
    """How many cores other processes keep busy right now (from /proc/stat)."""
    try:
        total0, idle0 = _cpu_times()
        time.sleep(interval)
        total1, idle1 = _cpu_times()
    except (OSError, ValueError, IndexError):
        return float("nan")
    ncpu = os.cpu_count() or 1
    dt = total1 - total0
    return ncpu * (1.0 - (idle1 - idle0) / dt) if dt > 0 else 0.0


def wait_quiet(max_wait_s, threshold=0.25):
    """Wait (up to max_wait_s) until other processes use under `threshold` cores
    (our own `--contend` busy loops do not count)."""
    threshold += CONTEND["n"]
    if max_wait_s <= 0:
        return busy_cores(0.5)
    deadline = time.time() + max_wait_s
    quiet, said, start = 0, 0.0, time.time()
    while time.time() < deadline:
        busy = busy_cores()
        quiet = quiet + 1 if busy <= threshold else 0
        if quiet >= 3:  # three quiet seconds in a row
            if said:
                print(f"  quiet after {time.time() - start:.0f} s", flush=True)
            return busy
        if quiet == 0:
            if time.time() - said > 60:
                print(f"  machine busy ({busy:.2f} cores in use by others); waiting ...",
                      flush=True)
                said = time.time()
            time.sleep(2)
    print(f"  gave up waiting after {max_wait_s:.0f} s; running on a busy machine", flush=True)
    return busy


def _dist_version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def blas_info():
    """Which BLAS numpy uses and which kernel (core type) it picked at load."""
    import numpy as np

    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # load the library
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                return {
                    "via": "threadpoolctl",
                    "api": pool.get("internal_api"),
                    "version": pool.get("version"),
                    "kernel": pool.get("architecture"),
                    "threads": pool.get("num_threads"),
                    "threading": pool.get("threading_layer"),
                }
    # Fallback: numpy's build info, and OpenBLAS's core name through ctypes.
    info = {"via": "numpy.show_config", "api": None, "version": None, "kernel": None,
            "threads": None, "threading": None}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["api"], info["version"] = blas.get("name"), blas.get("version")
    except Exception:
        pass
    try:
        import ctypes

        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        for path in paths:
            lib = ctypes.CDLL(path)
            for sym in ("scipy_openblas_get_corename64_", "openblas_get_corename",
                        "openblas_get_corename64_"):
                fn = getattr(lib, sym, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    info["kernel"] = fn().decode()
                    break
    except Exception:
        pass
    return info


def env_info():
    import numpy as np

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    info = {
        "cpu": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "cores": cores,
        "loadavg_1m": round(loadavg(), 2),
        "busy_cores_at_start": round(busy_cores(0.5), 2),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": _dist_version("numba"),
        "llvmlite": _dist_version("llvmlite"),
        "nbkeras": _dist_version("nbkeras"),
        "keras": _dist_version("keras"),
        "jax": _dist_version("jax"),
        "torch": _dist_version("torch"),
        "blas": blas_info(),
        "env": {k: START_ENV.get(k) for k in ENV_VARS},
        "contend": CONTEND["n"],
    }
    return info


def print_header(title, info):
    print("=" * 78)
    print(title)
    print("=" * 78)
    print(f"CPU          {info['cpu']}  ({info['cores']} cores usable; "
          f"{', '.join(info['cpu_flags']) or 'no AVX2/FMA flags found'})")
    print(f"load         1-min loadavg {info['loadavg_1m']}, cores busy at start "
          f"{info['busy_cores_at_start']} (shared machine: other processes skew timings)")
    if info["busy_cores_at_start"] > 0.25 + info.get("contend", 0):
        print("WARNING      other processes are using the CPU: expect slow, noisy numbers "
              "(try --wait-quiet 300)")
    print(f"Python {info['python']}  numpy {info['numpy']}  numba {info['numba']}  "
          f"llvmlite {info['llvmlite']}  nbkeras {info['nbkeras']}")
    others = [f"{k} {info[k]}" for k in ("keras", "jax", "torch") if info[k]]
    print("others       " + ("  ".join(others) if others else "none installed"))
    b = info["blas"]
    print(f"BLAS         {b['api']} {b['version']}, kernel={b['kernel']}, "
          f"threads={b['threads']} ({b['threading']}; via {b['via']})")
    if info.get("contend"):
        print(f"contend      {info['contend']} busy-loop process(es) of this benchmark run "
              "beside it (--contend)")
    set_vars = {k: v for k, v in info["env"].items() if v is not None}
    unset = [k for k, v in info["env"].items() if v is None]
    print("env set      " + (", ".join(f"{k}={v}" for k, v in set_vars.items()) or "(none)"))
    print("env unset    " + ", ".join(unset))
    print("note         nbkeras sets OMP_WAIT_POLICY=PASSIVE (setdefault) in its own process;")
    print("             every framework runs in its own fresh subprocess with the env above.")
    print("-" * 78)


# ----------------------------------------------------------------- contention
_BUSY_LOOP = "while True:\n    pass\n"


class Contend:
    """`--contend N`: N busy-loop processes beside the run (a learner's busy laptop).

    Each is a plain `python -c 'while True: pass'` that takes one core; all are killed
    (by their own pid) when the block ends, even on an error. N = 0 does nothing.

        with Contend(args.contend):
            ... run the workers ...
    """

    def __init__(self, n):
        self.n, self.procs = int(n or 0), []

    def __enter__(self):
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", _BUSY_LOOP],
                                               env=START_ENV))
        if self.n:
            time.sleep(0.5)  # let the scheduler see them before the first worker starts
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        self.procs = []
        return False


def start_contend(n):
    """Start `Contend(n)` for the rest of this run; the busy loops die when it exits."""
    import atexit

    CONTEND["n"] = int(n or 0)
    if CONTEND["n"]:
        c = Contend(CONTEND["n"]).__enter__()
        atexit.register(c.__exit__, None, None, None)


CONTEND = {"n": 0}  # busy loops of ours beside this run, shown in the header


def add_contend_arg(ap):
    ap.add_argument("--contend", type=int, default=0, metavar="N", nargs="?", const=1,
                    help="run N busy-loop processes (default 1) beside the benchmark, "
                         "killed at its end; reported in the header and the RESULT")


# ----------------------------------------------------------------- statistics
def stats(values):
    values = list(values)
    best = min(values)
    return {
        "best": best,
        "median": statistics.median(values),
        "worst": max(values),
        "spread_pct": 100.0 * (max(values) - best) / best if best > 0 else 0.0,
        "n": len(values),
        "all": values,
    }


def table(headers, rows, aligns=None):
    cols = [[str(h)] + [str(r[i]) for r in rows] for i, h in enumerate(headers)]
    widths = [max(len(c) for c in col) for col in cols]
    aligns = aligns or ["<"] + [">"] * (len(headers) - 1)

    def fmt(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths))

    print(fmt(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(fmt([str(c) for c in r]))


def result_line(obj):
    print("RESULT " + json.dumps(obj, sort_keys=True, default=_json_default), flush=True)


def _json_default(o):
    try:
        return float(o)
    except Exception:
        return str(o)


# -------------------------------------------------------------------- workers
def worker_reply(obj):
    """Print a worker's answer on one line for the parent to pick up."""
    print(WORKER_TAG + json.dumps(obj, default=_json_default), flush=True)


def run_worker(script, args, timeout=1800, env=None):
    """Run `python script --worker ...` in a fresh process with the start env."""
    cmd = [sys.executable, script, "--worker", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env or START_ENV, capture_output=True, text=True,
                          timeout=timeout)
    wall = time.perf_counter() - t0
    reply = None
    for line in proc.stdout.splitlines():
        if line.startswith(WORKER_TAG):
            reply = json.loads(line[len(WORKER_TAG):])
    if reply is None:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        reply = {"error": f"worker exited with {proc.returncode}", "tail": tail}
    reply["process_wall_s"] = wall
    return reply


def framework_skip_reason(framework):
    """None when the framework imports in this interpreter, else why it does not.

    Only used in worker processes (importing jax/torch in the parent would
    start their thread pools next to the other frameworks' runs).
    """
    try:
        if framework == "nbkeras":
            import nbkeras  # noqa: F401
        elif framework == "keras":
            os.environ["KERAS_BACKEND"] = "jax"  # comparison path only, before the import
            import jax  # noqa: F401
            import keras

            if keras.backend.backend() != "jax":
                return f"keras imported with backend {keras.backend.backend()!r}, not jax"
        elif framework == "torch":
            import torch  # noqa: F401
        else:
            return f"unknown framework {framework!r}"
    except Exception as e:  # ImportError, or a broken install
        return f"{type(e).__name__}: {e}"
    return None


def skipped_worker(framework):
    """In a worker: reply `{"skipped": why}` and return True when `framework` does not
    import in this interpreter (see `framework_skip_reason`)."""
    skip = framework_skip_reason(framework)
    if skip:
        worker_reply({"skipped": skip})
    return bool(skip)


def import_framework(framework):
    if framework == "nbkeras":
        import nbkeras

        return nbkeras
    if framework == "keras":
        import keras

        return keras
    import torch

    return torch


# ------------------------------------------------------------------ profiling
def profile_fit(run, steps, mode, bench, title, top=25, **extra):
    """Time `run()` (one warmed-up fit of `steps` steps) plainly, then under the profiler,
    and print the hotspots and a RESULT line (`bench`, `extra` and the plain us/step)."""
    t0 = time.perf_counter()
    run()
    plain = time.perf_counter() - t0
    print(f"\nnbkeras {title}, {steps} steps; without profiler: "
          f"{1e6 * plain / steps:.0f} us/step")
    res = profile(run, mode, steps, top=top)
    res["us_per_step_unprofiled"] = 1e6 * plain / steps
    result_line({"bench": bench, **extra, **res})


def profile(fn, mode, steps, top=25):
    """Profile fn() with cProfile or pyinstrument and print the hotspots per step."""
    if mode == "pyinstrument":
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("pyinstrument is not installed; falling back to cProfile")
            mode = "cprofile"
    if mode == "pyinstrument":
        profiler = Profiler(interval=0.0005)
        profiler.start()
        t0 = time.perf_counter()
        fn()
        took = time.perf_counter() - t0
        profiler.stop()
        print(f"pyinstrument: {took:.3f} s for {steps} steps = {1e6 * took / steps:.0f} us/step "
              "(sampling profiler, small overhead)")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return {"mode": mode, "us_per_step": 1e6 * took / steps}

    import cProfile
    import pstats

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    fn()
    prof.disable()
    took = time.perf_counter() - t0
    st = pstats.Stats(prof)
    total = st.total_tt
    print(f"cProfile: {took:.3f} s for {steps} steps = {1e6 * took / steps:.0f} us/step "
          f"under the profiler (its overhead inflates Python-heavy code)")

    def short(func):
        path, line, name = func
        for marker in ("site-packages/", "/work/main/", os.getcwd() + "/"):
            if marker in path:
                path = path.split(marker, 1)[1]
        return f"{name} ({path}:{line})" if line else name

    rows = []
    for func, (cc, nc, tt, ct, _callers) in st.stats.items():
        rows.append((func, nc, tt, ct))
    out = {"mode": "cprofile", "us_per_step": 1e6 * took / steps}
    for key, col, at, heading in (("cumulative", "cum", 3, "cumulative time (share of the "
                                   "profiled fit)"), ("self", "self", 2, "self time")):
        ranked = [(short(r[0]), r[1], r[at]) for r in sorted(rows, key=lambda r: -r[at])[:top]]
        print(f"\nTop {top} by {heading}:")
        table(["function", "calls/step", f"{col} us/step", f"{col} share"],
              [(name[:90], f"{nc / steps:.1f}", f"{1e6 * t / steps:.1f}",
                f"{100 * t / total:.1f}%") for name, nc, t in ranked])
        out[key] = [(name, nc / steps, 1e6 * t / steps, t / total) for name, nc, t in ranked]
    return out
