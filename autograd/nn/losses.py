"""Losses: each takes the model's outputs (Values) and the targets (numbers) and returns one Value.

    bce    the lab's cost: −mean(y·log h + (1 − y)·log(1 − h)), h in [0, 1] (sigmoid outputs)
    mse    mean((out − y)²)
    hinge  micrograd's max-margin loss: mean(relu(1 − y·score)), y in {−1, 1}
    l2     λ·Σ w² over the weights (not the biases), added to the cost by `fit(..., l2=λ)`
    l1     λ·Σ |w| over the weights, added by `fit(..., l1=λ)`
    cross_entropy  k classes: −mean Σ_k t_k·log p_k over softmax outputs (autograd.nn.multiclass)

Each built-in loss is a mean of per-example terms. `PER_EXAMPLE` describes them for the compiled step
(autograd.nn.modes): one example's term with the target as a Value (so one recorded graph serves every
target), the factor of the sum, and the checks of the eager loss done on whole arrays.
"""
import math

import numpy as np

from ..engine import Value
from ._lookup import by_name
from .multiclass import cross_entropy, cross_entropy_problem, cross_entropy_term

__all__ = ["bce", "mse", "hinge", "l1", "l2", "cross_entropy", "LOSSES", "get_loss", "PerExample", "PER_EXAMPLE"]


def _check(outputs, targets):
    if len(outputs) != len(targets) or not len(outputs):
        raise ValueError(f"need one target per output, got {len(outputs)} outputs and {len(targets)} targets")
    for out in outputs:
        if not isinstance(out, Value):
            raise TypeError(f"a loss takes one Value per example, got {type(out).__name__}; "
                            "a model for these losses must end in a layer of one unit")


def _bad_probability(h):
    """Why an output h outside [0, 1] is no probability, and the fix."""
    if not math.isfinite(h):  # no sigmoid gives nan or ±inf: the parameters (or the inputs) are not finite
        return (f"bce needs probabilities in [0, 1], got output {h!r}: training has diverged (or an input is "
                "nan or inf); lower the learning rate")
    return (f"bce needs probabilities in [0, 1], got output {h!r}; "
            "end the model with a sigmoid (MLP(..., output='sigmoid'))")


def bce(outputs, targets, eps=1e-12):
    """Binary cross-entropy of probabilities h against labels y in [0, 1] (the lab's cost).

    Finite even when h is exactly 0 or 1: each log reads max(h, eps) and max(1 − h, eps), so a
    saturated h costs at most −log(eps) ≈ 27.6 (its gradient is then 0, as with tf.clip_by_value).
    A term whose coefficient is 0 (y = 0 or y = 1) is left out of the graph: same value, fewer nodes.
    """
    _check(outputs, targets)
    terms = []
    for h, y in zip(outputs, targets):
        y = float(y)
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"bce needs targets in [0, 1], got {y!r}")
        if not -1e-9 <= h.data <= 1 + 1e-9:
            raise ValueError(_bad_probability(h.data))
        term = None
        if y != 0.0:
            term = h.maximum(eps).log() * y
        if y != 1.0:
            miss = (1 - h).maximum(eps).log() * (1.0 - y)
            term = miss if term is None else term + miss
        terms.append(term)
    return _sum(terms) * (-1.0 / len(terms))


def mse(outputs, targets):
    """Mean squared error: mean((out − y)²)."""
    _check(outputs, targets)
    return _sum([(out - float(y)) ** 2 for out, y in zip(outputs, targets)]) * (1.0 / len(outputs))


def hinge(outputs, targets):
    """Max-margin loss on scores with labels y in {−1, 1}: mean(relu(1 − y·score)) (micrograd's demo)."""
    _check(outputs, targets)
    for y in targets:
        if y not in (-1, 1):
            raise ValueError(f"hinge needs labels -1 or 1, got {y!r}; for 0/1 labels pass 2 * y - 1")
    return _sum([(1 - out * float(y)).relu() for out, y in zip(outputs, targets)]) * (1.0 / len(outputs))


def l2(weights, lam):
    """λ·Σ w²: L2 regularization (weight decay) over the given weights. Pass `model.weights()`, not biases."""
    if not lam:
        raise ValueError("l2 with λ = 0 adds nothing; leave it out")
    return _sum([w * w for w in weights]) * float(lam)


def l1(weights, lam):
    """λ·Σ|w|: L1 regularization over the given weights, |w| composed as max(w, −w) (gradient ±1, 0 at w = 0)."""
    if not lam:
        raise ValueError("l1 with λ = 0 adds nothing; leave it out")
    return _sum([w.maximum(-w) for w in weights]) * float(lam)


def _sum(values):
    """v0 + v1 + ...: a chain of + nodes with no leading 0 constant (Python's sum() starts at 0)."""
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


LOSSES = {"bce": bce, "mse": mse, "hinge": hinge, "cross_entropy": cross_entropy}


class PerExample:
    """A loss as cost = (factor / n)·Σ_i term(out_i, y_i), for the compiled step.

    `term(out, y)`: one example's term, y a Value (the graph must not branch on it: the same graph serves every
    target). `factor`: −1 for bce, 1 for the others, so the cost equals the eager loss's to rounding.
    `first_problem(outputs, targets)`: on numpy arrays, the first example where the eager loss raises, or None
    (then the compiled step runs eagerly, so the error is the eager one, word for word).
    """

    def __init__(self, term, factor, first_problem):
        self.term, self.factor, self.first_problem = term, factor, first_problem


def _first(bad):
    where = np.flatnonzero(bad)
    return int(where[0]) if len(where) else None


def _bce_term(h, y, eps=1e-12):
    # y·ln max(h, ε) + (1 − y)·ln max(1 − h, ε); for y = 0 or 1 a term is × 0, adding exactly 0 as eager leaves it out
    return h.maximum(eps).log() * y + (1 - h).maximum(eps).log() * (1 - y)


def _bce_problem(outputs, targets):
    # bce's checks: targets in [0, 1], outputs in [0, 1] up to 1e-9 (nan fails both comparisons)
    return _first(~((targets >= 0) & (targets <= 1)) | ~((outputs >= -1e-9) & (outputs <= 1 + 1e-9)))


PER_EXAMPLE = {
    bce: PerExample(_bce_term, -1.0, _bce_problem),
    mse: PerExample(lambda out, y: (out - y) ** 2, 1.0, lambda outputs, targets: None),
    hinge: PerExample(lambda out, y: (1 - out * y).relu(), 1.0,
                      lambda outputs, targets: _first((targets != -1) & (targets != 1))),
    cross_entropy: PerExample(cross_entropy_term, -1.0, cross_entropy_problem),  # out and y: k Values each
}


def get_loss(loss):
    """The loss function for a name in LOSSES, or `loss` itself when it is callable."""
    return by_name(LOSSES, loss, "loss", "a function (outputs, targets) -> Value")

