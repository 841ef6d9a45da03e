"""A layered layout of our own for the live page: big graphs laid out in linear time, drawn as Graphviz would.

Graphviz's layout grows faster than the graph (a 916-node net lays out in 1.4 s, a 5,186-node one in minutes).
`live_svg(root)` lays the same graph out in a few passes over its nodes and edges (Sugiyama-lite) and writes an
SVG with exactly the structure the page's script (viz/page/page.js) reads in Graphviz's: a group
`g.node` titled "n{i}" per value (a rounded box: its name, "data …", "grad …"; a constant: its number), one
titled "n{i}_op" per op (an ellipse), a group `g.edge` titled "n{p}->n{i}_op" per input edge (its label text
the local gradient) and "n{i}_op->n{i}", and a `g.cluster` titled "cluster_{scope}" per name scope.

The steps, each linear in nodes and edges (sorting aside):

1. ranks: every node one column right of its latest input (longest path from the inputs); then an input, or a
   node read only once, moves right up to the column before its reader, so a weight sits beside its ×.
2. order: each scope is a box of its own; inside it, nodes and inner boxes go top to bottom in order of
   where their neighbours are (the barycenter), each as high as the columns it spans leave room for
   (a skyline per column), or up to REACH lower to be level with its neighbours. A few sweeps refine it.
3. coordinates from column and place; an edge is a curve to a short straight run into its op, which carries
   its label (input 0 above, input 1 below), so labels of one op never cover each other. Nodes are drawn
   after edges: a long edge passes under the nodes it crosses (Graphviz would route around them, which is
   why small graphs keep Graphviz: see `own_layout_for`).
Numbers are laid out as `viz.graph.RESERVE`, the widest `fmt` writes: any value fits without a new layout.
Measured (benchmarks/page_bench.py): the 5,186-node net's page builds in 0.4 s, against 194 s with Graphviz.
"""
import html
import math

from autograd import topological_order

from .graph import _CLUSTER_FILLS, _STYLE, _kind, RESERVE, shown_name
from .names import node_names
from .notation import op_text, visible

__all__ = ["live_svg", "own_layout_for", "text_width", "LIVE_LIMIT", "OWN_ABOVE"]

OWN_ABOVE = 1_500  # value nodes: above it the live page is laid out here (Graphviz: 1,612 nodes 2.8 s, 5,186 in 194 s)
LIVE_LIMIT = 50_000  # value nodes: a page of 50,000 is ~70 MB (1.4 kB a node); more is refused without force=True
SWEEPS = 4  # placement passes: the first packs in topological order, the others follow the neighbours

FONT = "Helvetica,sans-Serif"
NODE_GAP = 14  # between stacked nodes, px
COLUMN_GAP = 22  # between columns with no labelled edge between them
ARROW = 7  # arrowhead length (Graphviz's arrowsize 0.7)
EDGE_FONT = 11
INPUT_DY = 11  # a binary op's inputs arrive 11 px above (input 0) and below (input 1) its centre: room for
# input 0's label of up to three lines (the page writes an active product so) above input 1's
HEADER = 20  # a scope's box: room for its name above its contents
SCOPE_PAD = 8  # a scope's box: margin around its contents (each level of nesting adds one)
MARGIN = 4
REACH = 80  # a node sits at most this far below the free place it could have, to be level with neighbours

# Helvetica's advance widths (1/1000 em) for ASCII 32..126, from its AFM: the metrics Graphviz estimates with and
# Liberation Sans, which browsers substitute for Helvetica, shares
_ASCII = [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
          556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
          1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
          667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
          333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
          556, 556, 333, 500, 278, 556, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584]
_OTHER = {"−": 584, "·": 278, "×": 584, "…": 1000, "σ": 600, "α": 578, "²": 333, "⁻": 333, "¹": 333, "³": 333}
_WIDE = 1000  # any other character (CJK, emoji): one em, the widest it can be
_BOLD = 1.15  # Helvetica-Bold is at most ~15% wider


