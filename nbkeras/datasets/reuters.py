"""Reuters newswires: 11,228 newswires labelled over 46 topics.

Each newswire is a list of word indices, words ranked by frequency. Read from
(or downloaded to) Keras's cache, `~/.keras/datasets/reuters.npz` and
`reuters_word_index.json`.
"""

import numpy as np

from nbkeras.datasets._download import get_file
from nbkeras.datasets._safe_pickle import load_npz
from nbkeras.datasets._sequences import (as_object_array, drop_long, limit_vocabulary,
                                         load_word_index, shift_indices)

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
    "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc",
    "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3):
    """Load the Reuters newswires, downloading them into Keras's cache the first time.

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).
        num_words: keep only the words ranked below `num_words` (the others
            become `oov_char`); None keeps every word.
        skip_top: also turn the `skip_top` most frequent ranks into `oov_char`.
        maxlen: drop the newswires whose length (with `start_char`) is
            `maxlen` or more; None keeps all.
        test_split: the fraction of newswires in the test set.
        seed: the seed that shuffles the newswires before the split.
        start_char: the index put at the start of each newswire (None: none).
        oov_char: the index of removed words (None: removed words are dropped).
        index_from: the offset added to every word rank.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: 1-D object arrays of lists of
        ints, and int topic labels 0..45 (see `get_label_names()`).

    Example:
        >>> (x_train, y_train), _ = nbkeras.datasets.reuters.load_data(num_words=10000)
    """
    data = load_npz(get_file(fname=path, origin=_ORIGIN + "reuters.npz", file_hash=_HASH))
    xs, labels = data["x"], data["y"]
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]
    xs = shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = drop_long(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return ((as_object_array(xs[:split]), np.array(labels[:split])),
            (as_object_array(xs[split:]), np.array(labels[split:])))


def get_word_index(path="reuters_word_index.json"):
    """The dict mapping each word to its frequency rank (add `index_from` to match `load_data`).

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).

    Example:
        >>> index = nbkeras.datasets.reuters.get_word_index()
    """
    return load_word_index(path, _ORIGIN + "reuters_word_index.json", _WORD_INDEX_HASH)


def get_label_names():
    """The 46 topic names, as a tuple indexed by label.

    Example:
        >>> nbkeras.datasets.reuters.get_label_names()[3]
        'earn'
    """
    return _LABEL_NAMES
