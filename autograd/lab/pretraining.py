"""Lecture 10's initialization story, run: bad init, RBM pre-training (2006), then Xavier/He ("the simpler way").

    from autograd.lab.pretraining import pretraining
    result = pretraining()              # about 15 s
    print(result.report())              # cost and accuracy per run
    result.layers["rbm"]                # mean |∂J/∂W| per layer when fine-tuning starts, layer 1 first
    result.config["slopes"]["rbm"]      # mean f′(a) per hidden layer at that moment (h(1 − h) for a sigmoid)
    result.config["spread"]["xavier"]   # how much each hidden layer's output differs between examples then

The task: bars and stripes. A 4×4 binary image is either stripes (some rows on, label 0) or bars (some
columns on, label 1), with each pixel flipped with probability `flip`. Why this task:
  * its inputs suit an RBM: binary pixels are exactly the RBM's Bernoulli visible units, and bars and
    stripes is the classic toy data set of the RBM literature (MacKay 2003; it needs no package to download);
  * it is not linearly separable, for the lecture's own reason: on 2×2 images the two stripes need
    w₁ + w₂ > t and w₃ + w₄ > t, the two bars w₁ + w₃ < t and w₂ + w₄ < t, and the sums contradict, as
    XOR's do; a net needs hidden units that compare pixels, so the question is how to train a deep one;
  * it is small: 16 inputs, a 16-16-16-16-16-16-16-1 sigmoid net, seconds per run with the compiled mode.

Runs, all the same deep net (sigmoid units but for the last run) fine-tuned with the same full-batch SGD (the
lab's optimizer, lr 0.5, 1000 steps):
  "normal"  the lab's N(0, 1) weights;   "small"  N(0, 0.01²), the notes' "W too close to zero";
  "rbm"     greedy layer-wise RBM pre-training (autograd.nn.pretrain_rbm), then fine-tuning;
  "autoencoder"   greedy layer-wise autoencoder pre-training (autograd.nn.pretrain_autoencoder), then fine-tuning;
  "xavier", "he"  the lecture's formulas, randn/√fan_in and randn/√(fan_in/2), on the sigmoid net;
  "he+relu"  He's weights with ReLU hidden units (the output unit stays a sigmoid): the pairing lecture 10
             teaches, He's formula having been derived for ReLU.

What it measures with the defaults (seed 0; seeds 1 and 2 in brackets), reported as found, not tuned:
  * "small" never leaves the cost of predicting the class prior (0.682; accuracy 0.573, the majority
    share): ∂J/∂W⁽¹⁾ is about 2e−15. The notes' first beat: weights too close to zero do not learn.
  * "normal" learns: train cost 0.003, test accuracy 0.94 [0.97, 0.97]. At width 16, N(0, 1) is *not* the
    stupid init the lab's narrow 2-5-…-1 XOR net shows: a unit's pre-activation has std ≈ √(16 · ⅓) ≈ 2.3,
    mean f′(a) is about 0.13 per layer, and ∂J/∂W⁽¹⁾ = 5e−4 is only about 400× below the output layer's.
  * "xavier" and "he" stay at the prior's cost for the whole budget [both seeds too]: for a sigmoid their
    weights are small (the formulas were derived for tanh and ReLU), so each layer multiplies differences by
    about σ′·|w|·√16 ≈ 0.2, going up and coming down. Going up, the last hidden layer's output differs from
    image to image by a spread of 6e−5 (Xavier) and 4e−4 (He) against N(0, 1)'s 2e−2, so the output unit
    sees nearly the same h⁽⁶⁾ for every image; coming down, ∂J/∂W⁽¹⁾ is 4e−7 (Xavier) and 3e−6 (He).
  * "he+relu" learns fastest of all: accuracy ≥ 0.95 from step 49 [52, 124], train cost 2e−4, test accuracy
    0.99 [0.98, 0.98]. A ReLU unit that is on passes g on unchanged (f′ = 1; 20% to 60% of the units are
    on) and He's scale keeps the signal's size from layer to layer, so ∂J/∂W⁽¹⁾ = 2e−3 is within 3× of the
    output layer's. This is the third beat where it applies; "the simpler way" is a scale *and* the unit it was
    derived for.
  * "rbm" starts from a lower cost than N(0, 1) (0.71 against 1.12 [0.70 / 0.74, 0.75 / 2.13]) and its
    RBMs learn (layer 1's reconstruction error falls from 0.25 to about 0.03), but fine-tuning does not
    get anywhere in this budget [nor on seeds 1 and 2]: the RBM features are saturated, mean f′(a) is 0.04
    in layer 1 (0.25 is a sigmoid's most), and ∂J/∂W⁽¹⁾ starts at 3e−6, 100× below N(0, 1)'s. On this toy
    task, with plain SGD, RBM pre-training does not beat the lab's N(0, 1) weights; its 2006 successes
    came with far more data, epochs and fine-tuning.
  * "autoencoder" (Bengio et al. 2007) does beat N(0, 1) here: accuracy ≥ 0.95 from step 86 [137, 122]
    against 451 [369, 272], train cost 0.002, test accuracy 0.99 [0.95, 0.98], and the largest ∂J/∂W⁽¹⁾ of
    the sigmoid runs, 7e−3: its codes stay unsaturated (mean f′ 0.12 to 0.18 in every layer), so the
    gradient reaches layer 1.
Over seeds 0 to 4 the outcome is the same: "normal", "autoencoder" and "he+relu" learn on every seed (test
accuracy 0.95 to 0.99), "small", "xavier", "he" and "rbm" on none. tests/test_pretraining.py asserts these
outcomes on a smaller budget.
"""
from __future__ import annotations