def text_width(text, size, bold=False):
    """The width in px of `text` in Helvetica at `size` px (bold: 15% wider, an upper bound)."""
    units = sum(_ASCII[ord(c) - 32] if 32 <= ord(c) < 127 else _OTHER.get(c, _WIDE) for c in text)
    return units * size / 1000 * (_BOLD if bold else 1.0)


def _n(x):
    """A coordinate for the SVG: one decimal, no trailing .0."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Box:
    """One drawn node: a value's box or an op's ellipse, its size, column and place."""

    __slots__ = ("title", "kind", "lines", "w", "h", "rank", "scope", "y", "rel", "order")

    def __init__(self, title, kind, lines, w, h, scope, order):
        self.title, self.kind, self.lines, self.w, self.h = title, kind, lines, w, h
        self.scope, self.order = scope, order
        self.rank, self.y, self.rel = 0, 0.0, 0.0


def _value_box(i, node, root, name, scope):
    """The box of value node i: a constant shows its number, any other value its name, data and grad."""
    kind = _kind(node, root)
    if kind == "const":
        text = f"{visible(name)} = {RESERVE}" if name else RESERVE
        return _Box(f"n{i}", kind, [text], text_width(text, 10) + 9, 21.6, scope, i)
    lines = [visible(name), "data " + RESERVE, "grad " + RESERVE]
    w = max(text_width(lines[0], 12, bold=True), text_width(lines[1], 12)) + 18
    return _Box(f"n{i}", kind, lines, w, 57.2, scope, i)


def _op_box(i, node, scope):
    """The ellipse of the op that made value i: a circle for a short symbol (×, +, exp)."""
    text = op_text(node)
    w = max(36.0, text_width(text, 13) + 20) if len(text) <= 3 else max(54.0, text_width(text, 13) + 24)
    return _Box(f"n{i}_op", "op", [text], w, 36.0, scope, i)


def _boxes(root, order, names, cluster):
    """(boxes, value box of each node, op box of each node or None): ops before their value, in order."""
    names = names or {}
    derived = node_names(root, names, order)
    boxes, values, ops = [], [], []
    for i, node in enumerate(order):
        scope = node.scope if cluster else ""
        op = _op_box(i, node, scope) if node.parents else None
        if op:
            boxes.append(op)
        value = _value_box(i, node, root, shown_name(node, names, derived), scope)
        boxes.append(value)
        values.append(value)
        ops.append(op)
    return boxes, values, ops


def _ranks(order, values, ops):
    """Columns: longest path from the inputs, then inputs and once-read nodes moved up to their reader."""
    position = {node: i for i, node in enumerate(order)}
    readers = [[] for _ in order]
    for i, node in enumerate(order):
        for parent in node.parents:
            readers[position[parent]].append(i)
        if ops[i]:
            ops[i].rank = max(values[position[p]].rank for p in node.parents) + 1
            values[i].rank = ops[i].rank + 1
    for i in range(len(order) - 2, -1, -1):  # the root (last) stays; the rest from the output back
        if not order[i].parents or len(readers[i]) == 1:
            values[i].rank = min(ops[r].rank for r in readers[i]) - 1
            if ops[i]:
                ops[i].rank = values[i].rank - 1
    low = min(box.rank for box in values)
    for box in values + [op for op in ops if op]:
        box.rank -= low


class _Scope:
    """A name scope's box: the nodes and inner scopes it holds, the columns it spans, its place."""

    def __init__(self, scope, depth):
        self.scope, self.depth = scope, depth
        self.boxes, self.inner, self.members = [], [], []  # members: every box inside, inner scopes' too
        self.lo = self.hi = 0
        self.pad = 0.0
        self.height = self.top = self.abs = 0.0
        self.order = 0

    def content(self):
        """Where its contents start, below its name (the whole graph has no name)."""
        return self.abs + (HEADER if self.depth else 0)

    def inside(self, scope):
        return not self.depth or scope == self.scope or scope.startswith(self.scope + "/")


