"""Jupyter integration: the widget progress row, live plots, rich display, model diagrams and
the `%nbkeras` magics.

Importing this package imports neither ipywidgets, matplotlib nor IPython; each module
imports them only when it draws or displays something.

Example:
    >>> %load_ext nbkeras
    >>> %nbkeras info
"""

from nbkeras.notebook.environment import in_notebook, set_notebook_mode  # noqa: F401
