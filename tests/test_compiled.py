"""Compiled batch mode against the eager engine: per-example values and summed gradients agree to 1e-12."""
import math
import random

import numpy as np
import pytest

from autograd import PRIMITIVES, Value, topological_order
from autograd.compiled import NUMPY_PRIMITIVES, DropoutMask, Tape, TapeError, record

from conftest import anywhere, close, nonzero, positive, with_edges

TOL = dict(rel=1e-12, abs=1e-12)


def test_the_numpy_table_has_a_row_for_every_primitive():
    assert set(NUMPY_PRIMITIVES) == set(PRIMITIVES)
    assert all(row.name == name for name, row in NUMPY_PRIMITIVES.items())


# --- row against row: each numpy forward and local against the engine's, element by element ----------------------


# row against row needs no central differences, so the samples go wider than the samplers' defaults
WIDE = with_edges(anywhere, -4, 4)
WIDE_POSITIVE = with_edges(positive, 0.01, 5)
WIDE_NONZERO = with_edges(nonzero, 0.01, 5)


def special(rng, n):
    """WIDE and the values every row must treat as Python does: nan, ±inf, ±1."""
    return np.r_[WIDE(rng, n), math.nan, math.nan, math.inf, -math.inf, 1.0, -1.0]


ROWS = [("add", None, WIDE), ("mul", None, WIDE), ("max", None, WIDE), ("max", None, special),
        ("pow", 3.0, WIDE), ("pow", 2.0, WIDE), ("pow", 0.5, WIDE_POSITIVE), ("pow", -2.0, WIDE_NONZERO),
        ("pow", 0.0, special), ("pow", math.inf, special), ("pow", math.nan, special), ("pow", -math.inf, WIDE_NONZERO),
        ("exp", None, WIDE), ("log", None, WIDE_POSITIVE), ("recip", None, WIDE_NONZERO), ("relu", None, WIDE),
        ("tanh", None, WIDE), ("elu", 0.7, WIDE), ("sigmoid", None, WIDE)]


@pytest.mark.parametrize("op, arg, sample", ROWS,
                         ids=[f"{op}{'' if a is None else a}-{s.__name__}" for op, a, s in ROWS])
def test_numpy_row_equals_engine_row(op, arg, sample):
    eager, batch = PRIMITIVES[op], NUMPY_PRIMITIVES[op]
    rng = np.random.default_rng(0)
    xs = [sample(rng, 40) for _ in range(eager.arity)]
    if eager.arity == 2:
        xs[1] = rng.permutation(xs[1])
        xs[1][:3] = xs[0][:3]  # ties for max
    extra = () if arg is None else (arg,)
    arrays = [x[None, :] for x in xs]  # (1 node, examples)
    out = batch.forward(*arrays, *extra)
    local = [np.broadcast_to(d, out.shape) for d in batch.local(*arrays, *extra, out)]
    for i in range(len(xs[0])):
        scalars = [float(x[i]) for x in xs] + list(extra)
        expected = eager.forward(*scalars)
        assert close(out[0, i], expected, abs_tol=1e-12), (op, scalars)
        for d, e in zip(local, eager.local(*scalars, expected)):
            assert close(d[0, i], e, abs_tol=1e-12), (op, scalars)


# --- per-example functions: the tape's summed gradients against eager's, one backward per example ----------------

a, b, c = Value(0.7, "a"), Value(-0.4, "b"), Value(1.3, "c")
PARAMS = [a, b, c]

