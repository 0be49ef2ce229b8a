"""`LambdaCallback`: a callback made of plain functions."""

from nbkeras.callbacks.callback import Callback

_NAMED = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end",
          "on_train_batch_begin", "on_train_batch_end")


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass.

    `on_epoch_begin`/`on_epoch_end` are called as `f(epoch, logs)`, `on_train_begin`/
    `on_train_end` as `f(logs)`, the batch hooks as `f(batch, logs)`. Any other hook of
    `Callback` (`on_test_begin=...`, `on_predict_batch_end=...`) may be given by name.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: the functions (None: do nothing).
        **kwargs: more hooks, `hook_name=function`.

    Example:
        >>> losses = []
        >>> log = nbkeras.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> model.fit(x, y, epochs=3, callbacks=[log], verbose=0)
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        self.__dict__.update(kwargs)
        given = (on_epoch_begin, on_epoch_end, on_train_begin, on_train_end,
                 on_train_batch_begin, on_train_batch_end)
        for name, fn in zip(_NAMED, given):
            if fn is not None:
                setattr(self, name, fn)
