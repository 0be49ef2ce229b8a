"""`FlatParameters`: an optimizer's variables, gradients and slots as views into flat buffers.

Once an optimizer is built, the variables it trains are re-seated as views into one
contiguous buffer (and each slot list into one buffer of its own), so its update rule runs
as one kernel call over the whole buffer per step instead of one call per variable. The
update rules are elementwise, so the result is bit-identical to the per-variable calls.
The variables keep their shapes, names and in-place `assign`; layers, `get_weights`,
`set_weights` and saving see no difference.

The buffers are arrays of the active device (`nbkeras.backend.device()`): NumPy on the
CPU, CuPy on a GPU, where the step is one kernel launch instead of one per variable.

The optimizer falls back to per-variable calls whenever the flat layout does not hold or
does not pay: more parameters than the device's `flat_update_max_size`, mixed dtypes,
arrays of another device, a subclass with its own update rule, a step over a subset of
the variables, or a variable whose array was replaced (for example shared with another
optimizer that re-seated it in its own buffer).
"""

import numpy as np

from nbkeras.backend import kernels as K

# Set to False to make every optimizer update variable by variable (tests compare both).
ENABLED = True

# The gradients are born outside the buffer, so each step first copies them into it; the
# device says up to how many parameters that copy pays (`flat_update_max_size`). A number
# here overrides it (tests use a small one).
MAX_SIZE = None


def max_size():
    """How many parameters the flat layout takes at most on the active device.

    Example:
        >>> max_size() == K.flat_update_max_size  # unless MAX_SIZE overrides it
        True
    """
    return K.flat_update_max_size if MAX_SIZE is None else MAX_SIZE


class FlatParameters:
    """The flat buffers of one optimizer: parameters, gradients and one per slot list.

    Args:
        variables: the trainable variables (one dtype), in the optimizer's order.
        slot_lists: lists of slot variables, each with one slot per variable.

    Example:
        >>> flat = FlatParameters(model.trainable_variables, [opt._velocities])
        >>> flat.params.size == sum(v.size for v in model.trainable_variables)
        True
    """

    def __init__(self, variables, slot_lists):
        self.decays_all = None  # whether weight decay covers every variable (the optimizer's)
        self.dtype = variables[0].dtype
        self.shapes = [v.shape for v in variables]
        sizes = [int(np.prod(s, dtype=np.int64)) for s in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        self.params = _reseat(variables, self.offsets, self.dtype)
        self.grads = K.empty_like(self.params)
        self.slots = {id(lst): _reseat(lst, self.offsets, self.dtype) for lst in slot_lists}
        self._slot_lists = list(slot_lists)  # keeps the ids above alive
        self.dummy = K.zeros(1, self.dtype)
        self._datas = [v.data for v in variables]
        self._variables = list(variables)

    def covers(self, variables):
        """Whether `variables` are exactly this buffer's variables, each still seated in it."""
        if len(variables) != len(self._variables):
            return False
        for v, own, data in zip(variables, self._variables, self._datas):
            if v is not own or v.data is not data:
                return False
        return True

    def gather(self, grads):
        """Copy the per-variable gradients into the flat gradient buffer and return it."""
        K.xp.concatenate([g.reshape(-1) for g in grads], out=self.grads)
        return self.grads

    def views(self, slot_lists):
        """The flat parameter buffer followed by the flat buffer of each slot list (a
        1-element dummy for an empty list, as `Optimizer._views` gives per variable)."""
        return (self.params,) + tuple(self.slots[id(s)] if s else self.dummy for s in slot_lists)


def _reseat(variables, offsets, dtype):
    """Copy each variable's value into one new device buffer and make its `data` a view of it."""
    buf = K.empty(offsets[-1], dtype)
    for v, lo, hi in zip(variables, offsets, offsets[1:]):
        buf[lo:hi] = v.data.reshape(-1)
        v.data = buf[lo:hi].reshape(v.data.shape)
    return buf


def _own_update_rule(optimizer):
    """Whether every class that defines the update rule is nbkeras's own (elementwise)."""
    for cls in type(optimizer).__mro__:
        if ("_update" in vars(cls) or "update_step" in vars(cls)) and \
                not cls.__module__.startswith("nbkeras.optimizers."):
            return False
    return True


def build(optimizer, max_params=-1):
    """The flat buffers for a built optimizer, or None where the layout cannot apply.

    Args:
        optimizer: an `Optimizer` whose `build` has run.
        max_params: the most parameters it takes (-1: `max_size()`, None: any number).

    Example:
        >>> opt._flat = build(opt)
    """
    variables = list(optimizer._trainable_variables)
    if not ENABLED or not variables or not _own_update_rule(optimizer):
        return None
    dtype = variables[0].dtype
    slot_lists = [lst for lst in optimizer._slots.values() if lst]
    for v in variables + [s for lst in slot_lists for s in lst]:
        if v.dtype != dtype or not isinstance(v.data, K.xp.ndarray):
            return None
    if len({id(v) for v in variables}) != len(variables):
        return None
    limit = max_size() if max_params == -1 else max_params
    if limit is not None and sum(v.size for v in variables) > limit:
        return None
    if any(len(lst) != len(variables) for lst in slot_lists):
        return None
    return FlatParameters(variables, slot_lists)
