"""autograd.nn's building blocks: modules, weights in the lab's x @ W convention, activations, init, dropout."""
import math
from functools import partial

import numpy as np
import pytest

from autograd import Value, gradcheck, topological_order
from autograd.compiled import DropoutMask
from autograd.nn import (ACTIVATIONS, INITS, MLP, Dropout, Ensemble, Layer, MaxoutNeuron, Module, Neuron, bce,
                         get_activation, he, normal, uniform, xavier)
from conftest import sigmoid

W1, B1 = [[5, -7], [5, -7]], [-8, 3]
W2, B2 = [[-11], [-11]], [6]


def test_mlp_shape_like_micrograd():
    model = MLP(3, [4, 4, 1], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [4, 4, 1]
    assert all(len(n.w) == 3 for n in model.layers[0].neurons)
    assert len(model.parameters()) == (3 * 4 + 4) + (4 * 4 + 4) + (4 + 1)
    assert len(model.weights()) == 3 * 4 + 4 * 4 + 4  # no biases
    out = model([1.0, -2.0, 0.5])
    assert isinstance(out, Value)  # one output unit: a single Value, as micrograd
    assert isinstance(MLP(2, [3, 2], seed=0)([1, 2]), list)


def test_mlp_accepts_values_and_numpy_rows():
    model = MLP(2, [2, 1], seed=1)
    x = [Value(0.5), Value(-1.0)]
    out = model(x)
    out.backward()
    assert out.data == model(np.array([0.5, -1.0])).data
    assert x[0].grad != 0.0  # the inputs are part of the graph


def test_from_weights_is_the_lab_matrix_convention():
    model = MLP.from_weights([W1, W2], [B1, B2], activation="sigmoid")
    # W[i][j] connects input i to unit j: neuron j of layer 1 holds column j
    assert [w.data for w in model.layers[0].neurons[1].w] == [-7.0, -7.0]
    assert model.layers[0].neurons[1].b.data == 3.0
    Ws, bs = model.get_weights()
    np.testing.assert_array_equal(Ws[0], W1)
    np.testing.assert_array_equal(Ws[1], W2)
    np.testing.assert_array_equal(bs[0], B1)
    np.testing.assert_array_equal(bs[1], B2)
    named = model.named_weights()
    assert list(named) == ["W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(named["W1"], W1)


def test_hand_set_outputs_by_hand():
    model = MLP.from_weights([W1, W2], [B1, B2], activation="sigmoid")
    for x1, x2 in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        h1, h2 = sigmoid(5 * x1 + 5 * x2 - 8), sigmoid(-7 * x1 - 7 * x2 + 3)
        assert model([x1, x2]).data == pytest.approx(sigmoid(-11 * h1 - 11 * h2 + 6), rel=1e-12)


def test_set_weights_keeps_the_same_values():
    model = MLP(2, [2, 1], seed=0)
    params = model.parameters()
    model.set_weights([W1, W2], [B1, B2])
    assert model.parameters() == params  # same objects: an optimizer built earlier still holds them
    assert model([1, 0]).data == pytest.approx(MLP.from_weights([W1, W2], [B1, B2])([1, 0]).data, rel=1e-15)
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        model.set_weights([np.zeros((3, 2)), W2], [B1, B2])
    with pytest.raises(ValueError, match="2 layers"):
        model.set_weights([W1], [B1])


def test_from_weights_checks_shapes():
    with pytest.raises(ValueError, match="rows"):
        MLP.from_weights([W1, [[1.0]] * 3], [B1, [0.0]])
    with pytest.raises(ValueError, match="one bias vector per weight matrix"):
        MLP.from_weights([W1, W2], [B1])


def test_labels_and_scopes_for_the_renderer():
    model = MLP.from_weights([W1, W2], [B1, B2])
    assert model.layers[0].neurons[1].w[0].label == "W1[0,1]"
    assert model.layers[0].neurons[1].b.label == "b1[1]"
    assert model.layers[1].neurons[0].w[1].label == "W2[1,0]"
    assert model.layers[0].neurons[1].w[0].scope == "layer1/neuron1"
    out = model([0.0, 1.0])
    scopes = {node.scope for node in topological_order(out) if node.op}
    assert scopes == {"layer1/neuron0", "layer1/neuron1", "layer2/neuron0"}
    assert out.scope == "layer2/neuron0"


def test_mlp_gradients_match_central_differences():
    # ∂bce/∂(every parameter) of a 2-3-1 tanh/sigmoid net on two points
    X, y = [[0.3, -1.2], [1.5, 0.4]], [1.0, 0.0]
    model = MLP(2, [3, 1], activation="tanh", output="sigmoid", bias_init="normal", seed=3)

    def cost():
        return bce([model(x) for x in X], y)

    model.zero_grad()
    cost().backward()
    eps = 1e-6
    for p in model.parameters():
        p.data += eps
        up = cost().data
        p.data -= 2 * eps
        down = cost().data
        p.data += eps
        assert p.grad == pytest.approx((up - down) / (2 * eps), abs=1e-8)


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", sigmoid(0.7)), ("sigmoid_fused", sigmoid(0.7)), ("tanh", math.tanh(0.7)), ("relu", 0.7),
    ("leaky_relu", 0.7), ("elu", 0.7), ("identity", 0.7),
])
def test_activations_by_name_positive(name, expected):
    assert get_activation(name)(Value(0.7)).data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name, expected", [
    ("sigmoid", sigmoid(-2.0)), ("tanh", math.tanh(-2.0)), ("relu", 0.0), ("leaky_relu", -0.2),
    ("elu", math.expm1(-2.0)), ("identity", -2.0),
])
def test_activations_by_name_negative(name, expected):
    assert get_activation(name)(Value(-2.0)).data == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if n != "maxout"])
