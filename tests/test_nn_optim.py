"""Optimizers against torch.optim (float64) on the same parameters and gradients, and the rules by hand."""
import math

import numpy as np
import pytest

from autograd import Value
from autograd.nn import MLP, SGD, Adam, bce, make_optimizer

START = [0.5, -1.5, 2.0]


def objective(p):
    """A small non-quadratic function of three parameters, for both frameworks."""
    a, b, c = p
    return (a * b - 1) ** 2 + (c - a) ** 4 * 0.1 + b * b * 0.5


def run(make_param, read, make, steps):
    """`steps` updates of the optimizer `make(params)` on `objective`; the parameters after each, as rows."""
    params = [make_param(v) for v in START]
    opt = make(params)
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        objective(params).backward()
        opt.step()
        trace.append([read(p) for p in params])
    return np.array(trace)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_same_numbers_as_torch(name):
    torch = pytest.importorskip("torch")
    ours = {"sgd": lambda p: SGD(p, lr=0.05), "momentum": lambda p: SGD(p, lr=0.05, momentum=0.9),
            "adam": lambda p: Adam(p, lr=0.1, betas=(0.8, 0.95), eps=1e-6)}[name]
    theirs = {"sgd": lambda p: torch.optim.SGD(p, lr=0.05),
              "momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
              "adam": lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.95), eps=1e-6)}[name]
    a = run(Value, lambda p: p.data, ours, 25)
    b = run(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True), lambda p: p.item(), theirs, 25)
    assert np.abs(a[-1] - np.array(START)).max() > 0.1  # the parameters really moved
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_mlp_gradients_same_as_torch():
    torch = pytest.importorskip("torch")
    X, y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float), np.array([0.0, 1.0, 1.0, 0.0])
    model = MLP(2, [3, 1], activation="tanh", output="sigmoid", bias_init="normal", seed=4)
    cost = bce([model(x) for x in X], y)
    cost.backward()
    (W1, W2), (b1, b2) = model.get_weights()
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in
         dict(W1=W1, b1=b1, W2=W2, b2=b2).items()}
    h = torch.sigmoid(torch.tanh(torch.tensor(X) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"])[:, 0]
    torch_cost = torch.nn.functional.binary_cross_entropy(h, torch.tensor(y))
    torch_cost.backward()
    assert cost.data == pytest.approx(torch_cost.item(), rel=1e-13)
    grad_W1 = np.array([[n.w[i].grad for n in model.layers[0].neurons] for i in range(2)])
    np.testing.assert_allclose(grad_W1, t["W1"].grad.numpy(), rtol=0, atol=1e-13)
    np.testing.assert_allclose([n.b.grad for n in model.layers[0].neurons], t["b1"].grad.numpy(), atol=1e-13)
    np.testing.assert_allclose([w.grad for w in model.layers[1].neurons[0].w], t["W2"].grad.numpy()[:, 0],
                               atol=1e-13)


def test_sgd_rules_by_hand():
    p = Value(1.0)
    opt = SGD([p], lr=0.1, momentum=0.5)
    p.grad = 2.0
    opt.step()  # v = g = 2; p = 1 − 0.1·2
    assert p.data == pytest.approx(0.8)
    p.grad = 2.0
    opt.step()  # v = 0.5·2 + 2 = 3; p = 0.8 − 0.3
    assert p.data == pytest.approx(0.5)
    opt.zero_grad()
    assert p.grad == 0.0


def test_adam_first_step_is_lr_times_sign():
    # m̂ = g and v̂ = g² after one step, so the update is lr·g/(|g| + eps) ≈ lr·sign(g)
    ps = [Value(0.0), Value(0.0)]
    opt = Adam(ps, lr=0.01)
    ps[0].grad, ps[1].grad = 3.0, -0.002
    opt.step()
    assert ps[0].data == pytest.approx(-0.01 * 3.0 / (3.0 + 1e-8))
    assert ps[1].data == pytest.approx(0.01 * 0.002 / (0.002 + 1e-8))
    assert math.isclose(abs(ps[1].data), 0.01, rel_tol=1e-5)


def test_optimizer_errors():
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        SGD([Value(1.0)], lr=0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], momentum=1.0)
    with pytest.raises(ValueError, match="sgd, momentum, adam"):
        make_optimizer("rmsprop", [Value(1.0)], 0.1)
    opt = Adam([Value(1.0)])
    assert make_optimizer(opt, [], 0.1) is opt