def _scopes(boxes):
    """The tree of scope boxes (the whole graph at its root), with each box in its own scope."""
    tree = {"": _Scope("", 0)}

    def get(scope):
        if scope not in tree:
            parent = get(scope.rpartition("/")[0])
            tree[scope] = _Scope(scope, parent.depth + 1)
            parent.inner.append(tree[scope])
        return tree[scope]

    for box in boxes:
        get(box.scope).boxes.append(box)
    _measure(tree[""])
    return tree[""]


def _measure(scope):
    """Columns spanned, members, first node and padding of `scope` and every scope inside it."""
    spans = [(box.rank, box.rank) for box in scope.boxes]
    scope.members = list(scope.boxes)
    levels = 0
    for inner in scope.inner:
        _measure(inner)
        spans.append((inner.lo, inner.hi))
        scope.members += inner.members
        levels = max(levels, inner.pad / SCOPE_PAD)
    scope.lo = min(lo for lo, _ in spans)
    scope.hi = max(hi for _, hi in spans)
    scope.order = min(box.order for box in scope.members)
    scope.pad = SCOPE_PAD * (levels + 1) if scope.depth else 0.0


def _neighbours(boxes, order, values, ops):
    """For each box, the boxes it has an edge with (a value and its op; an input and the op reading it)."""
    near = {id(box): [] for box in boxes}
    position = {node: i for i, node in enumerate(order)}
    for i, node in enumerate(order):
        if ops[i]:
            near[id(ops[i])].append(values[i])
            near[id(values[i])].append(ops[i])
            for parent in node.parents:
                near[id(ops[i])].append(values[position[parent]])
                near[id(values[position[parent]])].append(ops[i])
    return near


def _wants(scope, near, first):
    """Where each box and inner scope of `scope` would like its top, from the last pass: its neighbours' mean."""
    if first:
        return {id(box): None for box in scope.boxes} | {id(inner): None for inner in scope.inner}
    base = scope.content()
    wants = {}
    for box in scope.boxes:  # inside a scope box, only the neighbours inside it: the box as a whole follows the rest
        ys = [other.y for other in near[id(box)] if scope.inside(other.scope)]
        wants[id(box)] = sum(ys) / len(ys) - box.h / 2 - base if ys else None
    for inner in scope.inner:  # where its top would put its members level with their neighbours outside it
        shifts = [other.y - (box.y - inner.abs) for box in inner.members for other in near[id(box)]
                  if not inner.inside(other.scope)]
        wants[id(inner)] = sum(shifts) / len(shifts) - base if shifts else inner.top
    return wants


def _pack(scope, near, first):
    """Place the contents of `scope` top to bottom (inner scopes first): each as high as its columns allow.

    Items go in order of where they want to be (else in topological order), each at the lowest free place
    of the columns it spans (a skyline), but never above where it wants to be. Sets box.rel, inner.top and
    scope.height. Time: the columns each item spans, so a node costs O(1).
    """
    for inner in scope.inner:
        _pack(inner, near, first)
    wants = _wants(scope, near, first)
    items = [(box, box.rank, box.rank, box.h) for box in scope.boxes]
    items += [(inner, inner.lo, inner.hi, inner.height) for inner in scope.inner]
    items.sort(key=lambda item: (wants[id(item[0])] or 0.0, item[0].order))
    sky = [-math.inf] * (scope.hi - scope.lo + 1)
    tops = []
    for item, lo, hi, height in items:
        floor, want = max(sky[lo - scope.lo:hi - scope.lo + 1]) + NODE_GAP, wants[id(item)]
        if floor == -math.inf:  # nothing above it yet
            top = 0.0 if want is None else want
        else:  # below what is above it; lower still to be level with its neighbours, but never far: no holes
            top = floor if want is None else min(max(floor, want), floor + REACH)
        sky[lo - scope.lo:hi - scope.lo + 1] = [top + height] * (hi - lo + 1)
        tops.append(top)
    shift = min(tops)  # the topmost item at 0: no empty room at the top of a box
    for (item, *_), top in zip(items, tops):
        if isinstance(item, _Box):
            item.rel = top - shift
        else:
            item.top = top - shift
    scope.height = max(sky) - shift + (HEADER + SCOPE_PAD if scope.depth else 0)


