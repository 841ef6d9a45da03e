"""autograd.lab.experiments: lecture 10's headline results, seeded, at budgets of a few seconds each.

The notebooks run the same functions with their default (larger) budgets.
"""
import math
import subprocess
import sys

import numpy as np
import pytest

from autograd.lab import experiments as E
from autograd.lab.data import xor
from autograd.engine import topological_order
from autograd.nn import MLP

LN2 = math.log(2)


@pytest.fixture(scope="module")
def vanishing():
    return E.vanishing_gradients(steps=300, inits=5, seed_sigmoid=0, seed_relu=1)


def test_deep_sigmoid_net_stays_at_ln2_with_accuracy_one_half(vanishing):
    run = vanishing.runs["sigmoid"]
    assert len(run.history) == 300
    assert abs(run.final_cost - LN2) < 1e-3
    assert max(run.history.cost) - min(run.history.cost) < 0.05  # it never got anywhere
    assert run.train_accuracy == 0.5


def test_deep_relu_net_learns_xor(vanishing):
    run = vanishing.runs["relu"]
    assert run.train_accuracy == 1.0
    assert run.final_cost < 0.05


def test_sigmoid_gradients_vanish_towards_the_input_relu_ones_do_not(vanishing):
    sig, relu = vanishing.layers["sigmoid"], vanishing.layers["relu"]
    assert len(sig) == len(relu) == 10  # 9 hidden layers and the output layer
    ratio = vanishing.config["grad_ratio"]
    assert ratio["sigmoid"] == pytest.approx(sig[0] / sig[-1])
    assert ratio["sigmoid"] < 1e-3              # layer 1 gets over 1000× less than the output layer
    assert ratio["relu"] > 1e-2
    assert ratio["relu"] / ratio["sigmoid"] > 100  # orders of magnitude apart
    # the sigmoid's shrink layer after layer: each layer gets less than the one after it, on average
    assert np.mean(np.diff(np.log10(sig)) > 0) >= 0.8


def test_layer_gradients_match_finite_differences():
    model = MLP(2, [3, 2, 1], activation="tanh", output="sigmoid", seed=4)
    X, y = xor()
    grads = E.layer_gradients(model, X, y)

    def cost():
        return E.cost_graph(model, X, y).data

    h = 1e-6
    for layer, mean_abs in zip(model.layers, grads):
        numeric = []
        for w in layer.weights():
            w.data += h
            up = cost()
            w.data -= 2 * h
            down = cost()
            w.data += h
            numeric.append(abs(up - down) / (2 * h))
        assert mean_abs == pytest.approx(np.mean(numeric), rel=1e-5)


def test_activation_spread_is_the_std_of_each_layers_outputs():
    Ws = [np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0]]), np.array([[2.0], [-1.0], [0.5]])]
    bs = [np.array([0.1, 0.0, -0.2]), np.array([0.3])]
    model = MLP.from_weights(Ws, bs, activation="relu", output="sigmoid")
    X = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5], [-1.0, 3.0]])
    h1 = np.maximum(X @ Ws[0] + bs[0], 0)
    out = 1 / (1 + np.exp(-(h1 @ Ws[1] + bs[1])))
    assert E.activation_spread(model, X) == pytest.approx([h1.std(), out.std()], rel=1e-12)


def test_sigmoid_trains_worst_of_the_six_activations():
    result = E.compare_activations(steps=400, seed=0)
    assert list(result.runs) == list(E.ACTIVATIONS_COMPARED)
    costs = {name: run.final_cost for name, run in result.runs.items()}
    assert max(costs, key=costs.get) == "sigmoid"
    assert costs["sigmoid"] > 0.6  # hardly moved from ln 2 in 400 steps of plain SGD
    for name in ("tanh", "relu", "leaky_relu", "elu", "maxout"):  # measured 0.27, 0.25, 0.25, 0.28, 0.057
        assert costs[name] < 0.3, name
        assert result.runs[name].train_accuracy > 0.85, name
        assert result.runs[name].test_accuracy > 0.8, name
    assert result.runs["sigmoid"].train_accuracy < 0.7
    # leaky ReLU (slope 0.1) differs from ReLU only for negative inputs: close to it, here slightly lower
    assert abs(costs["leaky_relu"] - costs["relu"]) < 0.02
    assert costs["maxout"] < 0.1  # two linear pieces per unit: the lowest
    for run in result.runs.values():  # train cost is the eval-mode cost, equal to the history's without dropout
        assert run.train_cost == pytest.approx(run.final_cost, abs=0.01)


def test_init_spread_explodes_with_normal_shrinks_with_xavier_and_holds_with_he():
    result = E.compare_inits(seed=0)
    normal, xavier, he = (result.layers[k] for k in ("normal", "xavier", "he"))
    assert len(normal) == 6  # one number per hidden layer
    assert normal[-1] / normal[0] > 10          # N(0, 1): × √(10/2) per ReLU layer
    assert xavier[-1] / xavier[0] < 0.6         # randn/√fan_in: ÷ √2 per ReLU layer
    assert 1 / 3 < he[-1] / he[0] < 3           # He: level
    runs = result.runs
    assert runs["normal"].history.cost[0] > 3 * LN2   # saturated output: confidently wrong on many points
    assert runs["he"].history.cost[0] < 1.0
    assert runs["he"].final_cost < runs["xavier"].final_cost
    assert runs["he"].final_cost < runs["normal"].final_cost
    assert runs["he"].test_accuracy >= max(runs["normal"].test_accuracy, runs["xavier"].test_accuracy)


