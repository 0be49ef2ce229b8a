"""`serialize` / `deserialize` for learning-rate schedules, in Keras's dict format."""

from nbkeras.utils.registry import lookup


def _classes():
    from nbkeras.optimizers import schedules

    return {n: getattr(schedules, n) for n in schedules.__all__ if n[0].isupper()}


def serialize(learning_rate_schedule):
    """Return `{'module', 'class_name', 'config', 'registered_name'}` for a schedule.

    Args:
        learning_rate_schedule: a `LearningRateSchedule`.

    Example:
        >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
        'ExponentialDecay'
    """
    return {"module": "keras.optimizers.schedules",
            "class_name": type(learning_rate_schedule).__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Build a schedule from `serialize()`'s dict (or a `{'class_name', 'config'}` dict).

    Args:
        config: the dict.
        custom_objects: optional extra `{name: class}` to look class names up in.

    Example:
        >>> deserialize({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1,
        ...                                                      "decay_steps": 100}})
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("A learning rate schedule config must be a dict with a 'class_name'. "
                         f"Received: config={config!r}")
    table = dict(_classes(), **(custom_objects or {}))
    cls = lookup(config["class_name"], table, "learning rate schedule", "class_name")
    return cls.from_config(config.get("config", {}))
