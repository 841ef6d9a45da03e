"""Draw a Value's computational graph: forward value and grad on every node, ∂out/∂in on every edge.

    from viz import draw_dot, render
    g = draw_dot(f)                 # a graphviz.Digraph; a Jupyter cell shows it inline
    render(f, "out/wxb.svg")        # or .png, .dot (.pdf where Graphviz's dot is installed)
    g.render("out/wxb")             # micrograd's way (writes out/wxb and out/wxb.svg); g.view() opens it

All of these draw through viz.backends, so they work with graphviz-pure alone.

Node ids in the DOT source are stable, so other tools (the step-through) can address them:
the value node at position i of `topological_order(root)` is "n{i}", the op node that made it is
"n{i}_op", and a collapsed scope "layer1/neuron0" is the node "scope_layer1/neuron0" inside
cluster "cluster_layer1". Clusters are named "cluster_" + the scope path. The units of one scope (neuron0, neuron1,
...) are drawn in the order of their number; inside a cluster an invisible node "order_" + the unit's scope path
keeps them in order.
"""
import fnmatch
import html
import math
import os
from collections import defaultdict
from pathlib import Path

import graphviz
from graphviz.quoting import quote

from autograd import Value, reader_counts, topological_order
from autograd.engine import sigmoid_parts

from . import backends
from .names import node_names
from .notation import fmt, op_text, visible

__all__ = ["draw_dot", "render", "svg", "find", "node_ids", "fmt", "op_text", "Graph"]

RANKDIRS = ("LR", "TB", "RL", "BT")
SIGMOID_MODES = ("full", "compact")
GRAD_RANGE = (1e-6, 1.0)  # color_by_grad: |grad| ≤ 1e-6 is white, ≥ 1 is full red
DRAW_LIMIT = 2_000  # value nodes drawn; a dense 1,240-node net lays out in ~2 s, 4,000 in ~50 s (dot: > 120 s)
RESERVE = "−0.0001235"  # live=True: the text every number is laid out with (10 characters, as −1.235e+05)

_FONT = "Helvetica"
_STYLE = {  # default graphviz attributes by kind of node
    "leaf": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#2563eb"},
    "inner": {"shape": "box", "style": "rounded,filled", "fillcolor": "#f8fafc", "color": "#64748b"},
    "output": {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#dcfce7", "color": "#15803d",
               "penwidth": "2"},
    "const": {"shape": "box", "style": "rounded,filled", "fillcolor": "#f1f5f9", "color": "#94a3b8",
              "fontsize": "10", "fontcolor": "#475569", "height": "0.3", "margin": "0.06,0.03"},
    "op": {"style": "filled", "fillcolor": "#fef3c7", "color": "#d97706", "fontsize": "13",
           "margin": "0.04,0.02"},
    "scope": {"shape": "box3d", "style": "filled", "fillcolor": "#ede9fe", "color": "#7c3aed"},
}
_CLUSTER_FILLS = ("#f1f5f9", "#ffffff")  # alternate by depth so nested clusters stand apart


