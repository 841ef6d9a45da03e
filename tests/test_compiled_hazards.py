"""Issue 9's hazards: under mode="auto" compiled training is never silently wrong.

1. a graph that depends on the data through Python is traced and runs eagerly (compiled: TapeError with the line);
2. a model changed after its first use gets a new tape (one test per kind of change);
3. every check the eager loss makes holds on every replay, with the eager step's error messages;
plus the gradient rule (a zero local gradient contributes exactly 0) and the readable program.
"""
import math
import re

import numpy as np
import pytest

from autograd import Value
from autograd.compiled import TapeError, record
from autograd.lab.data import moons
from autograd.nn import MLP, SGD, Dropout, Ensemble, bce, fit, hinge, mse, predict, tape_status
from autograd.nn import modes
from autograd.nn.train import _step_eager

TOL = dict(rtol=1e-12, atol=1e-12)


@pytest.fixture
def small_nets_compile(monkeypatch):
    """auto compiles even the small nets of these tests (its size rule is not what they test)."""
    monkeypatch.setattr(modes, "AUTO_MIN_NODES", 0)
    monkeypatch.setattr(modes, "AUTO_MIN_STEP_NODES", 0)


def clipped_relu(r):
    return r if r.data < 3 else r * 0 + 3  # a Python branch on the number: the clipped ReLU of the issue


def twins(activation="tanh", output="identity", seed=0, sizes=(6, 1), **kwargs):
    """Two equal models: one to train eagerly, one under auto (or compiled)."""
    eager = MLP(2, list(sizes), activation=activation, output=output, seed=seed, **kwargs)
    other = MLP.from_weights(*eager.get_weights(), activation=activation, output=output, **kwargs)
    return eager, other


def params(model):
    return np.array([p.data for p in model.parameters()])


# --- 1. a graph that depends on the data through Python ----------------------------------------------------------


def test_a_data_branch_in_a_custom_activation_trains_eagerly_under_auto(small_nets_compile):
    X, y = moons(60, 0.1, seed=1)
    X = X * 4  # pre-activations on both sides of 3
    eager, auto = twins(activation=clipped_relu, seed=2)
    h_eager = fit(eager, X, y, loss="mse", steps=5, lr=0.01, mode="eager")
    h_auto = fit(auto, X, y, loss="mse", steps=5, lr=0.01, mode="auto")
    assert h_auto.cost == h_eager.cost  # the eager step itself: the same numbers to the bit
    np.testing.assert_array_equal(params(auto), params(eager))
    status = tape_status(auto)["fit mse (training)"]
    assert status.startswith("eager: TapeError") and "reads .data at" in status
    assert "test_compiled_hazards.py:" in status and "r.data < 3" in status


def test_a_data_branch_under_compiled_mode_is_a_tape_error_naming_the_line():
    X, y = moons(20, 0.1, seed=1)
    model = MLP(2, [4, 1], activation=clipped_relu, output="identity", seed=2)
    with pytest.raises(TapeError, match=r"reads \.data at .*test_compiled_hazards\.py:\d+: return r if r\.data < 3"):
        fit(model, X, y, loss="mse", steps=1, mode="compiled")


@pytest.mark.parametrize("read", [lambda r: r * (2.0 if r else 1.0), lambda r: r * float(len(f"{r}")),
                                  lambda r: Value(0.0).maximum(r) * (1.0 if r.data else 2.0)])
def test_bool_formatting_and_data_are_all_reads(read):
    with pytest.raises(TapeError, match="read as a number"):
        record(lambda x: read(x * 2.0), np.array([1.0, -1.0]))


def test_a_method_of_a_value_made_outside_is_traced_through_it():
    c = Value(0.5, "c")
    tape = record(lambda x: c.maximum(x) * 2, np.array([1.0, 0.1]))  # c's method, x traced: still exact
    np.testing.assert_allclose(tape(np.array([3.0, 0.2, -1.0])), [6.0, 1.0, 1.0], **TOL)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "maxout", "elu"])
def test_built_in_activations_need_no_branch_and_stay_compiled(activation, small_nets_compile):
    X, y = moons(40, 0.1, seed=3)
    eager, auto = twins(activation=activation, output="sigmoid", seed=4)
    h_eager = fit(eager, X, y, steps=5, lr=0.5, mode="eager")
    h_auto = fit(auto, X, y, steps=5, lr=0.5)
    np.testing.assert_allclose(h_auto.cost, h_eager.cost, **TOL)
    assert tape_status(auto)["fit bce (training)"].startswith("compiled: Tape(")


# --- 2. a model changed after its first use ------------------------------------------------------------------------


def train_both(eager, auto, X, y, **kwargs):
    kwargs = dict(dict(loss="mse", steps=4, lr=0.05), **kwargs)
    h_eager = fit(eager, X, y, mode="eager", **kwargs)
    h_auto = fit(auto, X, y, mode="auto", **kwargs)
    np.testing.assert_allclose(h_auto.cost, h_eager.cost, **TOL)
    np.testing.assert_allclose(params(auto), params(eager), **TOL)
    np.testing.assert_allclose(predict(auto, X), predict(eager, X, mode="eager"), **TOL)


