"""Issue 10, the engine: masked gradients at flat regions, cycles, leaky_relu'(0), labels, scopes and elu's alpha.

Every flat-region case is checked against PyTorch (float64) and against the step-through's `backward_steps`,
which must apply the same gradient rule as `backward()`. The random graphs of test_engine.py (hypothesis against
PyTorch, programs from conftest.run_program) include relu(x) ** 0.5 too.
"""
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from autograd import Value, name_scope, topological_order
from conftest import identical, needs_torch, torch


def relu(x):
    return x.relu()


def max0(x):
    return x.maximum(0.0) if isinstance(x, Value) else torch.maximum(x, torch.zeros_like(x))


# f(x) whose flat side (local gradient exactly 0) meets an infinite local gradient further up
FLAT = {
    "relu(x) ** 0.5": lambda x: relu(x) ** 0.5,
    "max(x, 0) ** 0.5": lambda x: max0(x) ** 0.5,
    "relu(x) ** 0.5 + x": lambda x: relu(x) ** 0.5 + x,
    "relu(x) ** 0.25 * 3": lambda x: relu(x) ** 0.25 * 3,
    "max(x, 0) ** 0.5 + relu(x) ** 0.5": lambda x: max0(x) ** 0.5 + relu(x) ** 0.5,
}
# (x, ∂f/∂x) worked by hand: the flat side gives 0; at x = 0 relu'(0) = 0 and max(0, 0) ties (½ · ∞ = ∞)
EXPECTED = {
    ("relu(x) ** 0.5", -1.0): 0.0, ("relu(x) ** 0.5", 0.0): 0.0, ("relu(x) ** 0.5", 4.0): 0.25,
    ("max(x, 0) ** 0.5", -1.0): 0.0, ("max(x, 0) ** 0.5", 0.0): math.inf, ("max(x, 0) ** 0.5", 4.0): 0.25,
    ("relu(x) ** 0.5 + x", -1.0): 1.0, ("relu(x) ** 0.25 * 3", -2.0): 0.0,
    ("max(x, 0) ** 0.5 + relu(x) ** 0.5", -1.0): 0.0,
}


def grad_of(f, x):
    v = Value(x)
    f(v).backward()
    return v.grad


@pytest.mark.parametrize("name, x", sorted(EXPECTED))
def test_a_zero_local_gradient_contributes_exactly_zero(name, x):
    assert identical(grad_of(FLAT[name], x), EXPECTED[name, x])


