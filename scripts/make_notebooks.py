"""Write the teaching notebooks in notebooks/ from the Python source below, without outputs.

    python scripts/make_notebooks.py                # (re)write notebooks/*.ipynb, clean
    python scripts/make_notebooks.py --check        # exit 1 if a notebook differs from this source
    python scripts/make_notebooks.py --execute out/notebooks   # run each; write the executed copy there only

Edit the notebooks here, not in Jupyter: the committed files carry no outputs, so a diff shows only source.
Needs nbformat (and nbclient, ipykernel for --execute): pip install "chainrule[notebooks]".
"""
import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

SETUP = '''\
import time
T0 = time.perf_counter()
%matplotlib inline
'''

FOOTER = '''\
print(f"notebook ran in {time.perf_counter() - T0:.1f} s")'''

# Each notebook: a list of cells, ("md", text) or ("code", source).
NOTEBOOKS = {}

NOTEBOOKS["01_chain_rule"] = [
    ("md", """\
# 1. The chain rule, one node at a time

Backpropagation is the chain rule applied to a graph. Every operation knows only its **local gradient**
(how its output moves when one input moves). The gradient of the final output with respect to any node is
the product of the local gradients along the path, summed over paths. This notebook shows it on
`f = w·x + b` and on the sigmoid, with pictures, numbers and a step-through."""),
    ("code", SETUP + '''
import math
import viz
from viz import draw_dot
from viz.examples import wxb, sigmoid_chain, neuron, find'''),
    ("md", """\
## f = w·x + b

Split it into `g = w·x` and `f = g + b`. The chain rule gives ∂f/∂w = ∂f/∂g · ∂g/∂w = 1 · x and
∂f/∂x = 1 · w. In the picture each node shows its value (`data`) and ∂f/∂node (`grad`); each edge into an op
carries that input's local gradient."""),
    ("code", '''\
f = wxb(w=-2.0, x=5.0, b=3.0)
f.backward()
for name in ("w", "x", "b", "g"):
    print(f"∂f/∂{name} = {find(f, name).grad:g}")
draw_dot(f)'''),
    ("md", """\
`backward()` visits the nodes from the output back to the inputs. At each node its gradient `g` is final,
and every input receives `local × g`. The same walk, one sentence per step:"""),
    ("code", '''\
for step in viz.backward_steps(f):
    print(step.sentence)'''),
    ("md", """\
## The sigmoid is four small steps

σ(z) = 1 / (1 + e^−z) is built from ×(−1), exp, +1 and 1/x. Backpropagation multiplies their four local
gradients, and the product is σ(1 − σ), which is the familiar derivative of the sigmoid. Its largest value is
0.25, at z = 0. So every sigmoid a gradient passes through multiplies it by at most 0.25. Notebook 3 comes
back to this."""),
    ("code", '''\
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
draw_dot(s)'''),
    ("md", """\
`sigmoid="compact"` draws the four nodes as one σ node. Its edge carries the product σ(1 − σ):"""),
    ("code", '''\
draw_dot(s, sigmoid="compact")'''),
    ("md", """\
## Step through it yourself

`viz.step_through(root)` is a widget: move the slider or press *next* to follow backpropagation through a neuron
y = σ(w1·x1 + w2·x2 + b). The current node is yellow. Its inputs are outlined red, and each edge shows
`local × upstream = product`. Without a running kernel the widget does not show, so the same steps follow as text."""),
    ("code", '''\
y = neuron()
viz.step_through(y)'''),
    ("code", '''\
for step in viz.backward_steps(y):
    print(step.sentence)'''),
    ("code", FOOTER),
]

