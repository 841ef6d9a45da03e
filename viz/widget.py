"""Step through the chain rule in Jupyter: `viz.step_through(root)`.

The widget is the standalone page's front end, not a second one: an anywidget (which ships one JavaScript
module to JupyterLab, Notebook, VS Code and Colab) whose module is viz/page/page.js itself, with the graph
as data and its one SVG layout as synced traits. Everything the page does works in the notebook: steps,
play, click to jump, edit an input and watch every number update, and the learner modes: the quiz
(predict, then reveal), forward mode and every path's product. The leaf values the learner types come
back to Python: `widget.values()`. Above the page, a box takes an expression and its leaf values
("sigmoid(w*x + b)" at "w=-2, x=5, b=3"): Python parses it (`autograd.parse`) and sends the new graph and
its layout; a bad one shows parse's message in the widget. Needs anywidget: pip install "chainrule[widgets]".
"""
import re
from functools import lru_cache

from autograd import Value, topological_order

from .html import MODES, asset, graph_data, json_number, layout_svg
from .names import node_names

__all__ = ["step_through", "evaluate"]


def _anywidget():
    try:
        import anywidget
    except ImportError:
        raise ImportError('viz.step_through needs anywidget: pip install "chainrule[widgets]" '
                          "(or use viz.export_html(root, 'steps.html') for a page without Jupyter)") from None
    return anywidget


def _rebuild(nodes, leaves):
    """The Values of graph_data's `nodes`, built again through their PRIMITIVES rows at the leaf values `leaves`
    ({name: number}; the exported values elsewhere): a fresh graph, the user's own is never touched."""
    values = []
    for node in nodes:
        if "op" not in node:
            values.append(Value(float(leaves.get(node["name"], node["data"]))))  # float("nan"), float("-inf") too
            continue
        x, *y = (values[p] for p in node["parents"])
        arg = float(node["arg"]) if "arg" in node else None
        try:
            values.append(x._apply(node["op"], y[0] if y else None, arg))
        except (ValueError, ZeroDivisionError) as e:
            raise ValueError(f"values(): {node['name']} is undefined at these inputs: {e}") from None
    return values


def evaluate(graph, leaves=None):
    """{name: {"data", "grad"}} for every node of `graph` (from `viz.html.graph_data`) at other leaf values.

    `leaves` ({name: number}) overrides the exported leaf values. The graph is built again as Values and
    `backward()` runs on it: the engine's own numbers, which the page's script mirrors.
    """
    nodes = graph["nodes"]
    values = _rebuild(nodes, leaves or {})
    values[graph["root"]].backward()
    return {node["name"]: {"data": value.data, "grad": value.grad} for node, value in zip(nodes, values)}


class _StepThrough:
    """The live step-through in a notebook. Synced with the page's script: `graph` (the data), `svg` (the layout),
    `leaves` ({name: value} of the inputs, as the learner set them) and `step` (1-based, the step shown; set it
    to move the widget). Its behaviour: `_widget_class` joins it to anywidget.AnyWidget and the synced traits."""

    def __repr__(self):
        # the text a saved notebook shows where the live widget would be (no memory address)
        return f"<{self.graph.get('title', 'chainrule')}: {self.steps} steps, mode {self.mode}; run the notebook to use it>"

    def _typed(self, change):
        """The learner typed an expression in the widget's box: draw it."""
        typed = change["new"] or {}
        self._draw(typed.get("expression", ""), typed.get("at", ""))

    def _known_leaf(self, proposal):
        """`leaf` names an input of the graph (or is empty); else a TraitError listing the inputs."""
        import traitlets

        inputs = [n["name"] for n in self.graph.get("nodes", ()) if "op" not in n and not n["constant"]]
        if proposal["value"] and proposal["value"] not in inputs:
            raise traitlets.TraitError(f"leaf {proposal['value']!r} is not an input; the inputs are "
                                       f"{', '.join(inputs)}")
        return proposal["value"]

    def draw(self, expression, at=""):
        """Draw the graph of `expression` at the values `at` ("w=-2, x=5, b=3", or a dict), as typing
        them in the widget's box does (the box shows them). A formula, or the name of a worked example
        without values. Returns the new root Value, or None when the expression is refused: `error`
        then holds the one-line reason, shown in the widget."""
        if isinstance(at, dict):
            at = ", ".join(f"{name}={value!r}" for name, value in at.items())
        self.error = ""
        self.expression = {"expression": expression, "at": at, "n": self.expression.get("n", 0) + 1}
        return None if self.error else self.root

    def _draw(self, expression, at):
        """Parse what was typed and send the new graph and its layout, or the reason it is refused."""
        root = _typed_root(expression, at)
        try:
            if isinstance(root, str):
                raise ValueError(root)
            graph = graph_data(root, None, self.graph.get("forward", False), _title(root), None, self.mode)
            svg = layout_svg(root, **self.layout)  # refuses a graph too big to lay out, naming its size
        except ValueError as e:
            self.error = str(e).splitlines()[0]
            return
        with self.hold_sync():  # one message: the page rebuilds once, with graph and layout together
            self.leaf = ""
            self.graph, self.svg, self.leaves, self.step = graph, svg, _initial_leaves(graph), 1
            self.error, self.score = "", {}
            self.root = root
        return root

    @property
    def steps(self):
        """How many steps the widget has (forward steps, then one per op node of the backward pass)."""
        nodes = self.graph["nodes"]
        backward = sum(1 for node in nodes if "op" in node) or 1  # a lone leaf: one step
        return backward + (len(nodes) if self.graph["forward"] else 0)

    def values(self):
        """{name: {"data", "grad"}} for every node at the leaf values set in the widget (full backward)."""
        return evaluate(self.graph, {name: float(value) for name, value in self.leaves.items()})

    def set(self, name, value):
        """Set the input called `name` to `value`; the widget recomputes every number."""
        inputs = [node["name"] for node in self.graph["nodes"] if "op" not in node]
        if name not in inputs:
            raise ValueError(f"set({name!r}, ...): no input of that name; the inputs are {', '.join(inputs)}")
        self.leaves = {**self.leaves, name: json_number(float(value))}

    def reset(self):
        """Back to the values the graph was built with."""
        self.leaves = _initial_leaves(self.graph)


