"""The step model: backward_steps replays backward() exactly, in its order, without touching grads."""
import math
import re
import xml.etree.ElementTree as ET

import pytest

from autograd import Value, topological_order
from viz import backends
from viz.html import frame_svg
from viz.names import term
from viz.steps import backward_steps, fmt, forward_steps, load_root, node_names

from conftest import reused_x, sigmoid, wxb_leaves as wxb

SVG = "{http://www.w3.org/2000/svg}"
needs_renderer = pytest.mark.skipif(not backends.available(), reason="no Graphviz renderer")


def engine_grads(build):
    """Every node's gradient after the engine's backward(), by topological position."""
    root = build()
    root = root[0] if isinstance(root, tuple) else root
    root.backward()
    return [v.grad for v in topological_order(root)]


def test_wxb_steps_end_with_the_lecture_gradients():
    f, w, x, b = wxb()
    steps = backward_steps(f)
    grads = steps[-1].grads
    assert (grads[w], grads[x], grads[b], grads[f]) == (5.0, -2.0, 1.0, 1.0)
    assert [s.node.op for s in steps] == ["add", "mul"]
    assert steps[-1].sentence == ("∂f/∂w += ∂f/∂(w·x) · ∂(w·x)/∂w = 1 · 5 = 5; "
                                  "∂f/∂x += ∂f/∂(w·x) · ∂(w·x)/∂x = 1 · (−2) = −2")
    x_part = steps[-1].contributions[1]
    assert (x_part.parent, x_part.local, x_part.product, x_part.before, x_part.after) == (x, -2.0, -2.0, 0.0, -2.0)


def test_building_steps_leaves_every_grad_alone():
    f, w, x, b = wxb()
    w.grad = 7.5  # whatever the user holds stays as it is
    backward_steps(f, forward=True)
    assert [v.grad for v in topological_order(f)] == [7.5, 0.0, 0.0, 0.0, 0.0]


def test_apply_writes_what_backward_writes():
    f, w, x, b = wxb()
    w.grad = 7.5  # leaves accumulate, as in backward()
    backward_steps(f, apply=True)
    applied = [v.grad for v in topological_order(f)]
    g, w2, *_ = wxb()
    w2.grad = 7.5
    g.backward()
    assert applied == [v.grad for v in topological_order(g)] == [12.5, -2.0, 1.0, 1.0, 1.0]


def test_reused_node_accumulates_across_steps():
    b, x, a = reused_x()
    first, second = backward_steps(b)
    assert first.node is b and second.node is a
    assert [(c.before, c.after) for c in first.contributions] == [(0.0, 6.0), (6.0, 12.0)]
    assert second.g == 12.0
    assert [(c.before, c.after) for c in second.contributions] == [(0.0, 12.0), (12.0, 24.0)]
    assert second.sentence.endswith("∂b/∂x += ∂b/∂a · ∂a/∂x = 12 · 1 = 12, total 12 + 12 = 24")
    assert a in first.final and x not in first.final and x in second.final
    b.backward()
    assert (x.grad, a.grad) == (24.0, 12.0)  # d(4x²)/dx = 8x


def test_composed_sigmoid_walks_the_lecture_chain():
    z = Value(1.0, "z")
    s = z.sigmoid()
    steps = backward_steps(s)
    assert [st.node.op for st in steps] == ["recip", "add", "exp", "mul"]
    # the local gradient along the chain 1/x -> +1 -> exp -> ×(−1), one factor per step
    chain = [st.contributions[0].local for st in steps]
    sigma = sigmoid(1.0)
    assert math.prod(chain) == pytest.approx(sigma * (1 - sigma), rel=1e-12)
    assert steps[-1].grads[z] == pytest.approx(0.19661193324148185, rel=1e-12)
    assert "= (−0.1966) · (−1) = 0.1966" in steps[-1].sentence


def test_zero_upstream_gradient_passes_nothing_on_like_the_engine():
    x, w = Value(2.0, "x"), Value(-1.0, "w")
    h = (x * w).relu()  # relu of −2: local 0, so the product node gets g = 0
    h.label = "h"
    out = h * 3.0 + x
    out.label = "out"
    steps = backward_steps(out)
    dead = next(s for s in steps if s.node.op == "mul" and s.node.parents[0] is x)
    assert dead.skipped and dead.contributions == ()
    assert dead.sentence == "∂out/∂(x·w) = 0: nothing to pass on (backward() skips this node)"
    out.backward()
    assert [steps[-1].grads[v] for v in topological_order(out)] == [v.grad for v in topological_order(out)]


@pytest.mark.parametrize("build", [
    lambda: wxb()[0],
    lambda: (Value(0.5, "a") * Value(-1.5, "b")).tanh() * Value(2.0, "c") + Value(1.0, "a").exp(),
    lambda: (Value(3.0, "x") ** 2 - Value(1.0, "y").log()) / Value(4.0, "z").maximum(Value(4.0, "t")),
    lambda: Value(1.5, "x").elu(0.5).sigmoid(fused=True) + Value(-0.5, "y").elu(),
])
def test_same_order_and_gradients_as_backward(build):
    root = build()
    steps = backward_steps(root)
    order = topological_order(root)
    assert [s.node for s in steps] == [v for v in reversed(order) if v.parents]
    assert [steps[-1].grads[v] for v in order] == engine_grads(build)


