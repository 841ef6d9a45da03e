"""The chain rule, one step at a time: the model behind the terminal, Jupyter and HTML step-throughs.

`backward_steps(root)` replays what `Value.backward()` does, in the same order, into a dict instead of
the nodes' `grad`: for each node in reversed `topological_order(root)` it takes the upstream gradient
g = ∂root/∂node, which is now final, and adds local × g into each parent's gradient. Every step records
the numbers and one chain-rule sentence, e.g. `∂f/∂x += ∂f/∂n2 · ∂n2/∂x = 1 · (−2) = −2`.

Nodes are named by their label, else "n<position in topological_order>", the DOT ids the renderer uses.
"""
import importlib.util
import inspect
import os
import re
from dataclasses import dataclass, field

from autograd import PRIMITIVES, Value, reader_counts, topological_order

from .notation import factor, fmt

__all__ = ["Step", "Contribution", "backward_steps", "forward_steps", "node_names", "fmt", "load_root"]


_ATOM = re.compile(r"[\w\[\],.']+")  # names like w, x1, W1[0,1], σ need no parentheses


def _term(name):
    """A name as a term of a formula: "w" stays, "1+e^−z" becomes "(1+e^−z)"."""
    return name if _ATOM.fullmatch(name) else f"({name})"


def node_names(root, names=None):
    """{Value: display name} for every node of root's graph: `names` first, then the label, else "n<position>"."""
    names = names or {}
    return {v: names.get(v) or v.label or f"n{i}" for i, v in enumerate(topological_order(root))}


@dataclass(frozen=True)
class Contribution:
    """What one backward step adds into one parent: parent.grad += local × g."""

    parent: Value
    slot: int  # position of parent in node.parents (the edge parent -> node)
    local: float  # ∂node/∂parent, computed in the forward pass
    product: float  # local × g
    before: float  # ∂root/∂parent accumulated before this +=
    after: float  # ... and after it


@dataclass(frozen=True, eq=False)
class Step:
    """One step of the forward or the backward pass.

    `kind` is "forward" or "backward"; `node` the node computed (forward) or whose gradient is now final
    (backward), `name` its display name, `value` its data. Backward steps also have `g` = ∂root/∂node,
    `contributions` (one per parent; empty when g == 0, which the engine skips: "nothing to pass on"),
    `grads` (every node's gradient after this step) and `final` (the nodes whose gradient is final).
    Forward steps have `computed` (the nodes whose value is known after this step).
    """

    kind: str
    index: int
    node: Value
    name: str
    value: float
    sentence: str
    g: float = None
    contributions: tuple = ()
    grads: dict = field(default_factory=dict)
    final: frozenset = frozenset()
    computed: frozenset = frozenset()

    @property
    def skipped(self):
        """True for a backward step with g == 0: the engine passes nothing on."""
        return self.kind == "backward" and self.g == 0.0

    def __repr__(self):
        return f"Step({self.kind} {self.index}: {self.sentence})"


def _contribution_sentence(root_name, name, parent_name, g, c):
    # ∂f/∂x += ∂f/∂q · ∂q/∂x = g · local = product
    d_root = f"∂{root_name}/∂"
    text = (f"{d_root}{parent_name} += {d_root}{name} · ∂{name}/∂{parent_name} = "
            f"{factor(g)} · {factor(c.local)} = {fmt(c.product)}")
    if c.before != 0:  # a reused node: show the running sum
        text += f", total {fmt(c.before)} + {factor(c.product)} = {fmt(c.after)}"
    return text


