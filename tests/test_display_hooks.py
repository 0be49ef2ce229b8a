"""The core/front-end boundary: the core asks `display_hooks`; nbkeras.notebook fills them."""

import subprocess
import sys

import nbkeras as keras
from nbkeras.callbacks.progbar_logger import ProgbarLogger
from nbkeras.utils import display_hooks


def test_without_a_front_end_fit_gets_the_text_bar_and_objects_show_as_text(monkeypatch):
    monkeypatch.setattr(display_hooks, "_progress_factory", None)
    monkeypatch.setattr(display_hooks, "_displays", {})
    monkeypatch.setattr(display_hooks, "_loaded", True)
    [bar] = display_hooks.progress_callbacks(1, 32, 100, [])
    assert type(bar) is ProgbarLogger
    assert display_hooks.progress_callbacks(1, 32, 100, [ProgbarLogger()]) == []
    assert display_hooks.progress_callbacks(0, 32, 100, []) == []
    h = keras.callbacks.History()
    h.history = {"loss": [1.0]}
    assert h._repr_mimebundle_() == {"text/plain": repr(h)}


def test_a_front_end_fills_the_hooks(monkeypatch):
    monkeypatch.setattr(display_hooks, "_displays", {})
    monkeypatch.setattr(display_hooks, "_loaded", True)
    marker = keras.callbacks.Callback()
    display_hooks.set_progress_factory(lambda verbose, bs, n, cbs: [marker])
    try:
        display_hooks.register_display("history", lambda obj, inc, exc: {"text/plain": "mine"})
        assert display_hooks.progress_callbacks(1, 32, 100, []) == [marker]
        assert keras.callbacks.History()._repr_mimebundle_() == {"text/plain": "mine"}
        display_hooks.set_progress_factory(lambda *a: NotImplemented)  # falls back to text
        assert type(display_hooks.progress_callbacks(1, 32, 100, [])[0]) is ProgbarLogger
    finally:
        import nbkeras.notebook.frontend as frontend

        frontend.register()


def test_the_front_end_loads_only_under_ipython():
    code = ("import sys, nbkeras, numpy as np; from nbkeras.utils import display_hooks as d; "
            "d.mimebundle('model', None); a = 'nbkeras.notebook' in sys.modules; "
            "import IPython; d.load_frontend(); "
            "print(a, 'nbkeras.notebook' in sys.modules, 'model' in d._displays)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
