"""The chain-rule step-through as one self-contained, live HTML page: `export_html(root, "steps.html")`.

The page carries the graph as data (`graph_data`: nodes in topological order with op, parents, constant,
name, scope, and the leaf values) and one SVG laid out once with room for every number (`layout_svg`: by
Graphviz, or above 1,500 nodes by viz.layout in linear time). Its script (viz/page/page.js) mirrors
`autograd.PRIMITIVES`, computes the forward pass, the local gradients, the backward walk and the sentences
of `viz.steps`, and per step only rewrites text and classes in the SVG: nothing moves, any input can be
edited, and a 900-node net makes a page of a few MB in about a second. No network, no server, no external
files: a Content-Security-Policy in the page forbids them. The Jupyter widget (viz.widget) runs the same script.

`frame_svg` draws one step as a picture on its own (the README's step picture).
"""
import html
import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path

from autograd import PRIMITIVES, Value, topological_order
from autograd.forward import PATH_LIMIT

from . import backends, layout
from .graph import draw_dot
from .names import node_names, term
from .notation import factor, fmt

__all__ = ["export_html", "page", "graph_data", "layout_svg", "frame_svg", "asset", "json_number", "MODES"]

# the learner modes the page opens in: step through, predict then reveal, forward-mode tangents, every path
MODES = ("steps", "quiz", "tangents", "paths")

PAGE_DIR = Path(__file__).with_name("page")

# how a frame marks its nodes (graphviz attributes; `class` lands on the SVG <g>, so tests and CSS find it)
CURRENT = {"class": "current", "fillcolor": "#fde047", "color": "#a16207", "penwidth": "3"}
RECEIVING = {"class": "receiving", "color": "#b91c1c", "penwidth": "2.5"}
PENDING = {"class": "pending", "style": "rounded,filled,dashed", "fillcolor": "#ffffff", "color": "#cbd5e1",
           "fontcolor": "#94a3b8"}
PENDING_OP = {"class": "pending-op", "fillcolor": "#ffffff", "color": "#cbd5e1", "fontcolor": "#94a3b8"}


def _styles(step):
    """node_style, op_style and edge_label hooks for draw_dot that draw this step."""
    receiving = {c.parent for c in step.contributions}
    done = step.computed if step.kind == "forward" else step.final

    def node_style(v):
        if v is step.node:
            return CURRENT
        if v in receiving:
            return RECEIVING
        return PENDING if v not in done else None

    def op_style(v):
        if v is step.node:
            return {"class": "current-op", "penwidth": "2.5"}
        return PENDING_OP if v not in done else None

    products = {c.slot: c for c in step.contributions}

    def edge_label(parent, child, i):
        if child is step.node and i in products:  # this step's product: local × upstream
            c = products[i]
            return f"{factor(c.local)} × {factor(step.g)} = {fmt(c.product)}"
        return None

    return node_style, op_style, edge_label


def frame_svg(root, step, names=None, renderer=None, rankdir="LR", caption=False):
    """The graph of `root` drawn for one step, as SVG text (no XML prolog, ready to inline).

    The step's node is highlighted (class "current"), parents receiving gradient outlined red, nodes
    whose value (forward) or gradient (backward) is not final yet dimmed, and the edges of this step's
    products labelled local × upstream = product. Gradients shown are those so far. `caption=True`
    writes the step's sentence under the graph (for a picture on its own).
    """
    node_style, op_style, edge_label = _styles(step)
    grads = step.grads if step.kind == "backward" else dict.fromkeys(topological_order(root), 0.0)
    graph = draw_dot(root, rankdir, node_style=node_style, op_style=op_style, edge_label=edge_label,
                     names=names, grads=grads)
    if caption:
        graph.attr(label=step.sentence, labelloc="b", fontsize="14")
    return _inline(backends.pipe(graph.source, "svg", renderer).decode("utf-8"))


