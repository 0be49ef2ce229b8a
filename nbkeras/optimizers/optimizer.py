"""`Optimizer`: the base class, with learning-rate schedules, clipping, weight decay, EMA,
gradient accumulation, constraints and the Keras 2 spellings `lr=`, `decay=` and `epsilon=None`."""

import re

import numpy as np

from nbkeras import config
from nbkeras.backend import kernels as K
from nbkeras.ops.core import unwrap
from nbkeras.optimizers import averaging, flat_buffer, schedules
from nbkeras.optimizers.arguments import as_float, check_args
from nbkeras.optimizers.clipping import clip_gradients
from nbkeras.optimizers.schedules import InverseTimeDecay, LearningRateSchedule
from nbkeras.utils import naming
from nbkeras.variables import HostVariable, Variable

_KERAS2_IGNORED = ("use_locking",)


class Optimizer:
    """Base class of optimizers. Subclasses implement `build` and `update_step` (or `_update`).

    Each step: gradients are unscaled (`loss_scale_factor`), accumulated (if
    `gradient_accumulation_steps`), clipped, weight decay is applied (`w -= w * weight_decay * lr`),
    the update rule runs, the EMA is updated, then constraints are applied.

    Args:
        learning_rate: a float, a `LearningRateSchedule`, or a callable taking no arguments.
        weight_decay: decoupled weight decay, or None.
        clipnorm: clip each gradient to this norm.
        clipvalue: clip each gradient entry to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global norm.
        use_ema: keep an exponential moving average of the weights (swapped in after `fit`).
        ema_momentum: the EMA momentum (0.99).
        ema_overwrite_frequency: every this many steps, overwrite the weights with their EMA.
        loss_scale_factor: gradients are divided by this factor first.
        gradient_accumulation_steps: update every this many steps, with the mean gradient.
        name: the optimizer's name (by default the snake-cased class name, made unique).
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
        check_args(clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                   ema_overwrite_frequency, gradient_accumulation_steps)
        self.name = name if name is not None else naming.auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay)
        self.built = False
        self._variables = []
        self._slots = {}
        self._index = {}
        self._trainable_variables = []
        self._iterations = self._new_variable("iteration", np.zeros((), np.int32), track=False,
                                              host=True)
        if self.decay and not callable(learning_rate):
            learning_rate = InverseTimeDecay(as_float(learning_rate), decay_steps=1,
                                             decay_rate=self.decay)
        self._schedule = None
        self._learning_rate = None
        if callable(learning_rate):
            self._schedule = learning_rate
        else:
            value = np.dtype(config.floatx()).type(as_float(learning_rate))
            self._learning_rate = self._new_variable("learning_rate", value, track=False,
                                                     host=True)

    # ----------------------------------------------------------- state
    def _new_variable(self, name, value, path=None, track=True, host=False):
        """A non-trainable optimizer variable; `host=True` keeps it a NumPy array on any
        device (the step counter and the learning rate, which only the host reads)."""
        if host:
            var = HostVariable(value, dtype=value.dtype, name=name)
        else:
            var = Variable(value, dtype=value.dtype, trainable=False, name=name)
        var.path = path if path is not None else f"{self.name}/{name}"
        if track:
            self._variables.append(var)
        return var

    @property
    def iterations(self):
        """The number of update steps applied so far (a Variable).

        With `gradient_accumulation_steps`, the number of real updates (an int32 array).
        """
        if self.gradient_accumulation_steps:
            return np.int32(int(self._iterations.data) // self.gradient_accumulation_steps)
        return self._iterations

    def _step(self):
        """`iterations` as a Python int."""
        return int(unwrap(self.iterations))

    @property
    def learning_rate(self):
        """The current learning rate: a Variable, or the schedule's value at this step."""
        if self._schedule is not None:
            return np.float32(self._current_lr())
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value):
            self._schedule = value
            self._learning_rate = None
            return
        if self.decay:
            self._schedule = InverseTimeDecay(as_float(value), decay_steps=1, decay_rate=self.decay)
            return
        if self._schedule is not None:
            raise TypeError(
                "This optimizer was created with a LearningRateSchedule, so its learning "
                f"rate cannot be set to a number. Received: learning_rate={value!r}"
            )
        self._learning_rate.assign(unwrap(value))

    lr = learning_rate

    def _current_lr(self):
        if isinstance(self._schedule, LearningRateSchedule):
            return float(np.float32(unwrap(self._schedule(int(self._iterations.data)))))
        if self._schedule is not None:
            return float(np.float32(unwrap(self._schedule())))
        return float(self._learning_rate.data)

    @property
    def variables(self):
        """Every optimizer variable: iterations, learning rate, then slots in build order."""
        head = [self._iterations]
        if self._learning_rate is not None:
            head.append(self._learning_rate)
        return head + self._variables

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """Create a tracked optimizer variable, with path `<optimizer name>/<name>`.

        Args:
            shape: the shape.
            initializer: `'zeros'`, `'ones'`, a number, or a callable `(shape, dtype)`.
            dtype: the dtype (float32 by default).
            name: the variable's name.
        """
        dtype = np.dtype(dtype or "float32")
        if callable(initializer):
            value = np.asarray(initializer(tuple(shape), dtype=dtype), dtype)
        else:
            fill = {"zeros": 0.0, "ones": 1.0}.get(initializer, initializer)
            value = np.full(tuple(shape), fill, dtype)
        return self._new_variable(name or "variable", value)

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """Create a slot variable shaped like `reference_variable`, named `<its path>_<name>`."""
        name = f"{reference_variable.path.replace('/', '_')}_{name or 'var'}"
        return self.add_variable(reference_variable.shape, initializer,
                                 reference_variable.dtype, name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """Create one slot per variable for each name, interleaved per variable as Keras does.

        Args:
            trainable_variables: the model variables.
            name: a slot name, or a list of slot names.
            initializer: one initializer, or one per name.

        Returns:
            A list of slots (one name), or a tuple of lists (several names).
        """
        names = [name] if isinstance(name, str) else list(name)
        many = isinstance(initializer, (list, tuple))
        inits = list(initializer) if many else [initializer] * len(names)
        if len(inits) != len(names):
            raise ValueError("The number of names must match the number of initializers. "
                             f"Received: name={name}, initializer={initializer}")
        lists = tuple([] for _ in names)
        for v in trainable_variables:
            for out, n, init in zip(lists, names, inits):
                out.append(self.add_variable_from_reference(v, n, init))
        for n, out in zip(names, lists):
            self._slots[n] = out
        return lists[0] if isinstance(name, str) else lists

    _add_slots = add_optimizer_variables

    def build(self, var_list):
        """Create the slot variables for `var_list` (subclasses add their slots after this)."""
        var_list = list(var_list)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = self.add_optimizer_variables(
                var_list, "gradient_accumulator")
        self._index = {id(v): i for i, v in enumerate(var_list)}
        self._view_cache = {}
        self._trainable_variables = var_list
        self._flat = None  # made on the first update, once the subclass added its slots
        self.built = True

    # ----------------------------------------------------------- updates
    def apply_gradients(self, grads_and_vars):
        """Apply (gradient, variable) pairs; returns `iterations`."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Update variables with their gradients, then increment `iterations`.

        Args:
            grads: one gradient (or None) per variable.
            trainable_variables: the variables; needed on the first call, which builds.
        """
        grads = list(grads)
        if not grads:
            return
        trainable_variables = self._known_variables(grads, trainable_variables)
        pairs = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable. "
                             f"Received: grads={grads}")
        variables = [v for _, v in pairs]
        grads = [K.asarray(unwrap(g), v.dtype) for g, v in pairs]
        if self.loss_scale_factor is not None:
            grads = [g / g.dtype.type(self.loss_scale_factor) for g in grads]
        if self.gradient_accumulation_steps:
            grads = averaging.accumulate(self, grads, variables)
        if grads is not None:
            grads = clip_gradients(grads, self.clipnorm, self.clipvalue, self.global_clipnorm)
            self._decay_and_update(grads, variables, self._flat_for(variables))
        self._end_step(variables)

    def _apply_flat(self, grads, variables):
        """`apply` for a replayed training step (`nbkeras.trainers.step_plan`): when the
        update rule is nbkeras's own (elementwise kernels: the flat-buffer update, or one
        kernel call per variable for a model too large for the buffer) and nothing
        transforms the gradients (no loss scale, accumulation or clipping), run it and
        return True; else return False (the caller calls `apply`). Those kernels only read
        the gradients, so they may share buffers (`apply`'s checks and copies are skipped).
        The caller proved that `grads` are NumPy arrays shaped and typed like `variables`
        (none None), the variables this optimizer is built for.

        Example:
            >>> if not opt._apply_flat(grads, variables):
            ...     opt.apply(grads, variables)
        """
        if (self.loss_scale_factor is not None or self.gradient_accumulation_steps
                or self.clipnorm is not None or self.clipvalue is not None
                or self.global_clipnorm is not None or type(self).apply is not Optimizer.apply):
            return False
        flat = self._flat_for(variables)
        if flat is None:
            own = self.__dict__.get("_own_rule")
            if own is None:
                own = self._own_rule = flat_buffer._own_update_rule(self)
            if not own:
                return False
        self._decay_and_update(grads, variables, flat)
        self._end_step(variables)
        return True

    def _decay_and_update(self, grads, variables, flat):
        """The weight decay and the update rule at the current learning rate: one kernel call
        over the flat buffers `flat`, or one per variable where `flat` is None."""
        lr = self._current_lr()
        self._apply_weight_decay(variables, lr, flat)
        if flat is not None:
            self._update([flat.gather(grads)], [flat], lr)
        else:
            self._update(grads, variables, lr)

    def _end_step(self, variables):
        """The end of every update: the EMA, the constraints, then `iterations` + 1."""
        if self.use_ema:
            averaging.update_moving_average(self)
        for v in variables:
            if v.constraint is not None:
                v.assign(v.constraint(v.data))
        it = self._iterations.data  # a HostVariable's 0-d array: NumPy scalars add the same
        it[()] = it[()] + 1  # bits as its `+= 1` in 0.4 instead of 3.3 us here

    def scale_loss(self, loss):
        """Multiply `loss` by `loss_scale_factor` (if set); Keras's fit differentiates this."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def _known_variables(self, grads, trainable_variables):
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Received: trainable_variables=None")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"Expected one gradient per variable ({len(self._trainable_variables)}). "
                    f"Received: len(grads)={len(grads)}")
            return self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        else:
            for v in trainable_variables:
                if id(v) not in self._index:
                    raise ValueError(
                        "Unknown variable: the optimizer was built for another set of variables. "
                        f"Received: variable={v.path}")
        return trainable_variables

    def _apply_weight_decay(self, variables, lr, flat=None):
        """w -= w * weight_decay * lr: one kernel call over the flat buffer when every
        variable decays, else one per decaying variable."""
        if self.weight_decay is None:
            return
        if flat is not None and flat.decays_all is None:  # fixed once built (see
            flat.decays_all = all(self._use_weight_decay(v) for v in variables)  # exclude_...)
        if flat is not None and flat.decays_all:
            dt = flat.dtype.type
            K.weight_decay_update(flat.params, dt(self.weight_decay), dt(lr))
            return
        for v in variables:
            if self._use_weight_decay(v):
                dt = v.dtype.type
                K.weight_decay_update(v.data.reshape(-1), dt(self.weight_decay), dt(lr))

    def finalize_variable_values(self, var_list):
        """With `use_ema`, overwrite the variables with their moving averages (end of `fit`)."""
        if self.use_ema:
            averaging.overwrite(var_list, self._model_variables_moving_average)

    def _flat_for(self, variables):
        """The flat buffers when this step updates exactly the built variables, else None."""
        if getattr(self, "_flat", None) is None:
            self._flat = flat_buffer.build(self) or False
        if self._flat and self._flat.covers(variables):
            return self._flat
        return None

    def _views(self, variable, *slot_lists):
        """Flat views of a variable and its slots (a 1-element dummy for unused slots), cached.
        `variable` may be the optimizer's `FlatParameters`: then the views span every variable."""
        if isinstance(variable, flat_buffer.FlatParameters):
            return variable.views(slot_lists)
        key = id(variable)  # each optimizer asks for one fixed set of slot lists
        entry = self._view_cache.get(key)
        if entry is None or entry[0] is not variable.data:
            i = self._index[key]
            dummy = K.zeros(1, variable.dtype)
            views = (variable.data.reshape(-1),) + tuple(
                slots[i].data.reshape(-1) if slots else dummy for slots in slot_lists)
            entry = self._view_cache[key] = (variable.data, views)
        return entry[1]

    def _update(self, grads, variables, lr):
        """Run `update_step` on every (gradient, variable) pair."""
        for g, v in zip(grads, variables):
            self.update_step(g, v, lr)

    def update_step(self, gradient, variable, learning_rate):
        """Update one variable in place (override this)."""
        raise NotImplementedError

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exclude variables, or those whose names match any of `var_names`, from weight decay.

        Args:
            var_list: variables to exclude.
            var_names: regular expressions searched in each variable's name, e.g. `['bias']`.
        """
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             f"optimizer is built. Received: var_names={var_names}")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in getattr(self, "_exclude_ids", ()):
            return False
        pattern = getattr(self, "_exclude_pattern", None)
        return pattern is None or pattern.search(variable.name) is None

    # ----------------------------------------------------------- config
    def get_config(self):
        """Return the constructor arguments with Keras 3's key names."""
        if isinstance(self._schedule, LearningRateSchedule):
            lr = schedules.serialize(self._schedule)
        else:
            lr = self._current_lr()
        return {
            "name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue, "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config):
        """Create an optimizer from `get_config()`'s dict."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, learning_rate={self._current_lr():.6g}>"
