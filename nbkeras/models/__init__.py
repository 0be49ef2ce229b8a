"""Models: `Sequential` and `Model`, and saving them (`load_model`, `model_from_json`).

Example:
    >>> from nbkeras.models import Sequential, load_model
"""

from nbkeras.models.cloning import clone_model  # noqa: F401
from nbkeras.models.functional import Functional  # noqa: F401
from nbkeras.models.model import Model  # noqa: F401
from nbkeras.models.sequential import Sequential  # noqa: F401
from nbkeras.saving.saving_api import load_model, model_from_json, save_model  # noqa: F401
