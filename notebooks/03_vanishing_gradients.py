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
# # 3. Deep nets and vanishing gradients
#
# Lecture 10 stacks 9 hidden layers for XOR and the net learns nothing: the cost stays at 0.693 and the accuracy
# at 0.5. The cause is backpropagation itself. Each sigmoid multiplies the gradient by σ(1 − σ) ≤ 0.25
# (notebook 1), so by the first layer almost nothing is left. ReLU passes the gradient through unchanged where
# it is active. Each experiment below is one seeded function of `autograd.lab.experiments`. The tests run the same
# functions with smaller budgets.
#
# Two words used below are explained in notebook 4: **N(0, 1)** weights are drawn from a standard normal (the lab's
# `tf.random_normal`); **He** and **Xavier** weights are the same draws divided by √(fan_in/2) and √fan_in, so
# that the signal keeps its size through ReLU layers (He) or shrinks slowly (Xavier).

# %%
import time
T0 = time.perf_counter()
# %matplotlib inline

from autograd.lab.data import xor
from autograd.lab.experiments import (vanishing_gradients, compare_activations, compare_learning_rates,
                                      deep_xor_net, cost_graph, neuron_weight_grads)
from IPython.display import display
from viz import draw_dot
from viz.plots import plot_history, plot_decision_boundary, plot_layers

# %% [markdown]
# ## 9 hidden layers on XOR
#
# A 2 → 5 × 9 → 1 net (the lab's) with sigmoid everywhere and N(0, 1) weights, against the same shape with ReLU
# hidden layers (He weights) and a sigmoid output. Both use plain gradient descent with lr 0.1.

# %%
deep = vanishing_gradients(steps=2000)
print(deep.report())
sig, relu = deep.runs["sigmoid"].history, deep.runs["relu"].history
print(f"sigmoid: cost from {max(sig.cost):.4f} to {min(sig.cost):.4f}; accuracy 0.75 at "
      f"{sig.accuracy.count(0.75)} of {len(sig)} steps, else {min(sig.accuracy)}")
holds = max(i for i, a in enumerate(relu.accuracy) if a < 1) + 1
print(f"relu: accuracy 1.0 first at step {relu.accuracy.index(1.0)}, and at every step from {holds} on")
plot_history(deep.histories())

# %% [markdown]
# **What you see:** the sigmoid net's cost is a flat line at ln 2, the lab's `0.69314718`. Its four outputs are
# all ≈ 0.5, so the predicted class flips on tiny differences: accuracy is 0.5 nearly always and 0.75 at a few
# steps, by chance. The ReLU net touches accuracy 1.0 once by chance early on, holds it from about step 130, and
# its cost then falls towards 0.
#
# ## Where the gradient goes
#
# The mean |∂cost/∂W| of each layer's weights at the start of training, averaged over 20 random initializations.
# Layer 10 is the output. For the sigmoid net, each layer towards the input gets a fraction of what the next
# one gets, and layer 1 ends up with about 1/10,000 of the output layer's gradient. With ReLU all layers get
# gradients of the same order, so all of them learn.

# %%
print({name: f"layer 1 / layer 10 = {ratio:.1e}" for name, ratio in deep.config["grad_ratio"].items()})
plot_layers(deep.layers, ylabel="mean |∂cost/∂W| at init", title="9 hidden layers, XOR")

# %% [markdown]
# The same in the graph, at initialization. Each neuron is one box, the input layer at the top. Its "grad" and its
# colour are **how much its weights learn**: the mean |∂cost/∂w| over that neuron's weights, on all four XOR
# points, from white (≤ 1e-6) to red (≥ 0.1) on a log scale. (Its "data" is its output on the drawn input, (0, 1).)
# In the sigmoid net the colour fades from red at the output to white at the input.

# %%
X, y = xor()


def weight_grad_graph(net):
    """The net's cost on (0, 1), each neuron coloured by the mean |∂cost/∂w| of its weights over all of X."""
    picture = cost_graph(net, X[1:2], y[1:2])  # the graph drawn: the cost on one input
    cost_graph(net, X, y)                      # the weights' gradients: the cost on all four points
    return draw_dot(picture, rankdir="TB", cluster=True, collapse=1, color_by_grad=(1e-6, 0.1),
                    grads=neuron_weight_grads(net, picture))


