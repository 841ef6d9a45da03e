"""Compiled batch mode: record one example's scalar graph once, replay it over a whole batch with numpy.

The eager engine builds a fresh graph of Python objects for every example at every step. A network's
graph has the same shape for every example, so `record` builds it once, on placeholder inputs, and
keeps a *tape*: the nodes in topological order with their op codes, parent rows and constants. Replaying
the tape runs every node on a numpy array holding that node's value for every example of the batch:

    from autograd.compiled import record
    l2 = lambda: 1e-4 * sum(p * p for p in model.parameters())
    tape = record(lambda x, y: (1 - y * model(x)).relu() + l2(), X, Y)  # one example's loss; X (n, 2), Y (n,)
    model.zero_grad()
    cost = tape.mean(X, Y)     # mean_i loss_i, and p.grad += its gradient, for every parameter p
    outs = tape(X, Y)          # per-example values only

`tape.mean` gives the eager numbers for the batch cost mean_i f(params, x_i, y_i): the same value and
the same gradient in every parameter's `grad`, to rounding (1e-12 in the tests). A term on the parameters
alone, like the L2 penalty above, does not vary over the batch: the tape computes it once per replay, and
mean_i (loss_i + R) = mean_i loss_i + R, so it belongs inside fn. `step` is `autograd.nn.fit`'s step on tapes,
and `auto_predict` is `autograd.nn.predict`'s forward pass on a tape.

Leaves of the recorded graph are of three kinds:
  inputs      the placeholders made from the batch (or passed to `Tape`): one column of the batch each;
  masks       `DropoutMask` leaves: re-drawn for every example at every replay (a dropout mask is data);
  the rest    parameters and constants: read from their `.data` at every replay (so an optimizer's
              update is seen) and given their batch gradient in `.grad`, exactly as eager backward does.

A replay runs the nodes in groups, one numpy call per group: nodes of one op at one depth of the graph.
A node that does not vary over the batch (a parameter, or one computed from parameters alone) is one
number; a chain of + nodes is one sum; and the products w·x inside a layer's sums are one matrix product.
Each group's numpy forward and local derivative come from NUMPY_PRIMITIVES, a row per engine primitive.

Limit: the tape records the ops, not the Python around them. A graph whose *shape* depends on the data
(`if x.data > 0:` in the model, or a number read from `.data` turned into a constant) cannot be replayed.
`record` guards against it: it checks that replaying reproduces the eager values and gradients on the
recording row and re-runs `fn` eagerly on `check` more rows, raising TapeError when the graph's shape or
one of its constants differs. Data-dependent branches that agree on every checked row are not detected;
pass check="all" to compare every row. ReLU, max and maxout need no branch: they are elementwise ops.
"""
import weakref

import numpy as np

from .engine import PRIMITIVES, Value, reader_counts, topological_order

__all__ = ["record", "Tape", "TapeError", "DropoutMask", "NUMPY_PRIMITIVES", "NumpyPrimitive", "step", "auto_step",
           "auto_predict"]


class TapeError(ValueError):
    """The graph cannot be replayed as recorded (its shape depends on the data), or the replay disagrees
    with the eager engine."""


# --- the numpy op table: one row per engine primitive, forward and local derivative side by side ---------------


class NumpyPrimitive:
    """The batch version of one engine primitive: `forward(*xs) -> out` and `local(*xs, out) -> (∂out/∂x, ...)`
    on arrays (one column per example), with the constant of `pow` and `elu` as the last argument."""

    __slots__ = ("name", "forward", "local")

    def __init__(self, name, forward, local):
        self.name, self.forward, self.local = name, forward, local

    def __repr__(self):
        return f"NumpyPrimitive({self.name!r}: {PRIMITIVES[self.name].doc})"


def _first(x, bad):
    """The first offending value and its example (column) for an error message."""
    where = tuple(np.argwhere(bad)[0])
    return float(x[where]), int(where[-1])


def _log(x):
    bad = x <= 0
    if bad.any():
        value, example = _first(x, bad)
        raise ValueError(f"log is defined only for x > 0, got x = {value!r} (example {example} of the batch); "
                         "shift or clip the input first")
    return np.log(x)


def _recip(x):
    bad = x == 0
    if bad.any():
        raise ZeroDivisionError(f"1/x at x = 0 (example {_first(x, bad)[1]} of the batch): the reciprocal "
                                "(and division) needs a non-zero value")
    with np.errstate(over="ignore"):
        return 1.0 / x


def _recip_local(x, out):
    with np.errstate(over="ignore"):  # −1/x² overflows to −∞ for tiny x, as in the engine
        return (-out * out,)


