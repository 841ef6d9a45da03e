"""Lecture 9-1's gates: AND, OR and NAND are each one logistic unit; XOR is not, but three units make it.

A unit computes σ(w1·x1 + w2·x2 + b) and says 1 where that is above ½, i.e. on one side of the line
w1·x1 + w2·x2 + b = 0. AND, OR and NAND each put their 1s on one side of a line (linearly separable);
XOR's 1s, (0, 1) and (1, 0), lie between two lines, OR's and NAND's, so XOR = AND(NAND(x1, x2), OR(x1, x2)).

    from autograd.lab.gates import GATES, gate, single_units
    gate("NAND", 1, 1)                 # 0.0067: σ(−10 − 10 + 15) = σ(−5)
    result = single_units()            # one unit trained on AND, on OR and on XOR
    result.runs["XOR"].train_cost      # 0.6931...: ln 2, the unit gives up and says ½ everywhere
"""
from __future__ import annotations

import math
import time

import numpy as np

from .data import xor
from .experiments import Experiment, _train
from ..engine import Value, name_scope
from ..nn import MLP

__all__ = ["GATES", "TRUTH_TABLES", "gate", "gate_data", "unit_line", "single_units"]

# (w1, w2, b) of each hand-set unit: the corners nearest its line have z = ±5, so every output is within
# σ(−5) = 0.0067 of its truth table
GATES = {
    "AND": (10.0, 10.0, -15.0),
    "OR": (10.0, 10.0, -5.0),
    "NAND": (-10.0, -10.0, 15.0),  # AND with every sign flipped: NAND = 1 − AND exactly, as σ(−z) = 1 − σ(z)
}

# outputs at (x1, x2) = (0, 0), (0, 1), (1, 0), (1, 1): the order of autograd.lab.data.xor()
TRUTH_TABLES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0), "XOR": (0, 1, 1, 0)}


def _known(name, table, what):
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(table)}")
    return table[name]


def gate(name, x1, x2, scope=None):
    """The hand-set unit `name` ("AND", "OR", "NAND") on x1, x2 (numbers or Values): σ(w1·x1 + w2·x2 + b).

    Numbers give a plain float; Values give the unit's graph, its weights labelled "<gate>.w1", "<gate>.w2",
    "<gate>.b", its output "<gate>", all made in the name scope `scope` (default: the gate's name).
    """
    w1, w2, b = _known(name, GATES, "gate")
    if not isinstance(x1, Value) and not isinstance(x2, Value):
        return 1.0 / (1.0 + math.exp(-(w1 * x1 + w2 * x2 + b)))
    tag = name.lower()
    with name_scope(scope or name):
        w1, w2, b = Value(w1, f"{tag}.w1"), Value(w2, f"{tag}.w2"), Value(b, f"{tag}.b")
        z = w1 * x1 + w2 * x2 + b
        z.label = f"{tag}.z"
        out = z.sigmoid(fused=True)  # one σ node per unit: the picture shows units, not σ's four primitives
    out.label = tag
    return out


def gate_data(name):
    """The four corners X (4 × 2) and the gate's truth table y (as autograd.lab.data.xor orders them)."""
    X, _ = xor()
    return X, np.array(_known(name, TRUTH_TABLES, "truth table"))


def unit_line(model):
    """(w1, w2, b) of a one-unit model: its decision line is w1·x1 + w2·x2 + b = 0."""
    W, b = model.layers[0].get_weights()
    return float(W[0, 0]), float(W[1, 0]), float(b[0])


def single_units(gates=("AND", "OR", "XOR"), lr=1.0, steps=2000, seed=0, mode="auto"):
    """One sigmoid unit (MLP(2, [1]), N(0, 1) weights from `seed`) trained by full-batch SGD on each gate.

    AND and OR are linearly separable: the cost falls towards 0 and every corner comes out right. XOR is
    not: the best a single unit can do is w = 0, b = 0, output ½ on every corner, cost ln 2 ≈ 0.6931, and
    gradient descent walks there. Returns an Experiment with runs {gate: Run} (Run.model is the unit) and
    config["lines"] {gate: (w1, w2, b)} after training, for viz.gate_plots.plot_trained_units.
    """
    start = time.perf_counter()
    runs, lines = {}, {}
    for name in gates:
        X, y = gate_data(name)
        model = MLP(2, [1], activation="sigmoid", seed=seed)
        runs[name] = _train(name, model, X, y, lr=lr, steps=steps, seed=seed, mode=mode)
        lines[name] = unit_line(model)
    config = dict(gates=list(gates), lr=lr, steps=steps, seed=seed, mode=mode, lines=lines)
    return Experiment("single units", runs, {}, time.perf_counter() - start, config)
