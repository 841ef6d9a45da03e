"""k classes: softmax and cross-entropy against PyTorch in float64, argmax accuracy, fit on 3-class spirals."""
import math

import numpy as np
import pytest

from autograd import Value
from autograd.lab.data import spirals
from autograd.nn import MLP, argmax_accuracy, cross_entropy, evaluate, fit, log_softmax, one_hot, predict, softmax
from autograd.nn.losses import l1

torch = pytest.importorskip("torch")
F = torch.nn.functional

LOGITS = [[1.0, 2.0, -0.5], [0.3, -1.2, 4.0], [1000.0, 999.0, -1000.0], [-3.0, -3.0, -3.0]]


def _torch_logits(rows):
    return torch.tensor(rows, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("row", LOGITS)
def test_softmax_values_and_gradient_match_torch(row):
    zs = [Value(z) for z in row]
    p = softmax(zs)
    weights = [0.3, -1.1, 2.0]  # L = Σ w_k p_k, so every output's gradient path is exercised
    loss = sum((pk * w for pk, w in zip(p[1:], weights[1:])), p[0] * weights[0])
    loss.backward()
    t = _torch_logits([row])
    tp = F.softmax(t, dim=1)
    (tp[0] * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    assert [pk.data for pk in p] == pytest.approx(tp[0].tolist(), abs=1e-15)
    assert [z.grad for z in zs] == pytest.approx(t.grad[0].tolist(), abs=1e-12)


def test_the_unshifted_softmax_is_the_lecture_drawing_and_overflows_only_without_the_shift():
    zs = [Value(0.5), Value(-1.0)]
    p = softmax(zs, safe=False)
    # exp of each, their sum, its reciprocal, each exp times it: no max node, no shift
    assert [p.total.op, p.total.parents[0].op, p[0].op, p[0].parents[1].op] == ["add", "exp", "mul", "recip"]
    assert p.shift is None and p.total.parents[0].parents[0] is zs[0]
    assert p[0].data == pytest.approx(math.exp(0.5) / (math.exp(0.5) + math.exp(-1.0)), abs=1e-15)
    big = softmax([Value(1000.0), Value(0.0)])
    assert [q.data for q in big] == [1.0, 0.0]  # the shift keeps exp(1000) out
    assert sum(q.data for q in softmax([Value(2.0), Value(1.0), Value(0.1)])) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("one_hot_targets", [False, True])
def test_cross_entropy_matches_torch_on_the_logits(fused, one_hot_targets):
    classes = [1, 2, 0, 2]
    leaves = [[Value(z) for z in row] for row in LOGITS]
    targets = one_hot(classes, 3).tolist() if one_hot_targets else classes
    cost = cross_entropy([softmax(row) for row in leaves], targets, fused=fused)
    cost.backward()
    t = _torch_logits(LOGITS)
    expected = F.cross_entropy(t, torch.tensor(classes))
    expected.backward()
    if fused:  # exact for every logit
        assert cost.data == pytest.approx(expected.item(), rel=1e-14)
    else:  # row 3's p_2 = e^-2000 underflows to 0: the ε caps its term at −ln 1e-12
        assert t.grad is not None
    grads = np.array([[z.grad for z in row] for row in leaves])
    rows = [0, 1, 3] if not fused else [0, 1, 2, 3]
    assert np.abs(grads[rows] - t.grad.numpy()[rows]).max() < 1e-12


def test_cross_entropy_is_finite_when_a_probability_is_exactly_zero():
    p = [Value(0.0), Value(1.0)]
    cost = cross_entropy([p], [0])
    assert cost.data == pytest.approx(-math.log(1e-12))  # 27.63, not inf
    cost.backward()
    assert p[0].grad == 0.0 and math.isfinite(p[1].grad)
    assert cross_entropy([p], [1]).data == 0.0


def test_log_softmax_matches_torch():
    zs = [Value(z) for z in LOGITS[1]]
    out = log_softmax(zs)
    assert [o.data for o in out] == pytest.approx(F.log_softmax(_torch_logits([LOGITS[1]]), 1)[0].tolist(), abs=1e-14)


def test_argmax_accuracy_and_targets_checked():
    outputs = [[0.1, 0.7, 0.2], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6]]
    assert argmax_accuracy(outputs, [1, 1, 2]) == pytest.approx(2 / 3)
    assert argmax_accuracy(outputs, one_hot([1, 0, 2], 3)) == 1.0
    with pytest.raises(ValueError, match=r"target 3 of example 0 is outside the classes 0 … 2"):
        cross_entropy([[Value(0.5), Value(0.3), Value(0.2)]], [3])
    with pytest.raises(TypeError, match="for one output unit use bce"):
        cross_entropy([Value(0.5)], [1])
    with pytest.raises(ValueError, match="label 4 is outside 0 … 2"):
        one_hot([0, 4], 3)
    with pytest.raises(ValueError, match=r"fused=True\) needs the logits"):
        cross_entropy([[Value(0.5), Value(0.5)]], [1], fused=True)


def test_mlp_with_softmax_returns_a_list_of_probabilities():
    model = MLP(2, [4, 3], activation="tanh", output="softmax", seed=0)
    out = model([0.3, -0.7])
    assert len(out) == 3 and sum(p.data for p in out) == pytest.approx(1.0, abs=1e-15)
    assert {node.scope for node in out} == {"softmax"}
    P = predict(model, [[0.3, -0.7], [1.0, 2.0]])
    assert P.shape == (2, 3) and P[0].tolist() == pytest.approx([p.data for p in out], abs=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_three_class_spirals_reach_90_percent_by_seed(seed):
    X, y = spirals(200, classes=3, seed=seed)
    model = MLP(2, [24, 24, 3], activation="tanh", output="softmax", seed=seed)
    history = fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.02, steps=400)
    cost, accuracy = evaluate(model, X, y, loss="cross_entropy")
    assert history.accuracy[0] < 0.6 and accuracy >= 0.9 and cost < 0.3


def test_compiled_and_eager_steps_agree_on_three_classes():
    X, y = spirals(30, classes=3, seed=4)
    costs = {}
    for mode in ("eager", "compiled"):
        model = MLP(2, [6, 3], activation="tanh", output="softmax", seed=4)
        costs[mode] = fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.5, steps=4, mode=mode).cost
    assert costs["compiled"] == pytest.approx(costs["eager"], rel=1e-12)
    assert costs["eager"][-1] < costs["eager"][0]


