"""Step through the chain rule in a terminal: `chainrule step wxb`.

Each screen shows the step's sentence and a table of the nodes with their value and their gradient so
far. Keys: Enter or n next, b back, q quit. Works over any plain terminal (one key at a time when stdin
is a terminal, else one line at a time); `show_all` prints every screen without waiting.
"""
import os
import shutil
import sys

from autograd import topological_order

from .notation import fmt, op_text
from .steps import backward_steps, node_names

__all__ = ["screen", "step_through_terminal"]

KEYS = "[Enter/n] next   [b] back   [q] quit"
CLEAR = "\033[H\033[2J"


def _visible(step, order, room):
    """The nodes to list when only `room` rows fit: the step's node and its parents, then its neighbours."""
    if room is None or len(order) <= room:
        return order
    at = order.index(step.node)
    keep = {step.node, *step.node.parents}
    for distance in range(1, len(order)):
        for j in (at - distance, at + distance):
            if len(keep) < room and 0 <= j < len(order):
                keep.add(order[j])
    return [v for v in order if v in keep]


def _table(step, order, names, room=None):
    """Rows: marker, name, op, value, grad so far, state; "⋮" where rows are left out to fit `room`."""
    rows = [("", "node", "op", "value", "grad", "")]
    changed = {c.parent: c for c in step.contributions}
    shown = _visible(step, order, None if room is None else max(room - 3, 3))  # leave room for the ⋮ rows
    position = {v: j for j, v in enumerate(order)}
    previous = -1
    for v in shown:
        if position[v] != previous + 1:
            rows.append(("", "⋮", "", "", "", ""))
        previous = position[v]
        marker = "►" if v is step.node else ""
        op = op_text(v) if v.op else "input" if v.label else "const"  # the graph's symbols: ×, σ, x²
        if step.kind == "forward":
            known = v in step.computed
            rows.append((marker, names[v], op, fmt(v.data) if known else "?", "", ""))
            continue
        state = "final" if v in step.final else "…"
        if v in changed:
            total = sum(c.product for c in step.contributions if c.parent is v)
            state += f"  ← {'+' if total >= 0 else ''}{fmt(total)}"
        rows.append((marker, names[v], op, fmt(v.data), fmt(step.grads[v]), state))
    if previous != len(order) - 1:
        rows.append(("", "⋮", "", "", "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join(" ".join(cell.ljust(w) for cell, w in zip(r, widths + [0])).rstrip() for r in rows)


def screen(steps, i, order, names, size=None):
    """The text of screen i: the counter, the sentence and the node table.

    size: (columns, lines) of the terminal; the table then lists only the rows that fit.
    """
    step = steps[i]
    what = "forward: computing values" if step.kind == "forward" else "backward: the chain rule"
    head = f"Step {i + 1} / {len(steps)}  ({what})\n\n{step.sentence}\n\n"
    room = None
    if size:
        columns, lines = size
        used = sum(-(-max(len(line), 1) // columns) for line in head.splitlines()) + 4  # header, keys, blanks
        room = max(lines - used, 5)
    return head + _table(step, order, names, room) + "\n"


def _read_key(stdin):
    """One key: a single character from a terminal in cbreak mode, else the first letter of a line."""
    if stdin.isatty():
        import termios
        import tty

        fd = stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            return os.read(fd, 1).decode("utf-8", "replace")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    line = stdin.readline()
    if not line:
        return "q"  # end of input
    return line.strip()[:1] or "\n"


def step_through_terminal(root, forward=False, show_all=False, stdin=None, out=None):
    """Walk root's chain-rule steps in the terminal (`forward` puts the forward pass first).

    With `show_all`, print every step one after another and return at once.
    """
    stdin, out = stdin or sys.stdin, out or sys.stdout
    steps = backward_steps(root, forward=forward)
    order, names = topological_order(root), node_names(root)
    if show_all:
        out.write("\n".join(screen(steps, i, order, names) for i in range(len(steps))))
        out.write(_summary(root, steps, names))
        out.flush()
        return
    clear = CLEAR if out.isatty() and os.environ.get("TERM", "") != "dumb" else "\n"
    i = 0
    size = tuple(shutil.get_terminal_size()) if out.isatty() else None
    while True:
        last = i == len(steps) - 1
        out.write(clear + screen(steps, i, order, names, size) + "\n" + KEYS + ("   (last step)" if last else "") + "\n")
        out.flush()
        try:
            key = _read_key(stdin).lower()
        except KeyboardInterrupt:
            key = "q"
        if key in ("q", "\x03", "\x04"):  # q, Ctrl-C, Ctrl-D
            out.write("quit\n")
            break
        if key == "b":
            i = max(i - 1, 0)
        elif key in ("n", "\n", "\r", " "):
            if last:
                out.write(_summary(root, steps, names))
                break
            i += 1
    out.flush()


def _summary(root, steps, names):
    """The final gradients of the labelled nodes (all nodes if none is labelled)."""
    grads = steps[-1].grads
    shown = [v for v in topological_order(root) if v.label and v is not root] or list(grads)
    parts = ", ".join(f"∂{names[root]}/∂{names[v]} = {fmt(grads[v])}" for v in shown)
    return f"\ndone: {parts}\n"
