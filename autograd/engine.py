"""A scalar autograd engine: `Value`, its table of primitive ops, and one graph walk.

Every primitive is one row of `PRIMITIVES`: its forward and its local derivative side by side.
A node computes its local gradients (∂out/∂input, one per parent) in the forward pass and keeps
them as plain floats, so `backward()` is a loop of multiply-adds with no closures and no
reference cycles, and the renderer and the step-through can show every local gradient.
"""
import math
import unicodedata
from contextlib import contextmanager
from numbers import Real

__all__ = ["Value", "PRIMITIVES", "Primitive", "topological_order", "chain_term", "reader_counts", "name_scope",
           "gradcheck", "sigmoid_parts"]


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:  # exp(>709) is inf, as numpy says, not an exception
        return math.inf


def _log(x):
    if not x > 0 and not math.isnan(x):
        raise ValueError(f"log is defined only for x > 0, got x = {x!r}; shift or clip the input first")
    return math.log(x)


def _recip(x):
    if x == 0:
        raise ZeroDivisionError("1/x at x = 0: the reciprocal (and division) needs a non-zero value")
    return 1.0 / x


def _is_integer(k):
    """k is a whole number (inf and nan are not): its power of a negative x is real, its sign known."""
    return math.isfinite(k) and float(k).is_integer()


def _pow(x, k):
    if x < 0 and math.isfinite(k) and not _is_integer(k):
        raise ValueError(f"x ** {k!r} with x = {x!r} < 0 is not a real number; use an integer exponent")
    if x == 0 and k < 0:
        raise ZeroDivisionError(f"0 ** {k!r}: a negative power of zero is undefined")
    try:
        return float(x**k)  # float rules for k = ±inf or nan: (−2)^∞ = ∞, 0.5^∞ = 0, x^nan = nan, 1^nan = 1
    except OverflowError:
        return math.copysign(math.inf, x) if _is_integer(k) and k % 2 else math.inf


def _pow_local(x, k, out):
    if k == 0:  # x⁰ = 1 is constant: 0, also at x = 0 (as PyTorch), where k·x^(k−1) would be 0·∞
        return (0.0,)
    if x == 0 and k < 1:  # x^(k−1) is 1/0 there
        return (k * math.inf,)
    return (k * _pow(x, k - 1),)


def _max(x, y):
    if math.isnan(x) or math.isnan(y):  # nan if either is nan, as numpy and torch.maximum (Python's max(1, nan) is 1)
        return math.nan
    return x if x >= y else y


def _max_local(x, y, out):
    if x > y:
        return (1.0, 0.0)
    if y > x:
        return (0.0, 1.0)
    if x == y:
        return (0.5, 0.5)  # a tie: half each, as PyTorch
    return (math.nan, math.nan)  # a nan input: no larger one, so no gradient to route; nan keeps it visible


def _sigmoid(x):
    # two branches so that exp never overflows: σ(x) = 1/(1+e^-x) = e^x/(1+e^x)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Primitive:
    """One row of the op table, keyed by its identifier `name` ("mul", "recip", ...).

    `forward(*xs) -> out` and `local(*xs, out) -> (∂out/∂x, ...)` side by side; `symbol` is what a picture
    shows (×, 1/x, σ), `form` how a sentence writes it ("{0} · {1}", with {k} for the constant) and `infix`
    whether its inputs are written around it ((−2) · 5) rather than inside it (exp(−1)).
    `arity` counts the Value inputs; an op with a constant (`pow` k, `elu` alpha) receives it as its
    last argument after the Values, and gets no gradient for it.
    """

    __slots__ = ("name", "arity", "forward", "local", "symbol", "form", "infix", "doc")

    def __init__(self, name, arity, forward, local, symbol, form, doc, infix=False):
        self.name, self.arity, self.forward, self.local = name, arity, forward, local
        self.symbol, self.form, self.infix, self.doc = symbol, form, infix, doc

    def __repr__(self):
        return f"Primitive({self.name!r}: {self.doc})"


def _table(*rows):
    return {row.name: row for row in rows}


