"""Learner modes, as Python models: step tangents forward, list every path's product, predict then reveal.

Research on teaching with visualizations finds that what learners *do* matters more than what they see.
These are the models behind the modes that make a learner act; the page, the widget and the terminal
show them, and they name nodes and write numbers as the step-through does (`node_names`, `fmt`):

- `tangent_steps(root, leaf)`: forward mode, one step per node in topological order, each with its
  tangent ∂node/∂leaf = Σ local × tangent of its inputs, ending at ∂root/∂leaf, equal to backward()'s.
- `path_table(root, leaf)`: every path from leaf to root with the product of its local gradients; the
  products add up to ∂root/∂leaf.
- `Quiz(root)`: walks the backward steps asking for each local gradient, each product local × g and
  each accumulated gradient before it is shown; checks answers to a relative tolerance; keeps a score.
"""
import math
from dataclasses import dataclass, field
from numbers import Real

from autograd import Value, parse, topological_order
from autograd.forward import PATH_LIMIT, chain_term, paths, tangents

from .notation import factor, fmt
from .names import term as _term
from .steps import backward_steps, node_names

__all__ = ["Term", "TangentStep", "tangent_steps", "PathRow", "PathTable", "path_table", "Question", "Verdict",
           "Quiz", "QUESTION_KINDS", "pick_node"]


def pick_node(root, node, names=None, what="leaf"):
    """The node of root's graph that `node` means: the Value itself, or its display name ("w", "n3")."""
    order = topological_order(root)
    if isinstance(node, Value):
        if node not in set(order):
            raise ValueError(f"{what}: this Value ({node!r}) is not in the graph; pass one of its nodes or its name")
        return node
    label = node_names(root, names)
    by_name = {}
    for v in order:
        by_name.setdefault(label[v], []).append(v)
    found = by_name.get(node, []) if isinstance(node, str) else []
    if len(found) != 1:
        problem = "is not a node name" if not found else f"names {len(found)} nodes; pass the Value itself"
        inputs = [label[v] for v in order if not v.parents and v.label]
        raise ValueError(f"{what} {node!r} {problem}; the graph's inputs are {', '.join(inputs) or 'unnamed'}")
    return found[0]


def _same(a, b):
    """Two results of the chain rule agree: equal up to rounding, or both nan."""
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _backward_gradient(root, leaf, names):
    """∂root/∂leaf as backward() computes it, from the step model (no node's grad changes)."""
    return backward_steps(root, names=names)[-1].grads[leaf]


# --- forward mode ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of a forward step: local × tangent of one input, ∂out/∂x · ∂x/∂leaf."""

    parent: Value
    slot: int  # position of parent in node.parents: the edge parent -> node
    local: float  # ∂node/∂parent, stored in the forward pass
    tangent: float  # ∂parent/∂leaf, known from an earlier step
    product: float  # local × tangent


@dataclass(frozen=True, eq=False)
class TangentStep:
    """One step of forward mode: `node`'s tangent ∂node/∂leaf, now known.

    `terms` are its inputs' contributions (empty for a leaf), `tangents` every tangent known after this
    step, `sentence` the chain rule in words, `leaf` the input varied (tangent 1). The last step (the
    root) also has `backward`, the gradient backward() finds, which the sentence says it equals.
    """

    index: int
    node: Value
    name: str
    value: float
    tangent: float
    terms: tuple
    sentence: str
    tangents: dict = field(default_factory=dict)
    backward: float = None
    kind: str = "tangent"
    leaf: Value = None

    def __repr__(self):
        return f"TangentStep({self.index}: {self.sentence})"