def test_activation_gradients(name):
    f = get_activation(name)
    for x in (-1.3, 0.4, 2.2):
        assert gradcheck(f, [x]).ok()


def test_activation_parameters_and_unknown_names():
    assert get_activation(partial(ACTIVATIONS["elu"], alpha=0.5))(Value(-1.0)).data == pytest.approx(
        0.5 * math.expm1(-1.0))
    assert ACTIVATIONS["leaky_relu"](Value(-3.0), slope=0.2).data == pytest.approx(-0.6)
    with pytest.raises(ValueError, match="sigmoid, sigmoid_fused, tanh, relu, leaky_relu, elu, maxout, identity"):
        get_activation("swish")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        MLP(2, [2, 1], activation="swish")


def test_sigmoid_composed_and_fused_agree():
    composed = MLP(2, [3, 1], activation="sigmoid", seed=5)
    fused = MLP(2, [3, 1], activation="sigmoid_fused", seed=5)
    a, b = composed([0.2, -0.9]), fused([0.2, -0.9])
    a.backward()
    b.backward()
    assert a.data == pytest.approx(b.data, rel=1e-14)
    for p, q in zip(composed.parameters(), fused.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-10, abs=1e-15)
    assert len(topological_order(a)) > len(topological_order(b))  # 4 op nodes per σ instead of 1


def test_maxout_unit_is_max_of_its_pieces():
    W = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])  # (nin=2, pieces=3)
    b = np.array([0.0, 4.0, 1.0])
    unit = MaxoutNeuron(2, pieces=3, weights=W, bias=b)
    x = [0.5, 2.0]
    pieces = np.array(x) @ W + b  # [6.5, 5.0, -0.75]
    out = unit(x)
    assert out.data == max(pieces)
    out.backward()
    assert [w.grad for w in unit.w[0]] == x  # the gradient flows to the winning piece only
    assert [w.grad for w in unit.w[1]] == [0.0, 0.0]
    assert unit.b[0].grad == 1.0 and unit.b[2].grad == 0.0


def test_maxout_layer_in_an_mlp():
    model = MLP(2, [4, 1], activation="maxout", output="sigmoid", pieces=3, seed=0)
    assert isinstance(model.layers[0].neurons[0], MaxoutNeuron)
    assert len(model.parameters()) == 4 * 3 * (2 + 1) + (4 + 1)
    Ws, bs = model.get_weights()
    assert Ws[0].shape == (2, 4, 3) and bs[0].shape == (4, 3)
    x = np.array([0.3, -0.8])
    hidden = np.max(np.einsum("i,ijp->jp", x, Ws[0]) + bs[0], axis=1)
    assert model(x).data == pytest.approx(sigmoid(hidden @ Ws[1][:, 0] + bs[1][0]), rel=1e-12)
    clone = MLP.from_weights(Ws, bs, activation="maxout", output="sigmoid")
    assert clone(x).data == model(x).data
    with pytest.raises(ValueError, match="pieces >= 2"):
        MaxoutNeuron(2, pieces=1)
    with pytest.raises(ValueError, match="MaxoutNeuron"):
        Neuron(2, activation="maxout")


@pytest.mark.parametrize("init, std", [
    (normal, lambda fan_in: 1.0), (uniform, lambda fan_in: 1 / math.sqrt(3)),
    (xavier, lambda fan_in: 1 / math.sqrt(fan_in)), (he, lambda fan_in: math.sqrt(2 / fan_in)),
])
def test_init_scheme_std(init, std):
    fan_in, fan_out = 400, 500
    W = init(fan_in, fan_out, np.random.default_rng(0))
    assert W.shape == (fan_in, fan_out)
    assert W.std() == pytest.approx(std(fan_in), rel=0.01)  # 200,000 draws: the estimate is good to ~0.2%
    assert abs(W.mean()) < 0.01 * std(fan_in)


