"""Ensemble (lecture 10): several independently trained models vote by averaging their outputs."""
from ..engine import Value
from .module import Module

__all__ = ["Ensemble"]


class Ensemble(Module):
    """`Ensemble(models)(x)` = mean of the members' outputs (a Value, or a list for multi-output members).

    Train each member on its own (e.g. `fit` with a different seed), then combine; `parameters()` lists
    every member's parameters, and `train()` / `eval()` reach every member.
    """

    def __init__(self, models):
        self.models = list(models)
        if not self.models:
            raise ValueError("an Ensemble needs at least one model")
        self.nin = getattr(self.models[0], "nin", None)

    def __call__(self, x):
        outs = [model(x) for model in self.models]
        k = 1.0 / len(outs)
        if isinstance(outs[0], Value):
            return _mean(outs, k)
        return [_mean(column, k) for column in zip(*outs)]

    def children(self):
        return self.models

    def __repr__(self):
        return f"Ensemble of {len(self.models)} models"


def _mean(values, k):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total * k