FUNCTIONS = {
    "add": lambda x0, x1: a * x0 + b + x1 + c * c,
    "mul": lambda x0, x1: (a * x0) * (b * x1),
    "max": lambda x0, x1: (a * x0).maximum(b * x1) * c,
    "**3": lambda x0, x1: (a * x0 + b) ** 3,
    "**0.5": lambda x0, x1: (a * x0 * x0 + c) ** 0.5,
    "**-2": lambda x0, x1: (a * x0 + 3) ** -2,
    "exp": lambda x0, x1: (a * x0 + b * x1).exp(),
    "log": lambda x0, x1: (a * x0 * x0 + b * b + 0.1).log(),
    "recip": lambda x0, x1: (a * x0 + 5).reciprocal() + c,
    "relu": lambda x0, x1: (a * x0 + b * x1).relu(),
    "tanh": lambda x0, x1: (a * x0 + b).tanh() * x1,
    "elu": lambda x0, x1: (a * x0 + b * x1).elu(0.7),
    "sigmoid": lambda x0, x1: (a * x0 + b).sigmoid(fused=True),
    "composed sigmoid": lambda x0, x1: (a * x0 + b * x1 + c).sigmoid(),
    "leaky relu": lambda x0, x1: (a * x0 + b).leaky_relu(0.1),
    "division": lambda x0, x1: (a * x0 - b) / (c * c + x1 * x1),
    "2**x": lambda x0, x1: 2 ** (a * x0),
    "reused partial sum": lambda x0, x1: (lambda s: (s + c) * s)(a * x0 + b * x1 + x0),
    "repeated terms": lambda x0, x1: x0 * a + x0 * a + x1 + x1 + b,
    "parameters only": lambda x0, x1: a * b + c * c + a * c,
}


def eager_sums(f, X):
    """Per-example values, and the parameters' gradients summed over the examples, from eager backward."""
    for p in PARAMS:
        p.grad = 0.0
    values = []
    for x0, x1 in X.tolist():
        out = f(Value(x0), Value(x1))
        out.backward()
        values.append(out.data)
    return np.array(values), [p.grad for p in PARAMS]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tape_sum_equals_eager_summed_gradients(name):
    f = FUNCTIONS[name]
    X = np.random.default_rng(1).uniform(-1, 1, (9, 2))
    values, grads = eager_sums(f, X)
    for p in PARAMS:
        p.grad = 0.0
    tape = record(lambda x: f(x[0], x[1]), X)
    for p in PARAMS:
        p.grad = 0.0
    total = tape.sum(X)
    assert tape(X) == pytest.approx(values, **TOL)
    assert total == pytest.approx(values.sum(), **TOL)
    assert [p.grad for p in PARAMS] == pytest.approx(grads, **TOL)


def test_backward_returns_the_inputs_gradients():
    X = np.random.default_rng(2).uniform(-1, 1, (5, 2))
    tape = record(lambda x0, x1: (a * x0 + b * x1).tanh() * x0, X[:, 0], X[:, 1])
    tape.forward(X[:, 0], X[:, 1])
    input_grads = tape.backward()
    for (x0, x1), row in zip(X.tolist(), input_grads):
        v0, v1 = Value(x0), Value(x1)
        (a * v0 + b * v1).tanh().__mul__(v0).backward()
        assert row == pytest.approx([v0.grad, v1.grad], **TOL)


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_match_eager(seed):
    rng = random.Random(seed)
    unary = [lambda u: u.tanh(), lambda u: u.relu(), lambda u: u.sigmoid(), lambda u: u * u,
             lambda u: (u * u + 1).log(), lambda u: (u * u + 1).reciprocal(), lambda u: u.tanh().exp(),
             lambda u: u.elu(0.5), lambda u: u * 2.5]
    program = [(rng.randrange(3), rng.randrange(10**6), rng.randrange(10**6), rng.randrange(9), rng.randrange(2, 6))
               for _ in range(14)]

    def f(x0, x1):
        nodes = [x0, x1, a, b, c]
        for kind, i, j, k, m in program:
            u, v = nodes[i % len(nodes)], nodes[j % len(nodes)]
            if kind == 0:
                nodes.append(unary[k](u))
            elif kind == 1:
                nodes.append(u * v if k % 2 else u.maximum(v))
            else:  # a sum of m terms, some of them products of a parameter and a node
                terms = [PARAMS[t % 3] * nodes[(i + t) % len(nodes)] for t in range(m)]
                total = terms[0]
                for t in terms[1:] + [v]:
                    total = total + t
                nodes.append(total)
        out = nodes[-1]
        for n in nodes[-4:-1]:
            out = out + n
        return out

    X = np.random.default_rng(seed).uniform(-1, 1, (6, 2))
    values, grads = eager_sums(f, X)
    tape = record(lambda x: f(x[0], x[1]), X)
    for p in PARAMS:
        p.grad = 0.0
    tape.sum(X)
    assert tape(X) == pytest.approx(values, **TOL)
    assert [p.grad for p in PARAMS] == pytest.approx(grads, **TOL)


