"""Restricted Boltzmann Machines and greedy layer-wise pre-training: lecture 10's 2006 breakthrough.

An RBM has binary visible units v and binary hidden units h, weights W (n_visible × n_hidden, the lab's
x @ W convention), visible biases b and hidden biases c. With the hidden units summed out, its free energy is

    F(v) = −b·v − Σⱼ log(1 + e^(cⱼ + Σᵢ vᵢ Wᵢⱼ))          and p(v) ∝ e^(−F(v)).

Contrastive divergence (CD-k) lowers F on the data and raises it on what the model makes of the data after
k Gibbs steps v → h → v (sampled with the RBM's seeded generator). Its update is the gradient of the
free-energy difference F(v_data) − F(v_k), v_k held fixed, so `backward()` computes it:

    ∂F/∂Wᵢⱼ = −vᵢ σ(cⱼ + v·W:ⱼ),   ∂F/∂bᵢ = −vᵢ,   ∂F/∂cⱼ = −σ(cⱼ + v·W:ⱼ),

the closed-form CD rule ΔW = v₀ p(h|v₀)ᵀ − v_k p(h|v_k)ᵀ with its sign flipped (tests/test_rbm.py checks it).
Pre-training (`pretrain_rbm`) trains one RBM per hidden layer of an MLP, each on the previous layer's hidden
probabilities, and copies its W and c into the layer; `fit` then fine-tunes the whole net with backprop.
`pretrain_autoencoder` is the 2007 variant: each layer learns to reconstruct its input with backprop.

    from autograd.nn import MLP, RBM, pretrain_rbm, fit
    rbm = RBM(16, 8, seed=0)
    errors = rbm.fit(V, epochs=50, lr=0.1)      # reconstruction error after each epoch: falls
    model = MLP(16, [16, 16, 1], activation="sigmoid", seed=0)
    pretrain_rbm(model, X, epochs=20, lr=0.1, seed=0)   # layer1 and layer2 now hold RBM weights
"""
import numpy as np

from ..compiled import NUMPY_PRIMITIVES, record
from ..engine import Value
from .activations import sigmoid, sigmoid_fused
from .init import make_rng
from .mlp import MLP
from .optim import make_optimizer

__all__ = ["RBM", "pretrain_rbm", "pretrain_autoencoder", "RBM_MODES"]

_sigmoid = NUMPY_PRIMITIVES["sigmoid"].forward  # σ on arrays: the compiled table's row, so one σ in numpy
RBM_MODES = ("compiled", "eager")


def _check_binary(V, n_visible, name="V"):
    """V as a float matrix (examples × n_visible) with entries in [0, 1]: binary data or probabilities."""
    V = np.asarray(V, dtype=float)
    if V.ndim != 2 or V.shape[1] != n_visible or not len(V):
        raise ValueError(f"{name} must be a matrix (examples × {n_visible} visible units), got shape {V.shape}")
    if not np.all((V >= 0) & (V <= 1)):
        raise ValueError(f"{name} must hold binary data or probabilities in [0, 1] (an RBM's visible units are "
                         f"binary), got values from {V.min():g} to {V.max():g}; rescale the inputs to [0, 1]")
    return V


