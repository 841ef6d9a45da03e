# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. XOR: one unit cannot, two layers can
#
# XOR is the lecture's classic example: the output is 1 when exactly one input is 1. No straight line separates
# the 1s from the 0s, so a single logistic unit cannot solve it. A hidden layer can. Every net here is trained
# with full-batch gradient descent on the four points and the lab's cost (binary cross-entropy).

# %%
import time
T0 = time.perf_counter()
# %matplotlib inline

import math
import numpy as np
from autograd.lab.data import xor
from autograd.nn import MLP, fit, predict
from viz import draw_dot
from viz.examples import xor_loss
from viz.plots import plot_history, plot_decision_boundary

X, y = xor()
print(X.tolist(), y.tolist())

# %% [markdown]
# ## One unit: stuck at ln 2
#
# The best a single unit can do on XOR is to output 0.5 everywhere. The cost is then −log 0.5 = ln 2 ≈ 0.6931,
# and accuracy is 0.5 (the tie at 0.5 predicts class 0).

# %%
unit = MLP(2, [1], activation="sigmoid", seed=0)
history = fit(unit, X, y, lr=0.1, steps=10_000)
print(f"cost {history.cost[-1]:.6f} (ln 2 = {math.log(2):.6f}), accuracy {history.accuracy[-1]}")
print("outputs:", np.round(predict(unit, X), 4))
print(f"10,000 steps in {history.seconds:.1f} s")

# %% [markdown]
# ## The lecture's hand-set net
#
# Two sigmoid units, W1 = [[5, −7], [5, −7]], b1 = [−8, 3], feed a third, W2 = [[−11], [−11]], b2 = 6.
# The outputs are close to 0, 1, 1, 0. Below is the graph of its cost on the input (0, 1): one box per layer,
# with each sigmoid drawn as a single σ node.

# %%
hand_set = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
print("outputs:", np.round(predict(hand_set, X), 4))
loss = xor_loss(0.0, 1.0, 1.0)
loss.backward()
draw_dot(loss, cluster=True, sigmoid="compact")

# %%
plot_decision_boundary(hand_set, X, y, title="hand-set 2-2-1")

# %% [markdown]
# ## Learning the 2-2-1 net
#
# Start from random N(0, 1) weights (seed 17) and let gradient descent find the weights. The cost stays on a
# plateau for a while before it drops. Some seeds never leave the plateau: see the seed counts in
# [docs/lab.md](../docs/lab.md).

# %%
model = MLP(2, [2, 1], activation="sigmoid", seed=17)
h_221 = fit(model, X, y, lr=0.1, steps=10_000)
print(f"cost {h_221.cost[-1]:.4f}, accuracy {h_221.accuracy[-1]}, outputs {np.round(predict(model, X), 3)}")
print(f"10,000 steps in {h_221.seconds:.1f} s")
W, b = model.get_weights()
print("learned W1 =", np.round(W[0], 2).tolist(), " b1 =", np.round(b[0], 2).tolist())

# %%
plot_decision_boundary(model, X, y, title="learned 2-2-1")

# %% [markdown]
# ## Wider and deeper (lab 9-1)
#
# A hidden layer of 10 units (2-10-1) and three of them (2-10-10-10-1), still all sigmoid, from N(0, 1) weights
# (seed 0). After the same 10,000 steps both end with a lower cost than 2-2-1: ten times lower for the deep net.
# The log-scale plot shows the gap.

# %%
nets = {"2-2-1": model}
histories = {"2-2-1": h_221}
for name, hidden in (("2-10-1", [10]), ("2-10-10-10-1", [10, 10, 10])):
    nets[name] = MLP(2, hidden + [1], activation="sigmoid", seed=0)
    histories[name] = fit(nets[name], X, y, lr=0.1, steps=10_000)
    h = histories[name]
    first = next((i for i, a in enumerate(h.accuracy) if a == 1.0), None)
    print(f"{name:14s} cost {h.cost[-1]:.5f}  accuracy {h.accuracy[-1]}  first at 1.0: step {first}  "
          f"({h.seconds:.1f} s)")
plot_history(histories, logy=True)

# %%
plot_decision_boundary(nets["2-10-10-10-1"], X, y, title="2-10-10-10-1")

# %%
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")
