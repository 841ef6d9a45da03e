"""The training loop: `fit(model, X, y)` runs gradient descent and returns a History of cost and accuracy.

Full-batch by default, as in the lab: every step runs the model on every example, builds the cost
(one graph), backpropagates once and updates. One step is `_step_eager`, kept small so that another
way of running a step (e.g. a compiled batch mode) can be registered in `STEP_MODES`.
"""
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from ..engine import Value, name_scope
from ._checks import integer, number, positive_int
from .init import make_rng
from .losses import LOSSES, get_loss, hinge, l1 as l1_penalty, l2 as l2_penalty
from .multiclass import argmax_accuracy, cross_entropy, one_hot
from .optim import make_optimizer

__all__ = ["History", "fit", "evaluate", "predict", "accuracy", "output_count", "STEP_MODES"]


class History:
    """What `fit` recorded, one entry per step: `cost` (the minimized cost, L2 term included) and `accuracy`
    (of that step's forward pass, before its update), plus `seconds` of wall time."""

    def __init__(self):
        self.cost, self.accuracy, self.seconds = [], [], 0.0

    def __len__(self):
        return len(self.cost)

    def as_dict(self):
        """{"cost": [...], "accuracy": [...]}."""
        return {"cost": list(self.cost), "accuracy": list(self.accuracy)}

    def __repr__(self):
        if not self.cost:
            return "History(steps=0)"
        return (f"History(steps={len(self)}, cost={self.cost[-1]:.6g}, accuracy={self.accuracy[-1]:.4g}, "
                f"seconds={self.seconds:.3g})")


def accuracy(outputs, targets, threshold=0.5):
    """Fraction of examples where (output > threshold) equals (target > threshold).

    With k outputs per example (a softmax's probabilities), the fraction whose largest output is the target
    class (targets: class indices or one-hot rows); threshold is not used then.
    """
    if len(outputs) and isinstance(outputs[0], (list, tuple, np.ndarray)):
        return argmax_accuracy(outputs, targets)
    hits = sum((out > threshold) == (t > threshold) for out, t in zip(outputs, targets))
    return hits / len(targets)


def _step_eager(model, X, y, loss_fn, optimizer, l2, l1=0.0):
    """One gradient-descent step on the examples X (lists of floats) with targets y: returns (cost, outputs).

    The cost is loss + λ₁·Σ|w| (when l1) + λ₂·Σw² (when l2), in that order. Outputs that are not finite have no
    cost (a loss may refuse them): it returns (nan, outputs) without an update, and `fit` stops, as it does for
    the compiled step.
    """
    outputs = [model(x) for x in X]
    if not all(math.isfinite(out.data) for out in outputs if isinstance(out, Value)):
        return math.nan, [_numbers(out) for out in outputs]
    with name_scope("cost"):
        cost = loss_fn(outputs, y)
        if l1:
            cost = cost + l1_penalty(model.weights(), l1)
        if l2:
            cost = cost + l2_penalty(model.weights(), l2)
    optimizer.zero_grad()
    cost.backward()
    optimizer.step()
    return cost.data, [_numbers(out) for out in outputs]


def _numbers(out):
    """An output's number, or the list of numbers of k outputs (a softmax's probabilities)."""
    return [o.data for o in out] if isinstance(out, list) else out.data


def _compiled(model, X, y, loss_fn, optimizer, l2, l1=0.0):
    from .modes import compiled_step  # the batch replay of one example's graph; see autograd.nn.modes

    return compiled_step(model, X, y, loss_fn, optimizer, l2, l1)


def _auto(model, X, y, loss_fn, optimizer, l2, l1=0.0):
    from .modes import auto_step  # compiled where the tape is exact, else eager

    return auto_step(model, X, y, loss_fn, optimizer, l2, l1)


# a step: (model, X, y, loss_fn, optimizer, l2, l1=0.0) -> (cost, outputs), one update of the model
STEP_MODES = {"eager": _step_eager, "compiled": _compiled, "auto": _auto}


