"""Issue 10, networks and the lab: every bad argument is a TypeError or ValueError that names it, and fit never
returns a model it silently failed to train (another model's optimizer, nan weights after the last step)."""
import math
import os

import numpy as np
import pytest

from autograd import Value
from autograd.lab.data import moons, spirals, xor
from autograd.nn import MLP, SGD, Adam, Layer, MaxoutNeuron, fit, predict
from autograd.nn._checks import integer, number, positive_int
from conftest import needs_torch, torch


# --- the shared validators -----------------------------------------------------------------------------------------


def test_integer_accepts_ints_and_numpy_ints_and_refuses_the_rest():
    assert integer("n", 3) == 3 and type(integer("n", np.int64(3))) is int
    assert positive_int("steps", np.uint8(1)) == 1
    for bad in (2.0, "2", None, True, 2 + 0j):
        with pytest.raises(TypeError, match=r"^n must be an int >= 2, got "):
            integer("n", bad, 2)
    with pytest.raises(ValueError, match=r"^steps must be a positive int, got 0$"):
        positive_int("steps", 0)
    with pytest.raises(ValueError, match=r"^k must be an int >= 2, got 1: two at least$"):
        integer("k", 1, 2, hint="two at least")


@pytest.mark.parametrize("kwargs, wanted", [
    ({}, "a finite number"), ({"minimum": 0}, "a number >= 0"), ({"above": 0}, "a number > 0"),
    ({"minimum": 0, "below": 1}, "a number in [0, 1)"), ({"above": 0, "below": 1}, "a number in (0, 1)"),
])
def test_number_names_the_allowed_range(kwargs, wanted):
    assert number("x", np.float32(0.5), **kwargs) == 0.5
    for bad, error in (("0.5", TypeError), (None, TypeError), (True, TypeError), (math.nan, ValueError),
                       (math.inf, ValueError), (-math.inf, ValueError)):
        with pytest.raises(error) as raised:
            number("x", bad, **kwargs)
        assert str(raised.value).startswith(f"x must be {wanted}, got ")


def test_number_shows_the_type_of_what_is_no_number():
    with pytest.raises(TypeError, match=r"got '0\.1' \(str\)"):
        number("lr", "0.1", above=0)
    with pytest.raises(TypeError, match=r"got Decimal\('1'\) \(Decimal\)"):
        from decimal import Decimal
        number("alpha", Decimal("1"))