def test_names_are_labels_or_made_from_the_op_and_its_inputs():
    f, w, x, b = wxb()
    names = node_names(f)
    assert [names[v] for v in topological_order(f)] == ["w", "x", "w·x", "b", "f"]
    assert node_names(f, {f.parents[0]: "wx"})[f.parents[0]] == "wx"
    f.label = ""
    assert node_names(f)[f] == "(w·x)+b"  # a compound input is a term in parentheses
    z = Value(0.5, "z")
    s = z.sigmoid()
    assert list(node_names(s).values()) == ["z", "−1", "z·(−1)", "exp(z·(−1))", "1", "exp(z·(−1))+1",
                                            "1/(exp(z·(−1))+1)"]
    assert [term(n) for n in ("W1[0,1]", "exp(a+b)", "(a)+(b)", "a+b", "f(x)·g(y)")] == [
        "W1[0,1]", "exp(a+b)", "((a)+(b))", "(a+b)", "(f(x)·g(y))"]


def test_names_are_unique_and_long_inputs_give_the_scope():
    from autograd import name_scope

    x = Value(1.0, "x")
    with name_scope("layer1"):
        with name_scope("neuron0"):
            deep = (((x * 2 + 3) * 4 + 5) * 6).tanh()  # its input's name is too long to repeat inside it
    twice = deep + x * 2  # x·2 again
    names = node_names(twice)
    assert names[deep] == "layer1/neuron0: tanh(…)"
    assert names[twice.parents[1]] == "x·2#2" and names[twice.parents[1].parents[1]] == "2#2"
    assert len(set(names.values())) == len(names)


def test_forward_steps_compute_in_topological_order():
    f, *_ = wxb()
    steps = forward_steps(f)
    assert [s.sentence for s in steps] == ["w = −2 (input)", "x = 5 (input)", "w·x = w · x = (−2) · 5 = −10",
                                           "b = 3 (input)", "f = (w·x) + b = (−10) + 3 = −7"]
    assert [len(s.computed) for s in steps] == [1, 2, 3, 4, 5]
    both = backward_steps(f, forward=True)
    assert [s.kind for s in both] == ["forward"] * 5 + ["backward"] * 2
    assert [s.index for s in both] == list(range(7))
    assert "exp(−1)" in forward_steps(Value(-1.0, "z").exp())[1].sentence


def test_a_named_constant_is_still_a_constant():
    two = Value(2.0)
    y = Value(3.0, "a") * two
    steps = forward_steps(y, names={two: "two"})
    assert steps[1].sentence == "two = 2 (constant)"  # the name is the text; the kind comes from the node
    assert steps[0].sentence == "a = 3 (input)"


