"""autograd.lab.pretraining: lecture 10's initialization story on bars and stripes, on a budget of seconds.

The headline asserted (the module docstring has the full-budget numbers): weights too close to zero, Xavier
and He leave this deep *sigmoid* net at the prior's cost; N(0, 1) and autoencoder pre-training learn it, the
autoencoder faster; RBM pre-training starts lower but saturated, with a tiny first-layer gradient.
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


def test_rbm_pretraining_starts_lower_but_saturated(story):
    rbm, normal = story.runs["rbm"], story.runs["normal"]
    assert rbm.first_cost < normal.first_cost
    assert story.config["slopes"]["rbm"][0] < story.config["slopes"]["normal"][0]
    assert story.layers["rbm"][0] < 1e-2 * story.layers["normal"][0]
    assert rbm.train_cost > normal.train_cost  # reported as measured: it does not beat N(0, 1) here


def test_saturation_is_the_mean_sigmoid_slope():
    from autograd.nn import MLP

    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 1.0]])
    W, b = model.layers[0].get_weights()
    h = 1 / (1 + np.exp(-(X @ W + b)))
    assert P.saturation(model, X) == [pytest.approx(float(np.mean(h * (1 - h))), abs=1e-15)]


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="flip"):
        P.bars_and_stripes(10, flip=0.7)
    with pytest.raises(ValueError, match="size"):
        P.bars_and_stripes(10, size=1)
