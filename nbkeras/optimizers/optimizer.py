"""`Optimizer`: the base class, with learning-rate schedules, clipping, weight decay,
constraints and the Keras 2 spellings `lr=`, `decay=` and `epsilon=None`."""

import numpy as np

from nbkeras.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
from nbkeras.ops.core import unwrap
from nbkeras.utils import naming
from nbkeras.variables import Variable

_KERAS2_IGNORED = ("use_locking",)


class Optimizer:
    """Base class of optimizers. Subclasses implement `build` and `update_step`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        weight_decay: decoupled weight decay, applied as `w -= w * weight_decay * lr`.
        clipnorm: clip each gradient to this norm.
        clipvalue: clip each gradient entry to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global norm.
        name: the optimizer's name.
        lr: Keras 2 spelling of `learning_rate`.
        decay: Keras 2 time decay: the rate becomes lr / (1 + decay * iterations).

    Example:
        >>> opt = nbkeras.optimizers.SGD(learning_rate=0.1)
        >>> v = nbkeras.Variable(np.ones(2))
        >>> opt.apply([np.ones(2)], [v])
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", 0.0) or 0.0
        for key in _KERAS2_IGNORED:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}. Received: kwargs={kwargs}")
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(
                "Only one of `clipnorm` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, global_clipnorm={global_clipnorm}"
            )
        self.name = name or naming.to_snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay)
        if self.decay and not isinstance(learning_rate, LearningRateSchedule):
            learning_rate = InverseTimeDecay(float(learning_rate), decay_steps=1, decay_rate=self.decay)
        self._iterations = Variable(np.zeros((), np.int32), dtype="int32", trainable=False,
                                    name="iteration")
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            self._schedule = learning_rate
            self._learning_rate = None
        else:
            self._schedule = None
            self._learning_rate = Variable(np.float32(learning_rate), dtype="float32",
                                           trainable=False, name="learning_rate")
        self.built = False
        self._variables = []
        self._slots = {}
        self._index = {}

    # ----------------------------------------------------------- state
    @property
    def iterations(self):
        """The number of update steps applied so far (a Variable)."""
        return self._iterations

    @property
    def learning_rate(self):
        """The current learning rate: a Variable, or the schedule's value at this step."""
        if self._schedule is not None:
            return np.float32(self._schedule(int(self._iterations.data)))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._schedule = value
            self._learning_rate = None
            return
        if self.decay:
            self._schedule = InverseTimeDecay(float(unwrap(value)), decay_steps=1, decay_rate=self.decay)
            return
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a LearningRateSchedule, so its learning "
                f"rate cannot be set to a number. Received: learning_rate={value!r}"
            )
        self._learning_rate.assign(unwrap(value))

    lr = learning_rate

    def _current_lr(self):
        if self._schedule is not None:
            return float(np.float32(self._schedule(int(self._iterations.data))))
        return float(self._learning_rate.data)

    @property
    def variables(self):
        """Every optimizer variable: iterations, learning rate, then slots in build order."""
        head = [self._iterations] + ([self._learning_rate] if self._learning_rate is not None else [])
        return head + self._variables

    def add_variable_from_reference(self, reference_variable, name):
        """Create a zero slot variable shaped like `reference_variable`."""
        var = Variable(np.zeros(reference_variable.shape, reference_variable.dtype),
                       trainable=False, name=f"{reference_variable.path.replace('/', '_')}_{name}")
        self._variables.append(var)
        return var

    def _add_slots(self, var_list, name):
        self._slots[name] = [self.add_variable_from_reference(v, name) for v in var_list]
        return self._slots[name]

    def build(self, var_list):
        """Create the slot variables for `var_list` (subclasses add their slots)."""
        self._index = {id(v): i for i, v in enumerate(var_list)}
        self._view_cache = {}
        self._trainable_variables = list(var_list)
        self.built = True

    # ----------------------------------------------------------- updates
    def apply_gradients(self, grads_and_vars):
        """Apply (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Update variables with their gradients, then increment `iterations`."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Received: trainable_variables=None"
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        else:
            missing = [v for v in trainable_variables if id(v) not in self._index]
            if missing:
                raise ValueError(
                    "Unknown variable: the optimizer was built for another set of variables. "
                    f"Received: variable={missing[0].path}"
                )
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if pairs:
            grads = [np.ascontiguousarray(unwrap(g), dtype=v.dtype) for g, v in pairs]
            if self.loss_scale_factor:
                grads = [g / self.loss_scale_factor for g in grads]
            grads = self._clip(grads)
            lr = self._current_lr()
            if self.weight_decay:
                for g, v in pairs:
                    if self._use_weight_decay(v):
                        v.data -= v.data * np.asarray(self.weight_decay * lr, v.dtype)
            self._update(grads, [v for _, v in pairs], lr)
            for _, v in pairs:
                if v.constraint is not None:
                    v.assign(v.constraint(v.data))
        self._iterations.data += 1

    def _views(self, variable, *slot_lists):
        """Flat views of a variable and its slots (a 1-element dummy for unused slots), cached."""
        key = id(variable)
        entry = self._view_cache.get(key)
        if entry is None or entry[0] is not variable.data:
            i = self._index[key]
            dummy = np.zeros(1, variable.dtype)
            views = (variable.data.reshape(-1),) + tuple(
                slots[i].data.reshape(-1) if slots else dummy for slots in slot_lists)
            entry = self._view_cache[key] = (variable.data, views)
        return entry[1]

    def _update(self, grads, variables, lr):
        for g, v in zip(grads, variables):
            self.update_step(g, v, lr)

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable in place (override this)."""
        raise NotImplementedError

    def _use_weight_decay(self, variable):
        excluded = getattr(self, "_exclude_names", ())
        return not any(n in variable.name for n in excluded)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables whose names contain any of `var_names` from weight decay."""
        self._exclude_names = tuple(var_names or ()) + tuple(v.name for v in var_list or ())

    def _clip(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                norm = float(np.sqrt(np.sum(np.square(g, dtype=np.float64))))
                out.append(g * np.asarray(self.clipnorm / max(norm, self.clipnorm), g.dtype))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
            scale = self.global_clipnorm * min(1.0 / norm if norm else np.inf, 1.0 / self.global_clipnorm)
            return [g * np.asarray(scale, g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ----------------------------------------------------------- config
    def get_config(self):
        """Return the constructor arguments with Keras 3's key names."""
        if self._schedule is not None and hasattr(self._schedule, "get_config"):
            from nbkeras.utils.registry import serialize

            lr = serialize(self._schedule)
        else:
            lr = self._current_lr()
        return {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema, "ema_momentum": 0.99,
            "ema_overwrite_frequency": None, "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config):
        """Create an optimizer from `get_config()`'s dict."""
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            from nbkeras.optimizers import schedules
            from nbkeras.utils.registry import deserialize

            table = {n: getattr(schedules, n) for n in dir(schedules) if n[0].isupper()}
            config["learning_rate"] = deserialize(lr, table, "learning rate schedule")
        for key in ("ema_momentum", "ema_overwrite_frequency"):
            config.pop(key, None)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, learning_rate={self._current_lr():.6g}>"
