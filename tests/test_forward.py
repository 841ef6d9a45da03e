"""Forward mode and every path's product against backward(): the same derivative, two other ways round."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import PRIMITIVES, Value, jvp, paths, topological_order
from autograd.forward import PATH_LIMIT, chain_term, count_paths, tangents
from conftest import anywhere, instruction, leaf_values, nonzero, positive, run_program

# one graph per primitive, fed by inputs that keep it defined: (how to apply the op, inputs' sampler)
PRIMITIVE_GRAPHS = {
    "add": (lambda x, y: x + y, anywhere),
    "mul": (lambda x, y: x * y, anywhere),
    "max": (lambda x, y: x.maximum(y), anywhere),
    "pow": (lambda x: x**3, anywhere),
    "exp": (lambda x: x.exp(), anywhere),
    "log": (lambda x: x.log(), positive),
    "recip": (lambda x: x.reciprocal(), nonzero),
    "relu": (lambda x: x.relu(), nonzero),
    "tanh": (lambda x: x.tanh(), anywhere),
    "elu": (lambda x: x.elu(0.7), nonzero),
    "sigmoid": (lambda x: x.sigmoid(fused=True), anywhere),
}


def close(a, b, scale=1.0):
    """a == b to 1e-12, relative to the size of the numbers summed (`scale`) or of a and b."""
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b), scale)


def backward_grads(root, nodes):
    """∂root/∂node for each node, as backward() computes it from zero."""
    root.zero_grad()
    root.backward()
    grads = [v.grad for v in nodes]
    root.zero_grad()
    return grads


def test_every_primitive_has_a_graph():
    assert set(PRIMITIVE_GRAPHS) == set(PRIMITIVES)


@pytest.mark.parametrize("op", sorted(PRIMITIVE_GRAPHS))
def test_jvp_and_paths_equal_backward_on_every_primitive(op):
    apply, sample = PRIMITIVE_GRAPHS[op]
    arity = apply.__code__.co_argcount
    rng = np.random.default_rng(sorted(PRIMITIVE_GRAPHS).index(op))
    for inputs in sample(rng, 20 * arity).reshape(20, arity):
        xs = [Value(float(x), f"x{i}") for i, x in enumerate(inputs)]
        inner = apply(*xs)
        assert inner.op == op
        root = inner * xs[0] + inner  # x0 is read twice: two paths through it
        for x, grad in zip(xs, backward_grads(root, xs)):
            assert close(jvp(root, x), grad)
            found = paths(root, x)
            assert close(math.fsum(p.product for p in found), grad, max(abs(p.product) for p in found))
        assert len(paths(root, xs[0])) == 3  # x0 → inner → +, x0 → inner → × → +, x0 → × → +


def test_x_times_x_has_two_paths_whose_products_add_to_2x():
    x = Value(3.0, "x")
    square = x * x
    first, second = paths(square, x)
    assert (first.slots, second.slots) == ((0,), (1,))  # the same two nodes, two edges
    assert (first.locals, second.locals) == ((3.0,), (3.0,))
    assert first.product + second.product == 6.0 == jvp(square, x)
    assert first.nodes == second.nodes == (x, square)


def test_wxb_forward_mode_gives_the_lecture_gradients():
    w, x, b = Value(-2.0, "w"), Value(5.0, "x"), Value(3.0, "b")
    f = w * x + b
    assert (jvp(f, w), jvp(f, x), jvp(f, b)) == (5.0, -2.0, 1.0)
    assert (jvp(f, "w"), jvp(f, "x")) == (5.0, -2.0)  # a leaf by its label
    (path,) = paths(f, "w")
    assert path.locals == (5.0, 1.0) and path.product == 5.0
    assert [v.label for v in path.nodes] == ["w", "", ""]


def test_tangents_of_every_node():
    w, x = Value(-2.0, "w"), Value(5.0, "x")
    g = w * x
    f = g.tanh()
    t = tangents(f, w)
    assert (t[w], t[x], t[g]) == (1.0, 0.0, 5.0)
    assert t[f] == pytest.approx((1 - math.tanh(-10.0) ** 2) * 5.0, rel=1e-15)


def test_jvp_with_respect_to_an_inner_node_equals_its_grad():
    x = Value(0.7, "x")
    h = x.tanh()
    h.label = "h"
    out = h * h + h.exp()
    out.backward()
    assert close(jvp(out, h), h.grad)
    assert close(jvp(out, h), 2 * h.data + math.exp(h.data))
    assert sum(p.product for p in paths(out, h)) == pytest.approx(h.grad, rel=1e-12)


def test_root_with_respect_to_itself_is_one_with_the_empty_path():
    x = Value(2.0, "x")
    assert jvp(x, x) == 1.0
    (path,) = paths(x, x)
    assert (path.nodes, path.locals, path.product) == ((x,), (), 1.0)


def test_jvp_and_paths_leave_every_grad_alone():
    w, x = Value(-2.0, "w"), Value(5.0, "x")
    f = w * x + w
    w.grad = 7.5
    jvp(f, w)
    paths(f, w)
    assert [v.grad for v in topological_order(f)] == [7.5, 0.0, 0.0, 0.0]


def test_a_zero_local_gradient_contributes_exactly_zero():
    # √x at x = 0 has local ∞; times the constant 0 the engine's backward skips it (g = 0): 0, not nan
    x = Value(0.0, "x")
    out = (x**0.5) * 0.0 + x
    assert backward_grads(out, [x]) == [1.0]
    assert jvp(out, x) == 1.0
    assert sorted(p.product for p in paths(out, x)) == [0.0, 1.0]
    assert chain_term(0.0, math.inf) == 0.0 and chain_term(math.inf, 0.0) == 0.0 and chain_term(2.0, 3.0) == 6.0


def test_too_many_paths_is_an_error_that_suggests_jvp():
    x = Value(1.000001, "x")
    out = x
    for _ in range(20):
        out = out * out  # every square doubles the paths: 2²⁰
    assert count_paths(out, x) == 2**20
    assert count_paths(out, x, cap=PATH_LIMIT) == PATH_LIMIT + 1  # stops counting past the cap
    with pytest.raises(ValueError, match=r"more than 10,000 paths .* use jvp\(root, wrt\)"):
        paths(out, x)
    assert jvp(out, x) == pytest.approx(2**20 * 1.000001 ** (2**20 - 1), rel=1e-9)  # d(x^(2^20))/dx


def test_paths_with_a_raised_limit_lists_them_all():
    x = Value(1.5, "x")
    out = x
    for _ in range(5):
        out = out * out
    found = paths(out, x, limit=32)
    assert len(found) == 32
    assert math.fsum(p.product for p in found) == pytest.approx(jvp(out, x), rel=1e-12)
    with pytest.raises(ValueError, match="more than 31 paths"):
        paths(out, x, limit=31)


def test_a_long_chain_needs_no_recursion():
    x = Value(0.5, "x")
    out = x
    for _ in range(10_000):  # 20,000 nodes deep, far past Python's recursion limit
        out = out * 1.0 + 0.0
    assert jvp(out, x) == 1.0
    (path,) = paths(out, x)
    assert len(path.nodes) == 20_001 and path.product == 1.0


@pytest.mark.parametrize("wrt, error, message", [
    (Value(1.0, "w"), ValueError, "labelled 'w' that is not in root's graph"),
    ("q", ValueError, r"no node of root's graph labelled 'q'; the labels are \['b', 'w', 'x'\]"),
    (3, TypeError, "wrt must be a Value of root's graph or its label"),
])
def test_bad_wrt_is_named(wrt, error, message):
    w, x, b = Value(-2.0, "w"), Value(5.0, "x"), Value(3.0, "b")
    f = w * x + b
    for call in (jvp, paths, count_paths):
        with pytest.raises(error, match=message):
            call(f, wrt)


def test_an_ambiguous_label_asks_for_the_value():
    a, b = Value(1.0, "x"), Value(2.0, "x")
    with pytest.raises(ValueError, match="2 nodes of root's graph labelled 'x'; .* pass the Value itself"):
        jvp(a * b, "x")


def test_bad_root_and_limit_are_named():
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        jvp(2.0, "x")
    x = Value(1.0, "x")
    with pytest.raises(ValueError, match="limit must be a whole number ≥ 1, got 0"):
        paths(x * x, x, limit=0)


# --- random graphs with reused nodes ----------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(
    xs=leaf_values,
    program=st.lists(instruction, min_size=1, max_size=20),
)
def test_random_graphs_jvp_and_paths_equal_backward(xs, program):
    leaves = [Value(x, f"x{i}") for i, x in enumerate(xs)]
    out = run_program(leaves, program)
    in_graph = set(topological_order(out))
    for leaf, grad in zip(leaves, backward_grads(out, leaves)):
        if leaf not in in_graph:  # unused: backward leaves 0, jvp and paths say it is not in the graph
            assert grad == 0.0
            with pytest.raises(ValueError, match="not in root's graph"):
                jvp(out, leaf)
            continue
        assert close(jvp(out, leaf), grad)
        if count_paths(out, leaf) > PATH_LIMIT:
            with pytest.raises(ValueError, match="use jvp"):
                paths(out, leaf)
            continue
        products = [p.product for p in paths(out, leaf)]
        assert len(products) == count_paths(out, leaf)
        assert close(math.fsum(products), grad, max(map(abs, products), default=0.0))
