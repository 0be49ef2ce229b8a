"""Validation of the base optimizer's constructor arguments, with Keras 3's rules."""

from nbkeras.ops.core import unwrap


def check_args(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
               gradient_accumulation_steps):
    """Raise a ValueError for an argument Keras 3 rejects (only one clipping option, ...)."""
    if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. "
                         f"Received: gradient_accumulation_steps={gradient_accumulation_steps}")
    if use_ema and not 0 <= ema_momentum <= 1:
        raise ValueError(f"`ema_momentum` must be in [0, 1]. Received: ema_momentum={ema_momentum}")
    if use_ema and ema_overwrite_frequency and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
        raise ValueError("`ema_overwrite_frequency` must be None or an integer >= 1. "
                         f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
            f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
            f"global_clipnorm={global_clipnorm}")


def as_float(value):
    """A learning rate given as a number (or a 0-d Tensor) as a float."""
    value = unwrap(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            "Argument `learning_rate` must be a float, a LearningRateSchedule or a callable "
            f"returning the learning rate. Received: learning_rate={value!r}") from None
