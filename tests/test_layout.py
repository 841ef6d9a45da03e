"""viz.layout, the live page's own linear-time layout: the SVG has the structure page.js reads in Graphviz's,
and a page laid out with it steps, edits and computes the engine's numbers in Chromium with nothing moving."""
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, name_scope, topological_order
from autograd.nn import MLP, bce
from viz import layout
from viz.graph import DRAW_LIMIT
from viz.html import export_html, layout_svg
from viz.names import node_names
from viz.notation import factor, fmt
from viz.steps import backward_steps

from conftest import close, needs_renderer, open_page

SVG = "{http://www.w3.org/2000/svg}"


def xor_net(hidden, x1=0.0):
    """BCE loss of the lecture's sigmoid net 2-hidden-1 on the XOR example (x1, 1) with target 1."""
    net = MLP(2, [*hidden, 1], activation="sigmoid", seed=0)
    h = net([Value(x1, "x1"), Value(1.0, "x2")])
    h.label = "h"
    loss = bce([h], [1.0])
    loss.label = "loss"
    return loss


def groups(svg):
    """{(class, title): [texts]} of every node, edge and cluster group of an SVG, and the list of their ids."""
    root = ET.fromstring(svg)
    found, ids = {}, []
    for g in root.iter(SVG + "g"):
        if g.get("class") in ("node", "edge", "cluster"):
            title = g.find(SVG + "title").text
            found.setdefault((g.get("class"), title), []).append(["".join(t.itertext()) for t in g.iter(SVG + "text")])
            ids.append(g.get("id"))
    return found, ids


def scoped_graph():
    """A small graph with nested scopes, a constant, a reused node (x·x: two edges into one op) and unary ops."""
    x = Value(1.5, "x")
    with name_scope("layer1"):
        with name_scope("neuron0"):
            h = (x * Value(2.0, "w") + 0.5).tanh()
        with name_scope("neuron1"):
            k = (x * x).exp()
    out = h * k
    out.label = "out"
    return out


@needs_renderer
def test_the_svg_has_every_group_graphviz_has_with_the_same_texts():
    root = scoped_graph()
    ours, ids = groups(layout.live_svg(root, cluster=True))
    theirs, _ = groups(layout_svg(root, cluster=True))  # small: Graphviz
    assert sorted(ours) == sorted(theirs)  # every node, op, edge (x·x twice) and scope, with the same titles
    assert len(ours[("edge", "n0->n6_op")]) == 2 and len(ids) == len(set(ids))
    for key, texts in theirs.items():
        assert sorted(ours[key]) == sorted(texts), key  # the name, "data …", "grad …" slots and edge labels
    assert ours[("node", "n0")] == [["x", "data −0.0001235", "grad −0.0001235"]]
    assert ours[("edge", "n1->n2_op")] == [["−0.0001235"]]  # an input edge carries its local gradient
    assert ours[("edge", "n2_op->n2")] == [[]]  # an op's edge into its value carries none


def test_every_node_of_a_big_net_is_there_and_every_edge_goes_left_to_right():
    loss = xor_net([10, 10, 10])
    order = topological_order(loss)
    svg = layout.live_svg(loss, cluster=True)
    found, ids = groups(svg)
    ops = [i for i, v in enumerate(order) if v.parents]
    assert {title for kind, title in found if kind == "node"} == (
        {f"n{i}" for i in range(len(order))} | {f"n{i}_op" for i in ops})
    edges = sum(len(texts) for (kind, _), texts in found.items() if kind == "edge")
    assert edges == sum(len(v.parents) + 1 for v in order if v.parents) and len(ids) == len(set(ids))
    scopes = {v.scope.rsplit("/", k)[0] for v in order if v.scope for k in range(v.scope.count("/") + 1)}
    assert {title for kind, title in found if kind == "cluster"} == {f"cluster_{s}" for s in scopes}
    starts_and_tips = re.findall(r'<path fill="none" stroke="#475569" d="M([\d.]+),[\d.]+C.*?H([\d.]+)"', svg)
    assert len(starts_and_tips) == edges
    assert all(float(start) < float(tip) for start, tip in starts_and_tips)  # tail column left of head column


def test_a_big_graph_gets_this_layout_without_force_and_a_huge_one_a_clear_error(monkeypatch):
    x = Value(0.5, "x")
    y = x
    for _ in range(DRAW_LIMIT):  # past Graphviz's limit: refused there without force=True
        y = y * 1.0001
    order = topological_order(y)
    count = len(order)
    assert count > layout.OWN_ABOVE and count > DRAW_LIMIT
    svg = layout_svg(y)
    assert svg.count('class="node"') == count + sum(1 for v in order if v.parents)
    assert 'class="graph" font-family="Helvetica' in svg  # this layout's, not Graphviz's
    monkeypatch.setattr(layout, "LIVE_LIMIT", count - 1)
    with pytest.raises(ValueError, match=rf"{count:,} nodes, more than a live page holds .*collapse=1.*graph\.dot"):
        layout_svg(y)
    assert layout_svg(y, force=True) == svg


def test_small_graphs_other_directions_and_named_renderers_keep_graphviz():
    assert not layout.own_layout_for(layout.OWN_ABOVE)
    assert layout.own_layout_for(layout.OWN_ABOVE + 1)
    assert not layout.own_layout_for(layout.OWN_ABOVE + 1, rankdir="TB")
    assert not layout.own_layout_for(layout.OWN_ABOVE + 1, renderer="dot")


