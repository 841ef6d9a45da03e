"""viz.plots: the figures hold the numbers they should (curves = the history, boundary = where output = 0.5)."""
import io
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from autograd.lab.data import moons, xor  # noqa: E402
from autograd.nn import MLP, fit, predict  # noqa: E402
from viz.plots import plot_decision_boundary, plot_history, plot_layers  # noqa: E402

HAND_SET = ([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]])


@pytest.fixture(scope="module")
def histories():
    X, y = xor()
    return {name: fit(MLP(2, hidden + [1], seed=0), X, y, steps=40, lr=0.5)
            for name, hidden in (("2-2-1", [2]), ("2-4-1", [4]))}


def png_bytes(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_history_curves_are_the_history(histories):
    h = histories["2-2-1"]
    fig = plot_history(h)
    cost_ax, acc_ax = fig.axes
    np.testing.assert_array_equal(cost_ax.lines[0].get_ydata(), h.cost)
    np.testing.assert_array_equal(cost_ax.lines[0].get_xdata(), np.arange(40))
    np.testing.assert_array_equal(acc_ax.lines[0].get_ydata(), h.accuracy)
    assert (cost_ax.get_ylabel(), acc_ax.get_ylabel(), cost_ax.get_xlabel()) == ("cost", "accuracy", "step")
    assert png_bytes(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_several_runs_share_the_axes(histories):
    fig = plot_history(histories, metrics="cost", logy=True, title="XOR")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["2-2-1", "2-4-1"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2-2-1", "2-4-1"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), histories["2-4-1"].cost)
    assert ax.get_yscale() == "log" and fig._suptitle.get_text() == "XOR"
    listed = plot_history(list(histories.values()))
    assert [line.get_label() for line in listed.axes[0].lines] == ["run 0", "run 1"]
    plain = plot_history({"cost": [3.0, 2.0, 1.0], "accuracy": [0.5, 0.75, 1.0]})
    np.testing.assert_array_equal(plain.axes[1].lines[0].get_ydata(), [0.5, 0.75, 1.0])


def test_history_errors(histories):
    with pytest.raises(TypeError, match="History"):
        plot_history([1, 2, 3])
    with pytest.raises(ValueError, match="no 'loss'"):
        plot_history(histories["2-2-1"], metrics=("loss",))


def boundary_vertices(fig, level):
    ax = fig.axes[0]
    (lines,) = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    assert list(lines.levels) == [level]
    return np.concatenate([p.vertices for p in lines.get_paths() if len(p.vertices)])


def test_decision_boundary_of_the_hand_set_net():
    X, y = xor()
    model = MLP.from_weights(*HAND_SET)
    fig = plot_decision_boundary(model, X, y, resolution=40, title="hand-set")
    ax = fig.axes[0]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_array_equal(points[0].get_offsets(), X[y == 0])
    np.testing.assert_array_equal(points[1].get_offsets(), X[y == 1])
    # the drawn line is where the model's output crosses 0.5 (up to the grid's linear interpolation)
    vertices = boundary_vertices(fig, 0.5)
    assert len(vertices) > 20
    np.testing.assert_allclose(predict(model, vertices), 0.5, atol=0.05)
    assert ax.get_xlim() == pytest.approx((-0.5, 1.5)) and ax.get_title() == "hand-set"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert png_bytes(fig)[:4] == b"\x89PNG"


def test_decision_boundary_for_scores_uses_threshold_0():
    X, y = moons(40, 0.1, seed=0)
    model = MLP(2, [8, 1], activation="relu", output="identity", init="he", seed=1)
    fit(model, X, y, loss="hinge", optimizer="adam", lr=0.05, steps=60)
    fig = plot_decision_boundary(model, X, y, resolution=30)
    vertices = boundary_vertices(fig, 0.0)
    scores = predict(model, vertices)
    spread = np.ptp(predict(model, X))
    assert np.abs(scores).max() < 0.05 * spread
    signed = plot_decision_boundary(model, X, 2 * y - 1, resolution=10)  # hinge's −1/1 labels
    assert [t.get_text() for t in signed.axes[0].get_legend().get_texts()] == ["class −1", "class 1"]


def test_decision_boundary_errors():
    X, y = xor()
    with pytest.raises(ValueError, match=r"X \(n, 2\)"):
        plot_decision_boundary(MLP(3, [1], seed=0), np.zeros((4, 3)), y)
    with pytest.raises(ValueError, match=r"resolution must be an int >= 2, got 1: a filled contour needs"):
        plot_decision_boundary(MLP(2, [1], seed=0), X, y, resolution=1)
    with pytest.raises(TypeError, match=r"resolution must be an int >= 2, got 30.0"):
        plot_decision_boundary(MLP(2, [1], seed=0), X, y, resolution=30.0)


def test_plot_layers_draws_one_line_per_run_over_layer_numbers():
    fig = plot_layers({"a": [1e-5, 1e-3, 1e-1], "b": [0.1, 0.2, 0.3, 0.4]}, ylabel="mean |grad|", title="deep")
    ax = fig.axes[0]
    assert [list(line.get_ydata()) for line in ax.lines] == [[1e-5, 1e-3, 1e-1], [0.1, 0.2, 0.3, 0.4]]
    assert [list(line.get_xdata()) for line in ax.lines] == [[1, 2, 3], [1, 2, 3, 4]]  # layer 1 first
    assert list(ax.get_xticks()) == [1, 2, 3, 4]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert (ax.get_yscale(), ax.get_ylabel(), ax.get_title()) == ("log", "mean |grad|", "deep")
    assert plot_layers({"a": [1.0, 2.0]}, logy=False).axes[0].get_yscale() == "linear"


def test_plot_layers_errors_name_the_expected_shape():
    for bad in ({}, {"a": []}, [[1.0, 2.0]]):
        with pytest.raises(ValueError, match=r"plot_layers needs a dict \{run name: \[layer 1"):
            plot_layers(bad)


def test_missing_matplotlib_names_the_extra(monkeypatch, histories):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes `import matplotlib.figure` fail
    for plot in (lambda: plot_history(histories["2-2-1"]), lambda: plot_layers({"a": [1.0]})):
        with pytest.raises(ImportError, match=r'pip install "chainrule\[plot\]"'):
            plot()