def _pow(x, k):
    if np.isfinite(k) and not float(k).is_integer() and (x < 0).any():
        value, example = _first(x, x < 0)
        raise ValueError(f"x ** {k!r} with x = {value!r} < 0 (example {example} of the batch) is not a real "
                         "number; use an integer exponent")
    if k < 0 and (x == 0).any():
        raise ZeroDivisionError(f"0 ** {k!r} (example {_first(x, x == 0)[1]} of the batch): a negative power "
                                "of zero is undefined")
    with np.errstate(over="ignore"):
        return np.power(x, k)  # C's pow, as Python's floats: (−2)^∞ = ∞, 0.5^∞ = 0, x^nan = nan, 1^nan = 1


def _pow_local(x, k, out):
    # k·x^(k−1); 0 when k = 0, also at x = 0; and k·∞ at x = 0 for k < 1 (as the engine's row says)
    if k == 0:
        return (np.zeros_like(x),)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return (np.where((x != 0) | (k >= 1), k * np.power(x, k - 1), k * np.inf),)


def _exp(x):
    with np.errstate(over="ignore"):  # e^(>709) is inf, as in the engine
        return np.exp(x)


def _sigmoid(x):
    # the engine's two branches, both from e^−|x| so that exp never overflows
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _elu(x, a):
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0)))


def _max_local(x, y, out):
    dx = np.where(x > y, 1.0, np.where(y > x, 0.0, 0.5))  # 1 for the larger, ½ each on a tie
    dx = np.where(np.isnan(out), np.nan, dx)  # nan at a nan input, as the engine's row
    return dx, 1.0 - dx


def _table(*rows):
    return {row.name: row for row in rows}


# name, forward, local gradients: the same math as engine.PRIMITIVES, on arrays
NUMPY_PRIMITIVES = _table(
    NumpyPrimitive("add", lambda x, y: x + y, lambda x, y, out: (1.0, 1.0)),
    NumpyPrimitive("mul", lambda x, y: x * y, lambda x, y, out: (y, x)),
    NumpyPrimitive("max", np.maximum, _max_local),  # np.maximum: nan if either is nan
    NumpyPrimitive("pow", _pow, _pow_local),
    NumpyPrimitive("exp", _exp, lambda x, out: (out,)),
    NumpyPrimitive("log", _log, lambda x, out: (1.0 / x,)),
    NumpyPrimitive("recip", _recip, _recip_local),
    NumpyPrimitive("relu", lambda x: np.where(x <= 0, 0.0, x), lambda x, out: ((x > 0).astype(float),)),
    NumpyPrimitive("tanh", np.tanh, lambda x, out: (1.0 - out * out,)),
    NumpyPrimitive("elu", _elu, lambda x, a, out: (np.where(x > 0, 1.0, out + a),)),
    NumpyPrimitive("sigmoid", _sigmoid, lambda x, out: (out * (1.0 - out),)),
)

# ops whose local gradient is 0 or 1 (or a constant): local·g is 0 wherever g is 0, no 0·∞ to guard against
# (max's is nan at a nan input)
_FINITE_LOCAL = {"add", "relu"}


# --- dropout masks ---------------------------------------------------------------------------------------------


class DropoutMask(Value):
    """One entry of a dropout mask: a leaf that is 0 (dropped, probability p) or 1/(1 − p) (kept).

    In eager mode it is an ordinary constant leaf (`x * DropoutMask(p, keep)` is the usual × node). A Tape
    knows it by its type and draws it afresh for every example at every replay, so compiled training
    drops different units for every example and every step, as eager training does.
    """

    __slots__ = ("p",)

    def __init__(self, p, keep, label=""):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability p must be in [0, 1), got {p!r}")
        super().__init__(1.0 / (1.0 - p) if keep else 0.0, label)
        self.p = float(p)


# --- reading and adding into rows of the value matrices --------------------------------------------------------


def _as_slice(rows):
    """rows as a slice when they are evenly spaced and increasing (a view instead of a copy), else None."""
    if len(rows) == 1:
        return slice(int(rows[0]), int(rows[0]) + 1)
    step = int(rows[1] - rows[0])
    if step > 0 and np.all(np.diff(rows) == step):
        return slice(int(rows[0]), int(rows[-1]) + 1, step)
    return None


