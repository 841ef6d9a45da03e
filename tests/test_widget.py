"""viz.step_through: the Jupyter widget is the page's script in an anywidget. Its model is tested without a
browser; its front end in Chromium with a stand-in for Jupyter's model (get, set, on, save_changes)."""
import builtins
import json
import math

import pytest

from autograd import topological_order
from viz.examples import EXAMPLES, find, neuron, wxb
from viz.html import asset

from conftest import needs_renderer, open_page

pytest.importorskip("anywidget")


@needs_renderer
def test_the_model_holds_the_pages_script_graph_and_layout():
    from viz import step_through

    f = wxb()
    widget = step_through(f, forward=True)
    assert widget._esm == asset("page.js") and widget._css == asset("page.css")
    assert [n["name"] for n in widget.graph["nodes"]] == ["w", "x", "g", "b", "f"]
    assert widget.svg.startswith("<svg") and widget.svg.count("<svg") == 1
    assert (widget.steps, widget.step, widget.leaves) == (7, 1, {"w": -2.0, "x": 5.0, "b": 3.0})
    state = widget.get_state()  # what Jupyter sends to the browser
    assert set(state) >= {"graph", "svg", "leaves", "step", "_esm", "_css"}
    assert [v.grad for v in topological_order(f)] == [0.0] * 5  # the user's nodes are untouched


@needs_renderer
def test_values_follow_the_leaves_the_browser_sends_back():
    from viz import step_through

    widget = step_through(wxb())
    assert widget.values()["x"] == {"data": 5.0, "grad": -2.0}
    widget.set_state({"leaves": {"w": 3.0, "x": 5.0, "b": 3.0}})  # as when the learner types w = 3
    assert widget.values()["f"] == {"data": 18.0, "grad": 1.0} and widget.values()["x"]["grad"] == 3.0
    widget.set("b", -1)
    assert widget.values()["f"]["data"] == 14.0
    widget.reset()
    assert widget.values()["f"]["data"] == -7.0
    with pytest.raises(ValueError, match="no input of that name; the inputs are w, x, b"):
        widget.set("g", 1.0)


@needs_renderer
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_values_are_the_engines(name):
    from viz import step_through
    from viz.names import node_names

    root = EXAMPLES[name]()
    widget = step_through(root)
    root.backward()
    names = node_names(root)
    assert widget.values() == {names[v]: {"data": v.data, "grad": v.grad} for v in topological_order(root)}


@needs_renderer
def test_values_at_new_leaves_equal_a_graph_built_there():
    from viz import step_through

    widget = step_through(neuron())
    widget.set("x1", -1.25)
    widget.set("w2", float("inf"))  # x2 = 0: w2·x2 is nan, and so is everything after it
    assert math.isnan(widget.values()["y"]["data"])
    widget.set("w2", 0.75)
    y = neuron(x1=-1.25, w2=0.75)
    y.backward()
    got = widget.values()
    assert [got[n]["grad"] for n in ("w1", "x1", "w2", "x2", "b")] == [find(y, n).grad for n in
                                                                       ("w1", "x1", "w2", "x2", "b")]


