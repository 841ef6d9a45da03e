"""Issue 14: the units of one layer are drawn in order (neuron0 above neuron1 above neuron2 in LR drawings), with both
renderers, read from the coordinates in the SVG they draw."""
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, name_scope
from autograd.nn import MLP
from viz.graph import draw_dot, svg

RENDERERS = ("dot", "graphviz-pure")
SVG = "{http://www.w3.org/2000/svg}"


def _boxes(text, kind):
    """{title: (left, top)} of every <g class=kind> ("node" or "cluster") of an SVG, from its first shape."""
    boxes = {}
    for group in ET.fromstring(text).iter(SVG + "g"):
        if group.get("class") != kind:
            continue
        shape = next(e for e in group.iter() if e.tag in (SVG + "path", SVG + "polygon"))
        points = re.findall(r"(-?[\d.]+),(-?[\d.]+)", shape.get("d") or shape.get("points"))
        boxes[group.find(SVG + "title").text] = (min(float(x) for x, _ in points), min(float(y) for _, y in points))
    return boxes


def _layers(boxes, prefix, axis):
    """{layer: [unit numbers in drawing order]} along axis 1 (top to bottom) or 0 (left to right)."""
    layers = {}
    for title in sorted(boxes, key=lambda t: boxes[t][axis]):
        match = re.fullmatch(prefix + r"(layer\d+)/neuron(\d+)", title)
        if match:
            layers.setdefault(match[1], []).append(int(match[2]))
    return layers


def _net(hidden, seed=0):
    """An MLP's output on labelled inputs, after backward: the graph `chainrule train --graph` draws."""
    out = MLP(2, hidden, seed=seed)([Value(0.0, "x1"), Value(1.0, "x2")])
    out.backward()
    return out


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("hidden", [[3, 1], [5, 1], [4, 3, 1]])
def test_neuron_clusters_are_drawn_top_to_bottom_in_order(renderer, hidden):
    out = _net(hidden)
    for options in ({}, {"sigmoid": "compact", "color_by_grad": True}):
        layers = _layers(_boxes(svg(out, renderer, cluster=True, **options), "cluster"), "cluster_", axis=1)
        assert layers["layer1"] == list(range(hidden[0]))  # before issue 14: [2, 0, 1] and [4, 3, 2, 0, 1]
        assert all(units == sorted(units) for units in layers.values()), layers


@pytest.mark.parametrize("renderer", RENDERERS)
def test_neuron_clusters_are_drawn_left_to_right_in_top_to_bottom_drawings(renderer):
    layers = _layers(_boxes(svg(_net([3, 1]), renderer, cluster=True, rankdir="TB"), "cluster"), "cluster_", axis=0)
    assert layers == {"layer1": [0, 1, 2], "layer2": [0]}


@pytest.mark.parametrize("renderer", RENDERERS)
def test_collapsed_units_stay_in_order_and_inside_their_layer_box(renderer):
    out = _net([10, 1])
    flat = _layers(_boxes(svg(out, renderer, collapse=1), "node"), "scope_", axis=1)
    assert flat == {"layer1": list(range(10)), "layer2": [0]}
    drawn = svg(out, renderer, cluster=True, collapse=1)
    assert {"cluster_layer1", "cluster_layer2"} <= set(_boxes(drawn, "cluster"))  # the boxes are kept
    assert _layers(_boxes(drawn, "node"), "scope_", axis=1)["layer1"] == list(range(10))


def test_only_units_side_by_side_are_chained():
    out = _net([3, 1])
    source = draw_dot(out, cluster=True).source
    assert source.count("rank=same") == 1  # layer1's three neurons; layer1 and layer2 feed each other
    assert '{rank=same; "order_layer1/neuron2" -> "order_layer1/neuron1" -> "order_layer1/neuron0"' in source
    layer1 = source.index("subgraph cluster_layer1 {")
    assert layer1 < source.index("rank=same") < source.index('"cluster_layer1/neuron0"')  # inside layer1's box
    assert "rank=same" not in draw_dot(out, collapse=0).source  # scope_layer1 → scope_layer2: one after another
    assert "rank=same" not in draw_dot(out).source


@pytest.mark.parametrize("renderer", RENDERERS)
def test_top_level_unit_clusters_are_in_order(renderer):
    x = Value(1.0, "x")
    outputs = []
    for k in range(4):
        with name_scope(f"unit{k}"):
            outputs.append((x * Value(k + 1.0, f"w{k}")).tanh())
    root = sum(outputs[1:], outputs[0])
    root.backward()
    boxes = _boxes(svg(root, renderer, cluster=True), "cluster")
    assert sorted(boxes, key=lambda t: boxes[t][1]) == [f"cluster_unit{k}" for k in range(4)]
