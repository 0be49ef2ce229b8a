"""Clean, file-naming errors for everything that reads a saved model.

Loading parses untrusted bytes with zipfile, json and h5py, each of which raises
its own exception types. `reading(path)` turns any of them into one ValueError
that names the file and says what was wrong, so a damaged file never surfaces
as a raw library traceback.
"""

import contextlib


class SavedFileError(ValueError):
    """A saved file could not be read: it is missing, damaged or not a model file."""


def file_error(path, problem, received=None):
    """Build the ValueError for `path`.

    Args:
        path: the file being read.
        problem: what is wrong, as a sentence fragment.
        received: what was found instead (shown after `Received:`).

    Returns:
        A `SavedFileError` (a ValueError) to raise.

    Example:
        >>> raise file_error("m.keras", "it has no config.json", "members ['a']")
    """
    message = f"Could not load '{path}': {problem}."
    if received is not None:
        message += f" Received: {received}"
    return SavedFileError(message)


def _describe(exc):
    text = str(exc).strip() or type(exc).__name__
    if len(text) > 300:
        text = text[:300] + "..."
    return f"{type(exc).__name__}: {text}"


@contextlib.contextmanager
def reading(path, what="the file is damaged or is not a file this loader understands"):
    """Re-raise any failure inside the block as a ValueError naming `path`.

    A `SavedFileError` already naming a file passes through unchanged; other
    ValueErrors (for example the `safe_mode` refusal) keep their message and gain
    the file name in front.

    Args:
        path: the file being read.
        what: the problem to report for unexpected exceptions.

    Example:
        >>> with reading("m.keras"):
        ...     json.loads(text)
    """
    try:
        yield
    except SavedFileError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except MemoryError as exc:
        raise file_error(path, "it asks for more memory than is available "
                         "(a damaged or hand-edited size?)", _describe(exc)) from exc
    except ValueError as exc:
        raise SavedFileError(f"Could not load '{path}': {exc}") from exc
    except RecursionError as exc:
        raise file_error(path, "its structure is nested too deeply", _describe(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure means a bad file
        raise file_error(path, what, _describe(exc)) from exc
