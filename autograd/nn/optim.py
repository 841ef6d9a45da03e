"""Optimizers: each holds a list of parameters and moves them with `step()` after `backward()`.

The update rules are PyTorch's (torch.optim.SGD with dampening 0, torch.optim.Adam), so the same
parameters and gradients give the same numbers.
"""
import math

from ._checks import number

__all__ = ["Optimizer", "SGD", "Adam", "OPTIMIZERS", "make_optimizer"]


class Optimizer:
    """Base class: `params` (a list of Values), `zero_grad()`, and `step()` in subclasses."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters: pass model.parameters()")
        self.lr = number("lr (the learning rate)", lr, above=0)

    def zero_grad(self):
        """Set every parameter's grad to 0 before the next backward()."""
        for p in self.params:
            p.grad = 0.0

    def step(self):
        """Update every parameter's data from its grad (each optimizer's own rule)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, p ← p − lr·g; with momentum μ (PyTorch's form): v ← μ·v + g, p ← p − lr·v."""

    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, lr)
        self.momentum = number("momentum", momentum, minimum=0, below=1)
        self.velocity = None  # v, one per parameter, made on the first step (v = g then)

    def step(self):
        """One update from the parameters' current grads."""
        if not self.momentum:
            for p in self.params:
                p.data -= self.lr * p.grad
            return
        if self.velocity is None:
            self.velocity = [p.grad for p in self.params]
        else:
            self.velocity = [self.momentum * v + p.grad for v, p in zip(self.velocity, self.params)]
        for p, v in zip(self.params, self.velocity):
            p.data -= self.lr * v


class Adam(Optimizer):
    """Adam (Kingma & Ba): running means of g and g², bias-corrected, p ← p − lr·m̂/(√v̂ + eps).

    betas: a pair (β1, β2), each in [0, 1). eps must be > 0: it keeps the step finite where g = 0
    (with eps = 0 that step would be 0/0).
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {betas!r}")
        self.beta1 = number("betas[0]", betas[0], minimum=0, below=1)
        self.beta2 = number("betas[1]", betas[1], minimum=0, below=1)
        self.eps = number("eps", eps, above=0, hint="it keeps the step finite where the gradient is 0 (try 1e-8)")
        self.m = [0.0] * len(self.params)  # mean of g
        self.v = [0.0] * len(self.params)  # mean of g²
        self.t = 0

    def step(self):
        """One update from the parameters' current grads."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1 - b1 ** self.t)
        correction2 = math.sqrt(1 - b2 ** self.t)
        for k, p in enumerate(self.params):
            g = p.grad
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            p.data -= step_size * self.m[k] / (math.sqrt(self.v[k]) / correction2 + self.eps)


OPTIMIZERS = {
    "sgd": lambda params, lr: SGD(params, lr),
    "momentum": lambda params, lr: SGD(params, lr, momentum=0.9),
    "adam": lambda params, lr: Adam(params, lr),
}


def make_optimizer(optimizer, params, lr):
    """An Optimizer from a name in OPTIMIZERS ("sgd", "momentum" = SGD with μ = 0.9, "adam"), or `optimizer`
    itself when it is already an Optimizer."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} "
                         "or pass an Optimizer, e.g. SGD(model.parameters(), lr=0.1, momentum=0.5)")
    return OPTIMIZERS[optimizer](params, lr)
