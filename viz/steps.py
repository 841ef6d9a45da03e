"""The chain rule, one step at a time: the Python model of the steps the page, the terminal and the widget show.

`backward_steps(root)` replays what `Value.backward()` does, in the same order, without touching any `grad`:
for each node in reversed `topological_order(root)` it takes the upstream gradient g = ∂root/∂node, which is
now final, and adds local × g into each parent (the one gradient rule: skip g = 0, a zero local adds exactly
zero). Every step records what it changes (one `Contribution` per parent, and the nodes whose gradient it
makes final) and one chain-rule sentence, e.g. `∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2`. So the steps of an
n-node graph take O(n) memory; a step's `grads` (every gradient so far) are replayed from the changes when
asked for. The page's script computes the same steps and the same sentences in the browser.

Nodes are named by `viz.names.node_names`: the label, else a name derived from the op and its inputs.
"""
from dataclasses import dataclass

from autograd import PRIMITIVES, Value, reader_counts, topological_order
from autograd.engine import chain_term

from .names import node_names, term
from .notation import factor, fmt

__all__ = ["Step", "Contribution", "backward_steps", "forward_steps", "node_names", "fmt", "load_root"]


@dataclass(frozen=True)
class Contribution:
    """What one backward step adds into one parent: parent.grad += local × g."""

    parent: Value
    slot: int  # position of parent in node.parents (the edge parent -> node)
    local: float  # ∂node/∂parent, computed in the forward pass
    product: float  # local × g (exactly 0 when local is 0)
    before: float  # ∂root/∂parent accumulated before this +=
    after: float  # ... and after it


class _Trace:
    """What the steps of one graph share: its order and root, and for replays each step's changes."""

    __slots__ = ("root", "order", "contributions", "finalized", "forward_count")

    def __init__(self, root, order):
        self.root, self.order = root, order
        self.contributions, self.finalized = [], []  # per step: what it adds, which gradients it makes final
        self.forward_count = 0

    def grads(self, index):
        """{node: ∂root/∂node so far} after step `index`: the seed, then every contribution up to it."""
        grads = dict.fromkeys(self.order, 0.0)
        done = index - self.forward_count + 1  # backward steps taken
        if done > 0:  # the backward pass has started: the seed is in
            grads[self.root] = 1.0
        for contributions in self.contributions[:max(done, 0)]:
            for c in contributions:
                grads[c.parent] = c.after
        return grads

    def final(self, index):
        """The nodes whose gradient is final after step `index` (none during the forward pass)."""
        if index < self.forward_count:
            return frozenset()
        return frozenset([self.root]).union(*self.finalized[:index - self.forward_count + 1])

    def computed(self, index):
        """The nodes whose value is known after step `index`: the forward steps so far, else all."""
        if index >= self.forward_count:
            return frozenset(self.order)
        return frozenset(self.order[:index + 1])


class Step:
    """One step of the forward or the backward pass.

    `kind` is "forward" or "backward"; `node` the node computed (forward) or whose gradient is now final
    (backward), `name` its display name, `value` its data, `sentence` the step in words. Backward steps also
    have `g` = ∂root/∂node, `contributions` (one per parent; empty when g == 0, which the engine skips:
    "nothing to pass on") and `finalized` (the parents whose gradient this step makes final).
    Replayed on demand, so that a step stores only what it changes: `grads` (every node's gradient after
    this step), `final` (the nodes whose gradient is final) and `computed` (whose value is known).
    """

    __slots__ = ("kind", "index", "node", "name", "value", "sentence", "g", "contributions", "finalized", "_trace")

    def __init__(self, kind, index, node, name, sentence, trace, g=None, contributions=(), finalized=()):
        self.kind, self.index, self.node, self.name = kind, index, node, name
        self.value, self.sentence, self._trace = node.data, sentence, trace
        self.g, self.contributions, self.finalized = g, contributions, finalized

    @property
    def grads(self):
        """{node: gradient so far} after this step (all 0 in the forward pass)."""
        return self._trace.grads(self.index)

    @property
    def final(self):
        """frozenset of the nodes whose gradient is final after this step."""
        return self._trace.final(self.index)

    @property
    def computed(self):
        """frozenset of the nodes whose value is known after this step."""
        return self._trace.computed(self.index)

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


