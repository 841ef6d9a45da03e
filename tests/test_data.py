"""autograd.lab.data: the lab's XOR, moons and spirals (checked against their geometry), and the seeded split."""
import numpy as np
import pytest

from autograd.lab.data import DATASETS, load, moons, spirals, train_test_split, xor


def test_xor_is_the_labs_four_points():
    X, y = xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == float and y.dtype.kind == "i"
    assert np.array_equal(y, np.logical_xor(X[:, 0], X[:, 1]))


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert (y == 0).sum() == 50 and (y == 1).sum() == 51
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert upper[:, 1].min() >= -1e-12  # the top half of the unit circle
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert lower[:, 1].max() <= 0.5 + 1e-12  # the bottom half of the circle around (1, 0.5)


def test_moons_noise_and_seeds():
    a, b, c = moons(200, 0.1, seed=4), moons(200, 0.1, seed=4), moons(200, 0.1, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    # the noise has the requested std: distance of each noisy upper-moon point from the unit circle
    X, y = moons(4000, 0.05, seed=0)
    r = np.hypot(*X[y == 0].T)
    assert np.std(r - 1) == pytest.approx(0.05, rel=0.1)
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(moons(200, 0.1, rng=rng)[0], a[0])


def test_spirals_geometry():
    X, y = spirals(300, classes=3, noise=0.0, turns=1.0, seed=0)
    assert X.shape == (300, 2) and np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.05) and r.max() == pytest.approx(1.0)
    # arm k: angle = 2π(turns·r + k/classes)
    expected = 2 * np.pi * (r + y / 3)
    angle = np.arctan2(X[:, 1], X[:, 0])
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)
    X2, y2 = spirals(101, seed=1)
    assert np.bincount(y2).tolist() == [51, 50]


def test_train_test_split():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))  # a partition
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)  # rows stay paired with their labels
    again = train_test_split(X, y, test_size=0.3, seed=0)
    np.testing.assert_array_equal(again[1], X_test)
    assert len(train_test_split(X, y, test_size=4, seed=0)[1]) == 4
    assert not np.array_equal(train_test_split(X, y, 0.3, seed=1)[3], y_test)


@pytest.mark.parametrize("call, message", [
    (lambda: train_test_split(np.zeros((5, 2)), np.zeros(4)), "same length"),
    (lambda: train_test_split(np.zeros((5, 2)), np.zeros(5), test_size=1.0), "fraction in \\(0, 1\\)"),
    (lambda: train_test_split(np.zeros((5, 2)), np.zeros(5), test_size=5), "count in \\[1, 4\\]"),
    (lambda: moons(0), "n must be an int >= 2"),
    (lambda: moons(10, noise=-1), "noise must be a number >= 0, got -1.0"),
    (lambda: spirals(10, classes=1), "classes must be an int >= 2"),
    (lambda: moons(10, seed=-3), "seed must be an int >= 0, got -3"),
    (lambda: load("iris"), "xor, moons, spirals"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_load_by_name():
    assert DATASETS == ("xor", "moons", "spirals")
    np.testing.assert_array_equal(load("xor")[1], xor()[1])
    np.testing.assert_array_equal(load("moons", 50, seed=3)[0], moons(50, 0.1, seed=3)[0])
    np.testing.assert_array_equal(load("spirals", 50, seed=3)[0], spirals(50, noise=0.05, seed=3)[0])
