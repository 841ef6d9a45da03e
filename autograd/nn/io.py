"""Saving and loading networks: `save(model, "net.json")`, `load("net.json")`, in plain JSON a person can read.

    {
      "format": "chainrule.mlp",
      "version": 1,
      "architecture": {"nin": 2, "sizes": [24, 24, 3], "activations": ["tanh", "tanh", "identity"],
                       "output": "softmax", "dropout": [0.0, 0.0], "pieces": null},
      "layers": [{"name": "layer1", "W": [[...], [...]], "b": [...]}, ...]
    }

`sizes` are the layers' unit counts; `activations` each layer's activation by its name in ACTIVATIONS;
`output` "softmax" when a softmax follows the last layer (else null); `dropout` the p after each hidden layer;
`pieces` the linear pieces of a maxout unit (null without maxout). `W` is the layer's (nin, nout) matrix in the
lab's x @ W layout ((nin, nout, pieces) for maxout), one row per line. Numbers are written as Python's repr,
the shortest text that reads back as the same float, so loading reproduces every prediction exactly.

A function that is not in ACTIVATIONS has no name to save: `save` raises naming it (register it with
`ACTIVATIONS["name"] = fn` to save it by that name). `load` checks the whole file before it builds anything:
invalid JSON, a cut-off file, another format or version, a missing key, a wrong shape or a non-finite number is
a ValueError naming the file and the problem.
"""
import json
import math
import re
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS, maxout

__all__ = ["save", "load", "to_dict", "from_dict", "FORMAT", "VERSION"]

FORMAT = "chainrule.mlp"
VERSION = 1


# --- saving -------------------------------------------------------------------------------------------------------


def _activation_name(fn, where):
    """The name under which ACTIVATIONS holds fn, or a ValueError naming the function and the fix."""
    for name, known in ACTIVATIONS.items():
        if known is fn:
            return name
    shown = getattr(fn, "__name__", None) or repr(fn)
    raise ValueError(f"cannot save {where}: its activation {shown} is a custom function, and a file can only name "
                     f"an activation; register it first (autograd.nn.ACTIVATIONS[{shown!r}] = {shown}) and load "
                     "with it registered, or use one of " + ", ".join(ACTIVATIONS))


def _layer_activation(layer):
    """The one activation name of a layer's units (maxout for a maxout layer)."""
    names = {_activation_name(unit.activation, f"{layer.name}'s unit {j}") for j, unit in enumerate(layer.neurons)}
    if len(names) != 1:
        raise ValueError(f"cannot save {layer.name}: its units have different activations ({', '.join(sorted(names))})")
    return names.pop()


def _finite(array, name):
    bad = np.flatnonzero(~np.isfinite(array))
    if len(bad):
        raise ValueError(f"cannot save {name}: it holds {float(array.reshape(-1)[bad[0]])!r} (a diverged model?); "
                         "JSON has no nan or inf")
    return array.tolist()


def to_dict(model):
    """The model as the file's dict (format, version, architecture, layers); see the module docstring."""
    from .mlp import MLP

    if not isinstance(model, MLP):
        raise TypeError(f"save knows MLP networks, got {type(model).__name__}; save an Ensemble's members one by one")
    activations = [_layer_activation(layer) for layer in model.layers]
    layers = []
    for layer in model.layers:
        W, b = layer.get_weights()
        layers.append({"name": layer.name, "W": _finite(W, f"{layer.name}'s weights"),
                       "b": _finite(b, f"{layer.name}'s biases")})
    pieces = [len(unit.w) for layer in model.layers for unit in layer.neurons if unit.activation is maxout]
    architecture = {
        "nin": model.nin,
        "sizes": [len(layer.neurons) for layer in model.layers],
        "activations": activations,
        "output": getattr(model, "output", None),
        "dropout": [d.p if d is not None else 0.0 for d in model.dropouts],
        "pieces": pieces[0] if pieces else None,
    }
    return {"format": FORMAT, "version": VERSION, "architecture": architecture, "layers": layers}


_ATOM = r'(?:"[\w-]*"|[-+0-9.eE]+|null)'  # a number, null or a plain name: what a flat list holds
_FLAT_LIST = re.compile(rf"\[\s*({_ATOM}(?:,\s*{_ATOM})*)\s*\]")


def _readable(text):
    """JSON with every flat list (of numbers or names) on one line: a matrix reads one row per line."""
    return _FLAT_LIST.sub(lambda m: "[" + ", ".join(part.strip() for part in m.group(1).split(",")) + "]", text)


def save(model, path):
    """Write `model` (an MLP) to `path` as readable JSON: architecture, weights, biases, format version.

    Raises ValueError for an activation that has no name in ACTIVATIONS, or a weight that is nan or inf,
    before writing anything. Returns the Path written.
    """
    document = to_dict(model)
    text = _readable(json.dumps(document, indent=2, allow_nan=False)) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- loading ------------------------------------------------------------------------------------------------------


class _Problem(ValueError):
    """What is wrong with the file's contents (load adds the file's name)."""


