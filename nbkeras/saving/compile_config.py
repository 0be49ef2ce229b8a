"""`compile_config`: the arguments of `model.compile()`, written and replayed as Keras does."""

import types

from nbkeras.saving import serialization


def _spec_to_config(spec):
    if spec is None or isinstance(spec, (str, int, float, bool)):
        return spec
    if isinstance(spec, (list, tuple)):
        return [_spec_to_config(s) for s in spec]
    if isinstance(spec, dict):
        return {k: _spec_to_config(v) for k, v in spec.items()}
    return serialization.serialize_keras_object(spec)


def get_compile_config(model):
    """Keras's `compile_config` of a compiled model (`{}` when not compiled).

    Args:
        model: a model.

    Example:
        >>> get_compile_config(model)["loss"]
        'mse'
    """
    state = getattr(model, "_compiled_state", None)
    if not getattr(model, "compiled", False) or state is None:
        return {}
    return {
        "optimizer": serialization.serialize_keras_object(model.optimizer),
        "loss": _spec_to_config(state.loss_spec),
        "loss_weights": _spec_to_config(state.loss_weights_spec),
        "metrics": _spec_to_config(state.metrics_spec),
        "weighted_metrics": _spec_to_config(state.weighted_metrics_spec),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": True,
    }


def _loss_or_metric(config, kind):
    """Rebuild one loss or metric entry (a name stays a name, as in Keras)."""
    from nbkeras import losses, metrics

    if config is None or isinstance(config, (str, int, float, bool)):
        return config
    if isinstance(config, list):
        return [_loss_or_metric(c, kind) for c in config]
    if isinstance(config, dict) and ("class_name" not in config or "config" not in config):
        return {k: _loss_or_metric(v, kind) for k, v in config.items()}
    obj = serialization._deserialize(config)
    if isinstance(obj, (types.FunctionType, losses.Loss, metrics.Metric)) or callable(obj):
        return obj
    raise ValueError(f"A compiled {kind} must be a name, a function or a {kind.title()} object. "
                     f"Received: {config!r}")


def compile_from_config(model, config):
    """Compile `model` from a `compile_config` and create its optimizer's variables.

    Args:
        model: a model (built, so that the optimizer can create its slots).
        config: the dict `get_compile_config` wrote.
    """
    from nbkeras import optimizers

    if not isinstance(config, dict):
        raise ValueError(f"A compile_config must be a dict. Received: {config!r}")
    optimizer = config.get("optimizer", "rmsprop")
    if isinstance(optimizer, dict):
        optimizer = serialization._deserialize({"module": "keras.optimizers", **optimizer})
        if not isinstance(optimizer, optimizers.Optimizer):
            raise ValueError(f"The compiled optimizer is not an optimizer. Received: {optimizer!r}")
    model.compile(
        optimizer=optimizer,
        loss=_loss_or_metric(config.get("loss"), "loss"),
        loss_weights=config.get("loss_weights"),
        metrics=_loss_or_metric(config.get("metrics"), "metric"),
        weighted_metrics=_loss_or_metric(config.get("weighted_metrics"), "metric"),
    )
    if model.built and not model.optimizer.built:
        model.optimizer.build(model.trainable_weights)