def test_missing_anywidget_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_anywidget(name, *args, **kwargs):
        if name == "anywidget":
            raise ImportError("No module named 'anywidget'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_anywidget)
    from viz.widget import _widget_class, step_through

    _widget_class.cache_clear()
    try:
        with pytest.raises(ImportError, match=r'pip install "chainrule\[widgets\]"'):
            step_through(wxb())
    finally:
        _widget_class.cache_clear()


# the front end: page.js's render({model, el}) with a model like Jupyter's, in a blank page
HOST = """async ([esm, css, state]) => {
    const listeners = {}, sent = [];
    const model = {
        state, sent,
        get: k => state[k],
        set: (k, v) => { state[k] = v; },
        save_changes: () => sent.push(JSON.parse(JSON.stringify({leaves: state.leaves, step: state.step}))),
        on: (event, f) => { (listeners[event] = listeners[event] || []).push(f); },
        fire: (k, v) => { state[k] = v; (listeners['change:' + k] || []).forEach(f => f()); },
    };
    const style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
    const url = URL.createObjectURL(new Blob([esm], {type: 'text/javascript'}));
    const module = await import(url);
    const el = document.createElement('div');
    document.body.appendChild(el);
    module.default.render({model, el});
    window.model = model;
}"""


@needs_renderer
def test_the_front_end_steps_edits_and_syncs_back(browser, tmp_path):
    from viz import step_through

    widget = step_through(wxb(), forward=True)
    blank = tmp_path / "host.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    page = open_page(browser, blank)
    state = json.loads(json.dumps({k: getattr(widget, k) for k in ("graph", "svg", "leaves", "step")}))
    page.evaluate(HOST, [widget._esm, widget._css, state])
    assert page.inner_text(".cr-counter") == "Step 1 / 7" and page.inner_text(".cr-sentence") == "w = −2 (input)"
    page.click(".cr-widget .cr-next")
    assert page.evaluate("model.state.step") == 2  # the step goes back to Python
    field = page.locator(".cr-input[data-node='0'] .cr-input-value")
    field.fill("3")
    field.press("Enter")
    sent = page.evaluate("model.sent")
    assert sent[-1]["leaves"] == {"w": 3, "x": 5, "b": 3}
    widget.set_state({"leaves": sent[-1]["leaves"]})  # what Jupyter does with it
    assert widget.values()["f"]["data"] == 18.0
    page.evaluate("model.fire('step', 7)")  # Python moves the widget
    assert page.inner_text(".cr-counter") == "Step 7 / 7"
    assert page.inner_text(".cr-sentence").endswith("∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · 3 = 3")
    page.evaluate("model.fire('leaves', {w: -2, x: 5, b: 3})")  # widget.reset() in Python
    assert page.inner_text(".cr-sentence").endswith("= 1 · (−2) = −2") and page.errors == []


@needs_renderer
def test_paths_in_a_notebook_wide_widget_leave_the_graph_room(browser, tmp_path):
    from viz import step_through

    widget = step_through(wxb())
    blank = tmp_path / "host.html"
    blank.write_text("<!DOCTYPE html><html><body style='margin: 0'></body></html>")
    page = open_page(browser, blank, size=(850, 900))  # as wide as JupyterLab's output area beside its file browser
    state = json.loads(json.dumps({k: getattr(widget, k) for k in ("graph", "svg", "leaves", "step")}))
    page.evaluate(HOST, [widget._esm, widget._css, state])
    assert page.is_visible(".cr-inputs")
    page.click(".cr-mode[data-mode='paths']")
    # the paths' list and the inputs beside it left the graph 290 px, cutting f off: the inputs make way
    assert page.is_hidden(".cr-inputs") and page.inner_text(".cr-paths-title") == "1 path from w to f"
    outside = page.evaluate("""() => { const v = document.querySelector('.cr-viewport').getBoundingClientRect();
        return [...document.querySelectorAll('.cr-viewport g.node')].map(g => [g.querySelector('title').textContent,
            g.getBoundingClientRect()]).filter(([, r]) => r.left < v.left || r.right > v.right).map(([t]) => t); }""")
    assert outside == [] and page.evaluate("document.querySelector('.cr-viewport').clientWidth") >= 400
    page.click(".cr-toggle-inputs")  # the learner can bring them back
    assert page.is_visible(".cr-inputs") and page.evaluate("model.state.mode") == "paths" and page.errors == []


@needs_renderer
def test_the_widget_stays_readable_in_a_dark_notebook(browser, tmp_path):
    from viz import step_through

    widget = step_through(wxb())
    blank = tmp_path / "host.html"
    # what JupyterLab Dark sets around an output: a dark color-scheme, near-white placeholders
    blank.write_text("<!DOCTYPE html><html><head><style>body { color-scheme: dark; background: #111; color: #eee; }"
                     ".jp-ThemedContainer input::placeholder { color: rgba(255, 255, 255, .54); }</style></head>"
                     "<body class='jp-ThemedContainer'></body></html>")
    page = open_page(browser, blank)
    state = json.loads(json.dumps({k: getattr(widget, k) for k in ("graph", "svg", "leaves", "step")}))
    page.evaluate(HOST, [widget._esm, widget._css, state])
    colours = page.evaluate("""() => Object.fromEntries([['.cr-mode[data-mode="quiz"]', null], ['.cr-next', null],
        ['.cr-input-value', null], ['.cr-expression-text', '::placeholder'], ['.cr-quiz-answer', '::placeholder']]
        .map(([s, pseudo]) => { const c = getComputedStyle(document.querySelector(s), pseudo);
                                return [s + (pseudo || ''), [c.color, c.backgroundColor]]; }))""")
    # dark text on light controls (the dark scheme made the mode buttons' labels white on white)
    assert colours['.cr-mode[data-mode="quiz"]'] == ["rgb(15, 23, 42)", "rgb(255, 255, 255)"]
    assert colours[".cr-next"][0] == "rgb(0, 0, 0)" and colours[".cr-input-value"][1] == "rgb(255, 255, 255)"
    assert colours[".cr-expression-text::placeholder"][0] == colours[".cr-quiz-answer::placeholder"][0] == \
        "rgb(100, 116, 139)"
    assert page.errors == []