# identifier, arity, forward, local gradients, symbol, sentence form, the math
PRIMITIVES = _table(
    Primitive("add", 2, lambda x, y: x + y, lambda x, y, out: (1.0, 1.0), "+", "{0} + {1}",
              "out = x + y; local = (1, 1)", infix=True),
    Primitive("mul", 2, lambda x, y: x * y, lambda x, y, out: (y, x), "×", "{0} · {1}",
              "out = x·y; local = (y, x)", infix=True),
    Primitive("max", 2, _max, _max_local, "max", "max({0}, {1})",
              "out = max(x, y), nan if either is nan; local = 1 for the larger, ½ each on a tie (as PyTorch), "
              "nan at a nan"),
    Primitive("pow", 1, _pow, _pow_local, "**", "{0}^{k}", "out = x^k (k a number); local = k·x^(k−1), 0 when k = 0",
              infix=True),
    Primitive("exp", 1, _exp, lambda x, out: (out,), "exp", "exp({0})", "out = e^x; local = e^x"),
    Primitive("log", 1, _log, lambda x, out: (1.0 / x,), "log", "ln({0})", "out = ln x; local = 1/x"),
    Primitive("recip", 1, _recip, lambda x, out: (-out * out,), "1/x", "1/{0}", "out = 1/x; local = −1/x²",
              infix=True),
    Primitive("relu", 1, lambda x: x if not x <= 0 else 0.0, lambda x, out: (1.0 if x > 0 else 0.0,), "ReLU",
              "relu({0})", "out = max(0, x); local = 1 if x > 0 else 0"),
    Primitive("tanh", 1, math.tanh, lambda x, out: (1.0 - out * out,), "tanh", "tanh({0})",
              "out = tanh x; local = 1 − out²"),
    Primitive("elu", 1, lambda x, a: x if x > 0 else a * math.expm1(x),
              lambda x, a, out: (1.0 if x > 0 else out + a,), "ELU", "elu({0}, α={k})",
              "out = x if x > 0 else α(e^x − 1); local = 1 or out + α"),
    Primitive("sigmoid", 1, _sigmoid, lambda x, out: (out * (1.0 - out),), "σ", "σ({0})",
              "out = σ(x) fused; local = σ(1 − σ)"),
)

_scope = ""  # the name scope new nodes are made in (see name_scope)
_rewired = False  # set once the public `parents` setter has been used: only it can make a cycle


def _check_scope_name(name):
    """A scope name is printable text: it becomes a Graphviz cluster name and a TensorBoard name."""
    if not isinstance(name, str):
        raise TypeError(f"name_scope needs a str name, got {type(name).__name__}: {name!r}")
    if not name.isprintable() and any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        raise ValueError(f"name_scope({name!r}): a scope name may not hold control characters or lone "
                         "surrogates; use letters, digits and _")
    if name.endswith("\\"):  # a trailing backslash would escape the closing quote of the Graphviz cluster name
        raise ValueError(f"name_scope({name!r}): a scope name may not end in a backslash")


@contextmanager
def name_scope(name):
    """Tag every node made inside the block with `scope` = name (nested: "outer/inner"), like tf.name_scope.

    The renderer groups nodes of one scope into one cluster. `name` is a str without control characters,
    lone surrogates or a trailing backslash (ValueError).
    """
    global _scope
    _check_scope_name(name)
    outer = _scope
    _scope = f"{outer}/{name}" if outer else name
    try:
        yield _scope
    finally:
        _scope = outer


def _as_float(data):
    if isinstance(data, Real) and not isinstance(data, Value):
        return float(data)
    if isinstance(data, Value):
        raise TypeError("Value(Value(...)): pass a number, e.g. Value(v.data), or use the Value itself")
    raise TypeError(f"Value needs a real number (int or float), got {type(data).__name__}: {data!r}")


def _check_label(label):
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}; e.g. Value(2.0, label='x') "
                        f"or label=str({label!r})")
    return label


def _elu_alpha(alpha):
    """elu's α as a float: a finite real number (int or float)."""
    if isinstance(alpha, bool) or not isinstance(alpha, Real):
        raise TypeError(f"elu's alpha must be a real number (int or float), got {type(alpha).__name__}: {alpha!r}")
    if not math.isfinite(alpha):
        raise ValueError(f"elu's alpha must be finite, got {alpha!r}; the usual value is 1.0")
    return float(alpha)


