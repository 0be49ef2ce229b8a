"""What a notebook keeps after fit, as nbclient/nbconvert (no JupyterLab, no extension) see it:
one output per fit holding the history JSON, a PNG and a text record, and no widget state;
nbconvert's HTML shows the PNG and the text."""

import importlib.util
import os

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("nbconvert") is None,
    reason="needs nbclient and nbconvert")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = """
import numpy as np
import nbkeras as keras
keras.utils.set_random_seed(0)
x = np.random.rand(64, 3).astype("float32"); y = x.sum(axis=1)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25)
"""


def test_fit_leaves_a_static_record_that_nbconvert_shows(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
                 "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE),
                                         nbformat.v4.new_code_cell("history")])
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    assert len(shown) == 1, outputs  # one output per fit, updated in place
    data = shown[0].data
    assert set(data) == {"application/vnd.nbkeras.history+json", "image/png", "text/plain"}
    assert data["text/plain"].startswith("Epoch 3/3 · completed in ")
    assert data["application/vnd.nbkeras.history+json"]["epochs"] == [0, 1, 2]
    assert "widgets" not in nb.metadata  # nothing that needs widget state
    assert not [o for o in outputs if o.output_type == "stream"]  # no text bar beside it
    value = nb.cells[1].outputs[0].data
    assert {"application/vnd.nbkeras.history+json", "image/png", "text/plain"} <= set(value)
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert html.count('src="data:image/png;base64,') >= 2  # the curves, titled with the record


def test_the_png_is_titled_with_the_record(monkeypatch):
    from nbkeras.notebook import plotting
    from nbkeras.notebook.training_record import history_payload, record_bundle

    seen = {}
    monkeypatch.setattr(plotting, "curves_png", lambda *a, **k: (seen.update(k), (b"png", 10))[1])
    payload = history_payload({"loss": [0.5, 0.4]}, status="stopped_early", elapsed=2.0,
                              epochs_requested=9)
    data, metadata = record_bundle(payload)
    assert seen["title"] == "Epoch 2/9 · stopped early in 2s · best loss 0.4000 at epoch 2"
    assert metadata == {"image/png": {"width": 10}}
