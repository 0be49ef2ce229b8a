"""`CallbackList`: calls each hook on every callback, skipping hooks nobody overrides."""

from nbkeras.callbacks.callback import Callback

_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList(Callback):
    """Dispatches each hook to a list of callbacks.

    Hooks that no callback overrides cost nothing per batch.

    Args:
        callbacks: the callbacks.
        model: the model they observe.
        **params: `epochs`, `steps`, `verbose`, ... for `set_params`.
    """

    def __init__(self, callbacks=None, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if model is not None:
                cb.set_model(model)
            cb.set_params(params)
        self.model = model
        self.params = params
        for hook in _HOOKS:
            bound = [getattr(cb, hook) for cb in self.callbacks
                     if getattr(type(cb), hook, None) is not getattr(Callback, hook)]
            if hook in ("on_train_batch_begin", "on_train_batch_end"):
                legacy = "on_batch_begin" if hook.endswith("begin") else "on_batch_end"
                bound += [getattr(cb, legacy) for cb in self.callbacks
                          if getattr(type(cb), legacy) is not getattr(Callback, legacy)]
            setattr(self, hook, _dispatch(bound))
        self.active = {hook for hook in _HOOKS if getattr(self, hook) is not _noop}

    def append(self, callback):
        raise TypeError("Create a new CallbackList to add callbacks. Received: callback=" + repr(callback))


def _noop(*args, **kwargs):
    pass


def _dispatch(bound):
    if not bound:
        return _noop
    if len(bound) == 1:
        return bound[0]

    def call(*args, **kwargs):
        for fn in bound:
            fn(*args, **kwargs)

    return call
