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
# the 1s from the 0s, so a single logistic unit cannot solve it. A hidden layer can. Lecture 9-1 starts with
# gates: AND, OR and NAND are each one logistic unit, and three of them make XOR. Every net here is trained with
# full-batch gradient descent on the four points and the lab's cost (binary cross-entropy).

# %%
import time
T0 = time.perf_counter()
# %matplotlib inline

import math
import numpy as np
from autograd import topological_order
from autograd.lab.data import xor
from autograd.lab.gates import GATES, TRUTH_TABLES, gate, single_units
from autograd.nn import MLP, fit, predict
from viz import draw_dot
from viz.examples import xor_gates, xor_loss
from viz.gate_plots import plot_gate_lines, plot_trained_units
from viz.layers import layer_steps, format_layer_steps
from viz.plots import plot_history, plot_decision_boundary

X, y = xor()
print(X.tolist(), y.tolist())

# %% [markdown]
# ## AND, OR and NAND: one unit each
#
# A logistic unit computes σ(w1·x1 + w2·x2 + b) and says 1 where that is above ½: on one side of the line
# w1·x1 + w2·x2 + b = 0. With hand-set weights, one unit is AND, another OR, a third NAND. The weights are
# large (10) so that the nearest corners sit at σ(±5), within 0.0067 of 0 or 1. The outputs below are at the
# corners (0, 0), (0, 1), (1, 0), (1, 1).

# %%
for name, (w1, w2, b) in GATES.items():
    outputs = [gate(name, x1, x2) for x1, x2 in X]
    said, truth = [int(out > 0.5) for out in outputs], list(TRUTH_TABLES[name])
    print(f"{name:4s} (w1, w2, b) = ({w1:g}, {w2:g}, {b:g}): outputs", "  ".join(f"{out:.4f}" for out in outputs),
          f"→ {said}, truth table {truth}: {'right' if said == truth else 'wrong'}")

# %% [markdown]
# Each gate's 1s lie on one side of its line. XOR's 1s, (0, 1) and (1, 0), lie *between* two lines: above OR's
# and below NAND's (NAND's line is AND's, with the 1s on the other side; the arrows point to each unit's 1 side).
# So XOR is "OR and NAND": XOR = AND(NAND(x1, x2), OR(x1, x2)).

# %%
plot_gate_lines()

# %% [markdown]
# ## XOR from three units
#
# `viz.examples.xor_gates` builds that as one graph: each unit in its own name scope, drawn as a box, with its
# sigmoid as a single σ node. At (0, 1) both NAND and OR say σ(5) = 0.9933 and AND of them says σ(4.866) = 0.9924.
# The gradients come from `backward()` on the output. The inputs' gradients are 0: each input reaches the output
# through NAND (weight −10) and through OR (weight +10), and at (0, 1) both units sit at σ(5) with the same
# slope, so the two paths cancel.

# %%
for x1, x2 in X:
    print(f"xor_gates({x1:g}, {x2:g}) = {xor_gates(x1, x2).data:.4f}")
gates_graph = xor_gates(0.0, 1.0)
gates_graph.backward()
draw_dot(gates_graph, cluster=True)

# %% [markdown]
# ## One unit, trained: AND and OR yes, XOR no
#
# Now let gradient descent find one unit's weights (N(0, 1) start, seed 0, lr 1, 2000 steps) for each truth
# table. AND and OR are linearly separable: the cost falls towards 0 and every corner comes out right. XOR is
# not: the best a single unit can do is w = 0, b = 0, an output of ½ on every corner, cost −log ½ = ln 2 ≈
# 0.6931 and accuracy 0.5 (the tie at 0.5 predicts class 0). Gradient descent walks there, and the trained XOR
# unit has no line left: its weights end near 1e−16.

# %%
units = single_units()
print(units.report())
for name, (w1, w2, b) in units.config["lines"].items():
    print(f"{name:3s} unit after training: w1 = {w1:.3g}, w2 = {w2:.3g}, b = {b:.3g}")
plot_trained_units(units)

