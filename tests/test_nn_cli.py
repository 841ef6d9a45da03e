"""`chainrule train`: the printed numbers are fit's, files are written, bad values give one-line errors."""
import pytest

from autograd.lab.data import moons, train_test_split, xor
from autograd.nn import MLP, evaluate, fit
from conftest import needs_renderer, one_line_error
from viz.cli import main


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


@needs_renderer
def test_train_draws_the_network(tmp_path, capsys):
    graph = tmp_path / "net.svg"
    assert main(["train", "xor", "--steps", "10", "--no-progress", "--graph", str(graph)]) == 0
    text = graph.read_text()
    assert "W1[0,1]" in text and "b2[0]" in text and "cluster_layer1" in text


@pytest.mark.parametrize("argv, message", [
    (["train", "iris"], "unknown data set 'iris': choose one of xor, moons, spirals, circle, gauss, xor-quadrants, "
                        "spiral"),
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
    (["train", "moons", "--noise", "-0.1", "--steps", "1"], "--noise must be a number >= 0 (a standard deviation, "
                                                           "or the Playground's fraction 0 … 0.5), got -0.1"),
    (["train", "circle", "--noise", "inf", "--steps", "1"], "--noise must be a number >= 0"),
    (["train", "gauss", "--test-size", "0", "--steps", "1"], "--test-size must be a fraction in (0, 1)"),
    (["train", "circle", "--classes", "3", "--steps", "1"], "--classes must be an int >= 2 (above 2 only for spirals)"),
    (["train", "circle", "--features", "x1sq,x3", "--steps", "1"],
     "--features takes names from x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2 separated by commas, got 'x3'"),
    (["train", "circle", "--features", ",", "--steps", "1"], "--features takes names from x1, x2, x1sq"),
    (["train", "circle", "--features", "x1sq,x1^2", "--steps", "1"], "--features names a feature twice, got 'x1sq,x1^2'"),
    (["train", "spiral", "--features", "x1sq", "--boundary", "b.png", "--steps", "1"],
     "--boundary draws a network of the two coordinates x1, x2; with --features, write the run as a page with --html"),
    (["train", "xor-quadrants", "--n", "3", "--steps", "1"], "--n must be an int >= 4, got 3"),
    (["train", "xor", "--l2", "-1", "--steps", "1"], "--l2 must be a number >= 0"),
    (["train", "xor", "--output", "identity", "--bias-init", "normal", "--seed", "3", "--steps", "1"],
     "--loss bce needs probabilities: use --output sigmoid (got --output identity)"),
])
def test_bad_values_are_one_line_errors(capsys, argv, message):
    err = one_line_error(capsys, argv + ["--no-progress"], prefix="chainrule train: error: ")
    assert message in err
    assert not any(name in err for name in ("batch_size", "test_size", "output=", "dropout probability p"))


# --- TensorFlow Playground's data sets and input features (issue 14) ------------------------------------------------


def printed_accuracies(out):
    """(train accuracy, test accuracy) from train's second line, as the strings printed."""
    line = next(line for line in out.splitlines() if line.startswith("final cost"))
    return line.split("accuracy ")[1].split()[0], line.split("test accuracy ")[1]


@pytest.mark.parametrize("dataset, name", [("circle", "circle"), ("gauss", "gauss"), ("xor-quadrants", "xor"),
                                           ("spiral", "spiral")])
