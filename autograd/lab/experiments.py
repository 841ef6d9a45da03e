"""Lecture 10's experiments at toy scale: seeded functions that train small nets and return plain numbers.

Each experiment returns an `Experiment`: its `runs` ({name: Run}, each with a History and final train/test
accuracy), per-layer numbers in `layers` ({name: [one number per layer]}), `seconds` of wall time and
the `config` it ran with. Notebooks plot them with `viz.plots` (plot_history, plot_layers); tests assert the
headline numbers with smaller budgets. Nothing here imports matplotlib: plotting is the viz layer's.

    from autograd.lab.experiments import vanishing_gradients
    result = vanishing_gradients()
    print(result.report())                    # a table of cost and accuracy per run, and the wall time
    result.runs["sigmoid"].final_cost         # 0.6931...: stuck at ln 2
    result.layers["sigmoid"]                  # mean |∂cost/∂W| per layer at init: shrinks towards the input

`mode` is passed to `fit` (see autograd.nn.STEP_MODES): "auto" replays a compiled tape where it can,
"eager" builds the scalar graph every step (the same numbers, much slower).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .data import moons, train_test_split, xor
from ..engine import topological_order
from ..nn import MLP, Ensemble, History, evaluate, fit, get_loss

__all__ = ["Run", "Experiment", "deep_xor_net", "cost_graph", "neuron_weight_grads", "layer_gradients",
           "activation_spread", "vanishing_gradients", "compare_activations", "compare_inits",
           "compare_learning_rates", "overfitting", "format_table", "ACTIVATIONS_COMPARED"]

ACTIVATIONS_COMPARED = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout")


@dataclass
class Run:
    """One trained model: its History, cost and accuracy on the training (and test) set after training, wall time.

    first_cost and train_cost are the data cost on the whole training set in eval mode (dropout off, no L2
    term) before and after training, so runs with dropout, L2 or bagging compare fairly; history.cost is what
    the optimizer saw (with those terms, on its own sample).
    """

    name: str
    history: History
    train_accuracy: float
    test_accuracy: float | None = None
    seconds: float = 0.0
    model: object = field(default=None, repr=False)
    train_cost: float | None = None
    first_cost: float | None = None

    @property
    def final_cost(self):
        """The training cost at the last step."""
        return self.history.cost[-1]

    @property
    def gap(self):
        """train accuracy − test accuracy: how much the model overfits (None without a test set)."""
        return None if self.test_accuracy is None else self.train_accuracy - self.test_accuracy

    def row(self):
        """This run as a table row {column: number}: "first cost" and "train cost" are the eval-mode data cost on
        the training set before and after training (see the class docstring)."""
        row = {"run": self.name, "first cost": self.first_cost, "train cost": self.train_cost,
               "train acc": self.train_accuracy}
        if self.test_accuracy is not None:
            row.update({"test acc": self.test_accuracy, "gap": self.gap})
        row["seconds"] = self.seconds
        return row


@dataclass
class Experiment:
    """What an experiment measured: runs by name, per-layer numbers by name, wall time, the settings, and the
    data it trained on (`data`: {"X", "y", "X_test", "y_test"} as numpy arrays; no test set for XOR)."""

    name: str
    runs: dict
    layers: dict = field(default_factory=dict)
    seconds: float = 0.0
    config: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict, repr=False)

    def histories(self):
        """{run name: History}, ready for viz.plots.plot_history."""
        return {name: run.history for name, run in self.runs.items()}

    def table(self):
        """One row per run: [{"run": name, "final cost": ..., "train acc": ..., ...}, ...]."""
        return [run.row() for run in self.runs.values()]

    def report(self):
        """The table as aligned text, with the experiment's wall time."""
        return f"{format_table(self.table())}\n{self.name}: {self.seconds:.1f} s"


