"""The chain rule the other ways round: forward-mode tangents and every path's product.

`backward()` starts at the root and sends g = ∂root/∂node back to the inputs. Forward mode starts at one
input w and sends tangents t = ∂node/∂w forward along the same edges, in `topological_order`:

    t(w) = 1,    t(out) = Σ local × t(x) over the inputs x of out,

with the local gradients every node stored in its forward pass: no new derivative table. The tangent of
the root is ∂root/∂w, the number backward() leaves in w.grad.

Unrolled, both sums are one sum over paths: ∂root/∂w = Σ over every path w → … → root of the product of
the local gradients on its edges. `paths` lists them; a node read twice (x in x·x) gives two paths, which
is why its gradients add.
"""
from dataclasses import dataclass
from numbers import Integral

from .engine import Value, chain_term, topological_order  # chain_term: the one gradient rule

__all__ = ["jvp", "tangents", "paths", "count_paths", "Path", "chain_term", "PATH_LIMIT"]

PATH_LIMIT = 10_000  # paths() refuses more than this many: their number can double with every reused node


def _node_of(order, wrt, caller):
    """The node of `order` that `wrt` names: the Value itself, or the label of exactly one node."""
    if isinstance(wrt, Value):
        if wrt not in set(order):
            label = f" labelled {wrt.label!r}" if wrt.label else ""
            raise ValueError(f"{caller}: wrt is a Value{label} that is not in root's graph; pass a node of the "
                             f"graph (the very Value object used to build it) or its label")
        return wrt
    if not isinstance(wrt, str):
        raise TypeError(f"{caller}: wrt must be a Value of root's graph or its label (a str), "
                        f"got {type(wrt).__name__}: {wrt!r}")
    found = [v for v in order if v.label == wrt]
    if len(found) != 1:
        labels = sorted({v.label for v in order if v.label})
        problem = "no node" if not found else f"{len(found)} nodes"
        raise ValueError(f"{caller}: {problem} of root's graph labelled {wrt!r}; the labels are {labels}"
                         + ("; pass the Value itself" if found else ""))
    return found[0]


def _check_root(root, caller):
    if not isinstance(root, Value):
        raise TypeError(f"{caller}: root must be a Value, got {type(root).__name__}: {root!r}")


def tangents(root, wrt):
    """{node: ∂node/∂wrt} for every node of root's graph, by forward-mode accumulation.

    Walks `topological_order(root)` once, inputs first: t(wrt) = 1 (the seed), and each later node gets
    t(out) = Σ local × t(x) over its inputs x, with the `local_grads` stored in the forward pass. Nodes
    before wrt, and nodes that do not depend on it, get 0. `wrt` is a Value of the graph or its label.
    """
    _check_root(root, "tangents")
    order = topological_order(root)
    wrt = _node_of(order, wrt, "tangents")
    tangent = dict.fromkeys(order, 0.0)
    tangent[wrt] = 1.0  # the seed: ∂wrt/∂wrt = 1
    for node in order[order.index(wrt) + 1:]:
        total = 0.0
        for x, local in zip(node.parents, node.local_grads):
            total += chain_term(local, tangent[x])
        tangent[node] = total
    return tangent


def jvp(root, wrt):
    """∂root/∂wrt by forward-mode accumulation: the tangent of root when wrt's tangent is 1.

    Equal to the `wrt.grad` that `root.backward()` computes (from a zero gradient), reached the other way
    round: along the same edges and the same stored local gradients, from the input to the output.
    `wrt` is a Value of root's graph (a leaf or any inner node) or its label.

    >>> w, x = Value(-2.0, "w"), Value(5.0, "x")
    >>> jvp(w * x + 3, w)   # ∂(w·x + 3)/∂w = x
    5.0
    """
    return tangents(root, wrt)[root]


def _count(order, start, cap):
    """count(start) = 1, count(out) = Σ count(x) over the inputs x of out; at most cap + 1 when cap is set."""
    count = dict.fromkeys(order, 0)
    count[start] = 1
    for node in order[order.index(start) + 1:]:
        total = sum(count[x] for x in node.parents)
        count[node] = total if cap is None else min(total, cap + 1)
    return count[order[-1]]


def count_paths(root, wrt, cap=None):
    """How many paths lead from wrt to root (an edge read twice, as in x·x, counts twice).

    Dynamic programming over `topological_order`: count(wrt) = 1, count(out) = Σ count(x) over the
    inputs x of out. With `cap`, counts stop growing at cap + 1, so a graph with 2¹⁰⁰⁰ paths costs no
    more than one with ten.
    """
    _check_root(root, "count_paths")
    order = topological_order(root)
    return _count(order, _node_of(order, wrt, "count_paths"), cap)


@dataclass(frozen=True, eq=False)
class Path:
    """One path from an input to the root: its nodes (input first), the edges' local gradients, their product.

    `slots[i]` is the position of nodes[i] among nodes[i + 1].parents (0 for x, 1 for y): in x·x both
    edges join the same two nodes, and the slot tells them apart. `product` is exactly 0 when any local
    gradient is 0, as `chain_term` rules.
    """

    nodes: tuple
    slots: tuple
    locals: tuple
    product: float

    def __repr__(self):
        return f"Path({len(self.nodes)} nodes, product={self.product:.6g})"


def _readers(order):
    """{node: [(reader, slot), ...]}: the edges out of each node, in topological order."""
    readers = {v: [] for v in order}
    for node in order:
        for slot, x in enumerate(node.parents):
            readers[x].append((node, slot))
    return readers


def _make_path(nodes, slots):
    locals_ = tuple(nodes[i + 1].local_grads[slot] for i, slot in enumerate(slots))
    product = 1.0
    for local in locals_:
        product = chain_term(local, product)
    return Path(tuple(nodes), tuple(slots), locals_, product)


def paths(root, wrt, limit=PATH_LIMIT):
    """Every path from `wrt` to `root`, each a `Path` with the product of the local gradients on it.

    Their products add up to ∂root/∂wrt (the chain rule's multivariate form): x·x has two paths from
    x, each with product x, and 2x is the gradient. Paths are counted first (`count_paths`); more than
    `limit` raises ValueError, since their number can double with every reused node: `jvp` gives the
    sum without listing them. `wrt` is a Value of root's graph or its label.
    """
    if not isinstance(limit, Integral) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"paths: limit must be a whole number ≥ 1, got {limit!r}")
    _check_root(root, "paths")
    order = topological_order(root)
    start = _node_of(order, wrt, "paths")
    if _count(order, start, cap=limit) > limit:
        raise ValueError(f"paths: more than {limit:,} paths lead from {start.label or 'wrt'} to the root, too many "
                         f"to list; use jvp(root, wrt) for their sum, ∂root/∂wrt, or raise limit=")
    readers = _readers(order)
    # a depth-first walk from the input towards the root, with a stack of edge iterators (no recursion)
    nodes, slots, result = [start], [], []
    pending = [iter(readers[start])]
    while pending:
        edge = next(pending[-1], None)
        if edge is None:  # every edge out of nodes[-1] is done: step back
            pending.pop()
            nodes.pop()
            if slots:
                slots.pop()
            continue
        reader, slot = edge
        nodes.append(reader)
        slots.append(slot)
        if reader is root:
            result.append(_make_path(nodes, slots))
            nodes.pop()
            slots.pop()
        else:
            pending.append(iter(readers[reader]))
    if start is root:
        result.append(Path((root,), (), (), 1.0))  # the empty path: ∂root/∂root = 1
    return result
