"""Training plots with matplotlib: cost/accuracy curves, 2-D decision boundaries and per-layer numbers.

    from viz.plots import plot_history, plot_decision_boundary, plot_layers
    plot_history({"2-2-1": h1, "2-10-1": h2}).savefig("out/curves.png")
    plot_decision_boundary(model, X, y).savefig("out/boundary.png")
    plot_layers(vanishing_gradients().layers)   # per-layer numbers of autograd.lab.experiments

Each returns a matplotlib Figure (made without pyplot, so nothing opens a window; a Jupyter cell
shows it inline). matplotlib is an optional extra, imported only here: pip install "chainrule[plot]".
"""
import numpy as np

from .notation import fmt

__all__ = ["plot_history", "plot_decision_boundary", "plot_layers"]

_CLASS_COLORS = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")


def _figure(figsize):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError('plots need matplotlib: pip install "chainrule[plot]"') from None
    return Figure(figsize=figsize, layout="constrained")


def _is_history(h):
    return hasattr(h, "cost") or (isinstance(h, dict) and "cost" in h and not hasattr(h["cost"], "cost"))


def _runs(history):
    """{name: history} from one History (name ""), a {name: History} dict, or a list of Histories."""
    if _is_history(history):
        return {"": history}
    if isinstance(history, dict) and history and all(_is_history(h) for h in history.values()):
        return {str(name): h for name, h in history.items()}
    if isinstance(history, (list, tuple)) and history and all(_is_history(h) for h in history):
        return {f"run {k}": h for k, h in enumerate(history)}
    raise TypeError("plot_history needs a History (from fit), a dict {name: History} or a list of Histories, "
                    f"got {type(history).__name__}")


def _metric(h, metric):
    values = h[metric] if isinstance(h, dict) else getattr(h, metric, None)
    if values is None:
        raise ValueError(f"the history has no {metric!r}; plot one of cost, accuracy")
    return list(values)