def _place(scope, top):
    """Absolute places from relative ones: scope at `top`, its boxes' centres, its inner scopes."""
    scope.abs = top
    base = scope.content()
    for box in scope.boxes:
        box.y = base + box.rel + box.h / 2
    for inner in scope.inner:
        _place(inner, base + inner.top)


def _columns(boxes, tree):
    """(left x, width) of every column: as wide as its widest node, gaps with room for labels and scope boxes."""
    count = max(box.rank for box in boxes) + 1
    width, has_op = [0.0] * count, [False] * count
    for box in boxes:
        width[box.rank] = max(width[box.rank], box.w)
        has_op[box.rank] |= box.kind == "op"
    ends, starts = [0.0] * count, [0.0] * count  # the widest scope padding closing / opening at each column

    def walk(scope):
        ends[scope.hi] = max(ends[scope.hi], scope.pad)
        starts[scope.lo] = max(starts[scope.lo], scope.pad)
        for inner in scope.inner:
            walk(inner)
    walk(tree)
    label = text_width(RESERVE, EDGE_FONT) + ARROW + 16
    left, x = [], MARGIN + _left_pad(tree)
    for r in range(count):
        if r:
            x += max(label if has_op[r] else COLUMN_GAP, ends[r - 1] + starts[r] + 8)
        left.append(x)
        x += width[r]
    return left, width


def _left_pad(tree):
    """The widest padding of a scope starting at column 0: room on the left of the drawing."""
    return max([inner.pad for inner in tree.inner if inner.lo == 0], default=0.0)


def own_layout_for(count, renderer=None, rankdir="LR"):
    """Whether the live page lays a graph of `count` value nodes out here rather than with Graphviz.

    Above OWN_ABOVE nodes, drawn left to right (this layout's only direction), unless a Graphviz
    renderer was asked for by name: small graphs keep Graphviz, whose edges go around nodes.
    """
    return count > OWN_ABOVE and rankdir == "LR" and renderer is None


def _check_size(count, force):
    if count > LIVE_LIMIT and not force:
        raise ValueError(f"this graph has {count:,} nodes, more than a live page holds (LIVE_LIMIT = {LIVE_LIMIT:,}; "
                         f"its page would be about {count * 1.4e-3:,.0f} MB): draw it smaller with its scopes "
                         "collapsed (render(root, 'graph.svg', collapse=1)), write the DOT source without a "
                         "layout (render(root, 'graph.dot')), or pass force=True")


def live_svg(root, names=None, cluster=False, force=False):
    """The live page's layout of root's graph as SVG text, in the structure of Graphviz's (see the module).

    `names` ({Value: name}) names unlabelled nodes as in draw_dot; `cluster=True` boxes the name scopes.
    Time and memory grow linearly with the graph (n log n for sorting): 5,000 nodes in under a second.
    A graph of more than LIVE_LIMIT nodes is refused (a ValueError naming its size) unless `force=True`.
    """
    order = topological_order(root)
    _check_size(len(order), force)
    boxes, values, ops = _boxes(root, order, names, cluster)
    _ranks(order, values, ops)
    near = _neighbours(boxes, order, values, ops)
    tree = _scopes(boxes)
    for sweep in range(SWEEPS):
        _pack(tree, near, first=sweep == 0)
        _place(tree, MARGIN)
    left, width = _columns(boxes, tree)
    centre = [x + w / 2 for x, w in zip(left, width)]
    return _svg(order, values, ops, tree, left, width, centre)