class _Rows:
    """A fixed list of rows of a matrix (nodes × examples): read them, or add into them, repeats summed."""

    __slots__ = ("index", "first", "repeats", "order", "starts", "targets")

    def __init__(self, rows):
        rows = np.asarray(rows, dtype=np.intp)
        as_slice = _as_slice(rows)
        self.index = rows if as_slice is None else as_slice
        self.repeats = self.order = None
        distinct = len(np.unique(rows))
        if distinct == len(rows):
            return
        if len(rows) % distinct == 0 and len(np.unique(rows[:distinct])) == distinct and np.array_equal(
                rows, np.tile(rows[:distinct], len(rows) // distinct)):
            # the same rows over and over (an input read by every unit of a layer): sum the copies by reshaping
            first = _as_slice(rows[:distinct])
            self.first = rows[:distinct] if first is None else first
            self.repeats = len(rows) // distinct
            return
        self.order = np.argsort(rows, kind="stable")  # any other repeats: sort once, one reduceat per add
        sorted_rows = rows[self.order]
        self.starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
        self.targets = sorted_rows[self.starts]

    def take(self, M):
        return M[self.index]

    def add(self, M, values):
        if self.repeats is not None:
            M[self.first] += values.reshape(self.repeats, -1, values.shape[-1]).sum(axis=0)
        elif self.order is not None:
            M[self.targets] += np.add.reduceat(values[self.order], self.starts, axis=0)
        else:
            M[self.index] += values


class _Terms:
    """The terms of k sums of m terms each, as rows of a matrix: read them (k, m, examples), add into them."""

    __slots__ = ("shape", "block", "rows", "terms")

    def __init__(self, terms):
        terms = np.asarray(terms, dtype=np.intp).reshape(len(terms), -1)
        self.shape = terms.shape
        start = int(terms[0, 0])
        if np.array_equal(terms.ravel(), np.arange(start, start + terms.size)):
            self.block = slice(start, start + terms.size)  # consecutive rows: a reshaped view, no copy
        else:
            self.block, self.terms, self.rows = None, terms, _Rows(terms.ravel())

    def take(self, M):
        if self.block is not None:
            return M[self.block].reshape(self.shape + (M.shape[1],))
        return M[self.terms]

    def add(self, M, g):
        """Add g (k, examples) to each of the m terms of each sum."""
        if self.block is not None:
            M[self.block].reshape(self.shape + (M.shape[1],))[...] += g[:, None, :]
        else:
            self.rows.add(M, np.repeat(g, self.shape[1], axis=0))

    def add_each(self, M, values):
        """Add values (k, m, examples) to the terms, one each."""
        if self.block is not None:
            M[self.block].reshape(values.shape)[...] += values
        else:
            self.rows.add(M, values.reshape(-1, values.shape[-1]))


def _sum_examples(values):
    """Sum (k, examples) over the examples, keeping a column: a parameter's share of a batch gradient."""
    return np.add.reduce(values, axis=1, keepdims=True)


def _sum_terms(values):
    """Sum (k, m, width) over m, left to right as a chain of + does (numpy sums a lone column pairwise)."""
    if values.shape[1] == 1:
        return values[:, 0]
    return values.sum(axis=1) if values.shape[2] > 1 else np.cumsum(values, axis=1)[:, -1]


# Two matrices hold the values during a replay: V, one row per node that varies over the batch (inputs, masks
# and what depends on them; one column per example), and U, one row per node that does not (parameters,
# constants, and what is computed from them alone; one column, broadcast against V's).


class _OpGroup:
    """The nodes of one op (with one constant) at one depth, computed together: one array per input."""

    def __init__(self, op, arg, out, varying, sources):
        self.op, self.arg, self.out, self.varying = op, arg, out, varying  # out: the slice of rows it writes
        self.prim = NUMPY_PRIMITIVES[op]
        self.sources = [(in_v, _Rows(rows)) for in_v, rows in sources]  # per input position: (in V?, rows)
        self.guard = op not in _FINITE_LOCAL

    def forward(self, V, U):
        xs = [rows.take(V if in_v else U) for in_v, rows in self.sources]
        if self.arg is not None:
            xs.append(self.arg)
        out = self.prim.forward(*xs)
        (V if self.varying else U)[self.out] = out
        return self.prim.local(*xs, out)

    def backward(self, GV, GU, local_grads, guard=False):
        g = (GV if self.varying else GU)[self.out]
        for (in_v, rows), local in zip(self.sources, local_grads):
            if type(local) is float and local == 1.0:
                contribution = g
            else:
                contribution = local * g
                if guard and self.guard:  # no upstream gradient passes nothing on (no 0·∞ = nan), as in eager
                    contribution = np.where(g == 0.0, 0.0, contribution)
            if in_v:
                rows.add(GV, contribution)
            else:  # a parameter's gradient is the sum over the examples
                rows.add(GU, _sum_examples(contribution) if self.varying else contribution)


class _SumGroup:
    """k sums of m terms each: chains t1 + t2 + ... + tm of + nodes whose partial sums feed nothing else.

    Every term's local gradient is 1 (the + row's). A term may be a product w·h of a parameter w and a
    varying h that feeds only this sum (a weight times an input of a neuron): those products are not
    stored, and when every sum of the group reads the same h's (the units of one layer) they are one
    matrix product W @ H, whose gradients are g @ Hᵀ and Wᵀ @ g. Columns of `kinds`: "V" a term that
    varies over the batch, "U" one that does not (a bias), "P" a product; the sum adds V, P, then U terms.
    """

    def __init__(self, out, varying, kinds, rows):
        self.out, self.varying = out, varying
        cols = {kind: [c for c, k in enumerate(kinds) if k == kind] for kind in "VUP"}
        self.v_terms = _Terms([[r[c] for c in cols["V"]] for r in rows]) if cols["V"] else None
        self.u_terms = _Terms([[r[c] for c in cols["U"]] for r in rows]) if cols["U"] else None
        self.w = self.h = self.shared_h = None
        if cols["P"]:
            W = np.array([[r[c][0] for c in cols["P"]] for r in rows], dtype=np.intp)
            H = np.array([[r[c][1] for c in cols["P"]] for r in rows], dtype=np.intp)
            self.w, self.w_shape = _Rows(W.ravel()), W.shape
            if (H == H[0]).all():
                self.shared_h = _Rows(H[0])  # one layer: W (units × inputs) @ H (inputs × examples)
            else:
                self.h = _Terms(H)

    def forward(self, V, U):
        total = saved = None
        if self.v_terms is not None:
            total = _sum_terms(self.v_terms.take(V))
        if self.w is not None:
            W = self.w.take(U).reshape(self.w_shape)
            if self.shared_h is not None:
                H = self.shared_h.take(V)
                products = W @ H
            else:
                H = self.h.take(V)
                products = np.einsum("kp,kpb->kb", W, H)
            total = products if total is None else total + products
            saved = (W, H)
        if self.u_terms is not None:
            u = _sum_terms(self.u_terms.take(U))
            total = u if total is None else total + u
        (V if self.varying else U)[self.out] = total
        return saved

    def backward(self, GV, GU, saved, guard=False):
        g = (GV if self.varying else GU)[self.out]
        if self.v_terms is not None:
            self.v_terms.add(GV, g)
        if self.u_terms is not None:
            self.u_terms.add(GU, _sum_examples(g) if self.varying else g)
        if self.w is None:
            return
        W, H = saved
        if self.shared_h is not None and not guard:
            self.w.add(GU, (g @ H.T).reshape(-1, 1))  # ∂/∂w_ji = Σ_examples g_j h_i
            self.shared_h.add(GV, W.T @ g)  # ∂/∂h_i = Σ_j w_ji g_j
            return
        g3 = g[:, None, :]
        if self.shared_h is not None:
            H = H[None]
        by_w, by_h = H * g3, W[:, :, None] * g3  # (sums, products, examples): each product's local × g
        if guard:  # no upstream gradient passes nothing on (no 0·∞ = nan), as in eager
            by_w, by_h = np.where(g3 == 0.0, 0.0, by_w), np.where(g3 == 0.0, 0.0, by_h)
        self.w.add(GU, by_w.sum(axis=2).reshape(-1, 1))
        if self.shared_h is not None:
            self.shared_h.add(GV, by_h.sum(axis=0))
        else:
            self.h.add_each(GV, by_h)


# --- the tape ------------------------------------------------------------------------------------------------


def _chains(order, keep):
    """{+ node: its terms} for the + nodes that end a chain (a lone + has terms [x, y]), the + nodes inside
    chains, and {node: how many nodes read it}.

    A + node is folded into the + that reads it as its left input when that is its only reader, so
    ((a + b) + c) + d becomes one sum of [a, b, c, d], in the same left-to-right order.
    """
    readers = reader_counts(order)
    folded = set()
    for node in order:
        if node.op == "add":
            x, y = node.parents
            if x.op == "add" and readers[x] == 1 and x not in keep and y is not x:
                folded.add(x)
    terms = {}
    for node in order:
        if node.op == "add" and node not in folded:
            chain, x = [node.parents[1]], node.parents[0]
            while x in folded:
                chain.append(x.parents[1])
                x = x.parents[0]
            chain.append(x)
            terms[node] = chain[::-1]
    return terms, folded, readers


class Tape:
    """A scalar graph recorded once and replayed over a batch with numpy.

    Tape(root, inputs): `root` is the Value to compute (a per-example loss or output), built on the leaf
    Values `inputs` (placeholders: column j of a batch feeds inputs[j]). Every other leaf is a parameter
    or constant, read from its `.data` at each replay, except `DropoutMask` leaves, re-drawn per example.
    `watch`: more nodes whose per-example values `values(node)` returns after a replay. `rng`: seed or
    numpy Generator for the dropout masks. The recording is checked at once: replaying the tape on the
    inputs' current values must reproduce the eager values and gradients, else TapeError.
    `record(fn, *batch)` makes the placeholders for you and also checks other rows.
    """

    def __init__(self, root, inputs, watch=(), rng=None):
        if not isinstance(root, Value):
            raise TypeError(f"the tape records a Value (a per-example loss or output), got {type(root).__name__}")
        self.inputs = list(inputs)
        if len({id(v) for v in self.inputs}) != len(self.inputs):
            raise ValueError("each input placeholder may appear once in inputs")
        for v in self.inputs:
            if not isinstance(v, Value) or v.op:
                raise TypeError(f"inputs must be leaf Values (placeholders), got {v!r}"
                                + (f" made by op {v.op!r}" if isinstance(v, Value) else ""))
        self.root, self.rng = root, np.random.default_rng(rng)
        self.order = topological_order(root)
        self.nodes = len(self.order)
        self.watched = list(watch)
        watch = set(watch) | {root}
        terms, folded, readers = _chains(self.order, watch)

        # leaves: the inputs and masks vary over the batch (rows of V), the other leaves do not (rows of U)
        is_input = {id(v) for v in self.inputs}
        leaves = [n for n in self.order if not n.op and id(n) not in is_input]
        self.masks = [n for n in leaves if isinstance(n, DropoutMask)]
        self.leaves = [n for n in leaves if not isinstance(n, DropoutMask)]
        row = {}  # node -> (in V?, row)
        for i, v in enumerate(self.inputs + self.masks):
            row[v] = (True, i)
        for i, v in enumerate(self.leaves):
            row[v] = (False, i)
        self._n_inputs, self._mask_p = len(self.inputs), np.array([[v.p] for v in self.masks])
        counts = [len(self.leaves), len(self.inputs) + len(self.masks)]  # rows of U and of V so far, by [in V?]

        varies = {}  # does the node's value vary over the batch?
        for node in self.order:
            varies[node] = any(varies[p] for p in node.parents) if node.op else row[node][0]
        products = {}  # w·h read only by a sum, w fixed and h varying: computed inside the sum, node -> (w, h)
        for node, reads in terms.items():
            for t in reads if len(reads) > 2 else ():
                if t.op == "mul" and readers[t] == 1 and t not in watch and varies[t.parents[0]] != varies[t.parents[1]]:
                    x, y = t.parents
                    products[t] = (y, x) if varies[x] else (x, y)

        # op nodes: grouped by depth, op (or sum of m terms), constant, and which inputs vary
        depth, groups = {}, {}
        for node in self.order:
            if not node.op:
                depth[node] = 0
            elif node in products:
                depth[node] = max(depth[p] for p in node.parents)  # the sum reading it computes it
            elif node not in folded:
                reads = terms.get(node, node.parents)
                depth[node] = 1 + max(depth[p] for p in reads)
                if len(reads) > 2:
                    kinds = tuple("P" if p in products else "V" if varies[p] else "U" for p in reads)
                    key = (depth[node], "sum", len(reads), varies[node], kinds)
                else:
                    key = (depth[node], node.op, node.arg, varies[node], tuple(varies[p] for p in reads))
                groups.setdefault(key, []).append(node)
        self.groups = []
        for key in sorted(groups, key=lambda k: (k[0], k[1], -1 if k[2] is None else k[2], k[3], k[4])):
            members, varying = groups[key], key[3]
            start = counts[varying]
            for node in members:
                row[node] = (varying, counts[varying])
                counts[varying] += 1
            out = slice(start, counts[varying])
            reads = [terms.get(n, n.parents) for n in members]
            if key[1] == "sum":
                rows = [[(row[products[t][0]][1], row[products[t][1]][1]) if t in products else row[t][1] for t in r]
                        for r in reads]
                self.groups.append(_SumGroup(out, varying, key[4], rows))
            else:
                sources = [(in_v, [row[r[i]][1] for r in reads]) for i, in_v in enumerate(key[4])]
                self.groups.append(_OpGroup(key[1], members[0].arg, out, varying, sources))
        self._shape = (counts[True], counts[False])
        self._root = row[root]
        self._watch = {w: row[w] for w in list(watch) + self.masks + self.inputs if w in row}
        self._V = self._U = self._locals = None
        self._verify_against_eager(row)

    def __repr__(self):
        return (f"Tape({self.nodes} nodes in {len(self.groups)} groups; {self._n_inputs} inputs, "
                f"{len(self.leaves)} parameters and constants, {len(self.masks)} mask leaves)")

    # replay
    def _columns(self, batch):
        """The batch as one (examples × inputs) array: each argument is an array of shape (n,) or (n, d)."""
        fields = [np.asarray(f, dtype=float) for f in batch]
        fields = [f[:, None] if f.ndim == 1 else f.reshape(len(f), -1) for f in fields]
        if not fields or len({len(f) for f in fields}) != 1:
            raise ValueError("pass the batch as arrays with one row per example, all of the same length")
        X = np.hstack(fields) if len(fields) > 1 else fields[0]
        if X.shape[1] != self._n_inputs or not len(X):
            raise ValueError(f"this tape has {self._n_inputs} inputs: the batch needs that many columns in all "
                             f"and at least one row, got {X.shape[1]} columns and {len(X)} rows")
        return X

    def _forward(self, X, masks=None):
        n = len(X)
        V, U = np.empty((self._shape[0], n)), np.empty((self._shape[1], 1))
        V[:self._n_inputs] = X.T
        if self.masks:
            if masks is None:  # a fresh mask for every example: kept with probability 1 − p, scaled by 1/(1 − p)
                masks = (self.rng.random((len(self.masks), n)) >= self._mask_p) / (1.0 - self._mask_p)
            V[self._n_inputs:self._n_inputs + len(self.masks)] = masks
        U[:len(self.leaves), 0] = [v.data for v in self.leaves]
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan arise as in eager, without warnings
            self._locals = [group.forward(V, U) for group in self.groups]
        self._V, self._U = V, U
        return self._row_values(self._root, n)

    def _row_values(self, where, n):
        in_v, r = where
        return self._V[r].copy() if in_v else np.full(n, self._U[r, 0])

    def forward(self, *batch):
        """root's value for every row of the batch (arrays with one row per example, columns = inputs)."""
        return self._forward(self._columns(batch))

    __call__ = forward

    def values(self, node):
        """A watched node's (or root's) value for every example of the last replay."""
        if self._V is None:
            raise RuntimeError("run the tape first: tape.forward(*batch)")
        if node not in self._watch:
            raise KeyError(f"{node!r} is not watched: pass it in Tape(..., watch=[node]) or record(..., watch=)")
        return self._row_values(self._watch[node], self._V.shape[1])

    def backward(self, seed=1.0):
        """After `forward`: leaf.grad += Σ_examples seed_i · ∂root_i/∂leaf for every parameter and constant.

        `seed` is a number or one number per example (1/n for a mean). Returns the gradients of the inputs,
        an array (examples × inputs).
        """
        if self._V is None:
            raise RuntimeError("backward needs a forward pass first: tape.forward(*batch)")
        GV, GU = self._backward(seed, guard=False)
        total = GU.sum() + GV[:len(self.inputs) + len(self.masks)].sum()
        if total != total:  # a nan reached a leaf: maybe a 0·∞ where eager passes nothing on; run again, guarded
            GV, GU = self._backward(seed, guard=True)
        for v, g in zip(self.leaves, GU[:len(self.leaves), 0].tolist()):
            v.grad += g
        return GV[:self._n_inputs].T.copy()

    def _backward(self, seed, guard):
        GV, GU = np.zeros(self._V.shape), np.zeros(self._U.shape)
        in_v, r = self._root
        if in_v:
            GV[r] = seed
        else:
            GU[r] = np.sum(np.broadcast_to(seed, (self._V.shape[1],)))
        with np.errstate(over="ignore", invalid="ignore"):
            for group, local_grads in zip(reversed(self.groups), reversed(self._locals)):
                group.backward(GV, GU, local_grads, guard)
        return GV, GU

    def mean(self, *batch):
        """Forward and backward of the batch cost mean_i root_i: returns it; every leaf.grad += its gradient."""
        out = self.forward(*batch)
        self.backward(1.0 / len(out))
        return float(out.mean())

    def sum(self, *batch):
        """Forward and backward of Σ_i root_i: returns it; every leaf.grad += its gradient."""
        out = self.forward(*batch)
        self.backward(1.0)
        return float(out.sum())

    # checks
    def _verify_against_eager(self, row):
        """Replay on the inputs' current values: every node's value and every leaf's gradient must be eager's."""
        X = np.array([[v.data for v in self.inputs]]).reshape(1, -1)
        self._forward(X, masks=np.array([[v.data] for v in self.masks]) if self.masks else None)
        scale = max([abs(n.data) for n in row if abs(n.data) < np.inf] + [1.0])
        for node, (in_v, r) in row.items():
            value = (self._V if in_v else self._U)[r, 0]
            if not _close(value, node.data, scale):
                raise TapeError(f"the replay gives {value!r} where the engine has {node.data!r} at a "
                                f"{node.op or 'leaf'!r} node: NUMPY_PRIMITIVES disagrees with PRIMITIVES")
        leaves = self.leaves + self.inputs
        saved = [v.grad for v in leaves]
        for v in leaves:
            v.grad = 0.0
        self.root.backward()
        eager = [v.grad for v in leaves]
        for v in leaves:
            v.grad = 0.0
        input_grads = list(self.backward()[0])
        replayed = [v.grad for v in self.leaves] + input_grads
        for v, s in zip(leaves, saved):
            v.grad = s
        scale = max([abs(e) for e in eager if abs(e) < np.inf] + [1.0])
        for v, e, r in zip(leaves, eager, replayed):
            if not _close(r, e, scale):
                raise TapeError(f"the replayed gradient {r!r} differs from the engine's {e!r} at leaf {v!r}")
        self._V = self._U = self._locals = None

    def _check_row(self, fn, args, row_number):
        """Run fn eagerly on one row: same graph shape and constants as the tape, same values, else TapeError."""
        root = fn(*args)
        order = topological_order(root)
        hint = ("the graph depends on the data beyond the inputs: Python control flow on .data, or a number "
                "taken from the data, is not recorded. Make it an op on the input Values, or train eagerly")
        if len(order) != len(self.order):
            raise TapeError(f"on row {row_number} the graph has {len(order)} nodes, on the recording row "
                            f"{len(self.order)}: {hint}")
        position = {node: i for i, node in enumerate(self.order)}
        position_now = {node: i for i, node in enumerate(order)}
        now_inputs = [v for a in args for v in (a if isinstance(a, list) else [a])]
        placeholders = {id(v) for v in now_inputs}
        inputs_then = {id(v): j for j, v in enumerate(self.inputs)}
        for then, now in zip(self.order, order):
            same = then.op == now.op and then.arg == now.arg and (
                [position[p] for p in then.parents] == [position_now[p] for p in now.parents])
            if same and not now.op:
                if id(then) in inputs_then:
                    same = now is now_inputs[inputs_then[id(then)]]
                elif isinstance(then, DropoutMask):
                    same = isinstance(now, DropoutMask) and now.p == then.p
                elif now is not then:  # a leaf made inside fn, e.g. the 1 of 1 - y·out: a constant
                    same = id(now) not in placeholders and not isinstance(now, DropoutMask)
                    if same and not _close(now.data, then.data):
                        raise TapeError(f"a leaf is {now.data!r} on row {row_number} but {then.data!r} on the "
                                        f"recording row ({now!r}): {hint}. If it is random (a dropout mask), "
                                        "make it a DropoutMask")
            if not same:
                raise TapeError(f"on row {row_number} the graph has a {now.op or 'leaf'!r} node where the recording "
                                f"row has {then.op or 'leaf'!r}: {hint}")
        X = np.array([[v.data for v in now_inputs]])
        masks = np.array([[now.data] for then, now in zip(self.order, order)
                          if isinstance(then, DropoutMask) and id(then) not in inputs_then])
        out = self._forward(X, masks=masks if len(masks) else None)[0]
        self._V = self._U = self._locals = None
        if not _close(out, root.data):
            raise TapeError(f"on row {row_number} the replay gives {out!r}, eager {root.data!r}: {hint}")


def _close(a, b, scale=1.0):
    """Equal up to rounding, or both nan. The replay may round differently from eager: numpy's exp and tanh
    may differ from libm's in the last bit, and a layer's matrix product adds in another order (so a sum
    that cancels to near 0 is only close on the scale of the graph's values)."""
    if a != a or b != b:
        return a != a and b != b
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12 * scale


def _placeholders(fields, i):
    """Row i of the batch as the arguments of fn: a Value per 1-D field, a list of Values per 2-D field."""
    args = []
    for j, f in enumerate(fields):
        if f.ndim == 1:
            args.append(Value(float(f[i]), f"in{j}"))
        else:
            args.append([Value(float(x), f"in{j}[{k}]") for k, x in enumerate(f[i])])
    return args


def record(fn, *batch, check=3, watch=None, rng=None):
    """Record fn's graph on the first row of the batch and return its Tape (see the module docstring).

    fn: a function of one example, e.g. `lambda x, y: (1 - y * model(x)).relu()`, taking one argument per
        batch array: a Value for a 1-D array (n,), a list of Values for a 2-D array (n, d). It returns one
        Value. Use the arguments as Values (ops on them): `float(y)` or `y.data` would freeze row 0's number.
    batch: the arrays, one row per example. The tape is replayed later on any batch of the same columns.
    check: how many other rows to re-run fn on eagerly, comparing the graph's shape, constants and values
        with the tape's (TapeError if they differ); "all" checks every row, 0 none.
    watch: a function (the same arguments) -> list of nodes of the graph to watch, e.g. the model's output,
        for `tape.values(node)`; or None.
    rng: seed or numpy Generator for re-drawing DropoutMask leaves.

    A term on the parameters alone (an L2 penalty) goes inside fn; on its own it is `Tape(penalty, [])`,
    replayed with `tape.sum(np.empty((1, 0)))`.
    """
    fields = [np.asarray(f, dtype=float) for f in batch]
    if not fields or any(f.ndim not in (1, 2) for f in fields) or len({len(f) for f in fields}) != 1:
        raise ValueError("record(fn, *batch) needs the batch as 1-D or 2-D arrays with the same number of rows")
    n = len(fields[0])
    if n == 0:
        raise ValueError("record needs at least one row to record on")
    args = _placeholders(fields, 0)
    root = fn(*args)
    if not isinstance(root, Value):
        raise TypeError(f"fn must return one Value (a per-example loss or output), got {type(root).__name__}")
    inputs = [v for a in args for v in (a if isinstance(a, list) else [a])]
    tape = Tape(root, inputs, watch=watch(*args) if watch else (), rng=rng)
    tape.placeholders = args
    if check == "all":
        rows = range(1, n)
    else:  # spread over the batch: the last row, and rows between
        rows = np.unique(np.linspace(0, n - 1, int(check) + 1).round().astype(int))[1:]
    for i in rows:
        tape._check_row(fn, _placeholders(fields, int(i)), int(i))
    return tape


# --- a training step for autograd.nn.fit ------------------------------------------------------------------------

_TAPES = weakref.WeakKeyDictionary()  # model -> {(loss, target, training) or ("l2", λ): its tape}
MAX_TARGETS = 16  # one tape per distinct target value: classes, not regression targets


def step(model, X, y, loss_fn, optimizer, l2):
    """One step of `autograd.nn.fit` on tapes: `nn.train.STEP_MODES`'s signature, returns (cost, outputs).

    The built-in losses are means of per-example terms whose graph depends on the target (bce leaves out
    a log when y is 0 or 1; every loss reads y as a number): one tape per distinct target value, recorded
    on the first step, each replayed on its examples with seed 1/n, and the L2 term as a tape of its own.
    Same cost and gradients as the eager step, to rounding. Raises TapeError when the model cannot be
    replayed, or for more than MAX_TARGETS distinct targets (regression): use the eager step there.
    """
    from .nn.losses import LOSSES, l2 as l2_penalty

    if loss_fn not in LOSSES.values():
        raise TapeError("the compiled step knows the built-in losses (means of per-example terms); "
                        f"{getattr(loss_fn, '__name__', loss_fn)!r} may not be one: train it eagerly")
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    targets = np.unique(y)
    if len(targets) > MAX_TARGETS:
        raise TapeError(f"{len(targets)} distinct targets: the compiled step records one tape per target "
                        f"value (at most {MAX_TARGETS}); train regression targets eagerly")
    tapes = _TAPES.setdefault(model, {})
    optimizer.zero_grad()
    cost, outputs = 0.0, np.empty(len(y))
    for target in targets.tolist():
        rows = np.flatnonzero(y == target)
        key = (loss_fn, target, model.training)
        if key not in tapes:
            tapes[key] = _record_loss(model, loss_fn, target, X[rows])
        tape = tapes[key]
        cost += float(tape.forward(X[rows]).sum()) / len(y)
        tape.backward(1.0 / len(y))
        outputs[rows] = tape.values(tape.output)
    if l2:
        if ("l2", l2) not in tapes:
            tapes["l2", l2] = Tape(l2_penalty(model.weights(), l2), [])
        cost += tapes["l2", l2].sum(np.empty((1, 0)))
    optimizer.step()
    return cost, outputs.tolist()


def _record_loss(model, loss_fn, target, X):
    """The tape of loss_fn([model(x)], [target]): one example's term of the batch mean, its output watched."""
    seen = {}

    def example(x):
        seen["output"] = model(x)
        if not isinstance(seen["output"], Value):
            raise TapeError("the compiled step needs a model with one output per example")
        return loss_fn([seen["output"]], [target])

    dropout = next((d for d in getattr(model, "dropouts", []) if d is not None), None)
    tape = record(example, X, watch=lambda x: [seen["output"]], rng=getattr(dropout, "rng", None))
    tape.output = tape.watched[0]  # masks drawn from the model's own generator: fit(seed=) stays reproducible
    return tape


AUTO_MIN_NODES = 2_000  # below this many graph nodes per step a replay's numpy calls cost more than eager


def _nodes_per_step(model, X):
    """How many nodes one eager step builds: one example's graph (dropout off, no random draws) × examples."""
    with model.in_mode(False):
        out = model(list(X[0]))
    return len(topological_order(out)) * len(X) if isinstance(out, Value) else 0


def auto_step(model, X, y, loss_fn, optimizer, l2):
    """`step` where it pays and is exact, else the eager step (same signature).

    Eager for small steps (fewer than AUTO_MIN_NODES nodes: XOR's 2-2-1 net on 4 points) and for models or
    losses the tapes cannot replay (a TapeError); the choice is made on the first step and kept.
    """
    from .nn.train import _step_eager

    tapes = _TAPES.setdefault(model, {})
    if "eager" not in tapes:
        tapes["eager"] = _nodes_per_step(model, X) < AUTO_MIN_NODES
    if not tapes["eager"]:
        try:
            return step(model, X, y, loss_fn, optimizer, l2)
        except TapeError:
            tapes["eager"] = True
    return _step_eager(model, X, y, loss_fn, optimizer, l2)


def auto_predict(model, X):
    """model(x) for every row of X (n × inputs) from a replayed forward tape, or None where eager is better.

    The tape of `model(x)` is recorded on the first call, in the mode the model is in (`nn.predict` uses eval
    mode), and kept per model: it reads the parameters' .data at every replay, so it stays valid as the model
    trains. None (eager) for fewer than AUTO_MIN_NODES nodes in all, as `auto_step`, and for a model the tape
    cannot replay (several outputs, or a graph that depends on the data: a TapeError when recording).
    """
    tapes = _TAPES.setdefault(model, {})
    key = ("predict", model.training)
    if key not in tapes:
        if _nodes_per_step(model, X) < AUTO_MIN_NODES:
            return None  # nothing recorded: a bigger X later may be worth a tape
        try:
            tapes[key] = record(lambda x: _one_output(model(x)), X)
        except TapeError:
            tapes[key] = None
    tape = tapes[key]
    if tape is None or tape.nodes * len(X) < AUTO_MIN_NODES:
        return None
    return tape.forward(X)


def _one_output(out):
    if not isinstance(out, Value):
        raise TapeError("a forward tape records a model with one output per example")
    return out
