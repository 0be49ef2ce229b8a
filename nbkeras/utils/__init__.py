"""Utilities with Keras's names: `to_categorical`, `set_random_seed`, `clear_session`, `Progbar`.

Example:
    >>> from nbkeras.utils import to_categorical
"""

from nbkeras.utils.naming import clear_session as _clear_names
from nbkeras.utils.numerical_utils import normalize, to_categorical  # noqa: F401
from nbkeras.utils.progbar import Progbar  # noqa: F401
from nbkeras.utils.rng_utils import set_random_seed  # noqa: F401


def clear_session(free_memory=True):
    """Reset the automatic layer names, so the next Dense is named `dense` again.

    Example:
        >>> nbkeras.utils.clear_session()
    """
    _clear_names()
