"""Step through the chain rule in Jupyter: `viz.step_through(root)`.

A slider with previous/next buttons over the rendered graph: the step's node highlighted, the edges
carrying this step's products labelled local × upstream, nodes whose gradient is not final yet dimmed,
and the chain-rule sentence under the graph. Needs ipywidgets: pip install "chainrule[widgets]".
"""
import html

from .steps import backward_steps, node_names

__all__ = ["step_through"]


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:
        raise ImportError('viz.step_through needs ipywidgets: pip install "chainrule[widgets]" '
                          "(or use viz.export_html(root, 'steps.html') for a page without Jupyter)") from None
    return ipywidgets


def step_through(root, forward=False, renderer=None, rankdir="LR"):
    """An ipywidgets box stepping through backpropagation of `root` (display it, or end a cell with it).

    `forward=True` puts the forward pass first. The box has `slider` (1 .. number of steps),
    `previous_button`, `next_button`, `counter`, `graph` (HTML: the SVG of the step), `sentence` (HTML)
    and `steps` (the model from `viz.backward_steps`); each SVG is drawn once, when first shown.
    Building it does not change any node's grad.
    """
    widgets = _ipywidgets()
    from .html import frame_svg  # the same frames as the standalone page

    steps = backward_steps(root, forward=forward)
    names = node_names(root)
    drawn = {}

    def svg(i):
        if i not in drawn:
            drawn[i] = frame_svg(root, steps[i], names, renderer, rankdir)
        return drawn[i]

    slider = widgets.IntSlider(value=1, min=1, max=len(steps), description="step", continuous_update=True,
                               layout=widgets.Layout(width="50%"))
    previous_button = widgets.Button(description="◀ previous", tooltip="the step before")
    next_button = widgets.Button(description="next ▶", tooltip="the next step")
    counter = widgets.Label()
    graph = widgets.HTML(layout=widgets.Layout(overflow="auto"))
    sentence = widgets.HTML()

    def show(change=None):
        i = slider.value - 1
        step = steps[i]
        counter.value = f"Step {i + 1} / {len(steps)} ({step.kind})"
        graph.value = svg(i)
        sentence.value = (f'<p style="font-family: monospace; font-size: 1.1em; border-left: 4px solid #ca8a04; '
                          f'padding: .3em .6em">{html.escape(step.sentence)}</p>')
        previous_button.disabled = i == 0
        next_button.disabled = i == len(steps) - 1

    def move(by):
        slider.value = min(max(slider.value + by, slider.min), slider.max)

    previous_button.on_click(lambda _: move(-1))
    next_button.on_click(lambda _: move(+1))
    slider.observe(show, names="value")
    show()
    box = widgets.VBox([widgets.HBox([previous_button, slider, next_button, counter]), graph, sentence])
    box.slider, box.previous_button, box.next_button, box.counter = slider, previous_button, next_button, counter
    box.graph, box.sentence, box.steps = graph, sentence, steps
    return box
