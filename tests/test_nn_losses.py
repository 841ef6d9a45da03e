"""Losses against their formulas written out with math, and their gradients against central differences."""
import math

import pytest

from autograd import Value, gradcheck
from autograd.nn import LOSSES, bce, get_loss, hinge, l2, mse


def test_bce_is_the_labs_cost():
    h, y = [0.9, 0.2, 0.6, 0.35], [1, 0, 1, 0]
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(h, y)) / 4
    assert bce([Value(p) for p in h], y).data == pytest.approx(expected, rel=1e-15)


def test_bce_soft_labels_keep_both_terms():
    h, y = [0.7, 0.4], [0.25, 0.9]
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(h, y)) / 2
    assert bce([Value(p) for p in h], y).data == pytest.approx(expected, rel=1e-15)


def test_bce_gradient():
    y = [1, 0, 0.3]
    result = gradcheck(lambda a, b, c: bce([a, b, c], y), [0.8, 0.3, 0.55])
    assert result.ok(), result
    # ∂/∂h of −mean(y log h + (1−y) log(1−h)) = −(y/h − (1−y)/(1−h)) / n
    h = [Value(0.8), Value(0.3)]
    bce(h, [1, 0]).backward()
    assert h[0].grad == pytest.approx(-(1 / 0.8) / 2)
    assert h[1].grad == pytest.approx((1 / 0.7) / 2)


@pytest.mark.parametrize("h, y", [(0.0, 1), (1.0, 0), (0.0, 0), (1.0, 1)])
def test_bce_finite_at_exactly_0_and_1(h, y):
    out = Value(h)
    cost = bce([out], [y])
    cost.backward()
    assert math.isfinite(cost.data) and math.isfinite(out.grad)
    wrong = (h == 0.0 and y == 1) or (h == 1.0 and y == 0)
    assert cost.data == pytest.approx(-math.log(1e-12) if wrong else 0.0, abs=1e-9)


def test_bce_on_saturated_sigmoid():
    z = Value(800.0)  # σ(800) is exactly 1.0 in floating point
    cost = bce([z.sigmoid()], [0])
    cost.backward()
    assert math.isfinite(cost.data) and math.isfinite(z.grad)


def test_bce_errors():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*output='sigmoid'"):
        bce([Value(1.7)], [1])
    for h in (math.nan, math.inf, -math.inf):  # no sigmoid gives these: blame the learning rate, not the model
        with pytest.raises(ValueError, match="got output -?(nan|inf): training has diverged.*lower the learning rate"):
            bce([Value(h)], [1])
    with pytest.raises(ValueError, match="targets in \\[0, 1\\]"):
        bce([Value(0.5)], [-1])
    with pytest.raises(ValueError, match="one target per output"):
        bce([Value(0.5)], [1, 0])
    with pytest.raises(TypeError, match="one Value per example"):
        bce([[Value(0.5), Value(0.2)]], [1])


def test_mse():
    out, y = [2.0, -1.0, 0.5], [1.0, 1.0, 0.0]
    assert mse([Value(o) for o in out], y).data == pytest.approx((1 + 4 + 0.25) / 3)
    assert gradcheck(lambda a, b, c: mse([a, b, c], y), out).ok()


def test_hinge_is_micrograds_max_margin():
    scores, y = [2.0, 0.3, -0.5, -2.0], [1, 1, 1, -1]
    expected = sum(max(0.0, 1 - t * s) for s, t in zip(scores, y)) / 4  # (0 + 0.7 + 1.5 + 0) / 4
    assert hinge([Value(s) for s in scores], y).data == pytest.approx(expected)
    assert expected == pytest.approx(0.55)
    with pytest.raises(ValueError, match="2 \\* y - 1"):
        hinge([Value(1.0)], [0])


def test_l2_weights_only():
    ws = [Value(0.5), Value(-2.0)]
    penalty = l2(ws, 0.1)
    assert penalty.data == pytest.approx(0.1 * (0.25 + 4.0))
    penalty.backward()
    assert [w.grad for w in ws] == pytest.approx([0.1 * 2 * 0.5, 0.1 * 2 * -2.0])  # ∂(λw²)/∂w = 2λw


def test_loss_names():
    assert get_loss("bce") is bce and set(LOSSES) == {"bce", "mse", "hinge", "cross_entropy"}
    with pytest.raises(ValueError, match="bce, mse, hinge, cross_entropy"):
        get_loss("nll")
