"""k classes: softmax over a layer's outputs, cross-entropy against class labels, and argmax accuracy.

softmax is composed from the engine's primitives as the lecture draws it: exp of each logit, their sum, and
each exp times the reciprocal of the sum,

    p_k = exp(z_k − m) · 1/s,      s = Σ_j exp(z_j − m),      m = max_j z_j

The shift by the largest logit m keeps every exp ≤ 1 (no overflow at z = 1000) and changes nothing, since
softmax is shift-invariant: p(z − m) = p(z). m is a node of the graph (a chain of `max` nodes), not a number
read from `.data`: the compiled tape records one example's graph and replays it on every other, and it refuses
a graph that reads a value in Python (that example's max would be wrong for the next). The gradient reaching m
is −Σ_k ∂L/∂(z_k − m) = −(1 − Σ_k p_k)·Σ_k p_k·∂L/∂p_k: zero in exact arithmetic, a rounding error (≈1e-16 of
the gradient) in floats, so the logits' gradients are PyTorch's to 1e-12. `safe=False` leaves the shift out:
the lecture's picture exactly, for small logits.

cross_entropy(outputs, targets) = −mean_i Σ_k t_ik·ln max(p_ik, ε): the lab's bce for k classes, finite when a
probability is exactly 0 (ε = 1e-12 caps a term at −ln ε ≈ 27.6). Targets are class indices (0 … k−1) or
one-hot rows. The fused form, `fused=True`, goes around the probabilities, straight from the logits by the
log-sum-exp, reusing the softmax's own sum s and shift m:

    −ln p_y = ln s + m − z_y

Four new nodes per example, no reciprocal, no k products and no ε in the backward walk: exact for every logit
(its gradient p − t holds even when p_y underflows to 0), which is what a big graph (many classes, many
examples, large logits) wants. `fit` uses the drawn form, so that eager and compiled steps give the same numbers.
"""
import math
from numbers import Integral, Real

import numpy as np

from ..engine import Value
from .activations import maxout

__all__ = ["softmax", "log_softmax", "Probabilities", "cross_entropy", "one_hot", "argmax_accuracy",
           "cross_entropy_term", "cross_entropy_problem"]

EPS = 1e-12  # the smallest probability a log reads: −ln ε ≈ 27.6 caps one example's cost


class Probabilities(list):
    """softmax's result: the k probabilities (Values) as a list, and the nodes behind them: `logits` (z),
    `total` (s = Σ_j exp(z_j − m)) and `shift` (m, or None without the shift), for the fused cross-entropy."""

    def __init__(self, probabilities, logits, total, shift):
        super().__init__(probabilities)
        self.logits, self.total, self.shift = list(logits), total, shift


def _values(zs, name):
    """zs as a non-empty list of Values (plain numbers become constant leaves)."""
    if isinstance(zs, Value) or not hasattr(zs, "__len__") or not len(zs):
        raise TypeError(f"{name} takes a non-empty list of Values (a layer's outputs), got {zs!r:.80}")
    out = []
    for z in zs:
        if isinstance(z, Value):
            out.append(z)
        elif isinstance(z, Real) and not isinstance(z, bool):
            out.append(Value(float(z)))
        else:
            raise TypeError(f"{name} takes Values or numbers, got {type(z).__name__}: {z!r:.40}")
    return out


def _sum(values):
    """v0 + v1 + ...: a chain of + nodes with no leading 0 constant."""
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _shifted(zs):
    """(z_k − m for every k, m): m = max_j z_j as a node, then one × (−1) and one + per logit."""
    m = maxout(zs)
    minus_m = m * -1.0
    return [z + minus_m for z in zs], m


def softmax(zs, safe=True):
    """p_k = exp(z_k) / Σ_j exp(z_j) over the Values zs (a layer's outputs): a Probabilities list.

    Drawn as the lecture builds it: exp of each, their sum, its reciprocal, each exp times it. `safe=True`
    subtracts the largest logit first (a node of the graph; see the module docstring), so no exp overflows.
    """
    zs = _values(zs, "softmax")
    shifted, m = _shifted(zs) if safe else (zs, None)
    es = [z.exp() for z in shifted]
    total = _sum(es)
    inverse = total.reciprocal()
    return Probabilities([e * inverse for e in es], zs, total, m)


def log_softmax(zs):
    """ln p_k = z_k − lse(z), lse(z) = m + ln Σ_j exp(z_j − m): the log-probabilities without a division."""
    zs = _values(zs, "log_softmax")
    minus_lse = _lse(zs) * -1.0
    return [z + minus_lse for z in zs]


def _lse(zs):
    """ln Σ_j exp(z_j), computed as m + ln Σ_j exp(z_j − m) so that no exp overflows."""
    shifted, m = _shifted(zs)
    return _sum([z.exp() for z in shifted]).log() + m


# --- targets --------------------------------------------------------------------------------------------------