def _synced_traits(traitlets):
    """The traits of the step-through widget; those tagged sync=True are shared with the page's script."""
    return {
        "graph": traitlets.Dict().tag(sync=True),
        "svg": traitlets.Unicode().tag(sync=True),
        "leaves": traitlets.Dict().tag(sync=True),
        "step": traitlets.Int(1).tag(sync=True),
        "mode": traitlets.Enum(MODES, "steps").tag(sync=True),  # the learner mode shown
        "leaf": traitlets.Unicode("").tag(sync=True),  # the input forward mode and the paths start from
        "score": traitlets.Dict().tag(sync=True),  # in the quiz: {"score", "asked", "total"}
        "expression": traitlets.Dict().tag(sync=True),  # typed in the widget: {"expression", "at"}
        "error": traitlets.Unicode("").tag(sync=True),  # why the typed expression was not drawn
        "layout": traitlets.Dict().tag(sync=False),  # how the graph is laid out: renderer, rankdir, cluster
    }


@lru_cache(maxsize=None)
def _widget_class():
    """The widget class StepThrough: _StepThrough's behaviour on anywidget.AnyWidget, with page.js as its front
    end. Made on first use, so that importing viz never needs anywidget."""
    anywidget = _anywidget()
    import traitlets

    body = {"__doc__": _StepThrough.__doc__, "__module__": __name__,
            "_esm": asset("page.js"), "_css": asset("page.css"), **_synced_traits(traitlets),
            "_typed": traitlets.observe("expression")(_StepThrough._typed),
            "_known_leaf": traitlets.validate("leaf")(_StepThrough._known_leaf)}
    return type("StepThrough", (_StepThrough, anywidget.AnyWidget), body)


def _initial_leaves(graph):
    return {node["name"]: node["data"] for node in graph["nodes"] if "op" not in node}


def _title(root, names=None):
    return f"chainrule: the chain rule through {node_names(root, names)[root]}"


def _typed_root(expression, at):
    """The root Value of what was typed in the widget, or the one-line reason it is refused (a str).

    `expression` is a formula (`autograd.parse`, nothing run) or the name of a worked example; a Python
    file is refused here (the widget draws what is typed, it does not run files).
    """
    from .sources import load_source, source_kind

    expression = str(expression or "").strip()
    at = str(at or "").strip() or None
    if not expression:
        return "type an expression, such as sigmoid(w*x + b), and its values at w=-2, x=5, b=3"
    try:
        if source_kind(expression, at) == "file":
            return f"{expression!r} is a file name; type a formula such as sigmoid(w*x + b)"
        root = load_source(expression, at=at)
    except (ValueError, TypeError, LookupError) as e:  # ParseError, SourceError, bad values
        text = str(e).splitlines()[0].replace("--at", "at")
        return re.sub(r"parse\(\.\.\., (\w+)=1\.0\)", r"\1=1.0 in the at box", text)
    if not root.parents:
        return f"{expression!r} has no operation to step through; type a formula such as w*x + b"
    return root


def step_through(root, forward=False, renderer=None, rankdir="LR", names=None, cluster=None, mode="steps",
                 leaf=None):
    """The live step-through of `root` as a Jupyter widget (display it, or end a cell with it).

    The same page as `viz.export_html`: `forward=True` puts the forward pass first, `names` names unlabelled
    nodes, `cluster` boxes name scopes, `mode` opens a learner mode ("quiz", "tangents", "paths") from the
    input `leaf`. The widget has `steps`, `step` (1-based; set it to move), `leaves` ({name: value}, synced
    back from the browser), `values()`, `set(name, value)`, `reset()`, `mode`, `leaf`, `score` (the quiz's),
    and `draw(expression, at)`, which the expression box above the page calls; its `root` is the graph's
    root Value. Building it does not change any node's grad.
    """
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs the Value to step through, got {type(root).__name__}: {root!r}")
    widget_class = _widget_class()
    order = topological_order(root)
    graph = graph_data(root, names, forward, _title(root, names), order, mode, leaf)
    layout = {"renderer": renderer, "rankdir": rankdir, "cluster": cluster}
    svg = layout_svg(root, names, **layout)
    widget = widget_class(graph=graph, svg=svg, leaves=_initial_leaves(graph), step=1, mode=mode, leaf=leaf or "",
                          layout=layout)
    widget.root = root
    return widget
