"""autograd.lab.pretraining: lecture 10's initialization story on bars and stripes, on a budget of seconds.

The headline asserted (the module docstring has the full-budget numbers): weights too close to zero, Xavier
and He leave this deep *sigmoid* net at the prior's cost; N(0, 1) and autoencoder pre-training learn it, the
autoencoder faster; RBM pre-training starts lower but saturated, with a tiny first-layer gradient; He with
ReLU hidden units, the lecture's pairing, learns fastest of all, its gradient as large at layer 1 as at the top.
"""
import numpy as np
import pytest

from autograd.lab import pretraining as P


def _prior_cost(y):
    p = np.mean(y)
    return float(-(p * np.log(p) + (1 - p) * np.log(1 - p)))


@pytest.fixture(scope="module")
def story():
    return P.pretraining(n=200, depth=4, steps=300, rbm_epochs=30, ae_steps=200, seed=0)


def test_bars_and_stripes_are_bars_or_stripes():
    X, y = P.bars_and_stripes(50, size=3, flip=0.0, seed=0)
    assert X.shape == (50, 9) and set(np.unique(X)) == {0.0, 1.0}
    for image, label in zip(X.reshape(-1, 3, 3), y):
        lines = image[0, :] if label else image[:, 0]  # bars: columns constant; stripes: rows constant
        expected = np.tile(lines[None, :], (3, 1)) if label else np.tile(lines[:, None], (1, 3))
        assert np.array_equal(image, expected)
        assert 0 < lines.sum() < 3  # never all on or all off: those images are both
    noisy, _ = P.bars_and_stripes(2000, size=4, flip=0.1, seed=1)
    clean, _ = P.bars_and_stripes(2000, size=4, flip=0.0, seed=1)
    assert np.mean(noisy != clean) == pytest.approx(0.1, abs=0.01)


def test_too_small_and_xavier_and_he_stay_at_the_priors_cost(story):
    prior = _prior_cost(story.data["y"])
    majority = max(np.mean(story.data["y"]), 1 - np.mean(story.data["y"]))
    for init in ("small", "xavier", "he"):
        run = story.runs[init]
        assert run.train_cost == pytest.approx(prior, abs=5e-3), init
        assert run.train_accuracy == pytest.approx(majority), init
    assert story.layers["small"][0] < 1e-8  # the notes' "W too close to zero": nothing reaches layer 1


def test_normal_and_autoencoder_learn_and_the_autoencoder_learns_fastest(story):
    normal, auto = story.runs["normal"], story.runs["autoencoder"]
    assert normal.train_accuracy > 0.9 and auto.train_accuracy > 0.95
    assert auto.train_cost < 0.5 * normal.train_cost
    assert auto.test_accuracy >= 0.9
    assert story.layers["autoencoder"][0] > story.layers["normal"][0]  # the largest gradient at layer 1


def test_gradients_vanish_towards_the_input_for_xavier_and_he(story):
    for init in ("xavier", "he"):
        grads = story.layers[init]
        assert len(grads) == 5  # 4 hidden layers and the output layer
        assert grads[0] < 1e-2 * grads[-1], init
        assert story.layers["normal"][0] > 10 * grads[0], init


def test_xavier_and_he_squash_the_differences_between_images_on_the_way_up(story):
    spread = story.config["spread"]
    for init in ("xavier", "he"):
        assert spread[init][-1] < 0.05 * spread[init][0], init  # about ×0.25 per layer over 4 layers
        assert spread["normal"][-1] > 5 * spread[init][-1], init


def test_rbm_pretraining_starts_lower_but_saturated(story):
    rbm, normal = story.runs["rbm"], story.runs["normal"]
    assert rbm.first_cost < normal.first_cost
    assert story.config["slopes"]["rbm"][0] < story.config["slopes"]["normal"][0]
    assert story.layers["rbm"][0] < 1e-2 * story.layers["normal"][0]
    assert rbm.train_cost > normal.train_cost  # reported as measured: it does not beat N(0, 1) here


def test_he_with_relu_learns_fastest_and_its_gradient_reaches_layer_1(story):
    relu, auto = story.runs["he+relu"], story.runs["autoencoder"]
    assert relu.train_accuracy == 1.0 and relu.test_accuracy >= 0.95
    assert relu.train_cost < 0.1 * auto.train_cost  # the best of the pre-trained runs, 10× behind
    grads = story.layers["he+relu"]
    assert grads[0] > 0.1 * grads[-1]  # no vanishing: layer 1 within 10× of the output layer
    assert grads[0] > 100 * story.layers["he"][0]  # the same He scale, sigmoid units: 100× smaller at layer 1
    slopes = story.config["slopes"]["he+relu"]  # for ReLU, mean f′(a) is the share of units that are on
    assert len(slopes) == 4 and all(0.1 < share < 0.9 for share in slopes)


def test_saturation_is_the_mean_sigmoid_slope():
    from autograd.nn import MLP

    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 1.0]])
    W, b = model.layers[0].get_weights()
    h = 1 / (1 + np.exp(-(X @ W + b)))
    assert P.saturation(model, X) == [pytest.approx(float(np.mean(h * (1 - h))), abs=1e-15)]
    spread_by_hand = np.mean([abs(h[0, j] - h[1, j]) / 2 for j in range(3)])  # std of two numbers: half their gap
    assert P.spread(model, X) == [pytest.approx(spread_by_hand, abs=1e-15)]


def test_saturation_of_relu_units_is_the_share_that_is_on():
    from autograd.nn import MLP

    model = MLP(2, [4, 1], activation="relu", output="sigmoid", init="he", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 1.0], [-1.0, 0.5]])
    W, b = model.layers[0].get_weights()
    on = (X @ W + b) > 0
    assert P.saturation(model, X) == [pytest.approx(float(np.mean(on)), abs=1e-15)]
    assert 0 < np.mean(on) < 1  # some units on, some off: the check can tell a share from 0 or 1


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="flip"):
        P.bars_and_stripes(10, flip=0.7)
    with pytest.raises(ValueError, match="size"):
        P.bars_and_stripes(10, size=1)
    with pytest.raises(ValueError, match=r"inits must be a list of run names from normal, .*he\+relu; got \['relu'\]"):
        P.pretraining(inits=["relu"], n=20, steps=1)
