"""Algorithms 6.3 and 6.4 beside the scalar graph: a network's forward and backward pass, a layer at a time.

The textbook (Goodfellow, Bengio & Courville, §6.5) writes backpropagation through a fully connected net
with vectors and matrices:

    6.3  h⁽⁰⁾ = x;  for k = 1 … l:  a⁽ᵏ⁾ = b⁽ᵏ⁾ + W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾,  h⁽ᵏ⁾ = f(a⁽ᵏ⁾);  ŷ = h⁽ˡ⁾,  J = L(ŷ, y)
    6.4  g ← ∇ŷ J;  for k = l … 1:  g ← g ⊙ f′(a⁽ᵏ⁾),  ∇b⁽ᵏ⁾ J = g,  ∇W⁽ᵏ⁾ J = g h⁽ᵏ⁻¹⁾ᵀ,  g ← W⁽ᵏ⁾ᵀ g

`layer_steps(model, x, y)` runs those lines with numpy on the model's weights, one `LayerStep` per line, and
checks every vector against the scalar engine: the same example's scalar graph, after `backward()`, holds
a⁽ᵏ⁾ and h⁽ᵏ⁾ in its nodes' `data` and every g in its nodes' `grad`. They agree to rounding, because the
scalar chain rule *is* this algorithm, one multiply-add at a time: g ⊙ f′(a) is each unit's activation
passing on local × g, g h⁽ᵏ⁻¹⁾ᵀ is each × node w·h passing g·h to w, and Wᵀg is the same × nodes passing g·w
to h, summed over the units that read h.

The same algorithm in code: the compiled mode turns the scalar graph into a numpy program over a batch,
one matrix product per layer's sums. `print(record(lambda x: model(x), X).source)` (autograd.compiled) shows
`t0 = w0 @ V[0:2] + U[0:2]`, a⁽¹⁾ = W⁽¹⁾h⁽⁰⁾ + b⁽¹⁾ for every example at once, and a backward of the same lines.

The book's W⁽ᵏ⁾ has one row per unit: it is the lab's weight matrix transposed (`layer.get_weights()[0].T`,
the lab writing x @ W + b). The tables show the book's layout. No regularizer: λΩ = 0.

    from autograd.nn import MLP
    from viz.layers import layer_steps, format_layer_steps
    steps = layer_steps(MLP(2, [2, 1], seed=0), [0, 1], 1)
    print(format_layer_steps(steps))          # the terminal view; layer_steps_data(steps) for a page
    export_layers_html(model, [0, 1], 1, "layers.html")   # the same steps as one self-contained page
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import Value, topological_order

from .graph import node_ids
from .notation import _SUPERSCRIPT, fmt
from .steps import node_names

__all__ = ["LayerStep", "layer_steps", "format_step", "format_layer_steps", "layer_steps_data", "layers_page",
           "export_layers_html", "ALGORITHM", "TOLERANCE"]

TOLERANCE = 1e-9  # a step agrees with the scalar graph (✓) when its numbers differ by at most this


def _k(k):
    """A layer index as a superscript: 2 -> "⁽²⁾"."""
    return "⁽" + str(k).translate(_SUPERSCRIPT) + "⁾"


@dataclass(frozen=True, eq=False)
class LayerStep:
    """One line of Algorithm 6.3 (forward) or 6.4 (backward), with its numbers and the scalar graph's.

    algorithm: "6.3" or "6.4";  k: the layer (0 for h⁽⁰⁾ = x, None for the loss J);  line: the line as the
    book writes it;  name: what it computes ("a⁽²⁾", "g", "∇W⁽²⁾ J", ...);  operands: {name: array} the
    vectors and matrices it reads;  value: the array it computes with numpy;  engine: the same numbers read
    off the scalar graph (node data in the forward pass, node grad in the backward pass);  nodes and ids: the
    names and DOT ids of those scalar nodes, in the order of value.ravel().
    """

    algorithm: str
    k: int
    line: str
    name: str
    operands: dict
    value: np.ndarray
    engine: np.ndarray
    nodes: tuple
    ids: tuple

    @property
    def error(self):
        """Largest |numpy − scalar engine| over the step's numbers."""
        return float(np.max(np.abs(np.asarray(self.value) - np.asarray(self.engine)), initial=0.0))

    def as_dict(self):
        """The step as plain lists and strings (JSON-ready), for a page or a notebook."""
        return {"algorithm": self.algorithm, "k": self.k, "line": self.line, "name": self.name,
                "operands": {name: np.asarray(a).tolist() for name, a in self.operands.items()},
                "value": np.asarray(self.value).tolist(), "engine": np.asarray(self.engine).tolist(),
                "nodes": list(self.nodes), "ids": list(self.ids), "error": self.error}


