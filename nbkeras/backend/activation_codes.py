"""Integer codes of the activations that the fused kernels implement (no Numba import).

The one table of every kernel: the elementwise activations and the recurrent cells
number activations alike, so a code means the same function everywhere.
"""

CODES = {
    "linear": 0, "relu": 1, "sigmoid": 2, "tanh": 3, "elu": 4, "selu": 5,
    "softplus": 6, "softsign": 7, "silu": 8, "gelu": 9, "gelu_approximate": 10,
    "exponential": 11, "leaky_relu": 12, "relu6": 13, "hard_sigmoid": 14,
    "hard_silu": 15, "mish": 16,
}
# Codes whose derivative needs the pre-activation (the others use the output).
NEEDS_INPUT = frozenset((7, 8, 9, 10, 15, 16))
# Activations the fused recurrent-cell kernels implement.
RNN_ACTIVATIONS = {n: CODES[n] for n in ("linear", "tanh", "sigmoid", "relu", "hard_sigmoid")}