def test_learning_rate_0_1_beats_0_01_on_xor():
    result = E.compare_learning_rates(lrs=(0.1, 0.01), steps=3000, seed=17)
    fast, slow = result.runs["lr=0.1"], result.runs["lr=0.01"]
    assert fast.final_cost < 0.2 and fast.train_accuracy == 1.0
    assert slow.final_cost > 0.6  # still on the plateau near ln 2
    # from the same start, the larger step is ahead at every checkpoint after the first few hundred steps
    for step in range(500, 3000, 500):
        assert fast.history.cost[step] < slow.history.cost[step]


def test_overfitting_gap_and_regularizers_narrow_it():
    result = E.overfitting(hidden=(10, 10), steps=300, seed=0)
    runs = result.runs
    assert set(runs) == {"plain", "dropout 0.3", "L2 0.01", "ensemble of 5"}
    plain = runs["plain"]
    assert plain.train_accuracy == 1.0 and plain.train_cost < 0.01  # it memorized 20 noisy points
    # first and train cost are eval-mode data costs on the same 20 points: the three single nets start equal
    assert runs["dropout 0.3"].first_cost == runs["L2 0.01"].first_cost == plain.first_cost
    assert runs["L2 0.01"].history.cost[0] > plain.first_cost  # the history includes the L2 penalty
    for name in ("dropout 0.3", "L2 0.01", "ensemble of 5"):
        assert runs[name].train_cost > plain.train_cost, name  # they fit the training points less tightly
    assert plain.gap > 0.15
    for name in ("dropout 0.3", "L2 0.01", "ensemble of 5"):
        assert runs[name].gap < plain.gap - 0.05, name
        assert runs[name].test_accuracy > plain.test_accuracy, name
    assert len(runs["ensemble of 5"].model.models) == 5
    assert len(runs["ensemble of 5"].history) == 300


def test_mode_is_passed_to_fit_and_modes_agree():
    eager = E.compare_learning_rates(lrs=(0.1,), steps=40, mode="eager")
    compiled = E.compare_learning_rates(lrs=(0.1,), steps=40, mode="compiled")
    assert eager.config["mode"] == "eager"
    np.testing.assert_allclose(eager.runs["lr=0.1"].history.cost, compiled.runs["lr=0.1"].history.cost, rtol=1e-9)
    with pytest.raises(ValueError, match="unknown mode"):
        E.compare_learning_rates(steps=1, mode="warp")


def test_report_is_a_table_with_every_run_and_the_time():
    result = E.compare_learning_rates(lrs=(0.1, 0.01), steps=20)
    rows = result.table()
    assert [row["run"] for row in rows] == ["lr=0.1", "lr=0.01"]
    assert rows[0]["train cost"] == result.runs["lr=0.1"].train_cost
    assert rows[0]["first cost"] == pytest.approx(result.runs["lr=0.1"].history.cost[0], rel=1e-9)
    lines = result.report().splitlines()
    assert lines[0].split() == ["run", "first", "cost", "train", "cost", "train", "acc", "seconds"]
    assert lines[1].startswith("lr=0.1 ") and lines[2].startswith("lr=0.01")
    assert lines[1].rstrip().endswith(f" {result.runs['lr=0.1'].seconds:.1f} s")  # a time carries its unit
    assert lines[-1] == f"learning rates: {result.seconds:.1f} s"
    assert set(result.histories()) == {"lr=0.1", "lr=0.01"}


def test_about_half_the_narrow_deep_relu_nets_learn_xor():
    """README: with He weights and zero biases, 7 of 16 seeds learn XOR within 400 steps (the rest die)."""
    X, y = xor()
    learned = []
    for seed in range(16):
        model = E.deep_xor_net("relu", "he", seed=seed)
        run = E._train(f"seed {seed}", model, X, y, lr=0.1, steps=400, seed=seed)
        if run.train_accuracy == 1.0:
            learned.append(seed)
    assert learned == [1, 3, 4, 8, 9, 14, 15]  # seed 1 is the notebook's


def test_neuron_weight_grads_is_each_neurons_mean_weight_gradient():
    X, y = xor()
    model = MLP(2, [3, 1], activation="tanh", output="sigmoid", seed=2)
    cost = E.cost_graph(model, X[1:2], y[1:2])
    grads = E.neuron_weight_grads(model, cost)
    assert len(grads) == 4  # 3 hidden neurons and the output
    scopes = [f"layer{l}/neuron{j}" for l, n in ((1, 3), (2, 1)) for j in range(n)]
    neurons = [n for layer in model.layers for n in layer.neurons]
    order = topological_order(cost)
    for (out, g), scope, neuron in zip(grads.items(), scopes, neurons):
        assert g == pytest.approx(np.mean([abs(w.grad) for w in neuron.weights()]))
        assert out.scope == scope and out is [node for node in order if node.scope == scope][-1]  # its output
        assert set(neuron.weights()) <= set(topological_order(out))


def test_the_lab_loads_without_matplotlib_or_viz():
    """The lab sits below viz: importing it loads neither matplotlib (plots are viz.plots') nor viz."""
    code = ("import sys, autograd.lab.experiments, autograd.lab.data, autograd.lab.tensorboard; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'viz')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert not hasattr(E, "plot_layers")  # moved to viz.plots
