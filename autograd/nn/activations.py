"""Activation functions, by name and as functions of one Value.

Each is built from the engine's ops, so its nodes (and local gradients) show up in the graph.
`maxout` is the odd one: it takes a unit's k pre-activations (its k linear pieces) and returns their
max, so a layer with activation="maxout" gives each unit k weight vectors (see `MaxoutNeuron`).
Parametrized variants: pass a function, e.g. `functools.partial(elu, alpha=0.5)` or `lambda v: v.elu(0.5)`.
"""

from ._lookup import by_name

__all__ = ["sigmoid", "sigmoid_fused", "tanh", "relu", "leaky_relu", "elu", "identity", "maxout",
           "ACTIVATIONS", "get_activation"]


def sigmoid(x):
    """σ(x) = 1/(1 + e^−x), composed of four nodes as the lecture draws it (×−1, exp, +1, 1/x)."""
    return x.sigmoid()


def sigmoid_fused(x):
    """σ(x) as one node with local gradient σ(1 − σ): same numbers, a smaller graph, faster."""
    return x.sigmoid(fused=True)


def tanh(x):
    """tanh x."""
    return x.tanh()


def relu(x):
    """max(0, x): lecture 10's better non-linearity."""
    return x.relu()


def leaky_relu(x, slope=0.1):
    """max(slope·x, x) (slope 0.1 as in the lecture)."""
    return x.leaky_relu(slope)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha·(e^x − 1)."""
    return x.elu(alpha)


def identity(x):
    """x itself: a linear unit."""
    return x


def maxout(zs):
    """max(z_1, ..., z_k) over a unit's k linear pieces; the gradient flows to the largest piece."""
    out = zs[0]
    for z in zs[1:]:
        out = out.maximum(z)
    return out


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "sigmoid_fused": sigmoid_fused,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "maxout": maxout,
    "identity": identity,
}


def get_activation(activation):
    """The activation function for a name in ACTIVATIONS, or `activation` itself when it is callable."""
    return by_name(ACTIVATIONS, activation, "activation", "a function of one Value")