import time

import numpy as np

from .data import train_test_split
from .experiments import Experiment, _train, layer_gradients
from ..compiled import NUMPY_PRIMITIVES
from ..nn import MLP
from ..nn.init import make_rng
from ..nn.rbm import pretrain_autoencoder, pretrain_rbm

__all__ = ["bars_and_stripes", "too_small", "saturation", "spread", "pretraining", "INITS_COMPARED"]

INITS_COMPARED = ("normal", "small", "rbm", "autoencoder", "xavier", "he", "he+relu")


def bars_and_stripes(n=400, size=4, flip=0.05, seed=None, rng=None):
    """`n` noisy size×size bars-and-stripes images: X (n, size²) of 0/1 pixels, y (n,) with 1 = bars.

    Each image picks bars or stripes with probability ½, then turns each of its `size` lines on with
    probability ½ (redrawn while all or none are on: those images are both), then flips each pixel with
    probability `flip`. Rows of X are images read row by row.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2:
        raise ValueError(f"size must be an int >= 2 (images are size×size), got {size!r}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int (the number of images), got {n!r}")
    if not 0 <= flip < 0.5:
        raise ValueError(f"flip must be a probability in [0, 0.5), got {flip!r}")
    rng = make_rng(seed, rng)
    y = rng.integers(0, 2, n)
    X = np.empty((n, size * size))
    for i in range(n):
        lines = rng.random(size) < 0.5
        while lines.all() or not lines.any():
            lines = rng.random(size) < 0.5
        image = np.tile(lines[None, :], (size, 1)) if y[i] else np.tile(lines[:, None], (1, size))
        X[i] = image.ravel()
    flips = rng.random(X.shape) < flip
    return np.abs(X - flips), y


def too_small(fan_in, fan_out, rng):
    """N(0, 0.01²): weights "too close to zero", the notes' first example of a bad initialization."""
    return 0.01 * rng.standard_normal((fan_in, fan_out))


def _hidden_forward(model, X):
    """Each hidden layer's a, h = f(a) on X (examples × units) and its activation's NUMPY_PRIMITIVES row."""
    h = np.asarray(X, dtype=float)
    for layer in model.layers[:-1]:
        W, b = layer.get_weights()
        row = NUMPY_PRIMITIVES[layer.neurons[0].activation.__name__]  # "sigmoid" or "relu": the same math on arrays
        a = b + h @ W
        h = row.forward(a)
        yield a, h, row


def saturation(model, X):
    """Mean f′(a) over examples and units, per hidden layer, with each layer's own activation f.

    For a sigmoid f′(a) = h(1 − h): 0.25 is the most it passes on, near 0 the layer is saturated and
    backprop's g ⊙ f′(a) vanishes there. For ReLU f′(a) is 1 or 0: the share of units that are on.
    """
    return [float(np.mean(row.local(a, h)[0])) for a, h, row in _hidden_forward(model, X)]


