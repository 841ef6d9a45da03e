"""Lecture 9-1's gates: hand-set AND, OR, NAND units, XOR from three of them, and one trained unit per gate."""
import math

import numpy as np
import pytest

from autograd import topological_order
from autograd.nn import predict
from autograd.lab.gates import GATES, TRUTH_TABLES, gate, gate_data, single_units
from conftest import sigmoid
from viz.examples import EXAMPLES, find

CORNERS = [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.parametrize("name", ["AND", "OR", "NAND"])
def test_each_hand_set_unit_has_its_truth_table(name):
    outputs = [gate(name, x1, x2) for x1, x2 in CORNERS]
    assert [int(out > 0.5) for out in outputs] == list(TRUTH_TABLES[name])
    errors = [abs(out - truth) for out, truth in zip(outputs, TRUTH_TABLES[name])]
    assert max(errors) == pytest.approx(sigmoid(-5), rel=1e-12)  # the nearest corners: |z| = 5


def test_nand_is_one_minus_and():
    for x1, x2 in CORNERS:
        assert gate("NAND", x1, x2) == pytest.approx(1 - gate("AND", x1, x2), abs=1e-15)


def test_xor_gates_example_is_xor_and_its_units_are_scoped():
    outputs = [EXAMPLES["xor_gates"](x1, x2).data for x1, x2 in CORNERS]
    assert [int(out > 0.5) for out in outputs] == list(TRUTH_TABLES["XOR"])
    s5 = sigmoid(5)
    assert outputs[1] == pytest.approx(sigmoid(20 * s5 - 15), abs=1e-12)  # σ(10·nand + 10·or − 15)
    root = EXAMPLES["xor_gates"](0, 1)
    scopes = {node.scope for node in topological_order(root)}
    assert scopes == {"", "NAND", "OR", "AND"}
    assert find(root, "nand").scope == "NAND" and find(root, "or.w1").data == GATES["OR"][0]
    assert find(root, "x1").scope == "" and root.label == "xor" and root.scope == "AND"


def test_xor_gates_gradients_by_hand():
    root = EXAMPLES["xor_gates"](0, 1)
    root.backward()
    s = sigmoid(root.parents[0].data)
    d_and = s * (1 - s)  # σ′ of the AND unit
    nand = find(root, "nand")
    assert find(root, "and.w1").grad == pytest.approx(d_and * nand.data, rel=1e-12)
    d_nand = nand.data * (1 - nand.data)
    assert find(root, "nand.b").grad == pytest.approx(d_and * 10 * d_nand, rel=1e-12)
    assert find(root, "x1").grad == pytest.approx(0.0, abs=1e-15)  # −10·σ′ via NAND and +10·σ′ via OR cancel


def test_gate_data_orders_corners_as_the_lab():
    X, y = gate_data("OR")
    assert X.tolist() == [list(c) for c in CORNERS] and y.tolist() == [0, 1, 1, 1]


@pytest.fixture(scope="module")
def trained():
    return single_units(steps=1500)


def test_one_unit_learns_and_and_or(trained):
    for name in ("AND", "OR"):
        run = trained.runs[name]
        assert run.train_accuracy == 1.0 and run.train_cost < 0.02, name
        w1, w2, b = trained.config["lines"][name]
        X, y = gate_data(name)
        assert ((X @ [w1, w2] + b > 0) == (y == 1)).all()  # its line separates the corners


def test_one_unit_on_xor_stays_at_ln2(trained):
    run = trained.runs["XOR"]
    assert run.train_cost == pytest.approx(math.log(2), abs=1e-4)
    assert run.train_accuracy <= 0.5  # the outputs are ½ to rounding: no better than a coin
    assert np.allclose(predict(run.model, gate_data("XOR")[0]), 0.5, atol=1e-12)
    w1, w2, b = trained.config["lines"]["XOR"]
    assert max(abs(w1), abs(w2), abs(b)) < 1e-3  # the best one unit can do: ½ everywhere


def test_plots_of_the_decision_lines(trained):
    from viz.gate_plots import plot_gate_lines, plot_trained_units

    fig = plot_gate_lines()
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if len(line.get_xdata())]
    assert len(lines) == 3  # AND, OR, NAND
    or_line = lines[1]
    x, y = np.asarray(or_line.get_xdata()), np.asarray(or_line.get_ydata())
    assert np.allclose(10 * x + 10 * y - 5, 0)  # OR's line: 10·x1 + 10·x2 − 5 = 0
    fig = plot_trained_units(trained)
    assert len(fig.axes) == 3
    xor_axes = fig.axes[2]
    assert not [line for line in xor_axes.get_lines() if len(line.get_xdata())]  # w ≈ 0: no line drawn
    assert "0.6931" in xor_axes.get_title()


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="XNOR"):
        gate("XNOR", 0, 1)
    with pytest.raises(ValueError, match="truth"):
        gate_data("NOR")
