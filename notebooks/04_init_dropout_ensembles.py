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
# # 4. Initialization, dropout and ensembles
#
# The rest of lecture 10. Weights that are too large or too small break deep nets before training starts.
# A net that is too big for its data memorizes it. Dropout, L2 and ensembles push back. At the end the training
# curves go to TensorBoard, as in the lab.

# %%
import time
T0 = time.perf_counter()
# %matplotlib inline

import shutil
import tempfile
from pathlib import Path
from IPython.display import display
from autograd.lab.data import xor
from autograd.nn import MLP, fit
from autograd.lab.experiments import compare_inits, overfitting
from autograd.lab.tensorboard import TensorBoardLogger, read_events
from viz.examples import xor_loss
from viz.plots import plot_history, plot_decision_boundary, plot_layers

# %% [markdown]
# ## Initialization: N(0, 1), Xavier, He
#
# One net, 2 → 10 × 6 → 1 with ReLU, on two moons, started from three weight scales drawn from the same seed.
# N(0, 1) is the lab's `tf.random_normal`: every weight from a standard normal. Xavier divides the same draws by
# √fan_in (fan_in = inputs per unit), He by √(fan_in/2), because ReLU zeroes about half of its inputs.
# The first plot is the spread (standard deviation) of each hidden layer's activations **before any training**.
# In theory a ReLU layer multiplies the spread by √(fan_in/2) ≈ 2.2 with N(0, 1), by 1/√2 with Xavier and by 1
# with He. Measured on this one draw (seed 0, 150 points), per layer: N(0, 1) ×2.6 and Xavier ÷1.2, while He
# grows slowly (0.59 → 1.22 over six layers, ×1.16 per layer): much closer to level than the other two.

# %%
inits = compare_inits()
print(inits.report())
for name, spread in inits.layers.items():
    per_layer = (spread[-1] / spread[0]) ** (1 / (len(spread) - 1))
    print(f"{name:6s} std layer 1 → 6: {spread[0]:.2f} → {spread[-1]:.2f}, × {per_layer:.2f} per layer")
plot_layers(inits.layers, ylabel="std of activations at init", title="2-10×6-1 ReLU net")

# %%
plot_history(inits.histories(), logy=True)

# %% [markdown]
# **What you see:** the N(0, 1) net starts with a huge cost (about 12). Its output is pushed to exactly 0 or 1, so
# it is confidently wrong on many points. He starts near ln 2 and, after the same 500 steps (plain gradient
# descent, lr 0.05, seed 0), ends with the lowest cost and the best test accuracy. N(0, 1) and Xavier end about
# tied: in this small net gradient descent recovers from the bad start, and the difference shows most early on.
#
# ## Overfitting, and three cures
#
# 20 noisy points from two moons, a 2-16-16-1 ReLU net and 1000 steps of Adam (gradient descent where each weight
# gets its own step size, from running averages of its gradient and of its square). The net fits the training
# points perfectly and does worse on 300 test points. Then, from the same start:
# - **dropout 0.3**: in training each hidden unit is zeroed with probability 0.3 (off at test time);
# - **L2 0.01**: 0.01·Σw² is added to the cost;
# - **ensemble of 5**: five nets, each trained on a bootstrap sample of the 20 points, average their outputs.
#
# The gap is train accuracy minus test accuracy. "first cost" and "train cost" are the cost on the 20 training
# points before and after training, measured the same way for every run: dropout off, without the L2 term, and
# for the ensemble on all 20 points (not on the bootstrap samples).

# %%
over = overfitting()
print(over.report())

# %%
data = over.data
for name, run in over.runs.items():
    fig = plot_decision_boundary(run.model, data["X"], data["y"],
                                 title=f"{name}: train {run.train_accuracy:.2f}, test {run.test_accuracy:.2f}")
    fig.axes[0].scatter(*data["X_test"].T, c=data["y_test"], cmap="coolwarm", s=10, alpha=0.3, marker="x")
    display(fig)

# %% [markdown]
# **What you see:** the big dots are the 20 training points, the faint crosses the 300 test points. The plain net
# draws a contorted boundary around single noisy training points. Dropout, L2 and the ensemble give smoother
# boundaries. They fit the training points less tightly (a higher train cost) and the test points better.
#
# ## TensorBoard
#
# `TensorBoardLogger` is a `fit` callback. It writes the scalars `cost` and `accuracy` at every step and a
# histogram of each layer's weights and biases (`layer1/weights`, ...) every 100 steps, into event files that
# `tensorboard --logdir` opens (`pip install "chainrule[tensorboard]"` installs the `tensorboard` command).
# `logger.log_graph(cost)` adds a graph for the Graphs tab. Its nodes are named by scope
# ("layer1/neuron0/mul_3"), so TensorBoard draws one box per layer that opens into one box per neuron, as in the
# lab. Below: the lab's two runs, lr 0.1 and lr 0.01, 3,000 steps each, one folder each inside a new temporary
# folder (so a rerun never mixes in old files), and the hand-set XOR net's cost graph in the lr 0.1 folder.
# The last cell deletes that folder; set `KEEP_LOGS = True` to keep it and open it in TensorBoard.

# %%
KEEP_LOGS = False
logdir = Path(tempfile.mkdtemp(prefix="chainrule-logs-"))  # new on every run
X, y = xor()
histories = {}
start = time.perf_counter()
for lr in (0.1, 0.01):
    model = MLP(2, [2, 1], activation="sigmoid", seed=17)
    with TensorBoardLogger(logdir / f"lr{lr:g}", histograms_every=100) as logger:
        histories[f"lr={lr:g}"] = fit(model, X, y, lr=lr, steps=3000, callback=logger)
        if lr == 0.1:
            cost = xor_loss(0.0, 1.0, 1.0)  # the lecture's hand-set net on (0, 1)
            cost.backward()
            logger.log_graph(cost)
print(f"logged 2 × 3,000 steps in {time.perf_counter() - start:.1f} s; view them with:")
print(f"  tensorboard --logdir {logdir}")

# %% [markdown]
# Reading the files back shows what TensorBoard will see. Plotted inline, they are the same curves as
# `plot_history(histories)`, for readers without TensorBoard:

# %%
logged = {}
for lr in (0.1, 0.01):
    events = read_events(logdir / f"lr{lr:g}")
    logged[f"lr={lr:g}"] = {tag: [value for _, value in events["scalars"][tag]] for tag in ("cost", "accuracy")}
    print(f"lr={lr:g}: scalars {sorted(events['scalars'])} × {len(events['scalars']['cost'])} steps; "
          f"histograms {sorted(events['histograms'])} × {len(events['histograms']['layer1/weights'])}; "
          f"graphs {len(events['graphs'])}")
graph = read_events(logdir / "lr0.1")["graphs"][0]
print(f"graph: {len(graph.node)} nodes, e.g. {[node.name for node in graph.node if 'mul' in node.name][:2]}")
plot_history(logged)

# %%
if not KEEP_LOGS:
    shutil.rmtree(logdir)  # the temporary log folder: read back above, not needed any more
print(f"logs {'kept in ' + str(logdir) if KEEP_LOGS else 'deleted'}")
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")
