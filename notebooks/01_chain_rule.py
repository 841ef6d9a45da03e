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
# # 1. The chain rule, one node at a time
#
# Backpropagation is the chain rule applied to a graph. Every operation knows only its **local gradient**
# (how its output moves when one input moves). The gradient of the final output with respect to any node is
# the product of the local gradients along the path, summed over paths. This notebook shows it on
# `f = w·x + b` and on the sigmoid, with pictures, numbers and a step-through.

# %%
import time
T0 = time.perf_counter()

import math
import viz
from viz import draw_dot
from viz.examples import wxb, sigmoid_chain, neuron, find

# %% [markdown]
# ## f = w·x + b
#
# Split it into `g = w·x` and `f = g + b`. The chain rule gives ∂f/∂w = ∂f/∂g · ∂g/∂w = 1 · x and
# ∂f/∂x = 1 · w. In the picture each node shows its value (`data`) and ∂f/∂node (`grad`); each edge into an op
# carries that input's local gradient.

# %%
f = wxb(w=-2.0, x=5.0, b=3.0)
f.backward()
for name in ("w", "x", "b", "g"):
    print(f"∂f/∂{name} = {find(f, name).grad:g}")
draw_dot(f)

# %% [markdown]
# `backward()` visits the nodes from the output back to the inputs. At each node its gradient `g` is final,
# and every input receives `local × g`. The same walk, one sentence per step:

# %%
for step in viz.backward_steps(f):
    print(step.sentence)

# %% [markdown]
# ## The sigmoid is four small steps
#
# σ(z) = 1 / (1 + e^−z) is built from ×(−1), exp, +1 and 1/x. Backpropagation multiplies their four local
# gradients, and the product is σ(1 − σ), which is the familiar derivative of the sigmoid. Its largest value is
# 0.25, at z = 0. So every sigmoid a gradient passes through multiplies it by at most 0.25. Notebook 3 comes
# back to this.

# %%
s = sigmoid_chain(z=1.0)
s.backward()
z = find(s, "z")
chain = [s, s.parents[0], s.parents[0].parents[0], s.parents[0].parents[0].parents[0]]  # σ, 1+e^−z, e^−z, −z
steps = ["×(−1)", "exp", "+1", "1/x"]  # forward order: z → −z → e^−z → 1 + e^−z → σ
locals_ = [node.local_grads[0] for node in reversed(chain)]
for step, local in zip(steps, locals_):
    print(f"local gradient of {step:5s} = {local:.4f}")
print(f"their product = {math.prod(locals_):.6f}")
print(f"σ(1 − σ)      = {s.data * (1 - s.data):.6f}")
print(f"∂σ/∂z         = {z.grad:.6f}")
draw_dot(s)

# %% [markdown]
# `sigmoid="compact"` draws the four nodes as one σ node. Its edge carries the product σ(1 − σ):

# %%
draw_dot(s, sigmoid="compact")

# %% [markdown]
# ## Step through it yourself
#
# `viz.step_through(root)` is a widget: move the slider or press *next* to follow backpropagation through a neuron
# y = σ(w1·x1 + w2·x2 + b). The current node is yellow. Its inputs are outlined red, and each edge shows
# `local × upstream = product`. Without a running kernel the widget does not show, so the same steps follow as text.

# %%
y = neuron()
viz.step_through(y)

# %%
for step in viz.backward_steps(y):
    print(step.sentence)

# %% [markdown]
# ## Do it yourself: predict, go forward, follow the paths
#
# Watching backpropagation is not the same as doing it. Type a formula, and `parse` builds its graph: each name
# becomes an input, each operator a node. Nothing in the text is run (it is read by Python's `ast` and checked
# against an allow-list). Here is the neuron's sigmoid with one input. With b = 10 we get z = 0, so the numbers are
# easy to work out by hand. Nodes without a name are named after what they compute. Every grad is still 0, and each
# edge shows `?` instead of its local gradient: those are the numbers you will predict.

# %%
from autograd import parse
from viz.modes import Quiz, tangent_steps, path_table

f = parse("f = sigmoid(w*x + b)", w=-2.0, x=5.0, b=10.0)
print(f"f = {f.data:g}")
draw_dot(f, edge_label=lambda x, out, i: "?")

# %% [markdown]
# **Predict, then reveal.** `Quiz(f)` walks the backward pass and asks for each number before showing it: the local
# gradient on an edge, then what the edge passes back (upstream × local). Here it gets two answers, one right and
# one wrong. The widget at the end of this section is the interactive version: you type the answers.

# %%
quiz = Quiz(f)
print(f"{len(quiz.questions)} questions")
print(quiz.question.prompt)
print(quiz.answer("-1/4").sentence)
print(quiz.question.prompt)
print(quiz.answer(0.25).sentence)  # the sign is wrong

# %% [markdown]
# **Forward mode.** The same derivative can be found in the other direction. Choose an input, give it tangent 1,
# and carry ∂node/∂w forward along the same edges: each node's tangent is Σ local × tangent of its inputs. No new
# derivatives are needed, because the local gradients were stored in the forward pass. The last step gives the same
# ∂f/∂w as `backward()`.

# %%
for step in tangent_steps(f, "w"):
    print(step.sentence)

# %% [markdown]
# **Every path.** ∂f/∂w is the product of the local gradients along a path from w to f, summed over all such
# paths. In σ(w·x + b) there is only one path. In `x*x` the input x enters the product twice, which gives two
# paths, and their products add up. This is why the gradients of a reused node add.

# %%
print("\n".join(path_table(f, "w").lines()))
print()
square = parse("y = x*x", x=3.0)
print("\n".join(path_table(square, "x").lines()))

# %% [markdown]
# The quiz on the live graph: type each number and press Enter. It shows up only with a running kernel (not on
# GitHub). For a page that runs without Python, use `viz.export_html(f, "quiz.html", mode="quiz")` or
# `chainrule html "sigmoid(w*x + b)" --at w=-2,x=5,b=10 -o quiz.html`. Its buttons switch between Quiz, Forward mode
# and Paths.

# %%
viz.step_through(f, mode="quiz")

# %%
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")