# --- networks: the batch cost mean_i loss_i (+ an L2 term) ------------------------------------------------------


nn = pytest.importorskip("autograd.nn")


def moons_like(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    return X, np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)


def test_mlp_hinge_with_l2_matches_the_eager_batch_cost():
    X, Y = moons_like(40, 0)
    model = nn.MLP(2, [16, 16, 1], activation="relu", output="identity", init="uniform", seed=3)
    params, lam = model.parameters(), 1e-3
    model.zero_grad()
    cost = nn.hinge([model(x) for x in X.tolist()], Y.tolist()) + nn.l2(model.weights(), lam)
    cost.backward()
    eager = [p.grad for p in params]

    tape = record(lambda x, y: (1 - model(x) * y).relu() + nn.l2(model.weights(), lam), X, Y)
    model.zero_grad()
    assert tape.mean(X, Y) == pytest.approx(cost.data, **TOL)
    assert [p.grad for p in params] == pytest.approx(eager, **TOL)
    assert len(tape.blocks) < 15  # the layers ran as matrix products, not node by node
    assert "@" in tape.source


@pytest.mark.parametrize("activation", ["maxout", "sigmoid", "tanh", "elu", "leaky_relu", "sigmoid_fused"])
def test_mlp_mse_matches_eager(activation):
    X, Y = moons_like(25, 1)
    model = nn.MLP(2, [5, 1], activation=activation, output="identity", seed=4)
    params = model.parameters()
    model.zero_grad()
    cost = nn.mse([model(x) for x in X.tolist()], Y.tolist())
    cost.backward()
    eager = [p.grad for p in params]
    tape = record(lambda x, y: (model(x) - y) ** 2, X, Y)
    model.zero_grad()
    assert tape.mean(X, Y) == pytest.approx(cost.data, **TOL)
    assert [p.grad for p in params] == pytest.approx(eager, **TOL)


def test_a_parameter_update_is_seen_by_the_next_replay():
    X, Y = moons_like(20, 2)
    model = nn.MLP(2, [4, 1], activation="tanh", output="identity", seed=5)
    tape = record(lambda x, y: (model(x) - y) ** 2, X, Y)
    for _ in range(3):  # three SGD steps, compiled and eager side by side on a copy
        model.zero_grad()
        tape.mean(X, Y)
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    expected = np.mean([(model(x).data - y) ** 2 for x, y in zip(X.tolist(), Y.tolist())])
    assert tape(X, Y).mean() == pytest.approx(expected, **TOL)


def test_parameter_only_tape():
    penalty = a * a + b * b + c * c + a * b
    for p in PARAMS:
        p.grad = 0.0
    penalty.backward()
    eager = [p.grad for p in PARAMS]
    tape = Tape(penalty, [])
    for p in PARAMS:
        p.grad = 0.0
    assert tape.sum(np.empty((1, 0))) == pytest.approx(penalty.data, **TOL)
    assert [p.grad for p in PARAMS] == pytest.approx(eager, **TOL)


# --- the zero-upstream rule: no 0·∞ = nan -------------------------------------------------------------------------


