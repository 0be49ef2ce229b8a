"""`SeedGenerator` and the seed handling shared by every `nbkeras.random` function.

A draw takes a NumPy `Generator` built from a two-int state `[seed, counter]`:
an int seed always gives the same state (so the same numbers, as in Keras's
stateless functions), a `SeedGenerator` advances its counter on every draw, and
no seed uses the global generator that `utils.set_random_seed` resets.
"""

import random as python_random

import numpy as np

from nbkeras.utils import naming

_GLOBAL = [None]


class SeedGenerator:
    """A stateful source of seeds: each draw with it gives new numbers, reproducibly.

    Args:
        seed: an int for a reproducible sequence; None picks one from Python's
            `random` (which `utils.set_random_seed` seeds).
        name: the generator's name (automatic by default).

    Example:
        >>> gen = nbkeras.random.SeedGenerator(seed=42)
        >>> a = nbkeras.random.normal((2, 3), seed=gen)
        >>> b = nbkeras.random.normal((2, 3), seed=gen)  # differs from a
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or naming.uniquify("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = np.array([int(seed), 0], dtype=np.int64)

    def next(self, ordered=True):
        """Return the current `[seed, counter]` state and advance it."""
        value = self.state.copy()
        if ordered:
            self.state[1] += 1
        else:  # Keras's near-unique sequence for the global generator
            self.state[:] = (self.state + 1) * 5387 % 933199
        return value

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def make_default_seed():
    """A seed from Python's `random` (seeded by `utils.set_random_seed`)."""
    return python_random.randint(1, int(1e9))


def global_seed_generator():
    """The generator of unseeded draws (recreated after `utils.set_random_seed`)."""
    if _GLOBAL[0] is None:
        _GLOBAL[0] = SeedGenerator()
    return _GLOBAL[0]


def reset_global_seed_generator():
    """Forget the global generator, so the next unseeded draw starts from the new seed."""
    _GLOBAL[0] = None


def draw_seed(seed):
    """The `[seed, counter]` state for one draw with `seed` (None, an int or a SeedGenerator)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.array([int(seed), 0], dtype=np.int64)
    if seed is None:
        return global_seed_generator().next(ordered=False)
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed!r} (of type {type(seed)})")


def numpy_generator(seed):
    """A NumPy `Generator` for one draw with `seed` (None, an int or a SeedGenerator).

    Example:
        >>> numpy_generator(3).random() == numpy_generator(3).random()
        True
    """
    state = draw_seed(seed)
    return np.random.default_rng([int(v) & 0xFFFFFFFFFFFFFFFF for v in state])
