"""draw_dot / render: values, grads and local gradients in the DOT source, escaping, network options, hooks."""
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

from autograd import Value, name_scope, topological_order
from viz import backends, draw_dot, render
from viz.examples import find, sigmoid_chain, wxb
from viz.graph import Graph, fmt, node_ids, svg

from conftest import sigmoid

PRESENT = list(backends.available())
NASTY = 'a<b> | {c} "q" & d\nline2 <script>alert(1)</script> \\N'


def backpropagated(root):
    root.backward()
    return root


def edge(source, tail, head):
    """The label of the edge tail -> head in DOT source (None when the edge has no label)."""
    match = re.search(rf"^\t{re.escape(tail)} -> {re.escape(head)}(?: \[label=<(.*?)>\])?$", source, re.M)
    assert match, f"no edge {tail} -> {head}"
    return match.group(1)


def svg_texts(text):
    """The text lines an SVG shows, XML entities (Graphviz writes - as &#45;) decoded."""
    return [t.text for t in ET.fromstring(text.encode()).iter("{http://www.w3.org/2000/svg}text")]


def node_line(source, node_id):
    match = re.search(rf"^\t{re.escape(node_id)} \[(.*)\]$", source, re.M)
    assert match, f"no node {node_id}"
    return match.group(1)


def small_net():
    """A 2-2-1 sigmoid net made by hand in name scopes layer1/neuron0, ..., as autograd.nn tags them."""
    xs = [Value(1.0, "x1"), Value(-2.0, "x2")]
    weights = [[[0.5, -0.3], [0.8, 0.2]], [[1.5, -1.0]]]
    for l, layer in enumerate(weights):
        outs = []
        with name_scope(f"layer{l + 1}"):
            for j, ws in enumerate(layer):
                with name_scope(f"neuron{j}"):
                    total = Value(0.1, f"b{l + 1}{j}")
                    for i, (w, x) in enumerate(zip(ws, xs)):
                        total = total + Value(w, f"w{l + 1}{j}{i}") * x
                    outs.append(total.sigmoid())
        xs = outs
    return backpropagated(xs[0])


def test_fmt_is_compact():
    assert [fmt(x) for x in (-2.0, 0.25, 1.2345e-5, -0.0, 5.0, 123456.0, math.inf)] == \
        ["−2", "0.25", "1.234e−05", "0", "5", "1.235e+05", "inf"]


def test_wxb_dot_source_shows_values_grads_and_local_gradients():
    f = backpropagated(wxb())
    source = draw_dot(f).source
    ids = node_ids(f)
    w, x, b, g = (ids[find(f, name)] for name in "wxbg")
    assert (w, x, g, b, ids[f]) == ("n0", "n1", "n2", "n3", "n4")  # position in topological_order
    for node_id, name, data, grad in [(w, "w", "−2", 5), (x, "x", 5, "−2"), (b, "b", 3, 1), (g, "g", "−10", 1),
                                      ("n4", "f", "−7", 1)]:
        line = node_line(source, node_id)
        assert f"<b>{name}</b>" in line and f"data {data}<" in line and f"grad {grad}<" in line
    assert edge(source, w, f"{g}_op") == "5"
    assert edge(source, x, f"{g}_op") == "−2"
    assert edge(source, g, "n4_op") == "1"
    assert edge(source, b, "n4_op") == "1"
    assert edge(source, "n4_op", "n4") is None
    assert "label=<×>" in node_line(source, "n2_op") and "label=<+>" in node_line(source, "n4_op")


def test_leaves_output_intermediates_and_constants_look_different():
    y = backpropagated((Value(3.0, "a") * 2 + 1).tanh())
    source = draw_dot(y).source
    order = topological_order(y)
    fills = {}
    for i, node in enumerate(order):
        kind = "output" if node is y else "inner" if node.parents else "leaf" if node.label else "const"
        fills.setdefault(kind, set()).add(re.search(r'fillcolor="(#\w+)"', node_line(source, f"n{i}")).group(1))
    assert all(len(colors) == 1 for colors in fills.values())
    assert len(set.union(*fills.values())) == 4
    const_line = node_line(source, "n1")  # the constant 2, right after a
    assert order[1].data == 2.0 and not order[1].label and "fontsize=10" in const_line and "label=<2>" in const_line


def test_op_text_for_powers_and_elu():
    x = Value(2.0, "x")
    source = draw_dot((x ** 2 + x ** 0.5 + x ** -1).elu(0.5)).source
    for text in ("x²", "**0.5", "x⁻¹", "ELU α=0.5"):
        assert f"label=<{text}>" in source


