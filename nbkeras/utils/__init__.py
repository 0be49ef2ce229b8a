"""Utilities with Keras's names: `to_categorical`, `normalize`, `pad_sequences`, `get_file`,
`PyDataset`, `set_random_seed`, `clear_session`, `Progbar`, `plot_model`, `split_dataset`,
`load_img`, `img_to_array`, `array_to_img`, `save_img`, `pack_x_y_sample_weight`,
`unpack_x_y_sample_weight`.

Example:
    >>> from nbkeras.utils import to_categorical
"""

from nbkeras.trainers.data import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
from nbkeras.utils.dataset_utils import split_dataset  # noqa: F401
from nbkeras.utils.image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401
from nbkeras.utils.naming import clear_session as _clear_names
from nbkeras.utils.numerical_utils import normalize, to_categorical  # noqa: F401
from nbkeras.utils.progbar import Progbar  # noqa: F401
from nbkeras.utils.py_dataset import PyDataset, Sequence  # noqa: F401
from nbkeras.utils.rng_utils import set_random_seed  # noqa: F401
from nbkeras.utils.sequence_utils import pad_sequences  # noqa: F401


def get_file(fname=None, origin=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, cache_dir=None, force_download=False,
             **kwargs):
    """Download a file into Keras's cache (`~/.keras`, `KERAS_HOME`) unless it is there.

    See `nbkeras.datasets` for the cache layout; the download is hash-checked and atomic.

    Example:
        >>> path = nbkeras.utils.get_file("mnist.npz", origin="https://.../mnist.npz")
    """
    from nbkeras.datasets._download import get_file as _get_file

    return _get_file(fname=fname, origin=origin, file_hash=file_hash, cache_subdir=cache_subdir,
                     hash_algorithm=hash_algorithm, extract=extract, cache_dir=cache_dir,
                     force_download=force_download, **kwargs)


def clear_session(free_memory=True):
    """Reset the automatic layer names, so the next Dense is named `dense` again.

    Example:
        >>> nbkeras.utils.clear_session()
    """
    _clear_names()


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draw a model's layer graph without pydot or graphviz; see
    `nbkeras.utils.model_visualization.plot_model` (Keras's arguments and defaults).

    Returns a `ModelDiagram` that displays inline (SVG, PNG fallback); `to_file` writes
    a `.png` or `.svg` ("model.png" by default, as in Keras; None writes nothing).

    Example:
        >>> nbkeras.utils.plot_model(model, to_file="model.png", show_shapes=True)
    """
    from nbkeras.utils.model_visualization import plot_model as _plot

    return _plot(model, to_file=to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                 show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
                 dpi=dpi, show_layer_activations=show_layer_activations,
                 show_trainable=show_trainable, **kwargs)