def _need(mapping, key, kind, where):
    """mapping[key], which must be a `kind` (dict, list or int; a bool is no int here)."""
    if not isinstance(mapping, dict) or key not in mapping:
        raise _Problem(f"{where} has no {key!r}")
    value = mapping[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _Problem(f"{where}[{key!r}] should be a {kind.__name__}, got {str(value)[:60]}")
    return value


def _count(value, where, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _Problem(f"{where} should be an int >= {minimum}, got {value!r:.60}")
    return value


def _array(value, shape, where):
    """value as a float array of the given shape, finite."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise _Problem(f"{where} should be numbers of shape {shape}, got {str(value)[:60]}") from None
    if array.shape != shape:
        raise _Problem(f"{where} has shape {array.shape}, expected {shape}")
    if not np.isfinite(array).all():
        raise _Problem(f"{where} holds a number that is not finite")
    return array


def _check_header(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        got = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise _Problem(f"not a chainrule model file (format {got!r}, expected {FORMAT!r})")
    version = document.get("version")
    if version != VERSION:
        raise _Problem(f"format version {version!r} is not supported: this chainrule reads version {VERSION}")


def _check_architecture(arch):
    """The architecture's values, each checked: (nin, sizes, activations, output, dropout, pieces)."""
    where = "architecture"
    nin = _count(_need(arch, "nin", int, where), "architecture.nin")
    sizes = [_count(s, "architecture.sizes[]") for s in _need(arch, "sizes", list, where)]
    if not sizes:
        raise _Problem("architecture.sizes is empty: a model has at least one layer")
    activations = _need(arch, "activations", list, where)
    if len(activations) != len(sizes):
        raise _Problem(f"architecture has {len(sizes)} sizes but {len(activations)} activations")
    for name in activations:
        if name not in ACTIVATIONS:
            raise _Problem(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)} (register a custom one in "
                           "autograd.nn.ACTIVATIONS before loading)")
    output = arch.get("output")
    if output not in (None, "softmax"):
        raise _Problem(f"architecture.output should be null or 'softmax', got {output!r:.40}")
    dropout = _need(arch, "dropout", list, where)
    if len(dropout) != len(sizes) - 1 or not all(isinstance(p, (int, float)) and not isinstance(p, bool)
                                                 and 0 <= p < 1 for p in dropout):
        raise _Problem(f"architecture.dropout should list {len(sizes) - 1} probabilities in [0, 1), got {dropout!r:.60}")
    pieces = arch.get("pieces")
    if "maxout" in activations:
        _count(pieces, "architecture.pieces", minimum=2)
    return nin, sizes, activations, output, dropout, pieces


def _check_layers(layers, nin, sizes, activations, pieces):
    """The weight matrices and bias vectors, each of the shape the architecture says."""
    if not isinstance(layers, list) or len(layers) != len(sizes):
        raise _Problem(f"'layers' should list {len(sizes)} layers, got {len(layers) if isinstance(layers, list) else layers!r:.40}")
    Ws, bs, n_in = [], [], nin
    for l, (layer, nout, name) in enumerate(zip(layers, sizes, activations)):
        extra = (pieces,) if name == "maxout" else ()
        Ws.append(_array(_need(layer, "W", list, f"layers[{l}]"), (n_in, nout) + extra, f"layers[{l}].W"))
        bs.append(_array(_need(layer, "b", list, f"layers[{l}]"), (nout,) + extra, f"layers[{l}].b"))
        n_in = nout
    return Ws, bs


def from_dict(document):
    """A new MLP from the file's dict, checked completely before anything is built (ValueError otherwise)."""
    from .mlp import MLP

    _check_header(document)
    nin, sizes, activations, output, dropout, pieces = _check_architecture(_need(document, "architecture", dict,
                                                                                 "the file"))
    Ws, bs = _check_layers(document.get("layers"), nin, sizes, activations, pieces)
    model = MLP.from_weights(Ws, bs, activation=activations[0], output=output or activations[-1],
                             dropout=max(dropout, default=0.0))
    for layer, name in zip(model.layers, activations):  # hidden layers may differ from the first
        if name != "maxout":
            for unit in layer.neurons:
                unit.activation = ACTIVATIONS[name]
    for d, p in zip(model.dropouts, dropout):
        if d is not None:
            d.p = float(p)
    model.dropouts = [d if p else None for d, p in zip(model.dropouts, dropout)]
    return model


def load(path):
    """The MLP saved at `path` by `save`: same architecture, same weights, same predictions (bit for bit).

    ValueError naming the file for invalid or cut-off JSON, another format or version, or any missing or
    ill-shaped part; FileNotFoundError when there is no such file.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a chainrule model file: not UTF-8 text (byte {e.start})") from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
        return from_dict(document)
    except json.JSONDecodeError as e:
        cut = " (the file ends early: truncated?)" if e.pos >= len(text.rstrip()) else ""
        raise ValueError(f"{path}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}{cut}") from None
    except _Problem as e:
        raise ValueError(f"{path}: {e}") from None


def _no_constant(name):
    raise _Problem(f"the file holds {name}, which is not a number a model can have")
