"""The word-index remapping and word-index file that IMDB and Reuters share."""

import json

import numpy as np

from nbkeras.datasets._download import get_file


def shift_indices(seqs, start_char, index_from):
    """Add `index_from` to every word index and prepend `start_char` (if not None)."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in seq] for seq in seqs]


def drop_long(maxlen, seqs, labels):
    """Keep only the sequences shorter than `maxlen` (and their labels)."""
    kept = [i for i, seq in enumerate(seqs) if len(seq) < maxlen]
    return [seqs[i] for i in kept], [labels[i] for i in kept]


def limit_vocabulary(seqs, num_words, skip_top, oov_char):
    """Replace (or, with `oov_char=None`, drop) words outside `[skip_top, num_words)`."""
    if not num_words:
        num_words = max((max(seq) for seq in seqs if seq), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in seqs]
    return [[w for w in seq if skip_top <= w < num_words] for seq in seqs]


def as_object_array(seqs):
    """A 1-D object array of lists (never a 2-D array, even when lengths agree)."""
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def load_word_index(path, origin, file_hash):
    """The dict word -> frequency rank in the JSON file `path` of Keras's cache (downloaded
    from `origin` the first time)."""
    with open(get_file(fname=path, origin=origin, file_hash=file_hash), encoding="utf-8") as f:
        return json.load(f)
