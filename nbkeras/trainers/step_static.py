"""What a replayed training step needs proved about a model's classes: the model, its
layers and its losses are built-in ones known to run the same ops for every batch of a
shape (nbkeras/trainers/step_plan.py uses it)."""

import types

from nbkeras.layers import layer as layer_module


def static_reason(model):
    """Why the classes of `model` keep its training step on the tape (None when they don't).

    Args:
        model: a compiled model.

    Example:
        >>> static_reason(nbkeras.Sequential([nbkeras.layers.Dense(1)]))  # compiled, built
        >>> static_reason(MyModel())
        'a subclassed model (MyModel defines its own `call`)'
    """
    return _model_reason(model)


def forward_reason(model):
    """Why the classes of `model` keep its inference forward pass (`model(x,
    training=False)` in predict and evaluate) off a replayed plan (None when they don't):
    the training step's proof without its loss, with the layers that are static at
    inference only (`forward_whitelist`).

    Args:
        model: a model.

    Example:
        >>> forward_reason(nbkeras.Sequential([nbkeras.layers.BatchNormalization()]))
        >>> forward_reason(MyModel())
        'a subclassed model (MyModel defines its own `call`)'
    """
    reason = _class_reason(model)
    if reason is not None:
        return reason
    allowed = forward_whitelist()
    for layer in all_layers(model):
        reason = _layer_reason(layer, allowed)
        if reason is not None:
            return reason
    return None


def _class_reason(model):
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    cls = type(model)
    if not isinstance(model, (Sequential, Functional)):
        return f"a subclassed model ({cls.__name__} defines its own `call`)"
    base = Sequential if isinstance(model, Sequential) else Functional
    if cls.call is not base.call or cls.__call__ is not base.__call__:
        return f"{cls.__name__} overrides `call`"
    return None


def loss_reason(model):
    """Why evaluate's loss of `model` cannot join its replayed forward pass (None when it
    can): a loss method of the model overridden, no compiled loss, or a custom loss.

    Args:
        model: a model whose forward pass `forward_reason` lets replay.

    Example:
        >>> model.compile(optimizer="sgd", loss=lambda y, p: (y - p) ** 2)
        >>> loss_reason(model)  # once built by evaluate
        'a custom loss (LossFunctionWrapper)'
    """
    return _loss_reason(model, ("compute_loss", "_compute_loss", "_compiled_loss_value",
                                "_step_losses"))


def _loss_reason(model, methods):
    from nbkeras.trainers.trainer import Trainer

    cls = type(model)
    for name in methods:
        if getattr(cls, name) is not getattr(Trainer, name):
            return f"{cls.__name__} overrides `{name}`"
    state = model._compiled_state
    if state is None or not state.built or state.loss_spec is None:
        return "no compiled loss"
    for loss in state.losses:
        if loss is not None and not _builtin_loss(loss):
            return f"a custom loss ({type(loss).__name__})"
    return None


def _model_reason(model):
    reason = _class_reason(model) or _loss_reason(
        model, ("train_step", "compute_loss", "_compute_loss", "compute_metrics", "_track_loss",
                "_compiled_loss_value", "_step_losses"))
    if reason is not None:
        return reason
    layers = all_layers(model)
    for layer in layers:
        reason = _layer_reason(layer)
        if reason is not None:
            return reason
    return None


def _builtin(obj):
    """Whether `obj` (a function, or an object by its class) is defined inside nbkeras."""
    if obj is None:
        return True
    mod = getattr(obj, "__module__", None) if isinstance(obj, (types.FunctionType, type)) \
        else type(obj).__module__
    return bool(mod) and (mod == "nbkeras" or mod.startswith("nbkeras."))


def _builtin_loss(loss):
    from nbkeras.losses.loss import LossFunctionWrapper

    if not _builtin(loss) or type(loss).__call__ is not _loss_call():
        return False
    return not isinstance(loss, LossFunctionWrapper) or _builtin(loss.fn)


def _loss_call():
    from nbkeras.losses.loss import Loss

    return Loss.__call__


def all_layers(model):
    out, stack, seen = [], list(getattr(model, "layers", ())), set()
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        stack.extend(getattr(layer, "_layers", ()) or ())
    return out


_WHITELIST = None


def whitelist():
    """The built-in layer classes whose `call` is known static: the same ops for every batch
    of a shape (their random draws, if any, happen inside an op's forward)."""
    global _WHITELIST
    if _WHITELIST is None:
        from nbkeras import layers as L

        names = ("Dense", "Activation", "Dropout", "Flatten", "Reshape", "InputLayer", "ReLU",
                 "LeakyReLU", "ELU", "Softmax", "PReLU", "Identity", "LayerNormalization",
                 "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
                 "Dot", "Permute", "RepeatVector", "EinsumDense", "UnitNormalization",
                 "Embedding", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
                 "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                 "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D",
                 "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                 "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
                 "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling2D",
                 "GlobalAveragePooling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
                 "UpSampling1D", "UpSampling2D", "UpSampling3D", "Cropping1D", "Cropping2D",
                 "Cropping3D", "SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional",
                 "SimpleRNNCell", "LSTMCell", "GRUCell", "BatchNormalization")
        _WHITELIST = {getattr(L, n) for n in names if hasattr(L, n)}
    return _WHITELIST


_FORWARD_WHITELIST = None