# ------------------------------------------------------------------------------------------------------------
# writing the SVG: the elements and classes Graphviz writes, so that page.js and page.css find them


def _text(x, y, text, size=12, anchor="start", extra=""):
    """One line of text: font, size 12, left-aligned and kept spaces are the drawing's defaults (inherited)."""
    size = f' font-size="{size}"' if size != 12 else ""
    anchor = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{_n(x)}" y="{_n(y)}"{size}{anchor}{extra}>{html.escape(text, quote=False)}</text>'


def _rounded(x, y, w, h, r):
    """A rounded rectangle as one path (page.css styles a node's `> path`)."""
    return (f"M{_n(x + r)},{_n(y)}H{_n(x + w - r)}A{r},{r} 0 0 1 {_n(x + w)},{_n(y + r)}V{_n(y + h - r)}"
            f"A{r},{r} 0 0 1 {_n(x + w - r)},{_n(y + h)}H{_n(x + r)}A{r},{r} 0 0 1 {_n(x)},{_n(y + h - r)}"
            f"V{_n(y + r)}A{r},{r} 0 0 1 {_n(x + r)},{_n(y)}Z")


def _value_svg(k, box, cx):
    """A value's group: rounded box, then name (bold), data and grad; a constant: its number."""
    style = _STYLE[box.kind]
    x, y = cx - box.w / 2, box.y - box.h / 2
    width = f' stroke-width="{style["penwidth"]}"' if "penwidth" in style else ""
    parts = [f'<g id="node{k}" class="node">', f"<title>{box.title}</title>",
             f'<path fill="{style["fillcolor"]}" stroke="{style["color"]}"{width} '
             f'd="{_rounded(x, y, box.w, box.h, 3.6 if box.kind == "const" else 6)}"/>']
    if box.kind == "const":
        parts.append(_text(x + 4.5, y + 14.8, box.lines[0], 10, extra=f' fill="{style["fontcolor"]}"'))
    else:
        parts.append(_text(x + 9, y + 14.8, box.lines[0], extra=' font-weight="bold"'))
        parts.append(_text(x + 9, y + 33.4, box.lines[1]))
        parts.append(_text(x + 9, y + 49.8, box.lines[2]))
    parts.append("</g>")
    return "\n".join(parts)


def _op_svg(k, box, cx):
    style = _STYLE["op"]
    return "\n".join([f'<g id="node{k}" class="node">', f"<title>{box.title}</title>",
                      f'<ellipse fill="{style["fillcolor"]}" stroke="{style["color"]}" cx="{_n(cx)}" '
                      f'cy="{_n(box.y)}" rx="{_n(box.w / 2)}" ry="{_n(box.h / 2)}"/>',
                      _text(cx, box.y + 4.6, box.lines[0], 13, "middle"), "</g>"])


def _edge_svg(k, title, start, end, label=None, below=False):
    """An edge: a curve, a straight run of a label's length into the head, the arrow, and the label on the run."""
    (x0, y0), (x1, y1) = start, end
    tip = x1 - ARROW
    run = text_width(RESERVE, EDGE_FONT) + 8 if label is not None else 0.0
    bend = max(tip - run, x0)
    d = (x0 + bend) / 2
    path = f"M{_n(x0)},{_n(y0)}C{_n(d)},{_n(y0)} {_n(d)},{_n(y1)} {_n(bend)},{_n(y1)}H{_n(tip)}"
    arrow = f"{_n(tip)},{_n(y1 - 2.5)} {_n(x1)},{_n(y1)} {_n(tip)},{_n(y1 + 2.5)}"
    parts = [f'<g id="edge{k}" class="edge">', f"<title>{html.escape(title, quote=False)}</title>",
             f'<path fill="none" stroke="#475569" d="{path}"/>',
             f'<polygon fill="#475569" stroke="#475569" points="{arrow}"/>']
    if label is not None:
        y = y1 + 12 if below else y1 - 3
        parts.append(_text((bend + tip) / 2, y, label, EDGE_FONT, "middle", ' fill="#b91c1c"'))
    parts.append("</g>")
    return "\n".join(parts)


