"""The CPU device's Numba kernels, imported on the first kernel call (see `cpu/__init__`)."""

from nbkeras.backend.cpu.activations import (  # noqa: F401
    act_backward,
    act_forward,
    bias_act_forward,
    col_sum,
)
from nbkeras.backend.cpu.attention import (  # noqa: F401
    attention_softmax_backward,
    attention_softmax_forward,
)
from nbkeras.backend.cpu.conv import col2im, im2col  # noqa: F401
from nbkeras.backend.cpu.gather import scatter_add_rows  # noqa: F401
from nbkeras.backend.cpu.losses import (  # noqa: F401
    bce_backward,
    bce_forward,
    cce_backward,
    cce_forward,
    mse_backward,
    mse_forward,
    sparse_cce_backward,
    sparse_cce_forward,
)
from nbkeras.backend.cpu.normalization import (  # noqa: F401
    batch_norm_infer_forward,
    batch_norm_train_backward,
    batch_norm_train_forward,
    layer_norm_backward,
    layer_norm_forward,
)
from nbkeras.backend.cpu.optimizers import (  # noqa: F401
    adadelta_update,
    adagrad_update,
    adam_update,
    adamax_update,
    ftrl_update,
    lion_update,
    nadam_update,
    rmsprop_update,
    sgd_momentum_update,
    sgd_update,
    weight_decay_update,
)
from nbkeras.backend.cpu.metrics_kernels import confusion_buckets  # noqa: F401
from nbkeras.backend.cpu.pooling import (  # noqa: F401
    avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward,
)
from nbkeras.backend.cpu.random import dropout_forward, seed  # noqa: F401
from nbkeras.backend.cpu.rnn import *  # noqa: F401,F403
from nbkeras.backend.cpu.rnn_sequence import *  # noqa: F401,F403
from nbkeras.backend.cpu.softmax import (  # noqa: F401
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)

__all__ = sorted(n for n in dir() if n.endswith(("_forward", "_backward", "_update"))) + [
    "col2im", "col_sum", "confusion_buckets", "im2col", "scatter_add_rows", "seed"]