class Graph(graphviz.Digraph):
    """A graphviz.Digraph that draws through chainrule's backend (viz.backends).

    So `pipe()`, `render()`, `view()` and the inline display in Jupyter (`_repr_mimebundle_`, which calls
    `pipe`) work with graphviz-pure alone, when Graphviz's own `dot` is not installed. The backend is
    picked as everywhere in chainrule: dot when installed, else graphviz-pure; CHAINRULE_RENDERER forces one.
    """

    def __repr__(self):
        # the same text on every run (no memory address), so a notebook's saved output only changes with the graph
        return f"<viz.graph.Graph: {len(self.body)} lines of DOT; .source to read, render() to draw>"

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        """The drawn graph as bytes (str when `encoding` is given); format defaults to svg."""
        _check_graphviz_options(engine, renderer, formatter, neato_no_op)
        data = backends.pipe(self.source, format or self.format)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None, renderer=None,
               formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *, outfile=None, engine=None,
               raise_if_result_exists=False, overwrite_source=False):
        """Save the DOT source, draw it to a file, and return the drawing's path (as graphviz.Digraph.render).

        The source goes to directory/filename (default ./chainrule.gv); the drawing to `outfile` (its suffix
        gives the format) or else beside the source, as chainrule.gv.svg for format="svg" (the graph's
        default). `view=True` opens it; `cleanup=True` deletes the source. Formats: svg, png, dot, and pdf
        with Graphviz's dot. Graphviz's engine/renderer/formatter options are not supported.
        """
        _check_graphviz_options(engine, renderer, formatter, neato_no_op)
        if outfile is not None:
            outfile = Path(outfile) if directory is not None else Path(self.directory, outfile)
            format = format or outfile.suffix.lstrip(".").lower()
            if not format:
                raise ValueError(f"cannot tell the format of outfile {str(outfile)!r}: give it a suffix or "
                                 f"pass format=, one of {', '.join(backends.FORMATS)}")
            if filename is None:  # the source beside the drawing, as graphviz does
                filename = outfile.with_suffix(".gv").name
                directory = outfile.parent if directory is None else directory
        format = format or self.format
        data = backends.pipe(self.source, format)  # first: a bad format or no backend writes nothing
        source_path = Path(self.save(filename, directory=directory))
        outfile = outfile if outfile is not None else Path(f"{source_path}.{format}")
        if outfile.resolve() == source_path.resolve() and not overwrite_source:
            raise ValueError(f"outfile {str(outfile)!r} is the source file: pick another name "
                             "(or pass overwrite_source=True)")
        if raise_if_result_exists and outfile.exists():
            raise graphviz.FileExistsError(f"output file exists: {str(outfile)!r}")
        outfile.parent.mkdir(parents=True, exist_ok=True)
        outfile.write_bytes(data)
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(os.fspath(outfile), format=format, quiet=quiet_view)
        return os.fspath(outfile)


def _check_graphviz_options(engine, renderer, formatter, neato_no_op):
    """Graphviz's layout engines and output plugins have no counterpart in chainrule's backends: say so."""
    if engine not in (None, "dot"):
        raise ValueError(f"engine={engine!r}: chainrule lays graphs out with dot only; leave engine out")
    if renderer is not None or formatter is not None or neato_no_op:
        raise ValueError("Graphviz's renderer=/formatter=/neato_no_op= are not supported here: chainrule draws "
                         f"with dot or graphviz-pure (set {backends.ENV_VAR} to choose) and the format alone "
                         "picks the output")


def _html(text):
    """Text for an HTML-like label, shown literally: <, >, &, quotes escaped, newlines as line breaks.

    Control characters (a tab, ESC, NUL, a lone surrogate) are shown as their escapes (`notation.visible`):
    Graphviz refuses them raw. Backslashes are doubled: Graphviz expands \\N, \\G, ... (node, graph name)
    even in HTML labels.
    """
    lines = str(text).splitlines() or [""]
    return "<br/>".join(html.escape(visible(line).replace("\\", "\\\\")) for line in lines)


def _label(inner):
    return f"<{inner}>"  # the graphviz package passes <...> through unquoted, as an HTML-like label


def find(root, label):
    """The first node of root's graph (in topological order) whose label is `label`."""
    order = topological_order(root)
    for node in order:
        if node.label == label:
            return node
    labels = sorted({node.label for node in order if node.label})
    raise LookupError(f"no node labelled {label!r} in this graph; its labels are: {', '.join(labels) or 'none'}")


def node_ids(root):
    """{Value: its DOT node id "n{i}"}, i its position in topological_order(root); its op node is id + "_op"."""
    return {node: f"n{i}" for i, node in enumerate(topological_order(root))}


