"""The chain-rule step-through as one self-contained HTML page: `export_html(root, "steps.html")`.

Every frame's SVG is inline and the script is a few lines in the page: no network, no server, no
external scripts or fonts (a Content-Security-Policy in the page forbids them). Previous/Next buttons
and the arrow keys move through the steps. `frame_svg` draws one step; the Jupyter widget uses it too.
"""
import html
import re
from pathlib import Path

from . import backends
from .graph import draw_dot
from .notation import factor, fmt
from .steps import backward_steps, node_names

__all__ = ["export_html", "page", "frame_svg"]

# how a frame marks its nodes (graphviz attributes; `class` lands on the SVG <g>, so tests and CSS find it)
CURRENT = {"class": "current", "fillcolor": "#fde047", "color": "#a16207", "penwidth": "3"}
RECEIVING = {"class": "receiving", "color": "#b91c1c", "penwidth": "2.5"}
PENDING = {"class": "pending", "style": "rounded,filled,dashed", "fillcolor": "#ffffff", "color": "#cbd5e1",
           "fontcolor": "#94a3b8"}
PENDING_OP = {"class": "pending-op", "fillcolor": "#ffffff", "color": "#cbd5e1", "fontcolor": "#94a3b8"}


def _styles(step):
    """node_style, op_style and edge_label hooks for draw_dot that draw this step."""
    receiving = {c.parent for c in step.contributions}
    waiting = (lambda v: v not in step.computed) if step.kind == "forward" else (lambda v: v not in step.final)

    def node_style(v):
        if v is step.node:
            return CURRENT
        if v in receiving:
            return RECEIVING
        return PENDING if waiting(v) else None

    def op_style(v):
        if v is step.node:
            return {"class": "current-op", "penwidth": "2.5"}
        return PENDING_OP if waiting(v) else None

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
    names = names or node_names(root)
    grads = step.grads if step.kind == "backward" else dict.fromkeys(names, 0.0)  # no gradient before backward
    unnamed = {v: name for v, name in names.items() if not v.label}
    graph = draw_dot(root, rankdir, node_style=node_style, op_style=op_style, edge_label=edge_label,
                     names=unnamed, grads=grads)
    if caption:
        graph.attr(label=step.sentence, labelloc="b", fontsize="14")
    svg = backends.pipe(graph.source, "svg", renderer).decode("utf-8")
    return svg[svg.index("<svg"):]  # drop <?xml ...?>, the DOCTYPE (which names a URL) and comments before it


def _frame(i, step, svg):
    svg = re.sub(r'\bid="', f'id="f{i}-', svg)  # one page holds every frame: keep ids unique
    svg = re.sub(r'<!--.*?-->\n?', "", svg, flags=re.S)
    return (f'<section class="frame" data-step="{i + 1}" data-kind="{step.kind}" '
            f'data-node="{html.escape(step.name)}">\n<div class="graph">{svg}</div>\n'
            f'<p class="sentence">{html.escape(step.sentence)}</p>\n</section>')


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #0f172a; }
header { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
h1 { font-size: 1.2rem; margin: 0 1rem 0 0; }
button { font-size: 1rem; padding: .3rem .9rem; }
#counter { font-variant-numeric: tabular-nums; min-width: 7rem; font-weight: 600; }
.kind { color: #64748b; }
.graph { overflow-x: auto; }
.sentence { font-size: 1.15rem; font-family: ui-monospace, monospace; background: #f8fafc;
            border-left: 4px solid #ca8a04; padding: .5rem .8rem; white-space: pre-wrap; }
.help { color: #64748b; font-size: .9rem; }
"""

_JS = """
(function () {
  var frames = Array.prototype.slice.call(document.querySelectorAll(".frame"));
  var counter = document.getElementById("counter"), kind = document.getElementById("kind");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var i = 0;
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    frames.forEach(function (f, j) { f.hidden = j !== i; });
    counter.textContent = "Step " + (i + 1) + " / " + frames.length;
    kind.textContent = frames[i].getAttribute("data-kind") === "forward" ? "forward pass" : "backward pass";
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    var current = frames[i].querySelector("g.node.current");  // a wide graph scrolls to the step's node
    if (current && current.scrollIntoView) { current.scrollIntoView({block: "nearest", inline: "center"}); }
  }
  prev.addEventListener("click", function () { show(i - 1); });
  next.addEventListener("click", function () { show(i + 1); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === "ArrowDown" || e.key === "PageDown") { show(i + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp" || e.key === "PageUp") { show(i - 1); e.preventDefault(); }
    else if (e.key === "Home") { show(0); }
    else if (e.key === "End") { show(frames.length - 1); }
  });
  show(0);
})();
"""

# nothing may be loaded from anywhere: only the page's own inline style and script run
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def page(root, forward=False, title=None, renderer=None, rankdir="LR"):
    """The whole step-through page as one HTML string (see `export_html`)."""
    steps = backward_steps(root, forward=forward)
    names = node_names(root)
    title = title or f"chainrule: backpropagation through {names[root]}"
    frames = "\n".join(_frame(i, s, frame_svg(root, s, names, renderer, rankdir)) for i, s in enumerate(steps))
    first = "forward pass" if steps[0].kind == "forward" else "backward pass"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<button id="prev" type="button">◀ Previous</button>
<span id="counter">Step 1 / {len(steps)}</span>
<button id="next" type="button">Next ▶</button>
<span id="kind" class="kind">{first}</span>
</header>
<p class="help">Yellow: the node whose gradient is final and is passed on now; red outline: its inputs,
receiving local × upstream (the edge labels); dashed grey: not final yet. Keys: ← →.</p>
<main id="frames">
{frames}
</main>
<script>{_JS}</script>
</body>
</html>
"""


def export_html(root, path, forward=False, title=None, renderer=None, rankdir="LR"):
    """Write the chain-rule step-through of `root` to `path` as one self-contained HTML page.

    Every step is a frame with its graph (inline SVG) and its sentence; Previous/Next and the arrow
    keys move between them, with a "Step 3 / 7" counter. `forward=True` puts the forward pass first.
    Returns the Path written.
    """
    path = Path(path)
    text = page(root, forward, title, renderer, rankdir)
    if path.parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