# --- fit -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(lr="0.1"), TypeError, r"lr \(the learning rate\) must be a number > 0, got '0.1' \(str\)"),
    (dict(lr=math.inf), ValueError, r"lr \(the learning rate\) must be a number > 0, got inf"),
    (dict(l2=None), TypeError, r"l2 must be a number >= 0, got None \(NoneType\)"),
    (dict(l2=math.nan), ValueError, r"l2 must be a number >= 0, got nan"),
    (dict(threshold="a"), TypeError, r"threshold must be a finite number, got 'a' \(str\)"),
    (dict(steps=2.0), TypeError, r"steps must be a positive int, got 2.0"),
    (dict(steps="10"), TypeError, r"steps must be a positive int, got '10' \(str\)"),
    (dict(batch_size=1.5), TypeError, r"batch_size must be a positive int, got 1.5: or None for the full batch"),
])
def test_fit_names_a_bad_argument(kwargs, error, message):
    X, y = xor()
    model = MLP(2, [2, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match=message):
        fit(model, X, y, **kwargs)
    assert [p.data for p in model.parameters()] == before  # refused before any step


@pytest.mark.parametrize("mode", ["eager", "auto"])  # compiled refuses any loss but the built-in ones
def test_a_loss_that_returns_a_float_is_named(mode):
    X, y = xor()

    def half(outputs, targets):
        return 0.5

    with pytest.raises(TypeError, match=r"loss half returned float 0.5: a loss must return one Value"):
        fit(MLP(2, [2, 1], seed=0), X, y, loss=half, steps=3, mode=mode)


def test_a_loss_function_that_returns_a_value_still_trains():
    X, y = xor()
    model = MLP(2, [2, 1], seed=0)

    def squared(outputs, targets):
        total = (outputs[0] - targets[0]) ** 2
        for out, t in zip(outputs[1:], targets[1:]):
            total = total + (out - t) ** 2
        return total

    history = fit(model, X, y, loss=squared, steps=20, lr=0.5, mode="eager")
    assert len(history) == 20 and history.cost[-1] < history.cost[0]


def test_an_optimizer_of_another_model_is_refused():
    X, y = xor()
    model, other = MLP(2, [2, 1], seed=0), MLP(2, [2, 1], seed=1)
    with pytest.raises(ValueError, match="holds none of the model's 9 parameters.*SGD\\(model.parameters\\(\\)"):
        fit(model, X, y, optimizer=SGD(other.parameters()), steps=5)


def test_an_optimizer_of_some_of_the_models_parameters_trains_those():
    X, y = xor()
    model = MLP(2, [2, 1], seed=0)
    last = model.layers[-1].parameters()
    frozen = [p.data for p in model.layers[0].parameters()]
    fit(model, X, y, optimizer=SGD(last, lr=0.5), steps=5, mode="eager")
    assert [p.data for p in model.layers[0].parameters()] == frozen  # fine-tuning the last layer only


def test_the_last_update_is_checked_too():
    X = np.array([[1e5, 1e5], [1.0, 2.0]])
    model = MLP(2, [1], output="identity", seed=0)
    with pytest.raises(ValueError, match=r"training diverged at step 0: its update made parameter W1\[0,0\] = inf; "
                                         r"lower the learning rate \(lr=1e\+300\)"):
        fit(model, X, [1e5, 0.0], loss="mse", lr=1e300, steps=1, mode="eager")


@pytest.mark.parametrize("where, value", [("X", math.nan), ("X", math.inf), ("y", math.nan), ("y", -math.inf)])
def test_nan_or_inf_in_the_data_is_named_not_blamed_on_the_learning_rate(where, value):
    X, y = xor()
    X, y = X.astype(float), y.astype(float)
    if where == "X":
        X[2, 1] = value
        message = rf"X holds {value!r} at row 2, column 1 \(1 value\(s\) in all\)"
    else:
        y[3] = value
        message = rf"y holds {value!r} at row 3 \(1 value\(s\) in all\)"
    with pytest.raises(ValueError, match=message) as raised:
        fit(MLP(2, [2, 1], seed=0), X, y, loss="mse", steps=2)
    assert "learning rate" not in str(raised.value)


def test_predict_takes_a_batch_and_says_how_to_pass_one_row():
    X, _ = xor()
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"X must be a batch.*shape \(2,\)\. For one example x pass \[x\]"):
        predict(model, X[0])
    with pytest.raises(ValueError, match="the model takes 2 inputs but X has 3 columns"):
        predict(model, np.zeros((4, 3)))
    assert predict(model, X[:1]).shape == (1,)
    assert predict(model, [X[0]])[0] == model(X[0].tolist()).data


@pytest.mark.parametrize("make", [
    lambda: MaxoutNeuron(2, pieces=2.0),
    lambda: Layer(2, 3, activation="maxout", pieces=2.0),
    lambda: MLP(2, [3, 1], activation="maxout", pieces=2.0),
])
def test_pieces_must_be_an_int(make):
    with pytest.raises(TypeError, match=r"pieces must be an int >= 2, got 2.0: maxout needs pieces >= 2"):
        make()


def test_layer_sizes_are_named():
    with pytest.raises(TypeError, match=r"nout \(number of units\) must be a positive int, got 2.0"):
        Layer(2, 2.0)
    with pytest.raises(TypeError, match=r"nin \(number of inputs\) must be a positive int, got '2' \(str\)"):
        MLP("2", [1])