def _positive_int(name, n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return int(n)


def _batches(n, batch_size, rng):
    """One epoch's index arrays: the whole set (batch_size None) or shuffled minibatches."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


class RBM:
    """A binary RBM: `n_visible` visible units, `n_hidden` hidden units, all sigmoid (Bernoulli) units.

    Parameters are Values: `W` (n_visible lists of n_hidden, labelled "W[i,j]"), `b` (visible biases,
    "b[i]") and `c` (hidden biases, "c[j]"). W starts as N(0, std²) with std = 0.01 (Hinton's practical
    guide), the biases at 0. `seed` / `rng` give the one generator for the initial W and every Gibbs sample.
    `errors` collects the reconstruction error after each epoch of every `fit`.
    """

    def __init__(self, n_visible, n_hidden, seed=None, rng=None, std=0.01):
        self.n_visible = _positive_int("n_visible", n_visible)
        self.n_hidden = _positive_int("n_hidden", n_hidden)
        if not std >= 0:
            raise ValueError(f"std (of the initial weights) must be >= 0, got {std!r}")
        self.rng = make_rng(seed, rng)
        W = std * self.rng.standard_normal((self.n_visible, self.n_hidden))
        self.W = [[Value(float(W[i, j]), f"W[{i},{j}]") for j in range(self.n_hidden)] for i in range(self.n_visible)]
        self.b = [Value(0.0, f"b[{i}]") for i in range(self.n_visible)]
        self.c = [Value(0.0, f"c[{j}]") for j in range(self.n_hidden)]
        self.errors = []
        self._tape = None

    def parameters(self):
        """Every learnable Value: W row by row, then b, then c."""
        return [w for row in self.W for w in row] + self.b + self.c

    def zero_grad(self):
        """Set every parameter's grad to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def get_weights(self):
        """(W, b, c) as numpy arrays of shapes (n_visible, n_hidden), (n_visible,), (n_hidden,)."""
        W = np.array([[w.data for w in row] for row in self.W])
        return W, np.array([v.data for v in self.b]), np.array([v.data for v in self.c])

    # --- the energy, on the scalar engine -------------------------------------------------------------------

    def free_energy(self, v):
        """F(v) = −b·v − Σⱼ log(1 + e^(cⱼ + Σᵢ vᵢ Wᵢⱼ)) as one Value; v is n_visible numbers or Values."""
        if len(v) != self.n_visible:
            raise ValueError(f"v must have {self.n_visible} entries (one per visible unit), got {len(v)}")
        bv = self.b[0] * v[0]
        for i in range(1, self.n_visible):
            bv = bv + self.b[i] * v[i]
        out = -bv
        for j in range(self.n_hidden):
            a = self.c[j]
            for i in range(self.n_visible):
                a = a + v[i] * self.W[i][j]
            out = out - (a.exp() + 1).log()  # softplus(a) = log(1 + e^a); its derivative is σ(a)
        return out

    def cd_cost(self, v_data, v_model):
        """F(v_data) − F(v_model): the Value whose gradient is the CD update (v_model held fixed)."""
        return self.free_energy(v_data) - self.free_energy(v_model)

    def free_energy_gradient(self, V, V_model, mode="compiled"):
        """Set every parameter's grad to ∂/∂θ of mean_i [F(V_i) − F(V_model_i)]; returns that mean.

        mode "compiled" replays one recorded graph of F(v) − F(v') over the batch with numpy (autograd.compiled:
        F's graph has the same shape for every v, so the tape is exact; same numbers to rounding); "eager"
        builds the scalar graph of every example and calls backward() (slow, for checking and small cases).
        """
        if mode not in RBM_MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(RBM_MODES)}")
        V, V_model = _check_binary(V, self.n_visible), _check_binary(V_model, self.n_visible, "V_model")
        if len(V) != len(V_model):
            raise ValueError(f"V and V_model need one row each per example, got {len(V)} and {len(V_model)} rows")
        self.zero_grad()
        if mode == "compiled":
            if self._tape is None:  # F's graph has the same shape for every v: record it once
                self._tape = record(self.cd_cost, V[:1], V_model[:1], check=0)
            return self._tape.mean(V, V_model)
        cost = self.cd_cost(V[0].tolist(), V_model[0].tolist())
        for v, v_model in zip(V[1:].tolist(), V_model[1:].tolist()):
            cost = cost + self.cd_cost(v, v_model)
        cost = cost * (1.0 / len(V))
        cost.backward()
        return cost.data

    # --- sampling, in numpy with the seeded generator ------------------------------------------------------

    def hidden_probabilities(self, V):
        """p(hⱼ = 1 | v) = σ(cⱼ + v·W:ⱼ) for every row of V: an array (examples × n_hidden)."""
        W, _, c = self.get_weights()
        return _sigmoid(c + np.asarray(V, dtype=float) @ W)

    def visible_probabilities(self, H):
        """p(vᵢ = 1 | h) = σ(bᵢ + Wᵢ:·h) for every row of H: an array (examples × n_visible)."""
        W, b, _ = self.get_weights()
        return _sigmoid(b + np.asarray(H, dtype=float) @ W.T)

    def _sample(self, p):
        """Binary states, 1 with probability p, drawn from the RBM's generator."""
        return (self.rng.random(p.shape) < p).astype(float)

    def gibbs(self, V, k=1):
        """v_k after k Gibbs steps v → h → v from each row of V (h and v sampled): CD-k's negative sample."""
        V = _check_binary(V, self.n_visible)
        _positive_int("k", k)
        for _ in range(k):
            V = self._sample(self.visible_probabilities(self._sample(self.hidden_probabilities(V))))
        return V

    def reconstruct(self, V):
        """The mean-field reconstruction p(v | p(h | V)): what the RBM makes of V, as probabilities."""
        return self.visible_probabilities(self.hidden_probabilities(V))

    def reconstruction_error(self, V):
        """mean over examples and units of (v − reconstruction)²: "input and reconstruction differ as little as
        possible", the lecture's words for what pre-training aims at."""
        V = _check_binary(V, self.n_visible)
        return float(np.mean((V - self.reconstruct(V)) ** 2))

    # --- training -----------------------------------------------------------------------------------------

    def fit(self, V, epochs=10, lr=0.1, k=1, batch_size=None, optimizer="sgd", mode="compiled"):
        """Train with CD-k for `epochs` passes over V; returns the reconstruction error after each epoch.

        Each (mini)batch: v_k = gibbs(batch, k), then the gradient of mean F(v) − F(v_k) by backward and one
        optimizer step (`optimizer` as in autograd.nn.fit: "sgd", "momentum", "adam" or an Optimizer).
        mode: how the gradient is computed, "compiled" or "eager" (see free_energy_gradient).
        batch_size None uses all of V at once; minibatches are shuffled with the RBM's generator.
        """
        V = _check_binary(V, self.n_visible)
        epochs, k = _positive_int("epochs", epochs), _positive_int("k", k)
        if batch_size is not None:
            _positive_int("batch_size", batch_size)
        optimizer = make_optimizer(optimizer, self.parameters(), lr)
        errors = []
        for _ in range(epochs):
            for idx in _batches(len(V), batch_size, self.rng):
                self.free_energy_gradient(V[idx], self.gibbs(V[idx], k), mode)
                optimizer.step()
            errors.append(self.reconstruction_error(V))
        self.errors.extend(errors)
        return errors

    def __repr__(self):
        return f"RBM({self.n_visible} visible, {self.n_hidden} hidden)"