weight_grad_graph(deep_xor_net("sigmoid", "normal", seed=0))

# %% [markdown]
# The ReLU net (He weights, seed 1): the pink is about the same from the output layer to the input layer, so
# every layer learns at a similar rate. The white boxes are units that are off (output 0) for all four points: no
# gradient reaches their weights.

# %%
weight_grad_graph(deep_xor_net("relu", "he", seed=1))

# %% [markdown]
# A narrow ReLU net has a risk of its own. If every unit of one layer is off for every input, no gradient passes
# and the net is dead. With 5 units per layer, He weights and zero biases, 7 of 16 seeds (0 to 15) learn XOR
# within 400 steps of lr 0.1 (seed 1 is one of them; `tests/test_experiments.py` checks the count).
#
# ## Activation functions compared
#
# The six hidden activations (leaky ReLU with slope 0.1 and ELU with α = 1, as in the lecture):
#
# | name | formula |
# |---|---|
# | sigmoid | σ(x) = 1 / (1 + e^−x) |
# | tanh | (e^x − e^−x) / (e^x + e^−x) |
# | ReLU | max(0, x) |
# | leaky ReLU | max(0.1·x, x) |
# | ELU | x if x > 0, else α·(e^x − 1) |
# | maxout | max(w₁·x + b₁, w₂·x + b₂): the larger of two linear units, each with its own weights |
#
# The maxout plot shows one example, max(0.5·t + 0.5, −t).

# %%
import numpy as np
from matplotlib.figure import Figure

t = np.linspace(-3, 3, 200)
curves = {"sigmoid": 1 / (1 + np.exp(-t)), "tanh": np.tanh(t), "ReLU": np.maximum(0, t),
          "leaky ReLU": np.maximum(0.1 * t, t), "ELU": np.where(t > 0, t, np.exp(t) - 1),
          "maxout (example)": np.maximum(0.5 * t + 0.5, -t)}
fig = Figure(figsize=(9, 4.5), layout="constrained")
for ax, (name, values) in zip(fig.subplots(2, 3).ravel(), curves.items()):
    ax.plot(t, values)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_title(name)
fig

# %% [markdown]
# The lecture's CIFAR-10 table at toy scale: two moons (150 training points, 50 test points), a 2-8-8-8-1 net
# with Xavier weights from the same seed, and 1000 steps of plain gradient descent. Only the hidden activation
# changes. "first cost" and "train cost" are the cost on the training points before and after training.

# %%
acts = compare_activations()
print(acts.report())
plot_history(acts.histories(), metrics=("cost",), logy=True)

# %% [markdown]
# **What you see:** after 1000 steps the sigmoid net is still far from the others, as in the lecture's table
# where sigmoid did not converge. Maxout, leaky ReLU and ReLU go lowest (leaky ReLU a little below ReLU); tanh and
# ELU are in between. Maxout has two linear pieces per unit, so twice the weights. Here are the decision
# boundaries of sigmoid and ReLU:

# %%
for name in ("sigmoid", "relu"):
    run = acts.runs[name]
    display(plot_decision_boundary(run.model, acts.data["X"], acts.data["y"],
                                   title=f"{name}: train {run.train_accuracy:.2f}, test {run.test_accuracy:.2f}"))

# %% [markdown]
# ## Learning rate 0.1 vs 0.01 (lab 9-2)
#
# The lab's two TensorBoard curves: the 2-2-1 XOR net from the same initial weights, trained with each learning
# rate. Notebook 4 writes these curves to real TensorBoard files.

# %%
rates = compare_learning_rates(lrs=(0.1, 0.01), steps=10_000)
print(rates.report())
plot_history(rates.histories())

# %% [markdown]
# **What you see:** with lr 0.1 the net leaves the plateau and solves XOR. With lr 0.01 it takes ten times
# smaller steps and is still near ln 2 after 10,000 steps.

# %%
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")
