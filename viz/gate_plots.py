"""Decision lines of single logistic units (lecture 9-1): why AND and OR take one unit and XOR takes three.

    from viz.gate_plots import plot_gate_lines, plot_trained_units
    plot_gate_lines().savefig("out/gates.png")        # hand-set AND, OR, NAND over XOR's four corners
    from autograd.lab.gates import single_units
    plot_trained_units(single_units()).savefig("out/trained_units.png")

A unit σ(w1·x1 + w2·x2 + b) says 1 on the side of its line w1·x1 + w2·x2 + b = 0 that (w1, w2) points to;
each line is drawn with an arrow towards that side. Both functions return a matplotlib Figure (no pyplot);
matplotlib is imported only when they run: pip install "chainrule[plot]".
"""
import numpy as np

from .notation import fmt
from .plots import _CLASS_COLORS, _figure

__all__ = ["plot_gate_lines", "plot_trained_units"]

_LINE_COLORS = {"AND": "#7c3aed", "OR": "#d97706", "NAND": "#0891b2", "XOR": "#6b7280"}
_LINE_STYLES = {"NAND": "--"}  # NAND's line is AND's (its 1s on the other side): dashed, so both show
_SPAN = (-0.3, 1.3)  # the unit square and a margin


def _equation(name, w1, w2, b):
    """"OR: 10·x1 + 10·x2 − 5 = 0", with real minus signs."""
    def term(coefficient, rest):
        sign = " − " if coefficient < 0 else " + "
        return sign + fmt(abs(coefficient)) + rest

    return f"{name}: {fmt(w1)}·x1{term(w2, '·x2')}{term(b, '')} = 0"


_NO_LINE = 1e-6  # |w1|, |w2| below this: the unit is flat (XOR's trained unit reaches about 1e−16)


def _line_points(w1, w2, b):
    """Two points of w1·x1 + w2·x2 + b = 0 across the plotted span, or None for a flat unit (w ≈ 0: no line)."""
    lo, hi = _SPAN
    if max(abs(w1), abs(w2)) < _NO_LINE:
        return None
    if abs(w2) >= abs(w1):  # solve for x2: the line is closer to horizontal
        x1 = np.array([lo, hi])
        return x1, -(w1 * x1 + b) / w2
    x2 = np.array([lo, hi])
    return -(w2 * x2 + b) / w1, x2


def _draw_line(ax, name, w1, w2, b, color):
    """The unit's line, labelled with its equation, and an arrow from its middle towards the unit's 1 side."""
    points = _line_points(w1, w2, b)
    equation = _equation(name, w1, w2, b)
    if points is None:
        flat = 1.0 / (1.0 + np.exp(-b))
        ax.plot([], [], color=color, label=f"{name}: w1 = {fmt(w1)}, w2 = {fmt(w2)}: no line, σ(b) = {fmt(flat)} "
                                            "everywhere")
        return
    xs, ys = points
    ax.plot(xs, ys, color=color, linewidth=2, linestyle=_LINE_STYLES.get(name, "-"), label=equation)
    # the foot of the perpendicular from (0.5, 0.5), moved onto the line: where the arrow starts
    norm2 = w1 * w1 + w2 * w2
    t = (w1 * 0.5 + w2 * 0.5 + b) / norm2
    start = np.array([0.5 - t * w1, 0.5 - t * w2])
    end = start + 0.18 * np.array([w1, w2]) / np.sqrt(norm2)
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color=color, linewidth=1.5))


def _draw_corners(ax, truth):
    """The four corners (0,0), (0,1), (1,0), (1,1), coloured by the truth table `truth` (or all grey)."""
    from autograd.lab.gates import TRUTH_TABLES, gate_data

    X, _ = gate_data("XOR")
    if truth is None:
        ax.scatter(X[:, 0], X[:, 1], s=90, color="#9ca3af", edgecolors="black", zorder=3)
        return
    if truth not in TRUTH_TABLES:
        raise ValueError(f"truth must be one of {', '.join(TRUTH_TABLES)} or None, got {truth!r}")
    y = np.array(TRUTH_TABLES[truth])
    for out in (0, 1):
        mask = y == out
        ax.scatter(X[mask, 0], X[mask, 1], s=110, color=_CLASS_COLORS[out], edgecolors="black", zorder=3,
                   label=f"{truth} = {out}")


def _axes_style(ax, title):
    ax.set_xlim(*_SPAN)
    ax.set_ylim(*_SPAN)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.16))
    if title:
        ax.set_title(title, fontsize="medium")


def plot_gate_lines(lines=None, truth="XOR", title=None, figsize=(5.2, 6.6)):
    """The decision lines of some units over the four corners, coloured by a truth table.

    lines: {name: (w1, w2, b)}; default the hand-set AND, OR and NAND units of autograd.lab.gates.GATES.
    truth: the truth table colouring the corners (a name in TRUTH_TABLES, default "XOR"), or None.
    With the defaults: XOR's 1s lie above OR's line and below NAND's, so AND(NAND, OR) is XOR.
    """
    from autograd.lab.gates import GATES

    lines = GATES if lines is None else lines
    if not isinstance(lines, dict) or not lines or any(len(v) != 3 for v in lines.values()):
        raise ValueError("lines must be a dict {name: (w1, w2, b)}, e.g. autograd.lab.gates.GATES")
    fig = _figure(figsize)
    ax = fig.subplots()
    for name, (w1, w2, b) in lines.items():
        _draw_line(ax, name, float(w1), float(w2), float(b), _LINE_COLORS.get(name, "black"))
    _draw_corners(ax, truth)
    default = "XOR's 1s lie between the OR and NAND lines" if truth == "XOR" else None
    _axes_style(ax, None)
    if title or default:
        fig.suptitle(title or default, fontsize="medium")
    return fig


def plot_trained_units(experiment, figsize=None):
    """One panel per gate of `autograd.lab.gates.single_units()`: the trained unit's line over the gate's corners.

    The title gives the unit's final cost and accuracy: AND and OR are learned, XOR stays at ln 2 ≈ 0.6931.
    """
    lines = experiment.config.get("lines") if hasattr(experiment, "config") else None
    if not lines:
        raise TypeError("plot_trained_units needs the Experiment from autograd.lab.gates.single_units()")
    fig = _figure(figsize or (4.2 * len(lines), 5.4))
    for ax, (name, (w1, w2, b)) in zip(fig.subplots(1, len(lines), squeeze=False)[0], lines.items()):
        run = experiment.runs[name]
        _draw_line(ax, name, w1, w2, b, _LINE_COLORS.get(name, "black"))
        _draw_corners(ax, name)
        _axes_style(ax, f"one unit on {name}: cost {fmt(run.train_cost)}, accuracy {fmt(run.train_accuracy)}")
    return fig
