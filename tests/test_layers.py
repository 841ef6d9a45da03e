"""viz.layers: Algorithms 6.3 and 6.4 with numpy match the scalar graph's values and gradients, line by line."""
import json
import math

import numpy as np
import pytest
import torch

from autograd.nn import MLP
from conftest import sigmoid
from viz import layer_steps
from viz.layers import format_layer_steps, layer_steps_data


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "sigmoid_fused"])
def test_every_line_matches_the_scalar_engine(activation):
    model = MLP(3, [4, 3, 1], activation=activation, output="sigmoid", init="xavier", seed=2)
    steps = layer_steps(model, [0.5, -1.0, 2.0], 1)
    assert len(steps) == 1 + 2 * 3 + 1 + 1 + 4 * 3  # h⁰, (a, h) per layer, J, g ← ∇ŷJ, four lines per layer
    for step in steps:
        assert step.error < 1e-12, step.line
        assert np.shape(step.engine) == np.shape(step.value)


def test_the_lines_come_in_the_books_order():
    steps = layer_steps(MLP(2, [2, 1], seed=0), [0, 1], 1)
    assert [s.line for s in steps] == [
        "h⁽⁰⁾ = x", "a⁽¹⁾ = b⁽¹⁾ + W⁽¹⁾ h⁽⁰⁾", "h⁽¹⁾ = f(a⁽¹⁾)", "a⁽²⁾ = b⁽²⁾ + W⁽²⁾ h⁽¹⁾", "h⁽²⁾ = f(a⁽²⁾)",
        "J = L(ŷ, y)", "g ← ∇ŷ J",
        "g ← ∇a⁽²⁾ J = g ⊙ f′(a⁽²⁾)", "∇b⁽²⁾ J = g", "∇W⁽²⁾ J = g h⁽¹⁾ᵀ", "g ← ∇h⁽¹⁾ J = W⁽²⁾ᵀ g",
        "g ← ∇a⁽¹⁾ J = g ⊙ f′(a⁽¹⁾)", "∇b⁽¹⁾ J = g", "∇W⁽¹⁾ J = g h⁽⁰⁾ᵀ", "g ← ∇h⁽⁰⁾ J = W⁽¹⁾ᵀ g"]
    assert [s.algorithm for s in steps].count("6.4") == 9


def test_the_numbers_are_pytorchs():
    model = MLP(2, [3, 1], activation="tanh", output="sigmoid", seed=1)
    x, y = [0.3, -0.7], 0.0
    steps = layer_steps(model, x, y)
    (W1, W2), (b1, b2) = model.get_weights()
    params = [torch.tensor(a.T, dtype=torch.float64, requires_grad=True) for a in (W1, W2)]
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in (b1, b2)]
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h1 = torch.tanh(biases[0] + params[0] @ xt)
    out = torch.sigmoid(biases[1] + params[1] @ h1)
    J = torch.nn.functional.binary_cross_entropy(out, torch.tensor([y], dtype=torch.float64))
    J.backward()
    by_name = {s.name: s.value for s in steps}
    assert by_name["J"][0] == pytest.approx(J.item(), abs=1e-12)
    assert np.allclose(by_name["∇W⁽¹⁾ J"], params[0].grad.numpy(), atol=1e-12)
    assert np.allclose(by_name["∇b⁽²⁾ J"], biases[1].grad.numpy(), atol=1e-12)
    assert np.allclose(steps[-1].value, xt.grad.numpy(), atol=1e-12)  # the last g is ∇x J


def test_the_lectures_xor_net_and_its_gradient_on_w():
    net = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
    steps = layer_steps(net, [0, 1], 1)
    a1 = next(s for s in steps if s.name == "a⁽¹⁾")
    assert a1.value.tolist() == [-3.0, -4.0]  # b + W h: (−8 + 5, 3 − 7)
    grad_W1 = next(s for s in steps if s.name == "∇W⁽¹⁾ J")
    assert grad_W1.value.shape == (2, 2) and grad_W1.value[:, 0].tolist() == [0.0, 0.0]  # x1 = 0 passes nothing
    h = sigmoid(-11 * sigmoid(-3) - 11 * sigmoid(-4) + 6)  # the output unit at x = (0, 1)
    assert steps[5].value[0] == pytest.approx(-math.log(h), abs=1e-12)


def test_parameter_grads_are_left_as_they_were():
    model = MLP(2, [2, 1], seed=0)
    for k, p in enumerate(model.parameters()):
        p.grad = 0.1 * k
    layer_steps(model, [1, 0], 0)
    assert [p.grad for p in model.parameters()] == [0.1 * k for k in range(len(model.parameters()))]


def test_text_and_data_views():
    steps = layer_steps(MLP(2, [2, 1], seed=0), [0, 1], 1)
    text = format_layer_steps(steps)
    assert text.count("Algorithm 6.4") == 9 and text.count("Algorithm 6.3") == 6
    assert text.count("✓") == len(steps) and "✗" not in text
    assert "W⁽²⁾ᵀ g" in text and "f′(a⁽¹⁾) =" in text
    data = json.loads(json.dumps(layer_steps_data(steps)))
    assert len(data) == len(steps)
    weights = next(d for d in data if d["name"] == "∇W⁽¹⁾ J")
    assert np.shape(weights["value"]) == (2, 2) and len(weights["nodes"]) == len(weights["ids"]) == 4
    assert weights["nodes"][:2] == ["W1[0,0]", "W1[1,0]"] and all(i.startswith("n") for i in weights["ids"])


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="2 entries"):
        layer_steps(MLP(2, [2, 1], seed=0), [1, 2, 3], 1)
    with pytest.raises(ValueError, match="maxout"):
        layer_steps(MLP(2, [2, 1], activation="maxout", output="sigmoid", seed=0), [1, 2], 1)
    with pytest.raises(ValueError, match="one output unit"):
        layer_steps(MLP(2, [2, 2], seed=0), [1, 2], 1)
    with pytest.raises(TypeError, match="MLP"):
        layer_steps(lambda x: x, [1, 2], 1)


def test_the_page_data_lights_every_line_of_the_algorithms():
    from viz.layers import ALGORITHM, layers_page

    text = layers_page(MLP(2, [3, 2, 1], seed=0), [0.5, 1], 0, loss="mse")
    data = json.loads(text.split('id="chainrule-layers-data">')[1].split("</script>")[0])
    lines = {line_id for line_id, indent, line in ALGORITHM if line_id not in (None, "for")}
    ids = [step["id"] for step in data["steps"]]
    assert set(ids) == lines and ids.count("slope") == ids.count("down") == 3  # one of each per layer, l = 3
    assert ids[:3] == ["x", "a", "h"] and ids[7:10] == ["J", "g", "slope"]  # h⁽⁰⁾, then (a, h) for 3 layers
    assert data["subtitle"] == "a 2-3-2-1 net (sigmoid) at x = (0.5, 1), y = 0, loss mse"
