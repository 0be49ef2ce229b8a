"""Golden group 'callbacks': what Keras's callbacks do in fixed, small training runs.

The scenarios live in tests/callback_cases.py and run unchanged on real Keras (here) and on
nbkeras (tests/test_parity_callbacks.py). Recorded per case: every fit's history (learning
rates included), the final weights (after EarlyStopping's restore), the printed messages,
the callbacks' attributes (stopped_epoch, best_epoch, ...), the files written (ModelCheckpoint)
and CSV logs' text; plus the order of hook calls in fit, evaluate and predict.

Each case is checked for robustness: every "is it better?" comparison and every rounded
number in a file name must be decided by a margin far above float32 noise, else the
generator stops (so nbkeras's tiny numeric differences cannot flip a golden).
"""

import os
import shutil
import sys
import tempfile

import numpy as np

from goldens_common import Recorder, keras_meta

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(_ROOT, "tests"))
import callback_cases as cc  # noqa: E402

MARGIN = 1e-3  # relative margin every decision must clear


def _decisions(values, mode, min_delta, baseline=None, start=0):
    """Relative margins of the comparisons a MonitorCallback makes on `values`."""
    sign = -1 if mode == "min" else 1
    delta = sign * abs(min_delta)
    better = (lambda a, b: a < b) if mode == "min" else (lambda a, b: a > b)
    best, margins = None, []
    for v in values[start:]:
        refs = [r for r in (best, baseline) if r is not None]
        for ref in refs:
            margins.append(abs((v - delta) - ref) / max(abs(ref), 1e-3))
        if best is None or better(v - delta, best):
            best = v
    return margins


def _mode(kwargs):
    mode = kwargs.get("mode", "auto")
    if mode != "auto":
        return mode
    return "max" if "cosine" in kwargs.get("monitor", "val_loss") else "min"


def check_margins(case, result):
    for spec in case["callbacks"]:
        kw = spec.get("kwargs", {})
        history = result["histories"][-1] or {}
        monitored = spec["class"] in ("EarlyStopping", "ReduceLROnPlateau") or (
            spec["class"] == "ModelCheckpoint" and kw.get("save_best_only")
            and kw.get("save_freq", "epoch") == "epoch")
        if monitored:
            values = history[kw.get("monitor", "val_loss")]
            default_delta = 1e-4 if spec["class"] == "ReduceLROnPlateau" else 0
            margins = _decisions(values, _mode(kw), kw.get("min_delta", default_delta),
                                 kw.get("baseline", kw.get("initial_value_threshold")),
                                 kw.get("start_from_epoch", 0))
            if margins and min(margins) < MARGIN:
                raise SystemExit(f"{case['id']}: a decision margin is {min(margins):.2e}")
    for hist in result["histories"]:
        for key in ("val_loss", "loss"):
            for v in (hist or {}).get(key, []):
                for digits in (2, 3):
                    frac = (abs(v) * 10 ** digits) % 1
                    if abs(frac - 0.5) < 0.02 and _uses_format(case, key, digits):
                        raise SystemExit(f"{case['id']}: {key}={v} is near a rounding edge")


def _uses_format(case, key, digits):
    return any(f"{{{key}:.{digits}f}}" in spec.get("kwargs", {}).get("filepath", "")
               for spec in case["callbacks"])


def generate(keras):
    rec = Recorder("callbacks", keras_meta())
    for case in cc.CASES:
        keras.utils.clear_session()
        workdir = tempfile.mkdtemp(prefix="nbkeras_cb_")
        try:
            result = cc.run_case(keras, case, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        check_margins(case, result)
        cid = case["id"]
        rec.case({
            "id": cid,
            "case": case,
            "histories": [None if h is None else {k: rec.arr(cid, f"fit{i}_{k}", np.array(v))
                                                  for k, v in h.items()}
                          for i, h in enumerate(result["histories"])],
            "history_keys": [None if h is None else list(h) for h in result["histories"]],
            "errors": result["errors"],
            "final_weights": rec.arrs(cid, "final", result["final_weights"]),
            "stdout": result["stdout"],
            "attrs": result["attrs"],
            "files": result["files"],
            "texts": result["texts"],
        })
    keras.utils.clear_session()
    rec.case({"id": "hooks_order", "events": cc.run_hooks(keras)})
    rec.save()