# --- the scalar side: one graph, and where a⁽ᵏ⁾, h⁽ᵏ⁾ and the parameters sit in it ------------------------------


def _check_model(model):
    """The model's layers, each a layer of single-input-vector units (no maxout)."""
    layers = getattr(model, "layers", None)
    if not layers or not all(hasattr(layer, "neurons") for layer in layers):
        raise TypeError(f"layer_steps needs an MLP (a model with .layers of Layers), got {type(model).__name__}")
    for layer in layers:
        if isinstance(layer.neurons[0].b, list):
            raise ValueError(f"{layer.name} is a maxout layer: a unit there has several pre-activations, "
                             "not one a⁽ᵏ⁾; use another activation for the layer view")
    return layers


def _scalar_graph(model, x, y, loss_fn):
    """The example's cost J as a scalar graph after backward(), the input Values, and per layer the nodes
    holding a⁽ᵏ⁾ (the sum that reads each unit's bias) and h⁽ᵏ⁾ (the last node of each unit's name scope)."""
    xs = [Value(float(xi), f"x{i + 1}") for i, xi in enumerate(x)]
    with model.in_mode(False):
        out = model(xs)
    if not isinstance(out, Value):
        raise ValueError(f"layer_steps needs a model with one output unit, got {len(out)} outputs")
    J = loss_fn([out], [y])
    J.label = J.label or "J"
    J.backward()
    order = topological_order(J)
    reads_bias = {id(node.parents[1]): node for node in order if node.op == "add"}
    last_in_scope = {node.scope: node for node in order if node.scope}  # later nodes overwrite
    a_nodes, h_nodes = [], []
    for layer in model.layers:
        a_nodes.append([reads_bias[id(n.b)] for n in layer.neurons])
        h_nodes.append([last_in_scope[f"{layer.name}/neuron{j}"] for j in range(len(layer.neurons))])
    return J, xs, a_nodes, h_nodes


def _local_derivative(f, a):
    """f′(a) for a unit's activation f, by the engine on a one-number graph: v = a, out = f(v), backward."""
    v = Value(float(a))
    out = f(v)
    out.backward()
    return v.grad


# --- the matrix side: Algorithms 6.3 and 6.4 with numpy -------------------------------------------------------


def _forward_pass(model, x):
    """Algorithm 6.3 on arrays: [h⁽⁰⁾ … h⁽ˡ⁾], [a⁽¹⁾ … a⁽ˡ⁾], the book's [W⁽¹⁾ …] and [b⁽¹⁾ …]."""
    hs, As, Ws, bs = [np.asarray(x, dtype=float)], [], [], []
    for layer in model.layers:
        W, b = layer.get_weights()
        W = W.T  # the book's layout: row j holds unit j's weights
        a = b + W @ hs[-1]
        f = layer.neurons[0].activation
        hs.append(np.array([f(Value(float(aj))).data for aj in a]))
        As.append(a)
        Ws.append(W)
        bs.append(b)
    return hs, As, Ws, bs


def _grads(nodes):
    """The scalar nodes' gradients ∂J/∂node, as an array."""
    return np.array([v.grad for v in nodes])


def _data(nodes):
    """The scalar nodes' values, as an array."""
    return np.array([v.data for v in nodes])