def _edges_svg(order, values, ops, centre):
    """Every edge of the graph: inputs into their op (labelled with the local gradient), each op into its value."""
    position = {node: i for i, node in enumerate(order)}
    parts = []
    for i, node in enumerate(order):
        op = ops[i]
        if op is None:
            continue
        cx, rx, ry = centre[op.rank], op.w / 2, op.h / 2
        two = len(node.parents) == 2
        for slot, parent in enumerate(node.parents):
            tail = values[position[parent]]
            dy = (INPUT_DY if slot else -INPUT_DY) if two else 0.0
            x1 = cx - rx * (1 - (dy / ry) ** 2) ** 0.5  # where the ellipse is at height dy
            start = (centre[tail.rank] + tail.w / 2, tail.y)
            parts.append(_edge_svg(len(parts) + 1, f"{tail.title}->{op.title}", start, (x1, op.y + dy),
                                   RESERVE, below=slot == 1 and two))
        value = values[i]
        parts.append(_edge_svg(len(parts) + 1, f"{op.title}->{value.title}", (cx + rx, op.y),
                               (centre[value.rank] - value.w / 2, value.y)))
    return parts


def _scopes_svg(tree, left, width):
    """One group per name scope, outer before inner (so inner boxes paint over outer ones)."""
    parts = []

    def walk(scope):
        if scope.depth:
            x = left[scope.lo] - scope.pad
            w = left[scope.hi] + width[scope.hi] + scope.pad - x
            name = visible(scope.scope.rpartition("/")[2])
            parts.append("\n".join([
                f'<g id="clust{len(parts) + 1}" class="cluster">',
                f"<title>{html.escape('cluster_' + scope.scope, quote=False)}</title>",
                f'<path fill="{_CLUSTER_FILLS[(scope.depth - 1) % 2]}" stroke="#94a3b8" '
                f'd="{_rounded(x, scope.abs, w, scope.height, 6)}"/>',
                _text(x + 8, scope.abs + 14, name), "</g>"]))
        for inner in scope.inner:
            walk(inner)
    walk(tree)
    return parts


def _svg(order, values, ops, tree, left, width, centre):
    """The whole SVG: white background, scope boxes, edges, then nodes on top (a long edge passes under)."""
    boxes = [box for box in values] + [op for op in ops if op]
    right = max(left[-1] + width[-1], *(left[s.hi] + width[s.hi] + s.pad for s in _all(tree))) + MARGIN
    bottom = max(tree.height, *(box.y + box.h / 2 for box in boxes)) + MARGIN
    parts = [f'<svg width="{_n(right)}pt" height="{_n(bottom)}pt" viewBox="0.00 0.00 {right:.2f} {bottom:.2f}" '
             'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">',
             f'<g id="graph0" class="graph" font-family="{FONT}" font-size="12" xml:space="preserve">',
             "<title>chainrule</title>",
             f'<polygon fill="white" stroke="none" '
             f'points="0,0 {_n(right)},0 {_n(right)},{_n(bottom)} 0,{_n(bottom)}"/>']
    parts += _scopes_svg(tree, left, width)
    parts += _edges_svg(order, values, ops, centre)
    k = 0
    for i in range(len(order)):
        if ops[i]:
            k += 1
            parts.append(_op_svg(k, ops[i], centre[ops[i].rank]))
        k += 1
        parts.append(_value_svg(k, values[i], centre[values[i].rank]))
    parts += ["</g>", "</svg>"]
    return "\n".join(parts) + "\n"


def _all(scope):
    """Every scope box in the tree (the whole graph included)."""
    yield scope
    for inner in scope.inner:
        yield from _all(inner)
