"""Readable names for every node of a graph, the same in the page, the terminal, the widget and the DOT source.

A node is called by its label when it has one. An unlabelled op node is named after where it comes from:
its op written over its inputs' names (`w·x`, `exp(−z)`, `1/(1+exp(−z))`). An input whose own name is long is
written `…`, and such a name, no longer telling on its own, gets the node's name scope in front
(`layer1/neuron0: exp(…)`). An unlabelled leaf is a constant and is called by its number (`2`, `−1`).
Names are unique within a graph: a name met again gets `#2`, `#3`, ... in topological order.
"""
import re

from autograd import PRIMITIVES, topological_order

from .notation import fmt, visible

__all__ = ["node_names", "term", "SHORT"]

SHORT = 16  # an input name longer than this is written "…" inside another node's name
_ATOM = re.compile(r"[\w\[\],.']+")  # names like w, x1, W1[0,1], σ need no parentheses


def _is_call(name):
    """True for "exp(…)" or "(a+b)": a name whose first "(" closes at its very end (one function call)."""
    head, bracket, _ = name.partition("(")
    if not bracket or not _ATOM.fullmatch(head or "x") or not name.endswith(")"):
        return False
    depth = 0
    for i, char in enumerate(name[len(head):]):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i == len(name) - len(head) - 1
    return False


def term(name):
    """A name as a term of a formula: "w" and "exp(−z)" stay, "1+e^−z" becomes "(1+e^−z)"."""
    return name if _ATOM.fullmatch(name) or _is_call(name) else f"({name})"


def _input_term(parent, name, infix):
    """How an input appears in its reader's name: (x) around an infix op's compound inputs, … when long."""
    if not parent.parents and not parent.label:
        name = fmt(parent.data)  # a constant: its number, without the #k of a repeated one
    elif len(name) > SHORT:
        return "…"
    return term(name) if infix else name


def _derived(node, names):
    """The name of an unlabelled node from its op and its inputs' names."""
    if not node.parents:
        return fmt(node.data)
    prim = PRIMITIVES[node.op]
    form = prim.form.replace(" ", "")  # "{0} · {1}" -> "{0}·{1}": a compact name
    inputs = [_input_term(p, names[p], prim.infix) for p in node.parents]
    text = form.format(*inputs, k=fmt(node.arg) if node.arg is not None else "")
    if "…" in text and node.scope:
        text = f"{node.scope}: {text}"
    return text


def node_names(root, names=None, order=None):
    """{Value: unique display name} for every node of root's graph.

    `names` ({Value: name}) comes first, then the label, then a name derived from the node's op and inputs.
    Control characters are shown as their escapes (`notation.visible`), so no front end prints one raw.
    `order` is `topological_order(root)` when the caller has it already.
    """
    order = topological_order(root) if order is None else order
    given = names or {}
    result, seen = {}, {}
    for node in order:
        base = visible(given.get(node) or node.label or _derived(node, result))
        count = seen.get(base, 0) + 1
        seen[base] = count
        result[node] = base if count == 1 else f"{base}#{count}"
    return result
