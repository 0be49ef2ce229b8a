"""Rich display of models and histories as a cell's value (`_repr_mimebundle_`).

A model shows an HTML summary (every user-provided name escaped), the Keras text summary as
`text/plain`, and a JSON payload under `application/vnd.nbkeras.model+json`. A `History`
shows its curves (PNG) and an HTML table of the last epochs.
"""

import base64
import html

from nbkeras.utils.summary_utils import count_params, format_shape

MODEL_MIME = "application/vnd.nbkeras.model+json"


def _keep(mime, include, exclude):
    return (not include or mime in include) and not (exclude and mime in exclude)


def model_payload(model):
    """The JSON-able description of a model: its layers, shapes, parameters and compile state."""
    layers = []
    for layer, shape, conns in model._summary_rows():
        layers.append({
            "name": layer.name,
            "class_name": type(layer).__name__,
            "output_shape": _jsonable_shape(shape),
            "output_shape_text": format_shape(shape),
            "params": int(layer.count_params()) if layer.built else 0,
            "trainable": bool(layer.trainable),
            "connected_to": conns or "",
        })
    payload = {
        "name": model.name,
        "class_name": type(model).__name__,
        "built": bool(model.built),
        "layers": layers,
        "trainable_params": count_params(model.trainable_weights),
        "non_trainable_params": count_params(model.non_trainable_weights),
        "compiled": bool(getattr(model, "compiled", False)),
    }
    if payload["compiled"] and getattr(model, "optimizer", None) is not None:
        payload["optimizer"] = type(model.optimizer).__name__
        loss = getattr(model, "loss", None)
        payload["loss"] = loss if isinstance(loss, str) else getattr(loss, "__name__",
                                                                      type(loss).__name__)
    payload["total_params"] = payload["trainable_params"] + payload["non_trainable_params"]
    return payload


def _jsonable_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_jsonable_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def model_html(model, payload):
    esc = html.escape
    connected = model._summary_has_connections()
    head = "<th>Layer (type)</th><th>Output Shape</th><th style='text-align:right'>Param #</th>"
    if connected:
        head += "<th>Connected to</th>"
    rows = []
    for layer in payload["layers"]:
        cells = (f"<td>{esc(layer['name'])} <span style='color:#888'>"
                 f"({esc(layer['class_name'])})</span></td>"
                 f"<td><code>{esc(layer['output_shape_text'])}</code></td>"
                 f"<td style='text-align:right'>{layer['params']:,}</td>")
        if connected:
            cells += f"<td>{esc(layer['connected_to'] or '-')}</td>"
        rows.append(f"<tr>{cells}</tr>")
    extra = ""
    if payload.get("optimizer"):
        extra = (f" · optimizer {esc(payload['optimizer'])} · loss "
                 f"{esc(str(payload.get('loss')))}")
    return (
        "<div class='nbkeras-model'>"
        f"<b>Model: &quot;{esc(payload['name'])}&quot;</b> "
        f"<span style='color:#888'>({esc(payload['class_name'])})</span>"
        "<table style='border-collapse:collapse;font-size:90%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<div>Total params: {payload['total_params']:,} · trainable "
        f"{payload['trainable_params']:,} · non-trainable "
        f"{payload['non_trainable_params']:,}{extra}</div></div>"
    )


def model_mimebundle(model, include=None, exclude=None):
    """The display bundle of a model (text/plain is Keras's summary text)."""
    try:
        from nbkeras.utils.summary_utils import summary_lines

        text = "\n".join(summary_lines(model))
        payload = model_payload(model)
    except Exception:
        return {"text/plain": repr(model)}
    bundle = {"text/plain": text}
    if _keep("text/html", include, exclude):
        bundle["text/html"] = model_html(model, payload)
    if _keep(MODEL_MIME, include, exclude):
        bundle[MODEL_MIME] = payload
    return bundle


def history_html(history, last=10):
    esc = html.escape
    keys = list(history.history)
    epochs = list(history.epoch) or list(range(len(next(iter(history.history.values()), []))))
    n = len(epochs)
    start = max(0, n - last)
    head = "<th>epoch</th>" + "".join(f"<th>{esc(k)}</th>" for k in keys)
    rows = []
    for i in range(start, n):
        cells = "".join(
            f"<td style='text-align:right'>{_fmt(history.history[k], i)}</td>" for k in keys)
        rows.append(f"<tr><td style='text-align:right'>{epochs[i] + 1}</td>{cells}</tr>")
    note = f"<div style='color:#888'>last {n - start} of {n} epochs</div>" if start else ""
    flag = " (interrupted)" if getattr(history, "interrupted", False) else ""
    return (f"<div class='nbkeras-history'><b>History: {n} epochs{flag}</b>{note}"
            "<table style='border-collapse:collapse;font-size:90%'>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _fmt(values, i):
    if i >= len(values):
        return ""
    from nbkeras.utils.progbar import format_value

    try:
        return format_value(values[i])
    except (TypeError, ValueError):
        return html.escape(str(values[i]))


def history_mimebundle(history, include=None, exclude=None):
    """The display bundle of a History: its curves (PNG) and a table of the last epochs."""
    bundle = {"text/plain": repr(history)}
    if not history.history:
        return bundle
    if _keep("text/html", include, exclude):
        bundle["text/html"] = history_html(history)
    if _keep("image/png", include, exclude):
        try:
            from nbkeras.notebook.plotting import curves_png

            png = curves_png(history.history, epochs=list(history.epoch) or None)
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        except ImportError:  # matplotlib is optional
            pass
    return bundle
