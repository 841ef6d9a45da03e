"""Write the teaching notebooks in notebooks/ from the Python source below, without outputs.

    python scripts/make_notebooks.py                # (re)write notebooks/*.ipynb, clean
    python scripts/make_notebooks.py --check        # exit 1 if a notebook differs from this source
    python scripts/make_notebooks.py --execute out/notebooks   # run each and save the executed copy there

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
locals_ = [node.local_grads[0] for node in chain]
print("local gradients along the chain:", ", ".join(f"{g:.4f}" for g in locals_))
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
from autograd.data import xor
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
it is active. Each experiment below is one seeded function of `autograd.experiments`. The tests run the same
functions with smaller budgets."""),
    ("code", SETUP + '''
from autograd.data import xor
from autograd.experiments import (vanishing_gradients, compare_activations, compare_learning_rates,
                                  deep_xor_net, cost_graph, plot_layers)
from viz import draw_dot
from viz.plots import plot_history, plot_decision_boundary'''),
    ("md", """\
## 9 hidden layers on XOR

A 2 → 5 × 9 → 1 net (the lab's) with sigmoid everywhere and N(0, 1) weights, against the same shape with ReLU
hidden layers (He weights) and a sigmoid output. Both use plain gradient descent with lr 0.1."""),
    ("code", '''\
deep = vanishing_gradients(steps=2000)
print(deep.report())
plot_history(deep.histories())'''),
    ("md", """\
**What you see:** the sigmoid net's cost is a flat line at ln 2, the lab's `0.69314718`, and its accuracy
stays at 0.5. The ReLU net gets every point right within a few steps, and its cost then falls towards 0.

## Where the gradient goes

The mean |∂cost/∂W| of each layer's weights at the start of training, averaged over 20 random initializations.
Layer 10 is the output. For the sigmoid net, each layer towards the input gets a fraction of what the next
one gets, and layer 1 ends up with about 1/10,000 of the output layer's gradient. With ReLU all layers get
gradients of the same order, so all of them learn."""),
    ("code", '''\
print({name: f"layer 1 / layer 10 = {ratio:.1e}" for name, ratio in deep.config["grad_ratio"].items()})
plot_layers(deep.layers, ylabel="mean |∂cost/∂W| at init", title="9 hidden layers, XOR")'''),
    ("md", """\
The same in the graph. Below is the cost on one input, (0, 1), with each neuron drawn as one box, filled from
white (|grad| ≤ 1e-6) to red (|grad| ≥ 1) by the gradient of its output. In the sigmoid net the colour fades
towards the input."""),
    ("code", '''\
X, y = xor()
sigmoid_net = deep_xor_net("sigmoid", "normal", seed=0)
draw_dot(cost_graph(sigmoid_net, X[1:2], y[1:2]), cluster=True, collapse=1, color_by_grad=True)'''),
    ("code", '''\
relu_net = deep_xor_net("relu", "he", seed=1)
draw_dot(cost_graph(relu_net, X[1:2], y[1:2]), cluster=True, collapse=1, color_by_grad=True)'''),
    ("md", """\
A narrow ReLU net has a risk of its own. If every unit of one layer is off for every input, no gradient passes
and the net is dead. With 5 units per layer, He weights and zero biases, about half the seeds learn XOR within
400 steps (seed 1 is one of them). With the lab's N(0, 1) weights and biases, none of 16 seeds did.

## Activation functions compared

The lecture's CIFAR-10 table at toy scale: two moons (150 training points, 50 test points), a 2-8-8-8-1 net
with Xavier weights from the same seed, and 1000 steps of plain gradient descent. Only the hidden activation
changes."""),
    ("code", '''\
acts = compare_activations()
print(acts.report())
plot_history(acts.histories(), metrics=("cost",), logy=True)'''),
    ("md", """\
**What you see:** after 1000 steps the sigmoid net is still far from the others, as in the lecture's table
where sigmoid did not converge. ReLU, leaky ReLU and maxout go lowest. Maxout has two linear pieces per unit,
so twice the weights. Here are the decision boundaries of sigmoid and ReLU:"""),
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
from autograd.data import xor
from autograd.nn import MLP, fit
from autograd.experiments import compare_inits, overfitting, plot_layers
from autograd.tensorboard import TensorBoardLogger, read_events
from viz.plots import plot_history, plot_decision_boundary'''),
    ("md", """\
## Initialization: N(0, 1), Xavier, He

One net, 2 → 10 × 6 → 1 with ReLU, on two moons, started from three weight scales drawn from the same seed.
The first plot is the spread (standard deviation) of each hidden layer's activations **before any training**.
With N(0, 1) the spread grows by about √(10/2) per layer. With Xavier (randn/√fan_in) it shrinks by about √2
per layer. With He (randn/√(fan_in/2)) it stays level, which is why He suits ReLU."""),
    ("code", '''\