def forward_whitelist():
    """`whitelist()` and the layers whose `call` is static at inference only (training=False:
    the noise layers are the identity).

    Example:
        >>> nbkeras.layers.GaussianNoise in forward_whitelist() - whitelist()
        True
    """
    global _FORWARD_WHITELIST
    if _FORWARD_WHITELIST is None:
        from nbkeras import layers as L

        names = ("GaussianNoise", "GaussianDropout")
        _FORWARD_WHITELIST = whitelist() | {getattr(L, n) for n in names if hasattr(L, n)}
    return _FORWARD_WHITELIST


_CALLABLE_ATTRS = ("activation", "kernel_regularizer", "bias_regularizer",
                   "activity_regularizer", "kernel_constraint", "bias_constraint",
                   "gamma_regularizer", "beta_regularizer", "alpha_regularizer",
                   "gamma_constraint", "beta_constraint")


def _layer_reason(layer, allowed=None):
    from nbkeras.layers.layer import Layer
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    cls = type(layer)
    if "call" in layer.__dict__:  # a `call` set on the instance (the profiler's timers)
        return f"layer '{layer.name}' has its own `call` attribute"
    if isinstance(layer, (Sequential, Functional)):
        return _nested_model_reason(layer)
    base = next((c for c in cls.__mro__ if c in (allowed or whitelist())), None)
    if base is None or cls.call is not base.call or cls.__call__ is not Layer.__call__:
        return f"layer '{layer.name}' ({cls.__name__}) is not on the replay whitelist"
    hook = _overridden_hook(layer, cls, base)
    if hook is not None:
        return f"layer '{layer.name}' ({cls.__name__}) overrides `{hook}`"
    if getattr(layer, "supports_masking", False) and layer_module._MASKS:
        return "Keras masks in the step"
    training = allowed is None
    reason = _recurrent_reason(layer, training) or (
        _batch_norm_reason(layer) if training else None)
    if reason is not None:
        return reason
    for attr in _CALLABLE_ATTRS:
        fn = layer.__dict__.get(attr)
        if fn is not None and not _builtin(fn):
            return f"layer '{layer.name}' has a custom {attr}"
    for v in layer.weights:
        if not _builtin(getattr(v, "regularizer", None)):
            return f"a custom regularizer on '{v.path}'"
    return None


def _recurrent_reason(layer, training):
    """Why a recurrent layer or cell is not static (None when it is): an RNN runs as one
    fused op only over a built-in cell with activations the kernels have, when not stateful
    (its states carry over in Python) and, in training, without dropout (its masks are
    drawn in Python once per call)."""
    from nbkeras.layers.rnn.cell_base import RNNCellBase
    from nbkeras.layers.rnn.rnn import RNN

    name = f"layer '{layer.name}' ({type(layer).__name__})"
    if isinstance(layer, RNN):
        if layer._fused() is None:
            return f"{name} runs its cell step by step (a custom cell or activation)"
        if layer.stateful:
            return f"{name} is stateful"
        layer = layer.cell
    if training and isinstance(layer, RNNCellBase) and (
            getattr(layer, "dropout", 0) or getattr(layer, "recurrent_dropout", 0)):
        return f"{name} draws its dropout masks in Python"
    return None


def _batch_norm_reason(layer):
    """Why a BatchNormalization is not static in training (None when it is): `synchronized`
    (Keras's cross-replica statistics) stays on the tape."""
    from nbkeras.layers.normalization.batch_normalization import BatchNormalization

    if isinstance(layer, BatchNormalization) and layer.synchronized:
        return f"layer '{layer.name}' (BatchNormalization) is synchronized"
    return None


_METHODS = (types.FunctionType, staticmethod, classmethod, property)


def _overridden_hook(layer, cls, base):
    """The name of an internal method of the whitelisted `base` (`_convolve`, `_kernel_2d`,
    `_geometry`, `_pads`, `_spatial_crops`...: what its `call` relies on) that a subclass
    from outside nbkeras or the instance replaces, or None (nbkeras's own subclasses, such
    as SpatialDropout's `_noise_shape`, are known to keep `call` static)."""
    for klass in cls.__mro__[:cls.__mro__.index(base)]:
        if _builtin(klass):
            continue
        for name, v in vars(klass).items():
            if _hook_name(name) and isinstance(v, _METHODS) and hasattr(base, name):
                return name
    for name, v in layer.__dict__.items():
        if _hook_name(name) and callable(v) and isinstance(_class_attr(base, name), _METHODS):
            return name
    return None


def _class_attr(cls, name):
    return next((k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None)


def _hook_name(name):
    return name.startswith("_") and not name.startswith("__")


def _nested_model_reason(model):
    from nbkeras.models.functional import Functional
    from nbkeras.models.sequential import Sequential

    cls = type(model)
    base = Sequential if isinstance(model, Sequential) else Functional
    if cls.call is not base.call or cls.__call__ is not base.__call__:
        return f"the inner model '{model.name}' overrides `call`"
    return None


SETTING_TYPES = (int, float, bool, str, type(None), tuple)


def settings(layers):
    """The layers' plain settings (a Dropout's rate, an activation's name...), which the ops of
    a plan have bound: a change between fits makes the plan trace again."""
    return [tuple((k, v) for k, v in vars(layer).items()
                  if type(v) in SETTING_TYPES and k != "_checked_shape")
            for layer in layers]