def _grad_color(grad, lo, hi):
    """White → red by log10 |grad| between lo and hi."""
    size = abs(grad)
    if math.isnan(size) or size >= hi:
        t = 1.0
    elif size <= lo:
        t = 0.0
    else:
        t = (math.log10(size) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
    red = (248, 113, 113)  # #f87171: dark text stays readable on it
    return "#" + "".join(f"{round(255 + t * (c - 255)):02x}" for c in red)


def _value_label(name, node, grad, number=fmt, stacked=False):
    """name | data | grad side by side; `stacked` puts them one under the other (a narrower node)."""
    cells = ([f"<b>{_html(name)}</b>"] if name else []) + [f"data {number(node.data)}", f"grad {number(grad)}"]
    if stacked:
        rows = "".join(f'<tr><td align="left">{cell}</td></tr>' for cell in cells)
        return _label(f'<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{rows}</table>')
    row = "<vr/>".join(f"<td>{cell}</td>" for cell in cells)
    return _label(f'<table border="0" cellborder="0" cellspacing="0" cellpadding="4"><tr>{row}</tr></table>')


def _kind(node, root):
    """output, inner, leaf (a labelled input) or const (a plain number): from the node, never from `names`."""
    if node is root:
        return "output"
    if node.parents:
        return "inner"
    return "leaf" if node.label else "const"


def shown_name(node, names, derived):
    """The name a drawn value node shows: its label, else names[node], else (an op's result) its derived name.

    An unlabelled leaf is a constant and shows none of its own (only its number). `derived` is
    `viz.names.node_names(root, names)`. The live page's own layout (viz.layout) writes the same names.
    """
    return node.label or names.get(node) or (derived[node] if node.parents else "")


def _const_label(name, node, number=fmt):
    """A constant shows its number, and its display name when it has one: "two = 2"."""
    return _label(_html(f"{name} = {number(node.data)}" if name else number(node.data)))


def _reserved(x):
    """The widest number `fmt` writes in practice: a live page's layout keeps room for it everywhere."""
    return RESERVE


class _SigmoidChain:
    """z → ×(−1) → exp → +1 → 1/x as Value.sigmoid() builds it: drawn as one σ op."""

    def __init__(self, z, local, hidden):
        self.z, self.local, self.hidden = z, local, hidden


def _sigmoid_chain(out, readers, folded):
    """The composed sigmoid ending in `out` (`sigmoid_parts`), or None when out is not one or another node
    reads one of its inner nodes (then they must stay visible)."""
    parts = None if out in folded else sigmoid_parts(out)
    if parts is None:
        return None
    z, neg, exp, plus = parts
    inner = (neg, exp, plus, neg.parents[1], plus.parents[1])  # the ops and their constants −1 and 1
    if any(readers[v] != 1 or v in folded for v in inner):
        return None
    local = out.local_grads[0] * plus.local_grads[0] * exp.local_grads[0] * neg.local_grads[0]
    return _SigmoidChain(z, local, set(inner))


def _folder(collapse):
    """A function scope -> the collapsed scope prefix it falls in (or None), from the `collapse` option."""
    if collapse is None:
        return lambda scope: None
    if isinstance(collapse, int) and not isinstance(collapse, bool):
        if collapse < 0:
            raise ValueError(f"collapse={collapse}: give a depth ≥ 0 (0 collapses every top-level scope)")

        def by_depth(scope):
            parts = scope.split("/") if scope else []
            return "/".join(parts[:collapse + 1]) if len(parts) > collapse else None
        return by_depth
    sequence = isinstance(collapse, (list, tuple))
    patterns = [collapse] if isinstance(collapse, str) else list(collapse) if sequence else []  # 1.5: refused below
    if not patterns or not all(isinstance(p, str) for p in patterns):
        raise TypeError(f"collapse={collapse!r}: give a depth (int) or scope patterns (str or list of str), "
                        "e.g. collapse=1 or collapse='layer*/neuron*'")

    def by_pattern(scope):
        parts = scope.split("/") if scope else []
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            if any(fnmatch.fnmatchcase(prefix, p) for p in patterns):
                return prefix
        return None
    return by_pattern


def _scope_id(prefix):
    return "scope_" + prefix.replace(":", "_")  # a ':' would read as a port in an edge


def _parent_scope(scope):
    return scope.rpartition("/")[0]


def _check_options(root, rankdir, sigmoid, color_by_grad):
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value (the root of the graph), got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir={rankdir!r}: use one of {', '.join(RANKDIRS)} (LR = left to right)")
    if sigmoid not in SIGMOID_MODES:
        raise ValueError(f"sigmoid={sigmoid!r}: use 'full' (four op nodes) or 'compact' (one σ node)")
    return _grad_range(color_by_grad)


def _grad_range(color_by_grad):
    """The option color_by_grad as a range (lo, hi) of |grad|, or None when off."""
    if color_by_grad in (True, False, None):
        return GRAD_RANGE if color_by_grad else None
    wanted = "give True, False or a range (lo, hi) of |grad| with 0 < lo < hi, e.g. (1e-4, 1)"
    pair = isinstance(color_by_grad, (tuple, list)) and len(color_by_grad) == 2
    if not pair or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in color_by_grad):
        raise TypeError(f"color_by_grad={color_by_grad!r}: {wanted}")
    lo, hi = color_by_grad
    if not 0 < lo < hi < math.inf:
        raise ValueError(f"color_by_grad={color_by_grad!r}: {wanted}")
    return float(lo), float(hi)