def _tangent_sentence(label, leaf, node, tangent, terms):
    # ∂n2/∂w = ∂n2/∂w · ∂w/∂w + ∂n2/∂x · ∂x/∂w = 5 · 1 + (−2) · 0 = 5
    n, w = _term(label[node]), _term(label[leaf])
    if node is leaf:
        return f"∂{n}/∂{w} = 1: the seed, {n} is the input we vary"
    if not node.parents:
        return f"∂{n}/∂{w} = 0: {'another input' if node.label else 'a constant'}, it does not change with {w}"
    if all(t.tangent == 0.0 for t in terms):
        return f"∂{n}/∂{w} = 0: none of {n}'s inputs depends on {w}"
    symbols = " + ".join(f"∂{n}/∂{_term(label[t.parent])} · ∂{_term(label[t.parent])}/∂{w}" for t in terms)
    numbers = " + ".join(f"{factor(t.local)} · {factor(t.tangent)}" for t in terms)
    return f"∂{n}/∂{w} = {symbols} = {numbers} = {fmt(tangent)}"


def _agreement(label, root, leaf, tangent, gradient):
    r, w = _term(label[root]), _term(label[leaf])
    if _same(tangent, gradient):
        return f"; backward() finds ∂{r}/∂{w} = {fmt(gradient)} too: the same derivative, the other way round"
    return f"; but backward() finds ∂{r}/∂{w} = {fmt(gradient)}"  # cannot happen for a well-formed graph