class Value:
    """One scalar in a computational graph.

    Public attributes: `data` (float), `grad` (∂root/∂self after `backward()`, 0.0 at first), `label` (a str),
    `op` (the primitive's identifier, a key of PRIMITIVES; "" for a leaf), `parents` (tuple of Values),
    `local_grads` (tuple of floats, ∂self/∂parent), `arg` (the constant of `pow` and `elu`, else None) and
    `scope` (the name scope it was made in).

    Every primitive has one or two inputs, so a node stores its parents x, y and its local gradients
    ∂out/∂x, ∂out/∂y in four slots (`_x`, `_y`, `_dx`, `_dy`; None where absent) rather than in two
    tuples: one object per node instead of three, 136 bytes instead of about 230, and less work for
    Python's garbage collector. `parents` and `local_grads` read them back as tuples.
    """

    __slots__ = ("data", "grad", "label", "op", "arg", "scope", "_x", "_y", "_dx", "_dy")

    def __init__(self, data, label="", op="", parents=(), local_grads=(), arg=None):
        self.data = data if type(data) is float else _as_float(data)
        self.grad = 0.0
        self.label = label if type(label) is str else _check_label(label)
        self.op = op
        self.arg = arg
        self.scope = _scope
        if not parents and not local_grads:  # a leaf: the common case
            self._x = self._y = self._dx = self._dy = None
            return
        self._link(parents)  # a new node reads older ones: no cycle can close here
        self.local_grads = local_grads
        if len(parents) != len(local_grads):
            raise ValueError(f"a node needs one local gradient per parent, got {len(parents)} parents and "
                             f"{len(local_grads)} local gradients")

    @property
    def parents(self):
        """The op's inputs: (x,) or (x, y); () for a leaf."""
        x, y = self._x, self._y
        if x is None:
            return ()
        return (x,) if y is None else (x, y)

    @parents.setter
    def parents(self, parents):
        global _rewired
        self._link(parents)
        _rewired = True  # an existing node now reads others: from here on, topological_order checks for cycles

    def _link(self, parents):
        if len(parents) > 2 or not all(isinstance(p, Value) for p in parents):
            raise ValueError(f"parents must be a tuple of at most 2 Values (every primitive is unary or binary), "
                             f"got {parents!r}")
        self._x, self._y = (tuple(parents) + (None, None))[:2]

    @property
    def local_grads(self):
        """∂self/∂parent for each parent, as floats: (∂out/∂x,) or (∂out/∂x, ∂out/∂y); () for a leaf."""
        dx, dy = self._dx, self._dy
        if dx is None:
            return ()
        return (dx,) if dy is None else (dx, dy)

    @local_grads.setter
    def local_grads(self, local_grads):
        if len(local_grads) > 2:
            raise ValueError(f"local_grads must be a tuple of at most 2 floats, got {local_grads!r}")
        self._dx, self._dy = (tuple(local_grads) + (None, None))[:2]

    def _apply(self, op, other=None, arg=None):
        """Run primitive `op` on self (and other), recording its local gradients."""
        prim = PRIMITIVES[op]
        x = self.data
        if prim.arity == 2:
            if not isinstance(other, Value):
                other = _leaf(other)
            y = other.data
            out = prim.forward(x, y)
            dx, dy = prim.local(x, y, out)
            return _node(out, op, self, other, dx, dy)
        if arg is None:
            out = prim.forward(x)
            (dx,) = prim.local(x, out)
        else:
            out = prim.forward(x, arg)
            (dx,) = prim.local(x, arg, out)
        return _node(out, op, self, None, dx, None, arg)

    # primitives; + and * are the hot ops of every network, so they skip the table lookup and the
    # generic _apply: their forward and local are written out here (tests check them against PRIMITIVES)
    def __add__(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        return _node(self.data + other.data, "add", self, other, 1.0, 1.0)  # local = (1, 1)

    def __mul__(self, other):
        if not isinstance(other, Value):
            other = _leaf(other)
        x, y = self.data, other.data
        return _node(x * y, "mul", self, other, y, x)  # local = (y, x)

    def __pow__(self, k):
        if isinstance(k, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a number. "
                            "For a learnable exponent y write (y * x.log()).exp()")
        if not isinstance(k, Real):
            raise TypeError(f"the exponent must be an int or float, got {type(k).__name__}")
        return self._apply("pow", arg=float(k))

    def maximum(self, other):
        """max(self, other): the gradient flows to the larger input (half to each on a tie, as in PyTorch).

        nan if either input is nan (as numpy and torch.maximum), with a nan local gradient to both.
        """
        return self._apply("max", other)

    def exp(self):
        """e^x."""
        return self._apply("exp")

    def log(self):
        """Natural log; raises ValueError for x ≤ 0."""
        return self._apply("log")

    def reciprocal(self):
        """1/x; raises ZeroDivisionError at x = 0."""
        return self._apply("recip")

    def relu(self):
        """max(0, x)."""
        return self._apply("relu")

    def tanh(self):
        """tanh x."""
        return self._apply("tanh")

    def elu(self, alpha=1.0):
        """x if x > 0 else alpha·(e^x − 1); alpha a finite real number (TypeError for a str, Decimal, complex)."""
        return self._apply("elu", arg=_elu_alpha(alpha))

    # composed from the primitives
    def sigmoid(self, fused=False):
        """σ(x) = 1/(1 + e^−x).

        Composed (default) exactly as the lecture draws it: x → ×(−1) → exp → +1 → 1/x, four op nodes
        whose local gradients multiply to σ(1 − σ) (`sigmoid_parts` finds them again in a graph).
        `fused=True` makes one node with local σ(1 − σ).
        """
        if fused:
            return self._apply("sigmoid")
        return ((self * -1).exp() + 1).reciprocal()  # the shape sigmoid_parts recognizes

    def leaky_relu(self, slope=0.1):
        """max(slope·x, x), as the lecture writes it.

        At x = 0 the two inputs of max tie (slope·0 = 0), and a tie sends half the gradient to each, as
        torch.maximum does: the derivative there is ½·slope + ½·1 = 0.55 for slope 0.1, between the two sides.
        """
        return (self * slope).maximum(self)

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):
        if isinstance(other, Value):
            return self * other.reciprocal()
        return self * _recip(_as_float(other))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return other + (-self)

    def __rtruediv__(self, other):
        return self.reciprocal() * other

    def __rpow__(self, base):
        """base ** x for a number base > 0, composed as e^(x·ln base)."""
        base = _as_float(base)
        if not base > 0:
            raise ValueError(f"base ** Value needs base > 0, got {base!r}")
        return (self * math.log(base)).exp()

    # the graph walk
    def backward(self):
        """Backpropagate from this node: every node's `grad` becomes ∂self/∂node.

        Seeds ∂self/∂self = 1 and walks the graph in reverse topological order (iteratively, so a chain of a
        million nodes works), adding local × g into each parent. Leaf gradients accumulate across calls, as in
        PyTorch: call `zero_grad()` (or `Module.zero_grad()`) before the next backward when you do not want
        that. Intermediate nodes are reset first, so they hold this pass's gradient.

        The one gradient rule (`chain_term`, written inline here for speed): skip a node whose g is 0, and a zero local
        gradient contributes exactly 0, so the flat side of relu or max masks an upstream ±inf or nan as
        PyTorch's masked backward does (relu(x) ** 0.5 at x = −1 has gradient 0, not 0·∞ = nan). A nan
        local gradient (max at a nan input) still propagates.
        """
        order = topological_order(self)
        for node in order:
            if node._x is not None:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            x = node._x
            if x is None:  # a leaf: no parents
                continue
            g = node.grad
            if g == 0.0:  # no upstream gradient: nothing to pass on (and no 0·inf = nan)
                continue
            local = node._dx
            if local:  # 0 contributes exactly 0 (never 0·inf = nan); nan is truthy and propagates
                x.grad += local * g
            y = node._y
            if y is not None:
                local = node._dy
                if local:
                    y.grad += local * g

    def zero_grad(self):
        """Set `grad` to 0.0 on every node of this node's graph."""
        for node in topological_order(self):
            node.grad = 0.0

    # micrograd compatibility, for code and visualizers written against it
    @property
    def _prev(self):
        return set(self.parents)

    @property
    def _op(self):
        return PRIMITIVES[self.op].symbol if self.op else ""

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