def _check_size(order, folded, force):
    """Refuse a graph too big to lay out in reasonable time (Graphviz's layout grows faster than its size)."""
    drawn = len(order) - len(folded) + len(set(folded.values()))  # a collapsed scope is one node
    if drawn > DRAW_LIMIT and not force:
        raise ValueError(f"this graph has {drawn:,} nodes to draw, more than Graphviz lays out in reasonable time "
                         f"(DRAW_LIMIT = {DRAW_LIMIT:,}): collapse its scopes (collapse=1 or "
                         "collapse='layer*/neuron*', with cluster=True for boxes), write the DOT source "
                         "(render(root, 'graph.dot'), no layout), or pass force=True to wait")


def draw_dot(root, rankdir="LR", *, cluster=False, collapse=None, sigmoid="full", color_by_grad=False,
             node_style=None, op_style=None, edge_label=None, names=None, grads=None, live=False, force=False):
    """The computational graph of `root` as a graphviz Digraph (a `Graph`; shows inline in Jupyter).

    Value nodes show label, data and grad; op nodes show the op; the edge from an input into an op shows
    that input's local gradient ∂out/∂in. Leaves are blue, the output green, plain-number constants small.

    rankdir: "LR" (default), "TB", "RL" or "BT".
    cluster: group nodes into nested boxes by their name scope ("layer1/neuron0").
    collapse: draw whole scopes as one node each: a depth (collapse=1 keeps layer1 as a box and
        collapses layer1/neuron0 and everything in it) or scope patterns (collapse="layer*/neuron*").
    sigmoid: "compact" draws each ×(−1) → exp → +1 → 1/x chain of Value.sigmoid() as one σ op whose
        edge carries the product of the four local gradients; "full" (default) draws all four.
    color_by_grad: fill value nodes white → red by |grad| on a log scale (True: 1e-6 .. 1, or (lo, hi)).
    node_style: callable(Value) -> dict of graphviz attributes merged over a value node's defaults.
    op_style: callable(Value) -> dict merged over the attributes of the op node that made that Value.
    edge_label: callable(parent, child, i) -> str or None: the label of the edge from parent (child's
        i-th input) into child's op; None keeps the local gradient. For a compact σ: (z, σ node, 0).
    names: {Value: name} shown for nodes that have no label (only the text: an unlabelled leaf is still
        drawn as a constant, e.g. "two = 2"). Unlabelled op nodes not in `names` show the name
        `viz.names.node_names` derives from their op and inputs (`w·x`), as the step-through calls them.
    grads: {Value: float} shown (and colored by) instead of node.grad, e.g. the step-through's gradients so far.
    live: lay out for the live page (viz.html), whose script rewrites every number: each is drawn as the
        widest number (RESERVE), so that any value fits without a new layout; name, data and grad are
        stacked (a narrower node), and nodes carry no tooltip.
    force: draw a graph of more than DRAW_LIMIT nodes anyway (its layout may take minutes); without it such
        a graph is refused with a ValueError that names its size and the ways to draw it smaller.
    """
    scale = _check_options(root, rankdir, sigmoid, color_by_grad)
    order = topological_order(root)
    fold = _folder(collapse)
    folded = {node: prefix for node in order if (prefix := fold(node.scope))}
    _check_size(order, folded, force)
    chains = _sigmoid_chains(order, folded) if sigmoid == "compact" else {}
    hidden = set().union(*(chain.hidden for chain in chains.values()))
    looks = _Looks(root, order, names, grads, live, scale, node_style, op_style, edge_label)
    sheet = _Sheet(order, folded)
    for node in order:
        if node in hidden:
            continue
        if node in folded:
            _draw_folded(sheet, node)
        else:
            _draw_node(sheet, looks, node, chains.get(node), node.scope if cluster else "")
    _add_collapsed(sheet, order, root, folded, cluster, looks)
    return _assemble(sheet, rankdir, cluster, scale)


def _sigmoid_chains(order, folded):
    """{σ node: its _SigmoidChain} for every chain of Value.sigmoid() in the graph (sigmoid="compact")."""
    readers = reader_counts(order)  # how many edges leave each node
    return {node: chain for node in order if (chain := _sigmoid_chain(node, readers, folded))}