@pytest.mark.parametrize("k, text", [(math.inf, "**inf"), (-math.inf, "**−inf"), (math.nan, "**nan"), (1e300, "**1e+300")])
def test_op_text_for_exponents_that_are_no_small_integer(k, text):
    y = Value(2.0, "x") ** k  # int(k) would raise for inf and nan
    y.label = "y"
    source = draw_dot(y).source
    assert re.search(rf"^\tn1_op \[label=<{re.escape(text)}>", source, re.M)
    if PRESENT:
        assert text in svg_texts(svg(y))


def test_named_constants_stay_constants():
    # `names` changes what a node says, never what kind of node it is: a plain number stays small and grey
    a = Value(3.0, "a")
    y = backpropagated(a * 2 + 1)
    order = topological_order(y)
    two, product = order[1], order[2]
    assert (two.data, two.label, two.parents) == (2.0, "", ())
    plain = draw_dot(y).source
    named = draw_dot(y, names={two: "two", product: "3a"}).source
    const_style = re.search(r'fillcolor="(#\w+)"', node_line(plain, "n1")).group(1)
    line = node_line(named, "n1")
    assert re.search(r'fillcolor="(#\w+)"', line).group(1) == const_style
    assert "fontsize=10" in line and "label=<two = 2>" in line  # small, its number, no grad cell
    assert "label=<2>" in node_line(plain, "n1")
    assert "<b>3a</b>" in node_line(named, "n2")  # an inner node takes the name as its title
    leaf_style = re.search(r'fillcolor="(#\w+)"', node_line(named, "n0")).group(1)
    assert leaf_style != const_style


