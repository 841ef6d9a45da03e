"""How `fit`'s steps and `predict` run: eagerly, compiled (a recorded tape replayed with numpy), or auto.

    compiled_step   a step of fit on the model's loss tape (same numbers as the eager step, to rounding);
                    TapeError where the model or the loss cannot be replayed
    auto_step       compiled where the tape is exact and worth it, else the eager step: never other numbers
    auto_predict    model(x) on every row from a forward tape, or None (then predict runs eagerly)
    tape_status     what the compiled modes chose for a model, and why

A model's tapes are kept per model and used only while the model is what it was when they were recorded:
any change to a module's attributes (an activation swapped, a parameter Value replaced, a member added to an
Ensemble, a Dropout's p) counts (`module.structure_version`), and the model's `fingerprint` then decides
whether the tapes still stand. A function that reads a global number when called (a closure) is not seen:
as with JAX's jit, such a number is fixed when the tape is recorded.

Under auto, a model whose graph depends on the data through Python (a custom activation `r if r.data < 3
else ...`: autograd.compiled traces it) trains eagerly, and `tape_status(model)` (or the debug log of
"autograd.nn.modes") says why; under mode="compiled" that is a TapeError naming the file and line. Every
check the eager loss makes (bce: targets and outputs in [0, 1]) is made on every replay; where one fails, or
a replay raises, the step runs eagerly, so errors come in the eager step's words.
"""
import logging
import math
import weakref

import numpy as np

from ..compiled import Tape, TapeError, record
from ..engine import Value, topological_order
from .dropout import Dropout
from .losses import PER_EXAMPLE, l1 as l1_penalty, l2 as l2_penalty
from .module import Module, structure_version

__all__ = ["compiled_step", "auto_step", "auto_predict", "tape_status", "fingerprint", "AUTO_MIN_NODES",
           "AUTO_MIN_STEP_NODES"]

_log = logging.getLogger(__name__)

AUTO_MIN_NODES = 2_000  # predict: below this many graph nodes in all, recording costs more than it saves
# fit: a step of this many nodes replays several times faster than eager (XOR's 2-10-1 net, 748 nodes: 0.11 ms
# against 0.9 ms); the lab's smallest nets (2-1, 2-2-1: 60 and 172 nodes) stay on the eager step, the lab's numbers
AUTO_MIN_STEP_NODES = 300
_NO_INPUTS = np.empty((1, 0))  # the batch of a tape on the parameters alone (the L1 and L2 terms)
_PENALTIES = {"l1": l1_penalty, "l2": l2_penalty}  # λ·Σ|w| and λ·Σw², each a tape of its own


# --- a model's tapes, and when they stand ---------------------------------------------------------------------


class _Same:
    """An object compared by identity, and kept alive so that its id cannot be reused by another."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return type(other) is _Same and other.obj is self.obj


def fingerprint(model):
    """Everything the recorded graphs of `model` depend on, as a comparable tuple: the type and attributes of
    every module inside it, numbers by value, Values, functions and other objects by identity."""
    return _print(model, set())


def _print(obj, seen):
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return repr(obj)  # nan equals itself as text
    if isinstance(obj, (list, tuple)):
        return ("list",) + tuple(_print(v, seen) for v in obj)
    if isinstance(obj, dict):
        return ("dict",) + tuple((repr(k), _print(v, seen)) for k, v in obj.items())
    if isinstance(obj, Module) and id(obj) not in seen:
        seen.add(id(obj))
        attributes = sorted(getattr(obj, "__dict__", {}).items(), key=lambda item: item[0])
        return (_Same(obj),) + tuple((name, _print(v, seen)) for name, v in attributes if name != "training")
    return _Same(obj)


class _Tapes:
    """The tapes of one model by use ("fit", loss, training) or ("predict", training), each a Tape or the
    reason (a str) that use runs eagerly; valid for the model's `fingerprint`."""

    def __init__(self, print_):
        self.fingerprint, self.version, self.items = print_, structure_version(), {}


_CACHE = weakref.WeakKeyDictionary()  # model -> _Tapes


def _tapes(model):
    """The model's tapes, dropped when the model has changed since they were recorded."""
    entry = _CACHE.get(model)
    if entry is not None and isinstance(model, Module) and entry.version == structure_version():
        return entry  # no Module changed anywhere since the last look: the fast path of every step
    print_ = fingerprint(model)
    if entry is None or entry.fingerprint != print_:
        entry = _CACHE[model] = _Tapes(print_)
    entry.version = structure_version()
    return entry


def tape_status(model):
    """What the compiled modes use for `model`: {use: "compiled: Tape(...)" or "eager: why"}, uses such as
    "fit bce (training)", "predict (eval)" and "l1 penalty λ=0.01"; {} before the first use and after a change to
    the model."""
    entry = _CACHE.get(model)
    if entry is None or entry.fingerprint != fingerprint(model):
        return {}
    status = {}
    for key, item in entry.items.items():
        status[_use(key)] = f"compiled: {item!r}" if isinstance(item, Tape) else f"eager: {item}"
    return status


