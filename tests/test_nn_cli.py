"""`chainrule train`: the printed numbers are fit's, files are written, bad values give one-line errors."""
import pytest

from autograd.lab.data import moons, train_test_split, xor
from autograd.nn import MLP, evaluate, fit
from viz import backends
from viz.cli import main


def one_line_error(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("chainrule train: error: ")
    return err


def test_train_xor_prints_fits_numbers(capsys):
    assert main(["train", "xor", "--hidden", "2", "--activation", "sigmoid", "--steps", "300", "--lr", "0.5",
                 "--seed", "17", "--no-progress"]) == 0
    out = capsys.readouterr().out
    X, y = xor()
    model = MLP(2, [2, 1], activation="sigmoid", seed=17)
    fit(model, X, y, lr=0.5, steps=300)
    cost, acc = evaluate(model, X, y)
    assert f"final cost {cost:.6f}, accuracy {acc:.4f}" in out
    assert "MLP 2-2-1 (sigmoid, output sigmoid), sgd lr 0.5, 300 steps, seed 17" in out
    assert "[1.0, 1.0] -> " in out


def test_train_single_unit_and_deep_options(capsys):
    assert main(["train", "xor", "--hidden", "0", "--steps", "50", "--no-progress"]) == 0
    assert "MLP 2-1 " in capsys.readouterr().out
    assert main(["train", "xor", "--hidden", "3,3", "--activation", "relu", "--init", "he", "--optimizer", "adam",
                 "--lr", "0.05", "--steps", "20", "--no-progress"]) == 0
    assert "MLP 2-3-3-1 (relu, output sigmoid), adam lr 0.05" in capsys.readouterr().out


def test_train_moons_reports_test_accuracy(capsys):
    argv = ["train", "moons", "--hidden", "6", "--activation", "tanh", "--steps", "40", "--lr", "0.5",
            "--n", "60", "--seed", "2", "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    X, y = moons(60, 0.1, seed=2)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.25, seed=2)
    model = MLP(2, [6, 1], activation="tanh", output="sigmoid", seed=2)
    fit(model, X_train, y_train, lr=0.5, steps=40, seed=2)
    assert f"test accuracy {evaluate(model, X_test, y_test)[1]:.4f}" in out


def test_train_writes_plots(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    curve, boundary = tmp_path / "out" / "curve.png", tmp_path / "boundary.png"
    assert main(["train", "xor", "--steps", "30", "--no-progress", "--plot", str(curve),
                 "--boundary", str(boundary)]) == 0
    assert f"wrote {curve}" in capsys.readouterr().out
    assert curve.read_bytes()[:4] == boundary.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.skipif(not backends.available(), reason="neither Graphviz's dot nor graphviz-pure is installed")
def test_train_draws_the_network(tmp_path, capsys):
    graph = tmp_path / "net.svg"
    assert main(["train", "xor", "--steps", "10", "--no-progress", "--graph", str(graph)]) == 0
    text = graph.read_text()
    assert "W1[0,1]" in text and "b2[0]" in text and "cluster_layer1" in text


@pytest.mark.parametrize("argv, message", [
    (["train", "iris"], "unknown data set 'iris': choose one of xor, moons, spirals"),
    (["train", "xor", "--hidden", "two"], "--hidden takes layer sizes like 2 or 10,10,10"),
    (["train", "xor", "--hidden", "2,-1"], "--hidden takes layer sizes"),
    (["train", "xor", "--activation", "swish"], "--activation 'swish' is not one of sigmoid, sigmoid_fused"),
    (["train", "xor", "--init", "glorot"], "--init 'glorot' is not one of normal, uniform, xavier, he"),
    (["train", "xor", "--optimizer", "rmsprop"], "is not one of sgd, momentum, adam"),
    (["train", "xor", "--steps", "0"], "--steps must be an int >= 1, got 0"),
    (["train", "xor", "--lr", "-0.1"], "--lr must be a number > 0, got -0.1"),
    (["train", "xor", "--lr", "nan"], "--lr must be a number > 0, got nan"),
    (["train", "xor", "--dropout", "1.5", "--steps", "1"], "--dropout must be a probability in [0, 1)"),
    (["train", "xor", "--batch-size", "0", "--steps", "1"], "--batch-size must be an int >= 1 (leave it out for"),
    (["train", "moons", "--test-size", "1.5", "--steps", "1"], "--test-size must be a fraction in (0, 1)"),
    (["train", "moons", "--noise", "-0.1", "--steps", "1"], "--noise must be a standard deviation >= 0"),
    (["train", "xor", "--l2", "-1", "--steps", "1"], "--l2 must be a number >= 0"),
    (["train", "xor", "--output", "identity", "--bias-init", "normal", "--seed", "3", "--steps", "1"],
     "--loss bce needs probabilities: use --output sigmoid (got --output identity)"),
])
def test_bad_values_are_one_line_errors(capsys, argv, message):
    err = one_line_error(capsys, argv + ["--no-progress"])
    assert message in err
    assert not any(name in err for name in ("batch_size", "test_size", "output=", "dropout probability p"))