@needs_torch
@pytest.mark.parametrize("name", sorted(FLAT))
@pytest.mark.parametrize("x", [-3.0, -1.0, -1e-300, 0.0, 1e-300, 0.5, 4.0])
def test_flat_regions_match_torch(name, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    FLAT[name](t).backward()
    ours, theirs = grad_of(FLAT[name], x), t.grad.item()
    assert identical(ours, theirs) or ours == pytest.approx(theirs, rel=1e-15)  # x^−½ rounds in its last bit


def test_nan_still_propagates_through_a_nan_local_gradient():
    x, y = Value(math.nan), Value(1.0)
    (x.maximum(y) ** 0.5).backward()  # max at a nan input: local gradient nan for both
    assert math.isnan(x.grad) and math.isnan(y.grad)
    z = Value(2.0)
    (z * math.nan).backward()  # a nan local (the constant) is not 0: it reaches z
    assert math.isnan(z.grad)


def test_an_infinite_upstream_gradient_still_flows_through_a_nonzero_local():
    x = Value(0.0)
    (x ** 0.5).backward()  # d√x/dx at 0 is +inf, as in PyTorch
    assert x.grad == math.inf


@pytest.mark.parametrize("name, x", sorted(EXPECTED))
def test_backward_steps_apply_the_same_rule(name, x):
    from viz.steps import backward_steps

    v = Value(x)
    root = FLAT[name](v)
    steps = backward_steps(root)
    stepped = steps[-1].grads
    root.backward()
    for node in topological_order(root):
        assert identical(stepped[node], node.grad), (name, x, node)


def test_leaky_relu_at_zero_is_the_tie_of_max():
    # max(0.1·x, x) ties at x = 0: half the gradient to each input, 0.5·0.1 + 0.5·1 = 0.55
    assert grad_of(lambda v: v.leaky_relu(), 0.0) == pytest.approx(0.55, rel=1e-15)
    assert grad_of(lambda v: v.leaky_relu(0.2), 0.0) == pytest.approx(0.6, rel=1e-15)
    assert grad_of(lambda v: v.leaky_relu(), -2.0) == pytest.approx(0.1, rel=1e-15)
    assert "0.55" in Value.leaky_relu.__doc__


@needs_torch
def test_leaky_relu_at_zero_is_torch_maximums_tie():
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    torch.maximum(t * 0.1, t).backward()
    assert t.grad.item() == grad_of(lambda v: v.leaky_relu(), 0.0) == pytest.approx(0.55, rel=1e-15)


# --- cycles --------------------------------------------------------------------------------------------------------


def test_a_cycle_made_through_parents_is_refused_by_name():
    a = Value(1.0, "a")
    b = a * 2
    b.label = "b"
    c = b * 3
    a.parents, a.local_grads = (c,), (1.0,)  # a now reads c, which depends on a
    with pytest.raises(ValueError, match=r"cycle.*label='(a|b)'|cycle.*data=6"):
        c.backward()
    with pytest.raises(ValueError, match="cycle"):
        topological_order(a)


def test_a_self_loop_is_a_cycle():
    a = Value(2.0, "a")
    b = a + 1
    b.parents = (b, a)
    with pytest.raises(ValueError, match="cycle.*label|cycle.*data=3"):
        topological_order(b)


def test_shared_nodes_are_no_cycle():
    x = Value(2.0, "x")
    y = x * x
    z = y + y * x  # y and x are read twice: a diamond, not a cycle
    z.backward()
    assert x.grad == pytest.approx(2 * 2.0 + 3 * 2.0 ** 2)  # z = x² + x³
    assert len(topological_order(z)) == 4


# --- labels, scopes, elu's alpha -----------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [5, 1.5, None, b"x", ["x"]])
def test_a_label_must_be_a_str(label):
    with pytest.raises(TypeError, match=f"label must be a str, got {type(label).__name__}"):
        Value(1.0, label=label)


def test_any_str_label_is_kept_as_given():
    for label in ["x", "\t", "\x1b[31m", "\ud800", "a\\", ""]:
        assert Value(1.0, label).label == label  # the renderer and the terminal show them visibly


@pytest.mark.parametrize("name, message", [
    ("a\\", "may not end in a backslash"),
    ("\x1b[31m", "control characters"),
    ("\t", "control characters"),
    ("a\x00b", "control characters"),
    ("\ud800", "lone surrogates"),
])
def test_a_scope_name_that_cannot_be_drawn_is_refused(name, message):
    with pytest.raises(ValueError, match=message):
        with name_scope(name):
            pass
    assert Value(1.0).scope == ""  # the refused scope was never entered


def test_a_scope_name_must_be_a_str():
    with pytest.raises(TypeError, match="str name, got int"):
        with name_scope(3):
            pass
    with name_scope("layer 1 (α)"):  # spaces, parentheses and Greek are fine
        assert Value(1.0).scope == "layer 1 (α)"


@pytest.mark.parametrize("alpha, error", [("1", TypeError), (Decimal("1"), TypeError), (1j, TypeError),
                                          (None, TypeError), (True, TypeError), (math.inf, ValueError),
                                          (math.nan, ValueError)])
def test_elu_alpha_must_be_a_finite_real_number(alpha, error):
    with pytest.raises(error, match="alpha"):
        Value(-1.0).elu(alpha)


def test_elu_alpha_accepts_any_real_number_type():
    import numpy as np

    for alpha in (2, 2.0, np.float32(2.0), Fraction(2)):
        out = Value(-1.0).elu(alpha)
        assert out.arg == 2.0 and type(out.arg) is float
        assert out.data == pytest.approx(2.0 * math.expm1(-1.0), rel=1e-15)