inits = compare_inits()
print(inits.report())
plot_layers(inits.layers, ylabel="std of activations at init", title="2-10×6-1 ReLU net")'''),
    ("code", '''\
plot_history(inits.histories(), logy=True)'''),
    ("md", """\
**What you see:** the N(0, 1) net starts with a huge cost. Its output is pushed to exactly 0 or 1, so it is
confidently wrong on many points. He starts near ln 2 and ends lowest after the same 500 steps.

## Overfitting, and three cures

20 noisy points from two moons, a 2-16-16-1 ReLU net and 1000 steps of Adam. The net fits the training points
perfectly and does worse on 300 test points. Then, from the same start:
- **dropout 0.3**: in training each hidden unit is zeroed with probability 0.3 (off at test time);
- **L2 0.01**: 0.01·Σw² is added to the cost;
- **ensemble of 5**: five nets, each trained on a bootstrap sample of the 20 points, average their outputs.

The gap is train accuracy minus test accuracy."""),
    ("code", '''\
over = overfitting()
print(over.report())'''),
    ("code", '''\
data = over.data
for name in ("plain", "L2 0.01", "ensemble of 5"):
    run = over.runs[name]
    display(plot_decision_boundary(run.model, data["X"], data["y"],
                                   title=f"{name}: train {run.train_accuracy:.2f}, test {run.test_accuracy:.2f}"))'''),
    ("md", """\
**What you see:** the plain net draws a contorted boundary around single noisy points. L2 and the ensemble give
smoother boundaries. They fit the training points a little worse and the test points better.

## TensorBoard

`TensorBoardLogger` is a `fit` callback. It writes the scalars `cost` and `accuracy` at every step and a
histogram of each layer's weights and biases (`layer1/weights`, ...) every 100 steps, into event files that
`tensorboard --logdir` opens. Below: the lab's two runs, lr 0.1 and lr 0.01, one folder each."""),
    ("code", '''\
logdir = Path(tempfile.gettempdir()) / "chainrule-logs"
X, y = xor()
histories = {}
start = time.perf_counter()
for lr in (0.1, 0.01):
    model = MLP(2, [2, 1], activation="sigmoid", seed=17)
    with TensorBoardLogger(logdir / f"lr{lr:g}", histograms_every=100) as logger:
        histories[f"lr={lr:g}"] = fit(model, X, y, lr=lr, steps=10_000, callback=logger)
print(f"logged 2 × 10,000 steps in {time.perf_counter() - start:.1f} s; view them with:")
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
          f"histograms {sorted(events['histograms'])} × {len(events['histograms']['layer1/weights'])}")
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
    return NOTEBOOK_DIR / f"{name}.ipynb"


def execute(nb, cwd, timeout=600):
    """Run every cell of `nb` in place with the "python3" kernel (this Python's ipykernel), in folder `cwd`."""
    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook differs from this source")
    parser.add_argument("--execute", metavar="DIR", help="also run each notebook and save the executed copy in DIR")
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
        NOTEBOOK_DIR.mkdir(exist_ok=True)
        path(name).write_text(text(nb), encoding="utf-8")
        print(f"wrote {os.path.relpath(path(name))}")
        if args.execute:
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