def _as_batch(model, X):
    """X as a float matrix (n examples, the model's nin features), or a ValueError naming its shape."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be a batch, a matrix (n examples, n features); got X of shape {X.shape}. "
                         "For one example x pass [x] (or call model(x))")
    nin = getattr(model, "nin", X.shape[1])
    if X.shape[1] != nin:
        raise ValueError(f"the model takes {nin} inputs but X has {X.shape[1]} columns")
    return X


def _check_data_finite(name, values):
    """Training data must be finite: a nan or inf in X or y is missing data, not a learning-rate problem."""
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        where = ", column ".join(str(i) for i in bad[0])
        raise ValueError(f"{name} holds {float(values[tuple(bad[0])])!r} at row {where} ({len(bad)} value(s) in all): "
                         f"the training data must be finite; drop or fill in those rows")


def _checked_loss(loss_fn):
    """A loss function of the user's, checked to return a Value (the cost fit backpropagates)."""
    if loss_fn in LOSSES.values():
        return loss_fn

    def checked(outputs, targets):
        cost = loss_fn(outputs, targets)
        if not isinstance(cost, Value):
            name = getattr(loss_fn, "__name__", repr(loss_fn))
            raise TypeError(f"loss {name} returned {type(cost).__name__} {cost!r}: a loss must return one Value "
                            "computed from the outputs (e.g. sum((out - y) ** 2 for ...)), so fit can backpropagate it")
        return cost

    checked.__name__ = getattr(loss_fn, "__name__", "loss")
    return checked


def output_count(model, x):
    """How many outputs the model gives for one example (k for a softmax over k classes), in eval mode."""
    with model.in_mode(False):
        out = model(list(x))
    return len(out) if isinstance(out, list) else 1


def _prepare_classes(model, X, y):
    """For cross_entropy: X as lists, y as one-hot rows (n, k) with k the model's outputs, and the loss."""
    X = _as_batch(model, X)
    _check_data_finite("X", X)
    y = np.asarray(y, dtype=float)
    _check_data_finite("y", y)
    k = output_count(model, X[0]) if len(X) else 0
    if k < 2:
        raise ValueError("cross_entropy needs one output per class, k >= 2: end the model in a softmax over k units, "
                         "e.g. MLP(2, [24, 24, 3], output='softmax'); for one output unit use loss='bce'")
    Y = one_hot(y, k) if y.ndim == 1 else y
    if Y.shape != (len(X), k):
        raise ValueError(f"cross_entropy needs one class label (or one-hot row of {k}) per row of X; got X of shape "
                         f"{X.shape} and y of shape {y.shape}")
    return X.tolist(), Y.tolist(), cross_entropy, None


def _prepare(model, X, y, loss):
    """X, y as lists of floats, the loss function and the accuracy threshold (0 for hinge's ±1 labels).

    For cross_entropy, y becomes one-hot rows (see `_prepare_classes`) and the threshold is None (argmax).
    """
    if get_loss(loss) is cross_entropy:
        return _prepare_classes(model, X, y)
    X, y = _as_batch(model, X), np.asarray(y, dtype=float).reshape(-1)
    if len(X) != len(y) or not len(y):
        raise ValueError(f"X must be a matrix (n examples, n features) with one target per row; "
                         f"got X of shape {X.shape} and {len(y)} targets")
    _check_data_finite("X", X)
    _check_data_finite("y", y)
    loss_fn = _checked_loss(get_loss(loss))
    threshold = 0.5
    if loss_fn is hinge:
        if set(np.unique(y)) <= {0.0, 1.0}:
            y = 2 * y - 1  # hinge's labels are ±1: map 0 → −1
        threshold = 0.0
    return X.tolist(), y.tolist(), loss_fn, threshold