NOTEBOOKS["02_xor"] = [
    ("md", """\
# 2. XOR: one unit cannot, two layers can

XOR is the lecture's classic example: the output is 1 when exactly one input is 1. No straight line separates
the 1s from the 0s, so a single logistic unit cannot solve it. A hidden layer can. Every net here is trained
with full-batch gradient descent on the four points and the lab's cost (binary cross-entropy)."""),
    ("code", SETUP + '''
import math
import numpy as np
from autograd.lab.data import xor
from autograd.nn import MLP, fit, predict
from viz import draw_dot
from viz.examples import xor_loss
from viz.plots import plot_history, plot_decision_boundary

X, y = xor()
print(X.tolist(), y.tolist())'''),
    ("md", """\
## One unit: stuck at ln 2

The best a single unit can do on XOR is to output 0.5 everywhere. The cost is then −log 0.5 = ln 2 ≈ 0.6931,
and accuracy is 0.5 (the tie at 0.5 predicts class 0)."""),
    ("code", '''\
unit = MLP(2, [1], activation="sigmoid", seed=0)
history = fit(unit, X, y, lr=0.1, steps=10_000)
print(f"cost {history.cost[-1]:.6f} (ln 2 = {math.log(2):.6f}), accuracy {history.accuracy[-1]}")
print("outputs:", np.round(predict(unit, X), 4))
print(f"10,000 steps in {history.seconds:.1f} s")'''),
    ("md", """\
## The lecture's hand-set net

Two sigmoid units, W1 = [[5, −7], [5, −7]], b1 = [−8, 3], feed a third, W2 = [[−11], [−11]], b2 = 6.
The outputs are close to 0, 1, 1, 0. Below is the graph of its cost on the input (0, 1): one box per layer,
with each sigmoid drawn as a single σ node."""),
    ("code", '''\
hand_set = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
print("outputs:", np.round(predict(hand_set, X), 4))
loss = xor_loss(0.0, 1.0, 1.0)
loss.backward()
draw_dot(loss, cluster=True, sigmoid="compact")'''),
    ("code", '''\
plot_decision_boundary(hand_set, X, y, title="hand-set 2-2-1")'''),
    ("md", """\
## Learning the 2-2-1 net

Start from random N(0, 1) weights (seed 17) and let gradient descent find the weights. The cost stays on a
plateau for a while before it drops. Some seeds never leave the plateau: see the table in the README."""),
    ("code", '''\
model = MLP(2, [2, 1], activation="sigmoid", seed=17)
h_221 = fit(model, X, y, lr=0.1, steps=10_000)
print(f"cost {h_221.cost[-1]:.4f}, accuracy {h_221.accuracy[-1]}, outputs {np.round(predict(model, X), 3)}")
print(f"10,000 steps in {h_221.seconds:.1f} s")
W, b = model.get_weights()
print("learned W1 =", np.round(W[0], 2).tolist(), " b1 =", np.round(b[0], 2).tolist())'''),
    ("code", '''\
plot_decision_boundary(model, X, y, title="learned 2-2-1")'''),
    ("md", """\
## Wider and deeper (lab 9-1)

A hidden layer of 10 units (2-10-1) and three of them (2-10-10-10-1), still all sigmoid, from N(0, 1) weights
(seed 0). After the same 10,000 steps both end with a lower cost than 2-2-1: ten times lower for the deep net.
The log-scale plot shows the gap."""),
    ("code", '''\
nets = {"2-2-1": model}
histories = {"2-2-1": h_221}
for name, hidden in (("2-10-1", [10]), ("2-10-10-10-1", [10, 10, 10])):
    nets[name] = MLP(2, hidden + [1], activation="sigmoid", seed=0)
    histories[name] = fit(nets[name], X, y, lr=0.1, steps=10_000)
    h = histories[name]
    first = next((i for i, a in enumerate(h.accuracy) if a == 1.0), None)
    print(f"{name:14s} cost {h.cost[-1]:.5f}  accuracy {h.accuracy[-1]}  first at 1.0: step {first}  "
          f"({h.seconds:.1f} s)")
plot_history(histories, logy=True)'''),
    ("code", '''\
plot_decision_boundary(nets["2-10-10-10-1"], X, y, title="2-10-10-10-1")'''),
    ("code", FOOTER),
]