def _inline(svg):
    """SVG text ready to sit inside HTML: no <?xml ...?>, no DOCTYPE (which names a URL), no comments."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


# ------------------------------------------------------------------------------------------------------------
# the live page

# nothing may be loaded from anywhere: only the page's own inline style and script run
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


@lru_cache(maxsize=None)
def asset(name):
    """The text of one of the page's files in viz/page/: "page.js", "page.css", "shell.html", ..."""
    return (PAGE_DIR / name).read_text(encoding="utf-8")


def json_number(x):
    """A float for JSON, which has no nan or inf: those travel as the strings "nan", "inf", "-inf"."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _ops():
    """What the page's script needs of each PRIMITIVES row besides its forward and local: how it reads."""
    return {name: {"symbol": p.symbol, "form": p.form, "infix": p.infix} for name, p in PRIMITIVES.items()}


def graph_data(root, names=None, forward=False, title="", order=None, mode="steps", leaf=None):
    """The graph of `root` as the page's script reads it (a dict, ready for JSON).

    `nodes` in topological order (root last), each with its display name and that name as a term of a
    formula, its scope, and either `op`, `parents` (positions) and `arg` (pow's k, elu's α) or, for a leaf,
    `data` and `constant` (an unlabelled leaf); `ops` the symbol and sentence form of every primitive;
    `root` its position; `forward` whether the steps start with the forward pass; `mode` the learner mode
    the page opens in (one of MODES), `leaf` the input forward mode and the paths start from (a name, or
    None: the first input), `pathLimit` how many paths the page lists at most (autograd's PATH_LIMIT).
    """
    order = topological_order(root) if order is None else order
    label = node_names(root, names, order)
    _check_mode(mode, leaf, [label[v] for v in order if not v.parents and v.label])
    position = {v: i for i, v in enumerate(order)}
    nodes = []
    for v in order:
        node = {"name": label[v], "term": term(label[v]), "scope": v.scope}
        if v.parents:
            node.update(op=v.op, parents=[position[p] for p in v.parents])
            if v.arg is not None:
                node["arg"] = json_number(v.arg)
        else:
            node.update(data=json_number(v.data), constant=not v.label)
        nodes.append(node)
    return {"root": len(order) - 1, "forward": bool(forward), "title": title, "ops": _ops(), "nodes": nodes,
            "mode": mode, "leaf": leaf, "pathLimit": PATH_LIMIT}


