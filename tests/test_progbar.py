"""Keras's text progress bar: ETA format, fitting the terminal, evaluate's and predict's lines."""

import io
import re

import numpy as np
import pytest

import nbkeras as keras
from nbkeras.utils import progbar
from nbkeras.utils.progbar import Progbar, format_eta


class Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("seconds, text", [(0.925, "0s"), (7.9, "7s"), (65, "1:05"),
                                           (3723, "1:02:03")])
def test_eta_is_formatted_as_keras_formats_it(seconds, text):
    assert format_eta(seconds) == text


def test_a_redrawn_line_never_wraps_an_80_column_terminal(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a: __import__("os").terminal_size((80, 24)))
    stream = Tty()
    bar = Progbar(100, stream=stream, interval=0.0)
    values = [(f"metric_{i}", 0.123456) for i in range(8)]
    for step in range(1, 100):
        bar.update(step, values)
    bar.update(100, values)
    drawn = stream.getvalue().split("\r")[1:]
    assert drawn and all(len(line.rstrip("\n")) <= 79 for line in drawn[:-1])
    assert drawn[-1].endswith("\n") and "metric_7: 0.1235" in drawn[-1]  # the final line is whole
    assert re.match(r" 99/100 \S+ \d+s ", drawn[-2])  # Keras's ETA, no "ETA 925ms"


def _model():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def test_evaluate_prints_keras_line(capsys):
    _model().evaluate(np.zeros((64, 3), "float32"), np.zeros(64), batch_size=16)
    out = capsys.readouterr().out
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(us|ms|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\n",
                        out), out


def test_predict_prints_keras_bar_and_verbose_0_prints_nothing(capsys):
    m = _model()
    m.predict(np.zeros((40, 3), "float32"), batch_size=16)
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(us|ms|s)/step\n", capsys.readouterr().out)
    m.predict(np.zeros((40, 3), "float32"), verbose=0)
    assert capsys.readouterr().out == ""