NOTEBOOKS["03_vanishing_gradients"] = [
    ("md", """\
# 3. Deep nets and vanishing gradients

Lecture 10 stacks 9 hidden layers for XOR and the net learns nothing: the cost stays at 0.693 and the accuracy
at 0.5. The cause is backpropagation itself. Each sigmoid multiplies the gradient by σ(1 − σ) ≤ 0.25
(notebook 1), so by the first layer almost nothing is left. ReLU passes the gradient through unchanged where
it is active. Each experiment below is one seeded function of `autograd.lab.experiments`. The tests run the same
functions with smaller budgets.

Two words used below are explained in notebook 4: **N(0, 1)** weights are drawn from a standard normal (the lab's
`tf.random_normal`); **He** and **Xavier** weights are the same draws divided by √(fan_in/2) and √fan_in, so
that the signal keeps its size through ReLU layers (He) or shrinks slowly (Xavier)."""),
    ("code", SETUP + '''
from autograd.lab.data import xor
from autograd.lab.experiments import (vanishing_gradients, compare_activations, compare_learning_rates,
                                  deep_xor_net, cost_graph, neuron_weight_grads, plot_layers)
from viz import draw_dot
from viz.plots import plot_history, plot_decision_boundary'''),
    ("md", """\
## 9 hidden layers on XOR

A 2 → 5 × 9 → 1 net (the lab's) with sigmoid everywhere and N(0, 1) weights, against the same shape with ReLU
hidden layers (He weights) and a sigmoid output. Both use plain gradient descent with lr 0.1."""),
    ("code", '''\
deep = vanishing_gradients(steps=2000)
print(deep.report())
sig, relu = deep.runs["sigmoid"].history, deep.runs["relu"].history
print(f"sigmoid: cost from {max(sig.cost):.4f} to {min(sig.cost):.4f}; accuracy 0.75 at "
      f"{sig.accuracy.count(0.75)} of {len(sig)} steps, else {min(sig.accuracy)}")
holds = max(i for i, a in enumerate(relu.accuracy) if a < 1) + 1
print(f"relu: accuracy 1.0 first at step {relu.accuracy.index(1.0)}, and at every step from {holds} on")
plot_history(deep.histories())'''),
    ("md", """\
**What you see:** the sigmoid net's cost is a flat line at ln 2, the lab's `0.69314718`. Its four outputs are
all ≈ 0.5, so the predicted class flips on tiny differences: accuracy is 0.5 nearly always and 0.75 at a few
steps, by chance. The ReLU net touches accuracy 1.0 once by chance early on, holds it from about step 130, and
its cost then falls towards 0.

## Where the gradient goes

The mean |∂cost/∂W| of each layer's weights at the start of training, averaged over 20 random initializations.
Layer 10 is the output. For the sigmoid net, each layer towards the input gets a fraction of what the next
one gets, and layer 1 ends up with about 1/10,000 of the output layer's gradient. With ReLU all layers get
gradients of the same order, so all of them learn."""),
    ("code", '''\
print({name: f"layer 1 / layer 10 = {ratio:.1e}" for name, ratio in deep.config["grad_ratio"].items()})
plot_layers(deep.layers, ylabel="mean |∂cost/∂W| at init", title="9 hidden layers, XOR")'''),
    ("md", """\
The same in the graph, at initialization. Each neuron is one box, the input layer at the top. Its "grad" and its
colour are **how much its weights learn**: the mean |∂cost/∂w| over that neuron's weights, on all four XOR
points, from white (≤ 1e-6) to red (≥ 0.1) on a log scale. (Its "data" is its output on the drawn input, (0, 1).)
In the sigmoid net the colour fades from red at the output to white at the input."""),
    ("code", '''\
X, y = xor()


def weight_grad_graph(net):
    """The net's cost on (0, 1), each neuron coloured by the mean |∂cost/∂w| of its weights over all of X."""
    picture = cost_graph(net, X[1:2], y[1:2])  # the graph drawn: the cost on one input
    cost_graph(net, X, y)                      # the weights' gradients: the cost on all four points
    return draw_dot(picture, rankdir="TB", cluster=True, collapse=1, color_by_grad=(1e-6, 0.1),
                    grads=neuron_weight_grads(net, picture))


weight_grad_graph(deep_xor_net("sigmoid", "normal", seed=0))'''),
    ("md", """\
The ReLU net (He weights, seed 1): the pink is about the same from the output layer to the input layer, so
every layer learns at a similar rate. The white boxes are units that are off (output 0) for all four points: no
gradient reaches their weights."""),
    ("code", '''\
weight_grad_graph(deep_xor_net("relu", "he", seed=1))'''),
    ("md", """\
A narrow ReLU net has a risk of its own. If every unit of one layer is off for every input, no gradient passes
and the net is dead. With 5 units per layer, He weights and zero biases, 7 of 16 seeds (0 to 15) learn XOR
within 400 steps of lr 0.1 (seed 1 is one of them; `tests/test_experiments.py` checks the count).

## Activation functions compared

The six hidden activations (leaky ReLU with slope 0.1 and ELU with α = 1, as in the lecture):

| name | formula |
|---|---|
| sigmoid | σ(x) = 1 / (1 + e^−x) |
| tanh | (e^x − e^−x) / (e^x + e^−x) |
| ReLU | max(0, x) |
| leaky ReLU | max(0.1·x, x) |
| ELU | x if x > 0, else α·(e^x − 1) |
| maxout | max(w₁·x + b₁, w₂·x + b₂): the larger of two linear units, each with its own weights |

The maxout plot shows one example, max(0.5·t + 0.5, −t)."""),
    ("code", '''\
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
fig'''),
    ("md", """\
The lecture's CIFAR-10 table at toy scale: two moons (150 training points, 50 test points), a 2-8-8-8-1 net
with Xavier weights from the same seed, and 1000 steps of plain gradient descent. Only the hidden activation
changes. "first cost" and "train cost" are the cost on the training points before and after training."""),
    ("code", '''\
acts = compare_activations()
print(acts.report())
plot_history(acts.histories(), metrics=("cost",), logy=True)'''),
    ("md", """\
**What you see:** after 1000 steps the sigmoid net is still far from the others, as in the lecture's table
where sigmoid did not converge. Maxout, leaky ReLU and ReLU go lowest (leaky ReLU a little below ReLU); tanh and
ELU are in between. Maxout has two linear pieces per unit, so twice the weights. Here are the decision
boundaries of sigmoid and ReLU:"""),
    ("code", '''\
for name in ("sigmoid", "relu"):
    run = acts.runs[name]
    display(plot_decision_boundary(run.model, acts.data["X"], acts.data["y"],
                                   title=f"{name}: train {run.train_accuracy:.2f}, test {run.test_accuracy:.2f}"))'''),
    ("md", """\
## Learning rate 0.1 vs 0.01 (lab 9-2)

The lab's two TensorBoard curves: the 2-2-1 XOR net from the same initial weights, trained with each learning
rate. Notebook 4 writes these curves to real TensorBoard files."""),
    ("code", '''\
rates = compare_learning_rates(lrs=(0.1, 0.01), steps=10_000)
print(rates.report())
plot_history(rates.histories())'''),
    ("md", """\
**What you see:** with lr 0.1 the net leaves the plateau and solves XOR. With lr 0.01 it takes ten times
smaller steps and is still near ln 2 after 10,000 steps."""),
    ("code", FOOTER),
]

