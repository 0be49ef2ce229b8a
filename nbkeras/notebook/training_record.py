"""The record of a fit as data: the JSON payload the JupyterLab extension draws, the static PNG
and the text that other front ends show.

`history_payload` builds `application/vnd.nbkeras.history+json` (and the live training type,
which adds a `progress` entry); `record_bundle` makes the display bundle that a saved notebook
keeps: the payload, a PNG of the curves and a `text/plain` summary.
"""

import base64

from nbkeras.utils.progbar import format_time, format_value

HISTORY_MIME = "application/vnd.nbkeras.history+json"
TRAINING_MIME = "application/vnd.nbkeras.training+json"

_STATUS_WORDS = {"running": "running", "completed": "completed", "stopped_early": "stopped early",
                 "interrupted": "interrupted", "failed": "failed"}


def _floats(values):
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = None
        # 7 significant digits (float32 precision) keep saved notebooks small
        out.append(None if f is None or f != f or f in (float("inf"), float("-inf"))
                   else float(f"{f:.7g}"))
    return out


def best_of(history, monitor=None):
    """{key, epoch (index), value} of the best logged epoch: `monitor`, else val_loss, else loss."""
    from nbkeras.notebook.plotting import higher_is_better

    for key in (monitor, "val_loss", "loss"):
        values = _floats(history.get(key, [])) if key else []
        pairs = [(v, i) for i, v in enumerate(values) if v is not None]
        if pairs:
            pick = max if higher_is_better(key) else min
            value, index = pick(pairs, key=lambda p: p[0])
            return {"key": key, "epoch": index, "value": value}
    return None


def history_payload(history, epochs=None, learning_rates=None, batches=None, status="completed",
                    reason="", best=None, restored_epoch=None, elapsed=None,
                    epochs_requested=None, error="", progress=None):
    """The JSON-able payload of a training history (see `extension/src/payload.ts`).

    Args:
        history: {name: [per-epoch values]}.
        epochs: the 0-based epoch numbers of those values (0..n-1 by default).
        learning_rates: the per-epoch learning rate.
        batches: {"x": [fractional epochs], "series": {name: [values]}} per-batch points.
        status: running, completed, stopped_early, interrupted or failed.
    """
    n = max((len(v) for v in history.values()), default=0)
    payload = {
        "epochs": [int(e) for e in epochs] if epochs is not None else list(range(n)),
        "history": {str(k): _floats(v) for k, v in history.items()},
        "learning_rate": _floats(learning_rates or []),
        "status": status,
        "reason": reason,
        "best": best if best is not None else best_of(history),
        "restored_epoch": restored_epoch,
        "elapsed": elapsed,
        "epochs_requested": epochs_requested,
        "error": error,
    }
    if batches:
        payload["batches"] = {"x": list(batches["x"]),
                              "series": {k: _floats(v) for k, v in batches["series"].items()}}
    if progress is not None:
        payload["progress"] = progress
    return payload


def summary_text(payload):
    """The text/plain record: 'Epoch 8/20 · stopped early in 3s · best val_loss ... at epoch 5'."""
    run = len(payload["epochs"])
    last = payload["epochs"][-1] + 1 if run else 0
    prog = payload.get("progress")
    requested = payload.get("epochs_requested") or (prog or {}).get("epochs") or run
    status = payload["status"]
    if status == "running" and prog:
        head = f"Epoch {prog['epoch'] + 1}/{requested} · batch {prog['step']}/{prog['steps'] or 'Unknown'}"
        if prog.get("eta") is not None:
            head += f" · ETA {eta_text(prog['eta'])}"
        logs = prog.get("logs") or {}
        values = " - ".join(f"{k}: {format_value(v)}" for k, v in logs.items())
        return head + (f"\n{values}" if values else "")
    if status in ("failed", "interrupted") and prog:  # the epoch it was in when it stopped
        last = prog["epoch"] + 1
    head = f"Epoch {last}/{requested} · {_STATUS_WORDS.get(status, status)}"
    if payload.get("elapsed") is not None:
        head += f" in {format_time(payload['elapsed'])}"
    best = payload.get("best")
    if best is not None and run:
        head += f" · best {best['key']} {format_value(best['value'])} at epoch " \
                f"{payload['epochs'][best['epoch']] + 1}"
    lines = [head]
    if payload.get("reason"):
        lines.append(payload["reason"])
    if payload.get("restored_epoch") is not None:
        lines.append(f"Restored the weights of epoch {payload['restored_epoch'] + 1}.")
    final = {k: v[-1] for k, v in payload["history"].items() if v and v[-1] is not None}
    if final:
        lines.append(" - ".join(f"{k}: {format_value(v)}" for k, v in final.items()))
    if payload.get("error"):
        lines.append(payload["error"])
    return "\n".join(lines)


def eta_text(seconds):
    """Keras's ETA format: '7s', '1:05', '1:02:03' (whole seconds; '925ms' below one second)."""
    if seconds < 1:
        return format_time(seconds)
    t = int(round(seconds))
    if t < 60:
        return f"{t}s"
    h, rest = divmod(t, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def record_bundle(payload, batch_points=None, include=None, exclude=None):
    """(data, metadata) of the static record: the history JSON, a PNG of the curves, the text."""
    def keep(mime):
        return (not include or mime in include) and not (exclude and mime in exclude)

    data, metadata = {"text/plain": summary_text(payload)}, {}
    if keep(HISTORY_MIME):
        data[HISTORY_MIME] = payload
    if keep("image/png") and payload["epochs"]:
        try:
            from nbkeras.notebook.plotting import curves_png
        except ImportError:  # pragma: no cover - matplotlib is a dependency
            return data, metadata
        # the record's first line is the figure's title, so viewers that show only the
        # image (nbconvert's HTML, GitHub) still say how the fit ended
        png, width = curves_png(payload["history"], epochs=payload["epochs"],
                                learning_rates=payload["learning_rate"],
                                batch_points=batch_points, with_width=True,
                                title=data["text/plain"].splitlines()[0])
        data["image/png"] = base64.b64encode(png).decode("ascii")
        metadata["image/png"] = {"width": width}
    return data, metadata
