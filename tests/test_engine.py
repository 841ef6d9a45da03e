"""The engine against oracles: central differences for every op, PyTorch (float64) when installed."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import PRIMITIVES, Value, gradcheck, name_scope, reader_counts, topological_order
from conftest import anywhere, instruction, leaf_values, needs_torch, nonzero, positive, run_program, sigmoid, torch


def torch_elu(x, alpha):
    return torch.nn.functional.elu(x, alpha) if torch is not None and isinstance(x, torch.Tensor) else x.elu(alpha)


# one line per op: (primitive it covers, f on Values, and on torch tensors where the same code works, input sampler)
OPS = [
    ("add", lambda x, y: x + y, anywhere),
    ("mul", lambda x, y: x * y, anywhere),
    ("max", lambda x, y: x.maximum(y), anywhere),
    ("pow", lambda x: x**3, anywhere),
    ("pow", lambda x: x**0.5, positive),
    ("pow", lambda x: x**-2, nonzero),
    ("exp", lambda x: x.exp(), anywhere),
    ("log", lambda x: x.log(), positive),
    ("recip", lambda x: x.reciprocal(), nonzero),
    ("relu", lambda x: x.relu(), nonzero),
    ("tanh", lambda x: x.tanh(), anywhere),
    ("elu", lambda x: torch_elu(x, 0.7), nonzero),
    ("sigmoid", lambda x: x.sigmoid() if not isinstance(x, Value) else x.sigmoid(fused=True), anywhere),
    # composed from the primitives
    ("", lambda x: -x, anywhere),
    ("", lambda x, y: x - y, anywhere),
    ("", lambda x, y: x / y, nonzero),
    ("", lambda x: 2 - x / 4 + 1 / x, nonzero),
    ("", lambda x: x.sigmoid(), anywhere),
    ("", lambda x: (x * 0.1).maximum(x), nonzero),  # leaky ReLU as the lecture writes it
    ("", lambda x: 2**x if isinstance(x, Value) else torch.pow(2.0, x), anywhere),
]
IDS = [f"{i}:{op or 'composed'}" for i, (op, _, _) in enumerate(OPS)]


def arity(f):
    return f.__code__.co_argcount


@pytest.mark.parametrize("op, f, sample", OPS, ids=IDS)
def test_op_against_central_differences(op, f, sample):
    rng = np.random.default_rng(0)
    for _ in range(25):
        xs = sample(rng, arity(f))
        result = gradcheck(f, xs)
        assert result.max_abs_err < 1e-6 * max(1.0, *map(abs, result.numeric)), (xs, result)


@needs_torch
@pytest.mark.parametrize("op, f, sample", OPS, ids=IDS)
def test_op_against_torch(op, f, sample):
    rng = np.random.default_rng(1)
    for _ in range(25):
        xs = sample(rng, arity(f))
        ours = [Value(x) for x in xs]
        theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
        out, ref = f(*ours), f(*theirs)
        out.backward()
        ref.backward()
        assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-12)
        for v, t in zip(ours, theirs):
            assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-12)


def test_every_primitive_has_an_oracle_line():
    assert {op for op, _, _ in OPS if op} == set(PRIMITIVES)


def test_primitive_rows_are_forward_and_local_side_by_side():
    for name, prim in PRIMITIVES.items():
        assert prim.name == name and prim.arity in (1, 2) and prim.doc.startswith("out =")
        assert callable(prim.forward) and callable(prim.local)


def test_local_grads_are_computed_in_the_forward_pass():
    x, y = Value(3.0), Value(-4.0)
    out = x * y
    assert (out.op, out.parents, out.local_grads) == ("mul", (x, y), (-4.0, 3.0))
    assert x.op == "" and x.parents == () and x.local_grads == () and x.grad == 0.0


# --- the lecture's worked examples -------------------------------------------------------------------------------


def test_wxb_forward_and_backward():
    w, x, b = Value(-2.0, "w"), Value(5.0, "x"), Value(3.0, "b")
    g = w * x
    f = g + b
    f.backward()
    assert f.data == -7.0
    assert (w.grad, x.grad, b.grad, g.grad) == (5.0, -2.0, 1.0, 1.0)
    assert g.local_grads == (5.0, -2.0)  # ∂g/∂w = x, ∂g/∂x = w
    assert f.local_grads == (1.0, 1.0)  # ∂f/∂g = ∂f/∂b = 1


@pytest.mark.parametrize("z", [-4.0, -0.5, 0.0, 0.7, 3.0])
def test_composed_sigmoid_is_four_ops_whose_locals_multiply_to_sigma_prime(z):
    x = Value(z)
    out = x.sigmoid()
    ops = [n.op for n in topological_order(out) if n.op]
    assert ops == ["mul", "exp", "add", "recip"]
    product, node = 1.0, out
    while node is not x:  # walk back along the chain, always through the non-constant parent
        i = 0 if node.parents[0].op or node.parents[0] is x else 1
        product *= node.local_grads[i]
        node = node.parents[i]
    s = sigmoid(z)
    assert out.data == pytest.approx(s, rel=1e-15)
    assert product == pytest.approx(s * (1 - s), rel=1e-12)
    out.backward()
    fused_x = Value(z)
    fused = fused_x.sigmoid(fused=True)
    fused.backward()
    assert len(topological_order(fused)) == 2
    assert x.grad == pytest.approx(fused_x.grad, rel=1e-12)


@pytest.mark.parametrize("z, expected", [(-1000.0, 0.0), (1000.0, 1.0)])
@pytest.mark.parametrize("fused", [False, True])
def test_sigmoid_saturates_without_overflow(z, expected, fused):
    x = Value(z)
    out = x.sigmoid(fused=fused)
    out.backward()
    assert out.data == expected
    assert x.grad == 0.0 and math.isfinite(x.grad)


# --- backward ----------------------------------------------------------------------------------------------------


def test_reused_nodes_accumulate():
    x = Value(3.0)
    a = x + x
    b = a * a
    b.backward()
    assert a.grad == 12.0  # ∂b/∂a = 2a
    assert x.grad == 24.0  # 2a · 2


def test_second_backward_accumulates_into_leaves_and_zero_grad_resets():
    x = Value(2.0)
    h = x * x
    y = h * 3
    y.backward()
    y.backward()
    assert x.grad == 24.0  # 2 × (3 · 2x)
    assert h.grad == 3.0  # intermediates hold this pass's gradient
    y.zero_grad()
    assert x.grad == h.grad == y.grad == 0.0
    y.backward()
    assert x.grad == 12.0


def test_million_node_chain_backward_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y.relu()
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1_000_001


def test_topological_order_puts_parents_first():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d and set(order) == {a, b, c, d}
    pos = {id(n): i for i, n in enumerate(order)}
    assert all(pos[id(p)] < pos[id(n)] for n in order for p in n.parents)


def test_reader_counts_counts_edges_out_of_each_node():
    x = Value(3.0)
    a = x + x
    b = a * a
    out = b + x
    readers = reader_counts(topological_order(out))
    assert [readers[n] for n in (x, a, b, out)] == [3, 2, 1, 0]


# --- numbers on either side, micrograd compatibility ---------------------------------------------------------------


def test_operators_with_plain_numbers_both_ways():
    v = Value(4.0)
    assert [(2 * v).data, (v * 2).data, (v + 1).data, (1 + v).data] == [8.0, 8.0, 5.0, 5.0]
    assert [(v - 1).data, (1 - v).data, (v / 2).data, (1 / v).data, (v**3).data] == [3.0, -3.0, 2.0, 0.25, 64.0]
    assert (2**v).data == pytest.approx(16.0, rel=1e-14)
    assert (-v).data == -4.0


def test_micrograd_sanity_check_runs_unchanged():
    # micrograd's own test_sanity_check / test_more_ops, written against its Value
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert (y.data, x.grad) == (-20.0, 46.0)

    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, abs=1e-6)
    assert a.grad == pytest.approx(138.83381924198252, abs=1e-6)
    assert b.grad == pytest.approx(645.5772594752186, abs=1e-6)
    assert {id(p) for p in z._prev} == {id(p) for p in z.parents} and z._op == "+"


# --- bad input -----------------------------------------------------------------------------------------------------


def test_value_of_a_string_names_the_type():
    with pytest.raises(TypeError, match="str"):
        Value("abc")
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "abc"


def test_log_of_non_positive_names_the_value():
    with pytest.raises(ValueError, match=r"x > 0.*-2\.5"):
        Value(-2.5).log()
    with pytest.raises(ValueError, match="got x = 0.0"):
        Value(0.0).log()


def test_value_exponent_is_refused_with_the_alternative():
    with pytest.raises(TypeError, match=r"exponent must be a number.*exp\(\)"):
        Value(2.0) ** Value(3.0)


def test_division_by_zero_is_explained():
    with pytest.raises(ZeroDivisionError, match="non-zero"):
        Value(1.0) / Value(0.0)


def test_nan_and_inf_propagate_as_floats_do():
    n = Value(math.nan) + 1
    assert math.isnan(n.data)
    i = Value(math.inf) * 2
    assert i.data == math.inf
    assert Value(1000.0).exp().data == math.inf  # no OverflowError
    x = Value(math.nan)
    y = x * 3
    y.backward()
    assert x.grad == 3.0 and math.isnan(y.data)


def test_max_propagates_nan_in_value_and_gradient():
    nan = math.nan
    for x, y in ((nan, 1.0), (1.0, nan), (nan, nan), (nan, -math.inf)):
        a, b = Value(x), Value(y)
        out = a.maximum(b)
        out.backward()
        assert math.isnan(out.data) and math.isnan(np.maximum(x, y))  # numpy's maximum agrees
        assert math.isnan(a.grad) and math.isnan(b.grad)
    a, b = Value(2.0), Value(2.0)
    a.maximum(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)  # a tie still splits
    assert Value(math.inf).maximum(1.0).data == math.inf


# (x, k): exponents ±inf and nan follow Python's float ** (C's pow); (0, 0) has gradient 0 as in PyTorch
SPECIAL_POWERS = [(-2.0, math.inf), (0.5, math.inf), (-0.5, math.inf), (2.0, -math.inf), (-2.0, math.nan),
                  (1.0, math.nan), (3.0, math.nan), (0.0, 0.0), (0.0, 0), (-3.0, 0.0), (math.nan, 0.0), (0.0, math.inf)]


@pytest.mark.parametrize("x, k", SPECIAL_POWERS)
def test_pow_with_inf_nan_and_zero_exponents_follows_float_rules(x, k):
    v = Value(x)
    out = v**k
    out.backward()
    expected = x**k
    assert out.data == expected or (math.isnan(out.data) and math.isnan(expected))
    if k == 0:
        assert v.grad == 0.0
    if torch is not None:
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        (t**k).backward()
        assert v.grad == pytest.approx(t.grad.item(), nan_ok=True)


def test_name_scope_tags_nodes():
    with name_scope("layer1"):
        with name_scope("neuron0"):
            a = Value(1.0) * 2
        b = a + 1
    c = b * 1
    assert (a.scope, b.scope, c.scope) == ("layer1/neuron0", "layer1", "")


# --- gradcheck -----------------------------------------------------------------------------------------------------


def test_gradcheck_reports_a_wrong_derivative():
    def square_with_wrong_local(x):
        return Value(x.data**2, op="pow", parents=(x,), local_grads=(1.0,), arg=2.0)  # true local: 2x

    bad = gradcheck(square_with_wrong_local, [3.0])
    assert bad.max_abs_err == pytest.approx(5.0, abs=1e-6) and not bad.ok()
    good = gradcheck(lambda x, y: x * y.tanh(), [0.3, -1.2])
    assert good.max_abs_err < 1e-8 and good.ok()


# --- random graphs with reused nodes against PyTorch ---------------------------------------------------------------

@needs_torch
@settings(max_examples=150, deadline=None)
@given(
    xs=leaf_values,
    program=st.lists(instruction, min_size=1, max_size=25),
)
def test_random_graphs_match_torch(xs, program):
    ours = [Value(x) for x in xs]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out, ref = run_program(ours, program), run_program(theirs, program)
    out.backward()
    ref.backward()
    assert out.data == pytest.approx(ref.item(), rel=1e-9, abs=1e-9)
    for v, t in zip(ours, theirs):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-9)