def _use(key):
    """A key of _Tapes.items in words: "fit bce (training)", "predict (eval)", "l1 penalty λ=0.01"."""
    if key[0] in _PENALTIES:
        return f"{key[0]} penalty λ={key[1]:g}"
    mode = "training" if key[-1] else "eval"
    return f"fit {getattr(key[1], '__name__', key[1])} ({mode})" if key[0] == "fit" else f"{key[0]} ({mode})"


# --- recording ---------------------------------------------------------------------------------------------------


def _dropout_rng(model):
    """The random generator of the model's first Dropout (masks drawn from it keep fit(seed=) reproducible)."""
    stack = [model]
    while stack:
        module = stack.pop()
        if isinstance(module, Dropout):
            return module.rng
        if isinstance(module, Module):
            stack.extend(reversed(module.children()))
    return None


def _record_loss(model, loss_fn, X, y):
    """The tape of one example's loss term, form.term(model(x), y), with x and the target y as inputs."""
    form = PER_EXAMPLE.get(loss_fn)
    if form is None:
        raise TapeError("the compiled step knows the built-in losses (bce, mse, hinge); "
                        f"{getattr(loss_fn, '__name__', loss_fn)!r} is not one: train it eagerly (mode='eager')")
    seen = {}

    def example(x, target):
        seen["output"] = _one_output(model(x))
        return form.term(seen["output"], target)

    tape = record(example, X, y, watch=lambda x, target: _as_list(seen["output"]), rng=_dropout_rng(model),
                  params=model.parameters())
    tape.output, tape.form = _outputs_of(tape, seen["output"]), form
    return tape


def _one_output(out):
    """The model's output for one example: one Value, or a list of k Values (k classes: a softmax's)."""
    if isinstance(out, list) and out and all(isinstance(o, Value) for o in out):
        return list(out)
    if not isinstance(out, Value):
        raise TapeError(f"a tape records a model with one output (or a list of outputs) per example, got "
                        f"{type(out).__name__}")
    return out


# --- k outputs per example (a softmax over k classes): each one a watched node, read back as a column --------------


def _as_list(out):
    return out if isinstance(out, list) else [out]


def _outputs_of(tape, out):
    """What tape.output holds: the watched output node, or the list of k of them."""
    return tape.watched[:len(out)] if isinstance(out, list) else tape.watched[0]


def _output_values(tape):
    """The outputs of the last replay: (n,) for one output per example, (n, k) for k."""
    if isinstance(tape.output, list):
        return np.column_stack([tape.values(o) for o in tape.output])
    return tape.values(tape.output)


def _record_forward(model, X):
    """The tape of model(x) (k outputs: of their sum, each output watched), with tape.output set."""
    seen = {}

    def example(x):
        seen["output"] = out = _one_output(model(x))
        return out if isinstance(out, Value) else sum(out[1:], out[0])

    tape = record(example, X, params=[], watch=lambda x: _as_list(seen["output"]))
    tape.output = _outputs_of(tape, seen["output"])
    return tape


def _nodes_per_example(model, x):
    """How many nodes one example's graph has (in eval mode: no random draws)."""
    with model.in_mode(False):
        out = model(list(x))
    if isinstance(out, list):  # k outputs: the nodes of all of them
        return len({node for o in out if isinstance(o, Value) for node in topological_order(o)})
    return len(topological_order(out)) if isinstance(out, Value) else 0


def _choose(tapes, key, make):
    """Record with make() for auto: the Tape, or why not (a str, also logged), kept under key."""
    try:
        choice = make()
    except Exception as error:  # whatever stops a recording, the eager step meets it in its own words
        choice = f"{type(error).__name__}: {error}"
        _log.debug("%s runs eagerly: %s", key, choice)
    tapes.items[key] = choice
    return choice


# --- the steps ------------------------------------------------------------------------------------------------------


def _eager_step(model, X, y, loss_fn, optimizer, l2, l1):
    from .train import _step_eager  # train imports this module

    return _step_eager(model, X, y, loss_fn, optimizer, l2, l1)


def _replay(tape, X, y):
    """(per-example terms, outputs) of the tape on the batch, and None, or None and the first example where
    the eager loss would raise."""
    terms = tape.forward(X, y)
    outputs = _output_values(tape)
    if not np.isfinite(outputs).all():
        return terms, outputs, None
    return terms, outputs, tape.form.first_problem(outputs, y)


def _finish(tape, tapes, model, terms, outputs, optimizer, l2, l1):
    """Backward and update after a clean replay, as the eager step: returns (cost, outputs)."""
    n = len(terms)
    optimizer.zero_grad()
    tape.backward(tape.form.factor / n, input_grads=False)
    cost = sum(terms.tolist()) * (tape.form.factor / n)  # eager's order: t1 + t2 + ..., then × factor/n
    for name, lam in (("l1", l1), ("l2", l2)):  # eager's order: loss + L1 term + L2 term
        if lam:
            cost += _penalty_tape(tapes, model, name, lam).sum(_NO_INPUTS)
    optimizer.step()
    return cost, outputs.tolist()