def layer_steps(model, x, y, loss="bce"):
    """Algorithm 6.3 then 6.4 for `model` on one example (x, y): a list of LayerSteps, one per line.

    model: an MLP (any activations but maxout, one output unit); x: its inputs; y: the target; loss: a name
    in autograd.nn.LOSSES or a loss function (outputs, targets) -> Value. Each step's `engine` holds the scalar
    graph's numbers for the same quantity and `error` the largest difference (about 1e-16). The model runs in
    eval mode (dropout off); every parameter's `grad` is left as it was.
    """
    from autograd.nn import get_loss

    layers = _check_model(model)
    x = np.asarray(x, dtype=float).reshape(-1)
    if len(x) != model.nin:
        raise ValueError(f"x must have {model.nin} entries (the model's inputs), got {len(x)}")
    loss_fn = get_loss(loss)
    saved = [p.grad for p in model.parameters()]
    model.zero_grad()  # the checks read this example's gradients; the old ones come back below
    try:
        return _all_steps(model, layers, x, float(y), loss_fn)
    finally:
        for p, grad in zip(model.parameters(), saved):
            p.grad = grad


def _all_steps(model, layers, x, y, loss_fn):
    """The scalar graph once, then 6.3's and 6.4's lines with numpy, each checked against it."""
    J, xs, a_nodes, h_nodes = _scalar_graph(model, x, y, loss_fn)
    names, ids = node_names(J), node_ids(J)
    hs, As, Ws, bs = _forward_pass(model, x)
    steps = _forward_steps(hs, As, bs, Ws, xs, a_nodes, h_nodes, names, ids)
    yhat = Value(hs[-1][0])
    cost = loss_fn([yhat], [y])  # L on one number: J and g = ∇ŷ J = ∂L/∂ŷ
    cost.backward()
    steps.append(LayerStep("6.3", None, "J = L(ŷ, y)", "J", {"ŷ": hs[-1], "y": np.array([y])},
                           np.array([cost.data]), np.array([J.data]), (names[J],), (ids[J],)))
    return steps + _backward_steps(layers, hs, As, Ws, yhat.grad, xs, a_nodes, h_nodes, names, ids)


def _step(algorithm, k, line, name, operands, value, nodes, read, names, ids):
    """A LayerStep whose engine numbers are `read(nodes)` (data or grad), shaped like value."""
    nodes = list(nodes)
    engine = read(nodes).reshape(np.shape(value))
    return LayerStep(algorithm, k, line, name, operands, np.asarray(value, dtype=float), engine,
                     tuple(names[v] for v in nodes), tuple(ids[v] for v in nodes))


def _forward_steps(hs, As, bs, Ws, xs, a_nodes, h_nodes, names, ids):
    """6.3's lines: h⁽⁰⁾ = x, then a⁽ᵏ⁾ and h⁽ᵏ⁾ per layer, checked against the scalar nodes' data."""
    steps = [_step("6.3", 0, "h⁽⁰⁾ = x", "h⁽⁰⁾", {"x": hs[0]}, hs[0], xs, _data, names, ids)]
    for k in range(1, len(As) + 1):
        K, K1 = _k(k), _k(k - 1)
        steps.append(_step("6.3", k, f"a{K} = b{K} + W{K} h{K1}", f"a{K}",
                           {f"b{K}": bs[k - 1], f"W{K}": Ws[k - 1], f"h{K1}": hs[k - 1]},
                           As[k - 1], a_nodes[k - 1], _data, names, ids))
        steps.append(_step("6.3", k, f"h{K} = f(a{K})", f"h{K}", {f"a{K}": As[k - 1]},
                           hs[k], h_nodes[k - 1], _data, names, ids))
    return steps


def _backward_steps(layers, hs, As, Ws, g, xs, a_nodes, h_nodes, names, ids):
    """6.4's lines, layer l down to 1, each checked against the scalar nodes' grad."""
    l = len(layers)
    g = np.array([g])
    steps = [_step("6.4", l, "g ← ∇ŷ J", "g", {}, g, h_nodes[-1], _grads, names, ids)]
    for k in range(l, 0, -1):
        K, K1, layer = _k(k), _k(k - 1), layers[k - 1]
        f = layer.neurons[0].activation
        slope = np.array([_local_derivative(f, a) for a in As[k - 1]])
        operands = {"g": g, f"f′(a{K})": slope}
        g = g * slope
        steps.append(_step("6.4", k, f"g ← ∇a{K} J = g ⊙ f′(a{K})", "g", operands, g, a_nodes[k - 1],
                           _grads, names, ids))
        steps.append(_step("6.4", k, f"∇b{K} J = g", f"∇b{K} J", {"g": g}, g,
                           [n.b for n in layer.neurons], _grads, names, ids))
        weights = [w for n in layer.neurons for w in n.w]  # row j: unit j's weights, the book's W⁽ᵏ⁾
        steps.append(_step("6.4", k, f"∇W{K} J = g h{K1}ᵀ", f"∇W{K} J", {"g": g, f"h{K1}": hs[k - 1]},
                           np.outer(g, hs[k - 1]), weights, _grads, names, ids))
        below = xs if k == 1 else h_nodes[k - 2]
        operands = {f"W{K}": Ws[k - 1], "g": g}
        g = Ws[k - 1].T @ g
        steps.append(_step("6.4", k, f"g ← ∇h{K1} J = W{K}ᵀ g", "g", operands, g, below, _grads, names, ids))
    return steps