def tangent_steps(root, leaf, names=None):
    """Forward mode, step by step: ∂node/∂leaf for every node of root's graph in topological order.

    Each step's tangent is Σ local × tangent of its inputs (`autograd.forward.tangents`, the numbers
    jvp uses); its sentence reads "∂n2/∂w = ∂n2/∂w · ∂w/∂w + ∂n2/∂x · ∂x/∂w = 5 · 1 + (−2) · 0 = 5".
    The last step, the root's, ends with backward()'s gradient, which it equals. `leaf` is a node of
    the graph or its display name; names: {Value: name} as in `backward_steps`. No grad changes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"tangent_steps needs the Value to differentiate, got {type(root).__name__}")
    leaf = pick_node(root, leaf, names)
    label = node_names(root, names)
    tangent = tangents(root, leaf)
    steps, known = [], {}
    for node in topological_order(root):
        terms = tuple(Term(x, slot, local, tangent[x], chain_term(local, tangent[x]))
                      for slot, (x, local) in enumerate(zip(node.parents, node.local_grads)))
        known[node] = tangent[node]
        sentence = _tangent_sentence(label, leaf, node, tangent[node], terms)
        steps.append(TangentStep(len(steps), node, label[node], node.data, tangent[node], terms, sentence,
                                 dict(known), leaf=leaf))
    gradient = _backward_gradient(root, leaf, names)
    last = steps[-1]
    steps[-1] = TangentStep(last.index, last.node, last.name, last.value, last.tangent, last.terms,
                            last.sentence + _agreement(label, root, leaf, last.tangent, gradient),
                            last.tangents, gradient, leaf=leaf)
    return steps


# --- every path ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathRow:
    """One path for display: `route` "w → n2 → f", `factors` "5 · 1" (its local gradients), `product`."""

    path: object  # the autograd.forward.Path
    route: str
    factors: str
    product: float


@dataclass(frozen=True, eq=False)
class PathTable:
    """Every path from `leaf` to `root`, their products' `total` and backward()'s `gradient`, which it equals."""

    root: Value
    leaf: Value
    rows: tuple
    total: float
    gradient: float
    sentence: str

    def lines(self):
        """The table as text: one line per path, then the sentence."""
        width = max((len(row.route) for row in self.rows), default=0)
        body = [f"{row.route.ljust(width)}   {row.factors} = {fmt(row.product)}" for row in self.rows]
        return body + [self.sentence]


def _route(path, label):
    """ "x → n1 → b"; where a node reads the same input twice (x·x), the arrow says which read: "→(2nd)". """
    text = label[path.nodes[0]]
    for i, slot in enumerate(path.slots):
        reader = path.nodes[i + 1]
        twice = len(reader.parents) == 2 and reader.parents[0] is reader.parents[1]
        text += (" →(1st) " if slot == 0 else " →(2nd) ") if twice else " → "
        text += label[reader]
    return text


def _sum_sentence(label, root, leaf, rows, total, gradient, shown=6):
    r, w = _term(label[root]), _term(label[leaf])
    if len(rows) == 1:
        text = f"∂{r}/∂{w} = {fmt(total)}, the product along the only path from {w} to {r}"
    else:
        products = [factor(row.product) for row in rows[:shown]] + (["…"] if len(rows) > shown else [])
        text = f"∂{r}/∂{w} = {' + '.join(products)} = {fmt(total)}, the sum over {len(rows)} paths from {w} to {r}"
    if _same(total, gradient):
        return text + ", as backward() finds"
    return text + f"; but backward() finds {fmt(gradient)}"


def path_table(root, leaf, names=None, limit=PATH_LIMIT):
    """Every path from `leaf` to `root` with its product of local gradients, and their sum, ∂root/∂leaf.

    Rows read "x →(1st) n1 → b   3 · 2 = 6"; the sentence "∂b/∂x = 6 + 6 = 12, the sum over 2 paths
    from x to b, as backward() finds". More than `limit` paths raise ValueError (`autograd.paths`).
    `leaf` is a node of the graph or its display name. No grad changes.
    """
    if not isinstance(root, Value):
        raise TypeError(f"path_table needs the Value to differentiate, got {type(root).__name__}")
    leaf = pick_node(root, leaf, names)
    label = node_names(root, names)
    rows = tuple(PathRow(p, _route(p, label), " · ".join(factor(local) for local in p.locals) or "1", p.product)
                 for p in paths(root, leaf, limit=limit))
    total = 0.0
    for row in rows:
        total += row.product
    gradient = _backward_gradient(root, leaf, names)
    return PathTable(root, leaf, rows, total, gradient, _sum_sentence(label, root, leaf, rows, total, gradient))


# --- predict, then reveal --------------------------------------------------------------------------------------

QUESTION_KINDS = ("local", "product", "total")


@dataclass(frozen=True, eq=False)
class Question:
    """One number a learner predicts at a backward step, on the edge `parent` -> `node`.

    `kind` is "local" (∂node/∂parent), "product" (g · local, what the edge passes back) or "total"
    (parent's accumulated gradient, asked where a reused node adds a second time). `step` indexes
    `Quiz.steps`; `expected` is the number, `reveal` the sentence shown once it is answered.
    """

    step: int
    kind: str
    node: Value
    parent: Value
    slot: int
    prompt: str
    expected: float
    reveal: str


@dataclass(frozen=True)
class Verdict:
    """What `Quiz.answer` found: `right` or not, the number `given` (None when revealed), and the score after it."""

    question: Question
    given: float
    right: bool
    score: int
    asked: int

    @property
    def sentence(self):
        """ "right: ∂n2/∂w = 5 (score 1/1)" or "wrong (you said 4): ∂n2/∂w = 5 (score 0/1)"."""
        if self.given is None:
            verdict = "revealed"
        else:
            verdict = "right" if self.right else f"wrong (you said {fmt(self.given)})"
        return f"{verdict}: {self.question.reveal} (score {self.score}/{self.asked})"


def _edge_questions(index, step, c, label, root, ask):
    """The questions on one edge of one backward step, in the order they are asked."""
    r, n, p = _term(label[root]), _term(label[step.node]), _term(label[c.parent])
    local_text = f"∂{n}/∂{p}"
    product_text = f"∂{r}/∂{n} · ∂{n}/∂{p}"
    shown_local = factor(c.local) if "local" in ask else local_text  # revealed by the question before
    questions = []
    if "local" in ask:
        questions.append(("local", f"the local gradient on the edge {p} → {n}: {local_text} = ?", c.local,
                          f"{local_text} = {fmt(c.local)}"))
    if "product" in ask:
        questions.append(("product", f"what the edge passes back to {p}: {product_text} = {factor(step.g)} · "
                                     f"{shown_local} = ?", c.product,
                          f"∂{r}/∂{p} += {product_text} = {factor(step.g)} · {factor(c.local)} = {fmt(c.product)}"))
    if "total" in ask and c.before != 0:  # a reused node: its gradient adds up
        questions.append(("total", f"{p} had ∂{r}/∂{p} = {fmt(c.before)} already; now ∂{r}/∂{p} = ?", c.after,
                          f"∂{r}/∂{p} = {fmt(c.before)} + {factor(c.product)} = {fmt(c.after)}"))
    return [Question(index, kind, step.node, c.parent, c.slot, prompt, expected, reveal)
            for kind, prompt, expected, reveal in questions]


def _as_number(value):
    """A learner's answer as a float: a number, or text such as "−2", "0.25" or "1/4"."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return parse(value.replace("\u2212", "-")).data  # numbers and + - * / only: no names are given
        except ValueError:
            pass
    raise ValueError(f"answer: {value!r} is not a number; type one such as 5, −2, 0.25 or 1/4")


class Quiz:
    """Predict, then reveal: the backward steps of `root` as questions, checked to a relative tolerance.

    Every edge a backward step passes gradient along asks, in `ask`'s order, for its local gradient,
    then the product g · local, then (where the input was reached before) the input's accumulated
    gradient. Edges into constants (the 2 in 2 * v) and steps with g = 0 ask nothing. `answer(value)`
    checks the current question (right within `rel_tol` relative error, or 1e-9 absolute near 0),
    reveals it, moves on and returns a Verdict; `reveal()` gives a question up (counted wrong).
    """

    def __init__(self, root, ask=QUESTION_KINDS, rel_tol=1e-3, names=None):
        if not isinstance(root, Value):
            raise TypeError(f"Quiz needs the Value to differentiate, got {type(root).__name__}")
        unknown = set(ask) - set(QUESTION_KINDS)
        if unknown or not ask:
            raise ValueError(f"Quiz: ask must name some of {', '.join(QUESTION_KINDS)}, got {ask!r}")
        if not (isinstance(rel_tol, Real) and 0 < rel_tol < 1):
            raise ValueError(f"Quiz: rel_tol must be a number between 0 and 1, such as 1e-3, got {rel_tol!r}")
        self.rel_tol = float(rel_tol)
        self.steps = backward_steps(root, names=names)
        label = node_names(root, names)
        self.questions = [q for index, step in enumerate(self.steps) for c in step.contributions
                          if c.parent.parents or c.parent.label  # not a constant
                          for q in _edge_questions(index, step, c, label, root, tuple(ask))]
        self.position = 0  # the question being asked
        self.score = 0  # how many answered right
        self.verdicts = []

    @property
    def question(self):
        """The question being asked, or None when the quiz is over."""
        return self.questions[self.position] if self.position < len(self.questions) else None

    @property
    def done(self):
        """True once every question is answered."""
        return self.position >= len(self.questions)

    def check(self, value):
        """Whether `value` (a number or text like "1/4") is right for the current question; asks nothing new."""
        question = self._current()
        given = _as_number(value)
        expected = question.expected
        return given, (math.isnan(given) and math.isnan(expected)) or math.isclose(
            given, expected, rel_tol=self.rel_tol, abs_tol=1e-9)

    def answer(self, value):
        """Answer the current question: checks it, reveals it, counts it and moves on; returns a Verdict."""
        given, right = self.check(value)
        return self._record(given, right)

    def reveal(self):
        """Give the current question up: it counts as wrong and the quiz moves on; returns a Verdict."""
        self._current()
        return self._record(None, False)

    def _current(self):
        if self.done:
            raise ValueError(f"the quiz is over: {self.score}/{len(self.questions)} right; make a new Quiz to "
                             f"start again")
        return self.question

    def _record(self, given, right):
        self.score += right
        verdict = Verdict(self.question, given, right, self.score, self.position + 1)
        self.verdicts.append(verdict)
        self.position += 1
        return verdict

    def __repr__(self):
        return f"Quiz({self.position}/{len(self.questions)} asked, {self.score} right)"