@pytest.mark.parametrize("fused", [False, True])
def test_saturated_sigmoid_gives_a_finite_zero_gradient_in_both_modes(fused):
    X = np.array([-2000.0, 2000.0])  # a·x = ∓1400: e^1400 overflows, σ' is exactly 0
    for x in X.tolist():
        a.grad = 0.0
        (a * x).sigmoid(fused=fused).backward()
        assert a.grad == 0.0
    tape = record(lambda x: (a * x).sigmoid(fused=fused), X)
    a.grad = 0.0
    assert tape.sum(X) == pytest.approx(1.0)
    assert a.grad == 0.0
    assert np.all(np.isfinite(tape.backward()))


def test_a_nan_input_still_gives_nan_as_eager_does():
    X = np.array([[math.nan], [1.0]])
    tape = record(lambda x: (a * x[0]).tanh(), X[1:])
    a.grad = 0.0
    tape.sum(X)
    assert math.isnan(a.grad)


def test_a_nan_through_max_reaches_the_output_and_is_guarded_as_in_eager():
    X = np.array([[math.nan], [1.0], [-2.0]])
    f = lambda x: (a * x[0]).maximum(b)  # noqa: E731
    tape = record(f, X[1:])
    outs = tape.forward(X)
    eager = [f([Value(x)]).data for x in X[:, 0]]
    assert math.isnan(outs[0]) and math.isnan(eager[0]) and outs[1:].tolist() == eager[1:]
    # relu's local at nan is 0, so no gradient reaches max's nan local: 0, not 0·nan, in both modes
    g = lambda x: (a * x[0]).maximum(b).relu() * c  # noqa: E731
    eager_sums(lambda x0, x1: g([x0]), np.c_[X, X])
    expected = [p.grad for p in PARAMS]
    tape = record(g, X[1:])
    for p in PARAMS:
        p.grad = 0.0
    tape.sum(X)
    assert expected[1] == 0.0 and math.isnan(expected[2])  # b: no gradient; c: times relu(nan) = nan
    assert [p.grad for p in PARAMS] == pytest.approx(expected, nan_ok=True, **TOL)


# --- dropout masks are data: drawn afresh per example and per replay ----------------------------------------------


def test_dropout_masks_are_redrawn_and_gradients_match_eager_with_the_same_masks():
    X = np.random.default_rng(3).uniform(-1, 1, (300, 1))

    def net(x, keep):
        h = [(a * x + b).tanh(), (b * x - c).tanh(), (c * x).tanh()]
        return sum((hi * DropoutMask(0.4, k) for hi, k in zip(h, keep)), Value(0.0))

    tape = record(lambda x: net(x[0], [True] * 3), X, rng=0)
    assert len(tape.masks) == 3
    for p in PARAMS:
        p.grad = 0.0
    values = tape.sum(X)
    masks = np.array([tape.values(m) for m in tape.masks])
    assert set(np.unique(masks)) == {0.0, 1 / 0.6}
    assert 0.3 < (masks == 0).mean() < 0.5
    compiled = [p.grad for p in PARAMS]

    for p in PARAMS:
        p.grad = 0.0
    total = 0.0
    for (x,), keep in zip(X.tolist(), masks.T):
        out = net(Value(x), keep != 0)
        out.backward()
        total += out.data
    assert values == pytest.approx(total, **TOL)
    assert compiled == pytest.approx([p.grad for p in PARAMS], **TOL)

    tape.forward(X)
    assert not np.array_equal(masks, np.array([tape.values(m) for m in tape.masks]))  # a new step, new masks


def test_an_unmarked_random_mask_is_caught():
    draw = np.random.default_rng(0)

    def net(x):
        return sum((x * (2.0 if draw.random() < 0.5 else 0.0) for _ in range(10)), Value(0.0))

    with pytest.raises(TapeError, match="DropoutMask"):
        record(lambda x: net(x), np.arange(5.0))


# --- what the tape cannot capture is refused, not replayed wrong ----------------------------------------------------


def test_python_branch_on_the_data_is_caught():
    X = np.array([1.0, -1.0, 2.0])
    with pytest.raises(TapeError, match=r"depends on the data through Python.*reads \.data at .*test_compiled\.py"):
        record(lambda x: x * a if x.data > 0 else x * b, X)


