"""Jupyter integration: `fit`'s live output (progress row and curves), rich display of models
and histories, model diagrams and the `%nbkeras` magics.

Importing this package fills the core's display hooks (`nbkeras.utils.display_hooks`); it
imports neither matplotlib nor IPython: each module imports them only when it draws or
displays something.

Example:
    >>> %load_ext nbkeras
    >>> %nbkeras info
"""

from nbkeras.notebook import frontend as _frontend
from nbkeras.notebook.environment import in_notebook, set_notebook_mode  # noqa: F401

_frontend.register()
