"""The lessons' exercises: each check passes on its solution and fails, kindly, on an empty answer.

The exercise and solution cells are run as the notebooks hold them (notebooks/en), in a fresh
namespace with what a lesson's first cell defines, and their printed verdicts are read, in
both languages.
"""

import contextlib
import io

import numpy as np
import pytest

import nbkeras
from lesson_notebooks import exercises, lesson_names, load, source
from nbkeras import tutorial
from nbkeras.tutorial import checks

PAIRS = [(name, i, prompt, solution) for name in lesson_names()
         for i, (prompt, solution) in enumerate(exercises(load("en", name)))]


@pytest.fixture(params=["zh", "en"])
def lang(request):
    before = tutorial.language()
    tutorial.set_language(request.param)
    yield request.param
    tutorial.set_language(before)


def _run(cell):
    """Run a notebook cell's code; return what it printed."""
    namespace = {"np": np, "keras": nbkeras, "nbkeras": nbkeras, "tutorial": tutorial}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source(cell), "<cell>", "exec"), namespace)
    return out.getvalue()


def test_every_exercise_is_in_a_lesson():
    named = {source(p).split('tutorial.check("')[1].split('"')[0] for _, _, p, _ in PAIRS}
    assert named == set(tutorial.EXERCISES)
    assert len(PAIRS) >= 10


@pytest.mark.parametrize("name,i,prompt,solution", PAIRS, ids=[f"{n}-{i}" for n, i, _, _ in PAIRS])
def test_solution_passes_and_empty_answer_fails_kindly(lang, name, i, prompt, solution):
    empty = _run(prompt).strip()
    assert empty.startswith(checks.EMPTY), empty
    assert "Traceback" not in empty and "None" in empty
    assert ("还没有答案" in empty) if lang == "zh" else ("No answer yet" in empty)
    passed = _run(solution).strip()
    assert passed.startswith(checks.PASS), passed
    assert ("正确" in passed) if lang == "zh" else ("Correct!" in passed)


_SCORES_11 = np.array([[1.0, 2.0, 0.0], [2.0, 0.0, 2.0]]) / np.sqrt(2)  # q k^T / sqrt(d) of exercise 11

WRONG = [
    ("01_one_hot", np.eye(3)[[2, 0, 1, 1]], "row 3 should be [0, 0, 1]"),
    ("01_one_hot", [2, 0, 1, 2], "the shape should be (4, 3)"),
    ("02_functional", "a model", "should be a model"),
    ("03_sigmoid", lambda z: np.tanh(z), "The formula is 1 / (1 + np.exp(-z))"),
    ("03_sigmoid", lambda z: None, "returned None"),
    ("04_keras3_names", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, "renamed lr to learning_rate"),
    ("04_keras3_names", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "decay": 0.0},
     "no decay argument"),
    ("05_bce_by_hand", -0.3635, "the sign is flipped"),
    ("05_bce_by_hand", 1.0906, "that is the sum"),
    ("06_precision_recall", (0.75, 0.6), "swapped"),
    ("07_bn_inference", lambda x, g, b, m, v: (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) * g + b,
     "you used the batch's mean and variance"),
    ("08_lr_schedule", lambda epoch, lr: lr * 0.5, "yours are 0.05, 0.025"),
    ("09_l2_penalty", 14.25, "don't forget the factor 0.01"),
    ("10_cnn", nbkeras.Sequential([nbkeras.Input((8, 8, 1)), nbkeras.layers.Flatten(),
                                   nbkeras.layers.Dense(10, activation="softmax")]), "at least one Conv2D"),
    ("10_cnn", nbkeras.Sequential([nbkeras.Input((8, 8, 1)), nbkeras.layers.Conv2D(2, 3),
                                   nbkeras.layers.Flatten(), nbkeras.layers.Dense(10)]),
     "activation='softmax'"),
    ("11_attention_weights", _SCORES_11, "before the softmax"),
    ("11_attention_weights", np.array([[np.e, np.e ** 2, 1.0], [np.e ** 2, 1.0, np.e ** 2]])
     / np.array([[np.e + np.e ** 2 + 1.0], [2 * np.e ** 2 + 1.0]]), "dividing by √d"),
    ("11_attention_weights", np.exp(_SCORES_11) / np.exp(_SCORES_11).sum(axis=0), "the wrong way"),
    ("11_attention_weights", np.full((3, 2), 0.5), "the shape should be (2, 3)"),
    ("11_attention_weights", np.full((2, 3), 1 / 3), "the first row should be about"),
]


@pytest.mark.parametrize("name,answer,hint", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_answers_get_a_hint(name, answer, hint):
    tutorial.set_language("en")
    result = tutorial.grade(name, answer)
    assert not result.ok
    assert result.message.startswith(checks.FAIL + " Not yet: ") and hint in result.message, result.message


def test_an_answer_that_raises_is_reported_not_raised():
    def broken(z):
        raise ZeroDivisionError("oops")
    tutorial.set_language("zh")
    result = tutorial.grade("03_sigmoid", broken)
    tutorial.set_language("en")
    assert not result.ok and "ZeroDivisionError: oops" in result.message and "出错" in result.message


def test_unknown_exercise_is_a_keras_style_error():
    with pytest.raises(ValueError, match=r"Received: name='nope'"):
        tutorial.check("nope", 1)
    with pytest.raises(ValueError, match=r"Received: lang='fr'"):
        tutorial.set_language("fr")


def test_language_follows_the_folder_and_the_environment(tmp_path, monkeypatch):
    from nbkeras.tutorial import i18n as lang_module

    (tmp_path / "zh").mkdir()
    monkeypatch.delenv("NBKERAS_LANG", raising=False)
    monkeypatch.chdir(tmp_path / "zh")
    assert lang_module._detect() == "zh"
    monkeypatch.chdir(tmp_path)
    assert lang_module._detect() == "en"
    monkeypatch.setenv("NBKERAS_LANG", "zh")
    assert lang_module._detect() == "zh"


def test_check_prints_the_verdict(capsys):
    tutorial.set_language("en")
    assert tutorial.check("09_l2_penalty", 0.1425) is None
    assert capsys.readouterr().out.startswith(checks.PASS + " Correct!")