def test_a_number_taken_from_the_data_is_caught():
    with pytest.raises(TapeError, match="depends on the data"):
        record(lambda x: x * Value(x.data ** 2), np.array([1.0, 2.0, 3.0]))


def test_a_branch_taken_by_no_checked_row_is_caught_by_tracing():
    X = np.r_[np.ones(20), -1.0, np.ones(20)]  # only row 20 takes the other branch
    f = lambda x: (x * a).tanh() if x.data > 0 else (x * a).relu()  # noqa: E731
    with pytest.raises(TapeError, match="reads .data") as caught:
        record(f, X, check=0)  # no other row is run: the read itself is the evidence
    (read,) = caught.value.reads
    assert read.file == __file__ and "x.data > 0" in read.text


def test_relu_and_max_need_no_branch():
    X = np.array([[1.0, -2.0], [-1.0, 3.0], [0.5, 0.5]])
    tape = record(lambda x: (x[0] * a).relu() + x[0].maximum(x[1]), X)
    assert tape(X) == pytest.approx([max(0, 0.7 * x0) + max(x0, x1) for x0, x1 in X.tolist()], **TOL)


# --- bad input --------------------------------------------------------------------------------------------------


def test_domain_errors_name_the_example():
    tape = record(lambda x: (x * a).log(), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"x > 0.*example 2"):
        tape(np.array([1.0, 2.0, -3.0]))
    tape = record(lambda x: x.reciprocal(), np.array([1.0]))
    with pytest.raises(ZeroDivisionError, match="example 1"):
        tape(np.array([1.0, 0.0]))


def test_wrong_batch_shape_and_order_of_calls_are_explained():
    tape = record(lambda x: x[0] * x[1] * a, np.ones((3, 2)))
    with pytest.raises(ValueError, match="2 inputs"):
        tape(np.ones((3, 3)))
    with pytest.raises(RuntimeError, match="forward"):
        Tape(a * b, []).backward()
    with pytest.raises(TypeError, match="leaf"):
        Tape(a * b, [a * c])
    with pytest.raises(TypeError, match="one Value"):
        record(lambda x: [x], np.ones(2))


def test_the_tape_replays_the_same_graph_eager_builds():
    X = np.ones((2, 2))
    tape = record(lambda x: (x[0] * a + x[1] * b).tanh(), X)
    assert [n.op for n in tape.order] == [n.op for n in topological_order(tape.root)]
    assert tape.nodes == len(tape.order) == 8  # 2 inputs, 2 parameters, 2 ×, +, tanh


# --- a training step for nn.fit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss, output, optimizer", [("bce", "sigmoid", "adam"), ("hinge", "identity", "sgd"),
                                                     ("mse", "identity", "momentum")])
def test_compiled_fit_step_equals_the_eager_step(loss, output, optimizer):
    from autograd.nn.modes import compiled_step as step
    from autograd.nn.train import _step_eager

    X, Y = moons_like(30, 6)
    y = (Y + 1) / 2 if loss != "hinge" else Y
    eager = nn.MLP(2, [6, 1], activation="tanh", output=output, seed=7)
    compiled = nn.MLP.from_weights(*eager.get_weights(), activation="tanh", output=output)
    loss_fn = nn.get_loss(loss)
    opt_e, opt_c = (nn.make_optimizer(optimizer, m.parameters(), 0.05) for m in (eager, compiled))
    for _ in range(4):
        cost_e, out_e = _step_eager(eager, X.tolist(), y.tolist(), loss_fn, opt_e, 1e-3)
        cost_c, out_c = step(compiled, X.tolist(), y.tolist(), loss_fn, opt_c, 1e-3)
        assert cost_c == pytest.approx(cost_e, **TOL)
        assert out_c == pytest.approx(out_e, **TOL)
    assert [p.data for p in compiled.parameters()] == pytest.approx([p.data for p in eager.parameters()], **TOL)


