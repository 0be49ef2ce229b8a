"""Differentiable, NumPy-like ops with Keras 3's `keras.ops` names.

Example:
    >>> from nbkeras import ops
    >>> ops.relu(np.array([-1.0, 2.0], "float32"))
    array([0., 2.], dtype=float32)
"""

from nbkeras.ops.core import GradientTape, Tensor, is_tracked, recording  # noqa: F401
from nbkeras.ops.conv import average_pool, conv, max_pool  # noqa: F401
from nbkeras.ops.conv_extra import conv_transpose, depthwise_conv, separable_conv  # noqa: F401
from nbkeras.ops.einsum import einsum  # noqa: F401
from nbkeras.ops.nn import (  # noqa: F401
    batch_normalization,
    binary_crossentropy,
    categorical_crossentropy,
    dense,
    dot_product_attention,
    dropout,
    elu,
    gelu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    layer_normalization,
    leaky_relu,
    log_softmax,
    mish,
    moments,
    one_hot,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    sparse_categorical_crossentropy,
    swish,
    tanh,
)
from nbkeras.ops.numpy import *  # noqa: F401,F403
from nbkeras.ops.numpy import abs, max, min, sum  # noqa: F401
from nbkeras.ops.array import *  # noqa: F401,F403
from nbkeras.ops.array import copy, slice  # noqa: F401
from nbkeras.ops.math import *  # noqa: F401,F403
from nbkeras.ops.math import all, any, round  # noqa: F401
from nbkeras.ops.elementwise import *  # noqa: F401,F403
from nbkeras.ops.control import *  # noqa: F401,F403
from nbkeras.ops.control import map  # noqa: F401
from nbkeras.ops.nan_reductions import *  # noqa: F401,F403
from nbkeras.ops.numpy_extra import *  # noqa: F401,F403
from nbkeras.ops.bitwise import *  # noqa: F401,F403
from nbkeras.ops.scatter import *  # noqa: F401,F403
from nbkeras.ops.adaptive_pool import (  # noqa: F401
    adaptive_average_pool, adaptive_max_pool, fold, unfold)
from nbkeras.ops.ctc import ctc_decode, ctc_loss  # noqa: F401
from nbkeras.ops.signal import *  # noqa: F401,F403
from nbkeras.ops.core_extra import *  # noqa: F401,F403
from nbkeras.ops.nn_extra import *  # noqa: F401,F403
from nbkeras.ops.linalg import *  # noqa: F401,F403
from nbkeras.ops import image, linalg  # noqa: F401,E402
