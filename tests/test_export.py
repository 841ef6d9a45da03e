"""to_torch: the same network as a float64 torch.nn.Sequential, outputs equal to 1e-9."""
import numpy as np
import pytest

from autograd.nn import MLP, predict, to_torch

torch = pytest.importorskip("torch")
X = np.random.default_rng(11).normal(size=(40, 3))


@pytest.mark.parametrize("activation", ["sigmoid", "sigmoid_fused", "tanh", "relu", "leaky_relu", "elu", "identity",
                                        "maxout"])
def test_outputs_equal_ours(activation):
    model = MLP(3, [5, 4, 2], activation=activation, output="identity", bias_init="normal", seed=2)
    net = model.to_torch()
    assert all(p.dtype == torch.float64 for p in net.parameters())
    ours = predict(model, X, mode="eager")
    theirs = net(torch.from_numpy(X)).detach().numpy()
    assert theirs.shape == ours.shape and np.abs(theirs - ours).max() < 1e-9


def test_softmax_output_dropout_and_a_single_unit():
    model = MLP(3, [6, 3], activation="relu", output="softmax", dropout=0.3, seed=0).eval()
    net = to_torch(model)
    assert isinstance(net[-1], torch.nn.Softmax) and isinstance(net[2], torch.nn.Dropout) and not net.training
    assert np.abs(net(torch.from_numpy(X)).detach().numpy() - predict(model, X, mode="eager")).max() < 1e-9
    single = MLP(3, [2, 1], seed=0)
    assert np.abs(to_torch(single)(torch.from_numpy(X)).detach().numpy()[:, 0] - predict(single, X)).max() < 1e-9


def test_weights_are_copies_and_gradients_agree():
    model = MLP(3, [4, 1], activation="tanh", seed=5)
    net = to_torch(model)
    x = [0.2, -0.4, 1.5]
    out = model(x)
    out.backward()
    net(torch.tensor([x], dtype=torch.float64)).sum().backward()
    assert net[0].weight.grad.numpy().T == pytest.approx(np.array([[w.grad for w in n.w] for n in model.layers[0].neurons]).T,
                                                         abs=1e-12)
    with torch.no_grad():
        net[0].weight.zero_()
    assert model.layers[0].neurons[0].w[0].data != 0.0


def test_custom_activation_is_refused_by_name():
    def cube(v):
        return v ** 3

    with pytest.raises(ValueError, match="layer1's activation cube has no PyTorch module"):
        to_torch(MLP(3, [2, 1], activation=cube, output="sigmoid", seed=0))