def test_init_by_name_and_seed():
    assert set(INITS) >= {"normal", "uniform", "xavier", "he"}
    a, b = MLP(2, [5, 1], init="he", seed=7), MLP(2, [5, 1], init="he", seed=7)
    np.testing.assert_array_equal(a.get_weights()[0][0], b.get_weights()[0][0])
    assert not np.array_equal(a.get_weights()[0][0], MLP(2, [5, 1], init="he", seed=8).get_weights()[0][0])
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(a.get_weights()[0][0], he(2, 5, rng))  # layer 1's W is the first draw
    np.testing.assert_array_equal(a.get_weights()[1][0], np.zeros(5))  # zero biases by default
    assert np.all(MLP(2, [5, 1], bias_init="normal", seed=0).get_weights()[1][0] != 0)
    assert np.all(np.abs(MLP(2, [50], init="uniform", seed=1).get_weights()[0][0]) <= 1)
    with pytest.raises(ValueError, match="normal, uniform, xavier, he"):
        MLP(2, [1], init="glorot")
    with pytest.raises(ValueError, match="either seed= or rng="):
        MLP(2, [1], seed=1, rng=np.random.default_rng(1))


def test_dropout_train_and_eval():
    drop = Dropout(0.5, seed=0)
    xs = [Value(1.0) for _ in range(4000)]
    out = drop(xs)
    values = np.array([v.data for v in out])
    assert set(values) == {0.0, 2.0}  # dropped, or kept and scaled by 1/(1 − p)
    mask = out[0].parents[1]  # x × mask: the mask is a leaf a compiled tape re-draws per example
    assert out[0].op == "mul" and isinstance(mask, DropoutMask) and mask.p == 0.5 and mask.data == values[0]
    assert (values == 0).mean() == pytest.approx(0.5, abs=0.03)
    assert values.mean() == pytest.approx(1.0, abs=0.06)  # the expected value is unchanged
    drop.eval()
    assert drop(xs) == xs  # identity in eval mode
    again = Dropout(0.5, seed=0)(xs)
    np.testing.assert_array_equal([v.data for v in again], values)  # seeded masks repeat
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"\[0, 1\)"):
            Dropout(p)


def test_dropout_gradient_goes_through_kept_units_only():
    xs = [Value(3.0) for _ in range(10)]
    out = Dropout(0.3, seed=2)(xs)
    total = out[0]
    for v in out[1:]:
        total = total + v
    total.backward()
    for x, o in zip(xs, out):
        assert x.grad == (1 / 0.7 if o.data else 0.0)


def test_mlp_dropout_option_and_train_eval():
    model = MLP(2, [50, 50, 1], activation="relu", output="sigmoid", dropout=0.5, seed=0)
    assert len([d for d in model.dropouts if d]) == 2
    assert model.training and all(d.training for d in model.dropouts)
    x = [0.4, -0.3]
    train_outs = {model(x).data for _ in range(5)}
    assert len(train_outs) > 1  # a new mask every forward pass
    model.eval()
    assert not any(layer.training for layer in model.layers)
    assert len({model(x).data for _ in range(3)}) == 1
    plain = MLP.from_weights(*model.get_weights(), activation="relu", output="sigmoid")
    assert model(x).data == plain(x).data  # eval mode: dropout is the identity
    assert model.train() is model and model.training


def test_zero_grad_and_module_base():
    model = MLP(2, [2, 1], seed=0)
    model([1, 1]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert Module().parameters() == []


def test_ensemble_averages_members():
    members = [MLP(2, [3, 1], seed=s) for s in range(3)]
    ens = Ensemble(members)
    x = [0.2, 0.9]
    assert ens(x).data == pytest.approx(np.mean([m(x).data for m in members]), rel=1e-14)
    assert len(ens.parameters()) == 3 * len(members[0].parameters())
    ens.eval()
    assert not any(m.training for m in members)
    multi = Ensemble([MLP(2, [2], seed=s) for s in range(2)])
    assert [v.data for v in multi(x)] == pytest.approx(
        [np.mean([m(x)[j].data for m in multi.models]) for j in range(2)])
    with pytest.raises(ValueError, match="at least one model"):
        Ensemble([])


def test_layer_errors():
    layer = Layer(3, 2, seed=0)
    assert layer.name == "layer1" and len(layer([1, 2, 3])) == 2
    with pytest.raises(ValueError, match="layer1 takes 3 inputs, got 2"):
        layer([1, 2])
    with pytest.raises(ValueError, match="positive int"):
        MLP(0, [1])
    with pytest.raises(ValueError, match="positive int"):
        MLP(2, [2, 0])


def test_in_mode_switches_for_the_block_and_restores_even_on_error():
    model = MLP(2, [3, 1], dropout=0.5, seed=0)
    with model.in_mode(False):
        assert not model.training and not any(m.training for m in model.children())
    assert model.training and all(m.training for m in model.children())
    model.eval()
    with pytest.raises(RuntimeError), model.in_mode(True):
        assert model.training
        raise RuntimeError
    assert not model.training