def spread(model, X):
    """How much each hidden layer's output differs from example to example: the standard deviation over the
    examples of X, averaged over the layer's units. Near 0 at the last hidden layer, every example looks the
    same to the output unit, and the best it can learn is the class prior."""
    return [float(np.mean(np.std(h, axis=0))) for _, h, _ in _hidden_forward(model, X)]


# hidden activation and weight scheme of each run that is not simply a sigmoid net with the scheme of its name
_NETS = {"small": ("sigmoid", too_small), "rbm": ("sigmoid", "normal"), "autoencoder": ("sigmoid", "normal"),
         "he+relu": ("relu", "he")}


def _initialized(init, sizes, X, seed, rbm, autoencoder):
    """A fresh MLP of `sizes` for the run `init` (a sigmoid output unit; sigmoid hidden units but for "he+relu"),
    pre-trained on X for "rbm" and "autoencoder"."""
    activation, scheme = _NETS.get(init, ("sigmoid", init))
    model = MLP(sizes[0], sizes[1:], activation=activation, output="sigmoid", init=scheme, seed=seed)
    if init == "rbm":
        pretrain_rbm(model, X, seed=seed, **rbm)
    elif init == "autoencoder":
        pretrain_autoencoder(model, X, seed=seed, **autoencoder)
    return model


def pretraining(inits=INITS_COMPARED, n=400, size=4, flip=0.05, depth=6, width=16, lr=0.5, steps=1000,
                rbm_epochs=50, rbm_lr=0.05, rbm_batch=10, ae_steps=300, ae_lr=0.02, grad_sample=64, seed=0,
                mode="auto"):
    """The same deep net on bars and stripes from each initialization in `inits`; see the module docstring.

    Data: `bars_and_stripes(n, size, flip)`, 25% held out for testing. Net: size² inputs, `depth` hidden layers
    of `width` sigmoid units (ReLU units for "he+relu"), one sigmoid output, initial weights from `seed`. RBM
    pre-training: CD-1, `rbm_epochs` epochs of minibatches of `rbm_batch` with momentum SGD at `rbm_lr`.
    Fine-tuning: full-batch SGD at `lr` for `steps` steps, through `fit` (mode as there). Returns an Experiment:
      runs     {init: Run} (first_cost, train_cost, accuracies; seconds include pre-training);
      layers   {init: mean |∂J/∂W| per layer, layer 1 first, when fine-tuning starts}, on the first
               `grad_sample` training examples;
      config   the settings, plus "slopes" {init: saturation() per hidden layer when fine-tuning starts} and
               "spread" {init: spread() per hidden layer at that moment}, both on the training set.
    """
    unknown = [init for init in inits if init not in INITS_COMPARED]
    if isinstance(inits, str) or unknown:
        raise ValueError(f"inits must be a list of run names from {', '.join(INITS_COMPARED)}; got {inits!r}")
    start = time.perf_counter()
    X, y = bars_and_stripes(n, size, flip, seed=seed)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, seed=seed)
    sizes = [size * size] + [width] * depth + [1]
    rbm = dict(epochs=rbm_epochs, lr=rbm_lr, batch_size=rbm_batch, optimizer="momentum")
    autoencoder = dict(steps=ae_steps, lr=ae_lr)
    runs, layers, slopes, spreads = {}, {}, {}, {}
    for init in inits:
        began = time.perf_counter()
        model = _initialized(init, sizes, X, seed, rbm, autoencoder)
        pretrained = time.perf_counter() - began
        layers[init] = layer_gradients(model, X[:grad_sample], y[:grad_sample])
        slopes[init], spreads[init] = saturation(model, X), spread(model, X)
        runs[init] = _train(init, model, X, y, X_test, y_test, lr=lr, steps=steps, seed=seed, mode=mode)
        runs[init].seconds += pretrained
    config = dict(inits=list(inits), n=n, size=size, flip=flip, depth=depth, width=width, lr=lr, steps=steps,
                  rbm_epochs=rbm_epochs, rbm_lr=rbm_lr, rbm_batch=rbm_batch, ae_steps=ae_steps, ae_lr=ae_lr,
                  grad_sample=grad_sample, seed=seed, mode=mode, slopes=slopes, spread=spreads)
    return Experiment("pre-training", runs, layers, time.perf_counter() - start, config,
                      dict(X=X, y=y, X_test=X_test, y_test=y_test))
