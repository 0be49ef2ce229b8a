"""CPU kernels compiled by Numba. Every kernel name here is part of the backend interface."""

import os as _os

from nbkeras.backend import kernel_cache_dir as _cache_dir
from nbkeras.backend.cpu._cache_stamp import ensure_fresh as _ensure_fresh

_ensure_fresh(_cache_dir(), _os.path.dirname(__file__))

from nbkeras.backend.cpu.activations import (  # noqa: F401
    CODES as ACTIVATION_CODES,
    NEEDS_INPUT as ACTIVATION_NEEDS_INPUT,
    act_backward,
    act_forward,
    bias_act_forward,
    col_sum,
)
from nbkeras.backend.cpu.conv import col2im, im2col  # noqa: F401
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
from nbkeras.backend.cpu.softmax import (  # noqa: F401
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)

name = "cpu"
