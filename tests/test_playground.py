"""TensorFlow Playground's data sets and input features."""
import numpy as np
import pytest

from autograd.lab.playground import FEATURES, PLAYGROUND, circle, gauss, load, spiral, with_features, xor_quadrants


@pytest.mark.parametrize("name", list(PLAYGROUND))
def test_shape_labels_and_seed(name):
    X, y = PLAYGROUND[name](301, noise=0.2, seed=4)
    assert X.shape == (301, 2) and X.dtype == float and y.dtype.kind == "i" and set(np.unique(y)) == {0, 1}
    assert np.abs(X).max() < 8  # the Playground's square (±6) plus noise
    X2, y2 = PLAYGROUND[name](301, noise=0.2, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, PLAYGROUND[name](301, noise=0.2, seed=5)[0])


def test_without_noise_the_labels_follow_each_rule():
    X, y = circle(400, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r[y == 1] <= 2.5).all() and (r[y == 0] >= 3.5).all() and y.sum() == 200
    X, y = xor_quadrants(400, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int)) and np.abs(X).min() >= 0.3
    X, y = gauss(400, seed=0)
    assert np.linalg.norm(X[y == 1].mean(0) - [2, 2]) < 0.2 and np.linalg.norm(X[y == 0].mean(0) + 2) < 0.2
    assert X[y == 1].var(axis=0) == pytest.approx([0.5, 0.5], rel=0.2)
    X, y = spiral(400, seed=0)
    assert np.hypot(X[:, 0], X[:, 1]).max() < 5 and y.sum() == 200


def test_noise_flips_circle_labels_near_the_border_and_widens_the_blobs():
    X, y = circle(2000, noise=0.5, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert 0 < ((r < 2.5) & (y == 0)).sum() < 600
    assert gauss(2000, noise=0.5, seed=1)[0].var(axis=0) == pytest.approx([8, 8], rel=0.1)  # 4, plus 4 from the centres at ±2


def test_features_and_split():
    X = np.array([[1.0, 2.0], [-0.5, 0.25]])
    F = with_features(X, list(FEATURES))
    expected = [[1, 2, 1, 4, 2, np.sin(1), np.sin(2)], [-0.5, 0.25, 0.25, 0.0625, -0.125, np.sin(-0.5), np.sin(0.25)]]
    np.testing.assert_allclose(F, expected, rtol=0, atol=1e-15)
    X_train, X_test, y_train, y_test = load("gauss", n=200, train_ratio=0.7, seed=0)
    assert (len(X_train), len(X_test), len(y_train), len(y_test)) == (140, 60, 140, 60)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        with_features(np.zeros((2, 2)), ["x1", "x3"])
    with pytest.raises(ValueError, match=r"train_ratio must be a number in \(0, 1\), got 1.0"):
        load("circle", train_ratio=1.0)
    with pytest.raises(ValueError, match="noise must be a number >= 0, got -0.1"):
        spiral(10, noise=-0.1)
    with pytest.raises(ValueError, match="unknown Playground data set 'moons'"):
        load("moons")