class _Sheet:
    """What draw_dot has drawn so far: node statements by cluster, the edges, and each drawn node's scope."""

    def __init__(self, order, folded):
        self.ids = {node: f"n{i}" for i, node in enumerate(order)}
        self.folded = folded
        self.stmts = defaultdict(list)  # cluster scope ("" = top level) -> [(node id, attributes)]
        self.paths = {}  # node id -> the scope it belongs to (a collapsed scope's node: that scope)
        self.edges, self._seen = [], set()

    def node(self, where, node_id, attrs, path):
        """A node statement in the cluster of scope `where` ("" = top level)."""
        self.stmts[where].append((node_id, attrs))
        self.paths[node_id] = path

    def source(self, parent):
        """The drawn node an edge from `parent` leaves: its collapsed scope's node, or its own."""
        return _scope_id(self.folded[parent]) if parent in self.folded else self.ids[parent]

    def edge(self, tail, head, label=None):
        """An edge; one without a label (into or out of a collapsed scope) is drawn once per pair of nodes."""
        if label is None:
            if (tail, head) in self._seen:
                return
            self._seen.add((tail, head))
        self.edges.append((tail, head, {} if label is None else {"label": _label(_html(label))}))


class _Looks:
    """How draw_dot's options style the drawn nodes: labels, numbers, colors, tooltips, the style callables."""

    def __init__(self, root, order, names, grads, live, scale, node_style, op_style, edge_label):
        self.root, self.names, self.grads, self.live, self.scale = root, names or {}, grads, live, scale
        self.derived = node_names(root, self.names, order)
        self.number = _reserved if live else fmt
        self.node_style, self.op_style, self.edge_label = node_style, op_style, edge_label

    def grad(self, node):
        """The grad shown: from `grads` when given, else node.grad."""
        return node.grad if self.grads is None else self.grads.get(node, node.grad)

    def value(self, node):
        """The attributes of a value node: its kind's style, label, tooltip, fill by |grad|, node_style."""
        name = shown_name(node, self.names, self.derived)
        kind = _kind(node, self.root)
        attrs = dict(_STYLE[kind])
        grad = self.grad(node)
        attrs["label"] = (_const_label(name, node, self.number) if kind == "const"
                          else _value_label(name, node, grad, self.number, stacked=self.live))
        if not self.live:
            attrs["tooltip"] = f"data = {node.data!r}, grad = {grad!r}"
        if self.scale and kind != "const":
            attrs["fillcolor"] = _grad_color(grad, *self.scale)
        return _styled(attrs, self.node_style, node)

    def op(self, node, chain):
        """The attributes of the op node that made `node` (one σ for a compact sigmoid chain)."""
        text = "σ" if chain else op_text(node)
        attrs = dict(_STYLE["op"], label=_label(_html(text)), shape="circle" if len(text) <= 3 else "ellipse")
        return _styled(attrs, self.op_style, node)

    def edge_text(self, parent, node, i, local):
        """The label of the edge from `parent` (node's i-th input) into node's op: edge_label's, else ∂out/∂in."""
        text = self.edge_label(parent, node, i) if self.edge_label else None
        return self.number(local) if text is None else text


def _styled(attrs, style, node):
    """`attrs` updated by a style callable's dict for `node` (its values as text), when there is one."""
    if style:
        attrs.update({k: str(v) for k, v in (style(node) or {}).items()})
    return attrs


def _draw_folded(sheet, node):
    """A node inside a collapsed scope is not drawn: only the edges from outside into its scope's node."""
    scope = sheet.folded[node]
    for parent in node.parents:
        if sheet.folded.get(parent) != scope:
            sheet.edge(sheet.source(parent), _scope_id(scope))


def _draw_node(sheet, looks, node, chain, where):
    """A value node, and unless it is a leaf the op node that made it: op → value, each input → op."""
    node_id = sheet.ids[node]
    sheet.node(where, node_id, looks.value(node), node.scope)
    if not node.parents:
        return
    op_id = node_id + "_op"
    sheet.node(where, op_id, looks.op(node, chain), node.scope)
    sheet.edge(op_id, node_id)
    inputs = [(chain.z, chain.local)] if chain else zip(node.parents, node.local_grads)
    for i, (parent, local) in enumerate(inputs):
        sheet.edge(sheet.source(parent), op_id, looks.edge_text(parent, node, i, local))


