"""fit: the history it records, its options (l2, minibatches, callback, progress, hinge), evaluate and predict."""
import numpy as np
import pytest

from autograd.lab.data import moons, xor
from autograd.nn import MLP, SGD, STEP_MODES, Ensemble, accuracy, bce, evaluate, fit, l2, predict


def test_history_records_each_steps_cost_and_accuracy():
    X, y = xor()
    model = MLP(2, [2, 1], seed=0)
    start = [p.data for p in model.parameters()]
    first_cost = bce([model(x) for x in X], y).data
    history = fit(model, X, y, steps=30, lr=0.5)
    assert len(history) == len(history.cost) == len(history.accuracy) == 30
    assert history.cost[0] == pytest.approx(first_cost, rel=1e-15)  # step 0's cost is before its update
    assert history.cost[-1] < history.cost[0]
    assert history.seconds > 0 and "steps=30" in repr(history)
    assert [p.data for p in model.parameters()] != start


def test_fit_is_plain_gradient_descent():
    # one fit step equals zero_grad, backward, p -= lr·grad by hand
    X, y = xor()
    a, b = MLP(2, [2, 1], seed=3), MLP(2, [2, 1], seed=3)
    fit(a, X, y, steps=1, lr=0.3, mode="eager")  # the compiled mode sums in another order: equal to rounding
    bce([b(x) for x in X], y).backward()
    for p in b.parameters():
        p.data -= 0.3 * p.grad
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_accuracy_is_of_thresholded_outputs():
    assert accuracy([0.9, 0.4, 0.51, 0.2], [1, 1, 1, 0]) == 0.75
    assert accuracy([2.0, -0.1], [1, -1], threshold=0.0) == 1.0


def test_same_seed_same_run():
    X, y = moons(40, 0.1, seed=1)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], activation="relu", output="sigmoid", dropout=0.2, seed=5)
        runs.append(fit(model, X, y, steps=20, lr=0.2, batch_size=8, seed=9).cost)
    assert runs[0] == runs[1]


def test_callback_sees_each_step_and_can_stop():
    X, y = xor()
    seen = []

    def callback(step, model, history):
        seen.append((step, len(history.cost)))
        return step == 4

    history = fit(MLP(2, [2, 1], seed=0), X, y, steps=100, callback=callback)
    assert seen == [(k, k + 1) for k in range(5)]
    assert len(history) == 5


def test_minibatches_use_batch_size_examples():
    X, y = moons(30, 0.1, seed=0)
    sizes = []

    def loss(outputs, targets):
        sizes.append(len(outputs))
        return bce(outputs, targets)

    fit(MLP(2, [3, 1], seed=0), X, y, loss=loss, steps=5, batch_size=8, seed=0)
    assert sizes == [8, 8, 8, 6, 8]  # an epoch of 30 is 8 + 8 + 8 + 6, then reshuffled


def test_l2_shrinks_the_weights_not_the_biases():
    X, y = xor()
    plain, reg = MLP(2, [2, 1], seed=1), MLP(2, [2, 1], seed=1)
    h_plain = fit(plain, X, y, steps=200, lr=0.5)
    h_reg = fit(reg, X, y, steps=200, lr=0.5, l2=0.05)
    norm = lambda m: sum(w.data ** 2 for w in m.weights())  # noqa: E731
    assert norm(reg) < norm(plain)
    # the recorded cost includes λ·Σw² of the step's weights: check step 0 against a fresh model
    fresh = MLP(2, [2, 1], seed=1)
    expected = bce([fresh(x) for x in X], y).data + l2(fresh.weights(), 0.05).data
    assert h_reg.cost[0] == pytest.approx(expected, rel=1e-14)
    assert h_plain.cost[0] == pytest.approx(bce([fresh(x) for x in X], y).data, rel=1e-14)
    biases = {p for p in fresh.parameters()} - set(fresh.weights())
    assert len(biases) == 3 and len(fresh.weights()) == 6


