"""Dropout (lecture 10): in training, each unit is dropped with probability p.

"Inverted" dropout: a kept unit is scaled by 1/(1 − p), so a unit's expected value is the same in
training and evaluation, and evaluation needs no rescaling: in eval mode Dropout is the identity.
Each unit becomes one × node with a mask leaf 0 (dropped) or 1/(1 − p) (kept), visible in the graph.
The mask leaves are `autograd.compiled.DropoutMask`s: plain constants here, but a compiled tape knows
them and re-draws them for every example.
"""
from ..compiled import DropoutMask
from ..engine import name_scope
from .init import make_rng
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each input with probability p and scale the rest by 1/(1 − p), in train mode only.

    `seed` or `rng` (a numpy Generator) makes the masks reproducible. `name` is the name scope.
    """

    def __init__(self, p=0.5, seed=None, rng=None, name="dropout"):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"dropout probability p must be in [0, 1), got {p!r}")
        self.p, self.name = float(p), name
        self.rng = make_rng(seed, rng)

    def __call__(self, xs):
        if not self.training or self.p == 0.0:
            return list(xs)
        keep = self.rng.random(len(xs)) >= self.p
        with name_scope(self.name):
            return [x * DropoutMask(self.p, k) for x, k in zip(xs, keep)]

    def __repr__(self):
        return f"Dropout(p={self.p})"
