"""`TerminateOnNaN`: stop training at the first NaN or infinite loss."""

import math

from nbkeras.callbacks._utils import print_msg
from nbkeras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stop `fit` when a batch's loss is NaN or infinite.

    The epoch in progress ends (its logs still reach the other callbacks and the history)
    and `fit` returns.

    Args:
        raise_error: raise a RuntimeError at once instead, so that no `on_train_end`
            runs (which keeps, e.g., a `BackupAndRestore` backup).

    Example:
        >>> model.fit(x, y, callbacks=[nbkeras.callbacks.TerminateOnNaN()])
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately. "
                                   f"Received: loss={loss}")
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
