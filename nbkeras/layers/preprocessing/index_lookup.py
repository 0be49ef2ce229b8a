"""`IndexLookup`: the vocabulary machinery of `StringLookup`, `IntegerLookup` and
`TextVectorization`, in plain Python and NumPy.

Index layout, as in Keras: [mask token (int mode only)] + [OOV token] * num_oov_indices
+ the vocabulary. `adapt` orders tokens by count (descending; ties in reverse token
order, as Keras's `lexsort(...)[::-1]` gives). With several OOV indices an unknown
token goes to bucket `hash % num_oov_indices` (FarmHash Fingerprint64 for strings,
or SipHash with `salt`; `token % num_oov_indices` for integers by default).
"""

import collections
import os

import numpy as np

from nbkeras import config
from nbkeras.layers.layer import Layer
from nbkeras.layers.node import KerasTensor
from nbkeras.layers.preprocessing.encoding import encode_categorical
from nbkeras.layers.preprocessing.string_hash import fingerprint64, siphash24
from nbkeras.ops.core import unwrap

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_INT64_MAX = np.iinfo(np.int64).max


class IndexLookup(Layer):
    """Maps tokens to integer indices through a vocabulary (base class; see `StringLookup`).

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: the number of out-of-vocabulary buckets.
        mask_token: the token mapped to index 0 (None: no mask).
        oov_token: the token that the OOV indices map back to with `invert=True`.
        vocabulary_dtype: 'string' or 'int64'.
        vocabulary: a list of tokens, or the path of a text file with one token a line.
        idf_weights: the inverse document frequencies, for output_mode 'tf_idf'.
        invert: map indices back to tokens.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        sparse: must be False.
        pad_to_max_tokens: encode to `max_tokens` columns even when the vocabulary is smaller.
        oov_method: 'floormod' or 'farmhash' (how integers pick an OOV bucket).
        salt: a key (an int or two) for a SipHash OOV bucketing of strings.
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. "
                             f"Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError("Unknown value for `oov_method`. Allowed values are "
                             f"('floormod', 'farmhash'). Received: oov_method={oov_method!r}")
        if salt is not None:
            if vocabulary_dtype != "string" and oov_method != "farmhash":
                raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                                 f"Received: oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `IndexLookup` can only be a tuple of "
                                 f"2 integers, or a single integer. Received: salt={salt}.")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are {_MODES}. "
                             f"Received: output_mode={output_mode!r}")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             f"Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        frozen = kwargs.pop("vocabulary_size", None)
        has_vocab = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self.invert, self.max_tokens = invert, max_tokens
        self.num_oov_indices, self.mask_token, self.oov_token = num_oov_indices, mask_token, oov_token
        self.output_mode, self.sparse, self.pad_to_max_tokens = output_mode, sparse, pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method, self.salt = oov_method, salt
        self._frozen_vocab_size = frozen
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_vocab
        self._tokens = []
        self._index = {}
        self.idf_weights = None
        if output_mode == "tf_idf" and has_vocab and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided. "
                             "Received: idf_weights=None")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ---------------------------------------------------------------- vocabulary
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def _to_token(self, value):
        if self.vocabulary_dtype == "string":
            return value.decode("utf-8") if isinstance(value, bytes) else str(value)
        return int(value)

    def vocabulary_size(self):
        """The number of indices: the vocabulary plus the mask and OOV indices."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order (with the mask and OOV tokens unless told otherwise)."""
        special = ([self.mask_token] * self._oov_start_index()
                   + [self.oov_token] * self.num_oov_indices)
        return (special if include_special_tokens else []) + list(self._tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Replace the vocabulary (a list or array of tokens, or a text file's path).

        Args:
            vocabulary: the tokens, with or without the leading special tokens.
            idf_weights: the inverse document frequencies ('tf_idf' only; required there).
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'. "
                             "Received: idf_weights=None")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is 'tf_idf'. "
                             f"Received: output_mode={self.output_mode}")
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist. "
                                 f"Received: vocabulary={vocabulary!r}")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocab = [self._to_token(v) for v in np.asarray(unwrap(vocabulary)).reshape(-1).tolist()]
        if not vocab:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary!r}")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = vocab[:start] == special
        tokens = vocab[start:] if found_special else vocab
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in "
                             f"`vocabulary`. Note that passed `vocabulary` does not need to "
                             f"include the OOV and mask tokens. Either remove all mask and "
                             f"OOV tokens, or include them only at the start of the vocabulary "
                             f"in precisely this order: {special}. Received: "
                             f"mask_token={self.mask_token} at vocabulary index "
                             f"{vocab.index(self.mask_token)}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. "
                             f"Received: oov_token={self.oov_token} at vocabulary index "
                             f"{vocab.index(self.oov_token)}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            w = np.asarray(unwrap(idf_weights), np.float64).reshape(-1)
            if len(vocab) != len(w):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(w)}; len(vocabulary) is {len(vocab)}")
            front = 0 if found_special else start
            back = self.max_tokens - front - len(w) if self.pad_to_max_tokens else 0
            self.idf_weights = np.concatenate([np.full(front, w.mean() if w.size else 0.0), w,
                                               np.zeros(back)]).astype(config.floatx())

    def _set_tokens(self, tokens):
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            new = self.vocabulary_size()
            if self._frozen_vocab_size is not None and self._called and new != self._frozen_vocab_size:
                raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                                   f"`pad_to_max_tokens=False`, the vocabulary size cannot be "
                                   f"changed after the layer is called. Old vocab size is "
                                   f"{self._frozen_vocab_size}, new vocab size is {new}")
        self._frozen_vocab_size = self.vocabulary_size()

    _called = False

    # ---------------------------------------------------------------- adapt
    def _as_token_array(self, data):
        a = np.asarray(unwrap(data))
        if self.vocabulary_dtype == "string":
            if a.dtype.kind == "S":
                a = np.char.decode(a, "utf-8")
            return a.astype(object) if a.dtype.kind != "O" else a
        if a.dtype.kind not in "iub" and not (a.dtype.kind == "O" and a.size == 0):
            raise ValueError(f"Layer '{self.name}' expects integer tokens. "
                             f"Received: inputs of dtype {a.dtype}")
        return a.astype(np.int64)

    def adapt(self, data, steps=None):
        """Build the vocabulary from the tokens of `data` (most frequent first).

        Args:
            data: an array or list of tokens (each row a document), or an iterable of batches.
            steps: the number of batches to read from an iterable (all by default).
        """
        if isinstance(data, (list, tuple, np.ndarray, str)) or hasattr(data, "__array__"):
            docs = self._prepare_adapt(data, single=True)
        else:
            docs = [doc for i, b in enumerate(data) if steps is None or i < steps
                    for doc in self._prepare_adapt(b, single=False)]
        self.adapt_documents(docs)

    def adapt_documents(self, docs):
        """Build the vocabulary from `docs`, a list of token lists (one per document)."""
        counts, doc_counts = collections.Counter(), collections.Counter()
        for doc in docs:
            counts.update(doc)
            if self.output_mode == "tf_idf":
                doc_counts.update(set(doc))
        docs = len(docs)
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static "
                             "vocabulary via `vocabulary` argument or `set_vocabulary()` method. "
                             f"Received: vocabulary={self.input_vocabulary!r}")
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        if not counts:
            return
        order = sorted(counts, key=lambda t: (counts[t], _sort_key(t)), reverse=True)
        if self.max_tokens:
            order = order[:self.max_tokens - self._token_start_index()]
        self._set_tokens(order)
        if self.output_mode == "tf_idf":
            idf = np.log(1 + docs / (1 + np.array([doc_counts[t] for t in order], np.float64)))
            idf = idf.astype(config.floatx())
            pad_back = self.max_tokens - self._token_start_index() - len(idf) \
                if self.pad_to_max_tokens and self.max_tokens is not None else 0
            self.idf_weights = np.concatenate([
                np.full(self._token_start_index(), idf.mean(dtype=np.float32)), idf,
                np.zeros(pad_back)]).astype(config.floatx())

    def _prepare_adapt(self, data, single):
        """The documents (lists of tokens) of one adapt batch."""
        a = self._as_token_array(data)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a[:, None] if single else a[None, :]
        return a.reshape(a.shape[0], -1).tolist()

    # ---------------------------------------------------------------- call
    def _convert_inputs(self, x):
        return x

    def _oov_bucket(self, token):
        n = self.num_oov_indices
        if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
            return token % n
        data = str(token).encode("utf-8")
        h = siphash24(self.salt, data) if self.salt is not None else fingerprint64(data)
        return h % n

    def _lookup(self, tokens):
        """Indices (int64) of an array of tokens."""
        flat = tokens.reshape(-1).tolist()
        out = np.empty(len(flat), np.int64)
        start, n_oov = self._oov_start_index(), self.num_oov_indices
        mask_value = 0 if self.output_mode == "int" else _INT64_MAX
        cache = {}
        for i, t in enumerate(flat):
            j = cache.get(t)
            if j is None:
                if self.mask_token is not None and t == self.mask_token:
                    j = mask_value
                elif t in self._index:
                    j = self._index[t]
                elif n_oov == 0:
                    raise ValueError(f"When `num_oov_indices=0` all inputs should be in "
                                     f"vocabulary, found OOV values {t!r}, consider setting "
                                     f"`num_oov_indices=1`. Received: inputs containing {t!r}")
                else:
                    j = start + (self._oov_bucket(t) if n_oov > 1 else 0)
                cache[t] = j
            out[i] = j
        return out.reshape(tokens.shape)

    def _invert(self, indices):
        table = self.get_vocabulary()
        start = self._token_start_index()

        def token(i):
            if self.mask_token is not None and i == 0:
                return self.mask_token
            return table[i] if start <= i < len(table) else self.oov_token

        dtype = object if self.vocabulary_dtype == "string" else np.int64
        return np.array([token(i) for i in indices.reshape(-1).tolist()],
                        dtype=dtype).reshape(indices.shape)

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def call(self, inputs):
        self._called = True
        if self.output_mode != "int" and not self.pad_to_max_tokens and not self._tokens:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               "`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                               "before calling it. Either pass a `vocabulary` argument to the "
                               "layer, or call `adapt` with some sample data. "
                               f"Received: vocabulary_size={self.vocabulary_size()}")
        if self.invert:
            return self._invert(np.asarray(unwrap(inputs)).astype(np.int64))
        tokens = self._as_token_array(inputs)
        idx = self._lookup(tokens if tokens.ndim else tokens.reshape(1))
        if self.output_mode == "int":
            return idx if tokens.ndim else idx.reshape(())
        return self.encode(idx)

    def encode(self, idx):
        """Encode lookup indices in the vector output modes: integer counts or flags (int64,
        as Keras's tables give them), or float TF-IDF values."""
        if self.output_mode == "tf_idf":
            out = encode_categorical(idx, "count", self._depth(), "float64")
            return (out * self.idf_weights).astype(config.floatx())
        return encode_categorical(idx, self.output_mode, self._depth(), "int64")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                return shape[:-1] + (self._depth(),)
            return shape + (self._depth(),)
        return shape[:-1] + (self._depth(),)

    def compute_output_spec(self, inputs, *args, **kwargs):
        shape = self.compute_output_shape(inputs.shape)
        if self.invert:
            dtype = "string" if self.vocabulary_dtype == "string" else "int64"
        else:
            dtype = config.floatx() if self.output_mode == "tf_idf" else "int64"
        return KerasTensor(shape, dtype=dtype)

    # ---------------------------------------------------------------- config and saving
    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method, "salt": self.salt,
        })
        return cfg

    def save_own_variables(self, store):
        """Keras stores a tf_idf layer's `idf_weights` with the weights."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"], config.floatx())

    def save_assets(self, dir_path):
        """An adapted vocabulary goes to `vocabulary.txt` in the archive's assets, as in Keras."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        if not lines:
            return
        values = lines if self.vocabulary_dtype == "string" else [int(v) for v in lines]
        weights = self.idf_weights
        self._called = False
        self.set_vocabulary(values, idf_weights=weights if self.output_mode == "tf_idf" else None)


def _sort_key(token):
    return token.encode("utf-8") if isinstance(token, str) else token


def _listify(x):
    if x is None:
        return None
    a = unwrap(x)
    if isinstance(a, np.ndarray):
        return a.tolist()
    return list(a) if isinstance(a, tuple) else a
