"""Which language the exercise checks speak: "zh" (Chinese) or "en" (English)."""

import os

LANGUAGES = ("zh", "en")
_current = None


def _detect():
    """`NBKERAS_LANG` if set, else "zh" when the notebook runs in a folder named `zh`."""
    env = os.environ.get("NBKERAS_LANG", "").lower()
    if env in LANGUAGES:
        return env
    try:
        folder = os.path.basename(os.getcwd())
    except OSError:  # the working folder was deleted
        folder = ""
    return "zh" if folder == "zh" else "en"


def language():
    """The language of the check messages.

    It is chosen once, on first use: the `NBKERAS_LANG` environment variable ("zh" or "en")
    if set, else "zh" for a notebook in a folder named `zh` (the Chinese lessons), else "en".

    Returns:
        "zh" or "en".

    Example:
        >>> nbkeras.tutorial.language()
        'en'
    """
    global _current
    if _current is None:
        _current = _detect()
    return _current


def set_language(lang):
    """Choose the language of the check messages.

    Args:
        lang: "zh" (Chinese) or "en" (English).

    Example:
        >>> nbkeras.tutorial.set_language("zh")
    """
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` must be one of {LANGUAGES}. Received: lang={lang!r}")
    _current = lang


def say(zh, en):
    """The text in the current language."""
    return zh if language() == "zh" else en
