"""The engine's speed-ups against the plain definitions: + and * against their PRIMITIVES rows, the graph walk
against a recursive depth-first search, backward against the textbook loop over parents and local_grads."""
import math
import random
import tracemalloc

import pytest

from autograd import PRIMITIVES, Value, topological_order
from conftest import identical

SPECIAL = [0.0, -0.0, 1.0, -2.5, 3e-300, 1e300, -1e300, math.inf, -math.inf, math.nan]


def numbers(n, seed=0):
    rng = random.Random(seed)
    return SPECIAL + [rng.uniform(-10, 10) for _ in range(n)]


@pytest.mark.parametrize("op, apply", [("add", lambda x, y: x + y), ("mul", lambda x, y: x * y)])
def test_add_and_mul_fast_paths_equal_their_table_rows(op, apply):
    prim = PRIMITIVES[op]
    for x in numbers(30):
        for y in numbers(30, seed=1):
            a, b = Value(x), Value(y)
            out = apply(a, b)
            expected = prim.forward(x, y)
            assert identical(out.data, expected), (op, x, y)
            assert out.op == op and out.parents == (a, b) and out.arg is None
            assert all(map(identical, out.local_grads, prim.local(x, y, expected))), (op, x, y)


def test_number_on_either_side_takes_the_same_path():
    v = Value(3.0)
    for node in (v + 2, 2 + v, v * 2, 2 * v):
        const = node.parents[1]
        assert const.op == "" and const.label == "" and const.data == 2.0 and type(const.data) is float
    assert (v * 2).local_grads == (2.0, 3.0)
    assert (2 * v).local_grads == (2.0, 3.0)


UNARY_CALLS = {
    "pow": (lambda v: v**3, 3.0), "exp": (lambda v: v.exp(), None), "log": (lambda v: v.log(), None),
    "recip": (lambda v: v.reciprocal(), None), "relu": (lambda v: v.relu(), None), "tanh": (lambda v: v.tanh(), None),
    "elu": (lambda v: v.elu(0.7), 0.7), "sigmoid": (lambda v: v.sigmoid(fused=True), None),
}


@pytest.mark.parametrize("op", sorted(UNARY_CALLS))
def test_every_unary_op_stores_its_table_row(op):
    call, arg = UNARY_CALLS[op]
    prim = PRIMITIVES[op]
    for x in [0.3, 1.7, 2.0, -0.4, -3.0]:
        if op == "log" and x <= 0:
            continue
        v = Value(x)
        out = call(v)
        xs = (x,) if arg is None else (x, arg)
        expected = prim.forward(*xs)
        assert (out.op, out.parents, out.arg) == (op, (v,), arg)
        assert identical(out.data, expected) and all(map(identical, out.local_grads, prim.local(*xs, expected)))


def test_max_stores_its_table_row():
    for x, y in [(1.0, 2.0), (2.0, 1.0), (1.5, 1.5)]:
        a, b = Value(x), Value(y)
        out = a.maximum(b)
        assert out.parents == (a, b) and out.data == PRIMITIVES["max"].forward(x, y)
        assert out.local_grads == PRIMITIVES["max"].local(x, y, out.data)


def test_hand_made_nodes_keep_their_parents_and_local_grads():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    node = Value(6.0, "xy", op="mul", parents=(x, y), local_grads=(3.0, 2.0))
    assert (node.parents, node.local_grads, node.label, node.op) == ((x, y), (3.0, 2.0), "xy", "mul")
    node.backward()
    assert (x.grad, y.grad) == (3.0, 2.0)
    node.parents, node.local_grads = (x,), (1.0,)
    assert node.parents == (x,) and node.local_grads == (1.0,)


def test_hand_made_nodes_with_bad_shapes_are_refused():
    x = Value(1.0)
    with pytest.raises(ValueError, match="at most 2"):
        Value(3.0, op="add", parents=(x, x, x), local_grads=(1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="one local gradient per parent"):
        Value(3.0, op="mul", parents=(x, x), local_grads=(1.0,))


# --- the graph walk and backward against their plain definitions ------------------------------------------------


def reference_order(root):
    """Depth-first post-order, parents left to right, each node once: the walk's definition."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for p in node.parents:
            visit(p)
        order.append(node)

    visit(root)
    return order


def reference_backward(root):
    """The textbook loop: reset, seed 1, and in reverse order add local × g into every parent (skip g = 0;
    a zero local adds exactly 0, masked as in PyTorch, so 0 · inf is never nan)."""
    order = reference_order(root)
    for node in order:
        if node.parents:
            node.grad = 0.0
    root.grad += 1.0
    for node in reversed(order):
        if node.grad == 0.0:
            continue
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += 0.0 if local == 0 else local * node.grad


def random_graph(seed, leaves=4, ops=60):
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(leaves)]
    makers = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a.maximum(b), lambda a, b: a - b,
              lambda a, b: a.tanh(), lambda a, b: a.relu(), lambda a, b: (a * 0.5).exp(), lambda a, b: a * 3]
    for _ in range(ops):
        a, b = rng.choice(nodes[-8:]), rng.choice(nodes)  # recent nodes: deep graphs with reuse
        nodes.append(rng.choice(makers)(a, b))
    out = nodes[-1]
    for n in nodes[-5:-1]:
        out = out + n
    return nodes[:leaves], out


@pytest.mark.parametrize("seed", range(20))
def test_topological_order_is_the_depth_first_post_order(seed):
    _, root = random_graph(seed)
    assert topological_order(root) == reference_order(root)


@pytest.mark.parametrize("seed", range(20))
def test_backward_equals_the_textbook_loop_bit_for_bit(seed):
    _, root = random_graph(seed)
    root.backward()
    root.backward()  # leaves accumulate, intermediates are reset
    fast = [n.grad for n in reference_order(root)]
    for node in reference_order(root):
        node.grad = 0.0  # every leaf: the inputs and the constants (the 3 of a * 3)
    reference_backward(root)
    reference_backward(root)
    assert all(map(identical, fast, [n.grad for n in reference_order(root)]))


def test_a_node_is_one_small_object():
    # 10 slots and a float, no tuples: about 136 bytes for a + or × node (micrograd: about 680)
    x, one = Value(1.0), Value(1.0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(10_000):
        y = y + one
    per_node = (tracemalloc.get_traced_memory()[0] - before) / 10_000
    tracemalloc.stop()
    assert per_node < 170, per_node
    assert y.data == 10_001.0