# %% [markdown]
# The lab's own run ends the same way: one unit, lr 0.1 and 10,000 steps, stuck at ln 2.

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
# The outputs are close to 0, 1, 1, 0. It is the gates again, other gates: the first hidden unit,
# σ(5·x1 + 5·x2 − 8), is an AND; the second, σ(−7·x1 − 7·x2 + 3), a NOR (1 only at (0, 0)); the output,
# σ(−11·h1 − 11·h2 + 6), a NOR of the two. XOR is 1 where neither "both" nor "neither" holds.
# Below is the graph of its cost on the input (0, 1): one box per layer, with each sigmoid drawn as a single σ node.

# %%
hand_set = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
print("outputs:", np.round(predict(hand_set, X), 4))
loss = xor_loss(0.0, 1.0, 1.0)
loss.backward()
draw_dot(loss, cluster=True, sigmoid="compact")

# %%
plot_decision_boundary(hand_set, X, y, title="hand-set 2-2-1")

# %% [markdown]
# ## Algorithm 6.4 beside the scalar graph
#
# The textbook (Goodfellow, Bengio & Courville, §6.5, quoted in the lecture notes) writes backpropagation
# through a layered net with vectors and matrices. Forward, Algorithm 6.3: h⁽⁰⁾ = x, then for each layer
# a⁽ᵏ⁾ = b⁽ᵏ⁾ + W⁽ᵏ⁾h⁽ᵏ⁻¹⁾ and h⁽ᵏ⁾ = f(a⁽ᵏ⁾). Backward, Algorithm 6.4: g ← ∇ŷJ, then for k = l … 1:
# g ← g ⊙ f′(a⁽ᵏ⁾), ∇b⁽ᵏ⁾J = g, ∇W⁽ᵏ⁾J = g h⁽ᵏ⁻¹⁾ᵀ, g ← W⁽ᵏ⁾ᵀg.
#
# The graph above does the same thing one scalar at a time. `viz.layer_steps` runs the book's lines with numpy
# on the hand-set net at (0, 1), y = 1, and checks every vector against the scalar graph: a⁽ᵏ⁾ and h⁽ᵏ⁾ against
# its nodes' values, every g against its nodes' gradients. They agree exactly. In the book's layout W⁽ᵏ⁾ has one
# row per unit, the lab's weight matrix transposed: row 1 of W⁽¹⁾ is the AND unit's (5, 5).
# Reading the backward lines against the graph: g ⊙ f′(a) is each σ node passing local × g down; g h⁽ᵏ⁻¹⁾ᵀ is
# each × node w·h passing g·h to its w; Wᵀg is the same × nodes passing g·w to h, summed over the units that
# read h.

# %%
steps = layer_steps(hand_set, [0, 1], 1)
backward = [step for step in steps if step.algorithm == "6.4"]
print(format_layer_steps(backward))
print(f"\n{len(steps)} lines ({len(steps) - len(backward)} forward, {len(backward)} backward); "
      f"largest |numpy − scalar graph| = {max(step.error for step in steps):g}")

# %% [markdown]
# The same numbers straight from the graph drawn above (`xor_loss(0, 1, 1)` is this net's cost at (0, 1)): the
# gradients of W1's four weights, in the lab's layout W1[i, j] (input i to unit j). They are ∇W⁽¹⁾J transposed.

# %%
from_graph = {node.label: node.grad for node in topological_order(loss) if node.label.startswith("W1")}
print("scalar graph:", ", ".join(f"∂loss/∂{label} = {grad:.4g}" for label, grad in from_graph.items()))
(dW1,) = [step.value for step in steps if step.name == "∇W⁽¹⁾ J"]
print("Algorithm 6.4: ∇W⁽¹⁾J =", [[float(f"{v:.4g}") for v in row] for row in dW1], "(row j: unit j's weights)")

# %% [markdown]
# The compiled mode (`autograd.compiled`, what `fit` runs on the deep nets) turns this scalar graph into numpy
# code over a whole batch, and it finds the same algorithm. `print(record(lambda x: hand_set(x), X).source)`
# (`from autograd.compiled import record`) shows one matrix product per layer's sums: a line like
# `t0 = w0 @ V[0:2] + U[4:6]` in the forward pass is a⁽¹⁾ = W⁽¹⁾h⁽⁰⁾ + b⁽¹⁾ for all four inputs at once, and
# in the backward pass lines like `g5 @ t4.T` and `w5.T @ g5` are ∇W⁽²⁾J = g h⁽¹⁾ᵀ and g ← W⁽²⁾ᵀg.

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