def test_hinge_with_0_1_labels_on_moons():
    X, y = moons(60, 0.05, seed=2)
    model = MLP(2, [8, 1], activation="relu", output="identity", init="he", seed=0)
    history = fit(model, X, y, loss="hinge", optimizer="adam", lr=0.05, steps=300)
    assert history.accuracy[-1] >= 0.95
    cost, acc = evaluate(model, X, y, loss="hinge")
    scores = predict(model, X)
    assert acc == np.mean((scores > 0) == (y == 1))  # hinge's decision threshold is 0


def test_dropout_training_runs_in_train_mode_and_restores_eval():
    X, y = moons(40, 0.1, seed=0)
    model = MLP(2, [16, 1], activation="relu", output="sigmoid", dropout=0.5, seed=0).eval()
    history = fit(model, X, y, steps=40, lr=0.5)
    assert not model.training  # the mode it had before fit
    assert len(set(history.cost)) == 40
    assert np.array_equal(predict(model, X), predict(model, X))  # eval: no dropout, deterministic


def test_predict_and_evaluate():
    X, y = xor()
    model = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]])
    out = predict(model, X)
    assert out.shape == (4,) and np.array_equal(np.round(out), y)
    cost, acc = evaluate(model, X, y)
    assert acc == 1.0
    assert cost == pytest.approx(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)), rel=1e-12)
    assert predict(MLP(2, [3], seed=0), X).shape == (4, 3)


def test_predict_auto_replays_a_tape_equal_to_eager_and_valid_after_training():
    from autograd.nn.modes import _CACHE, AUTO_MIN_NODES

    X, y = moons(60, 0.1, seed=0)
    grid = np.column_stack([np.linspace(-2, 3, 400), np.linspace(1.5, -1, 400)])
    model = MLP(2, [8, 8, 1], activation="relu", output="sigmoid", dropout=0.2, seed=0)
    auto = predict(model, grid)
    assert ("predict", False) in _CACHE[model].items and model.training  # recorded in eval mode; the mode restored
    np.testing.assert_allclose(auto, predict(model, grid, mode="eager"), rtol=1e-12, atol=1e-12)
    fit(model, X, y, steps=20, lr=0.5, mode="eager")  # the cached tape reads the trained parameters
    np.testing.assert_allclose(predict(model, grid), predict(model, grid, mode="eager"), rtol=1e-12, atol=1e-12)
    tape = _CACHE[model].items["predict", False]
    assert tape.nodes * len(grid) >= AUTO_MIN_NODES > tape.nodes * 4
    cost, acc = evaluate(model, grid[:4], [0, 1, 1, 0])  # 4 rows: too little work for the tape, eager
    assert (cost, acc) == evaluate(model, grid[:4], [0, 1, 1, 0], mode="eager")
    cost, acc = evaluate(model, X, y)
    eager_cost, eager_acc = evaluate(model, X, y, mode="eager")
    assert cost == pytest.approx(eager_cost, rel=1e-12) and acc == eager_acc
    with pytest.raises(ValueError, match="unknown mode 'fast'; choose auto or eager"):
        predict(model, X, mode="fast")


@pytest.mark.parametrize("mode", ["eager", "compiled", "auto"])
def test_a_diverged_run_stops_with_the_fix_in_every_mode(mode):
    X, y = moons(100, 0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"training diverged at step 1: the model's output is nan \(example 0\); "
                                         r"lower the learning rate \(lr=1e\+200\)"):
        fit(model, X, y, lr=1e200, steps=30, mode=mode)