def test_swapping_a_neurons_activation_rerecords(small_nets_compile):
    X, y = moons(40, 0.1, seed=5)
    eager, auto = twins()
    train_both(eager, auto, X, y)
    for model in (eager, auto):
        model.layers[0].neurons[2].activation = lambda v: v.sigmoid() * 4.0
    train_both(eager, auto, X, y)


def test_replacing_a_parameter_value_rerecords(small_nets_compile):
    X, y = moons(40, 0.1, seed=6)
    eager, auto = twins()
    train_both(eager, auto, X, y)
    old = auto.layers[1].neurons[0].w[3]
    old_number = old.data
    for model in (eager, auto):
        model.layers[1].neurons[0].w[3] = Value(5.0, "W2[3,0]")
        model.layers[0].neurons[1].b = Value(-2.0, "b1[1]")
    train_both(eager, auto, X, y)
    assert old.data == old_number  # the old Value is out of the graph: nothing updates it
    assert auto.layers[1].neurons[0].w[3].data != 5.0  # the new one trained


def test_adding_an_ensemble_member_rerecords(small_nets_compile):
    X, y = moons(30, 0.1, seed=7)
    members = [MLP(2, [5, 1], activation="tanh", output="sigmoid", seed=s) for s in range(3)]
    ensemble = Ensemble(members[:2])
    first = predict(ensemble, X)
    np.testing.assert_allclose(first, predict(ensemble, X, mode="eager"), **TOL)
    ensemble.models.append(members[2])
    np.testing.assert_allclose(predict(ensemble, X), predict(ensemble, X, mode="eager"), **TOL)
    assert not np.allclose(predict(ensemble, X), first)


def test_changing_a_dropout_p_rerecords(small_nets_compile):
    X, y = moons(40, 0.1, seed=8)
    eager, auto = twins(activation="relu", sizes=(8, 8, 1), dropout=0.5)
    fit(auto, X, y, loss="mse", steps=2, lr=0.01)  # recorded with masks of p = 0.5
    for model in (eager, auto):
        for dropout in model.dropouts:
            dropout.p = 0.0  # p = 0: no mask at all, so both modes are deterministic and must agree
    eager.set_weights(*auto.get_weights())
    train_both(eager, auto, X, y, lr=0.01)


def test_a_new_module_attribute_rerecords(small_nets_compile):
    X, y = moons(30, 0.1, seed=9)
    eager, auto = twins()
    train_both(eager, auto, X, y)
    for model in (eager, auto):
        model.dropouts.append(None)  # a list changed in place counts too
        model.layers[0].neurons[0].w.reverse()
    train_both(eager, auto, X, y)


def test_an_unchanged_model_keeps_its_tape(small_nets_compile):
    X, y = moons(30, 0.1, seed=10)
    model = MLP(2, [4, 1], activation="tanh", output="sigmoid", seed=0)
    fit(model, X, y, steps=2)
    tape = modes._CACHE[model].items["fit", bce, True]
    model.eval()
    model.train()
    fit(model, X, y, steps=2)
    assert modes._CACHE[model].items["fit", bce, True] is tape


# --- 3. the eager loss's checks, on every replay -------------------------------------------------------------------


def test_a_relu_output_under_bce_stops_at_once_as_eagerly(small_nets_compile):
    X, y = moons(50, 0.1, seed=11)
    messages = {}
    for mode in ("eager", "auto", "compiled"):
        model = MLP(2, [8, 1], activation="relu", output="relu", init="he", seed=3)
        with pytest.raises(ValueError) as caught:
            fit(model, X * 5, y, loss="bce", steps=200, lr=0.1, mode=mode)
        messages[mode] = str(caught.value)
    assert messages["auto"] == messages["compiled"] == messages["eager"]
    assert messages["eager"].startswith("bce needs probabilities in [0, 1], got output ")


@pytest.mark.parametrize("loss, target, message", [
    (bce, math.nan, "bce needs targets in [0, 1], got nan"),
    (bce, 1.5, "bce needs targets in [0, 1], got 1.5"),
    (hinge, 0.5, "hinge needs labels -1 or 1, got 0.5"),
])
def test_a_bad_target_gets_the_eager_message(loss, target, message, small_nets_compile):
    X, y = moons(30, 0.1, seed=12)
    y = (2.0 * y - 1) if loss is hinge else y.astype(float)
    model = MLP(2, [4, 1], activation="tanh", output="sigmoid" if loss is bce else "identity", seed=0)
    opt = SGD(model.parameters(), 0.1)
    modes.auto_step(model, X.tolist(), y.tolist(), loss, opt, 0.0)  # a tape is recorded on good targets
    assert tape_status(model)[f"fit {loss.__name__} (training)"].startswith("compiled")
    y = y.copy()
    y[17] = target
    for step in (modes.auto_step, modes.compiled_step, _step_eager):
        with pytest.raises(ValueError, match="^" + re.escape(message)):
            step(model, X.tolist(), y.tolist(), loss, opt, 0.0)


