"""Models and histories as a cell's value; plot_model without pydot/graphviz."""

import base64
import json

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.notebook.rich_display import MODEL_MIME

L = keras.layers


def _branchy():
    i = keras.Input((8,), name="in<script>")
    a = L.Dense(16, name="left")(i)
    b = L.Dense(16, name="right&co")(i)
    c = L.Dense(16, name="mid")(a)
    m = L.Concatenate(name="merge")([c, b])
    return keras.Model(i, L.Dense(1, name="out")(m), name="m<b>odel")


def test_model_bundle_text_html_json():
    model = _branchy()
    model.compile(optimizer="adam", loss="mse")
    bundle = model._repr_mimebundle_()
    lines = []
    model.summary(print_fn=lines.append)
    assert bundle["text/plain"] == "\n".join(lines)
    html = bundle["text/html"]
    assert "<script>" not in html and "in&lt;script&gt;" in html
    assert "right&amp;co" in html and "m&lt;b&gt;odel" in html
    payload = bundle[MODEL_MIME]
    json.dumps(payload)
    assert payload["name"] == "m<b>odel"
    assert [l["name"] for l in payload["layers"]][-1] == "out"
    assert payload["total_params"] == model.count_params()
    assert payload["optimizer"] == "Adam" and payload["loss"] == "mse"
    assert set(model._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}


def test_ipython_formatter_uses_the_bundle():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    data, _ = shell.display_formatter.format(keras.Sequential([keras.Input((3,)), L.Dense(2)]))
    assert data["text/plain"].startswith('Model: "sequential')
    assert MODEL_MIME in data and "text/html" in data


def test_history_bundle_png_and_table():
    x = np.random.rand(32, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential([keras.Input((3,)), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=12, verbose=0, validation_split=0.25)
    bundle = h._repr_mimebundle_()
    assert bundle["text/plain"] == repr(h)
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "last 10 of 12 epochs" in bundle["text/html"]
    assert bundle["text/html"].count("<tr>") == 11  # header + 10 epochs
    assert keras.callbacks.History()._repr_mimebundle_() == {
        "text/plain": repr(keras.callbacks.History())}


def test_plot_model_layout_svg_png(tmp_path):
    model = _branchy()
    d = keras.utils.plot_model(model, to_file=str(tmp_path / "m.png"))
    assert (tmp_path / "m.png").read_bytes().startswith(b"\x89PNG")
    keras.utils.plot_model(model, to_file=str(tmp_path / "m.svg"), rankdir="LR")
    assert (tmp_path / "m.svg").read_text().startswith("<svg")
    assert "in&lt;script&gt;" in d.svg and "<script>" not in d.svg
    boxes = {d.names[k]: d.boxes[k] for k in d.order}
    # ranks go down: input, then both branches side by side, then merge below both
    assert boxes["left"][1] == boxes["right&co"][1] > boxes["in<script>"][1]
    assert boxes["merge"][1] > boxes["mid"][1] > boxes["left"][1]
    # no box overlaps another, and the long edge right->merge passes beside mid
    items = list(d.boxes.values())
    for i, (x1, y1, w1, h1) in enumerate(items):
        for x2, y2, w2, h2 in items[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    assert any(len(r) == 1 for r in d.routes.values())
    bundle = d._repr_mimebundle_()
    assert {"image/svg+xml", "image/png", "text/plain"} <= set(bundle)
    assert "merge (Concatenate) | in: (None, 16), (None, 16) | out: (None, 32)" in bundle["text/plain"]
    with pytest.raises(ValueError, match="png or .svg"):
        d.save(str(tmp_path / "m.pdf"))
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.plot_model(model, rankdir="BT")


def test_plot_model_sequential_chain():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(2, name="b")])
    d = keras.utils.plot_model(model, show_shapes=False)
    assert len(d.edges) == 1 and d.lines[1:] == ["  a (Dense)", "  b (Dense)  <- a"]
