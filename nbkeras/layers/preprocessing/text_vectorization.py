"""`TextVectorization`: strings to token indices or bag-of-words vectors, in plain Python.

Each string is standardized (ASCII lowercasing and punctuation stripping, as
TensorFlow's `strings.lower` and Keras's regex do), split (on ASCII whitespace or
into characters), optionally combined into n-grams ("a b"), then looked up in a
vocabulary (index 0 is padding, 1 is '[UNK]').
"""

import re

import numpy as np

from nbkeras.layers.layer import Layer
from nbkeras.layers.node import KerasTensor
from nbkeras.layers.preprocessing.index_lookup import _listify
from nbkeras.layers.preprocessing.string_lookup import StringLookup
from nbkeras.ops.core import unwrap

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\v\f]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")


def ngrams(tokens, widths):
    """All n-grams of `tokens` for each width in `widths` (in that order), joined by spaces."""
    out = []
    for n in widths:
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


class TextVectorization(Layer):
    """Turns strings into sequences of token indices, or into multi-hot, count or TF-IDF
    vectors over a vocabulary learned with `adapt` (or given).

    Args:
        max_tokens: the largest vocabulary size (padding and '[UNK]' included).
        standardize: 'lower_and_strip_punctuation' (default), 'lower', 'strip_punctuation',
            None, or a function of a NumPy array of strings.
        split: 'whitespace' (default), 'character', None, or a function of a string
            returning its tokens.
        ngrams: None, an int n (all 1..n-grams) or a tuple of widths.
        output_mode: 'int' (default), 'multi_hot', 'count' or 'tf_idf'.
        output_sequence_length: in 'int' mode, pad (with 0) or truncate every sequence to
            this length (None: pad to the longest in the batch).
        pad_to_max_tokens: in vector modes, always give `max_tokens` columns.
        vocabulary: a list of strings or a file with one string a line.
        idf_weights: the IDF weights of a given vocabulary, for 'tf_idf'.
        sparse, ragged: must be False.
        encoding: the encoding of bytes inputs ('utf-8').

    Example:
        >>> vec = nbkeras.layers.TextVectorization(output_sequence_length=4)
        >>> vec.adapt(["the cat sat", "the dog"])
        >>> vec(np.array(["The cat!", "a dog"]))
        array([[2, 4, 0, 0],
               [1, 3, 0, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        if not (standardize in _STANDARDIZE or callable(standardize)):
            raise ValueError(f"`standardize` must be one of {_STANDARDIZE} or a callable. "
                             f"Received: standardize={standardize!r}")
        if not (split in _SPLIT or callable(split)):
            raise ValueError(f"`split` must be one of {_SPLIT} or a callable. "
                             f"Received: split={split!r}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in ("int", "count", "multi_hot", "tf_idf"):
            raise ValueError("`output_mode` must be one of 'int', 'count', 'multi_hot', "
                             f"'tf_idf'. Received: output_mode={output_mode!r}")
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) and not isinstance(ngrams, bool)
                or isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams)):
            raise ValueError("`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(
                output_sequence_length, int) and output_sequence_length > 0):
            raise ValueError("`output_sequence_length` must be either None or an integer when "
                             "`output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        if ragged or sparse:
            raise ValueError("nbkeras has no ragged or sparse tensors. "
                             f"Received: ragged={ragged}, sparse={sparse}")
        has_vocab = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._standardize, self._split = standardize, split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode, self._output_sequence_length = output_mode, output_sequence_length
        self._encoding, self._ragged = encoding, ragged
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_vocab, encoding=encoding,
            vocabulary_size=vocabulary_size, name=f"{self.name}_string_lookup")
        self.built = True

    # ------------------------------------------------------------- text processing
    def _strings(self, inputs):
        a = np.asarray(unwrap(inputs))
        if a.dtype.kind == "S":
            a = np.char.decode(a, self._encoding)
        elif a.dtype.kind == "O":
            a = np.vectorize(lambda s: s.decode(self._encoding) if isinstance(s, bytes) else str(s),
                             otypes=[object])(a) if a.size else a
        elif a.dtype.kind != "U":
            raise ValueError(f"Layer '{self.name}' expects string inputs. "
                             f"Received: inputs of dtype {a.dtype}")
        return a.astype(object)

    def _standardized(self, a):
        if callable(self._standardize):
            return np.asarray(self._standardize(a.astype(str)), dtype=object)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            a = np.vectorize(lambda s: s.translate(_ASCII_LOWER), otypes=[object])(a)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            a = np.vectorize(lambda s: _PUNCTUATION.sub("", s), otypes=[object])(a)
        return a

    def _tokens(self, text):
        if self._split == "whitespace":
            tokens = [t for t in _WHITESPACE.split(text) if t]
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = [str(t) for t in self._split(text)]
        return ngrams(tokens, self._ngrams) if self._ngrams is not None else tokens

    def _documents(self, inputs):
        """(token lists, was the input a single string) of a batch of strings."""
        a = self._strings(inputs)
        if a.size:
            a = self._standardized(a)
        if self._split is None:
            if self._ngrams is not None:
                raise ValueError("`ngrams` needs `split`. Received: split=None")
            return a, False
        single = a.ndim == 0
        if a.ndim > 1:
            if a.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the input "
                                 "rank must be 1 or the last shape dimension must be 1. "
                                 f"Received: inputs.shape={a.shape} with rank={a.ndim}")
            a = a[..., 0]
        docs = [self._tokens(s) for s in (a.reshape(1) if single else a.reshape(-1))]
        return docs, single

    # ------------------------------------------------------------- vocabulary
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and IDF weights) from strings: an array or list of texts,
        or an iterable of such batches.

        Args:
            data: the texts.
            batch_size: unused (Keras's tf.data argument).
            steps: the number of batches to read from an iterable.
        """
        lookup = self._lookup_layer
        if isinstance(data, (list, tuple, np.ndarray, str, bytes)) or hasattr(data, "__array__"):
            batches = [data]
        else:
            batches = (b for i, b in enumerate(data) if steps is None or i < steps)
        docs = []
        for batch in batches:
            tokens, _ = self._documents(batch)
            if self._split is None:
                tokens = [[t] for t in np.asarray(tokens, dtype=object).reshape(-1).tolist()]
            docs.extend(tokens)
        lookup.adapt_documents(docs)

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order ('' and '[UNK]' first unless told otherwise)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The vocabulary's size, padding and '[UNK]' included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (and the IDF weights in 'tf_idf' mode)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------- call
    def _convert_inputs(self, x):
        return x

    def call(self, inputs):
        docs, single = self._documents(inputs)
        lookup = self._lookup_layer
        if self._split is None:
            return lookup.call(np.asarray(docs, dtype=object))
        if self._output_mode != "int":
            rows = [lookup.encode(lookup._lookup(np.array(d, dtype=object))) if d else
                    lookup.encode(np.full(1, -1, np.int64)) for d in docs]
            out = np.stack(rows) if rows else np.zeros((0, lookup._depth()))
            return out[0] if single else out
        length = self._output_sequence_length
        if length is None:
            length = max((len(d) for d in docs), default=0)
        out = np.zeros((len(docs), length), np.int64)
        for i, d in enumerate(docs):
            d = d[:length]
            if d:
                out[i, :len(d)] = lookup._lookup(np.array(d, dtype=object))
        return out[0] if single else out

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        depth = self._lookup_layer._depth()
        return (input_shape[0] if input_shape else None, depth)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = self.dtype if self._output_mode == "tf_idf" else "int64"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=dtype)

    # ------------------------------------------------------------- config and saving
    def get_config(self):
        lookup = self._lookup_layer
        cfg = super().get_config()
        cfg.update({
            "max_tokens": lookup.max_tokens, "standardize": self._standardize,
            "split": self._split, "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": lookup.sparse,
            "ragged": self._ragged, "vocabulary": _listify(lookup.input_vocabulary),
            "idf_weights": _listify(lookup.input_idf_weights), "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        })
        return cfg

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

