"""Models and histories as a cell's value; plot_model without pydot/graphviz."""

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
    merge = {l["name"]: l for l in payload["layers"]}["merge"]
    assert merge["inbound"] == ["mid", "right&co"] and merge["config"]["axis"] == -1
    assert "text-align:left" in html
    assert set(model._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}


def test_ipython_formatter_uses_the_bundle():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    data, _ = shell.display_formatter.format(keras.Sequential([keras.Input((3,)), L.Dense(2)]))
    assert data["text/plain"].startswith('Model: "sequential')
    assert MODEL_MIME in data and "text/html" in data


def test_plot_model_layout_svg_png(tmp_path):
    model = _branchy()
    d = keras.utils.plot_model(model, to_file=str(tmp_path / "m.png"), show_shapes=True,
                               show_layer_names=True)
    assert (tmp_path / "m.png").read_bytes().startswith(b"\x89PNG")
    keras.utils.plot_model(model, to_file=str(tmp_path / "m.svg"), rankdir="LR")
    assert (tmp_path / "m.svg").read_text().startswith("<svg")
    assert "in&lt;script&gt;" in d.svg and "<script>" not in d.svg
    boxes = {d.names[k]: d.boxes[k] for k in d.order}
    # ranks go down: input, left, then mid beside the side branch that feeds merge with it
    assert boxes["mid"][1] == boxes["right&co"][1] > boxes["left"][1] > boxes["in<script>"][1]
    assert boxes["merge"][1] > boxes["mid"][1]
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
    d = keras.utils.plot_model(model, to_file=None, show_layer_names=True)
    assert len(d.edges) == 1 and d.lines[1:] == ["  a (Dense)", "  b (Dense)  <- a"]


def test_plot_model_defaults_are_keras(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a")])
    d = keras.utils.plot_model(model)
    assert (tmp_path / "model.png").read_bytes().startswith(b"\x89PNG")  # to_file="model.png"
    assert d.lines[1:] == ["  Dense"]  # show_shapes=False, show_layer_names=False
    assert 'style="max-width:100%;height:auto"' in d.svg  # scaled to the output's width


def test_plot_model_shortcut_edges_enter_at_their_own_points():
    i = keras.Input((8,), name="pixels")
    h = L.Dense(4, name="hidden")(i)
    side = L.Dense(4, name="side")(h)
    m = L.Concatenate(name="merge")([i, h, side])
    model = keras.Model(i, L.Dense(2, name="digit")(m))
    for rankdir in ("TB", "LR"):
        d = keras.utils.plot_model(model, to_file=None, rankdir=rankdir)
        ids = {d.names[k]: k for k in d.order}
        ends = [d._edge_points(a, b)[-1] for a, b in d.edges if b == ids["merge"]]
        assert len(ends) == 3 and len(set(ends)) == 3  # no input merges with another


def test_model_totals_count_the_optimizer_as_summary_does():
    x = np.random.rand(16, 8).astype("float32")
    model = _branchy()
    model.compile(optimizer="adam", loss={"out": "mse"})
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    bundle = model._repr_mimebundle_()
    payload = bundle[MODEL_MIME]
    total = [l for l in bundle["text/plain"].splitlines() if "Total params" in l][0]
    assert f"{payload['total_params']:,}" in total
    assert payload["optimizer_params"] > 0
    assert payload["total_params"] == payload["trainable_params"] + payload["optimizer_params"]
    assert payload["loss"] == "out: mse"
    assert f"Total params: <b>{payload['total_params']:,}</b>" in bundle["text/html"]


def test_nested_and_shared_layers_in_the_payload():
    shared = L.Dense(4, name="shared")
    inner = keras.Sequential([keras.Input((4,)), L.Dense(2, name="deep")], name="inner")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    out = inner(L.Add()([shared(a), shared(b)]))
    payload = keras.Model([a, b], out)._repr_mimebundle_()[MODEL_MIME]
    rows = {l["name"]: l for l in payload["layers"]}
    assert rows["shared"]["shared"] is True and rows["shared"]["inbound"] == ["a", "b"]
    assert rows["inner"]["model"]["layers"][0]["name"] == "deep"
    assert rows["inner"]["model"]["layers"][0]["inbound"] == []
