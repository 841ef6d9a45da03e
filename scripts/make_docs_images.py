"""Regenerate the README's pictures in docs/ (the step-through's are scripts/make_step_images.py's).

    python scripts/make_docs_images.py

- docs/wxb.svg: f = w·x + b after backward() (the picture at the top);
- docs/neuron.svg: y = σ(w1·x1 + w2·x2 + b), the sigmoid drawn as its four primitives;
- docs/xor.png: the learned 2-2-1 XOR net's output over the plane (the README's XOR example, seed 17);
- docs/vanishing.png: mean |∂cost/∂W| per layer at init, sigmoid against ReLU (the README's experiment);
- docs/xor_gates.svg: XOR = AND(NAND(x1, x2), OR(x1, x2)), each unit boxed by its name scope;
- docs/spirals3.png: a 3-class spirals net's decision regions (the README's multi-class example).

Graphs are drawn with graphviz-pure when it is installed, because it writes the same bytes on every machine
(so a file only changes when the drawing does); else with Graphviz's dot. Plots need matplotlib.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))

from viz import backends, render  # noqa: E402  (after the path fix, so a plain checkout works)
from viz.examples import neuron, wxb, xor_gates  # noqa: E402


def graph_pictures():
    """docs/wxb.svg and docs/neuron.svg, each after backward()."""
    renderer = "graphviz-pure" if "graphviz-pure" in backends.available() else None
    paths = []
    for name, example in (("wxb", wxb), ("neuron", neuron)):
        root = example()
        root.backward()
        paths.append(render(root, DOCS / f"{name}.svg", renderer=renderer))
    gates = xor_gates()
    gates.backward()
    paths.append(render(gates, DOCS / "xor_gates.svg", renderer=renderer, cluster=True, sigmoid="compact"))
    return paths


def _save(fig, name):
    """Save a matplotlib Figure as docs/<name> without the version stamp, so the bytes follow the picture."""
    path = DOCS / name
    fig.savefig(path, dpi=100, metadata={"Software": None})
    return path


def plot_pictures():
    """docs/xor.png and docs/vanishing.png, from the same calls as the README's examples."""
    from autograd.lab.data import xor
    from autograd.lab.experiments import vanishing_gradients
    from autograd.nn import MLP, fit
    from viz.plots import plot_decision_boundary, plot_layers

    X, y = xor()
    model = MLP(2, [2, 1], activation="sigmoid", seed=17)
    fit(model, X, y, lr=0.1, steps=10_000, progress=False)
    boundary = plot_decision_boundary(model, X, y, title="learned 2-2-1 net on XOR", figsize=(4.6, 3.8))
    layers = vanishing_gradients(steps=500).layers
    fading = plot_layers(layers, ylabel="mean |∂cost/∂W| at init", title="9 hidden layers of 5 on XOR")
    return [_save(boundary, "xor.png"), _save(fading, "vanishing.png"), _save(three_classes(), "spirals3.png")]


def three_classes():
    """The README's multi-class example: MLP(2, [24, 24, 3]) with softmax on 3-class spirals, 500 Adam steps."""
    from autograd.lab.data import spirals
    from autograd.nn import MLP, fit
    from viz.plots import plot_decision_boundary

    X, y = spirals(200, classes=3, seed=0)
    model = MLP(2, [24, 24, 3], activation="tanh", output="softmax", seed=0)
    fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.02, steps=500, progress=False)
    return plot_decision_boundary(model, X, y, title="3-class spirals, 2-24-24-3 softmax", figsize=(4.6, 3.8))


def main():
    """Write every picture and name it."""
    for path in graph_pictures() + plot_pictures():
        print(f"wrote {Path(path).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
