"""Toy data sets for the networks, numpy only: XOR, two moons, spirals, and a seeded train/test split.

Each returns `X` (float array, n × 2) and `y` (int array of class labels, length n). Randomness comes
from `seed=` (an int) or `rng=` (a numpy Generator): the same seed gives the same points.
"""
import numpy as np

from ..nn._checks import integer, number
from ..nn.init import make_rng

__all__ = ["xor", "moons", "spirals", "train_test_split", "DATASETS", "load"]


def _noise(noise):
    return number("noise", noise, minimum=0, hint="the standard deviation of the Gaussian noise, e.g. 0.1")


def xor():
    """The lab's four points: X = [[0,0],[0,1],[1,0],[1,1]], y = [0, 1, 1, 0]."""
    return np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0, 1, 1, 0])


def moons(n=100, noise=0.1, seed=None, rng=None):
    """Two interleaving half circles (scikit-learn's make_moons, shuffled): class 0 is the upper moon.

    `n` points in all (the upper moon gets n // 2), plus Gaussian noise of std `noise` on each coordinate.
    """
    n, noise, rng = integer("n", n, 2), _noise(noise), make_rng(seed, rng)
    n_upper = n // 2
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n - n_upper)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=int), np.ones(n - n_upper, dtype=int)])
    order = rng.permutation(n)
    return X[order], y[order]


def spirals(n=100, classes=2, noise=0.05, turns=1.0, seed=None, rng=None):
    """`classes` interleaved spiral arms around the origin (CS231n's spiral data), shuffled.

    `n` points in all, split as evenly as possible; arm k starts at angle 2πk/classes, winds `turns`
    times while its radius grows from 0 to 1, and gets Gaussian noise of std `noise` on each coordinate.
    """
    n, noise, rng = integer("n", n, 2), _noise(noise), make_rng(seed, rng)
    classes = integer("classes", classes, 2)
    if classes > n:
        raise ValueError(f"spirals needs at least one point per class: got n={n} points for classes={classes}; "
                         f"use n >= {classes}")
    turns = number("turns", turns, above=0)
    sizes = [n // classes + (k < n % classes) for k in range(classes)]
    X, y = [], []
    for k, m in enumerate(sizes):
        r = np.linspace(0.05, 1.0, m)
        theta = 2 * np.pi * (turns * r + k / classes)
        X.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        y.append(np.full(m, k, dtype=int))
    X = np.vstack(X) + noise * rng.standard_normal((n, 2))
    y = np.concatenate(y)
    order = rng.permutation(n)
    return X[order], y[order]


def train_test_split(X, y, test_size=0.25, seed=None, rng=None):
    """Shuffle and split: returns X_train, X_test, y_train, y_test (scikit-learn's order).

    `test_size` is a fraction in (0, 1) (rounded, at least one example each side) or a count.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must have the same length, got {n} and {len(y)}")
    if n < 2:
        raise ValueError(f"need at least 2 examples to split, got {n}")
    if isinstance(test_size, (float, np.floating)) and 0 < test_size < 1:
        n_test = min(max(int(round(n * test_size)), 1), n - 1)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool) and 1 <= test_size < n:
        n_test = int(test_size)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count in [1, {n - 1}], got {test_size!r}")
    order = make_rng(seed, rng).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


DATASETS = ("xor", "moons", "spirals")


def load(name, n=200, noise=None, seed=None, rng=None):
    """A data set by name: "xor" (the lab's four points; n, noise and seed unused), "moons" or "spirals"
    (n points, noise std; default noise 0.1 for moons, 0.05 for spirals)."""
    if name == "xor":
        return xor()
    if name == "moons":
        return moons(n, 0.1 if noise is None else noise, seed=seed, rng=rng)
    if name == "spirals":
        return spirals(n, noise=0.05 if noise is None else noise, seed=seed, rng=rng)
    raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