def test_compiled_fit_step_refuses_what_it_cannot_replay_and_auto_falls_back():
    from autograd.nn.modes import auto_step, compiled_step, tape_status

    X, Y = moons_like(20, 8)
    model = nn.MLP(2, [3, 1], activation="tanh", output="identity", seed=0)
    opt = nn.SGD(model.parameters(), 0.1)
    custom = lambda outs, ys: sum(((o - y) ** 4 for o, y in zip(outs, ys)), Value(0.0))  # noqa: E731
    with pytest.raises(TapeError, match="built-in losses"):
        compiled_step(model, X.tolist(), Y.tolist(), custom, opt, 0.0)
    big_X = np.repeat(X, 10, axis=0)  # 200 rows: enough work that auto tries a tape first
    before = [p.data for p in model.parameters()]
    cost, outputs = auto_step(model, big_X.tolist(), np.repeat(Y, 10).tolist(), custom, opt, 0.0)
    assert len(outputs) == 200 and math.isfinite(cost) and [p.data for p in model.parameters()] != before
    assert tape_status(model)["fit <lambda> (training)"].startswith("eager: TapeError: the compiled step knows")


def test_regression_targets_share_one_tape_and_match_eager():
    from autograd.nn.modes import compiled_step, tape_status
    from autograd.nn.train import _step_eager

    X, _ = moons_like(30, 8)
    y = np.linspace(-1, 1, 30)  # 30 distinct targets: the target is an input of the tape
    eager = nn.MLP(2, [4, 1], activation="tanh", output="identity", seed=0)
    compiled = nn.MLP.from_weights(*eager.get_weights(), activation="tanh", output="identity")
    for _ in range(3):
        cost_e, out_e = _step_eager(eager, X.tolist(), y.tolist(), nn.mse, nn.SGD(eager.parameters(), 0.1), 0.0)
        cost_c, out_c = compiled_step(compiled, X.tolist(), y.tolist(), nn.mse, nn.SGD(compiled.parameters(), 0.1),
                                      0.0)
        assert cost_c == pytest.approx(cost_e, **TOL) and out_c == pytest.approx(out_e, **TOL)
    assert list(tape_status(compiled)) == ["fit mse (training)"]


def test_auto_step_is_eager_for_small_steps_and_compiled_for_big_ones():
    from autograd.lab.data import moons, xor
    from autograd.nn.modes import AUTO_MIN_STEP_NODES, auto_step, tape_status

    small, wider = nn.MLP(2, [2, 1], seed=0), nn.MLP(2, [10, 1], seed=0)  # the lab's 2-2-1 and 2-10-1
    big = nn.MLP(2, [16, 16, 1], activation="relu", output="sigmoid", seed=0)
    for model, (X, y) in ((small, xor()), (wider, xor()), (big, moons(100, 0.1, seed=0))):
        auto_step(model, X.tolist(), y.tolist(), nn.bce, nn.SGD(model.parameters(), 0.1), 0.0)
    X = xor()[0]
    assert len(topological_order(small(X[0].tolist()))) * 4 < AUTO_MIN_STEP_NODES
    assert tape_status(small) == {"fit bce (training)": "eager: fewer than AUTO_MIN_STEP_NODES = "
                                                        f"{AUTO_MIN_STEP_NODES} nodes per step"}
    assert tape_status(wider)["fit bce (training)"].startswith("compiled: Tape(")
    assert tape_status(big)["fit bce (training)"].startswith("compiled: Tape(")


def test_an_nn_dropout_model_compiles_with_fresh_masks():
    X, Y = moons_like(50, 9)
    model = nn.MLP(2, [8, 1], activation="relu", output="identity", dropout=0.5, seed=0)
    tape = record(lambda x, y: (model(x) - y) ** 2, X, Y, rng=1)
    assert len(tape.masks) == 8
    tape.forward(X, Y)
    masks = np.array([tape.values(m) for m in tape.masks])
    assert len({tuple(col) for col in masks.T}) > 10  # examples get different masks
    model.eval()
    assert len(record(lambda x, y: (model(x) - y) ** 2, X, Y).masks) == 0
