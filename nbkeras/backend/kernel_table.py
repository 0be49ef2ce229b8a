"""Which module of a device defines each kernel (no Numba here): the CPU and CUDA devices
name their kernel modules alike (`nbkeras.backend.cpu.optimizers`,
`nbkeras.backend.cuda.optimizers`, ...).

The CPU device imports a kernel's module on the first lookup of that kernel, so a first
fit of a Dense model never imports (nor sets up the caches of) the convolution, pooling,
normalization or recurrent kernels. tests/test_device_contract.py checks this table
against `interface.KERNELS`.

Example:
    >>> MODULES["adam_update"]
    'optimizers'
"""

import importlib

MODULES = {
    "attention_softmax_backward": "attention",
    "attention_softmax_forward": "attention",
    "scatter_add_rows": "gather",
    "layer_norm_backward": "normalization",
    "layer_norm_forward": "normalization",
    "act_backward": "activations",
    "act_forward": "activations",
    "bias_act_backward": "fused_backward",
    "bias_act_weight_backward": "fused_backward",
    "bias_act_forward": "activations",
    "col_sum": "activations",
    "col2im": "conv",
    "sparse_col2im": "conv",
    "im2col": "conv",
    "bce_backward": "losses",
    "bce_forward": "losses",
    "cce_backward": "losses",
    "cce_forward": "losses",
    "mse_backward": "losses",
    "mse_forward": "losses",
    "sparse_cce_backward": "losses",
    "sparse_cce_forward": "losses",
    "confusion_buckets": "metrics_kernels",
    "batch_norm_infer_forward": "normalization",
    "batch_norm_train_backward": "normalization",
    "batch_norm_train_forward": "normalization",
    "adadelta_update": "optimizers",
    "adagrad_update": "optimizers",
    "adam_update": "optimizers",
    "adamax_update": "optimizers",
    "ftrl_update": "optimizers",
    "lion_update": "optimizers",
    "nadam_update": "optimizers",
    "rmsprop_update": "optimizers",
    "sgd_momentum_update": "optimizers",
    "sgd_update": "optimizers",
    "weight_decay_update": "optimizers",
    "avg_pool_backward": "pooling",
    "avg_pool_forward": "pooling",
    "max_pool_backward": "pooling",
    "max_pool_forward": "pooling",
    "dropout_forward": "random",
    "seed": "random",
    "gru_h_backward": "rnn",
    "gru_h_forward": "rnn",
    "gru_step_backward": "rnn",
    "gru_step_forward": "rnn",
    "gru_zr_backward": "rnn",
    "gru_zr_forward": "rnn",
    "lstm_step_backward": "rnn",
    "lstm_step_forward": "rnn",
    "rnn_sequence_backward": "rnn_sequence",
    "rnn_sequence_forward": "rnn_sequence",
    "simple_step_backward": "rnn",
    "simple_step_forward": "rnn",
    "log_softmax_backward": "softmax",
    "log_softmax_forward": "softmax",
    "softmax_backward": "softmax",
    "softmax_forward": "softmax",
}


def load(package):
    """Every kernel of the device package `package`, imported from the module this table names.

    Args:
        package: the device's package, such as `'nbkeras.backend.cuda'`.

    Returns:
        A dict: kernel name -> kernel.

    Example:
        >>> load("nbkeras.backend.cpu")["adam_update"].__name__
        'adam_update'
    """
    return {name: getattr(importlib.import_module(f"{package}.{module}"), name)
            for name, module in MODULES.items()}