def _penalty_tape(tapes, model, name, lam):
    """The tape of the penalty `name` ("l1" or "l2") with λ = lam on the model's weights, recorded once.

    Recorded from the eager penalty itself, so the replay takes the engine's derivatives: for |w| = max(w, −w)
    at w = 0 the tie gives ½ to each side, a gradient of ½·1 + ½·(−1) = 0, as in the eager step.
    """
    key = (name, lam)
    if key not in tapes.items:
        weights = model.weights()
        tapes.items[key] = Tape(_PENALTIES[name](weights, lam), [], params=weights)
    return tapes.items[key]


def _step_on(tape, tapes, model, X, y, loss_fn, optimizer, penalties, fall_back):
    """One step on the tape; the eager step where the eager loss would raise (and, with fall_back, where the
    replay raises), so that errors are the eager step's. penalties: (l2, l1), the λs of the step."""
    Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    try:
        terms, outputs, problem = _replay(tape, Xa, ya)
    except (ValueError, ArithmeticError):
        if not fall_back:
            raise
        return _eager_step(model, X, y, loss_fn, optimizer, *penalties)
    if not np.isfinite(outputs).all():
        return math.nan, outputs.tolist()  # as the eager step: no cost, no update (fit stops with the fix)
    if problem is not None:
        return _eager_step(model, X, y, loss_fn, optimizer, *penalties)
    return _finish(tape, tapes, model, terms, outputs, optimizer, *penalties)


def compiled_step(model, X, y, loss_fn, optimizer, l2, l1=0.0):
    """One step of `fit` on the model's loss tape: `STEP_MODES`' signature, returns (cost, outputs).

    One tape serves every example: one example's loss term with its target as an input, recorded on the first
    step (and again after a change to the model), replayed on the batch with seed factor/n; the L1 and L2 terms
    are tapes of their own. Same cost and gradients as the eager step, to rounding. Raises TapeError for a model or loss the
    tape cannot replay (a custom loss, several outputs, a graph that depends on the data through Python).
    """
    tapes = _tapes(model)
    key = ("fit", loss_fn, model.training)
    tape = tapes.items.get(key)
    if not isinstance(tape, Tape):
        tape = tapes.items[key] = _record_loss(model, loss_fn, np.asarray(X, dtype=float), np.asarray(y, dtype=float))
    return _step_on(tape, tapes, model, X, y, loss_fn, optimizer, (l2, l1), fall_back=False)


def auto_step(model, X, y, loss_fn, optimizer, l2, l1=0.0):
    """`compiled_step` where it is exact and pays, else the eager step (same signature, same numbers).

    Eager for small steps (fewer than AUTO_MIN_STEP_NODES nodes: XOR's 2-2-1 net on 4 points) and wherever the tape
    cannot stand for the eager graph (see the module docstring); the choice is kept until the model changes.
    """
    tapes = _tapes(model)
    key = ("fit", loss_fn, model.training)
    choice = tapes.items.get(key)
    if choice is None:
        if _nodes_per_example(model, X[0]) * len(X) < AUTO_MIN_STEP_NODES:
            choice = tapes.items[key] = f"fewer than AUTO_MIN_STEP_NODES = {AUTO_MIN_STEP_NODES} nodes per step"
        else:
            choice = _choose(tapes, key, lambda: _record_loss(model, loss_fn, np.asarray(X, dtype=float),
                                                              np.asarray(y, dtype=float)))
    if isinstance(choice, Tape):
        return _step_on(choice, tapes, model, X, y, loss_fn, optimizer, (l2, l1), fall_back=True)
    return _eager_step(model, X, y, loss_fn, optimizer, l2, l1)


def auto_predict(model, X):
    """model(x) for every row of X (n × inputs) from a replayed forward tape, or None where eager is better.

    The tape of `model(x)` is recorded on the first call big enough to pay (AUTO_MIN_NODES nodes in all), in the
    mode the model is in (`predict` uses eval mode), and kept until the model changes; it reads the parameters'
    .data at every replay, so it stays valid as the model trains. None (eager) for a model the tape cannot
    replay (several outputs, a graph that depends on the data through Python) and where a replay raises.
    """
    tapes = _tapes(model)
    key = ("predict", model.training)
    choice = tapes.items.get(key)
    if choice is None:
        if _nodes_per_example(model, X[0]) * len(X) < AUTO_MIN_NODES:
            return None  # nothing recorded: a bigger X later may be worth a tape
        choice = _choose(tapes, key, lambda: _record_forward(model, X))
    if not isinstance(choice, Tape) or choice.nodes * len(X) < AUTO_MIN_NODES:
        return None
    try:
        choice.forward(X)
        return _output_values(choice)
    except (ValueError, ArithmeticError):
        return None  # the eager run raises its own error
