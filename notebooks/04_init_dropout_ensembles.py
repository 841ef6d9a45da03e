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
# The rest of lecture 10. Weights that are too large or too small break deep nets before training starts; the
# lecture tells how that was fixed, first by pre-training each layer (2006), then by simply scaling the weights.
# A net that is too big for its data memorizes it. Dropout, L2 and ensembles push back. At the end the training
# curves go to TensorBoard, as in the lab.

# %%
import time
T0 = time.perf_counter()
# %matplotlib inline

import shutil
import matplotlib.pyplot as plt
import tempfile
from pathlib import Path
from IPython.display import display
from autograd.lab.data import xor
from autograd.nn import MLP, fit
from autograd.lab.experiments import compare_inits, overfitting
from autograd.lab.pretraining import bars_and_stripes, pretraining
from autograd.nn import RBM
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
# ## The initialization story: bad init, RBM pre-training, the simpler way
#
# The lecture tells it in three beats. Weights initialized badly (too close to zero, or carelessly) keep a deep
# net from learning. The 2006 answer (Hinton) was to *pre-learn* each layer's W with a Restricted Boltzmann
# Machine, so that a layer's input and its reconstruction from the layer differ as little as possible, layer by
# layer, and then fine-tune the whole net with backprop. The simpler way that followed: Xavier/He initialization.
#
# The task is **bars and stripes**: a 4×4 binary image is either stripes (some rows on, label 0) or bars (some
# columns on, label 1), each pixel flipped with probability 0.05. Binary pixels are exactly what an RBM's
# visible units are, and the task is not linearly separable (on 2×2 images the sums contradict, as XOR's do),
# so it needs hidden units. 400 images, 100 of them held out for testing.

# %%
images, labels = bars_and_stripes(8, seed=0)
fig, axes = plt.subplots(1, 8, figsize=(9, 1.6))
for ax, image, label in zip(axes, images, labels):
    ax.imshow(image.reshape(4, 4), cmap="Greys", vmin=0, vmax=1)
    ax.set_title("bars" if label else "stripes", fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# An RBM is trained by contrastive divergence: its update is the gradient of a free-energy difference, so the
# engine's `backward()` computes it (`autograd.nn.RBM`). One RBM with 16 hidden units, trained on 300 images,
# learns to reconstruct them: the mean squared reconstruction error (image → hidden → image) falls epoch by epoch.

# %%
V = bars_and_stripes(300, seed=0)[0]
rbm = RBM(16, 16, seed=0)
before = rbm.reconstruction_error(V)
errors = rbm.fit(V, epochs=50, lr=0.05, batch_size=10, optimizer="momentum")  # CD-1, minibatches of 10
print(f"RBM 16 → 16, reconstruction error: before training {before:.4f}, after epoch 1 {errors[0]:.4f}, "
      f"epoch 10 {errors[9]:.4f}, epoch 50 {errors[-1]:.4f}")

# %% [markdown]
# Now the experiment (`autograd.lab.pretraining.pretraining`, seed 0). One deep net, 16 → 16 × 6 → 1, the same
# full-batch gradient descent (lr 0.5, 1000 steps) for every run; what changes is where the weights start:
# - **normal**: the lab's N(0, 1); **small**: N(0, 0.01²), the notes' "W too close to zero";
# - **rbm**: greedy layer-wise RBM pre-training (one RBM per hidden layer, each on the previous layer's hidden
#   probabilities), weights copied into the net, then fine-tuning;
# - **autoencoder**: the same greedy scheme with autoencoders trained by backprop (Bengio et al., 2007);
# - **xavier**, **he**: the lecture's formulas, with the net's sigmoid units;
# - **he+relu**: He's weights with ReLU hidden units, the pairing lecture 10 teaches (the output stays a sigmoid).
#
# All hidden units are sigmoid but in the last run. "seconds" include the pre-training. In the plot of the cost,
# the four runs that do not learn lie on top of one another at the prior's cost, 0.68.

# %%
story = pretraining()
print(story.report())

# %%
plot_history(story.histories(), metrics="cost", logy=True, title="cost while fine-tuning (bars and stripes)")

# %% [markdown]
# Why? Three numbers per run, measured on the training images **when fine-tuning starts**: the mean |∂J/∂W| of
# layer 1 and of the output layer (7), the mean slope f′(a) of layer 1's units (a sigmoid passes at most 0.25
# of g on; for ReLU it is the share of units that are on), and how much the last hidden layer's output differs
# from image to image (the spread). Then the step at which training accuracy first reaches 0.95.

# %%
print("run          ∂J/∂W⁽¹⁾  ∂J/∂W⁽⁷⁾  f′(a⁽¹⁾)  spread of h⁽⁶⁾  accuracy ≥ 0.95 from step")
for name, run in story.runs.items():
    grads, slopes, spread = story.layers[name], story.config["slopes"][name], story.config["spread"][name]
    first = next((step for step, a in enumerate(run.history.accuracy) if a >= 0.95), "never")
    print(f"{name:12s} {grads[0]:8.1e}  {grads[-1]:8.1e}  {slopes[0]:8.3f}  {spread[-1]:13.1e}  {first}")
plot_layers(story.layers, ylabel="mean |∂J/∂W| when fine-tuning starts", title="16 → 16×6 → 1 on bars and stripes")

# %% [markdown]
# **What the numbers show** (seed 0; seeds 1 and 2 give the same picture, see the docstring of
# `autograd.lab.pretraining`):
# - **Too close to zero does not learn.** "small" stays at the cost of predicting the class prior (0.682,
#   accuracy 0.573, the majority share): its gradient at layer 1 is about 1e−15.
# - **N(0, 1) learns here.** At width 16 the lab's N(0, 1) is not as bad as on the narrow XOR nets: the units
#   are not all saturated (mean f′ about 0.13), the gradient at layer 1 is about 400× below the output layer's,
#   and after a plateau of a few hundred steps the net reaches test accuracy 0.94.
# - **RBM pre-training does not beat it on this task.** Its RBMs learn (reconstruction error down to about 0.03),
#   and the pre-trained net starts at a lower cost than N(0, 1). But its features are saturated, mean f′ 0.04 in
#   layer 1, so the gradient at layer 1 starts 100× below N(0, 1)'s, and 1000 steps of plain gradient descent do
#   not get it off the prior's cost. We report this as measured rather than tuning until it wins: the 2006 results
#   came with far more data, epochs and fine-tuning than a toy run.
# - **Autoencoder pre-training does.** Its codes stay unsaturated (mean f′ 0.12 to 0.18 in every layer), layer 1
#   gets the largest gradient of the sigmoid runs, and it passes accuracy 0.95 five times sooner than N(0, 1).
# - **Xavier and He with sigmoid units fail**, for the reason the lecture pairs He with ReLU: the formulas were
#   derived for tanh and ReLU, and for a sigmoid their weights are small, so each layer multiplies differences
#   by about σ′·|w|·√16 ≈ 0.2. On the way up, the last hidden layer's output barely differs from image to image
#   (a spread of 6e−5 for Xavier against N(0, 1)'s 2e−2): the output unit sees the same input for every image
#   and can only learn the prior. On the way down, the gradient at layer 1 is below 1e−5.
# - **He with ReLU, the lecture's "simpler way", learns fastest of all**: accuracy 0.95 from step 49, the lowest
#   cost, test accuracy 0.99. A ReLU unit that is on passes g on unchanged and He's scale keeps the signal's
#   size from layer to layer, so the gradient at layer 1 is within 3× of the output layer's.
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
