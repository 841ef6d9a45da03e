"""parse(): the lecture's formulas by number, the same graph Python builds, and hostile text refused unrun."""
import math
import os

import pytest

import autograd.engine
import autograd.expression
from autograd import Value, parse, topological_order
from autograd.expression import MAX_DEPTH, MAX_LENGTH, ParseError

from conftest import sigmoid


def leaf(root, name):
    (found,) = [v for v in topological_order(root) if v.label == name and not v.parents]
    return found


def grads(root, *names):
    root.backward()
    return tuple(leaf(root, name).grad for name in names)


def shape(root):
    """The graph as data: (op, data, label, arg, positions of the parents) per node in topological order."""
    order = topological_order(root)
    position = {v: i for i, v in enumerate(order)}
    return [(v.op, v.data, v.label, v.arg, tuple(position[p] for p in v.parents)) for v in order]


def test_wxb_is_the_lecture_graph():
    f = parse("w*x + b", w=-2, x=5, b=3)
    assert f.data == -7.0
    assert grads(f, "w", "x", "b") == (5.0, -2.0, 1.0)
    assert [v.op for v in topological_order(f)] == ["", "", "mul", "", "add"]


def test_a_named_result_is_labelled():
    f = parse("f = w*x + b", w=-2, x=5, b=3)
    assert f.label == "f" and f.data == -7.0


def test_sigmoid_is_composed_as_the_lecture_draws_it():
    y = parse("sigmoid(w*x + b)", w=-2, x=5, b=3)
    s = sigmoid(-7.0)
    assert y.data == pytest.approx(s, rel=1e-15)
    assert [v.op for v in topological_order(y) if v.op] == ["mul", "add", "mul", "exp", "add", "recip"]
    dw, dx, db = grads(y, "w", "x", "b")
    assert (dw, dx, db) == pytest.approx((s * (1 - s) * 5, s * (1 - s) * -2, s * (1 - s)), rel=1e-12)


def test_sigmoid_fused_is_one_node():
    y = parse("sigmoid_fused(w*x + b)", w=-2, x=5, b=3)
    assert y.op == "sigmoid" and y.data == pytest.approx(sigmoid(-7.0), rel=1e-15)


def test_binary_cross_entropy_by_number():
    loss = parse("-(y*log(h) + (1-y)*log(1-h))", y=1, h=0.7)
    assert loss.data == pytest.approx(-math.log(0.7), rel=1e-15)
    dy, dh = grads(loss, "y", "h")
    assert dh == pytest.approx(-1 / 0.7, rel=1e-12)  # −(y/h − (1−y)/(1−h))
    assert dy == pytest.approx(-math.log(0.7 / 0.3), rel=1e-12)  # −(ln h − ln(1−h))
    loss = parse("-(y*log(h) + (1-y)*log(1-h))", y=0, h=0.2)
    assert loss.data == pytest.approx(-math.log(0.8), rel=1e-15)
    assert grads(loss, "h") == pytest.approx((1 / 0.8,), rel=1e-12)


@pytest.mark.parametrize("z, out, dz", [(-2.0, -0.2, 0.1), (3.0, 3.0, 1.0)])
def test_leaky_relu_as_the_lecture_writes_it(z, out, dz):
    root = parse("max(0.1*z, z)", z=z)
    assert root.data == pytest.approx(out, rel=1e-15)
    assert grads(root, "z") == pytest.approx((dz,), rel=1e-15)


# the same text as Python code on Values: parse must build exactly that graph
SAME_AS_PYTHON = [
    ("w*x + b", lambda w, x, b: w * x + b),
    ("sigmoid(w*x + b)", lambda w, x, b: (w * x + b).sigmoid()),
    ("-(b*log(w*w) + (1-b)*log(1-x/9))", lambda w, x, b: -(b * (w * w).log() + (1 - b) * (1 - x / 9).log())),
    ("max(0.1*x, x)", lambda w, x, b: (0.1 * x).maximum(x)),
    ("exp(w) - log(x) / tanh(b)", lambda w, x, b: w.exp() - x.log() / b.tanh()),
    ("relu(w) + relu(x) + elu(w) + elu(w, 0.5)", lambda w, x, b: w.relu() + x.relu() + w.elu() + w.elu(0.5)),
    ("x ** 2 + w ** -1 + x ** 0.5 + 2 ** b", lambda w, x, b: x**2 + w**-1 + x**0.5 + 2**b),
    ("+w - -x", lambda w, x, b: w - -x),
    ("2*3*x + 1/4", lambda w, x, b: 2 * 3 * x + 1 / 4),  # numbers meet first, as in Python
    ("x*x*x", lambda w, x, b: x * x * x),
]