def _add_collapsed(sheet, order, root, folded, cluster, looks):
    """One box3d node per collapsed scope: its name, size, and its output's data and grad when it has one."""
    members, outputs = defaultdict(int), defaultdict(list)
    for node in order:
        if node in folded:
            members[folded[node]] += 1
        for parent in node.parents:
            if parent in folded and folded.get(node) != folded[parent]:
                if parent not in outputs[folded[parent]]:
                    outputs[folded[parent]].append(parent)
    if root in folded:
        outputs[folded[root]].append(root)
    for prefix, count in members.items():
        rows = [f"<b>{_html(prefix.rpartition('/')[2])}</b>", f"{count} nodes"]
        attrs = dict(_STYLE["scope"])
        if len(outputs[prefix]) == 1:
            out = outputs[prefix][0]
            rows.append(f"data {fmt(out.data)}, grad {fmt(looks.grad(out))}")
            if looks.scale:
                attrs["fillcolor"] = _grad_color(looks.grad(out), *looks.scale)
        attrs["label"] = _label("<br/>".join(rows))
        attrs["tooltip"] = f"scope {prefix} collapsed"
        sheet.node(_parent_scope(prefix) if cluster else "", _scope_id(prefix), attrs, prefix)


def _assemble(sheet, rankdir, cluster, scale):
    """Nodes into (nested) clusters, the statements that keep units in order, then the edges, into one Graph."""
    graph = _empty_graph(rankdir, scale)
    clusters = _clusters(sheet.stmts)
    clusters[""] = graph
    for scope, nodes in sheet.stmts.items():
        for node_id, attrs in nodes:
            clusters[scope].node(node_id, **attrs)
    in_order = _order_statements(sheet, cluster, rankdir)
    for scope in clusters:
        if scope:  # a cluster's statements go in before it is copied into its parent; the top level's go last
            clusters[scope].body.extend(in_order.get(scope, ()))
    for scope in sorted(clusters, key=lambda s: -s.count("/")):  # innermost first: a subgraph is copied in
        if scope:
            clusters[_parent_scope(scope)].subgraph(clusters[scope])
    for tail, head, attrs in sheet.edges:
        graph.edge(tail, head, **attrs)
    graph.body.extend(in_order.get("", ()))
    return graph


def _empty_graph(rankdir, scale):
    """The Graph with chainrule's graph, node and edge attributes (and the color scale's legend), no nodes yet."""
    graph_attr = {"rankdir": rankdir, "fontname": _FONT, "nodesep": "0.25", "ranksep": "0.35"}
    if scale:
        graph_attr.update(label=f"fill: |grad| on a log scale, white ≤ {fmt(scale[0])}, red ≥ {fmt(scale[1])}",
                          labelloc="b", fontsize="10")
    return Graph("chainrule", format="svg", graph_attr=graph_attr,
                 node_attr={"fontname": _FONT, "fontsize": "12"},
                 edge_attr={"fontname": _FONT, "fontsize": "11", "color": "#475569", "fontcolor": "#b91c1c",
                            "arrowsize": "0.7"})


def _clusters(stmts):
    """{scope: its empty cluster subgraph} for every scope with nodes and every scope enclosing one."""
    scopes = {}  # in order of first appearance, so the DOT source is the same on every run
    for scope in stmts:
        while scope:  # every enclosing scope gets a cluster, even one with no node of its own
            scopes.setdefault(scope)
            scope = _parent_scope(scope)
    return {scope: graphviz.Digraph(
                "cluster_" + scope,
                graph_attr={"label": _label(_html(scope.rpartition("/")[2])), "style": "rounded,filled",
                            "fillcolor": _CLUSTER_FILLS[scope.count("/") % 2], "color": "#94a3b8",
                            "labeljust": "l", "fontsize": "12"})
            for scope in scopes}


# --- units in order (issue 14) ----------------------------------------------------------------------------------
# Units side by side in one scope (layer1/neuron0, neuron1, ...) are drawn in the order of their number: Graphviz's
# crossing minimisation would otherwise put them in any order (neuron2, neuron0, neuron1). Each unit gets a handle
# and the handles are chained by invisible edges on one rank, which Graphviz keeps in order. A collapsed unit at the
# top level is its own handle. Inside a cluster the handle is an invisible anchor node with edges into the unit:
# there a rank=same of the unit's own nodes would not hold (and one written outside the cluster takes them out of
# it), and a cluster has no node of its own to chain.

ANCHOR_EDGES = 3  # invisible edges from an anchor into its unit: crossing them costs more than real edges save


