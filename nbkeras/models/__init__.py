"""Models: `Sequential` and `Model`.

Example:
    >>> from nbkeras.models import Sequential
"""

from nbkeras.models.functional import Functional  # noqa: F401
from nbkeras.models.model import Model  # noqa: F401
from nbkeras.models.sequential import Sequential  # noqa: F401