NOTEBOOKS["04_init_dropout_ensembles"] = [
    ("md", """\
# 4. Initialization, dropout and ensembles

The rest of lecture 10. Weights that are too large or too small break deep nets before training starts.
A net that is too big for its data memorizes it. Dropout, L2 and ensembles push back. At the end the training
curves go to TensorBoard, as in the lab."""),
    ("code", SETUP + '''
import tempfile
from pathlib import Path
from autograd.lab.data import xor
from autograd.nn import MLP, fit
from autograd.lab.experiments import compare_inits, overfitting, plot_layers
from autograd.lab.tensorboard import TensorBoardLogger, read_events
from viz.examples import xor_loss
from viz.plots import plot_history, plot_decision_boundary'''),
    ("md", """\
## Initialization: N(0, 1), Xavier, He

One net, 2 → 10 × 6 → 1 with ReLU, on two moons, started from three weight scales drawn from the same seed.
N(0, 1) is the lab's `tf.random_normal`: every weight from a standard normal. Xavier divides the same draws by
√fan_in (fan_in = inputs per unit), He by √(fan_in/2), because ReLU zeroes about half of its inputs.
The first plot is the spread (standard deviation) of each hidden layer's activations **before any training**.
In theory a ReLU layer multiplies the spread by √(fan_in/2) ≈ 2.2 with N(0, 1), by 1/√2 with Xavier and by 1
with He. Measured on this one draw (seed 0, 150 points), per layer: N(0, 1) ×2.6 and Xavier ÷1.2, while He
grows slowly (0.59 → 1.22 over six layers, ×1.16 per layer): much closer to level than the other two."""),
    ("code", '''\
inits = compare_inits()
print(inits.report())
for name, spread in inits.layers.items():
    per_layer = (spread[-1] / spread[0]) ** (1 / (len(spread) - 1))
    print(f"{name:6s} std layer 1 → 6: {spread[0]:.2f} → {spread[-1]:.2f}, × {per_layer:.2f} per layer")
plot_layers(inits.layers, ylabel="std of activations at init", title="2-10×6-1 ReLU net")'''),
    ("code", '''\
plot_history(inits.histories(), logy=True)'''),
    ("md", """\
**What you see:** the N(0, 1) net starts with a huge cost (about 12). Its output is pushed to exactly 0 or 1, so
it is confidently wrong on many points. He starts near ln 2 and, after the same 500 steps (plain gradient
descent, lr 0.05, seed 0), ends with the lowest cost and the best test accuracy. N(0, 1) and Xavier end about
tied: in this small net gradient descent recovers from the bad start, and the difference shows most early on.

## Overfitting, and three cures

20 noisy points from two moons, a 2-16-16-1 ReLU net and 1000 steps of Adam (gradient descent where each weight
gets its own step size, from running averages of its gradient and of its square). The net fits the training
points perfectly and does worse on 300 test points. Then, from the same start:
- **dropout 0.3**: in training each hidden unit is zeroed with probability 0.3 (off at test time);
- **L2 0.01**: 0.01·Σw² is added to the cost;
- **ensemble of 5**: five nets, each trained on a bootstrap sample of the 20 points, average their outputs.

The gap is train accuracy minus test accuracy. "first cost" and "train cost" are the cost on the 20 training
points before and after training, measured the same way for every run: dropout off, without the L2 term, and
for the ensemble on all 20 points (not on the bootstrap samples)."""),
    ("code", '''\
over = overfitting()
print(over.report())'''),
    ("code", '''\
data = over.data
for name, run in over.runs.items():
    fig = plot_decision_boundary(run.model, data["X"], data["y"],
                                 title=f"{name}: train {run.train_accuracy:.2f}, test {run.test_accuracy:.2f}")
    fig.axes[0].scatter(*data["X_test"].T, c=data["y_test"], cmap="coolwarm", s=10, alpha=0.3, marker="x")
    display(fig)'''),
    ("md", """\
**What you see:** the big dots are the 20 training points, the faint crosses the 300 test points. The plain net
draws a contorted boundary around single noisy training points. Dropout, L2 and the ensemble give smoother
boundaries. They fit the training points less tightly (a higher train cost) and the test points better.

## TensorBoard

`TensorBoardLogger` is a `fit` callback. It writes the scalars `cost` and `accuracy` at every step and a
histogram of each layer's weights and biases (`layer1/weights`, ...) every 100 steps, into event files that
`tensorboard --logdir` opens (`pip install "chainrule[tensorboard]"` installs the `tensorboard` command).
`logger.log_graph(cost)` adds a graph for the Graphs tab. Its nodes are named by scope
("layer1/neuron0/mul_3"), so TensorBoard draws one box per layer that opens into one box per neuron, as in the
lab. Below: the lab's two runs, lr 0.1 and lr 0.01, 3,000 steps each, one folder each inside a new temporary
folder (so a rerun never mixes in old files), and the hand-set XOR net's cost graph in the lr 0.1 folder."""),
    ("code", '''\
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
print(f"  tensorboard --logdir {logdir}")'''),
    ("md", """\
Reading the files back shows what TensorBoard will see. Plotted inline, they are the same curves as
`plot_history(histories)`, for readers without TensorBoard:"""),
    ("code", '''\
logged = {}
for lr in (0.1, 0.01):
    events = read_events(logdir / f"lr{lr:g}")
    logged[f"lr={lr:g}"] = {tag: [value for _, value in events["scalars"][tag]] for tag in ("cost", "accuracy")}
    print(f"lr={lr:g}: scalars {sorted(events['scalars'])} × {len(events['scalars']['cost'])} steps; "
          f"histograms {sorted(events['histograms'])} × {len(events['histograms']['layer1/weights'])}; "
          f"graphs {len(events['graphs'])}")
graph = read_events(logdir / "lr0.1")["graphs"][0]
print(f"graph: {len(graph.node)} nodes, e.g. {[node.name for node in graph.node if 'mul' in node.name][:2]}")
plot_history(logged)'''),
    ("code", FOOTER),
]


