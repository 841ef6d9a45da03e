"""MLP: a stack of Layers, micrograd's `MLP(nin, nouts)` with the lab's options.

    model = MLP(2, [2, 1], activation="sigmoid", seed=0)     # the lab's 2-2-1 net
    model([0.0, 1.0])                                        # one Value (the last layer has one unit)
    MLP.from_weights([W1, W2], [b1, b2], activation="sigmoid")   # the lecture's hand-set net
"""
import numpy as np

from ..engine import Value, name_scope
from .dropout import Dropout
from .init import make_rng
from .module import Layer, Module
from .multiclass import softmax

__all__ = ["MLP"]


class MLP(Module):
    """Fully connected layers `nin → nouts[0] → ... → nouts[-1]`, named layer1, layer2, ...

    activation: hidden layers' activation (a name in ACTIVATIONS or a function of a Value).
    output: the last layer's activation; None means the same as `activation` (the lab's sigmoid
        everywhere). For micrograd's linear output write output="identity". output="softmax" makes the last
        layer linear and puts a softmax over its units: model(x) is then a list of k probabilities (k classes).
    init, bias_init: weight and bias schemes (see autograd.nn.init); biases are zeros unless
        bias_init="normal" (the lab's tf.random_normal).
    dropout: probability p of a Dropout after every hidden layer (0 = none).
    pieces: linear pieces per unit when activation="maxout".
    seed / rng: the one random generator for the initial weights and the dropout masks.

    Keeps micrograd's attributes: `layers` (the Layers, without dropouts), each with `neurons`,
    each with `w` and `b`. `dropouts` holds the Dropout after each hidden layer (or None).
    """

    def __init__(self, nin, nouts, activation="sigmoid", output=None, init="normal", bias_init="zeros",
                 dropout=0.0, pieces=2, seed=None, rng=None, _weights=None):
        nouts = list(nouts) if isinstance(nouts, (list, tuple)) else [nouts]
        if not nouts:
            raise ValueError("nouts must list at least one layer size, e.g. MLP(2, [2, 1])")
        rng = make_rng(seed, rng)
        sizes = [nin] + nouts
        self.output = "softmax" if output == "softmax" else None  # a softmax over the last layer's units
        output = "identity" if output == "softmax" else output
        activations = [activation] * (len(nouts) - 1) + [activation if output is None else output]
        Ws, bs = _weights if _weights is not None else ([None] * len(nouts), [None] * len(nouts))
        self.layers = [Layer(sizes[l], sizes[l + 1], activations[l], init, bias_init, rng=rng,
                             weights=Ws[l], biases=bs[l], pieces=pieces, index=l + 1)
                       for l in range(len(nouts))]
        self.dropouts = [Dropout(dropout, rng=rng, name=f"dropout{l + 1}") if dropout else None
                         for l in range(len(nouts) - 1)]
        self.nin = self.layers[0].nin

    @classmethod
    def from_weights(cls, weights, biases, activation="sigmoid", output=None, dropout=0.0, seed=None, rng=None):
        """An MLP with every weight and bias set by hand, in the lab's x @ W convention.

        `weights[l]` has shape (n_in, n_out) (W[i][j] connects input i to unit j; (n_in, n_out, pieces)
        for maxout) and `biases[l]` shape (n_out,). The lecture's XOR net:

            MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
        """
        Ws = [np.asarray(W, dtype=float) for W in weights]
        bs = [np.asarray(b, dtype=float) for b in biases]
        if len(Ws) != len(bs) or not Ws:
            raise ValueError(f"need one bias vector per weight matrix, got {len(Ws)} matrices and {len(bs)} biases")
        for l, W in enumerate(Ws):
            if W.ndim not in (2, 3):
                raise ValueError(f"weights[{l}] must be a matrix (n_in, n_out), got shape {W.shape}")
            if l and W.shape[0] != Ws[l - 1].shape[1]:
                raise ValueError(f"weights[{l}] has {W.shape[0]} rows but layer {l} has {Ws[l - 1].shape[1]} units")
        pieces = Ws[0].shape[2] if Ws[0].ndim == 3 else 2
        return cls(Ws[0].shape[0], [W.shape[1] for W in Ws], activation, output, dropout=dropout, pieces=pieces,
                   seed=seed, rng=rng, _weights=(Ws, bs))

    def __call__(self, x):
        x = [xi if isinstance(xi, Value) else float(xi) for xi in x]
        for l, layer in enumerate(self.layers):
            x = layer(x)
            if l < len(self.dropouts) and self.dropouts[l] is not None:
                x = self.dropouts[l](x)
        if self.output == "softmax":
            with name_scope("softmax"):
                return softmax(x)
        return x[0] if len(x) == 1 else x

    def children(self):
        return self.layers + [d for d in self.dropouts if d is not None]

    def save(self, path):
        """Write this network to `path` as readable JSON (see autograd.nn.io); `autograd.nn.load(path)` reads it."""
        from .io import save

        return save(self, path)

    def to_torch(self):
        """This network as a float64 torch.nn.Sequential with the same weights (see autograd.nn.export)."""
        from .export import to_torch

        return to_torch(self)

    def get_weights(self):
        """([W1, W2, ...], [b1, b2, ...]) as numpy arrays, W_l of shape (n_in, n_out), b_l of shape (n_out,)."""
        pairs = [layer.get_weights() for layer in self.layers]
        return [W for W, _ in pairs], [b for _, b in pairs]

    def set_weights(self, weights, biases):
        """Set every weight and bias in place from lists of arrays shaped as `get_weights()` returns."""
        if len(weights) != len(self.layers) or len(biases) != len(self.layers):
            raise ValueError(f"this MLP has {len(self.layers)} layers: pass {len(self.layers)} weight matrices "
                             f"and {len(self.layers)} bias vectors, got {len(weights)} and {len(biases)}")
        for layer, W, b in zip(self.layers, weights, biases):
            layer.set_weights(W, b)
        return self

    def named_weights(self):
        """{"W1": array, "b1": array, "W2": ...}: the parameters by the lab's names (for histograms)."""
        named = {}
        for layer in self.layers:
            W, b = layer.get_weights()
            named[f"W{layer.index}"], named[f"b{layer.index}"] = W, b
        return named

    def __repr__(self):
        parts = []
        for l, layer in enumerate(self.layers):
            parts.append(str(layer))
            if l < len(self.dropouts) and self.dropouts[l] is not None:
                parts.append(str(self.dropouts[l]))
        return f"MLP of [{', '.join(parts)}]"
