"""Exercise checks for the lesson notebooks in `notebooks/en/` and `notebooks/zh/`.

Each lesson ends an exercise with `tutorial.check(name, answer)`: it says, in the lesson's
language, whether the answer is right and, if not, what to look at. Checks need no network
and never raise on a wrong answer; they only raise for an exercise name that does not exist.

Example:
    >>> from nbkeras import tutorial
    >>> tutorial.check("01_one_hot", None)
    ✏ No answer yet: replace `None` with your code, then run the cell again.
"""

from nbkeras.tutorial.checks import EXERCISES, check, grade  # noqa: F401
from nbkeras.tutorial.i18n import language, set_language  # noqa: F401