def _batches(n, batch_size, rng):
    """Index arrays of minibatches, reshuffled every epoch, forever; the full batch when batch_size is None."""
    if batch_size is None or batch_size >= n:
        while True:
            yield None
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def _progress_bar(progress, steps):
    """A tqdm bar, or None: progress=None shows one on a terminal after 2 s, True always, False never."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if progress:
            raise ImportError('progress=True needs tqdm: pip install "chainrule[progress]"') from None
        return None
    return tqdm(total=steps, delay=0 if progress else 2.0, unit="step", leave=bool(progress))


def fit(model, X, y, loss="bce", optimizer="sgd", lr=0.1, steps=1000, l2=0.0, batch_size=None,
        seed=None, rng=None, callback=None, progress=None, threshold=None, mode="auto", l1=0.0):
    """Train `model` on X (n × features) and targets y for `steps` updates; returns a History.

    loss: "bce" (needs sigmoid outputs), "mse", "hinge" (0/1 labels become ±1), "cross_entropy" (k classes: a
        softmax model, y class indices 0 … k−1 or one-hot rows; accuracy by argmax), or a function.
    optimizer: "sgd", "momentum" (SGD, μ = 0.9), "adam", or an Optimizer built on model.parameters().
    l2: λ of the penalty λ·Σw² over the weights (`model.weights()`, biases excluded), added to the cost.
    l1: λ of the penalty λ·Σ|w| over the same weights (|w| = max(w, −w): gradient ±λ, 0 at w = 0, where max
        gives ½ to each side of a tie); compiled like the L2 term, as a tape of its own.
    batch_size: None for full-batch gradient descent (the lab's); else shuffled minibatches drawn
        with `seed`/`rng`; history then records each minibatch's cost and accuracy.
    callback(step, model, history): called after every step (step counts from 0); return True to stop.
    progress: a tqdm bar with the current cost; None = only on a terminal and only after 2 s.
    threshold: an output above it predicts class 1 (default 0.5; 0 for hinge).
    mode: how a step runs, a key of STEP_MODES. "eager" builds the scalar graph, backpropagates and updates;
        "compiled" replays one example's recorded graph over the whole batch with numpy (same numbers to
        rounding, hundreds of times faster; see autograd.compiled); "auto" (default) is compiled where the
        model and loss can be replayed exactly, else eager. Dropout masks differ between the two.
    The model trains in training mode (dropout on); its previous mode is restored at the end.
    A diverged run (an output or the cost is nan or ±inf) stops with a ValueError naming the step: lower lr.
    """
    steps, lr, l2, l1, threshold = _check_fit_numbers(steps, lr, l2, l1, threshold)
    if batch_size is not None:
        batch_size = integer("batch_size", batch_size, 1, hint="or None for the full batch")
    if mode not in STEP_MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(STEP_MODES)}")
    X, y, loss_fn, default_threshold = _prepare(model, X, y, loss)
    optimizer = _check_optimizer(make_optimizer(optimizer, model.parameters(), lr), model)
    run = _Run(model, X, y, loss_fn, STEP_MODES[mode], optimizer, l2, l1,
               default_threshold if threshold is None else threshold)
    batches = _batches(len(X), batch_size, make_rng(seed, rng))
    return _train(run, steps, batches, callback, _progress_bar(progress, steps))


@dataclass
class _Run:
    """What every step of one `fit` call uses: the model, the prepared data and loss, the step function, the
    optimizer, the penalties' λs and the accuracy threshold (None: argmax over k outputs)."""

    model: object
    X: list
    y: list
    loss_fn: object
    step_fn: object
    optimizer: object
    l2: float
    l1: float
    threshold: object


def _train(run, steps, batches, callback, bar):
    """The loop of `fit`: `steps` steps in training mode (the model's mode restored after), each recorded in a
    History, until the callback returns True; the last update's parameters are checked finite."""
    history = History()
    was_training, start = run.model.training, time.perf_counter()
    run.model.train()
    try:
        for step in range(steps):
            _take_step(run, step, next(batches), history)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"cost={history.cost[-1]:.4f}", refresh=False)
            if callback is not None and callback(step, run.model, history):
                break
        _check_parameters(run.model, step, run.optimizer)  # the last update is checked by no later forward pass
    finally:
        history.seconds = time.perf_counter() - start
        run.model.train(was_training)
        if bar is not None:
            bar.close()
    return history