# --- showing the steps ---------------------------------------------------------------------------------------


def _rows(array):
    """A vector or matrix as rows of formatted numbers (a vector is one column, as the book writes it)."""
    array = np.asarray(array, dtype=float)
    if array.ndim < 2:
        return [[fmt(v)] for v in array.reshape(-1)]
    return [[fmt(v) for v in row] for row in array]


def _block(name, array):
    """Lines of a named table: "g  = │ 0.25 │" with the name on the middle row."""
    rows = _rows(array)
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))] if rows else []
    lines = ["│ " + "  ".join(cell.rjust(w) for cell, w in zip(r, widths)) + " │" for r in rows]
    middle = (len(lines) - 1) // 2
    return [(f"{name} =" if i == middle else "").ljust(len(name) + 2) + " " + line for i, line in enumerate(lines)]


def _side_by_side(blocks, gap="   "):
    """Blocks of lines next to each other, each padded to its widest line."""
    height = max(len(b) for b in blocks)
    widths = [max(len(line) for line in b) for b in blocks]
    lines = []
    for i in range(height):
        cells = [(b[i] if i < len(b) else "").ljust(w) for b, w in zip(blocks, widths)]
        lines.append(gap.join(cells).rstrip())
    return lines


def format_step(step):
    """One step as text: the algorithm's line, its operands and result as tables, and the scalar check."""
    where = "backward" if step.algorithm == "6.4" else "forward"
    layer = "" if step.k is None else f", k = {step.k}"
    head = f"Algorithm {step.algorithm} ({where}){layer}:  {step.line}"
    blocks = [_block(name, a) for name, a in step.operands.items() if np.size(a)]
    blocks.append(_block(step.name, step.value))
    shown = ", ".join(step.nodes[:4]) + (f", … ({len(step.nodes)} nodes)" if len(step.nodes) > 4 else "")
    kind = "grad" if step.algorithm == "6.4" else "data"
    check = "✓" if step.error <= TOLERANCE else "✗"
    tail = f"  {check} scalar graph ({kind} of {shown}): max |difference| = {fmt(step.error)}"
    return "\n".join([head] + ["  " + line for line in _side_by_side(blocks)] + [tail])


def format_layer_steps(steps):
    """Every step as text, separated by blank lines: the terminal's view of Algorithms 6.3 and 6.4."""
    return "\n\n".join(format_step(step) for step in steps)


def layer_steps_data(steps):
    """The steps as JSON-ready dicts (see LayerStep.as_dict): what a page or a notebook widget shows."""
    return [step.as_dict() for step in steps]


# --- the page: the algorithms' text with the current line lit, its numbers as tables ------------------------------

# Algorithms 6.3 and 6.4 as the page prints them: (id, indent, text). A step lights the line of its id
# (`_line_id`); "for" lines get the step's k beside them; None marks a heading.
ALGORITHM = (
    (None, 0, "Algorithm 6.3 (forward)"),
    ("x", 1, "h⁽⁰⁾ = x"),
    ("for", 1, "for k = 1, …, l:"),
    ("a", 2, "a⁽ᵏ⁾ = b⁽ᵏ⁾ + W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾"),
    ("h", 2, "h⁽ᵏ⁾ = f(a⁽ᵏ⁾)"),
    ("J", 1, "ŷ = h⁽ˡ⁾,  J = L(ŷ, y)"),
    (None, 0, "Algorithm 6.4 (backward)"),
    ("g", 1, "g ← ∇ŷ J"),
    ("for", 1, "for k = l, …, 1:"),
    ("slope", 2, "g ← ∇a⁽ᵏ⁾ J = g ⊙ f′(a⁽ᵏ⁾)"),
    ("b", 2, "∇b⁽ᵏ⁾ J = g"),
    ("W", 2, "∇W⁽ᵏ⁾ J = g h⁽ᵏ⁻¹⁾ᵀ"),
    ("down", 2, "g ← ∇h⁽ᵏ⁻¹⁾ J = W⁽ᵏ⁾ᵀ g"),
)