def frame_nodes(svg):
    """{DOT node id: (fill colour of its shape, its texts)} of a frame's SVG."""
    nodes = {}
    for g in ET.fromstring(svg.encode()).iter(f"{SVG}g"):
        if "node" in g.get("class", "").split():
            shape = next(e for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse"))
            nodes[g.find(f"{SVG}title").text] = (shape.get("fill"), [t.text for t in g.iter(f"{SVG}text")])
    return nodes


@needs_renderer
def test_step_frames_draw_constants_small_and_grey():
    w, b = Value(-1.5, "w"), Value(0.5, "b")
    f = w * 2 + b
    f.label = "f"
    step = backward_steps(f)[-1]  # w·2 passes its gradient to w and to the constant 2
    assert step.name == "w·2" and [c.parent for c in step.contributions] == [w, f.parents[0].parents[1]]
    assert "∂f/∂2 += ∂f/∂(w·2) · ∂(w·2)/∂2 = 1 · (−1.5) = −1.5" in step.sentence
    nodes = frame_nodes(frame_svg(f, step))
    assert nodes["n1"] == ("#f1f5f9", ["2"])  # grey, its number (its name in the sentence), no data/grad cells
    assert nodes["n2"][1][0] == "w·2"  # the product's name, as in the sentence
    assert nodes["n0"][0] == "#dbeafe" and nodes["n3"][0] == "#dbeafe"  # w and b: blue inputs


@needs_renderer
def test_a_frame_writes_every_number_with_one_minus_sign():
    w, x, b = Value(-0.5344, "w"), Value(1.0, "x"), Value(-3.0, "b")
    f = w * x + b
    f.label = "f"
    step = backward_steps(f)[-1]
    texts = [text for _, node_texts in frame_nodes(frame_svg(f, step)).values() for text in node_texts]
    edges = [t.text for t in ET.fromstring(frame_svg(f, step).encode()).iter(f"{SVG}text")]
    assert "grad −0.5344" in texts and "data −0.5344" in texts  # x's gradient is w
    assert "(−0.5344) × 1 = −0.5344" in edges  # the edge into x carries the same number
    assert not [t for t in edges if re.search(r"-\d", t)]  # no ASCII minus anywhere in the picture


def test_a_leaf_root_is_one_step():
    (step,) = backward_steps(Value(4.0, "x"))
    assert step.sentence == "∂x/∂x = 1: x is an input, nothing to pass on"


def test_fmt_four_significant_digits():
    assert [fmt(v) for v in (-2.0, 0.19661193, 1234.5678, -0.0, 1e-7, math.inf)] == [
        "−2", "0.1966", "1235", "0", "1e−07", "inf"]


def test_load_root_from_a_file(tmp_path):
    path = tmp_path / "graph.py"
    path.write_text("from autograd import Value\n\n"
                    "def helper(x):\n    return x\n\n"
                    "def nothing():\n    return 3\n\n"
                    "def mine():\n    return Value(2.0, 'a') * Value(4.0, 'b')\n\n"
                    "def other():\n    return Value(1.0, 'z').exp()\n")
    assert load_root(str(path)).data == 8.0  # the first function without arguments returning a Value
    assert load_root(str(path), func="other").op == "exp"
    with pytest.raises(LookupError, match="has no function 'nope'"):
        load_root(str(path), func="nope")
    with pytest.raises(LookupError, match="no such file"):
        load_root(str(tmp_path / "missing.py"))
    with pytest.raises(TypeError, match="needs the Value"):
        backward_steps(3.0)


def test_shipped_wxb_example_by_number():
    from viz.examples import find, wxb as shipped

    f = shipped()
    steps = backward_steps(f)
    grads = steps[-1].grads
    assert [grads[find(f, name)] for name in ("w", "x", "b", "g")] == [5.0, -2.0, 1.0, 1.0]
    assert "∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2" in steps[-1].sentence


def test_shipped_sigmoid_chain_steps_multiply_to_sigma_prime():
    from viz.examples import find, sigmoid_chain

    out = sigmoid_chain(0.5)
    steps = backward_steps(out)
    assert [s.node.op for s in steps] == ["recip", "add", "exp", "mul"]
    locals_ = [s.contributions[0].local for s in steps]
    assert math.prod(locals_) == pytest.approx(sigmoid(0.5) * (1 - sigmoid(0.5)), rel=1e-12)
    assert steps[-1].grads[find(out, "z")] == pytest.approx(sigmoid(0.5) * (1 - sigmoid(0.5)), rel=1e-12)


def test_xor_loss_example_matches_the_hand_computed_net():
    from viz.examples import EXAMPLES, find

    loss = EXAMPLES["xor_loss"]()
    h1, h2 = sigmoid(5 * 0 + 5 * 1 - 8), sigmoid(-7 * 0 - 7 * 1 + 3)
    h = sigmoid(-11 * h1 - 11 * h2 + 6)
    assert loss.data == pytest.approx(-math.log(h), rel=1e-12)
    steps = backward_steps(loss)
    grads = steps[-1].grads
    # BCE after a sigmoid: ∂loss/∂z = h − y at the output unit
    assert grads[find(loss, "b2[0]")] == pytest.approx(h - 1, rel=1e-9)
    assert grads[find(loss, "W2[0,0]")] == pytest.approx((h - 1) * h1, rel=1e-9)
    assert grads[find(loss, "W1[1,0]")] == pytest.approx((h - 1) * -11 * h1 * (1 - h1) * 1.0, rel=1e-9)
    loss.backward()
    assert [grads[v] for v in topological_order(loss)] == [v.grad for v in topological_order(loss)]


def chain(n):
    """x → ×1.0001 → ×1.0001 → ...: 2n + 1 nodes, n backward steps."""
    x = Value(1.0, "x")
    v = x
    for _ in range(n):
        v = v * 1.0001
    return v


def test_steps_memory_grows_linearly_with_the_graph():
    import tracemalloc

    def peak(n):
        root = chain(n)
        tracemalloc.start()
        steps = backward_steps(root)
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(steps) == n
        return size

    small, big = peak(1_000), peak(5_000)  # 2,001 and 10,001 nodes
    assert big / 10_001 < 2_000  # bytes per node: each step keeps what it changes, not every gradient
    assert big / small < 6  # 5× the nodes, about 5× the memory (a copy of every gradient per step: 25×)


def test_each_steps_gradients_are_the_running_sums():
    x = Value(3.0, "x")
    y = (x * x + x).tanh() * x
    y.label = "y"
    steps = backward_steps(y, forward=True)
    running = {v: 0.0 for v in topological_order(y)}
    for step in steps:
        if step.kind == "forward":
            assert set(step.grads.values()) == {0.0} and step.final == frozenset()
            continue
        running[y] = 1.0
        for c in step.contributions:
            assert running[c.parent] == c.before
            running[c.parent] = c.after
        assert step.grads == running
        assert set(step.finalized) <= step.final and step.node in step.final
    y.backward()
    assert steps[-1].grads[x] == x.grad
