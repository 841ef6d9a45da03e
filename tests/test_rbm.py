"""autograd.nn.rbm: the CD update is backward() on the free-energy difference; RBMs learn; pre-training lands."""
import numpy as np
import pytest

from autograd.nn import MLP, RBM, pretrain_autoencoder, pretrain_rbm
from autograd.nn.rbm import _sigmoid


def _grads(rbm):
    W = np.array([[w.grad for w in row] for row in rbm.W])
    return W, np.array([v.grad for v in rbm.b]), np.array([v.grad for v in rbm.c])


def _closed_form_cd(rbm, V0, Vk):
    """The textbook CD update (positive minus negative statistics), batch-averaged: ΔW, Δb, Δc."""
    W, b, c = rbm.get_weights()
    P0, Pk = _sigmoid(c + V0 @ W), _sigmoid(c + Vk @ W)
    return (V0.T @ P0 - Vk.T @ Pk) / len(V0), (V0 - Vk).mean(axis=0), (P0 - Pk).mean(axis=0)


@pytest.mark.parametrize("mode", ["eager", "compiled"])
def test_free_energy_gradient_is_minus_the_closed_form_cd1_update(mode):
    rbm = RBM(3, 2, seed=0, std=0.7)
    rbm.c[1].data, rbm.b[0].data = 0.4, -0.3  # biases away from 0, so each term is exercised
    V0 = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1.0]])
    V1 = rbm.gibbs(V0, k=1)
    rbm.free_energy_gradient(V0, V1, mode=mode)
    dW, db, dc = _closed_form_cd(rbm, V0, V1)
    gW, gb, gc = _grads(rbm)
    assert np.abs(gW + dW).max() < 1e-12
    assert np.abs(gb + db).max() < 1e-12
    assert np.abs(gc + dc).max() < 1e-12
    assert np.abs(dW).max() > 1e-3  # the update is not trivially zero


def test_free_energy_matches_its_formula():
    rbm = RBM(4, 3, seed=1, std=0.5)
    W, b, c = rbm.get_weights()
    v = np.array([1.0, 0.0, 1.0, 1.0])
    expected = -b @ v - np.sum(np.log1p(np.exp(c + v @ W)))
    assert rbm.free_energy(v.tolist()).data == pytest.approx(expected, abs=1e-12)


def test_gibbs_sampling_is_seeded_and_binary():
    V = np.array([[1, 0, 1, 0], [0, 1, 0, 1.0]])
    a, b = RBM(4, 3, seed=5, std=1.0).gibbs(V, k=3), RBM(4, 3, seed=5, std=1.0).gibbs(V, k=3)
    assert np.array_equal(a, b)
    assert set(np.unique(a)) <= {0.0, 1.0}


def _stripes(n, rng):
    """Toy patterns: 6 pixels, either the first three or the last three on (no noise)."""
    left = rng.random(n) < 0.5
    return np.where(left[:, None], [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]).astype(float)


def test_reconstruction_error_falls_on_a_toy_pattern_set():
    V = _stripes(40, np.random.default_rng(0))
    rbm = RBM(6, 2, seed=0)
    before = rbm.reconstruction_error(V)
    errors = rbm.fit(V, epochs=60, lr=0.5, k=1, batch_size=10)
    assert len(errors) == 60 and rbm.errors == errors
    assert before == pytest.approx(0.25, abs=0.01)  # W ≈ 0: every unit reconstructs as ½
    assert errors[-1] < 0.05 < errors[0]
    assert np.mean(np.diff(errors) < 0) > 0.7  # it falls epoch after epoch, mostly


def test_eager_and_compiled_training_agree():
    V = _stripes(8, np.random.default_rng(2))
    a, b = RBM(6, 3, seed=3), RBM(6, 3, seed=3)
    ea = a.fit(V, epochs=3, lr=0.3, mode="eager")
    eb = b.fit(V, epochs=3, lr=0.3, mode="compiled")
    assert np.allclose(ea, eb, atol=1e-12)
    assert np.allclose(a.get_weights()[0], b.get_weights()[0], atol=1e-12)


def test_pretrained_weights_land_in_the_mlp_exactly():
    X = _stripes(30, np.random.default_rng(1))
    model = MLP(6, [4, 3, 1], activation="sigmoid", seed=0)
    output_before = model.layers[-1].get_weights()
    rbms = pretrain_rbm(model, X, epochs=5, lr=0.2, seed=0)
    assert [(r.n_visible, r.n_hidden) for r in rbms] == [(6, 4), (4, 3)]
    for layer, rbm in zip(model.layers, rbms):
        W, _, c = rbm.get_weights()
        W_model, b_model = layer.get_weights()
        assert np.array_equal(W_model, W) and np.array_equal(b_model, c)
    # layer 2's RBM trained on layer 1's hidden probabilities
    H1 = rbms[0].hidden_probabilities(X)
    assert rbms[1].reconstruction_error(H1) == rbms[1].errors[-1]
    W_out, b_out = model.layers[-1].get_weights()
    assert np.array_equal(W_out, output_before[0]) and np.array_equal(b_out, output_before[1])


def test_autoencoder_pretraining_lowers_reconstruction_and_copies_the_encoder():
    X = _stripes(30, np.random.default_rng(4))
    model = MLP(6, [3, 1], activation="sigmoid", seed=0)
    (costs,) = pretrain_autoencoder(model, X, steps=150, lr=0.05, seed=0)
    assert len(costs) == 150 and costs[-1] < 0.5 * costs[0]
    W, b = model.layers[0].get_weights()
    codes = _sigmoid(b + X @ W)
    assert codes.shape == (30, 3) and codes.std(axis=0).max() > 0.1  # the copied encoder tells patterns apart


def test_bad_input_gets_a_clear_error():
    rbm = RBM(3, 2, seed=0)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        rbm.fit(np.array([[0, 2, 1.0]]), epochs=1)
    with pytest.raises(ValueError, match="3 visible units"):
        rbm.fit(np.zeros((2, 4)), epochs=1)
    with pytest.raises(ValueError, match="mode"):
        rbm.free_energy_gradient(np.zeros((1, 3)), np.zeros((1, 3)), mode="fast")
    with pytest.raises(ValueError, match="sigmoid"):
        pretrain_rbm(MLP(3, [2, 1], activation="relu", seed=0), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="n_hidden"):
        RBM(3, 0)