_new = object.__new__


def _node(data, op, x, y, dx, dy, arg=None):
    """A new node out = op(x) or op(x, y) with its local gradients: the constructor behind every op."""
    out = _new(Value)  # skips __init__'s checks: every argument here comes from the engine itself
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.arg = arg
    out.scope = _scope
    out._x = x
    out._y = y
    out._dx = dx
    out._dy = dy
    return out


def _leaf(number):
    """A constant from a plain number (the 2 in 2 * v): a leaf Value with label ""."""
    return _node(number if type(number) is float else _as_float(number), "", None, None, None, None)


def _is_constant(node, number):
    """An unlabelled leaf holding `number`: the −1 and 1 that Value.sigmoid() puts into the graph."""
    return node is not None and node._x is None and not node.label and node.data == number


def sigmoid_parts(out):
    """(z, neg, exp, plus) when `out` is the 1/x node of a sigmoid composed as `Value.sigmoid()` builds it, else None.

    The composed sigmoid's shape, written once: neg = z·(−1), exp = e^neg, plus = exp + 1, out = 1/plus, with
    the constants −1 and 1 as unlabelled leaves. The renderer draws such a chain as one σ when asked, and the
    worked examples label its nodes.
    """
    if out.op != "recip":
        return None
    plus = out._x
    if plus.op != "add" or not _is_constant(plus._y, 1.0):
        return None
    exp = plus._x
    if exp.op != "exp":
        return None
    neg = exp._x
    if neg.op != "mul" or not _is_constant(neg._y, -1.0):
        return None
    return neg._x, neg, exp, plus