def test_fit_refuses_k_labels_with_one_output_and_cross_entropy_with_one_unit():
    X, y = spirals(30, classes=3, seed=0)
    with pytest.raises(ValueError, match="bce needs targets in"):
        fit(MLP(2, [4, 1], seed=0), X, y, steps=1)
    with pytest.raises(ValueError, match="cross_entropy needs one output per class"):
        fit(MLP(2, [4, 1], seed=0), X, y, loss="cross_entropy", steps=1)


def test_l1_penalty_and_its_gradient():
    ws = [Value(0.5), Value(-2.0), Value(0.0)]
    penalty = l1(ws, 0.1)
    penalty.backward()
    assert penalty.data == pytest.approx(0.25)
    assert [w.grad for w in ws] == pytest.approx([0.1, -0.1, 0.0])  # ±λ, and 0 at w = 0 as torch.abs
    X, y = spirals(40, classes=3, seed=0)
    plain = MLP(2, [6, 3], output="softmax", seed=0)
    sparse = MLP(2, [6, 3], output="softmax", seed=0)
    fit(plain, X, y, loss="cross_entropy", lr=0.5, steps=40)
    fit(sparse, X, y, loss="cross_entropy", lr=0.5, steps=40, l1=0.05)
    assert sum(abs(w.data) for w in sparse.weights()) < sum(abs(w.data) for w in plain.weights())


def test_decision_boundary_plot_has_one_colour_per_class():
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_rgb

    from viz.plots import _CLASS_COLORS, plot_decision_boundary

    X, y = spirals(150, classes=3, seed=0)
    model = MLP(2, [24, 24, 3], activation="tanh", output="softmax", seed=0)
    fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.02, steps=300)
    fig = plot_decision_boundary(model, X, y, resolution=30)
    ax = fig.axes[0]
    image = np.asarray(ax.images[0].get_array())
    assert image.shape == (30, 30, 3) and len(fig.axes) == 1  # no colour bar: classes, not a probability scale
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 30)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 30)
    predicted = predict(model, np.column_stack([a.ravel() for a in np.meshgrid(xs, ys)])).argmax(axis=1)
    hues = np.array([to_rgb(c) for c in _CLASS_COLORS[:3]])
    tinted = image.reshape(-1, 3) - 1.0  # each cell: white plus alpha·(colour − white)
    nearest = np.argmax(tinted @ (hues - 1.0).T / np.linalg.norm(hues - 1.0, axis=1), axis=1)
    assert (nearest == predicted).mean() == 1.0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
