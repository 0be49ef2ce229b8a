"""IMDB movie reviews: 50,000 reviews labelled positive (1) or negative (0).

Each review is a list of word indices, words ranked by frequency. Read from
(or downloaded to) Keras's cache, `~/.keras/datasets/imdb.npz` and
`imdb_word_index.json`.
"""

import warnings

import numpy as np

from nbkeras.datasets._download import get_file
from nbkeras.datasets._safe_pickle import load_npz
from nbkeras.datasets._sequences import (as_object_array, drop_long, limit_vocabulary,
                                         load_word_index, shift_indices)

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Load the IMDB reviews, downloading them into Keras's cache the first time.

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).
        num_words: keep only the words ranked below `num_words` (the others
            become `oov_char`); None keeps every word.
        skip_top: also turn the `skip_top` most frequent ranks into `oov_char`.
        maxlen: drop the reviews whose length (with `start_char`) is `maxlen`
            or more; None keeps all.
        seed: the seed that shuffles the training and test sets.
        start_char: the index put at the start of each review (None: none).
        oov_char: the index of removed words (None: removed words are dropped).
        index_from: the offset added to every word rank.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: 1-D object arrays of lists of
        ints (25,000 reviews each before `maxlen` filtering), and int labels.

    Example:
        >>> (x_train, y_train), _ = nbkeras.datasets.imdb.load_data(num_words=10000)
    """
    if kwargs:  # Keras 3 accepts and ignores them; say so rather than fail
        warnings.warn(f"`imdb.load_data` ignores the arguments {sorted(kwargs)}.",
                      stacklevel=2)
    data = load_npz(get_file(fname=path, origin=_ORIGIN + "imdb.npz", file_hash=_HASH))
    rng = np.random.RandomState(seed)
    parts = []
    for split in ("train", "test"):
        x, y = data[f"x_{split}"], data[f"y_{split}"]
        order = np.arange(len(x))
        rng.shuffle(order)
        parts.append((x[order], y[order]))
    (x_train, y_train), (x_test, y_test) = parts
    x_train = shift_indices(x_train, start_char, index_from)
    x_test = shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = drop_long(maxlen, x_train, y_train)
        x_test, y_test = drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"No sequence is shorter than maxlen={maxlen}: nothing "
                             "would be kept. Increase `maxlen`.")
    n_train = len(x_train)
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    return ((as_object_array(xs[:n_train]), labels[:n_train]),
            (as_object_array(xs[n_train:]), labels[n_train:]))


def get_word_index(path="imdb_word_index.json"):
    """The dict mapping each word to its frequency rank (add `index_from` to match `load_data`).

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).

    Example:
        >>> index = nbkeras.datasets.imdb.get_word_index()
        >>> words = {i + 3: w for w, i in index.items()}
    """
    return load_word_index(path, _ORIGIN + "imdb_word_index.json", _WORD_INDEX_HASH)
