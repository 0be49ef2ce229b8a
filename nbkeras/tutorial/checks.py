"""`check` and `grade`: run an exercise's checker on the learner's answer, friendly words out."""

from collections import namedtuple

from nbkeras.tutorial import exercises  # noqa: F401  (fills EXERCISES)
from nbkeras.tutorial.i18n import say
from nbkeras.tutorial.registry import EXERCISES

Result = namedtuple("Result", ["ok", "message"])

PASS, FAIL, EMPTY = "✔", "✘", "✏"  # in DejaVu Sans: they render without an emoji font


def grade(name, answer):
    """Grade `answer` for exercise `name`, without printing.

    Args:
        name: the exercise's name, as in the lesson's check cell (e.g. "01_one_hot").
        answer: the learner's answer; `None` (or `...`) means "not answered yet".

    Returns:
        `Result(ok, message)`: whether the answer is right, and what to tell the learner,
        in the language of `nbkeras.tutorial.language()`.

    Example:
        >>> grade("05_bce_by_hand", 0.3635).ok
        True
    """
    if name not in EXERCISES:
        raise ValueError(f"Unknown exercise: expected one of {sorted(EXERCISES)}. "
                         f"Received: name={name!r}")
    checker, praise_zh, praise_en = EXERCISES[name]
    if answer is None or answer is Ellipsis:
        return Result(False, EMPTY + " " + say(
            "还没有答案：把 `None` 换成你的代码，再运行这个单元格。",
            "No answer yet: replace `None` with your code, then run the cell again."))
    try:
        hint = checker(answer)
    except Exception as error:  # the learner's code raised: say what, never a traceback
        hint = (f"运行你的答案时出错了：{type(error).__name__}: {error}",
                f"Running your answer raised {type(error).__name__}: {error}")
    if hint is None:
        return Result(True, PASS + " " + say("正确！" + praise_zh, "Correct! " + praise_en))
    zh, en = hint
    return Result(False, FAIL + " " + say("还不对：" + zh, "Not yet: " + en))


def check(name, answer):
    """Print whether `answer` is right for exercise `name`, and a hint if it is not.

    Args:
        name: the exercise's name, as in the lesson (e.g. "01_one_hot").
        answer: the learner's answer; `None` means "not answered yet".

    Example:
        >>> from nbkeras import tutorial
        >>> tutorial.check("05_bce_by_hand", 0.3635)
        ✔ Correct! That is the mean of -log(p) for the true class.
    """
    print(grade(name, answer).message)