def _pass_on(node, g, grads):
    """The one gradient rule for one node: every parent gets local × g (nothing when g == 0)."""
    if g == 0.0:  # no upstream gradient: nothing to pass on (and no 0·inf = nan)
        return ()
    contributions = []
    for slot, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
        before = grads[parent]
        product = chain_term(local, g)
        grads[parent] = before + product
        contributions.append(Contribution(parent, slot, local, product, before, grads[parent]))
    return tuple(contributions)


def _finalize(node, readers):
    """The parents whose last reader is `node`: their gradient is final once node has passed it on."""
    done = []
    for parent in node.parents:
        readers[parent] -= 1
        if readers[parent] == 0:
            done.append(parent)
    return tuple(done)


def backward_steps(root, forward=False, apply=False, names=None):
    """The steps `root.backward()` takes, in its order, without touching any node's `grad`.

    One step per op node in reversed `topological_order(root)` (leaves have nothing to pass on; a leaf
    root gives one step). A node with g == 0 is a step with no contributions, as the engine skips it.
    Gradients are those of one fresh pass (as after `zero_grad()`). Memory is O(nodes): each step keeps
    what it changes.

    forward: put `forward_steps(root)` first.  apply: also write the gradients onto the nodes, as
    `backward()` would (leaves accumulate, intermediate nodes are overwritten).  names: {Value: name}
    for unlabelled nodes (default: `viz.names.node_names`).
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps needs the Value to differentiate, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    label = node_names(root, names, order)
    trace = _Trace(root, order)
    steps = _forward(order, label, trace) if forward else []
    trace.forward_count = len(steps)
    readers = reader_counts(order)  # how many op nodes still have to pass gradient into each node
    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0  # the seed: ∂root/∂root = 1
    for node in reversed(order):
        if not node.parents and node is not root:
            continue
        g = grads[node]
        contributions = _pass_on(node, g, grads)
        finalized = _finalize(node, readers)
        trace.contributions.append(contributions)
        trace.finalized.append(finalized)
        steps.append(Step("backward", len(steps), node, label[node],
                          _backward_sentence(label, root, node, g, contributions), trace, g, contributions,
                          finalized))
    if apply:
        for v in order:
            v.grad = v.grad + grads[v] if not v.parents else grads[v]
    return steps


def _backward_sentence(label, root, node, g, contributions):
    r, n = term(label[root]), term(label[node])
    if g == 0.0 and node.parents:
        return f"∂{r}/∂{n} = 0: nothing to pass on (backward() skips this node)"
    if not contributions:
        return f"∂{r}/∂{n} = 1: {n} is an input, nothing to pass on"
    return "; ".join(_contribution_sentence(r, n, term(label[c.parent]), g, c) for c in contributions)


def _expression(node, parts):
    """The op applied to `parts` in its sentence form from PRIMITIVES: "w · x", "exp(−1)", "z^2"."""
    form = PRIMITIVES[node.op].form
    return form.format(*parts, k=fmt(node.arg) if node.arg is not None else "")


def _forward_sentence(node, label):
    """"w = −2 (input)", "g = w · x = (−2) · 5 = −10"."""
    if not node.parents:
        kind = "input" if node.label else "constant"  # as the graph draws it: `names` is only the text
        return f"{label[node]} = {fmt(node.data)} ({kind})"
    infix = PRIMITIVES[node.op].infix  # (−2) · 5 and (w·x) + b, but exp(−1) and exp(w·x)
    symbols = _expression(node, [(term if infix else str)(label[p]) for p in node.parents])
    numbers = _expression(node, [(factor if infix else fmt)(p.data) for p in node.parents])
    return f"{label[node]} = {symbols} = {numbers} = {fmt(node.data)}"


def _forward(order, label, trace):
    return [Step("forward", i, node, label[node], _forward_sentence(node, label), trace)
            for i, node in enumerate(order)]


def forward_steps(root, names=None):
    """One step per node of root's graph in topological order, each showing the value it computes.

    Leaves read "w = −2 (input)"; ops "g = w · x = (−2) · 5 = −10".
    """
    if not isinstance(root, Value):
        raise TypeError(f"forward_steps needs a Value, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    trace = _Trace(root, order)
    steps = _forward(order, node_names(root, names, order), trace)
    trace.forward_count = len(steps)
    return steps


def load_root(spec, func=None):
    """The Value to step through: a name in `viz.examples.EXAMPLES`, a Python file (its function `func`, else
    the first one without arguments that returns a Value) or a formula. Kept for callers of the first
    version; `viz.sources.load_source` does the work and raises its SourceError, a LookupError.
    """
    from .sources import load_source

    return load_source(spec, func)