def _check_mode(mode, leaf, inputs):
    """ValueError unless `mode` is one of MODES and `leaf` is None or the name of one of the `inputs`."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if leaf is not None and leaf not in inputs:
        raise ValueError(f"leaf {leaf!r} is not an input of the graph; the inputs are {', '.join(inputs) or 'none'}")


def _layout_renderer(renderer):
    """The backend for the page's layout: as asked (renderer= or CHAINRULE_RENDERER), else graphviz-pure.

    graphviz-pure lays out the big graphs a page is for several times faster than Graphviz's dot here
    (the 916-node deep XOR net in 1.6 s against 3.8 s; 4,356 nodes in 60 s against more than 5 minutes).
    """
    if renderer or os.environ.get(backends.ENV_VAR) or "graphviz-pure" not in backends.available():
        return renderer
    return "graphviz-pure"


def layout_svg(root, names=None, renderer=None, rankdir="LR", cluster=None, force=False):
    """The one layout of the page: root's graph with room for every number (draw_dot's live=True), as SVG.

    Node i of topological_order(root) is the group titled "n{i}", its op "n{i}_op"; cluster=None boxes
    the name scopes when the graph has any. A graph of more than `viz.layout.OWN_ABOVE` nodes drawn left to
    right is laid out by viz.layout in linear time (refused past `viz.layout.LIVE_LIMIT` nodes unless
    `force=True`); a smaller one, another rankdir or a named renderer by Graphviz, which refuses more than
    `viz.graph.DRAW_LIMIT` nodes unless `force=True` (its layout may take minutes).
    """
    order = topological_order(root)
    if cluster is None:
        cluster = any(v.scope for v in order)
    if layout.own_layout_for(len(order), renderer, rankdir):  # Graphviz's layout grows faster than the graph
        return layout.live_svg(root, names, cluster, force)
    graph = draw_dot(root, rankdir, cluster=cluster, names=names, live=True, force=force)  # it names the rest
    return _inline(backends.pipe(graph.source, "svg", _layout_renderer(renderer)).decode("utf-8"))


def _json_for_html(data):
    """JSON that cannot end its <script> element: every < is written \\u003c."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _fill(template, parts):
    """{{name}} -> parts[name] in one pass: text put in is never searched again (a label may say {{svg}})."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def standalone_page(element_id, title, css, script, data, body=""):
    """One self-contained HTML page from viz/page/shell.html: `script` (a module) reads `data` (JSON, in the
    element `{element_id}-data`) and draws into the element `element_id`, which starts with `body`. No network:
    the Content-Security-Policy allows only what is inline. The step-through, the training run and the layer
    view are all this page with their own script, styles and data."""
    return _fill(asset("shell.html"), {
        "csp": _CSP,
        "title": html.escape(title),
        "css": css,
        "id": element_id,
        "body": body,
        "data": _json_for_html(data),
        "script": script,
    })


def page(root, forward=False, title=None, renderer=None, rankdir="LR", names=None, cluster=None, force=False,
         mode="steps", leaf=None):
    """The whole live step-through page as one HTML string (see `export_html`)."""
    if not isinstance(root, Value):
        raise TypeError(f"the page needs the Value to step through, got {type(root).__name__}: {root!r}")
    order = topological_order(root)
    label = node_names(root, names, order)
    title = title or f"chainrule: the chain rule through {label[root]}"
    data = graph_data(root, names, forward, title, order, mode, leaf)
    svg = layout_svg(root, names, renderer, rankdir, cluster, force)
    return standalone_page("chainrule", title, asset("page.css"), asset("page.js"), data,
                           body=f'<div class="cr-graph">\n{svg}\n</div>')


def export_html(root, path, forward=False, title=None, renderer=None, rankdir="LR", names=None, cluster=None,
                force=False, mode="steps", leaf=None):
    """Write the live chain-rule step-through of `root` to `path` as one self-contained HTML page.

    The page lays the graph out once and computes every value, local gradient and backward step itself:
    Previous/Next, arrow keys, a slider, play/pause, Home/End, click a node to jump to its step, click an
    input's number (or use the Inputs panel) to change it and watch every number update. `forward=True`
    puts the forward pass first; `names` ({Value: name}) names unlabelled nodes; `cluster` boxes name
    scopes (default: when there are any; click a box to collapse it). Layout (see `layout_svg`): a graph of
    more than `viz.layout.OWN_ABOVE` (1,500) value nodes drawn left to right without `renderer=` is
    laid out by viz.layout in linear time, up to `viz.layout.LIVE_LIMIT` (50,000) nodes; any other graph by
    Graphviz, up to `viz.graph.DRAW_LIMIT` (2,000) nodes. Past its limit a graph is refused (a ValueError
    saying what to do) unless `force=True`. `window.chainrule` in the page has `steps`, `go(i)`,
    `set(name, value)`, `values()` and `reset()`.

    The learner modes (buttons in the page's bar; `mode` picks the one it opens in, `leaf` the input):
    "quiz" asks each number of the backward pass before it is shown (`chainrule.quiz(on)`,
    `answer(value)`, `reveal()`, `quizState()`); "tangents" steps forward mode from one input
    (`forward(leaf)`); "paths" lists every path from one input with its product (`paths(leaf)`,
    `highlightPath(i)`). Returns the Path written.
    """
    path = Path(path)
    text = page(root, forward, title, renderer, rankdir, names, cluster, force, mode, leaf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