def test_train_on_each_playground_set_prints_fits_accuracies(capsys, dataset, name):
    from autograd.lab.playground import load

    argv = ["train", dataset, "--hidden", "5", "--activation", "tanh", "--steps", "60", "--lr", "0.3", "--n", "80",
            "--noise", "0.2", "--test-size", "0.3", "--seed", "4", "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    X_train, X_test, y_train, y_test = load(name, 80, noise=0.2, train_ratio=0.7, seed=4)
    assert (len(X_train), len(X_test)) == (56, 24)
    model = MLP(2, [5, 1], activation="tanh", output="sigmoid", seed=4)
    fit(model, X_train, y_train, lr=0.3, steps=60, seed=4)
    train_acc, test_acc = evaluate(model, X_train, y_train)[1], evaluate(model, X_test, y_test)[1]
    assert printed_accuracies(out) == (f"{train_acc:.4f}", f"{test_acc:.4f}")
    assert out.startswith(f"{dataset}: MLP 2-5-1 (tanh, output sigmoid), sgd lr 0.3, 60 steps, seed 4")


def test_features_are_the_networks_inputs(capsys):
    from autograd.lab.playground import load, with_features

    argv = ["train", "circle", "--features", "x1sq,x2sq,x1x2,sinx1", "--hidden", "0", "--steps", "200", "--lr", "0.3",
            "--n", "100", "--noise", "0.05", "--l1", "0.001", "--seed", "1", "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("circle: MLP 4-1 on x1^2, x2^2, x1*x2, sin(x1) (sigmoid, output sigmoid), sgd lr 0.3")
    X_train, X_test, y_train, y_test = load("circle", 100, noise=0.05, train_ratio=0.75, seed=1)
    features = ["x1^2", "x2^2", "x1*x2", "sin(x1)"]
    model = MLP(4, [1], activation="sigmoid", seed=1)
    fit(model, with_features(X_train, features), y_train, lr=0.3, steps=200, l1=0.001, seed=1)
    train_acc = evaluate(model, with_features(X_train, features), y_train)[1]
    test_acc = evaluate(model, with_features(X_test, features), y_test)[1]
    assert printed_accuracies(out) == (f"{train_acc:.4f}", f"{test_acc:.4f}")
    assert train_acc > 0.9  # a circle is a line in x1², x2²: one unit separates it


def test_features_on_the_labs_xor_and_the_library_names(capsys):
    assert main(["train", "xor", "--features", "x1,x2,x1*x2", "--hidden", "0", "--steps", "500", "--lr", "1",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "MLP 3-1 on x1, x2, x1*x2 " in out and "final cost" in out and "accuracy 1.0000" in out
    assert "[1.0, 1.0] -> " in out  # the points are printed, the network ran on their features


# --- chainrule layers: Algorithms 6.3 and 6.4 beside the scalar graph (issue 15) -----------------------------------


def step_block(out, head):
    """The printed step whose first line contains `head`."""
    for block in out.split("\n\n"):
        if head in block.splitlines()[0]:
            return block
    raise AssertionError(f"no step {head!r} in the output")


def last_table(block, rows):
    """The cells of the right-most table of a printed step (its result), `rows` rows."""
    lines = block.splitlines()[1:1 + rows]
    return [line.split("│")[-2].split() for line in lines]


@pytest.mark.parametrize("argv, example", [([], (0.0, 1.0, 1.0)), (["--input", "1,1", "--target", "0"], (1.0, 1.0, 0.0))])
def test_layers_prints_the_hand_set_net_as_the_scalar_engine_computes_it(argv, example, capsys):
    from autograd import topological_order
    from viz.examples import xor_loss
    from viz.notation import fmt

    assert main(["layers", *argv]) == 0
    out = capsys.readouterr().out
    loss = xor_loss(*example)  # the same net, example and loss, as one scalar graph
    loss.backward()
    node = {v.label: v for v in topological_order(loss) if v.label}
    x1, x2, y = (fmt(v) for v in example)
    assert out.startswith(f"the lecture's hand-set XOR net at x = ({x1}, {x2}), y = {y}, loss bce\n")
    assert last_table(step_block(out, "J = L(ŷ, y)"), 1) == [[fmt(loss.data)]]
    assert last_table(step_block(out, "h⁽²⁾ = f(a⁽²⁾)"), 1) == [[fmt(node["h"].data)]]
    # the book's W⁽ᵏ⁾ is the lab's Wk transposed: row j of ∇W⁽ᵏ⁾ J holds ∂J/∂Wk[i,j] for every input i
    assert last_table(step_block(out, "∇W⁽¹⁾ J = g h⁽⁰⁾ᵀ"), 2) == [
        [fmt(node[f"W1[{i},{j}]"].grad) for i in range(2)] for j in range(2)]
    assert last_table(step_block(out, "∇W⁽²⁾ J = g h⁽¹⁾ᵀ"), 1) == [[fmt(node[f"W2[{i},0]"].grad) for i in range(2)]]
    assert last_table(step_block(out, "∇b⁽¹⁾ J = g"), 2) == [[fmt(node[f"b1[{j}]"].grad)] for j in range(2)]
    assert last_table(step_block(out, "∇b⁽²⁾ J = g"), 1) == [[fmt(node["b2[0]"].grad)]]
    assert last_table(step_block(out, "W⁽¹⁾ᵀ g"), 2) == [[fmt(node["x1"].grad)], [fmt(node["x2"].grad)]]
    assert out.count("Algorithm 6.") == out.count("✓ scalar graph") == 15 and "✗" not in out


def test_layers_of_a_saved_network(tmp_path, capsys):
    from autograd import Value
    from autograd.nn import mse
    from viz.notation import fmt

    model = MLP(2, [3, 1], activation="tanh", output="identity", seed=4)
    path = model.save(tmp_path / "net.json")
    assert main(["layers", "--model", str(path), "--input", "0.5,-1", "--target", "1", "--loss", "mse"]) == 0
    out = capsys.readouterr().out
    J = mse([model([Value(0.5), Value(-1.0)])], [1.0])
    assert out.startswith(f"{path} at x = (0.5, −1), y = 1, loss mse\n")
    assert last_table(step_block(out, "J = L(ŷ, y)"), 1) == [[fmt(J.data)]]
    assert "a⁽¹⁾ = │" in out and out.count("✓ scalar graph") == 15 and "✗" not in out


@pytest.mark.parametrize("argv, message", [
    (["--input", "1"], "--input must be 2 numbers separated by commas (the network has 2 inputs), such as 1,1; "
                       "got '1'"),
    (["--input", "1,x"], "got '1,x'"),
    (["--target", "nan"], "--target must be a finite number"),
    (["--model", "missing.json"], "cannot read --model missing.json: No such file or directory"),
    (["--loss", "hinge2"], "--loss 'hinge2' is not one of bce, mse"),
])
def test_layers_bad_values_are_one_line_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = one_line_error(capsys, ["layers", *argv], prefix="chainrule layers: error: ")
    assert message in err
