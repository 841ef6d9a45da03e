"""Step through the chain rule in a terminal: `chainrule step wxb`.

Each screen shows the step's sentence and a table of the nodes with their value and their gradient so
far, the current node in yellow and the inputs receiving gradient in red (colour through rich, only on a
terminal). Keys: Enter or n next, b back, q quit. Works over any plain terminal (one key at a time when
stdin is a terminal, else one line at a time); `show_all` prints every screen without waiting, and in a
pipe without colour codes.

Two learner modes (viz.modes): `forward_mode=LEAF` steps the tangents ∂node/∂LEAF forward instead
(`chainrule step wxb --forward-mode w`), and `quiz=True` asks each number of the backward pass before
it is shown, one typed line per answer, and keeps the score (`chainrule step wxb --quiz`).
"""
import os
import shutil
import sys

from autograd import topological_order

from .modes import Quiz, tangent_steps
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


# how a row looks on a colour terminal (rich styles); a pipe gets the same text without colour
STYLES = {"current": "bold black on yellow", "receiving": "bold red", "reading": "bold blue", "pending": "dim",
          None: ""}


def _rows(step, order, names, room=None):
    """(cells, role) per row: marker, name, op, value, grad so far, state; "⋮" where rows are left out.

    role is "current" (the step's node), "receiving" (an input getting local × g), "reading" (an input the
    forward step reads), "pending" (not computed / gradient not final) or None.
    """
    if step.kind == "tangent":
        return _tangent_rows(step, order, names, room)
    rows = [(("", "node", "op", "value", "grad", ""), None)]
    changed = {c.parent: c for c in step.contributions}
    shown = _visible(step, order, None if room is None else max(room - 3, 3))  # leave room for the ⋮ rows
    position = {v: j for j, v in enumerate(order)}
    forward = step.kind == "forward"
    known = step.computed if forward else None
    grads, final = (None, None) if forward else (step.grads, step.final)  # replayed once per screen
    previous = -1
    for v in shown:
        if position[v] != previous + 1:
            rows.append((("", "⋮", "", "", "", ""), None))
        previous = position[v]
        marker = "►" if v is step.node else ""
        op = op_text(v) if v.op else "input" if v.label else "const"  # the graph's symbols: ×, σ, x²
        if forward:
            role = "current" if v is step.node else "reading" if v in step.node.parents else (
                None if v in known else "pending")
            rows.append(((marker, names[v], op, fmt(v.data) if v in known else "?", "", ""), role))
            continue
        state = "final" if v in final else "…"
        if v in changed:
            total = sum(c.product for c in step.contributions if c.parent is v)
            state += f"  ← {'+' if total >= 0 else ''}{fmt(total)}"
        role = "current" if v is step.node else "receiving" if v in changed else None if v in final else "pending"
        rows.append(((marker, names[v], op, fmt(v.data), fmt(grads[v]), state), role))
    if previous != len(order) - 1:
        rows.append((("", "⋮", "", "", "", ""), None))
    return rows


def _tangent_rows(step, order, names, room=None):
    """The rows of a forward-mode step: each node's tangent ∂node/∂leaf once known, "?" after the step's node."""
    leaf = step.leaf
    rows = [(("", "node", "op", "value", f"∂/∂{names[leaf]}", ""), None)]
    shown = set(_visible(step, order, None if room is None else max(room - 3, 3)))
    previous = -1
    for j, v in enumerate(order):
        if v not in shown:
            continue
        if j != previous + 1:
            rows.append((("", "⋮", "", "", "", ""), None))
        previous = j
        known = v in step.tangents
        role = ("current" if v is step.node else "reading" if v in step.node.parents else
                None if known else "pending")
        op = op_text(v) if v.op else "input" if v.label else "const"
        note = "seed" if v is leaf else ""
        rows.append((("►" if v is step.node else "", names[v], op, fmt(v.data),
                      fmt(step.tangents[v]) if known else "?", note), role))
    if previous != len(order) - 1:
        rows.append((("", "⋮", "", "", "", ""), None))
    return rows


