"""The worked examples, checked by number against the lecture's hand computations."""
import pytest

from autograd import Value, topological_order
from viz.examples import EXAMPLES, find, neuron, sigmoid_chain, summary, wxb

from conftest import sigmoid


def test_wxb_forward_and_gradients():
    f = wxb()
    assert f.label == "f" and f.data == -7.0  # -2·5 + 3
    f.backward()
    w, x, b, g = (find(f, name) for name in "wxbg")
    assert (w.grad, x.grad, b.grad, g.grad) == (5.0, -2.0, 1.0, 1.0)
    assert g.data == -10.0
    # the local gradients the edges show: ∂g/∂w = x, ∂g/∂x = w, ∂f/∂g = ∂f/∂b = 1
    assert g.local_grads == (5.0, -2.0) and f.local_grads == (1.0, 1.0)


def test_wxb_other_numbers():
    f = wxb(w=1.5, x=-4.0, b=0.5)
    f.backward()
    assert f.data == 1.5 * -4.0 + 0.5
    assert (find(f, "w").grad, find(f, "x").grad, find(f, "b").grad) == (-4.0, 1.5, 1.0)


def test_find_names_the_labels_when_missing():
    with pytest.raises(LookupError, match="no node labelled 'q'.*b, f, g, w, x"):
        find(wxb(), "q")


@pytest.mark.parametrize("z", [-6.0, -1.0, 0.0, 0.5, 3.0])
def test_sigmoid_chain_local_gradients_multiply_to_sigma_prime(z):
    out = sigmoid_chain(z)
    ops = [node.op for node in topological_order(out) if node.parents]
    assert ops == ["mul", "exp", "add", "recip"]
    assert out.data == pytest.approx(sigmoid(z), rel=1e-12)
    product = 1.0
    node = out
    while node.parents:  # walk back along the chain: input 0 is always the path to z
        product *= node.local_grads[0]
        node = node.parents[0]
    assert node.label == "z"
    s = sigmoid(z)
    assert product == pytest.approx(s * (1 - s), rel=1e-9)
    out.backward()
    fused_z = Value(z)
    fused_z.sigmoid(fused=True).backward()
    assert find(out, "z").grad == pytest.approx(fused_z.grad, rel=1e-9)


def test_neuron_defaults():
    y = neuron()
    y.backward()
    assert y.data == 0.5  # z = -3·2 + 1·0 + 6 = 0
    grads = {name: find(y, name).grad for name in ("w1", "x1", "w2", "x2", "b", "z")}
    assert grads == {"w1": 0.5, "x1": -0.75, "w2": 0.0, "x2": 0.25, "b": 0.25, "z": 0.25}


def test_neuron_other_numbers():
    x1, x2, w1, w2, b = 0.3, -1.2, 0.7, 0.4, -0.1
    y = neuron(x1, x2, w1, w2, b)
    y.backward()
    s = sigmoid(w1 * x1 + w2 * x2 + b)
    assert y.data == pytest.approx(s)
    assert find(y, "w2").grad == pytest.approx(s * (1 - s) * x2)
    assert find(y, "x1").grad == pytest.approx(s * (1 - s) * w1)


def test_examples_dict_builds_labelled_graphs():
    for name in ("wxb", "sigmoid_chain", "neuron"):
        assert name in EXAMPLES
    for name, make in EXAMPLES.items():
        root = make()
        assert isinstance(root, Value) and root.label, name
        leaves = [node for node in topological_order(root) if not node.parents]
        assert any(leaf.label for leaf in leaves), name


def test_summary_line():
    assert summary("wxb") == "f = w·x + b at w=−2, x=5, b=3: f = −7, ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1"
    s = sigmoid(1.0)
    assert summary("sigmoid_chain").endswith(f"σ = {s:.4g}, ∂σ/∂z = {s * (1 - s):.4g}")