# --- optimizers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0, 0.0, -1e-8])
def test_adam_refuses_eps_that_cannot_keep_a_zero_gradient_step_finite(eps):
    with pytest.raises(ValueError, match=r"eps must be a number > 0, got .*: it keeps the step finite"):
        Adam([Value(1.0)], eps=eps)


def test_adam_takes_a_finite_step_on_a_zero_gradient():
    w = Value(1.0)
    opt = Adam([w], lr=0.1)
    opt.step()  # g = 0: m = v = 0, step 0 / (0 + eps) = 0
    assert w.data == 1.0


@needs_torch
def test_adam_on_a_zero_gradient_agrees_with_torch():
    w = Value(1.0)
    Adam([w], lr=0.1).step()
    t = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    t.grad = torch.zeros_like(t)
    torch.optim.Adam([t], lr=0.1).step()
    assert t.item() == w.data == 1.0


@pytest.mark.parametrize("betas, error, message", [
    ((0.9, 0.99, 0.9), ValueError, r"betas must be a pair \(beta1, beta2\).*got \(0.9, 0.99, 0.9\)"),
    ((0.9,), ValueError, "betas must be a pair"),
    (0.9, ValueError, "betas must be a pair"),
    ((0.9, "0.999"), TypeError, r"betas\[1\] must be a number in \[0, 1\), got '0.999' \(str\)"),
    ((1.0, 0.999), ValueError, r"betas\[0\] must be a number in \[0, 1\), got 1.0"),
])
def test_adam_betas_are_a_pair_in_range(betas, error, message):
    with pytest.raises(error, match=message):
        Adam([Value(1.0)], betas=betas)


def test_sgd_names_lr_and_momentum():
    with pytest.raises(TypeError, match=r"lr \(the learning rate\) must be a number > 0, got None"):
        SGD([Value(1.0)], lr=None)
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\), got 1.0"):
        SGD([Value(1.0)], momentum=1)


# --- data sets -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: moons(10, noise=math.inf), ValueError, "noise must be a number >= 0, got inf"),
    (lambda: moons(10, noise=math.nan), ValueError, "noise must be a number >= 0, got nan"),
    (lambda: moons(10, noise="0.1"), TypeError, r"noise must be a number >= 0, got '0.1' \(str\)"),
    (lambda: moons(10.0), TypeError, "n must be an int >= 2, got 10.0"),
    (lambda: spirals(4, classes=10), ValueError, "at least one point per class: got n=4 points for classes=10"),
    (lambda: spirals(10, turns=math.inf), ValueError, "turns must be a number > 0, got inf"),
])
def test_data_set_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_spirals_with_one_point_per_class_works():
    X, y = spirals(3, classes=3, seed=0)
    assert X.shape == (3, 2) and sorted(y) == [0, 1, 2]


# --- TensorBoard ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("logdir", [None, "", 3])
def test_tensorboard_logdir_must_be_a_path(tmp_path, monkeypatch, logdir):
    pytest.importorskip("tensorboardX")
    from autograd.lab.tensorboard import TensorBoardLogger

    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="logdir must be a folder path"):
        TensorBoardLogger(logdir)
    assert os.listdir(tmp_path) == []  # no folder named "None"


@pytest.mark.parametrize("keep", [5, 11, 20, -3, -1])
def test_a_truncated_event_file_is_named(tmp_path, keep):
    pytest.importorskip("tensorboardX")
    from autograd.lab.tensorboard import TensorBoardLogger, read_events

    with TensorBoardLogger(tmp_path) as logger:
        logger.writer.add_scalar("cost", 1.0, 0)
    path = next(tmp_path.glob("events.out.tfevents.*"))
    data = path.read_bytes()
    path.write_bytes(data[:keep])  # cut inside the first record's header, or inside the last record
    with pytest.raises(ValueError, match=r"truncated event file: it ends at byte \d+, inside the record"):
        read_events(tmp_path)


def test_a_tape_replayed_on_an_empty_batch_is_named():
    from autograd.compiled import record

    tape = record(lambda a: a * 2, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="at least one row.*0 rows"):
        tape.forward(np.array([]))
