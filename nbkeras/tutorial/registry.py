"""The table of exercises: name -> checker, and the decorator that fills it."""

EXERCISES = {}


def exercise(name, praise_zh, praise_en):
    """Register `fn(answer)` as the checker of exercise `name`.

    The checker returns None when the answer is right, or a `(zh, en)` pair of hints that
    say what is wrong. It may raise: the caller reports that as a hint too.

    Args:
        name: the exercise's name, e.g. "01_one_hot" (lesson number first).
        praise_zh: the Chinese line shown when the answer is right.
        praise_en: the English line shown when the answer is right.

    Example:
        >>> @exercise("99_two", "对！", "Right!")
        ... def _two(answer):
        ...     return None if answer == 2 else ("应该是 2。", "It should be 2.")
    """
    def register(fn):
        EXERCISES[name] = (fn, praise_zh, praise_en)
        return fn
    return register