def hide_graphviz_dot(monkeypatch, tmp_path):
    """A PATH without Graphviz's dot (graphviz-pure is still found beside the interpreter)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(backends.ENV_VAR, raising=False)
    assert list(backends.available()) == ["graphviz-pure"]


@pytest.mark.skipif("graphviz-pure" not in PRESENT, reason="graphviz-pure is not installed")
def test_graph_render_works_without_graphviz_dot(monkeypatch, tmp_path):
    hide_graphviz_dot(monkeypatch, tmp_path)
    with pytest.raises(graphviz.ExecutableNotFound):  # what a plain Digraph does here, and ours must not
        graphviz.Digraph(body=["a -> b"]).render(directory=tmp_path / "plain", format="svg")
    f = backpropagated(wxb())
    graph = draw_dot(f)
    assert isinstance(graph, Graph)

    out = graph.render(directory=tmp_path / "a")  # micrograd's dot.render(...): the graph's format, svg
    assert out == str(tmp_path / "a" / "chainrule.gv.svg")
    assert (tmp_path / "a" / "chainrule.gv").read_text() == graph.source
    assert {"data −7", "grad 5"} <= set(svg_texts(Path(out).read_text()))

    out = draw_dot(f).render("wxb", directory=tmp_path / "b", format="png", cleanup=True)
    assert out == str(tmp_path / "b" / "wxb.png")
    assert Path(out).read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["wxb.png"]  # cleanup removed the source

    out = draw_dot(f).render(outfile=tmp_path / "c" / "pic.dot")  # the format from the suffix
    assert out == str(tmp_path / "c" / "pic.dot")
    assert Path(out).read_text() == (tmp_path / "c" / "pic.gv").read_text() == draw_dot(f).source


@pytest.mark.skipif("graphviz-pure" not in PRESENT, reason="graphviz-pure is not installed")
def test_graph_view_opens_what_our_backend_drew(monkeypatch, tmp_path):
    hide_graphviz_dot(monkeypatch, tmp_path)
    opened = []
    monkeypatch.setattr(Graph, "_view", lambda self, path, format, quiet: opened.append((path, format)))
    path = draw_dot(backpropagated(wxb())).view(directory=tmp_path)
    assert opened == [(path, "svg")] and path == str(tmp_path / "chainrule.gv.svg")
    assert "data −7" in svg_texts(Path(path).read_text())


def test_graph_render_bad_requests_write_nothing(monkeypatch, tmp_path):
    graph = draw_dot(backpropagated(wxb()))
    with pytest.raises(ValueError, match="unknown format 'gif'"):
        graph.render(directory=tmp_path, format="gif")
    with pytest.raises(ValueError, match="cannot tell the format"):
        graph.render(outfile=tmp_path / "noext")
    with pytest.raises(ValueError, match="engine='neato'"):
        graph.render(directory=tmp_path, engine="neato")
    with pytest.raises(ValueError, match="CHAINRULE_RENDERER"):
        graph.render(directory=tmp_path, renderer="cairo")
    monkeypatch.setattr(backends, "_which", lambda program: "/fake/graphviz-pure" if program == "graphviz-pure" else None)
    with pytest.raises(backends.RenderError, match="pdf output needs Graphviz's dot"):
        graph.render(directory=tmp_path, format="pdf")
    assert list(tmp_path.iterdir()) == []


def test_labels_are_escaped_in_the_dot_source():
    a = Value(2.0, NASTY)
    y = backpropagated(a * Value(3.0, "b"))
    source = draw_dot(y).source
    assert "<script>" not in source and "&lt;script&gt;" in source
    assert "a&lt;b&gt; | {c} &quot;q&quot; &amp; d<br/>line2" in source
    assert "\\\\N" in source  # Graphviz would replace a lone \N by the node's name


@pytest.mark.parametrize("renderer", PRESENT)
def test_labels_render_literally_with_each_backend(renderer):
    y = backpropagated(Value(2.0, NASTY) * Value(3.0, "b"))
    y.label = "<y> & {z}"
    text = svg(draw_dot(y, edge_label=lambda parent, child, i: f"<i>{i}</i>"), renderer=renderer)
    shown = svg_texts(text)  # parses: well-formed XML, nothing leaked through unescaped
    for piece in ('a<b> | {c} "q" & d', "line2 <script>alert(1)</script> \\N", "<y> & {z}", "<i>0</i>"):
        assert piece in shown
    assert "<script>" not in text


def test_hooks_node_style_edge_label_and_names():
    f = backpropagated(wxb())
    g = find(f, "g")
    g.label = ""
    x = find(f, "x")
    source = draw_dot(
        f,
        node_style=lambda v: {"fillcolor": "gold", "style": "filled,bold"} if v is x else {"fontcolor": "gray"},
        edge_label=lambda parent, child, i: f"{fmt(child.local_grads[i])} × {fmt(child.grad)}" if i == 0 else None,
        names={g: "w·x"}).source
    assert 'fillcolor=gold' in node_line(source, "n1") and 'style="filled,bold"' in node_line(source, "n1")
    assert "fontcolor=gray" in node_line(source, "n0") and 'fillcolor="#dbeafe"' in node_line(source, "n0")
    assert "<b>w·x</b>" in node_line(source, "n2")
    assert edge(source, "n0", "n2_op") == "5 × 1"  # i == 0: the hook's label
    assert edge(source, "n1", "n2_op") == "−2"  # None keeps the local gradient


def test_grads_override_shows_partial_gradients():
    f = backpropagated(wxb())
    w, b = find(f, "w"), find(f, "b")
    source = draw_dot(f, grads={w: 0.0}).source  # e.g. the step-through before w's step
    assert "grad 0<" in node_line(source, node_ids(f)[w])
    assert "grad 1<" in node_line(source, node_ids(f)[b])  # not in the dict: its own grad


def test_rankdir_and_bad_options():
    f = wxb()
    assert "rankdir=TB" in draw_dot(f, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(f, rankdir="XY")
    with pytest.raises(ValueError, match="sigmoid"):
        draw_dot(f, sigmoid="small")
    with pytest.raises(TypeError, match="collapse"):
        draw_dot(f, collapse=[3])
    with pytest.raises(TypeError, match="needs a Value"):
        draw_dot(3.0)


def test_sigmoid_compact_is_one_node_carrying_the_product():
    out = backpropagated(sigmoid_chain(0.5))
    s = sigmoid(0.5)
    source = draw_dot(out, sigmoid="compact").source
    ids = node_ids(out)
    z, root = ids[find(out, "z")], ids[out]
    assert "label=<σ>" in node_line(source, f"{root}_op")
    assert edge(source, z, f"{root}_op") == fmt(s * (1 - s))
    assert len(re.findall(r"^\tn\d+ \[", source, re.M)) == 2  # z and σ; the −1, 1 and the three inner nodes go
    assert re.findall(r"^\tn\d+_op \[label=<([^>]*)>", source, re.M) == ["σ"]
    full = draw_dot(out).source
    assert len(re.findall(r"^\tn\d+ \[", full, re.M)) == 7


def test_sigmoid_compact_keeps_a_chain_whose_inside_is_used_elsewhere():
    z = Value(1.0, "z")
    out = z.sigmoid()
    exp = out.parents[0].parents[0]
    y = backpropagated(out + exp)  # e^−z feeds two nodes: folding it away would hide an edge
    assert "label=<σ>" not in draw_dot(y, sigmoid="compact").source


def test_color_by_grad_is_a_log_scale():
    a, b, c = Value(1.0, "a"), Value(1e-3, "b"), Value(1e-9, "c")
    y = backpropagated(a * b * c + a)
    source = draw_dot(y, color_by_grad=True).source
    ids = node_ids(y)
    fill = {name: re.search(r'fillcolor="(#\w+)"', node_line(source, ids[find(y, name)])).group(1)
            for name in "abc"}
    assert fill["a"] == "#f87171"  # |grad| = 1 + 1e-12 ≥ 1: full red
    assert fill["b"] == "#ffffff"  # |grad| = 1e-9 ≤ 1e-6: white, a vanished gradient
    red_b = int(fill["c"][3:5], 16)  # |grad| = 1e-3: half way on the log scale
    assert red_b == round(255 + 0.5 * (113 - 255))
    assert "log scale" in source


def test_cluster_nests_scopes():
    y = small_net()
    source = draw_dot(y, cluster=True).source
    assert 'subgraph "cluster_layer1/neuron0" {' in source and "subgraph cluster_layer2 {" in source
    assert "label=<neuron0>" in source and "label=<layer1>" in source
    start = source.index("\tsubgraph cluster_layer1 {\n")
    end = source.index("\n\t}\n", start)  # the brace closing layer1
    for neuron in ("neuron0", "neuron1"):  # layer1's neurons sit inside layer1's braces
        assert start < source.index(f'\t\tsubgraph "cluster_layer1/{neuron}" {{') < end
    w = find(y, "w100")  # layer 1, neuron 0, input 0
    assert w.scope == "layer1/neuron0"
    neuron0 = source.index('subgraph "cluster_layer1/neuron0" {')
    assert neuron0 < source.index(f"\t\t\t{node_ids(y)[w]} [") < source.index("\n\t\t}\n", neuron0)


def test_collapse_draws_each_scope_as_one_node():
    y = small_net()
    source = draw_dot(y, cluster=True, collapse=1).source
    ids = node_ids(y)
    for scope in ("layer1/neuron0", "layer1/neuron1", "layer2/neuron0"):
        assert f'"scope_{scope}" [' in source
        assert not any(node.scope == scope and re.search(rf"^\s*{ids[node]} \[", source, re.M)
                       for node in topological_order(y))
    x1 = ids[find(y, "x1")]
    assert f'{x1} -> "scope_layer1/neuron0"' in source
    assert '"scope_layer1/neuron1" -> "scope_layer2/neuron0"' in source
    assert source.count('"scope_layer1/neuron1" -> "scope_layer2/neuron0"') == 1  # once, not once per edge
    assert f"data {fmt(y.data)}, grad 1" in source  # the collapsed output shows its value
    by_pattern = draw_dot(y, collapse="layer1/neuron*").source
    assert '"scope_layer1/neuron0" [' in by_pattern and "scope_layer2" not in by_pattern
    assert "\tscope_layer1 -> scope_layer2\n" in draw_dot(y, collapse=0).source


def test_render_writes_each_format_and_makes_the_folder(tmp_path):
    f = backpropagated(wxb())
    dot_file = render(f, tmp_path / "a" / "b" / "wxb.dot")
    assert dot_file.read_text() == draw_dot(f).source
    if PRESENT:
        shown = svg_texts(render(f, tmp_path / "out" / "wxb.svg").read_text())
        assert {"data −7", "grad 5", "data −2", "−2"} <= set(shown)
        assert render(draw_dot(f), tmp_path / "out" / "wxb.png").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        render(f, tmp_path / "wxb.gif")


@pytest.mark.skipif("dot" not in PRESENT, reason="Graphviz's dot is not installed")
def test_render_pdf_with_graphviz_dot(tmp_path):
    assert render(wxb(), tmp_path / "wxb.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.skipif("graphviz-pure" not in PRESENT, reason="graphviz-pure is not installed")
def test_jupyter_display_works_with_graphviz_pure_alone(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, "graphviz-pure")
    bundle = draw_dot(backpropagated(wxb()))._repr_mimebundle_()
    assert "data −7" in svg_texts(bundle["image/svg+xml"])


@pytest.mark.skipif("graphviz-pure" not in PRESENT, reason="graphviz-pure is not installed")
def test_docs_pictures_match_the_code(tmp_path):
    """docs/wxb.svg and docs/step_wxb.svg are drawn with graphviz-pure (the same bytes on every machine):
    when this fails, rerun scripts/make_docs_images.py and scripts/make_step_images.py."""
    from viz.html import frame_svg
    from viz.steps import backward_steps

    docs = Path(__file__).resolve().parents[1] / "docs"
    drawn = render(backpropagated(wxb()), tmp_path / "wxb.svg", renderer="graphviz-pure")
    assert drawn.read_bytes() == (docs / "wxb.svg").read_bytes()
    f = wxb()
    frame = frame_svg(f, backward_steps(f)[-1], renderer="graphviz-pure", caption=True)
    assert (docs / "step_wxb.svg").read_text(encoding="utf-8").endswith(frame)