def plot_history(history, metrics=("cost", "accuracy"), title=None, logy=False, figsize=None):
    """Curves of cost and accuracy per step, one axes per metric; several runs share the axes, with a legend.

    history: a History, {"name": History, ...} to compare runs, or a list of Histories.
    metrics: which of the History's lists to plot. logy: log scale for the cost axis.
    Returns the Figure; line k of the cost axes has ydata equal to run k's history.cost.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    runs = _runs(history)
    fig = _figure(figsize or (4.8 * len(metrics), 3.6))
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics):
        for name, h in runs.items():
            values = _metric(h, metric)
            ax.plot(np.arange(len(values)), values, label=name or None, linewidth=1.5)
        ax.set_xlabel("step")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        if metric == "accuracy":
            ax.set_ylim(-0.05, 1.05)
        if logy and metric == "cost":
            ax.set_yscale("log")
        if len(runs) > 1:
            ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def plot_decision_boundary(model, X, y, resolution=60, padding=0.5, threshold=None, title=None, figsize=(5, 4.5)):
    """The model's output over the plane (filled contours), its decision line, and the points by class.

    model: a callable taking 2 numbers and returning one Value (e.g. an MLP ending in one unit); it runs
        in eval mode (dropout off) on a resolution × resolution grid spanning X plus `padding`.
    threshold: the output level drawn as the boundary; None = 0.5 for outputs in [0, 1] (probabilities),
        else 0 (scores, as with the hinge loss).
    A model with k outputs (MLP(..., output="softmax")) colours each cell by its predicted class instead.
    Returns the Figure; the points are one scatter per class, in order of the class labels.
    """
    from autograd.nn import predict  # the model's forward in eval mode
    from autograd.nn._checks import integer  # the one validator of counts, as in viz.training

    X, y = np.asarray(X, dtype=float), np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"plot_decision_boundary needs 2-D points X (n, 2) and n labels, got X of shape {X.shape} "
                         f"and {len(y)} labels")
    resolution = integer("resolution", resolution, minimum=2, hint="a filled contour needs at least 2 × 2 points")
    xs = np.linspace(X[:, 0].min() - padding, X[:, 0].max() + padding, resolution)
    ys = np.linspace(X[:, 1].min() - padding, X[:, 1].max() + padding, resolution)
    xx, yy = np.meshgrid(xs, ys)
    Z = predict(model, np.column_stack([xx.ravel(), yy.ravel()]))
    fig = _figure(figsize)
    ax = fig.subplots()
    if Z.ndim == 2:  # k outputs (a softmax over k classes): each cell in its predicted class's colour
        _class_regions(ax, xx, yy, Z)
    else:
        _output_levels(fig, ax, xx, yy, Z.reshape(xx.shape), threshold)
    for k, cls in enumerate(np.unique(y)):
        mask = y == cls
        ax.scatter(X[mask, 0], X[mask, 1], s=28, color=_CLASS_COLORS[k % len(_CLASS_COLORS)],
                   edgecolors="white", linewidths=0.6, label=f"class {fmt(float(cls))}", zorder=3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.legend(loc="upper right", fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def _output_levels(fig, ax, xx, yy, Z, threshold):
    """One output over the plane: filled contours, a colour bar and the decision line at threshold."""
    probabilities = Z.min() >= 0 and Z.max() <= 1
    if threshold is None:
        threshold = 0.5 if probabilities else 0.0
    if probabilities:
        levels, label = np.linspace(0, 1, 11), "model output"
    else:
        top = max(abs(Z.min() - threshold), abs(Z.max() - threshold), 1e-9)
        levels, label = np.linspace(threshold - top, threshold + top, 11), "model score"
    filled = ax.contourf(xx, yy, Z, levels=levels, cmap="RdBu_r", alpha=0.55)
    fig.colorbar(filled, ax=ax, label=label)
    if Z.min() < threshold < Z.max():
        ax.contour(xx, yy, Z, levels=[threshold], colors="black", linewidths=1.5)


def _class_regions(ax, xx, yy, P):
    """k outputs per cell (P: cells × k): the predicted class's colour, paler where the model is less sure
    ((max p − 1/k)/(1 − 1/k)), and a black line around each class's region."""
    from matplotlib.colors import to_rgb

    k = P.shape[1]
    cls = P.argmax(axis=1).reshape(xx.shape)
    sure = np.clip((P.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0, 1).reshape(xx.shape)
    colors = np.array([to_rgb(_CLASS_COLORS[c % len(_CLASS_COLORS)]) for c in range(k)])
    alpha = (0.15 + 0.5 * sure)[..., None]
    image = 1.0 - alpha + alpha * colors[cls]  # the class colour over white
    ax.imshow(image, origin="lower", extent=(xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]), aspect="auto",
              interpolation="bilinear")
    for c in range(k):  # each class's border once: where the predicted class turns c or stops being c
        if (cls == c).any() and not (cls == c).all():
            ax.contour(xx, yy, (cls == c).astype(float), levels=[0.5], colors="black", linewidths=1.0)


def plot_layers(layers, ylabel="", logy=True, title=None, figsize=(6, 3.6)):
    """A line per run of per-layer numbers ({name: [layer 1, layer 2, ...]}): a matplotlib Figure.

    For `Experiment.layers` of autograd.lab.experiments: mean |grad| per layer (vanishing_gradients) or the
    activations' standard deviation (compare_inits). Line k has ydata equal to run k's numbers.
    """
    if not isinstance(layers, dict) or not layers or not all(len(values) for values in layers.values()):
        raise ValueError("plot_layers needs a dict {run name: [layer 1, layer 2, ...]} with at least one number "
                         f"per run, got {layers!r:.80}")
    fig = _figure(figsize)
    ax = fig.subplots()
    for name, values in layers.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=name)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_xticks(np.arange(1, max(len(v) for v in layers.values()) + 1))
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return fig
