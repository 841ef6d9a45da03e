"""A tape as a numpy program: Python source text, compiled once per tape, that a learner can read (`tape.source`).

Two functions per program. `forward(V, U)` computes every block, one line each, and returns the arrays that
`backward(V, U, GV, GU, saved)` needs; backward walks the blocks in reverse and adds local × g into each input,
as eager backward does node by node. V holds one row per batch-dependent node that is kept (inputs, dropout
masks, results read later), one column per example; U one row per batch-independent node (parameters,
constants), one column. A block's result is the local array t<i>, its gradient g<i>.

The gradient rule is the engine's: no upstream gradient passes nothing on, and a zero local gradient
contributes exactly zero (relu's flat side passes nothing even when g is ∞). The plain program multiplies
(fast); where that gave nan at a leaf, the tape runs the *guarded* program, whose `times(local, g)` is 0
wherever local or g is 0, so the nan stays only where eager has one (a nan input).
"""
import re

import numpy as np

from .plan import OpBlock
from .rows import HELPERS, NUMPY_PRIMITIVES

__all__ = ["Program", "RUNTIME"]


def sum_terms(values):
    """Sum (k, m, width) over m, left to right as a chain of + does (numpy sums a lone column pairwise)."""
    return values.sum(axis=1) if values.shape[2] > 1 else np.cumsum(values, axis=1)[:, -1]


def times(local, g):
    """local · g, but exactly 0 where local or g is 0: the engine's rule, with no 0·∞ = nan."""
    return np.where((local == 0) | (g == 0), 0.0, local * g)


def guarded_products(W, H, g):
    """The gradients of k sums of products W[j, p]·H[j, p] (H of shape (k, m, n), or (m, n) when shared) under
    the engine's rule: (∂/∂W as a column of k·m rows, ∂/∂H shaped as H or (k·m, n))."""
    g3 = g[:, None, :]
    by_w = times(H[None] if H.ndim == 2 else H, g3)  # each product's local for w is its h
    by_h = times(W[:, :, None], g3)
    return by_w.sum(axis=2).reshape(-1, 1), by_h.sum(axis=0) if H.ndim == 2 else by_h.reshape(-1, g.shape[1])


RUNTIME = dict(HELPERS, sum_terms=sum_terms, times=times, guarded_products=guarded_products, add_at=np.add.at)

_NAMES = re.compile(r"\b(x|y|k|out|g)\b")


def _fill(text, **names):
    """A row's text with x, y, k and out replaced by the expressions for them."""
    return _NAMES.sub(lambda m: names[m.group(1)], text)


def _number(k):
    if k != k:
        return "np.nan"
    if k in (np.inf, -np.inf):
        return "np.inf" if k > 0 else "(-np.inf)"
    return repr(float(k)) if k >= 0 else f"({float(k)!r})"


def _paren(text):
    return text if re.fullmatch(r"[\w.]+(\[[\w:, ]*\])?", text) else f"({text})"


def _as_slice(rows):
    """'a:b' or 'a:b:s' for evenly spaced increasing rows, else None."""
    if len(rows) == 1:
        return f"{rows[0]}:{rows[0] + 1}"
    step = rows[1] - rows[0]
    if step > 0 and all(b - a == step for a, b in zip(rows, rows[1:])):
        return f"{rows[0]}:{rows[-1] + 1}" + (f":{step}" if step > 1 else "")
    return None


