"""CUDA kernels on `numba.cuda` (the `numba-cuda` package), with the CPU device's kernel names.

Every name exported by `nbkeras.backend.cpu` is exported here with the same arguments,
so ops call one kernel table whatever the device. Arrays are CuPy arrays on a GPU and
NumPy arrays under Numba's CUDA simulator (`NUMBA_ENABLE_CUDASIM=1`, set before Numba
is imported), where every kernel is tested against its CPU twin.

Example:
    >>> import os; os.environ["NUMBA_ENABLE_CUDASIM"] = "1"
    >>> from nbkeras.backend import cuda as K
    >>> K.act_forward(x, out, K.ACTIVATION_CODES["relu"], 0.0)
"""

import os as _os

from nbkeras.backend.cuda_check import simulated as _simulated

if not _simulated():
    from nbkeras.backend.cpu._cache_stamp import ensure_fresh as _ensure_fresh

    _here = _os.path.dirname(__file__)
    _ensure_fresh(_os.environ.get("NUMBA_CACHE_DIR") or _os.path.join(_here, "__pycache__"), _here)

from nbkeras.backend.cuda.activations import (  # noqa: E402,F401
    CODES as ACTIVATION_CODES,
    NEEDS_INPUT as ACTIVATION_NEEDS_INPUT,
    act_backward,
    act_forward,
    bias_act_forward,
    col_sum,
)
from nbkeras.backend.cuda.conv import col2im, im2col  # noqa: E402,F401
from nbkeras.backend.cuda.losses import (  # noqa: E402,F401
    bce_backward,
    bce_forward,
    cce_backward,
    cce_forward,
    mse_backward,
    mse_forward,
    sparse_cce_backward,
    sparse_cce_forward,
)
from nbkeras.backend.cuda.metrics_kernels import confusion_buckets  # noqa: E402,F401
from nbkeras.backend.cuda.normalization import (  # noqa: E402,F401
    batch_norm_infer_forward,
    batch_norm_train_backward,
    batch_norm_train_forward,
)
from nbkeras.backend.cuda.optimizers import (  # noqa: E402,F401
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
from nbkeras.backend.cuda.pooling import (  # noqa: E402,F401
    avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward,
)
from nbkeras.backend.cuda.random import dropout_forward, seed  # noqa: E402,F401
from nbkeras.backend.cuda.rnn import *  # noqa: E402,F401,F403
from nbkeras.backend.cuda.softmax import (  # noqa: E402,F401
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)

name = "cuda"
