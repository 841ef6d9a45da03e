"""Module, Neuron, MaxoutNeuron and Layer: micrograd's shapes, with the lab's names and matrices.

A layer's weights form a matrix W of shape (nin, nout) in the lab's `x @ W` convention: W[i][j]
connects input i to unit j, so neuron j holds column j (`layer.neurons[j].w[i]` is W[i][j]).
Parameters are labelled like the lab's variables, "W1[0,1]" and "b1[1]", and every node a layer
makes is tagged with its name scope ("layer1/neuron0"), so a rendered graph groups by layer.
"""
from contextlib import contextmanager

import numpy as np

from ..engine import Value, name_scope
from ._checks import integer, positive_int
from .activations import get_activation, maxout
from .init import get_init, init_bias, make_rng

__all__ = ["Module", "Neuron", "MaxoutNeuron", "Layer", "structure_version"]

# --- noticing changes: a compiled tape of a model is valid until the model changes ------------------------------

_version = 0  # goes up at every change to any Module's attributes (or to a list or dict held in one)


def structure_version():
    """A number that changes whenever an attribute of any Module is set or deleted (a neuron's activation, a
    Dropout's p, a parameter Value replaced, an Ensemble's member added), or a list or dict a Module holds is
    changed in place. `training` does not count. autograd.nn.modes re-checks a model's cached tapes then."""
    return _version


def _changed():
    global _version
    _version += 1


def _noticing(method):
    def changing(self, *args, **kwargs):
        _changed()
        return method(self, *args, **kwargs)

    changing.__name__ = method.__name__
    return changing


class _List(list):
    """A list held by a Module: changing it in place counts as a change of the Module."""

    __setitem__, __delitem__ = _noticing(list.__setitem__), _noticing(list.__delitem__)
    __iadd__, __imul__ = _noticing(list.__iadd__), _noticing(list.__imul__)
    append, extend, insert = _noticing(list.append), _noticing(list.extend), _noticing(list.insert)
    pop, remove, clear = _noticing(list.pop), _noticing(list.remove), _noticing(list.clear)
    sort, reverse = _noticing(list.sort), _noticing(list.reverse)


class _Dict(dict):
    """A dict held by a Module: changing it in place counts as a change of the Module."""

    __setitem__, __delitem__, __ior__ = _noticing(dict.__setitem__), _noticing(dict.__delitem__), _noticing(dict.__ior__)
    pop, popitem, clear = _noticing(dict.pop), _noticing(dict.popitem), _noticing(dict.clear)
    update, setdefault = _noticing(dict.update), _noticing(dict.setdefault)


def _noticed(value):
    """value with its lists and dicts (nested too) replaced by ones whose in-place changes are noticed."""
    if type(value) in (list, _List):
        return _List(_noticed(v) for v in value)
    if type(value) in (dict, _Dict):
        return _Dict((k, _noticed(v)) for k, v in value.items())
    return value