def _cell(column, value):
    """One table cell: the time as "1.2 s" (a unit, so a time never reads as a result), other floats with 4
    significant digits."""
    if column == "seconds":
        return f"{value:.1f} s"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def format_table(rows):
    """Rows of {column: value} as aligned text; floats with 4 significant digits, the seconds column as "1.2 s"."""
    columns = list(rows[0])
    cells = [[_cell(c, row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def _train(name, model, X, y, X_test=None, y_test=None, **fit_kwargs):
    """fit the model, then measure its cost and accuracy (eval mode: dropout off, no L2) on the training set
    and its accuracy on the test set."""
    start = time.perf_counter()
    first_cost = evaluate(model, X, y)[0]
    history = fit(model, X, y, progress=False, **fit_kwargs)
    train_cost, train_acc = evaluate(model, X, y)
    test_acc = None if X_test is None else evaluate(model, X_test, y_test)[1]
    return Run(name, history, train_acc, test_acc, time.perf_counter() - start, model, train_cost, first_cost)


def _moons_split(n, noise, seed):
    """moons(n, noise) split 75% train, 25% test, both seeded."""
    X, y = moons(n, noise, seed=seed)
    return train_test_split(X, y, test_size=0.25, seed=seed)


# --- tools: gradients and activations of one layer after another ----------------------------------------------


def deep_xor_net(activation="sigmoid", init="normal", depth=9, width=5, seed=0):
    """The lab's deep XOR net: 2 inputs, `depth` hidden layers of `width` units, one sigmoid output."""
    return MLP(2, [width] * depth + [1], activation=activation, output="sigmoid", init=init, seed=seed)


def cost_graph(model, X, y, loss="bce"):
    """The cost of `model` on X, y as one graph, after backward(): every node's grad is ∂cost/∂node.

    Draw it with viz.draw_dot(root, cluster=True, collapse=1, color_by_grad=True); one example (X[:1]) keeps
    the picture small. The model's parameter grads are overwritten (zeroed first).
    """
    outputs = [model(x) for x in np.asarray(X, dtype=float).tolist()]
    cost = get_loss(loss)(outputs, np.asarray(y, dtype=float).reshape(-1).tolist())
    model.zero_grad()
    cost.backward()
    return cost


def neuron_weight_grads(model, cost):
    """{each neuron's output node in the graph of `cost`: mean |∂cost/∂w| over that neuron's weights}.

    For draw_dot(cost, collapse=1, color_by_grad=True, grads=...): each neuron's box then shows and is coloured
    by how much its weights get, not by ∂cost/∂(its output). A neuron's output is the last node of its scope.
    """
    last = {node.scope: node for node in topological_order(cost) if node.scope}  # later nodes overwrite
    grads = {}
    for layer in model.layers:
        for j, neuron in enumerate(layer.neurons):
            out = last.get(f"{layer.name}/neuron{j}")
            if out is not None:
                grads[out] = float(np.mean([abs(w.grad) for w in neuron.weights()]))
    return grads


def layer_gradients(model, X, y, loss="bce"):
    """Mean |∂cost/∂w| over each layer's weights (biases left out), layer 1 (next to the input) first."""
    cost_graph(model, X, y, loss)
    return [float(np.mean([abs(w.grad) for w in layer.weights()])) for layer in model.layers]


def activation_spread(model, X):
    """The standard deviation of each layer's outputs over all examples of X and all units, layer 1 first.

    Dropout is left out (this is the forward pass at evaluation time).
    """
    per_layer = [[] for _ in model.layers]
    for x in np.asarray(X, dtype=float).tolist():
        for l, layer in enumerate(model.layers):
            x = layer(x)
            per_layer[l].extend(v.data for v in x)
    return [float(np.std(values)) for values in per_layer]


# --- the experiments ------------------------------------------------------------------------------------------


def vanishing_gradients(depth=9, width=5, steps=2000, lr=0.1, seed_sigmoid=0, seed_relu=1, inits=20,
                        mode="auto"):
    """Lecture 10's 9 hidden layers on XOR: all-sigmoid stays at ln 2, ReLU hidden layers learn it.

    Runs: "sigmoid" (every layer sigmoid, N(0, 1) weights: the lab's net) and "relu" (ReLU hidden layers,
    He weights, sigmoid output), each trained with full-batch SGD for `steps` steps.
    layers: mean |∂cost/∂W| of each layer's weights at initialization, averaged over `inits` random
    initializations (seeds 0 .. inits−1) of each net: the sigmoid's shrink by orders of magnitude
    from the output back to the input, the ReLU's do not. config["grad_ratio"]: first layer / last layer.
    A narrow deep ReLU net can die (every unit of a layer off, gradient 0): with He weights and zero biases
    about half the seeds learn XOR; `seed_relu` is one that does.
    """
    start = time.perf_counter()
    X, y = xor()
    nets = {"sigmoid": ("sigmoid", "normal", seed_sigmoid), "relu": ("relu", "he", seed_relu)}
    runs, layers = {}, {}
    for name, (activation, init, seed) in nets.items():
        grads = [layer_gradients(deep_xor_net(activation, init, depth, width, s), X, y) for s in range(inits)]
        layers[name] = [float(g) for g in np.mean(grads, axis=0)]
        model = deep_xor_net(activation, init, depth, width, seed)
        runs[name] = _train(name, model, X, y, lr=lr, steps=steps, seed=seed, mode=mode)
    ratio = {name: g[0] / g[-1] if g[-1] else float("nan") for name, g in layers.items()}  # nan: a dead net
    config = dict(depth=depth, width=width, steps=steps, lr=lr, seed_sigmoid=seed_sigmoid, seed_relu=seed_relu,
                  inits=inits, mode=mode, grad_ratio=ratio)
    return Experiment("vanishing gradients", runs, layers, time.perf_counter() - start, config, dict(X=X, y=y))


def compare_activations(activations=ACTIVATIONS_COMPARED, n=200, noise=0.2, hidden=(8, 8, 8), init="xavier",
                        optimizer="sgd", lr=0.1, steps=1000, seed=0, mode="auto"):
    """The same net and data with each hidden activation (the lecture's CIFAR-10 table at toy scale).

    Two moons (n points, 25% held out for testing), a 2-8-8-8-1 net with a sigmoid output and Xavier
    weights from the same seed, full-batch plain SGD. One run per activation.
    """
    start = time.perf_counter()
    X, X_test, y, y_test = _moons_split(n, noise, seed)
    runs = {}
    for activation in activations:
        model = MLP(2, list(hidden) + [1], activation=activation, output="sigmoid", init=init, seed=seed)
        runs[activation] = _train(activation, model, X, y, X_test, y_test, optimizer=optimizer, lr=lr,
                                  steps=steps, seed=seed, mode=mode)
    config = dict(activations=list(activations), n=n, noise=noise, hidden=list(hidden), init=init,
                  optimizer=optimizer, lr=lr, steps=steps, seed=seed, mode=mode)
    return Experiment("activations", runs, {}, time.perf_counter() - start, config,
                      dict(X=X, y=y, X_test=X_test, y_test=y_test))


def compare_inits(inits=("normal", "xavier", "he"), activation="relu", hidden=(10,) * 6, n=200, noise=0.2,
                  optimizer="sgd", lr=0.05, steps=500, seed=0, mode="auto"):
    """One deep ReLU net on two moons, initialized with N(0, 1), Xavier and He weights (same seed).

    layers: the standard deviation of each hidden layer's activations at initialization (on the training
    points). Measured with the defaults: N(0, 1) grows about ×2.6 per ReLU layer (0.59 → 68), Xavier
    shrinks about ÷1.2 per layer (0.42 → 0.15), He grows slowly (0.59 → 1.2, about ×1.16 per layer).
    The N(0, 1) net starts saturated: its output is 0 or 1, its cost far above ln 2.
    """
    start = time.perf_counter()
    X, X_test, y, y_test = _moons_split(n, noise, seed)
    runs, layers = {}, {}
    for init in inits:
        model = MLP(2, list(hidden) + [1], activation=activation, output="sigmoid", init=init, seed=seed)
        layers[init] = activation_spread(model, X)[:-1]  # the hidden layers
        runs[init] = _train(init, model, X, y, X_test, y_test, optimizer=optimizer, lr=lr, steps=steps,
                            seed=seed, mode=mode)
    config = dict(inits=list(inits), activation=activation, hidden=list(hidden), n=n, noise=noise,
                  optimizer=optimizer, lr=lr, steps=steps, seed=seed, mode=mode)
    return Experiment("initialization", runs, layers, time.perf_counter() - start, config,
                      dict(X=X, y=y, X_test=X_test, y_test=y_test))


def compare_learning_rates(lrs=(0.1, 0.01), hidden=(2,), steps=10_000, seed=17, mode="auto"):
    """The lab's XOR net (2-2-1, sigmoid) trained with each learning rate from the same initial weights.

    Runs are named "lr=0.1", "lr=0.01": the lab's two TensorBoard curves.
    """
    start = time.perf_counter()
    X, y = xor()
    runs = {}
    for lr in lrs:
        model = MLP(2, list(hidden) + [1], activation="sigmoid", seed=seed)
        runs[f"lr={lr:g}"] = _train(f"lr={lr:g}", model, X, y, lr=lr, steps=steps, seed=seed, mode=mode)
    config = dict(lrs=list(lrs), hidden=list(hidden), steps=steps, seed=seed, mode=mode)
    return Experiment("learning rates", runs, {}, time.perf_counter() - start, config, dict(X=X, y=y))


def _mean_history(histories):
    """A History whose cost and accuracy are the step-by-step means over `histories`."""
    mean = History()
    mean.cost = [float(c) for c in np.mean([h.cost for h in histories], axis=0)]
    mean.accuracy = [float(a) for a in np.mean([h.accuracy for h in histories], axis=0)]
    mean.seconds = sum(h.seconds for h in histories)
    return mean


def _bagging(name, models, X, y, X_test, y_test, seed, train):
    """A Run of an Ensemble of `models`, member k trained (fit options `train`, seed seed + 1 + k) on its own
    bootstrap sample of X, y; its history is the mean of the members'."""
    start, rng = time.perf_counter(), np.random.default_rng(seed)
    ensemble = Ensemble(models)
    first_cost, histories = evaluate(ensemble, X, y)[0], []
    for k, model in enumerate(ensemble.models):
        sample = rng.integers(0, len(X), len(X))  # bootstrap: len(X) draws with replacement
        histories.append(fit(model, X[sample], y[sample], seed=seed + 1 + k, progress=False, **train))
    train_cost, train_acc = evaluate(ensemble, X, y)  # on all training points, not the bootstrap samples
    return Run(name, _mean_history(histories), train_acc, evaluate(ensemble, X_test, y_test)[1],
               time.perf_counter() - start, ensemble, train_cost, first_cost)


def overfitting(n_train=20, n_test=300, noise=0.3, hidden=(16, 16), optimizer="adam", lr=0.02, steps=1000,
                dropout=0.3, l2=0.01, members=5, seed=0, mode="auto"):
    """A big net on a few noisy points overfits; dropout, L2 and an ensemble each narrow the gap.

    Data: two moons with noise `noise`, the first n_train points to train on and n_test more to test.
    Runs (ReLU hidden layers, He weights, sigmoid output, Adam):
      "plain"          the net as is: it fits the training points, test accuracy lags behind;
      "dropout p"      MLP(..., dropout=p) after each hidden layer, off at test time;
      "L2 λ"           fit(..., l2=λ): λ·Σw² added to the cost;
      "ensemble of k"  k nets, each trained on a bootstrap sample of the training points (bagging, with
                       its own seed), averaged by Ensemble; its history is the mean of the members'
                       (each on its own bootstrap sample).
    Compare runs by `train_cost` (the data cost on all n_train points in eval mode), not by history.cost.
    """
    start = time.perf_counter()
    X, y = moons(n_train + n_test, noise, seed=seed)
    X, X_test, y, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]

    def net(seed, dropout=0.0):
        """A fresh 2-hidden-1 ReLU net with He weights from `seed`, with dropout `dropout` after each hidden layer."""
        return MLP(2, list(hidden) + [1], activation="relu", output="sigmoid", init="he", dropout=dropout, seed=seed)

    train = dict(optimizer=optimizer, lr=lr, steps=steps, mode=mode)
    runs = {}
    for name, model, l2_ in (("plain", net(seed), 0.0), (f"dropout {dropout:g}", net(seed, dropout), 0.0),
                             (f"L2 {l2:g}", net(seed), l2)):
        runs[name] = _train(name, model, X, y, X_test, y_test, l2=l2_, seed=seed, **train)

    name = f"ensemble of {members}"
    runs[name] = _bagging(name, [net(seed + 1 + k) for k in range(members)], X, y, X_test, y_test, seed, train)
    config = dict(n_train=n_train, n_test=n_test, noise=noise, hidden=list(hidden), optimizer=optimizer, lr=lr,
                  steps=steps, dropout=dropout, l2=l2, members=members, seed=seed, mode=mode)
    return Experiment("overfitting", runs, {}, time.perf_counter() - start, config,
                      dict(X=X, y=y, X_test=X_test, y_test=y_test))
