"""viz.step_through: the Jupyter widget, driven without Jupyter."""
import builtins
import re

import pytest

from autograd import topological_order
from viz import backends
from viz.examples import wxb

pytest.importorskip("ipywidgets")
needs_renderer = pytest.mark.skipif(not backends.available(), reason="no Graphviz renderer")


def current_node(svg):
    """The DOT id (title) of the node drawn as this step's current one."""
    return re.search(r'<g id="[^"]*" class="node current">\s*<title>([^<]*)</title>', svg).group(1)


@needs_renderer
def test_slider_and_buttons_move_through_the_steps():
    from viz import step_through

    f = wxb()
    box = step_through(f, forward=True)
    assert (box.slider.min, box.slider.max, box.slider.value) == (1, 7, 1)
    assert box.counter.value == "Step 1 / 7 (forward)"
    assert "w = −2 (input)" in box.sentence.value
    assert current_node(box.graph.value) == "n0"
    assert box.previous_button.disabled

    box.slider.value = 6  # the first backward step: f passes 1 to g and b
    assert box.counter.value == "Step 6 / 7 (backward)"
    assert current_node(box.graph.value) == "n4"
    assert "∂f/∂g += ∂f/∂f · ∂f/∂g = 1 · 1 = 1" in box.sentence.value
    assert "1 × 1 = 1" in box.graph.value  # the edges carrying this step's products

    box.next_button.click()
    assert box.slider.value == 7 and box.next_button.disabled
    assert current_node(box.graph.value) == "n2"
    assert "∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2" in box.sentence.value
    assert "(−2) × 1 = −2" in box.graph.value and "grad −2" in box.graph.value  # x now holds its gradient
    box.next_button.click()  # no step after the last
    assert box.slider.value == 7
    box.previous_button.click()
    assert box.slider.value == 6 and "n4" == current_node(box.graph.value)
    # not-yet-final gradients are dimmed: at step 6, w's and x's are still pending
    assert len(re.findall(r'class="node pending"', box.graph.value)) == 2
    assert [v.grad for v in topological_order(f)] == [0.0] * 5  # the user's nodes are untouched


@needs_renderer
def test_labels_are_escaped_in_the_sentence():
    from autograd import Value
    from viz import step_through

    x = Value(2.0, "<b>x</b>")
    box = step_through(x * 3.0)
    assert "&lt;b&gt;x&lt;/b&gt;" in box.sentence.value and "<b>x</b>" not in box.sentence.value


def test_missing_ipywidgets_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_ipywidgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError("No module named 'ipywidgets'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ipywidgets)
    from viz.widget import step_through

    with pytest.raises(ImportError, match=r'pip install "chainrule\[widgets\]"'):
        step_through(wxb())