class Module:
    """Base class: `parameters()`, `weights()`, `zero_grad()`, and `train()` / `eval()` (the `training` flag).

    A subclass lists its sub-modules in `children()`, or overrides `parameters()` and `weights()` itself.
    Setting an attribute (other than `training`) counts as a change of the model (see `structure_version`).
    """

    training = True

    def __setattr__(self, name, value):
        if name != "training":
            _changed()
            value = _noticed(value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        _changed()
        object.__delattr__(self, name)

    def children(self):
        """The modules directly inside this one."""
        return []

    def parameters(self):
        """Every learnable Value (weights and biases)."""
        return [p for child in self.children() for p in child.parameters()]

    def weights(self):
        """The weights only, no biases: what L2 regularization penalizes."""
        return [w for child in self.children() for w in child.weights()]

    def zero_grad(self):
        """Set every parameter's grad to 0 (gradients accumulate across backward() calls)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode=True):
        """Switch this module and everything inside it to training mode (dropout active); returns self."""
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (dropout is the identity); returns self."""
        return self.train(False)

    @contextmanager
    def in_mode(self, training):
        """Within the block, training (True) or evaluation (False) mode; the mode it had before afterwards."""
        was_training = self.training
        self.train(training)
        try:
            yield self
        finally:
            self.train(was_training)


def _affine(w, b, x):
    """w·x + b, as the lab's x @ W + b: one × per input, then the adds, then the bias."""
    z = w[0] * x[0]
    for i in range(1, len(w)):
        z = z + w[i] * x[i]
    return z + b


def _check_nin(nin):
    return positive_int("nin (number of inputs)", nin)


def _check_pieces(pieces):
    return integer("pieces", pieces, 2, hint="maxout needs pieces >= 2 linear pieces per unit")


def _name(fn):
    return getattr(fn, "__name__", None) or getattr(getattr(fn, "func", None), "__name__", "custom")


class Neuron(Module):
    """One unit: activation(w·x + b).

    `w` (list of nin Values) and `b` (a Value) are drawn with `init` and `bias_init` from `seed`/`rng`,
    or set from `weights` (nin numbers) and `bias`. `layer` and `index` only name the parameters:
    weight i is labelled f"W{layer}[{i},{index}]", the bias f"b{layer}[{index}]".
    """

    def __init__(self, nin, activation="sigmoid", init="normal", bias_init="zeros", seed=None, rng=None,
                 weights=None, bias=None, layer=1, index=0):
        nin = _check_nin(nin)
        self.activation = get_activation(activation)
        if self.activation is maxout:
            raise ValueError("a maxout unit has k linear pieces: use MaxoutNeuron(nin, pieces=k)")
        if weights is None or bias is None:
            rng = make_rng(seed, rng)
        if weights is None:
            weights = get_init(init)(nin, 1, rng)[:, 0]
        if bias is None:
            bias = init_bias(bias_init, 1, rng)[0]
        weights = np.asarray(weights, dtype=float).reshape(-1)
        if weights.shape != (nin,):
            raise ValueError(f"a neuron with {nin} inputs needs {nin} weights, got {weights.size}")
        self.w = [Value(float(wi), f"W{layer}[{i},{index}]") for i, wi in enumerate(weights)]
        self.b = Value(float(bias), f"b{layer}[{index}]")

    def __call__(self, x):
        return self.activation(_affine(self.w, self.b, x))

    def parameters(self):
        return self.w + [self.b]

    def weights(self):
        return list(self.w)

    def __repr__(self):
        return f"Neuron({len(self.w)}, {_name(self.activation)})"


class MaxoutNeuron(Module):
    """A maxout unit: max over k linear pieces w_p·x + b_p (Goodfellow et al. 2013).

    `w` is a list of k weight lists and `b` a list of k biases; `weights` has shape (nin, k) and
    `bias` shape (k,). Piece p's weights are labelled f"W{layer}[{i},{index},{p}]".
    """

    def __init__(self, nin, pieces=2, init="normal", bias_init="zeros", seed=None, rng=None,
                 weights=None, bias=None, layer=1, index=0):
        nin = _check_nin(nin)
        pieces = _check_pieces(pieces)
        if weights is None or bias is None:
            rng = make_rng(seed, rng)
        if weights is None:
            weights = get_init(init)(nin, pieces, rng)
        if bias is None:
            bias = init_bias(bias_init, pieces, rng)
        weights, bias = np.asarray(weights, dtype=float), np.asarray(bias, dtype=float).reshape(-1)
        if weights.shape != (nin, pieces) or bias.shape != (pieces,):
            raise ValueError(f"a maxout unit with {nin} inputs and {pieces} pieces needs weights of shape "
                             f"({nin}, {pieces}) and {pieces} biases, got {weights.shape} and {bias.size}")
        self.w = [[Value(float(weights[i, p]), f"W{layer}[{i},{index},{p}]") for i in range(nin)]
                  for p in range(pieces)]
        self.b = [Value(float(bias[p]), f"b{layer}[{index},{p}]") for p in range(pieces)]
        self.activation = maxout

    def __call__(self, x):
        return maxout([_affine(w, b, x) for w, b in zip(self.w, self.b)])

    def parameters(self):
        return [wi for w in self.w for wi in w] + self.b

    def weights(self):
        return [wi for w in self.w for wi in w]

    def __repr__(self):
        return f"MaxoutNeuron({len(self.w[0])}, pieces={len(self.w)})"


class Layer(Module):
    """`nout` units reading the same `nin` inputs; `layer(x)` returns a list of nout Values.

    The weight matrix W (nin, nout) is drawn at once with `init` (then the biases with `bias_init`),
    or given as `weights` (shape (nin, nout), or (nin, nout, pieces) for maxout) and `biases`
    ((nout,) or (nout, pieces)). The layer is named f"layer{index}" and runs inside that name scope.
    """

    def __init__(self, nin, nout, activation="sigmoid", init="normal", bias_init="zeros", seed=None, rng=None,
                 weights=None, biases=None, pieces=2, index=1):
        nin = _check_nin(nin)
        nout = positive_int("nout (number of units)", nout)
        self.nin, self.index, self.name = nin, index, f"layer{index}"
        is_maxout = get_activation(activation) is maxout
        pieces = _check_pieces(pieces) if is_maxout else pieces
        shape_w, shape_b = ((nin, nout, pieces), (nout, pieces)) if is_maxout else ((nin, nout), (nout,))
        if weights is None or biases is None:
            rng = make_rng(seed, rng)
        if weights is None:
            draw = get_init(init)
            weights = (np.stack([draw(nin, nout, rng) for _ in range(pieces)], axis=2) if is_maxout
                       else draw(nin, nout, rng))
        if biases is None:
            biases = (np.stack([init_bias(bias_init, nout, rng) for _ in range(pieces)], axis=1) if is_maxout
                      else init_bias(bias_init, nout, rng))
        weights, biases = np.asarray(weights, dtype=float), np.asarray(biases, dtype=float)
        if weights.shape != shape_w or biases.shape != shape_b:
            raise ValueError(f"{self.name}: weights must have shape {shape_w} and biases {shape_b} "
                             f"(W[i][j] connects input i to unit j), got {weights.shape} and {biases.shape}")
        with name_scope(self.name):
            self.neurons = []
            for j in range(nout):
                with name_scope(f"neuron{j}"):
                    if is_maxout:
                        unit = MaxoutNeuron(nin, pieces, weights=weights[:, j], bias=biases[j], layer=index, index=j)
                    else:
                        unit = Neuron(nin, activation, weights=weights[:, j], bias=biases[j], layer=index, index=j)
                self.neurons.append(unit)

    def __call__(self, x):
        if len(x) != self.nin:
            raise ValueError(f"{self.name} takes {self.nin} inputs, got {len(x)}")
        out = []
        with name_scope(self.name):
            for j, neuron in enumerate(self.neurons):
                with name_scope(f"neuron{j}"):
                    out.append(neuron(x))
        return out

    def children(self):
        return self.neurons

    def get_weights(self):
        """(W, b) as numpy arrays: W of shape (nin, nout) (or (nin, nout, pieces)), b of shape (nout,)."""
        if isinstance(self.neurons[0], MaxoutNeuron):
            W = np.array([[[wi.data for wi in w] for w in n.w] for n in self.neurons])  # (nout, pieces, nin)
            return W.transpose(2, 0, 1), np.array([[b.data for b in n.b] for n in self.neurons])
        W = np.array([[wi.data for wi in n.w] for n in self.neurons]).T
        return W, np.array([n.b.data for n in self.neurons])

    def set_weights(self, W, b):
        """Set every weight and bias in place (the Values stay the same objects, so optimizers keep them)."""
        W_old, b_old = self.get_weights()
        W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
        if W.shape != W_old.shape or b.shape != b_old.shape:
            raise ValueError(f"{self.name}: weights must have shape {W_old.shape} and biases {b_old.shape} "
                             f"(W[i][j] connects input i to unit j), got {W.shape} and {b.shape}")
        maxout_layer = W.ndim == 3
        for j, n in enumerate(self.neurons):
            if maxout_layer:
                for p in range(W.shape[2]):
                    for i in range(self.nin):
                        n.w[p][i].data = float(W[i, j, p])
                    n.b[p].data = float(b[j, p])
            else:
                for i in range(self.nin):
                    n.w[i].data = float(W[i, j])
                n.b.data = float(b[j])

    def __repr__(self):
        return f"Layer {self.name} of [{', '.join(str(n) for n in self.neurons)}]"
