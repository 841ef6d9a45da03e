"""Step through the chain rule in Jupyter: `viz.step_through(root)`.

The widget is the standalone page's front end, not a second one: an anywidget (which ships one JavaScript
module to JupyterLab, Notebook, VS Code and Colab) whose module is viz/page/page.js itself, with the graph
as data and its one SVG layout as synced traits. Everything the page does works in the notebook: steps,
play, click to jump, edit an input and watch every number update. The leaf values the learner types come
back to Python: `widget.values()`. Needs anywidget: pip install "chainrule[widgets]".
"""
from functools import lru_cache

from autograd import PRIMITIVES, Value, topological_order
from autograd.forward import chain_term

from .html import asset, graph_data, json_number, layout_svg
from .names import node_names

__all__ = ["step_through", "evaluate"]


def _anywidget():
    try:
        import anywidget
    except ImportError:
        raise ImportError('viz.step_through needs anywidget: pip install "chainrule[widgets]" '
                          "(or use viz.export_html(root, 'steps.html') for a page without Jupyter)") from None
    return anywidget


def _forward(nodes, leaves):
    """data and local gradients of every node of graph_data's `nodes` at the leaf values `leaves`."""
    data, locals_ = [], []
    for node in nodes:
        if "op" not in node:
            data.append(float(leaves.get(node["name"], node["data"])))  # float("nan"), float("-inf") too
            locals_.append(())
            continue
        prim = PRIMITIVES[node["op"]]
        args = [data[p] for p in node["parents"]] + ([float(node["arg"])] if "arg" in node else [])
        try:
            out = prim.forward(*args)
        except (ValueError, ZeroDivisionError) as e:
            raise ValueError(f"values(): {node['name']} is undefined at these inputs: {e}") from None
        data.append(out)
        locals_.append(prim.local(*args, out))
    return data, locals_


def evaluate(graph, leaves=None):
    """{name: {"data", "grad"}} for every node of `graph` (from `viz.html.graph_data`) at other leaf values.

    `leaves` ({name: number}) overrides the exported leaf values. The forward pass runs each node's
    PRIMITIVES row, the backward pass the engine's rule (local × g into each parent, skip g = 0, a zero
    local adds zero): the numbers the page computes, without building or touching any Value.
    """
    nodes = graph["nodes"]
    data, locals_ = _forward(nodes, leaves or {})
    grads = [0.0] * len(nodes)
    grads[graph["root"]] = 1.0
    for i in reversed(range(len(nodes))):
        g = grads[i]
        if g == 0.0:
            continue
        for parent, local in zip(nodes[i].get("parents", ()), locals_[i]):
            grads[parent] += chain_term(local, g)
    return {node["name"]: {"data": data[i], "grad": grads[i]} for i, node in enumerate(nodes)}


@lru_cache(maxsize=None)
def _widget_class():
    """The widget class, made on first use so that importing viz never needs anywidget."""
    anywidget = _anywidget()
    import traitlets

    class StepThrough(anywidget.AnyWidget):
        """The live step-through in a notebook. Synced with the page's script: `graph` (the data),
        `svg` (the layout), `leaves` ({name: value} of the inputs, as the learner set them) and `step`
        (1-based, the step shown; set it to move the widget)."""

        _esm = asset("page.js")
        _css = asset("page.css")
        graph = traitlets.Dict().tag(sync=True)
        svg = traitlets.Unicode().tag(sync=True)
        leaves = traitlets.Dict().tag(sync=True)
        step = traitlets.Int(1).tag(sync=True)

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

    return StepThrough


def _initial_leaves(graph):
    return {node["name"]: node["data"] for node in graph["nodes"] if "op" not in node}


def step_through(root, forward=False, renderer=None, rankdir="LR", names=None, cluster=None):
    """The live step-through of `root` as a Jupyter widget (display it, or end a cell with it).

    The same page as `viz.export_html`: `forward=True` puts the forward pass first, `names` names unlabelled
    nodes, `cluster` boxes name scopes. The widget has `steps`, `step` (1-based; set it to move),
    `leaves` ({name: value}, synced back from the browser), `values()`, `set(name, value)` and `reset()`.
    Building it does not change any node's grad.
    """
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs the Value to step through, got {type(root).__name__}: {root!r}")
    widget_class = _widget_class()
    order = topological_order(root)
    label = node_names(root, names, order)
    graph = graph_data(root, names, forward, f"chainrule: the chain rule through {label[root]}", order)
    svg = layout_svg(root, names, renderer, rankdir, cluster)
    return widget_class(graph=graph, svg=svg, leaves=_initial_leaves(graph), step=1)
