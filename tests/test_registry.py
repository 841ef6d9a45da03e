"""The one op registry: every per-op table is keyed by PRIMITIVES' identifiers and covers exactly them."""
import pytest

from autograd import PRIMITIVES, Value
from autograd.compiled import NUMPY_PRIMITIVES
from viz.notation import op_text
from viz.steps import forward_steps


def test_identifiers_are_names_without_slash_or_symbols():
    # TensorBoard splits names at "/", so an identifier must be a plain word; the symbol is for display
    assert all(name.isidentifier() for name in PRIMITIVES)
    assert [PRIMITIVES[name].name for name in PRIMITIVES] == list(PRIMITIVES)


def test_numpy_table_covers_exactly_the_registry():
    assert set(NUMPY_PRIMITIVES) == set(PRIMITIVES), (
        "NUMPY_PRIMITIVES (autograd/compiled/rows.py) needs one row per primitive")


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_every_primitive_has_notation(name):
    prim = PRIMITIVES[name]
    assert prim.symbol and prim.form.count("{0}") == 1
    assert ("{1}" in prim.form) == (prim.arity == 2)


@pytest.mark.parametrize("name, build, symbol, sentence", [
    ("add", lambda x: x + Value(2.0, label="y"), "+", "x + y"),
    ("mul", lambda x: x * Value(2.0, label="y"), "×", "x · y"),
    ("max", lambda x: x.maximum(Value(2.0, label="y")), "max", "max(x, y)"),
    ("pow", lambda x: x ** 2, "x²", "x^2"),
    ("exp", lambda x: x.exp(), "exp", "exp(x)"),
    ("log", lambda x: x.log(), "log", "ln(x)"),
    ("recip", lambda x: x.reciprocal(), "1/x", "1/x"),
    ("relu", lambda x: x.relu(), "ReLU", "relu(x)"),
    ("tanh", lambda x: x.tanh(), "tanh", "tanh(x)"),
    ("elu", lambda x: x.elu(), "ELU α=1", "elu(x, α=1)"),
    ("sigmoid", lambda x: x.sigmoid(fused=True), "σ", "σ(x)"),
])
def test_symbol_and_sentence_of_every_primitive(name, build, symbol, sentence):
    out = build(Value(3.0, label="x"))
    assert out.op == name and op_text(out) == symbol
    assert forward_steps(out, names={out: "out"})[-1].sentence.startswith(f"out = {sentence} = ")


def test_the_sentence_table_names_every_primitive():
    # the parametrized list above must grow with PRIMITIVES
    names = [p[0] for p in test_symbol_and_sentence_of_every_primitive.pytestmark[0].args[1]]
    assert sorted(names) == sorted(PRIMITIVES)


def test_the_composed_sigmoid_is_recognized_where_it_is_built():
    from autograd.engine import sigmoid_parts

    z = Value(0.5, "z")
    out = z.sigmoid()
    z_found, neg, exp, plus = sigmoid_parts(out)
    assert z_found is z and (neg.op, exp.op, plus.op, out.op) == ("mul", "exp", "add", "recip")
    assert sigmoid_parts(z.sigmoid(fused=True)) is None
    assert sigmoid_parts(((z * -2).exp() + 1).reciprocal()) is None  # not −1: another function
    assert sigmoid_parts(((z * -1).exp() + 2).reciprocal()) is None
    local = out.local_grads[0] * plus.local_grads[0] * exp.local_grads[0] * neg.local_grads[0]
    assert abs(local - out.data * (1 - out.data)) < 1e-15  # the four local gradients multiply to σ(1 − σ)
