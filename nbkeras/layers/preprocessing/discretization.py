"""`Discretization`: bucket floats by bin boundaries, given or learned by `adapt` (quantiles)."""

import numpy as np

from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.adapt_data import adapt_batches
from nbkeras.layers.preprocessing.encoding import encode_categorical, encoded_shape
from nbkeras.ops.core import unwrap

_MODES = ("int", "one_hot", "multi_hot", "count")


def summarize(values, epsilon):
    """A weighted sample of the sorted `values`: about 1 / epsilon evenly spaced order
    statistics, each weighted by the number of values it stands for (Keras's summary)."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size / (1.0 / epsilon), 1)
    picks = values[int(step - 1)::int(step)]
    return np.stack([picks, np.full(picks.shape, step, picks.dtype)])


def compress_summary(summary, epsilon):
    """Re-sample a summary at the cumulative-weight fractions epsilon, 2 epsilon, ..., 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    cum_frac = cum / cum[-1]
    points = np.interp(fractions, cum_frac, summary[0])
    new_cum = np.interp(fractions, cum_frac, cum)
    weights = np.diff(np.concatenate(([0.0], new_cum)))
    return np.stack((points, weights)).astype("float32")


def merge_summaries(a, b, epsilon):
    """Merge two summaries (sorted by value) and compress the result."""
    merged = np.concatenate((a, b), axis=1)
    return compress_summary(merged[:, np.argsort(merged[0])], epsilon)


class Discretization(Layer):
    """Maps each float to the index of its bucket: i where boundaries[i-1] <= x < boundaries[i].

    Args:
        bin_boundaries: the sorted boundaries (n boundaries give n + 1 buckets).
        num_bins: instead, the number of buckets, learned by `adapt(data)` from quantiles.
        epsilon: the quantile approximation error of `adapt` (0.01).
        output_mode: 'int' (default), 'one_hot', 'multi_hot' or 'count'.
        sparse: must be False.

    Example:
        >>> nbkeras.layers.Discretization([0.0, 1.0])(np.array([[-0.5, 0.5, 2.0]]))
        array([[0, 1, 2]], dtype=int32)
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(dtype=dtype, name=name, **kwargs)
        if output_mode not in _MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are {_MODES}. "
                             f"Received: output_mode={output_mode!r}")
        if sparse:
            raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`. "
                             "Received: num_bins=None, bin_boundaries=None")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, sparse
        self.summary = None if self.bin_boundaries else np.zeros((2, 0), "float32")
        self.built = True

    def adapt(self, data, steps=None):
        """Learn `num_bins - 1` boundaries at the quantiles of `data`.

        Args:
            data: an array or an iterable of batches.
            steps: the number of batches to read from an iterable (all by default).
        """
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead. "
                             f"Received: bin_boundaries={self.bin_boundaries}")
        self.summary = np.zeros((2, 0), "float32")
        for i, batch in enumerate(adapt_batches(data, self.name)):
            if steps is not None and i >= steps:
                break
            batch = batch.astype("float32")
            self.summary = merge_summaries(summarize(batch, self.epsilon), self.summary,
                                           self.epsilon)
        self.bin_boundaries = compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer. Received: bin_boundaries=None")
        idx = np.digitize(np.asarray(unwrap(inputs)), np.asarray(self.bin_boundaries, "float64"))
        dtype = "int32" if self.output_mode == "int" else self.dtype
        return encode_categorical(idx, self.output_mode, len(self.bin_boundaries) + 1, dtype)

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                    "epsilon": self.epsilon, "output_mode": self.output_mode,
                    "sparse": self.sparse})
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