def test_a_domain_error_in_a_replay_is_the_eager_error_under_auto(small_nets_compile):
    model = MLP.from_weights([np.ones((2, 3)), np.ones((3, 1))], [np.full(3, 0.1), [0.0]],
                             activation=lambda v: v.log(), output="identity")  # log of w·x + b: x > 0 only
    X = np.random.default_rng(0).uniform(0.5, 2.0, (20, 2))
    opt = SGD(model.parameters(), 1e-3)
    modes.auto_step(model, X.tolist(), np.zeros(20).tolist(), mse, opt, 0.0)
    assert tape_status(model)["fit mse (training)"].startswith("compiled")
    bad = X.copy()
    bad[5] = -1.0  # w·x + b < 0 at example 5
    messages = []
    for step in (_step_eager, modes.auto_step):
        with pytest.raises(ValueError) as caught:
            step(model, bad.tolist(), np.zeros(20).tolist(), mse, opt, 0.0)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and messages[0].startswith("log is defined only for x > 0, got x = -")


# --- the gradient rule: a zero local gradient contributes exactly zero ---------------------------------------------


def test_relu_and_max_flat_regions_pass_nothing_under_an_infinite_upstream_gradient():
    torch = pytest.importorskip("torch")
    a, c = Value(1.0, "a"), Value(0.5, "c")
    X = np.array([-1.0, -2.0, 4.0])
    cases = {"relu ** 0.5": (lambda x: (a * x).relu() ** 0.5, lambda t, x: torch.relu(t * x) ** 0.5),
             "relu × inf": (lambda x: (a * x).relu() * math.inf, lambda t, x: torch.relu(t * x) * math.inf),
             "max × inf": (lambda x: (a * x).maximum(c) * math.inf, None)}
    for name, (f, f_torch) in cases.items():
        tape = record(f, X[:1], params=[a])
        for x in X.tolist():
            a.grad = 0.0
            f(Value(x)).backward()  # the engine's rule
            eager = a.grad
            a.grad = 0.0
            tape.sum(np.array([x]))
            assert a.grad == eager or (math.isnan(a.grad) and math.isnan(eager)), (name, x)
            if x < 0:
                assert a.grad == 0.0, (name, x)  # not 0·∞ = nan
                if f_torch is not None:
                    t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
                    f_torch(t, x).backward()
                    assert t.grad.item() == 0.0


def test_a_nan_input_still_gives_a_nan_gradient():
    a = Value(1.0, "a")
    f = lambda x: (a * x).tanh() * 2  # noqa: E731  (tanh's local at nan is nan; relu's would be 0)
    tape = record(f, np.array([1.0]), params=[a])
    tape.sum(np.array([math.nan, 1.0]))
    assert math.isnan(a.grad)
    a.grad = 0.0
    f(Value(math.nan)).backward()
    assert math.isnan(a.grad)


# --- the program a learner can read ----------------------------------------------------------------------------------


def test_the_tape_source_is_the_numpy_program_it_runs():
    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    X = np.random.default_rng(0).uniform(-1, 1, (5, 2))
    tape = record(lambda x: model(x), X, params=model.parameters())
    source = tape.source
    assert source.startswith("def forward(V, U):") and "\ndef backward(V, U, GV, GU, saved):" in source
    assert source.count(" @ ") >= 2  # each layer a matrix product
    assert "# 3 × exp in layer1/neuron0 … layer1/neuron2" in source
    assert re.search(r"\n    g\d+ = (t\d+) \* \1 \* g\d+ \* t\d+\n", source)  # σ's four local gradients, one line
    assert "# 3 × σ composed of ×(−1), exp, +1, 1/x: local s·s·e in layer1/neuron0 … layer1/neuron2" in source
    from autograd.compiled.codegen import RUNTIME

    namespace = dict(RUNTIME)
    exec(source, namespace)  # the text runs on its own, given the rows' helpers: it is the program
    V, _, U, _ = tape._buffer(len(X))
    tape(X)
    expected = V[tape._where[tape.root][0 + 1]].copy()
    namespace["forward"](V, U)
    np.testing.assert_array_equal(V[tape._where[tape.root][1]], expected)
    np.testing.assert_allclose(expected, [model(x).data for x in X.tolist()], **TOL)


def test_tracing_leaves_plain_values_behind():
    model = MLP(2, [3, 1], activation="leaky_relu", output="identity", seed=0)
    params_before = [type(p) for p in model.parameters()]
    c = Value(0.2, "c")
    tape = record(lambda x: c.maximum(model(x)), np.ones((3, 2)), params=model.parameters())
    assert {type(n) for n in tape.order} == {Value}
    assert [type(p) for p in model.parameters()] == params_before == [Value] * len(params_before)
    assert type(c) is Value and tape.order[-1].data == max(0.2, model([1.0, 1.0]).data)