def build(name):
    """The notebook `name` as an nbformat NotebookNode, without outputs."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids, so regenerating changes nothing
        cells.append(cell)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def text(nb):
    """The notebook as the exact text written to disk."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def path(name):
    """Where the committed notebook `name` lives: notebooks/<name>.ipynb."""
    return NOTEBOOK_DIR / f"{name}.ipynb"


def execute(nb, cwd, timeout=600):
    """Run every cell of `nb` in place with the "python3" kernel (this Python's ipykernel), in folder `cwd`."""
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def main(argv=None):
    """The command line (see the module docstring). Returns the exit code: 1 if --check found a stale notebook.

    --execute runs the generated notebooks and writes only into DIR; notebooks/ is left as it is.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook differs from this source")
    parser.add_argument("--execute", metavar="DIR",
                        help="run each notebook and save the executed copy in DIR (notebooks/ is not written)")
    parser.add_argument("names", nargs="*", help=f"notebooks to make (default all: {', '.join(NOTEBOOKS)})")
    args = parser.parse_args(argv)
    names = args.names or list(NOTEBOOKS)
    for name in names:
        if name not in NOTEBOOKS:
            parser.error(f"unknown notebook {name!r}; choose from {', '.join(NOTEBOOKS)}")
    stale = []
    for name in names:
        nb = build(name)
        if args.check:
            if not path(name).exists() or path(name).read_text(encoding="utf-8") != text(nb):
                stale.append(name)
            continue
        if not args.execute:
            NOTEBOOK_DIR.mkdir(exist_ok=True)
            path(name).write_text(text(nb), encoding="utf-8")
            print(f"wrote {os.path.relpath(path(name))}")
        else:
            out = Path(args.execute)
            out.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            execute(nb, out)
            (out / f"{name}.ipynb").write_text(text(nb), encoding="utf-8")
            print(f"  executed in {time.perf_counter() - start:.1f} s -> {out / (name + '.ipynb')}")
    if stale:
        print(f"stale notebooks (run python scripts/make_notebooks.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