def topological_order(root):
    """Every node of root's graph, each after all of its parents (inputs first, root last).

    An iterative depth-first walk: no recursion limit, so chains of millions of nodes work.
    This is the one walk shared by `backward()`, the renderer and the step-through.
    A graph with a cycle (made by setting `parents` by hand) has no such order: ValueError naming a node on it.
    Only the `parents` setter can close a cycle (every op reads older nodes), so the check runs once it was used.
    """
    order, visited, done = [], {root}, set()  # visited: pushed; done: emitted op nodes. The stack is the path.
    stack = [root]
    mark, finish, push, emit = visited.add, done.add, stack.append, order.append
    while stack:
        node = stack[-1]
        x = node._x  # visit x's subgraph first, then y's, then the node itself
        if x is None:  # a leaf: no parents, and never on a cycle
            emit(stack.pop())
            continue
        if x not in visited:
            mark(x)
            push(x)
            continue
        y = node._y
        if y is not None and y not in visited:
            mark(y)
            push(y)
            continue
        if _rewired:  # both parents were visited; an op node not done yet is still on the path to here: a cycle
            if (x._x is not None and x not in done) or (y is not None and y._x is not None and y not in done):
                raise _cycle_error(node, x if x._x is not None and x not in done else y)
            finish(node)
        emit(stack.pop())
    return order


def _cycle_error(node, ancestor):
    """The ValueError for a node that is its own ancestor: node reads `ancestor`, which depends on node."""
    return ValueError(f"the graph has a cycle: {node!r} reads {ancestor!r}, which depends on it; a computational "
                      "graph must be acyclic (was `parents` set by hand to a node built from this one?)")


def chain_term(local, g):
    """local × g, what one edge passes on in the chain rule: the one gradient rule.

    Exactly 0 when either factor is 0: a node with no upstream gradient passes nothing on, and the flat side
    of relu or max masks an upstream ±inf or nan (0 · ∞ would be nan), as PyTorch's masked backward does. A nan
    local gradient still propagates. `backward()` applies it inline in its hot loop; the step model, forward
    mode and paths call it, and the page's script and the compiled tape mirror it (their tests compare them).
    """
    if local == 0.0 or g == 0.0:
        return 0.0
    return local * g


def reader_counts(order):
    """{node: how many times nodes of `order` read it as a parent}: 0 for the root, 2 for x in x + x."""
    readers = dict.fromkeys(order, 0)
    for node in order:
        for parent in node.parents:
            readers[parent] += 1
    return readers


class GradcheckResult:
    """What `gradcheck` found: `analytic` and `numeric` gradients and their largest errors."""

    def __init__(self, analytic, numeric):
        self.analytic, self.numeric = analytic, numeric
        diffs = [abs(a - n) for a, n in zip(analytic, numeric)]
        self.max_abs_err = max(diffs, default=0.0)
        self.max_rel_err = max((d / max(abs(a), abs(n), 1e-12) for d, a, n in zip(diffs, analytic, numeric)),
                               default=0.0)

    def ok(self, atol=1e-5, rtol=1e-4):
        """True when every gradient agrees within atol or rtol."""
        return all(abs(a - n) <= atol + rtol * abs(n) for a, n in zip(self.analytic, self.numeric))

    def __repr__(self):
        return f"GradcheckResult(max_abs_err={self.max_abs_err:.3g}, max_rel_err={self.max_rel_err:.3g})"


def gradcheck(f, xs, eps=1e-6):
    """Compare `backward()` against central differences (f(x+ε) − f(x−ε)) / 2ε.

    `f` takes Values and returns a Value; `xs` are the numbers to check at.
    Returns a GradcheckResult with `max_abs_err` and `max_rel_err`.
    """
    xs = [_as_float(x) for x in xs]
    inputs = [Value(x) for x in xs]
    f(*inputs).backward()
    analytic = [v.grad for v in inputs]
    numeric = []
    for i in range(len(xs)):
        up = [Value(x + eps if j == i else x) for j, x in enumerate(xs)]
        down = [Value(x - eps if j == i else x) for j, x in enumerate(xs)]
        numeric.append((f(*up).data - f(*down).data) / (2 * eps))
    return GradcheckResult(analytic, numeric)