def _lines(step, order, names, room=None):
    """The table as (text line, role) pairs, columns padded to their widest cell."""
    rows = _rows(step, order, names, room)
    widths = [max(len(cells[i]) for cells, _ in rows) for i in range(5)]
    return [(" ".join(cell.ljust(w) for cell, w in zip(cells, widths + [0])).rstrip(), role) for cells, role in rows]


def _table(step, order, names, room=None):
    """The node table as plain text."""
    return "\n".join(line for line, _ in _lines(step, order, names, room))


def _head(steps, i, names):
    step = steps[i]
    if step.kind == "tangent":
        what = f"forward mode: tangents ∂node/∂{names[step.leaf]}"
    else:
        what = "forward: computing values" if step.kind == "forward" else "backward: the chain rule"
    return f"Step {i + 1} / {len(steps)}  ({what})\n\n{step.sentence}\n\n"


def _room(head, size):
    """How many table rows fit a terminal of `size` (columns, lines) under `head`; None: no limit."""
    if not size:
        return None
    columns, lines = size
    used = sum(-(-max(len(line), 1) // columns) for line in head.splitlines()) + 4  # header, keys, blanks
    return max(lines - used, 5)


def screen(steps, i, order, names, size=None):
    """The text of screen i: the counter, the sentence and the node table.

    size: (columns, lines) of the terminal; the table then lists only the rows that fit.
    """
    head = _head(steps, i, names)
    return head + _table(steps[i], order, names, _room(head, size)) + "\n"


def _styled_screen(steps, i, order, names, size=None):
    """Screen i as rich Text: the same text as `screen`, the current node and its inputs in colour."""
    from rich.text import Text

    head = _head(steps, i, names)
    text = Text(head)
    for line, role in _lines(steps[i], order, names, _room(head, size)):
        text.append(line + "\n", style=STYLES[role])
    return text


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


def _console(out):
    """A rich Console on `out`: colour on a terminal, plain text in a pipe or under NO_COLOR / TERM=dumb."""
    from rich.console import Console

    return Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=True)


def step_through_terminal(root, forward=False, show_all=False, stdin=None, out=None, names=None, quiz=False,
                          forward_mode=None):
    """Walk root's chain-rule steps in the terminal (`forward` puts the forward pass first).

    The current node is highlighted in yellow and the inputs receiving gradient in red (through rich; no
    colour codes when `out` is not a terminal). With `show_all`, print every step one after another and
    return at once. `names` ({Value: name}) names unlabelled nodes. `forward_mode` (an input's name or
    the Value) steps forward-mode tangents from that input instead; `quiz=True` asks each number of the
    backward pass before showing it, reading one answer per line from `stdin` (see `quiz_terminal`).
    """
    stdin, out = stdin or sys.stdin, out or sys.stdout
    if quiz and (forward_mode is not None or show_all):
        raise ValueError("quiz=True asks about the backward pass step by step: it goes with neither forward_mode "
                         "nor show_all")
    if quiz:
        return quiz_terminal(root, stdin, out, names)
    order = topological_order(root)
    names = node_names(root, names, order)
    if forward_mode is not None:
        steps = tangent_steps(root, forward_mode, names)
    else:
        steps = backward_steps(root, forward=forward, names=names)
    console = _console(out)
    if show_all:
        for i in range(len(steps)):
            console.print(_styled_screen(steps, i, order, names), end="" if i == len(steps) - 1 else "\n")
        console.print(_summary(root, steps, names), end="")
        out.flush()
        return
    _walk(root, steps, order, names, stdin, out, console)


def _walk(root, steps, order, names, stdin, out, console):
    """One screen at a time, one key at a time: next, back, quit; the summary after the last step."""
    clear = CLEAR if out.isatty() and os.environ.get("TERM", "") != "dumb" else "\n"
    i = 0
    size = tuple(shutil.get_terminal_size()) if out.isatty() else None
    while True:
        last = i == len(steps) - 1
        out.write(clear)
        console.print(_styled_screen(steps, i, order, names, size), end="")
        out.write("\n" + KEYS + ("   (last step)" if last else "") + "\n")
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
    """The final gradients of the labelled nodes (all nodes if none is labelled); forward mode's one derivative."""
    if steps[-1].kind == "tangent":
        return f"\ndone: ∂{names[root]}/∂{names[steps[-1].leaf]} = {fmt(steps[-1].tangent)}, as backward() finds\n"
    grads = steps[-1].grads
    shown = [v for v in topological_order(root) if v.label and v is not root] or list(grads)
    parts = ", ".join(f"∂{names[root]}/∂{names[v]} = {fmt(grads[v])}" for v in shown)
    return f"\ndone: {parts}\n"


# --- predict, then reveal ---------------------------------------------------------------------------------------

QUIZ_KEYS = "type a number (5, −2, 0.25 or 1/4) and Enter   [Enter alone] reveal   [q] quit"


def _quiz_screen(quiz, root, order, names):
    """The question being asked over the node table as it stands before its step (no answer shown)."""
    q = quiz.question
    before = quiz.steps[q.step - 1] if q.step else None
    step = quiz.steps[q.step]
    head = (f"Question {quiz.position + 1} / {len(quiz.questions)}  (backward step {q.step + 1} / "
            f"{len(quiz.steps)}, score {quiz.score}/{quiz.position})\n\n{q.prompt}\n\n")
    grads = dict(before.grads) if before else {v: 1.0 if v is root else 0.0 for v in order}
    for c in step.contributions:  # what this step passed on that is revealed already
        if all(k < quiz.position for k, other in enumerate(quiz.questions)
               if other.step == q.step and other.slot == c.slot):
            grads[c.parent] = c.after
    rows = [("", "node", "op", "value", "grad so far")]
    for v in order:
        marker = "►" if v is step.node else "→" if v is q.parent else ""
        op = op_text(v) if v.op else "input" if v.label else "const"
        rows.append((marker, names[v], op, fmt(v.data), fmt(grads[v])))
    return head, rows


def quiz_terminal(root, stdin=None, out=None, names=None):
    """Predict, then reveal, in a terminal: each question of `viz.modes.Quiz(root)` in turn.

    A line with a number answers it (checked to 1e-3 relative; right or wrong, the number is revealed
    and the score shown); an empty line gives it up; q (or the end of input) stops. Works in a pipe:
    `printf '1\n1\n' | chainrule step wxb --quiz`. Returns the Quiz.
    """
    stdin, out = stdin or sys.stdin, out or sys.stdout
    order = topological_order(root)
    names = node_names(root, names, order)
    quiz = Quiz(root, names=names)
    console = _console(out)
    while not quiz.done:
        head, rows = _quiz_screen(quiz, root, order, names)
        console.print(head + _table_text(rows), end="")
        out.write(QUIZ_KEYS + "\n> ")
        out.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in ("q", "quit"):
            out.write(f"\nquit: score {quiz.score}/{quiz.position}\n")
            out.flush()
            return quiz
        try:
            verdict = quiz.answer(line.strip()) if line.strip() else quiz.reveal()
        except ValueError as e:
            out.write(f"{e}\n\n")
            continue
        style = "bold green" if verdict.right else "bold red"
        console.print(verdict.sentence, style=style if verdict.given is not None else "", end="\n\n")
    out.write(f"done: {quiz.score} of {len(quiz.questions)} right\n")
    out.flush()
    return quiz


def _table_text(rows):
    """Rows of cells lined up in columns, as the step table is."""
    widths = [max(len(cells[k]) for cells in rows) for k in range(len(rows[0]))]
    return "\n".join(" ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip() for cells in rows) + "\n\n"
