"""Weight initialization schemes (lecture 10: "we initialized the weights in a stupid way").

Each scheme is a plain function `(fan_in, fan_out, rng) -> numpy array of shape (fan_in, fan_out)`,
in the lab's `x @ W` convention: W[i][j] connects input i to unit j.

Biases are zeros by default (`bias_init="zeros"`); `bias_init="normal"` draws them from N(0, 1) as the
lab's `tf.random_normal([n])` does (any scheme name works: it draws a (1, fan_out) row).
"""
import numpy as np

from ._checks import integer
from ._lookup import by_name

__all__ = ["normal", "uniform", "xavier", "he", "zeros", "INITS", "get_init", "make_rng", "init_bias"]


def make_rng(seed=None, rng=None):
    """A numpy Generator from `seed` (int or None) or an existing Generator `rng` (used as is).

    Every random choice in chainrule goes through one of these, so a fixed seed gives the same run.
    Without either, the generator is seeded from the OS: the run is not reproducible.
    """
    if rng is not None:
        if seed is not None:
            raise ValueError("pass either seed= or rng=, not both")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
        return rng
    if seed is not None:
        seed = integer("seed", seed, 0, hint="or None for a fresh, unreproducible generator")
    return np.random.default_rng(seed)


def normal(fan_in, fan_out, rng):
    """N(0, 1): the lab's tf.random_normal. Its std stays 1 whatever the layer size."""
    return rng.standard_normal((fan_in, fan_out))


def uniform(fan_in, fan_out, rng):
    """U(−1, 1), micrograd's choice: std 1/√3 ≈ 0.577."""
    return rng.uniform(-1.0, 1.0, (fan_in, fan_out))


def xavier(fan_in, fan_out, rng):
    """Xavier/Glorot as the lecture writes it: randn / √fan_in, so std = 1/√fan_in."""
    return rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)


def he(fan_in, fan_out, rng):
    """He (for ReLU): randn / √(fan_in / 2), so std = √(2 / fan_in)."""
    return rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in / 2)


def zeros(fan_in, fan_out, rng):
    """All zeros (draws nothing from rng). Fine for biases; for weights every unit of a layer stays equal."""
    return np.zeros((fan_in, fan_out))


INITS = {"normal": normal, "uniform": uniform, "xavier": xavier, "he": he, "zeros": zeros}


def get_init(init):
    """The init function for a name in INITS, or `init` itself when it is callable."""
    return by_name(INITS, init, "init", "a function (fan_in, fan_out, rng) -> array")


def init_bias(bias_init, fan_out, rng):
    """A bias vector of length fan_out: one (1, fan_out) row of the scheme `bias_init`."""
    return np.asarray(get_init(bias_init)(1, fan_out, rng), dtype=float).reshape(fan_out)