@pytest.mark.parametrize("mode", ["eager", "compiled"])
def test_a_non_finite_cost_with_finite_outputs_stops_too(mode):
    X, y = moons(100, 0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", output="identity", seed=0)
    model.parameters()[-1].data = 1e200  # the output bias: outputs ≈ 1e200, finite; their squares are inf
    with pytest.raises(ValueError, match=r"training diverged at step 0: the cost is inf; lower the learning rate"):
        fit(model, X, y, loss="mse", lr=0.1, steps=5, mode=mode)


def test_ensemble_of_trained_members():
    X, y = moons(40, 0.15, seed=3)
    members = [MLP(2, [6, 1], activation="tanh", output="sigmoid", seed=s) for s in range(3)]
    for m in members:
        fit(m, X, y, steps=60, lr=0.5)
    ens = Ensemble(members)
    np.testing.assert_allclose(predict(ens, X), np.mean([predict(m, X) for m in members], axis=0), rtol=1e-14)


def test_optimizer_object_and_step_modes():
    X, y = xor()
    model, by_hand = MLP(2, [2, 1], seed=0), MLP(2, [2, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    fit(model, X, y, optimizer=opt, steps=3, mode="eager")
    velocity = [0.0] * len(by_hand.parameters())
    for _ in range(3):  # PyTorch's momentum: v ← 0.9·v + g, p ← p − 0.1·v
        by_hand.zero_grad()
        bce([by_hand(x) for x in X], y).backward()
        for i, p in enumerate(by_hand.parameters()):
            velocity[i] = 0.9 * velocity[i] + p.grad
            p.data -= 0.1 * velocity[i]
    assert [p.data for p in model.parameters()] == pytest.approx([p.data for p in by_hand.parameters()], rel=1e-14)
    assert set(STEP_MODES) == {"eager", "compiled", "auto"}
    with pytest.raises(ValueError, match="unknown mode 'fast'; choose one of eager, compiled, auto"):
        fit(model, X, y, mode="fast")


@pytest.mark.parametrize("mode", ["compiled", "auto"])
def test_compiled_and_auto_modes_train_like_eager(mode):
    X, y = xor()
    runs = {}
    for m in ("eager", mode):
        model = MLP(2, [3, 1], activation="tanh", output="sigmoid", seed=4)
        runs[m] = (fit(model, X, y, optimizer="momentum", lr=0.2, l2=0.01, steps=200, mode=m), model)
    (eager, eager_model), (other, other_model) = runs["eager"], runs[mode]
    np.testing.assert_allclose(other.cost, eager.cost, rtol=1e-10)
    assert other.accuracy == eager.accuracy
    np.testing.assert_allclose([p.data for p in other_model.parameters()],
                               [p.data for p in eager_model.parameters()], rtol=1e-10)


def test_progress_bar(capsys):
    pytest.importorskip("tqdm")
    X, y = xor()
    fit(MLP(2, [2, 1], seed=0), X, y, steps=5, progress=False)
    assert capsys.readouterr().err == ""
    fit(MLP(2, [2, 1], seed=0), X, y, steps=5, progress=None)  # stderr is not a terminal here: silent
    assert capsys.readouterr().err == ""
    fit(MLP(2, [2, 1], seed=0), X, y, steps=5, progress=True)
    err = capsys.readouterr().err
    assert "5/5" in err and "cost=" in err


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=0), "steps must be a positive int"),
    (dict(batch_size=0), "batch_size"),
    (dict(l2=-1.0), "l2 must be a number >= 0, got -1.0"),
    (dict(loss="nll"), "bce, mse, hinge"),
    (dict(optimizer="lbfgs"), "sgd, momentum, adam"),
    (dict(lr=-0.1), "learning rate"),
])
def test_fit_errors(kwargs, message):
    X, y = xor()
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [2, 1], seed=0), X, y, **kwargs)


def test_fit_shape_errors():
    X, y = xor()
    with pytest.raises(ValueError, match="takes 3 inputs but X has 2 columns"):
        fit(MLP(3, [1], seed=0), X, y)
    with pytest.raises(ValueError, match="one target per row"):
        fit(MLP(2, [1], seed=0), X, y[:3])
    with pytest.raises(ValueError, match="output='sigmoid'"):
        fit(MLP(2, [2, 1], activation="relu", output="identity", bias_init="normal", seed=2), X * 5, y)
