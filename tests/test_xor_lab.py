"""Lecture 9's XOR lab, reproduced by number (lab 9-1: XOR with logistic regression, then a neural net).

The lab's setup: four points, sigmoid units, cost −mean(y·log h + (1 − y)·log(1 − h)), plain gradient
descent with learning rate 0.1 for 10,000 steps, weights from tf.random_normal (here N(0, 1), seeded).
"""
import math

import numpy as np
import pytest

from autograd.lab.data import xor
from autograd.nn import MLP, evaluate, fit, predict
from conftest import sigmoid

W1, B1 = [[5, -7], [5, -7]], [-8, 3]  # the lecture's hand-set net, in the lab's x @ W convention
W2, B2 = [[-11], [-11]], [6]


def test_hand_set_net_solves_xor():
    X, y = xor()
    model = MLP.from_weights([W1, W2], [B1, B2], activation="sigmoid")
    for (x1, x2), label in zip(X, y):
        hidden = model.layers[0]([x1, x2])
        # by hand: unit 1 is 5·x1 + 5·x2 − 8, unit 2 is −7·x1 − 7·x2 + 3 (e.g. σ(−8) and σ(3) for (0, 0))
        h1, h2 = sigmoid(5 * x1 + 5 * x2 - 8), sigmoid(-7 * x1 - 7 * x2 + 3)
        assert [v.data for v in hidden] == pytest.approx([h1, h2], rel=1e-14)
        out = model([x1, x2]).data
        assert out == pytest.approx(sigmoid(-11 * h1 - 11 * h2 + 6), rel=1e-14)
        assert round(out) == label
    outputs = predict(model, X)
    assert np.round(outputs).tolist() == [0, 1, 1, 0]
    # (0, 0): σ(−11·σ(−8) − 11·σ(3) + 6) = σ(−4.48) ≈ 0.011; (1, 1): hidden ≈ (σ(2), σ(−11)) → ≈ 0.024
    assert outputs[0] == pytest.approx(sigmoid(-11 * sigmoid(-8) - 11 * sigmoid(3) + 6))
    assert outputs[0] < 0.02 and outputs[3] < 0.03 and min(outputs[1], outputs[2]) > 0.99


def test_one_logistic_unit_cannot_learn_xor():
    X, y = xor()
    model = MLP(2, [1], activation="sigmoid", bias_init="normal", seed=0)  # W, b ~ tf.random_normal
    # At the optimum every output is 0.5 up to rounding, so which side of 0.5 each lands on (the accuracy) is
    # rounding noise (0.25 to 0.75); the eager step lands on the lab's 0.5, the compiled one may not.
    history = fit(model, X, y, lr=0.1, steps=10_000, mode="eager")
    assert round(history.cost[-1], 3) == round(math.log(2), 3) == 0.693  # the lab: cost 0.6931...
    assert history.accuracy[-1] == 0.5  # the lab: Accuracy 0.5
    np.testing.assert_allclose(predict(model, X), 0.5, atol=1e-3)  # the hypothesis is ≈ 0.5 everywhere
    cost, acc = evaluate(model, X, y)
    assert cost == pytest.approx(math.log(2), abs=1e-6)  # w = 0, b = 0 is the best a line can do


@pytest.mark.parametrize("seed, bias_init", [(17, "zeros"), (3, "normal")])
def test_two_layer_net_learns_xor(seed, bias_init):
    X, y = xor()
    model = MLP(2, [2, 1], activation="sigmoid", bias_init=bias_init, seed=seed)
    history = fit(model, X, y, lr=0.1, steps=10_000)
    assert len(history) == 10_000
    assert history.accuracy[-1] == 1.0
    assert history.cost[-1] < 0.05
    assert history.cost[0] > 0.6  # it starts near chance
    assert np.round(predict(model, X)).tolist() == [0, 1, 1, 0]


def stop_at_full_accuracy(step, model, history):
    return history.accuracy[-1] == 1.0


@pytest.mark.parametrize("hidden", [[10], [10, 10, 10]], ids=["wide 2-10-1", "deep 2-10-10-10-1"])
def test_wide_and_deep_nets_reach_full_accuracy(hidden):
    X, y = xor()
    model = MLP(2, hidden + [1], activation="sigmoid", seed=0)
    history = fit(model, X, y, lr=0.1, steps=10_000, callback=stop_at_full_accuracy)
    assert history.accuracy[-1] == 1.0 and len(history) < 10_000
    assert np.round(predict(model, X)).tolist() == [0, 1, 1, 0]
    assert history.cost[-1] < history.cost[0]
