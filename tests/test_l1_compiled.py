"""L1 regularization in the compiled step: the eager step's numbers, including |w|'s derivative at w = 0."""
import numpy as np
import pytest

from autograd import Value
from autograd.compiled import Tape
from autograd.lab.data import moons, spirals
from autograd.nn import MLP, fit, tape_status
from autograd.nn.losses import l1


def test_the_penalty_tape_takes_the_engines_derivative_of_abs_at_zero():
    weights = [Value(0.0), Value(2.0), Value(-3.0), Value(-0.0)]
    eager = l1(weights, 0.1)
    eager.backward()
    expected = [w.grad for w in weights]
    assert expected == [0.0, 0.1, -0.1, 0.0]  # max(w, −w) at a tie: ½·1 + ½·(−1)
    for w in weights:
        w.grad = 0.0
    total = Tape(l1(weights, 0.1), [], params=weights).sum(np.empty((1, 0)))
    assert total == pytest.approx(0.5, abs=1e-15)
    assert [w.grad for w in weights] == expected


def three_inputs_with_a_zero_column():
    """Moons with a third, all-zero column: a weight on it gets no gradient from the loss, only from L1."""
    X, y = moons(60, 0.1, seed=1)
    return np.column_stack([X, np.zeros(len(X))]), y


def net_with_zero_weights():
    model = MLP(3, [8, 1], activation="tanh", output="sigmoid", seed=3)
    model.layers[0].neurons[0].w[2].data = 0.0  # on the zero column: stays 0 only if d|w|/dw = 0 at 0
    model.layers[0].neurons[1].w[0].data = 0.0  # on a real column: the loss moves it off 0
    return model


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_compiled_and_auto_match_eager_to_1e_12(optimizer):
    X, y = three_inputs_with_a_zero_column()
    runs = {}
    for mode in ("eager", "compiled", "auto"):
        model = net_with_zero_weights()
        history = fit(model, X, y, optimizer=optimizer, lr=0.05, steps=40, l1=0.01, l2=0.001, mode=mode)
        runs[mode] = model, np.array(history.cost)
    eager, eager_cost = runs["eager"]
    assert eager.layers[0].neurons[0].w[2].data == 0.0
    assert eager.layers[0].neurons[1].w[0].data != 0.0
    for mode in ("compiled", "auto"):
        model, cost = runs[mode]
        assert model.layers[0].neurons[0].w[2].data == 0.0
        np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in eager.parameters()],
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(cost, eager_cost, rtol=0, atol=1e-12)
    assert eager_cost[-1] < eager_cost[0]


def test_auto_chooses_the_compiled_step_for_an_l1_run():
    X, y = three_inputs_with_a_zero_column()
    model = net_with_zero_weights()
    fit(model, X, y, lr=0.1, steps=3, l1=0.01)
    status = tape_status(model)
    assert status["fit bce (training)"].startswith("compiled: Tape(")
    assert status["l1 penalty λ=0.01"].startswith("compiled: Tape(") and "32 parameters" in status["l1 penalty λ=0.01"]
    assert not any(key.startswith("l2") for key in status)


def test_three_classes_with_l1_compiled_as_eager():
    X, y = spirals(45, classes=3, seed=2)
    models = {mode: MLP(2, [6, 3], activation="tanh", output="softmax", seed=5) for mode in ("eager", "compiled")}
    costs = {mode: fit(model, X, y, loss="cross_entropy", lr=0.5, steps=15, l1=0.02, mode=mode).cost
             for mode, model in models.items()}
    np.testing.assert_allclose(costs["compiled"], costs["eager"], rtol=0, atol=1e-12)
    np.testing.assert_allclose([p.data for p in models["compiled"].parameters()],
                               [p.data for p in models["eager"].parameters()], rtol=0, atol=1e-12)
    assert tape_status(models["compiled"])["l1 penalty λ=0.02"].startswith("compiled")
