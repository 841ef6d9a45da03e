"""TensorFlow Playground's four data sets and its extra input features, on numpy.

    from autograd.lab.playground import load, with_features
    X_train, X_test, y_train, y_test = load("spiral", n=500, noise=0.1, train_ratio=0.5, seed=0)
    X_train = with_features(X_train, ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"])

The generators follow playground.tensorflow.org's dataset.ts, with the points in the same square (−6 … 6) and
the noise as a fraction (the Playground's slider 0 … 50 is noise 0 … 0.5):

    circle  n/2 points at radius 0 … 2.5 (class 1) and n/2 at 3.5 … 5 (class 0); noise moves the point
            used for the label, so points near the border may carry the other class
    gauss   two Gaussian blobs at (2, 2) (class 1) and (−2, −2) (class 0); the variance grows from 0.5 with noise
    xor     uniform points in four quadrants kept 0.3 off the axes; class 1 where x1·x2 ≥ 0 (labelled after noise)
    spiral  two arms of n/2 points winding 1.75 turns out to radius 5, the second turned by π; noise is added
            to the coordinates

Labels are 0 and 1 (the Playground's −1 becomes 0), ints; X is float, n × 2. Same seed, same points.
"""
import numpy as np

from ..nn._checks import number, positive_int
from ..nn.init import make_rng
from .data import train_test_split

__all__ = ["circle", "gauss", "xor_quadrants", "spiral", "PLAYGROUND", "FEATURES", "with_features", "load"]

RADIUS = 5.0  # the Playground's data lie within [−RADIUS − 1, RADIUS + 1]²


def _args(n, noise, seed, rng):
    """n (an int ≥ 2), noise (a number ≥ 0) and the random generator, checked."""
    n = positive_int("n", n)
    if n < 2:
        raise ValueError(f"n must be an int >= 2 (one point of each class at least), got {n}")
    return n, number("noise", noise, minimum=0.0), make_rng(seed, rng)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order].astype(int)


def circle(n=500, noise=0.0, seed=None, rng=None):
    """Class 1 inside radius 2.5, class 0 in the ring 3.5 … 5; each label is read after noise·U(−5, 5) moves the point."""
    n, noise, rng = _args(n, noise, seed, rng)
    inner, outer = n // 2, n - n // 2
    r = np.concatenate([rng.uniform(0, RADIUS * 0.5, inner), rng.uniform(RADIUS * 0.7, RADIUS, outer)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    y = np.hypot(moved[:, 0], moved[:, 1]) < RADIUS * 0.5
    return _shuffled(X, y, rng)


def gauss(n=500, noise=0.0, seed=None, rng=None):
    """Two Gaussian blobs, class 1 around (2, 2) and class 0 around (−2, −2), variance 0.5 + 7·noise (to 4 at 0.5)."""
    n, noise, rng = _args(n, noise, seed, rng)
    variance = 0.5 + 7.0 * noise  # the Playground's scale: noise 0 → 0.5, noise 0.5 → 4
    half = n // 2
    centres = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    X = centres + np.sqrt(variance) * rng.standard_normal((n, 2))
    y = np.arange(n) < half
    return _shuffled(X, y, rng)


def xor_quadrants(n=500, noise=0.0, seed=None, rng=None):
    """Uniform points in (−5, 5)², pushed 0.3 off each axis; class 1 where x1·x2 ≥ 0 after noise·U(−5, 5)."""
    n, noise, rng = _args(n, noise, seed, rng)
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # a gap along the axes, as the Playground's padding
    moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    y = moved[:, 0] * moved[:, 1] >= 0
    return _shuffled(X, y, rng)


def spiral(n=500, noise=0.0, seed=None, rng=None):
    """Two spiral arms of n/2 points, radius 0 → 5 over 1.75 turns; class 1 from angle 0, class 0 from π."""
    n, noise, rng = _args(n, noise, seed, rng)
    arms = []
    for label, size, turn in ((1, n // 2, 0.0), (0, n - n // 2, np.pi)):
        i = np.arange(size) / size
        r, t = i * RADIUS, 1.75 * i * 2 * np.pi + turn
        points = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (size, 2)) * noise
        arms.append((points, np.full(size, label)))
    X, y = np.vstack([a[0] for a in arms]), np.concatenate([a[1] for a in arms])
    return _shuffled(X, y, rng)


PLAYGROUND = {"circle": circle, "gauss": gauss, "xor": xor_quadrants, "spiral": spiral}

# the Playground's input features, each a function of the columns x1, x2
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def with_features(X, features=("x1", "x2")):
    """The columns `features` (names in FEATURES) computed from the 2-D points X (n, 2): an (n, len(features)) array.

    A network then takes len(features) inputs: MLP(len(features), [...]).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"with_features needs 2-D points X of shape (n, 2), got shape {X.shape}")
    if isinstance(features, str) or not len(features):
        raise TypeError(f"features must be a non-empty list of names from {', '.join(FEATURES)}, got {features!r}")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    return np.column_stack([FEATURES[f](X[:, 0], X[:, 1]) for f in features])


def load(name, n=500, noise=0.0, train_ratio=0.5, seed=None, rng=None):
    """A Playground data set by name, split as the Playground splits it: X_train, X_test, y_train, y_test.

    train_ratio: the fraction of the n points to train on (the Playground's 10 … 90 %), in (0, 1).
    """
    if name not in PLAYGROUND:
        raise ValueError(f"unknown Playground data set {name!r}; choose one of {', '.join(PLAYGROUND)}")
    ratio = number("train_ratio", train_ratio, above=0.0, below=1.0, hint="the fraction of points to train on")
    rng = make_rng(seed, rng)
    X, y = PLAYGROUND[name](n, noise, rng=rng)
    return train_test_split(X, y, test_size=1.0 - ratio, rng=rng)
