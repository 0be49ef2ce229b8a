"""nbkeras: Keras 3 for Jupyter notebooks, on Numba kernels.

Write `import nbkeras as keras` and use Keras's API.

Example:
    >>> import nbkeras as keras
    >>> model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
"""

from nbkeras import (  # noqa: F401
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    preprocessing,
    random,
    regularizers,
    saving,
    utils,
)
from nbkeras.layers import Input, InputLayer, Layer  # noqa: F401
from nbkeras.models import Model, Sequential  # noqa: F401
from nbkeras.ops.core import GradientTape  # noqa: F401
from nbkeras.variables import Variable  # noqa: F401

__version__ = "0.1.0"
version = __version__

backend.start_preload()  # in a Jupyter kernel only (or NBKERAS_PRELOAD=1): a daemon thread


def load_ipython_extension(ipython):
    """`%load_ext nbkeras`: registers the `%nbkeras` magic (try `%nbkeras help`)."""
    from nbkeras.notebook.magics import load_ipython_extension as _load

    _load(ipython)
