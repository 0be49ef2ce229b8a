"""Random numbers with Keras 3's `keras.random` names, seeded by `utils.set_random_seed`.

Example:
    >>> gen = nbkeras.random.SeedGenerator(1337)
    >>> eps = nbkeras.random.normal((4, 2), seed=gen)
"""

from nbkeras.random.random import (  # noqa: F401
    beta, binomial, categorical, dropout, gamma, normal, randint, shuffle, truncated_normal,
    uniform,
)
from nbkeras.random.seed_generator import SeedGenerator  # noqa: F401

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]
