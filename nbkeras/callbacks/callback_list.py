"""`CallbackList`: calls each hook on every callback, skipping hooks nobody overrides."""

from nbkeras.callbacks.callback import Callback

_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]
_TWO_ARGS = {name for name in _HOOKS if "epoch" in name or "batch" in name}
_LEGACY = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}


def _overrides(cb, hook):
    """Whether `cb` defines `hook` itself: in its class, or on the instance (LambdaCallback)."""
    return hook in getattr(cb, "__dict__", {}) or (
        getattr(type(cb), hook, None) is not getattr(Callback, hook))


class CallbackList(Callback):
    """Dispatches each hook to a list of callbacks.

    Hooks that no callback overrides cost nothing per batch. A callback that overrides
    only the Keras 2 `on_batch_begin`/`on_batch_end` gets them for every training batch.

    Args:
        callbacks: the callbacks.
        model: the model they observe.
        **params: `epochs`, `steps`, `verbose`, ... for `set_params`.

    Example:
        >>> cbs = CallbackList([nbkeras.callbacks.History()], model=model, epochs=1)
        >>> cbs.on_train_begin()
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
        self.active = set()
        if not self.callbacks:  # every hook stays the class's no-op (predict in a loop)
            return
        for hook in _HOOKS:
            bound = []
            for cb in self.callbacks:
                if _overrides(cb, hook):
                    bound.append(getattr(cb, hook))
                elif hook in _LEGACY and _overrides(cb, _LEGACY[hook]):
                    bound.append(getattr(cb, _LEGACY[hook]))
            setattr(self, hook, _dispatch(bound, 2 if hook in _TWO_ARGS else 1))
        self.active = {hook for hook in _HOOKS if getattr(self, hook) is not _noop}

    def append(self, callback):
        """Add a callback (as Keras's CallbackList does) and rebuild the hook dispatch."""
        self.__init__(self.callbacks + [callback], model=self.model, **self.params)


def _noop(*args, **kwargs):
    pass


for _hook in _HOOKS:  # an empty list's hooks, without building a dispatch per hook
    setattr(CallbackList, _hook, staticmethod(_noop))


def _dispatch(bound, nargs):
    """One function calling every bound hook; a missing `logs` is passed as `{}`, as Keras does."""
    if not bound:
        return _noop
    if len(bound) == 1:
        fn = bound[0]

        def call(*args, **kwargs):
            if len(args) < nargs and "logs" not in kwargs:
                args += ({},)
            fn(*args, **kwargs)
    else:
        def call(*args, **kwargs):
            if len(args) < nargs and "logs" not in kwargs:
                args += ({},)
            for fn in bound:
                fn(*args, **kwargs)

    return call