# --- greedy layer-wise pre-training of an MLP ---------------------------------------------------------------


def _hidden_layers(model):
    """The MLP's hidden layers (all but the output layer), each checked to be a layer of sigmoid units."""
    if not isinstance(model, MLP) or len(model.layers) < 2:
        raise ValueError("pre-training needs an MLP with at least one hidden layer, e.g. MLP(16, [16, 16, 1])")
    hidden = model.layers[:-1]
    for layer in hidden:
        activation = getattr(layer.neurons[0], "activation", None)
        if activation not in (sigmoid, sigmoid_fused):
            raise ValueError(f"{layer.name} has activation {getattr(activation, '__name__', activation)!r}: "
                             "an RBM's hidden units are sigmoid units, so pre-train an MLP with "
                             "activation='sigmoid' (or 'sigmoid_fused')")
    return hidden


def pretrain_rbm(model, X, epochs=20, lr=0.1, k=1, batch_size=None, optimizer="sgd", seed=None, rng=None,
                 mode="compiled"):
    """Greedy layer-wise pre-training (Hinton, Osindero & Teh 2006): one RBM per hidden layer of `model`.

    The RBM of layer 1 trains on X (entries in [0, 1]), the RBM of layer l on layer l−1's hidden probabilities
    p(h | ·). Each RBM's W (n_in × n_out, the lab's convention) and hidden biases c are copied into its layer
    in place; the output layer is left as it was. Then fine-tune with `fit`. Returns the RBMs, layer 1 first
    (each with `errors`, its reconstruction error per epoch). The other arguments are `RBM.fit`'s.
    """
    rng = make_rng(seed, rng)
    H = _check_binary(X, model.nin, "X")
    rbms = []
    for layer in _hidden_layers(model):
        rbm = RBM(layer.nin, len(layer.neurons), rng=rng)
        rbm.fit(H, epochs, lr, k, batch_size, optimizer, mode)
        W, _, c = rbm.get_weights()
        layer.set_weights(W, c)
        H = rbm.hidden_probabilities(H)
        rbms.append(rbm)
    return rbms


def _squared_error(outputs, targets):
    """mean over units of (output − target)²: one example's reconstruction cost (targets may be Values)."""
    total = (outputs[0] - targets[0]) ** 2
    for out, target in zip(outputs[1:], targets[1:]):
        total = total + (out - target) ** 2
    return total * (1.0 / len(outputs))


def pretrain_autoencoder(model, X, steps=200, lr=0.05, optimizer="adam", seed=None, rng=None):
    """Greedy layer-wise pre-training with autoencoders (Bengio et al. 2007), the RBM's backprop cousin.

    For each hidden layer (n_in → n_out) an autoencoder MLP(n_in, [n_out, n_in]) of sigmoid units learns to
    reconstruct the layer's input (mean squared error over the units, full batch, `steps` optimizer steps on
    a compiled tape); its encoder's W and b are copied into the layer and its codes feed the next layer.
    Returns the reconstruction cost per step of each layer's autoencoder, layer 1 first.
    """
    rng = make_rng(seed, rng)
    H = _check_binary(X, model.nin, "X")
    costs = []
    for layer in _hidden_layers(model):
        autoencoder = MLP(layer.nin, [len(layer.neurons), layer.nin], activation="sigmoid", init="xavier", rng=rng)
        tape = record(lambda x, target: _squared_error(autoencoder(x), target), H, H)
        opt = make_optimizer(optimizer, autoencoder.parameters(), lr)
        history = []
        for _ in range(_positive_int("steps", steps)):
            opt.zero_grad()
            history.append(tape.mean(H, H))
            opt.step()
        W, b = autoencoder.layers[0].get_weights()
        layer.set_weights(W, b)
        H = _sigmoid(b + H @ W)
        costs.append(history)
    return costs