def _line_id(step):
    """Which line of ALGORITHM a step is: "x", "a", "h", "J" (6.3) or "g", "slope", "b", "W", "down" (6.4)."""
    if step.algorithm == "6.3":
        return "J" if step.k is None else ("x" if step.k == 0 else step.name[0])
    if step.name.startswith("∇"):
        return step.name[1]  # ∇b⁽ᵏ⁾ J, ∇W⁽ᵏ⁾ J
    if "ŷ" in step.line:
        return "g"
    return "slope" if "⊙" in step.line else "down"


def _table(name, array):
    """A named table for the page: {"name", "rows"} with the numbers as `fmt` writes them."""
    return {"name": name, "rows": _rows(array)}


def _page_step(step):
    """One step as the page's script reads it: the line, the operand and result tables, the scalar check."""
    nodes = np.array(step.nodes, dtype=object).reshape(np.shape(step.value))
    node_rows = [[str(v)] for v in nodes.reshape(-1)] if nodes.ndim < 2 else [[str(v) for v in r] for r in nodes]
    return {
        "algorithm": step.algorithm, "k": step.k, "line": step.line, "id": _line_id(step),
        "operands": [_table(name, a) for name, a in step.operands.items() if np.size(a)],
        "result": _table(step.name, step.value),
        "engine": {**_table(step.name, step.engine), "nodes": node_rows},
        "kind": "grad" if step.algorithm == "6.4" else "data",
        "error": fmt(step.error), "ok": step.error <= TOLERANCE,
    }


def _describe(model, x, y, loss):
    """The page's subtitle: the net's sizes and activations and the example, "2-2-1 sigmoid net at x = (0, 1), ..."."""
    sizes = "-".join(str(n) for n in [model.nin] + [len(layer.neurons) for layer in model.layers])
    names = dict.fromkeys(getattr(layer.neurons[0].activation, "__name__", "f") for layer in model.layers)
    loss = loss if isinstance(loss, str) else getattr(loss, "__name__", "a custom loss")
    return (f"a {sizes} net ({', '.join(names)}) at x = ({', '.join(fmt(v) for v in x)}), y = {fmt(y)}, "
            f"loss {loss}")


def layers_page(model, x, y, loss="bce", title=None):
    """The layer view of `model` on (x, y) as one self-contained HTML string (see `export_layers_html`)."""
    from .html import asset, standalone_page

    steps = layer_steps(model, x, y, loss)
    title = title or "chainrule: backpropagation a layer at a time (Algorithms 6.3 and 6.4)"
    data = {"title": title, "subtitle": _describe(model, np.asarray(x, dtype=float).reshape(-1), float(y), loss),
            "algorithm": [{"id": i, "indent": n, "text": t} for i, n, t in ALGORITHM],
            "steps": [_page_step(step) for step in steps]}
    return standalone_page("chainrule-layers", title, asset("layers.css"), asset("layers.js"), data)


def export_layers_html(model, x, y, path, loss="bce", title=None):
    """Write Algorithms 6.3 and 6.4 for `model` on one example (x, y) as one self-contained HTML page.

    The page prints both algorithms with the current line lit (and its k), that line with the layer's numbers,
    its operands and result as small tables (numbers as `viz.notation.fmt` writes them), and the same result
    read off the scalar graph with ✓ and the largest difference. Previous/Next, ← → and Home/End step through.
    No network: a Content-Security-Policy forbids it. `window.chainrule_layers` has `steps` (how many),
    `go(i)` (1-based) and `current()` (what is shown). model, x, y and loss are as in `layer_steps`.
    Returns the Path written.
    """
    text = layers_page(model, x, y, loss, title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