def backward_steps(root, forward=False, apply=False, names=None):
    """The steps `root.backward()` takes, in its order, without touching any node's `grad`.

    One step per op node in reversed `topological_order(root)` (leaves have nothing to pass on; a leaf
    root gives one step). A node with g == 0 is a step with no contributions, as the engine skips it.
    Gradients are those of one fresh pass (as after `zero_grad()`).

    forward: put `forward_steps(root)` first.  apply: also write the gradients onto the nodes, as
    `backward()` would (leaves accumulate, intermediate nodes are overwritten).  names: {Value: name}
    for unlabelled nodes (default "n<position>").
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps needs the Value to differentiate, got {type(root).__name__}")
    order = topological_order(root)
    label = node_names(root, names)
    consumers = reader_counts(order)  # how many op nodes still have to pass gradient into v
    grads = {v: 0.0 for v in order}
    grads[root] = 1.0  # the seed: ∂root/∂root = 1
    final = {v for v in order if consumers[v] == 0}  # just the root
    steps = forward_steps(root, names) if forward else []
    for node in reversed(order):
        if node.parents or node is root:
            g = grads[node]
            contributions = []
            if g != 0.0:  # the engine's rule: no upstream gradient, nothing to pass on (and no 0·inf)
                for slot, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
                    before = grads[parent]
                    grads[parent] = before + local * g
                    contributions.append(Contribution(parent, slot, local, local * g, before, grads[parent]))
            for parent in node.parents:
                consumers[parent] -= 1
                if consumers[parent] == 0:
                    final.add(parent)
            steps.append(Step("backward", len(steps), node, label[node], node.data,
                              _backward_sentence(label, root, node, g, contributions), g,
                              tuple(contributions), dict(grads), frozenset(final)))
    if apply:
        for v in order:
            v.grad = v.grad + grads[v] if not v.parents else grads[v]
    return steps


def _backward_sentence(label, root, node, g, contributions):
    r, n = _term(label[root]), _term(label[node])
    if g == 0.0 and node.parents:
        return f"∂{r}/∂{n} = 0: nothing to pass on (backward() skips this node)"
    if not contributions:
        return f"∂{r}/∂{n} = 1: {n} is an input, nothing to pass on"
    return "; ".join(_contribution_sentence(r, n, _term(label[c.parent]), g, c) for c in contributions)


# how the forward pass reads for each op: a format of the input names (and the constant k)
def _expression(node, parts):
    """The op applied to `parts` in its sentence form from PRIMITIVES: "w · x", "exp(−1)", "z^2"."""
    form = PRIMITIVES[node.op].form
    return form.format(*parts, k=fmt(node.arg) if node.arg is not None else "")


def forward_steps(root, names=None):
    """One step per node of root's graph in topological order, each showing the value it computes.

    Leaves read "w = −2 (input)"; ops "n2 = w · x = −2 · 5 = −10".
    """
    if not isinstance(root, Value):
        raise TypeError(f"forward_steps needs a Value, got {type(root).__name__}")
    label = node_names(root, names)
    steps, computed = [], set()
    for node in topological_order(root):
        computed.add(node)
        if node.parents:
            infix = PRIMITIVES[node.op].infix  # (−2) · 5 and (w·x) + b, but exp(−1) and exp(w·x)
            symbols = _expression(node, [(_term if infix else str)(label[p]) for p in node.parents])
            numbers = _expression(node, [(factor if infix else fmt)(p.data) for p in node.parents])
            sentence = f"{label[node]} = {symbols} = {numbers} = {fmt(node.data)}"
        else:
            kind = "input" if node.label else "constant"  # as the graph draws it: `names` is only the text
            sentence = f"{label[node]} = {fmt(node.data)} ({kind})"
        steps.append(Step("forward", len(steps), node, label[node], node.data, sentence,
                          computed=frozenset(computed)))
    return steps


def load_root(spec, func=None):
    """The Value to step through: a name in `viz.examples.EXAMPLES`, or a Python file.

    For a file, calls the function named `func`, or else the first function defined in the file (in source
    order) that takes no arguments and returns a Value. Raises LookupError with a one-line message.
    """
    if spec.endswith(".py") or os.sep in spec or os.path.isfile(spec):
        return _root_from_file(spec, func)
    from . import examples

    if spec not in examples.EXAMPLES:
        known = ", ".join(sorted(examples.EXAMPLES))
        raise LookupError(f"no example named {spec!r}; pick one of {known}, or give a Python file path")
    return _as_root(examples.EXAMPLES[spec](), spec)


def _as_root(result, where):
    if isinstance(result, tuple) and result and isinstance(result[0], Value):
        result = result[0]  # an example returning (root, inputs...)
    if not isinstance(result, Value):
        raise LookupError(f"{where} returned {type(result).__name__}, not a Value")
    return result


def _root_from_file(path, func):
    if not os.path.isfile(path):
        raise LookupError(f"no such file: {path!r} (give an example name or a Python file path)")
    spec = importlib.util.spec_from_file_location("_chainrule_user_graph", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # the user's file: report its error in one line
        raise LookupError(f"{path} failed to run: {type(e).__name__}: {e}") from e
    if func is not None:
        f = getattr(module, func, None)
        if not callable(f):
            raise LookupError(f"{path} has no function {func!r}")
        return _as_root(_call(f, path), f"{path}:{func}()")
    candidates = [f for f in vars(module).values()
                  if inspect.isfunction(f) and f.__module__ == module.__name__ and _no_required_args(f)]
    candidates.sort(key=lambda f: f.__code__.co_firstlineno)
    for f in candidates:
        result = _call(f, path)
        if isinstance(result, Value) or (isinstance(result, tuple) and result and isinstance(result[0], Value)):
            return _as_root(result, path)
    raise LookupError(f"{path} has no function without arguments that returns a Value; name one with --func")


def _no_required_args(f):
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in inspect.signature(f).parameters.values())


def _call(f, path):
    try:
        return f()
    except Exception as e:
        raise LookupError(f"{path}: {f.__name__}() failed: {type(e).__name__}: {e}") from e