class Program:
    """The source of one tape's forward and backward programs (see the module docstring), and its compiled form.

    `where`: {node: (in V?, row)} for the nodes kept in V or U; `wants`: {node: needs a gradient?} (the
    parameters, the inputs when asked, and what lies between them and the root); `guard`: the guarded backward;
    `checked`: a forward that raises the engine's domain errors (else the rows' fast text); `baked`: {constant
    leaf: its value}, written into the program as a number where an op reads the same constant in every row.
    """

    def __init__(self, blocks, where, wants, guard=False, checked=True, baked=None):
        self.blocks, self.where, self.wants, self.guard, self.checked = blocks, where, wants, guard, checked
        self.baked = baked or {}
        self.block_of = {node: block for block in blocks for node in block.members}
        self.constants = {}  # name -> index array, for rows that are not a slice
        self.forward_source = self._function("forward(V, U)", self._forward_lines())
        self.backward_source = self._function("backward(V, U, GV, GU, saved)", self._backward_lines())

    # --- naming rows ------------------------------------------------------------------------------------------
    def _index(self, rows):
        as_slice = _as_slice(rows)
        if as_slice is not None:
            return as_slice
        name = f"I{len(self.constants)}"
        self.constants[name] = np.array(rows, dtype=np.intp)
        return name

    def constant(self, nodes):
        """The one value of `nodes` when they are all the same baked constant, else None."""
        if not all(n in self.baked for n in nodes):
            return None
        values = {self.baked[n] for n in nodes}
        return values.pop() if len(values) == 1 else None

    def ref(self, nodes, op_input=False):
        """The expression for the values of `nodes` (k × examples, or k × 1 when batch-independent); a number
        for an op's input that is one baked constant."""
        if op_input and self.constant(nodes) is not None:
            return _number(self.constant(nodes))
        block = self.block_of.get(nodes[0])
        if block is not None and block.members == nodes:
            return f"t{block.id}"
        in_v = self.where[nodes[0]][0]
        return f"{'V' if in_v else 'U'}[{self._index([self.where[n][1] for n in nodes])}]"

    def add_into(self, nodes, value):
        """The line adding `value` (one row per node) into the gradients of `nodes`."""
        block = self.block_of.get(nodes[0])
        if block is not None and block.private and block.members == nodes:
            return f"g{block.id} = {value}"  # its only reader: the whole gradient
        in_v = self.where[nodes[0]][0]
        rows = [self.where[n][1] for n in nodes]
        target = "GV" if in_v else "GU"
        if len(set(rows)) < len(rows):
            return f"add_at({target}, {self._index(rows)}, {value})"  # repeated rows: each copy adds
        return _Add(f"{target}[{self._index(rows)}] += {value}", target, rows)

    def _wanted(self, nodes):
        return any(self.wants[n] for n in nodes)

    def _function(self, signature, body):
        return f"def {signature}:\n" + "".join(f"    {line}\n" for line in body or ["pass"])

    @staticmethod
    def _comment(block):
        scopes = [n.scope for n in block.members if n.scope]
        where = "" if not scopes else f" in {scopes[0]}" + (f" … {scopes[-1]}" if scopes[-1] != scopes[0] else "")
        what = f"{block.op}" + ("" if block.arg is None else f"({block.arg:g})") if isinstance(block, OpBlock) \
            else f"sums of {_terms(block)} terms"
        return f"# {len(block.members)} × {what}{where}"

    # --- forward ----------------------------------------------------------------------------------------------
    def _forward_lines(self):
        lines = []
        for block in self.blocks:
            lines.append(self._comment(block))
            lines += self._op_forward(block) if isinstance(block, OpBlock) else self._sum_forward(block)
            if not block.private:
                in_v, first = self.where[block.members[0]]
                lines.append(f"{'V' if in_v else 'U'}[{first}:{first + len(block.members)}] = t{block.id}")
        names = [f"t{block.id}" for block in self.blocks]
        lines.append(f"return ({', '.join(names)}{',' if len(names) == 1 else ''})")
        return lines

    def _op_forward(self, block):
        row = NUMPY_PRIMITIVES[block.op]
        xs = [self.ref(nodes, op_input=True) for nodes in block.sources] + ["", ""]
        text = row.forward_text if self.checked else row.fast_text
        return [f"t{block.id} = " + _fill(text, x=xs[0], y=xs[1], k=_number(block.arg or 0.0))]

    def _weights(self, block):
        return f"{self.ref(_flat(block.w))}.reshape({len(block.w)}, {len(block.w[0])})"

    def _h(self, block):
        if block.shared_h is not None:
            return self.ref(block.shared_h)
        return f"{self.ref(_flat(block.h))}.reshape({len(block.h)}, {len(block.h[0])}, -1)"

    def _sum_forward(self, block):
        lines, parts = [], []
        if block.w:
            lines.append(f"w{block.id} = {self._weights(block)}")
            if block.shared_h is not None:
                parts.append(f"w{block.id} @ {self._h(block)}")
            else:
                parts.append(f'np.einsum("kp,kpb->kb", w{block.id}, {self._h(block)})')
        for terms in (block.v_terms, block.u_terms):
            if terms:
                flat = self.ref(_flat(terms))
                parts.append(flat if len(terms[0]) == 1 else f"sum_terms({flat}.reshape({len(terms)}, "
                                                                f"{len(terms[0])}, -1))")
        lines.append(f"t{block.id} = " + " + ".join(parts))
        return lines

    # --- backward ---------------------------------------------------------------------------------------------
    def _backward_lines(self):
        names = [f"t{block.id}" for block in self.blocks]
        lines = [f"{', '.join(names)}{',' if len(names) == 1 else ''} = saved"] if names else []
        done = set()  # blocks whose backward a fused line has done
        for block in reversed(self.blocks):
            if not self._wanted(block.members) or block.id in done:
                continue
            chain = None if self.guard else self._sigmoid_chain(block)
            lines.append(self._comment(block) if chain is None else
                         self._comment(block).replace("recip", "σ composed of ×(−1), exp, +1, 1/x: local s·s·e"))
            if not block.private:
                in_v, first = self.where[block.members[0]]
                lines.append(f"g{block.id} = {'GV' if in_v else 'GU'}[{first}:{first + len(block.members)}]")
            if chain is not None:
                lines.append(self._sigmoid_backward(block, *chain))
                done.update(b.id for b in chain[:3])
            else:
                lines += self._op_backward(block) if isinstance(block, OpBlock) else self._sum_backward(block)
        return _assign_sole_adds(lines)

    def _inner(self, nodes, op):
        """The private block of `op` computing exactly `nodes`, or None."""
        block = self.block_of.get(nodes[0])
        ok = block is not None and block.private and block.members == nodes and getattr(block, "op", "") == op
        return block if ok else None

    def _sigmoid_chain(self, block):
        """For the 1/x block ending a composed sigmoid x → ×(−1) → exp → +1 → 1/x of private blocks (with baked
        −1 and 1): (the +1, exp and ×(−1) blocks), else None."""
        if getattr(block, "op", "") != "recip":
            return None
        add = self._inner(block.sources[0], "add")
        if add is None or self.constant(add.sources[1]) != 1.0:
            return None
        exp = self._inner(add.sources[0], "exp")
        mul = exp and self._inner(exp.sources[0], "mul")
        if mul is None or self.constant(mul.sources[1]) != -1.0:
            return None
        return add, exp, mul

    def _sigmoid_backward(self, recip, add, exp, mul):
        """The composed sigmoid's four local gradients in one line: (−s²)·1·e·(−1) = s²·e, multiplied in eager's
        order ((s·s)·g)·e, so the result is eager's to the last bit."""
        s, e = f"t{recip.id}", f"t{exp.id}"
        return self._to_source(mul, mul.sources[0], f"{s} * {s} * g{recip.id} * {e}")

    def _to_source(self, block, nodes, value):
        """Add value into nodes' gradients, summed over the examples when they do not vary and the block does."""
        first = nodes[0]
        varies = self.where[first][0] if first in self.where else self.block_of[first].varying
        if block.varying and not varies:
            value = f"np.add.reduce({value}, axis=1, keepdims=True)"
        return self.add_into(nodes, value)

    def _op_backward(self, block):
        row = NUMPY_PRIMITIVES[block.op]
        xs = [self.ref(nodes, op_input=True) for nodes in block.sources] + ["", ""]
        g, lines = f"g{block.id}", []
        for i, (nodes, local) in enumerate(zip(block.sources, row.local_text if self.checked else row.fast_local_text)):
            if not self._wanted(nodes):
                continue
            if local == "1.0":
                value = g
            elif row.gradient_text:
                value = _fill(row.gradient_text[i], x=xs[0], y=xs[1], k=_number(block.arg or 0.0), out=f"t{block.id}",
                              g=g)
            else:
                local = _fill(local, x=xs[0], y=xs[1], k=_number(block.arg or 0.0), out=f"t{block.id}")
                value = f"times({local}, {g})" if self.guard else f"{g} * {_paren(local)}"
            lines.append(self._to_source(block, nodes, value))
        return lines

    def _sum_backward(self, block):
        g, lines = f"g{block.id}", []
        if block.w:
            lines += self._products_backward(block)
        for terms in (block.v_terms, block.u_terms):
            if terms and self._wanted(_flat(terms)):
                m = len(terms[0])
                lines.append(self._to_source(block, _flat(terms), g if m == 1 else f"np.repeat({g}, {m}, axis=0)"))
        return lines

    def _products_backward(self, block):
        g, i, lines = f"g{block.id}", block.id, []
        w_nodes, h_nodes = _flat(block.w), block.shared_h or _flat(block.h)
        want_w, want_h = self._wanted(w_nodes), self._wanted(h_nodes)
        if not (want_w or want_h):
            return lines
        lines.append(f"w{i} = {self._weights(block)}")
        if self.guard:
            lines.append(f"dw{i}, dh{i} = guarded_products(w{i}, {self._h(block)}, {g})")
            by_w, by_h = f"dw{i}", f"dh{i}"
        elif block.shared_h is not None:  # W @ H: ∂/∂w_jp = Σ_examples g_j h_p, ∂/∂h_p = Σ_j w_jp g_j
            by_w, by_h = f"({g} @ {self._h(block)}.T).reshape(-1, 1)", f"w{i}.T @ {g}"
        else:
            k, m = len(block.w), len(block.w[0])
            by_w = f'np.einsum("kb,kpb->kp", {g}, {self._h(block)}).reshape(-1, 1)'
            by_h = f"(w{i}[:, :, None] * {g}[:, None, :]).reshape({k * m}, -1)"
        if want_w:
            lines.append(self.add_into(w_nodes, by_w))
        if want_h:
            lines.append(self.add_into(h_nodes, by_h))
        return lines

    # --- running ----------------------------------------------------------------------------------------------
    def compile(self, name):
        """{"forward": function, "backward": function}, compiled from the source under the file name `name`."""
        import linecache

        source = self.forward_source + "\n\n" + self.backward_source
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)  # tracebacks show the lines
        namespace = dict(RUNTIME, **self.constants)
        exec(compile(source, name, "exec"), namespace)
        return namespace


class _Add(str):
    """A line `G[rows] += value`, knowing its matrix and rows."""

    def __new__(cls, line, target, rows):
        out = super().__new__(cls, line)
        out.target, out.rows = target, rows
        return out


def _assign_sole_adds(lines):
    """`G[rows] = value` for the adds that are the only ones into their rows (G starts at 0): one copy, no read."""
    count = {}
    for line in lines:
        for row in line.rows if isinstance(line, _Add) else ():
            count[line.target, row] = count.get((line.target, row), 0) + 1
    repeated = {key for key, n in count.items() if n > 1}
    at_rows = any(line.startswith("add_at(") for line in lines)  # rows of add_at are not known here: keep +=
    return [line.replace(" += ", " = ", 1) if isinstance(line, _Add) and not at_rows and
            not any((line.target, row) in repeated for row in line.rows) else str(line) for line in lines]


def _flat(rows):
    return [node for row in rows for node in row]


def _terms(block):
    return "+".join(str(len(terms[0])) for terms in (block.w, block.v_terms, block.u_terms) if terms)
