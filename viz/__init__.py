"""chainrule's visualizer: graph images, the chain-rule step-through, and plots.

Names load on first use, so `import viz` stays light and optional extras (matplotlib, ipywidgets)
are imported only by the functions that need them.
"""
import importlib

_WHERE = {
    "draw_dot": "graph",
    "render": "graph",
    "backward_steps": "steps",
    "forward_steps": "steps",
    "step_through": "widget",
    "export_html": "html",
    "layer_steps": "layers",
    "export_layers_html": "layers",
    "training_view": "training",
    "export_training_html": "training",
}
_SUBMODULES = {"graph", "backends", "examples", "notation", "steps", "terminal", "widget", "html", "plots", "cli", "layers",
               "gate_plots", "training"}

__all__ = sorted(_WHERE) + sorted(_SUBMODULES)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'viz' has no attribute {name!r}")