def _take_step(run, step, idx, history):
    """One step on the batch of rows idx (None: every row); a diverged step raises, else its cost and accuracy
    go into history."""
    Xb, yb = (run.X, run.y) if idx is None else ([run.X[i] for i in idx], [run.y[i] for i in idx])
    cost, outputs = run.step_fn(run.model, Xb, yb, run.loss_fn, run.optimizer, run.l2, run.l1)
    _check_finite(step, cost, outputs, run.optimizer)
    history.cost.append(cost)
    history.accuracy.append(accuracy(outputs, yb, run.threshold))


def _check_fit_numbers(steps, lr, l2, l1, threshold):
    """fit's numeric arguments, checked: (steps, lr, l2, l1, threshold) as int and floats (threshold may be None)."""
    steps = positive_int("steps", steps)
    lr = number("lr (the learning rate)", lr, above=0)
    l2 = number("l2", l2, minimum=0, hint="0 means no penalty")
    l1 = number("l1", l1, minimum=0, hint="0 means no penalty")
    if threshold is not None:
        threshold = number("threshold", threshold, hint="an output above it predicts class 1")
    return steps, lr, l2, l1, threshold


def _check_optimizer(optimizer, model):
    """An Optimizer built on another model's parameters would never change this one: refuse it."""
    mine = set(model.parameters())
    if not any(p in mine for p in optimizer.params):
        raise ValueError(f"the optimizer holds none of the model's {len(mine)} parameters, so training would never "
                         "change the model: build it on this model, e.g. SGD(model.parameters(), lr=0.1)")
    return optimizer


def _diverged(step, problem, optimizer):
    """The ValueError for a run that diverged at `step`, with the fix."""
    lr = getattr(optimizer, "lr", None)
    return ValueError(f"training diverged at step {step}: {problem}; lower the learning rate"
                      + (f" (lr={lr:g})" if lr is not None else ""))


def _check_finite(step, cost, outputs, optimizer):
    """Stop a diverged run (an output or the cost is nan or ±inf) with the fix, instead of training on nan."""
    values = np.asarray(outputs, dtype=float).reshape(len(outputs), -1)  # k outputs per example: a row each
    bad = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if len(bad):
        problem = f"the model's output is {outputs[bad[0]]!r} (example {bad[0]})"
    elif not math.isfinite(cost):
        problem = f"the cost is {cost!r}"
    else:
        return
    raise _diverged(step, problem, optimizer)


def _check_parameters(model, step, optimizer):
    """After the last update: every parameter still finite (an absurd lr can make them nan in one step)."""
    for p in model.parameters():
        if not math.isfinite(p.data):
            raise _diverged(step, f"its update made parameter {p.label or repr(p)} = {p.data!r}", optimizer)


def predict(model, X, mode="auto"):
    """The model's outputs on every row of X in eval mode (dropout off), as a numpy array.

    mode "eager" runs the model on each row; "auto" (default) replays a recorded forward tape of the model over
    all rows with numpy when that is worth it (a grid of thousands of points: see autograd.nn.modes.auto_predict),
    with the same numbers to rounding, else runs eagerly.
    """
    if mode not in ("auto", "eager"):
        raise ValueError(f"unknown mode {mode!r}; choose auto or eager")
    X = _as_batch(model, X)
    with model.in_mode(False):
        if mode == "auto" and X.ndim == 2 and len(X):
            from .modes import auto_predict

            replayed = auto_predict(model, X)
            if replayed is not None:
                return replayed
        outs = [model(x) for x in X.tolist()]
    return np.array([[o.data for o in out] if isinstance(out, list) else out.data for out in outs])


def evaluate(model, X, y, loss="bce", threshold=None, mode="auto"):
    """(cost, accuracy) of the model on X, y in eval mode, without training (no L2 term).

    mode: how the outputs are computed, as in `predict`; the loss is then taken on them.
    """
    Xl, yl, loss_fn, default_threshold = _prepare(model, X, y, loss)
    outputs = predict(model, Xl, mode).tolist()
    cost = loss_fn([[Value(o) for o in out] if isinstance(out, list) else Value(out) for out in outputs], yl).data
    return cost, accuracy(outputs, yl, default_threshold if threshold is None else threshold)
