"""Rich display of models as a cell's value (`_repr_mimebundle_`, through the core's hooks).

A model shows the Keras text summary as `text/plain`, an HTML summary (every user-provided
name escaped) for front ends without the nbkeras extension, and a JSON payload under
`application/vnd.nbkeras.model+json` that the extension draws as an interactive summary beside
the layer graph.
"""

import html
import json

from nbkeras.utils.summary_utils import format_shape, param_totals

MODEL_MIME = "application/vnd.nbkeras.model+json"


def _keep(mime, include, exclude):
    return (not include or mime in include) and not (exclude and mime in exclude)


def _describe(obj):
    """A compile argument (loss, optimizer) as a short readable text; dicts and lists itemized."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return ", ".join(_describe(v) for v in obj)
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def _jsonable_config(layer):
    try:
        return json.loads(json.dumps(layer.get_config(), default=str))
    except Exception:
        return {}


def _connections(model):
    """{id(layer): (inbound layer names, shared)} for a functional model, else a chain."""
    nodes = getattr(model, "_nodes", None)
    out = {}
    if nodes is None:
        previous = []
        for layer in model.layers:
            out[id(layer)] = (previous, False)
            previous = [layer.name]
        return out
    ids = {id(n) for n in nodes}
    for layer in model._layers:
        calls = [n for n in layer._inbound_nodes if id(n) in ids]
        names = []
        for n in calls:
            for t in n.input_tensors:
                names.append(t._keras_history[0].name)
        out[id(layer)] = (names, len(calls) > 1)
    return out


def model_payload(model):
    """The JSON-able description of a model: layers, shapes, parameters, connections, configs
    (nested models included) and the totals `summary()` prints."""
    from nbkeras.models.model import Model

    links = _connections(model)
    layers = []
    for layer, shape, conns in model._summary_rows():
        inbound, shared = links.get(id(layer), ([], False))
        layers.append({
            "name": layer.name,
            "class_name": type(layer).__name__,
            "output_shape": _jsonable_shape(shape),
            "output_shape_text": format_shape(shape),
            "params": int(layer.count_params()) if layer.built else 0,
            "trainable": bool(layer.trainable),
            "connected_to": conns or "",
            "inbound": inbound,
            "shared": shared,
            "config": _jsonable_config(layer),
            "model": model_payload(layer) if isinstance(layer, Model) else None,
        })
    totals = param_totals(model)
    payload = {
        "name": model.name,
        "class_name": type(model).__name__,
        "built": bool(model.built),
        "layers": layers,
        "total_params": totals["total"],
        "trainable_params": totals["trainable"],
        "non_trainable_params": totals["non_trainable"],
        "optimizer_params": totals["optimizer"],
        "compiled": bool(getattr(model, "compiled", False)),
    }
    if payload["compiled"] and getattr(model, "optimizer", None) is not None:
        payload["optimizer"] = type(model.optimizer).__name__
        payload["loss"] = _describe(getattr(model, "loss", None))
    return payload


def _jsonable_shape(shape):
    if shape is None:
        return None
    if isinstance(shape, list):
        return [_jsonable_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def model_html(model, payload):
    """The HTML summary for front ends without the extension: left-aligned text columns."""
    esc = html.escape
    connected = model._summary_has_connections()
    left = "style='text-align:left'"
    right = "style='text-align:right'"
    head = f"<th {left}>Layer (type)</th><th {left}>Output Shape</th><th {right}>Param #</th>"
    if connected:
        head += f"<th {left}>Connected to</th>"
    rows = []
    for layer in payload["layers"]:
        cells = (f"<td {left}>{esc(layer['name'])} <span style='opacity:0.7'>"
                 f"({esc(layer['class_name'])})</span></td>"
                 f"<td {left}><code>{esc(layer['output_shape_text'])}</code></td>"
                 f"<td {right}>{layer['params']:,}</td>")
        if connected:
            cells += f"<td {left}>{esc(layer['connected_to'] or '-')}</td>"
        rows.append(f"<tr>{cells}</tr>")
    totals = [("Total params", payload["total_params"]),
              ("Trainable params", payload["trainable_params"]),
              ("Non-trainable params", payload["non_trainable_params"])]
    if payload["optimizer_params"]:
        totals.append(("Optimizer params", payload["optimizer_params"]))
    lines = "".join(f"<div>{k}: <b>{v:,}</b></div>" for k, v in totals)
    if payload.get("optimizer"):
        lines += (f"<div style='opacity:0.7'>optimizer {esc(payload['optimizer'])} · loss "
                  f"{esc(payload.get('loss') or '')}</div>")
    return (
        "<div class='nbkeras-model'>"
        f"<b>Model: &quot;{esc(payload['name'])}&quot;</b> "
        f"<span style='opacity:0.7'>({esc(payload['class_name'])})</span>"
        "<table style='border-collapse:collapse;font-size:90%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{lines}</div>"
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