def test_text_width_grows_with_the_text_and_its_size():
    assert layout.text_width("data 0.5", 24) == pytest.approx(2 * layout.text_width("data 0.5", 12))
    assert layout.text_width("W", 10, bold=True) > layout.text_width("W", 10) > layout.text_width("i", 10) > 0
    assert layout.text_width("−", 12) > layout.text_width("-", 12)  # the real minus is wider than a hyphen
    assert layout.text_width("漢", 12) == 12  # a character it has no width for: one em, the most it can be


# ------------------------------------------------------------------------------------------------------------
# in Chromium

GEOMETRY = """() => {
    const box = el => { const b = el.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
    const title = g => g.querySelector(':scope > title').textContent;
    const shape = g => box(g.querySelector(':scope > path, :scope > ellipse'));
    return {
        nodes: [...document.querySelectorAll('g.node')].map(g => [title(g), shape(g)]),
        clusters: [...document.querySelectorAll('g.cluster')].map(g => [title(g), shape(g)]),
        texts: [...document.querySelectorAll('g.node text')].map(t => [t.textContent, box(t), shape(t.parentNode)]),
    };
}"""


def overlapping(boxes):
    """Pairs of [x0, y0, x1, y1] boxes that overlap (sorted sweep along x)."""
    boxes = sorted(boxes, key=lambda item: item[1][0])
    pairs = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1:]:
            if bx0 >= ax1:
                break
            if by0 < ay1 and ay0 < by1:
                pairs.append((a, b))
    return pairs


def inside(inner, outer, slack=0.5):
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


@pytest.fixture
def own_layout(monkeypatch):
    """Every page laid out by viz.layout, whatever its size."""
    monkeypatch.setattr(layout, "OWN_ABOVE", 0)


def test_nodes_never_overlap_and_hold_their_text_and_scopes_hold_their_nodes(browser, tmp_path, own_layout):
    loss = xor_net([4, 4])
    order = topological_order(loss)
    page = open_page(browser, export_html(loss, tmp_path / "net.html"))
    shapes = page.evaluate(GEOMETRY)
    assert len(shapes["nodes"]) == len(order) + sum(1 for v in order if v.parents)
    assert overlapping(shapes["nodes"]) == []
    for text, box, shape in shapes["texts"]:
        assert inside(box, shape), text  # the widest number, every name: within its node
    clusters = dict(shapes["clusters"])
    nodes = dict(shapes["nodes"])
    for i, v in enumerate(order):
        if v.scope:
            assert inside(nodes[f"n{i}"], clusters[f"cluster_{v.scope}"]), (i, v.scope)
    siblings = [(s, b) for s, b in shapes["clusters"] if s.count("/") == 1]  # the neurons of every layer
    assert len(siblings) == 4 + 4 + 1 and overlapping(siblings) == []
    assert page.errors == []


def test_a_page_laid_out_here_steps_edits_and_computes_the_engines_numbers(browser, tmp_path, own_layout):
    loss = xor_net([3, 3])
    path = export_html(loss, tmp_path / "net.html")
    assert 'class="graph" font-family="Helvetica' in path.read_text()  # this layout's, not Graphviz's
    page = open_page(browser, path)
    steps = backward_steps(loss)
    first = {k: v for k, v in page.evaluate(GEOMETRY).items() if k != "texts"}  # node and scope boxes
    assert page.evaluate("chainrule.steps") == len(steps)
    position = {v: i for i, v in enumerate(topological_order(loss))}
    for i in (1, 2, len(steps) // 2, len(steps)):
        page.evaluate(f"chainrule.go({i})")
        assert page.inner_text(".cr-sentence") == steps[i - 1].sentence
        assert page.locator("g.node.current > title").text_content() == f"n{position[steps[i - 1].node]}"
    page.keyboard.press("End")
    assert page.evaluate("chainrule.step") == len(steps)
    assert {k: v for k, v in page.evaluate(GEOMETRY).items() if k != "texts"} == first  # nothing moved
    page.evaluate("chainrule.set('x1', 1)")
    assert {k: v for k, v in page.evaluate(GEOMETRY).items() if k != "texts"} == first  # nor after an edit
    moved = xor_net([3, 3], x1=1.0)
    moved.backward()
    order = topological_order(moved)
    got = page.evaluate("chainrule.values()")
    names = node_names(moved, None, order)
    assert len(got) == len(order)
    for v in order:
        assert close(got[names[v]]["data"], v.data) and close(got[names[v]]["grad"], v.grad, abs_tol=1e-300), names[v]
    steps = backward_steps(xor_net([3, 3], x1=1.0))
    i = next(i for i, step in enumerate(steps) if len(step.contributions) == 2)  # a binary op's step
    page.evaluate(f"chainrule.go({i + 1})")
    products = sorted(f"{factor(c.local)} × {factor(steps[i].g)} = {fmt(c.product)}" for c in steps[i].contributions)
    assert sorted(page.locator("g.edge.active text").all_text_contents()) == products  # on this step's two edges
    assert page.errors == []


def test_a_net_past_the_threshold_builds_and_steps_in_the_browser(browser, tmp_path):
    loss = xor_net([14, 14, 14])
    count = len(topological_order(loss))
    assert count > layout.OWN_ABOVE
    path = export_html(loss, tmp_path / "big.html")  # no force=True needed
    page = open_page(browser, path)
    assert page.evaluate("chainrule.steps") == len(backward_steps(loss))
    page.evaluate("chainrule.go(chainrule.steps)")
    assert page.inner_text(".cr-counter") == f"Step {len(backward_steps(loss))} / {len(backward_steps(loss))}"
    assert page.evaluate("chainrule.values()")["loss"]["data"] == pytest.approx(loss.data, rel=1e-12)
    assert page.errors == []