def _order_statements(sheet, cluster, rankdir):
    """{container scope ("" = top level): DOT lines} that keep each scope's numbered units in order."""
    lines = defaultdict(list)
    collapsed = set(sheet.folded.values())
    for head, group in _numbered_units(_unit_candidates(sheet, cluster, collapsed)).items():
        if _feed_each_other(group, sheet):
            continue  # steps one after another (layer1 → layer2), not units side by side
        container = head if cluster else ""
        handles = [_scope_id(unit) if unit in collapsed and not container else _anchor(unit, sheet, lines[container])
                   for unit in group]
        if container and rankdir in ("LR", "RL"):
            handles.reverse()  # inside a cluster Graphviz lays an LR rank's flat edges out bottom to top
        lines[container].append("{rank=same; " + " -> ".join(quote(h) for h in handles) + " [style=invis]}\n")
    return lines


def _unit_candidates(sheet, cluster, collapsed):
    """The scopes that may be units, in drawing order: every cluster's scope (cluster=True) and collapsed scope."""
    paths = dict.fromkeys(sheet.paths.values())  # in drawing order, so the DOT source is the same on every run
    if cluster:
        return [unit for path in paths for unit in _enclosing(path)]
    return [path for path in paths if path in collapsed]


def _enclosing(path):
    """path and every scope enclosing it: "a/b/c" -> a/b/c, a/b, a."""
    while path:
        yield path
        path = _parent_scope(path)


def _numbered_units(paths):
    """{parent scope: [its units in order of number]} for scopes ending in a number (neuron0, ...), two or more."""
    groups = defaultdict(list)
    for path in dict.fromkeys(paths):
        head, _, last = path.rpartition("/")
        digits = last.lstrip("abcdefghijklmnopqrstuvwxyz_")
        if digits.isdigit():
            groups[head].append((int(digits), path))
    return {head: [path for _, path in sorted(units)] for head, units in groups.items() if len(units) > 1}


def _feed_each_other(group, sheet):
    """Whether an edge joins two units of `group`."""
    def unit_of(node_id):
        path = sheet.paths[node_id]
        return next((unit for unit in group if path == unit or path.startswith(unit + "/")), None)

    for tail, head, _ in sheet.edges:
        tail_unit, head_unit = unit_of(tail), unit_of(head)
        if tail_unit and head_unit and tail_unit != head_unit:
            return True
    return False


def _anchor(unit, sheet, lines):
    """An invisible node tied to the first node of the cluster `unit` (ANCHOR_EDGES edges); returns its id."""
    anchor = "order_" + unit.replace(":", "_")
    first = next(node_id for node_id, path in sheet.paths.items() if path == unit or path.startswith(unit + "/"))
    lines.append(f'{quote(anchor)} [label="" height=0 shape=point style=invis width=0]\n')
    lines.extend([f"{quote(anchor)} -> {quote(first)} [style=invis]\n"] * ANCHOR_EDGES)
    return anchor


def svg(root, renderer=None, **draw_dot_kwargs):
    """The graph of `root` (a Value, or a Digraph from draw_dot) as SVG text."""
    graph = _graph(root, draw_dot_kwargs)
    return backends.pipe(graph.source, "svg", renderer).decode("utf-8")


def _graph(root, draw_dot_kwargs):
    if isinstance(root, graphviz.Digraph):
        if draw_dot_kwargs:
            raise TypeError(f"options {sorted(draw_dot_kwargs)} apply to a Value, not to an already drawn graph")
        return root
    return draw_dot(root, **draw_dot_kwargs)


def render(root, path, renderer=None, **draw_dot_kwargs):
    """Write the graph of `root` (a Value, or a Digraph from draw_dot) to `path`; returns the Path.

    The format is the suffix: .svg, .png, .dot, or .pdf (needs Graphviz's dot). The folder is created.
    `renderer` forces a backend ("dot" or "graphviz-pure", see viz.backends); other keyword
    arguments go to draw_dot.
    """
    path = Path(path)
    fmt_name = path.suffix.lstrip(".").lower()
    if fmt_name not in backends.FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r} from its suffix: "
                         f"use one of {', '.join('.' + f for f in backends.FORMATS)}")
    if fmt_name == "dot" and isinstance(root, Value):
        draw_dot_kwargs.setdefault("force", True)  # the DOT source needs no layout: any size is quick
    graph = _graph(root, draw_dot_kwargs)
    data = backends.pipe(graph.source, fmt_name, renderer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