@pytest.mark.parametrize("text, python", SAME_AS_PYTHON, ids=[t for t, _ in SAME_AS_PYTHON])
def test_parse_builds_the_graph_python_builds(text, python):
    values = {"w": -2.0, "x": 5.0, "b": 0.3}
    ours = parse(text, **values)
    theirs = python(*(Value(values[n], n) for n in ("w", "x", "b")))
    assert shape(ours) == shape(theirs)
    ours.backward()
    theirs.backward()
    assert [v.grad for v in topological_order(ours)] == [v.grad for v in topological_order(theirs)]


def test_the_same_name_twice_is_one_leaf_whose_gradients_add():
    root = parse("x*x + x", x=3.0)
    leaves = [v for v in topological_order(root) if not v.parents]
    assert [v.label for v in leaves] == ["x"]
    assert grads(root, "x") == (7.0,)  # 2x + 1


def test_numbers_are_constant_leaves_and_a_formula_of_numbers_is_one():
    root = parse("2*x", x=4)
    assert [(v.label, v.data) for v in topological_order(root) if not v.parents] == [("x", 4.0), ("", 2.0)]
    constant = parse("1 + 2 * 3")
    assert (constant.data, constant.parents) == (7.0, ())


def test_values_nobody_uses_are_ignored_and_any_name_can_have_one():
    assert parse("x + 1", x=2, unused=5).data == 3.0
    assert parse("expression * 2", expression=4).data == 8.0  # parse's own argument is positional only


def test_a_value_exponent_is_refused_with_the_alternative():
    with pytest.raises(ParseError, match=r"'x \*\* y'.*exponent must be a number.*exp\(y\*log\(x\)\)"):
        parse("x ** y", x=2, y=3)
    assert parse("exp(y*log(x))", x=2, y=3).data == pytest.approx(8.0, rel=1e-14)


@pytest.mark.parametrize("text, values, message", [
    ("log(h)", {"h": -1}, r"'log\(h\)': fails at these values: log is defined only for x > 0"),
    ("w / x", {"w": 1, "x": 0}, r"'w / x': fails at these values: 1/x at x = 0"),
    ("1 / 0 + x", {"x": 1}, r"'1 / 0' in '1 / 0 \+ x': fails at these values: float division by zero"),
    ("10**10**10 * x", {"x": 1}, "overflows at these values"),
    ("(-8) ** (1/3) * x", {"x": 1}, "is not a real number at these values"),
])
def test_ops_that_fail_at_these_values_name_the_part(text, values, message):
    with pytest.raises(ParseError, match=message):
        parse(text, **values)


def test_bad_arguments_are_type_errors():
    with pytest.raises(TypeError, match="the value of w must be a number .* got str: '2'"):
        parse("w*x", w="2", x=1)
    with pytest.raises(TypeError, match="the value of w must be a number .* got bool"):
        parse("w*x", w=True, x=1)
    with pytest.raises(TypeError, match="expression must be a str such as 'w\\*x \\+ b', got int"):
        parse(42)


