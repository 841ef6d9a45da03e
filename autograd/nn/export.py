"""From the scalar engine to a real framework: `to_torch(model)` is the same network as a torch.nn.Sequential.

    net = to_torch(model)                       # float64, the same weights
    net(torch.tensor(X))                        # equals predict(model, X) to 1e-9

Each Layer becomes a torch.nn.Linear (its weight is our W transposed: torch keeps (out, in), the lab x @ W
keeps (in, out)) followed by its activation's module; a Dropout becomes torch.nn.Dropout (inactive after
net.eval(), as ours after model.eval()); output="softmax" ends in torch.nn.Softmax(dim=-1); a maxout layer is
one Linear producing every unit's pieces, then a max over each unit's pieces. PyTorch is optional and imported
only here: pip install torch.
"""
import numpy as np

from .activations import ACTIVATIONS, maxout

__all__ = ["to_torch", "TORCH_MODULES"]

# activation name -> a function of the torch.nn namespace making its module (ours: leaky_relu slope 0.1, elu α 1)
TORCH_MODULES = {
    "sigmoid": lambda nn: nn.Sigmoid(),
    "sigmoid_fused": lambda nn: nn.Sigmoid(),
    "tanh": lambda nn: nn.Tanh(),
    "relu": lambda nn: nn.ReLU(),
    "leaky_relu": lambda nn: nn.LeakyReLU(0.1),
    "elu": lambda nn: nn.ELU(1.0),
    "identity": None,
}


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError('to_torch needs PyTorch: pip install "chainrule[torch]" (or pip install torch)') from None
    return torch


def _maxout_class(torch):
    """torch.nn.Module taking (..., units·pieces) to (..., units): the max over each unit's pieces."""

    class Maxout(torch.nn.Module):
        def __init__(self, units, pieces):
            super().__init__()
            self.units, self.pieces = units, pieces

        def forward(self, x):
            return x.unflatten(-1, (self.units, self.pieces)).amax(dim=-1)

        def extra_repr(self):
            return f"units={self.units}, pieces={self.pieces}"

    return Maxout


def _activation_module(torch, unit, where):
    """The torch module of one of our units' activation (None for identity), or a ValueError naming it."""
    for name, fn in ACTIVATIONS.items():
        if fn is unit.activation and name in TORCH_MODULES:
            make = TORCH_MODULES[name]
            return make(torch.nn) if make else None
    shown = getattr(unit.activation, "__name__", None) or repr(unit.activation)
    raise ValueError(f"to_torch: {where}'s activation {shown} has no PyTorch module; the ones it knows are "
                     f"{', '.join(list(TORCH_MODULES) + ['maxout'])}")


def _linear(torch, layer):
    """(torch.nn.Linear with our weights, the module after it) for one Layer."""
    W, b = layer.get_weights()
    if W.ndim == 3:  # maxout: (nin, units, pieces) -> one Linear with units·pieces outputs, unit-major
        nin, units, pieces = W.shape
        weight, bias = W.reshape(nin, units * pieces).T, b.reshape(units * pieces)
        after = _maxout_class(torch)(units, pieces)
    else:
        weight, bias = W.T, b
        after = _activation_module(torch, layer.neurons[0], layer.name)
    linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight, dtype=np.float64)))
        linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(bias, dtype=np.float64)))
    return linear, after


def to_torch(model):
    """The MLP `model` as a torch.nn.Sequential in float64 with the same weights (copies: training one leaves the
    other as it was). Its outputs equal ours to 1e-9; it is in the mode the model is in (train or eval)."""
    from .mlp import MLP

    if not isinstance(model, MLP):
        raise TypeError(f"to_torch knows MLP networks, got {type(model).__name__}")
    torch = _torch()
    modules = []
    for l, layer in enumerate(model.layers):
        if layer.neurons[0].activation is not maxout and len({u.activation for u in layer.neurons}) != 1:
            raise ValueError(f"to_torch: {layer.name}'s units have different activations; a torch layer has one")
        linear, after = _linear(torch, layer)
        modules += [linear] + ([after] if after is not None else [])
        dropout = model.dropouts[l] if l < len(model.dropouts) else None
        if dropout is not None:
            modules.append(torch.nn.Dropout(dropout.p))
    if getattr(model, "output", None) == "softmax":
        modules.append(torch.nn.Softmax(dim=-1))
    net = torch.nn.Sequential(*modules)
    return net.train(model.training)