def one_hot(labels, k):
    """Class indices (n,) as one-hot rows (n, k) of floats: row i has a 1 in column labels[i]."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.all(np.isfinite(labels.astype(float))) or np.any(labels != np.round(labels)):
        raise ValueError(f"class labels must be whole numbers 0 … {k - 1}, one per example, got {labels!r:.80}")
    labels = labels.astype(int)
    if len(labels) and (labels.min() < 0 or labels.max() >= k):
        bad = labels[(labels < 0) | (labels >= k)][0]
        raise ValueError(f"class label {bad} is outside 0 … {k - 1}: the model has {k} outputs; "
                         f"give it one output per class (MLP(..., [..., {bad + 1}], output='softmax'))")
    rows = np.zeros((len(labels), k))
    rows[np.arange(len(labels)), labels] = 1.0
    return rows


def _target_row(target, k, i):
    """One example's target as k weights t_k: a class index, or a row of k numbers ≥ 0 summing to 1."""
    if isinstance(target, Integral) or (isinstance(target, Real) and float(target).is_integer()):
        if not 0 <= target < k:
            raise ValueError(f"cross_entropy: target {target!r} of example {i} is outside the classes 0 … {k - 1}")
        row = [0.0] * k
        row[int(target)] = 1.0
        return row
    row = np.asarray(target, dtype=float).reshape(-1)
    if row.shape != (k,) or np.any(~(row >= 0)) or abs(row.sum() - 1.0) > 1e-9:
        raise ValueError(f"cross_entropy: target of example {i} must be a class index 0 … {k - 1} or a one-hot row "
                         f"of {k} numbers ≥ 0 summing to 1, got {target!r:.80}")
    return row.tolist()


def _check_probabilities(ps, i):
    for p in ps:
        if not -1e-9 <= p.data <= 1 + 1e-9:
            fix = ("training has diverged (or an input is nan or inf); lower the learning rate"
                   if not math.isfinite(p.data) else "end the model with a softmax (MLP(..., output='softmax'))")
            raise ValueError(f"cross_entropy needs probabilities in [0, 1], got {p.data!r} in example {i}; {fix}")


def _examples(outputs, targets):
    """outputs as lists of k Values and targets as rows of k weights, checked."""
    if len(outputs) != len(targets) or not len(outputs):
        raise ValueError(f"need one target per output, got {len(outputs)} outputs and {len(targets)} targets")
    rows = []
    for i, (out, target) in enumerate(zip(outputs, targets)):
        if isinstance(out, Value):
            raise TypeError("cross_entropy takes k probabilities per example (a softmax layer's outputs), got one "
                            "Value; for one output unit use bce")
        rows.append(_target_row(target, len(out), i))
    return rows


def cross_entropy(outputs, targets, fused=False, eps=EPS):
    """−mean_i Σ_k t_ik·ln max(p_ik, ε): the cost of k-class probabilities against their classes, one Value.

    outputs: per example, the k probabilities of a softmax (MLP(..., output="softmax") gives them).
    targets: per example, a class index 0 … k−1 or a one-hot row of k numbers.
    A term with t_ik = 0 is left out of the graph (same value, fewer nodes). `fused=True` computes each
    example's cost from the logits behind its softmax as lse(z) − Σ_k t_k·z_k (see the module docstring).
    """
    rows = _examples(outputs, targets)
    terms = []
    for i, (out, row) in enumerate(zip(outputs, rows)):
        if fused:
            terms.append(_fused_term(out, row, i))
            continue
        _check_probabilities(out, i)
        # −Σ_k t_k·ln max(p_k, ε): the max keeps ln finite at p = 0 (its gradient is then 0, as bce's clip)
        terms.append(_sum([p.maximum(eps).log() * (-t) for p, t in zip(out, row) if t != 0.0]))
    return _sum(terms) * (1.0 / len(terms))


def _fused_term(out, row, i):
    """ln s + m − Σ_k t_k·z_k for one example: lse(z) − z_y from the nodes behind its softmax."""
    if not isinstance(out, Probabilities):
        raise ValueError(f"cross_entropy(fused=True) needs the logits: example {i}'s outputs are not a softmax's "
                         "(Probabilities); pass the results of softmax(zs), or use fused=False")
    lse = out.total.log() if out.shift is None else out.total.log() + out.shift
    picked = _sum([z * t for z, t in zip(out.logits, row) if t != 0.0])
    return lse + picked * -1.0


def argmax_accuracy(outputs, targets):
    """Fraction of examples whose largest output is the target class (targets: indices or one-hot rows)."""
    if len(outputs) and isinstance(outputs[0][0], Value):
        outputs = [[o.data for o in out] for out in outputs]
    outputs = np.asarray(outputs, dtype=float)
    targets = np.asarray(targets, dtype=float)
    classes = targets.argmax(axis=1) if targets.ndim == 2 else targets
    if len(outputs) != len(classes) or not len(classes):
        raise ValueError(f"need one target per output, got {len(outputs)} outputs and {len(classes)} targets")
    return float(np.mean(outputs.argmax(axis=1) == classes))


# --- the compiled step's form of the loss (autograd.nn.modes) ------------------------------------------------


def cross_entropy_term(out, t, eps=EPS):
    """Σ_k t_k·ln max(p_k, ε) for one example, t a list of k Values (one-hot): no branch on the target, so one
    recorded graph serves every example; × 0 adds exactly 0 where eager leaves the term out. The cost is −mean."""
    return _sum([p.maximum(eps).log() * t_k for p, t_k in zip(out, t)])


def cross_entropy_problem(outputs, targets):
    """The first example (row of numpy arrays (n, k)) where `cross_entropy` would raise, or None."""
    outputs, targets = np.asarray(outputs, dtype=float), np.asarray(targets, dtype=float)
    bad_p = ~((outputs >= -1e-9) & (outputs <= 1 + 1e-9)).all(axis=1)
    bad_t = ~(targets >= 0).all(axis=1) | (np.abs(targets.sum(axis=1) - 1.0) > 1e-9)
    where = np.flatnonzero(bad_p | bad_t)
    return int(where[0]) if len(where) else None