# text that must be refused before anything runs: (text, what the message says)
HOSTILE = [
    ("import os", "not an expression"),
    ("__import__('os').environ.setdefault('CHAINRULE_PWNED', '1')", "only these functions can be called"),
    ("__import__('os')", "only these functions can be called: exp, log, tanh, relu, sigmoid, sigmoid_fused"),
    ("exec('import os')", "only these functions can be called"),
    ("open('/etc/passwd')", "only these functions can be called"),
    ("x.__class__.__bases__[0].__subclasses__()", "only these functions can be called"),
    ("x.__class__", "attribute access"),
    ("exp.__globals__", "attribute access"),
    ("(lambda: 1)()", "only these functions can be called"),
    ("lambda: x", "a lambda is not allowed"),
    ("x[0]", "a subscript"),
    ("[x for x in (1, 2)]", "a comprehension"),
    ("sum(x for x in (1, 2))", "only these functions can be called"),
    ("(y := 2)", "an assignment expression"),
    ("f'{x}'", "an f-string"),
    ("'a' * 3", "a constant of type str"),
    ("b'x'", "a constant of type bytes"),
    ("None", "a constant of type NoneType"),
    ("True + x", "a constant of type bool"),
    ("1j * x", "a constant of type complex"),
    ("x if x else 1", "a conditional"),
    ("x < 1", "a comparison"),
    ("x and 1", "and / or"),
    ("x // 2", "the operator //"),
    ("x % 2", "the operator %"),
    ("x @ x", "the operator @"),
    ("~x", "the operator ~"),
    ("not x", "the operator not"),
    ("*x", "unpacking"),
    ("(x, x)", "Tuple syntax is not allowed"),
    ("{1: x}", "Dict syntax is not allowed"),
    ("exp(x, x)", "exp takes 1 positional argument"),
    ("exp(x=1)", "exp takes 1 positional argument"),
    ("max(x)", "max takes 2 positional arguments"),
    ("elu(x, x)", "elu's alpha must be a number"),
    ("exp", "exp is a function: call it"),
    ("q * x", "the name q has no value: give one, parse\\(..., q=1.0\\)"),
    ("__builtins__", "the name __builtins__ has no value"),
    ("x; import os", "has 2 statements"),
    ("x\nimport os", "has 2 statements"),
    ("f = g = x", "not an expression"),
    ("x = x + 1", "the result's name 'x' is also an input"),
    ("x += 1", "not an expression"),
    ("x +", "is not a formula \\(invalid syntax"),
    ("", "the expression is empty"),
    ("   ", "the expression is empty"),
    ("x\x00", "is not a formula"),
    ("x" * (MAX_LENGTH + 1), f"{MAX_LENGTH + 1:,} characters, more than the {MAX_LENGTH:,} allowed"),
    ("(" * 10_000, "10,000 characters"),
    ("(" * 150 + "x" + ")" * 150, f"parentheses nested 150 deep, more than the {MAX_DEPTH} allowed"),
    ("exp(" * 120 + "x" + ")" * 120, "parentheses nested 120 deep"),
    ("-" * 500 + "x", f"nested more than {MAX_DEPTH} deep"),
    ("x" + "+x" * 150, f"nested more than {MAX_DEPTH} deep"),
    ("x ** x", "exponent must be a number"),
    ("2 ** (x ** (1 + x))", "exponent must be a number"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[repr(t[:30]) for t, _ in HOSTILE])
def test_hostile_text_is_refused_before_anything_runs(text, message, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError(f"{text!r} started building a graph")

    monkeypatch.setattr(autograd.expression, "_build", never)  # the checks come first, all of them
    monkeypatch.setattr(autograd.engine, "_node", never)  # no op node is ever made
    monkeypatch.delenv("CHAINRULE_PWNED", raising=False)
    with pytest.raises(ValueError, match=message) as error:
        parse(text, x=1.0)
    assert isinstance(error.value, ParseError)
    assert len(str(error.value)) < 400  # one line a learner can read, even for 10,000 characters of input
    assert "\n" not in str(error.value)
    assert "CHAINRULE_PWNED" not in os.environ


def test_the_allowed_text_passes_the_same_guard(monkeypatch):
    built = []
    real = autograd.expression._build
    monkeypatch.setattr(autograd.expression, "_build", lambda *args: built.append(1) or real(*args))
    assert parse("-" * 99 + "x", x=1.0).data == -1.0  # 99 unary minuses: within the nesting limit
    assert built
