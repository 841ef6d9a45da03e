"""The widget's learner modes and its expression box: the Python model without a browser, the front end in
Chromium with the stand-in for Jupyter's model from tests/test_widget.py."""
import json

import pytest

from autograd import parse
from viz import backends
from viz.examples import wxb
from viz.modes import Quiz

from conftest import open_page
from test_widget import HOST

pytest.importorskip("anywidget")
needs_renderer = pytest.mark.skipif(not backends.available(), reason="no Graphviz renderer")


@needs_renderer
def test_typing_an_expression_rebuilds_the_graph_and_its_values():
    from viz import step_through

    widget = step_through(wxb(), mode="quiz")
    widget.set_state({"expression": {"expression": "sigmoid(w*x + b)", "at": "w=-2, x=5, b=3", "n": 1}})  # typed
    assert widget.error == "" and widget.step == 1 and widget.mode == "quiz"
    names = [n["name"] for n in widget.graph["nodes"]]
    assert names[:2] == ["w", "x"] and names[-1] == "f" and widget.svg.count("<svg") == 1
    assert widget.graph["mode"] == "quiz" and widget.leaves["b"] == 3.0
    expected = parse("sigmoid(w*x + b)", w=-2, x=5, b=3)
    expected.backward()
    values = widget.values()
    assert values["f"]["data"] == pytest.approx(expected.data, rel=1e-15)
    assert values["w"]["grad"] == pytest.approx(0.004551105900609132, rel=1e-12)  # σ'(−7) · x
    assert values["x"]["grad"] == pytest.approx(-0.0018204423602436529, rel=1e-12)  # σ'(−7) · w
    widget.set_state({"leaves": {**widget.leaves, "w": 1.0}})  # the learner then changes w in the page
    assert widget.values()["f"]["data"] == pytest.approx(1 / (1 + 2.718281828459045 ** -8), rel=1e-12)
    assert widget.root.label == "f" and widget.root.data == pytest.approx(expected.data, rel=1e-15)


@needs_renderer
@pytest.mark.parametrize("typed, at, message", [
    ("sigmoid(w*x + b", "w=-2, x=5, b=3", "'(' was never closed"),
    ("__import__('os').system('echo hi')", "", "only these functions can be called: exp, log"),
    ("w.__class__", "w=1", "parse: "),
    ("w*x + z", "w=1, x=2", "the name z has no value: give one, z=1.0 in the at box"),
    ("w*x", "w=1, x=two", "at: x='two' is not a finite number"),
    ("graph.py", "", "'graph.py' is a file name; type a formula"),
    ("", "", "type an expression, such as sigmoid(w*x + b)"),
])
def test_a_bad_expression_shows_its_message_and_keeps_the_graph(typed, at, message):
    from viz import step_through

    widget = step_through(wxb())
    before = widget.graph, widget.svg
    assert widget.draw(typed, at) is None
    assert message in widget.error and "\n" not in widget.error and "Traceback" not in widget.error
    assert (widget.graph, widget.svg) == before and widget.values()["f"]["data"] == -7.0
    assert widget.draw("x*x", {"x": 3.0}).label == "f" and widget.error == ""  # a good one clears it
    assert widget.values()["x"] == {"data": 3.0, "grad": 6.0} and widget.expression["at"] == "x=3.0"


@needs_renderer
def test_mode_and_leaf_are_traits_checked_in_python():
    import traitlets

    from viz import step_through

    widget = step_through(wxb(), mode="paths", leaf="x")
    assert (widget.mode, widget.leaf, widget.graph["mode"], widget.graph["leaf"]) == ("paths", "x", "paths", "x")
    with pytest.raises(traitlets.TraitError, match="leaf 'g' is not an input; the inputs are w, x, b"):
        widget.leaf = "g"
    with pytest.raises(traitlets.TraitError):
        widget.mode = "quizz"
    with pytest.raises(ValueError, match="mode must be one of steps, quiz, tangents, paths"):
        step_through(wxb(), mode="forward")


def mount(browser, tmp_path, widget):  # noqa: F811
    """The widget's front end in a blank page, with a stand-in for Jupyter's model."""
    blank = tmp_path / "host.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    page = open_page(browser, blank)
    state = json.loads(json.dumps({k: getattr(widget, k) for k in
                                   ("graph", "svg", "leaves", "step", "mode", "leaf", "expression", "error")}))
    page.evaluate(HOST, [widget._esm, widget._css, state])
    return page


# Python's answer to a typed expression, as Jupyter delivers it: every trait set, then their change events
SEND = """s => { Object.assign(model.state, s); ['graph', 'error'].filter(k => k in s).forEach(k => model.fire(k, s[k])); }"""


@needs_renderer
def test_the_front_end_types_an_expression_and_quizzes_on_it(browser, tmp_path):  # noqa: F811
    from viz import step_through

    widget = step_through(wxb())
    page = mount(browser, tmp_path, widget)
    page.fill(".cr-expression-text", "sigmoid(w*x + b)")
    page.fill(".cr-expression-at", "w=-2, x=5, b=3")
    page.press(".cr-expression-at", "Enter")
    typed = page.evaluate("model.state.expression")
    assert typed == {"expression": "sigmoid(w*x + b)", "at": "w=-2, x=5, b=3", "n": 1}
    widget.set_state({"expression": typed})  # Jupyter hands it to Python, which parses and lays it out
    page.evaluate(SEND, json.loads(json.dumps({k: getattr(widget, k) for k in
                                               ("graph", "svg", "leaves", "step", "leaf", "error")})))
    assert page.inner_text(".cr-title") == "chainrule: the chain rule through f"
    assert page.locator(".cr-widget").count() == 1 and page.inner_text(".cr-counter") == "Step 1 / 6"
    page.click(".cr-mode[data-mode='quiz']")
    model = Quiz(widget.root)
    assert page.inner_text(".cr-quiz-prompt") == f"Question 1 / 16: {model.question.prompt}"
    page.fill(".cr-quiz-answer", "-8.3e-7")  # ∂(1/u)/∂u = −1/u² as the page shows it: within 1e-3
    page.press(".cr-quiz-answer", "Enter")
    page.fill(".cr-quiz-answer", "1")  # wrong: the product is g · local = 1 · (−8.3e−07)
    page.press(".cr-quiz-answer", "Enter")
    assert page.evaluate("model.state.score") == {"score": 1, "asked": 2, "total": 16}
    assert page.evaluate("model.state.mode") == "quiz"
    widget.set_state({"score": page.evaluate("model.state.score"), "mode": "quiz"})
    assert widget.score == {"score": 1, "asked": 2, "total": 16}
    page.evaluate("model.fire('mode', 'paths')")  # Python switches the mode
    page.evaluate("model.fire('leaf', 'x')")
    assert page.inner_text(".cr-paths-title") == "1 path from x to f"
    page.fill(".cr-expression-text", "w*x + ")  # a bad one: Python's message, no traceback
    page.press(".cr-expression-text", "Enter")
    widget.set_state({"expression": page.evaluate("model.state.expression")})
    page.evaluate(SEND, {"error": widget.error})
    assert "is not a formula" in page.inner_text(".cr-expression-error") and page.errors == []
