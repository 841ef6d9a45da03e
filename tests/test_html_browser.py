"""The live step-through page, in a real headless Chromium (Debian's chromium, driven by playwright).

The browser tests skip when /usr/bin/chromium or playwright is missing (`./run test` installs both; under CI a
skip fails). Never `playwright install`: the page needs no browser download. The `browser` fixture and
`open_page` are in tests/conftest.py.
"""
import json
import re

import pytest

from autograd import Value, name_scope, topological_order
from conftest import needs_renderer, node_text, open_page
from viz.cli import main
from viz.examples import wxb
from viz.html import export_html

XSS = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def shown(page):
    """(counter, sentence, DOT id of the highlighted node) on screen."""
    return (page.inner_text(".cr-counter"), page.inner_text(".cr-sentence"),
            page.locator("g.node.current > title").text_content())


def boxes(page):
    """{id: [x, y, width, height]} in SVG coordinates of every node's shape and every edge's line and arrow."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            'g.node > path, g.node > ellipse, g.edge > path, g.edge > polygon')].map(el => {
        const b = el.getBBox(), k = [...el.parentNode.children].indexOf(el);
        return [el.parentNode.id + '/' + k, [b.x, b.y, b.width, b.height]];
    }))""")


@needs_renderer
def test_buttons_keys_and_slider_step_through(browser, tmp_path):
    path = export_html(wxb(), tmp_path / "steps.html", forward=True)
    page = open_page(browser, path)
    assert page.evaluate("chainrule.steps") == 7
    assert shown(page) == ("Step 1 / 7", "w = −2 (input)", "n0")
    assert page.is_disabled(".cr-prev") and page.text_content(".cr-kind") == "forward pass"
    assert node_text(page, "n2") == ["g", "data ?", ""]  # the forward view shows nothing not computed yet

    page.click(".cr-next")
    assert shown(page) == ("Step 2 / 7", "x = 5 (input)", "n1")
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("Step 3 / 7", "g = w · x = (−2) · 5 = −10", "n2")
    assert node_text(page, "n2") == ["g", "data −10", ""]
    page.keyboard.press("End")
    assert shown(page) == ("Step 7 / 7", "∂f/∂w += ∂f/∂g · ∂g/∂w = 1 · 5 = 5; "
                                         "∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2", "n2")
    assert page.text_content(".cr-kind") == "backward pass" and page.is_disabled(".cr-next")
    assert "(−2) × 1 = −2" in page.locator("g.edge.active text").all_text_contents()
    assert node_text(page, "n1") == ["x", "data 5", "grad −2"]
    page.keyboard.press("ArrowRight")  # nothing after the last step
    assert shown(page)[0] == "Step 7 / 7"
    page.keyboard.press("ArrowLeft")
    assert shown(page) == ("Step 6 / 7", "∂f/∂g += ∂f/∂f · ∂f/∂g = 1 · 1 = 1; ∂f/∂b += ∂f/∂f · ∂f/∂b = 1 · 1 = 1",
                           "n4")
    assert node_text(page, "n1") == ["x", "data 5", "grad 0"]  # back: x has no gradient yet ...
    assert page.locator("g.node.pending > title").all_text_contents() == ["n0", "n1"]  # ... and w's, x's are pending
    page.click(".cr-prev")
    page.keyboard.press("Home")
    assert shown(page)[0] == "Step 1 / 7"
    page.locator(".cr-slider").fill("5")
    assert shown(page) == ("Step 5 / 7", "f = g + b = (−10) + 3 = −7", "n4")
    assert [page.requests, page.dialogs, page.errors] == [[path.as_uri()], [], []]  # nothing fetched, no error


@needs_renderer
def test_the_forward_pass_has_its_own_title_and_legend(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "steps.html", forward=True))
    forward = page.inner_text(".cr-pass-title"), page.inner_text(".cr-legend")
    page.keyboard.press("End")
    backward = page.inner_text(".cr-pass-title"), page.inner_text(".cr-legend")
    assert forward[0].startswith("Forward pass") and "not computed yet" in forward[1]
    assert backward[0].startswith("Backpropagation") and "gradient not final yet" in backward[1]


@needs_renderer
def test_set_w_recomputes_every_number(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "steps.html"))
    page.evaluate("chainrule.go(2)")
    before = boxes(page)
    page.evaluate("chainrule.set('w', 3)")
    values = page.evaluate("chainrule.values()")
    assert values["f"] == {"data": 18.0, "grad": 1.0} and values["x"] == {"data": 5.0, "grad": 3.0}
    assert values["w"] == {"data": 3.0, "grad": 5.0} and values["g"]["data"] == 15.0
    assert node_text(page, "n4") == ["f", "data 18", "grad 1"]
    assert node_text(page, "n1") == ["x", "data 5", "grad 3"]
    assert page.inner_text(".cr-sentence").endswith("∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · 3 = 3")
    assert page.input_value(".cr-input[data-node='0'] .cr-input-value") == "3"
    assert boxes(page) == before  # nothing moved
    page.click(".cr-reset")
    assert page.evaluate("chainrule.values()")["f"] == {"data": -7.0, "grad": 1.0}
    assert node_text(page, "n0") == ["w", "data −2", "grad 5"]
    with pytest.raises(Exception, match="no input of that name; the inputs are w, x, b"):
        page.evaluate("chainrule.set('g', 1)")
    assert page.errors == []


@needs_renderer
def test_click_a_number_to_edit_it_and_the_inputs_panel(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "steps.html"))
    page.locator("g.node:has(> title:text-is('n0')) text.cr-number").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("−0.5")
    page.keyboard.press("Enter")
    assert page.evaluate("chainrule.values()")["f"]["data"] == 0.5  # −0.5·5 + 3
    assert page.locator(".cr-editor").count() == 0
    field = page.locator(".cr-input[data-node='1'] .cr-input-value")  # x, in the Inputs panel
    field.fill("2")
    field.press("Enter")
    assert page.evaluate("chainrule.values()")["f"]["data"] == 2.0
    field.fill("two")
    field.press("Enter")
    assert "is not a number" in page.inner_text(".cr-warning")
    assert page.evaluate("chainrule.values()")["x"]["data"] == 2.0  # unchanged


@needs_renderer
def test_positions_are_the_same_at_every_step(browser, tmp_path):
    from viz.examples import EXAMPLES

    loss = EXAMPLES["xor_loss"]()
    page = open_page(browser, export_html(loss, tmp_path / "xor.html", forward=True))
    first = boxes(page)
    page.keyboard.press("End")
    assert page.evaluate("chainrule.step") == page.evaluate("chainrule.steps") == len(topological_order(loss)) + 28
    assert boxes(page) == first
    page.evaluate("chainrule.set('x1', 1)")
    assert boxes(page) == first


@needs_renderer
def test_click_a_node_to_jump_to_its_step(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "steps.html"))
    assert shown(page)[0] == "Step 1 / 2"
    page.locator("g.node:has(> title:text-is('n1')) text").first.click()  # x: final after g's step, the 2nd
    assert shown(page)[0] == "Step 2 / 2"
    page.locator("g.node:has(> title:text-is('n4_op'))").click()  # f's op: f passes its gradient at step 1
    assert shown(page)[0] == "Step 1 / 2"


def wait_for_step(page, step, seconds=5):
    """Poll until the page shows `step` or later (wait_for_function would need eval, which the CSP forbids)."""
    for _ in range(seconds * 20):
        if page.evaluate("chainrule.step") >= step:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the page did not reach step {step}: it is at {page.evaluate('chainrule.step')}")


@needs_renderer
def test_play_pause_and_space(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "steps.html", forward=True))
    page.select_option(".cr-speed", "200")
    page.click(".cr-play")
    wait_for_step(page, 3)
    page.click(".cr-play")  # pause
    paused = page.evaluate("chainrule.step")
    assert page.inner_text(".cr-play") == "▶ Play"
    page.wait_for_timeout(500)
    assert page.evaluate("chainrule.step") == paused
    page.keyboard.press(" ")  # space plays to the end, where it stops
    wait_for_step(page, 7)
    page.wait_for_timeout(300)
    assert page.inner_text(".cr-play") == "▶ Play" and page.evaluate("chainrule.step") == 7


@needs_renderer
def test_non_finite_values_show_and_the_page_keeps_working(browser, tmp_path):
    x = Value(2.0, "x")
    y = (x.log() + x.reciprocal()) * Value(1.0, "w")
    y.label = "y"
    page = open_page(browser, export_html(y, tmp_path / "log.html"))
    page.evaluate("chainrule.set('x', 0)")
    values = page.evaluate("chainrule.values()")
    assert values["y"]["data"] is not None and math_text(page, "n5") == "data nan"  # −inf + inf
    assert "ln x needs x > 0, got x = 0" in page.inner_text(".cr-warning")
    assert "1/x at x = 0" in page.inner_text(".cr-warning")
    page.evaluate("chainrule.set('x', 'inf')")
    assert math_text(page, "n0") == "data inf" and page.inner_text(".cr-warning") == ""
    page.keyboard.press("End")
    assert page.evaluate("chainrule.step") == 4 and page.errors == []
    page.evaluate("chainrule.reset()")
    assert page.evaluate("chainrule.values()")["y"]["data"] == pytest.approx(0.6931471805599453 + 0.5, rel=1e-12)


def math_text(page, node_id):
    return node_text(page, node_id)[1]


@needs_renderer
def test_a_collapsed_scope_hides_its_nodes_until_clicked(browser, tmp_path):
    x = Value(1.0, "x")
    with name_scope("layer1"):
        with name_scope("neuron0"):
            h = (x * Value(2.0, "w")).tanh()
    out = h * 3.0
    out.label = "out"
    page = open_page(browser, export_html(out, tmp_path / "scopes.html"))
    cluster = page.locator("g.cluster:has(> title:text-is('cluster_layer1/neuron0'))")
    cluster.locator("text").first.click()
    assert page.locator("g.node.cr-hidden").count() == 5  # w, then x·w and its tanh, each a value and an op node
    assert cluster.get_attribute("class") == "cluster cr-collapsed"
    cluster.locator("text").first.click()
    assert page.locator("g.node.cr-hidden").count() == 0


@needs_renderer
@pytest.mark.parametrize("label", [XSS, IMG])
def test_labels_show_as_text(browser, tmp_path, label):
    x = Value(2.0, label)
    y = x * 3.0
    y.label = "y"
    path = export_html(y, tmp_path / "xss.html", title=label)
    text = path.read_text()
    assert label not in text
    page = open_page(browser, path)
    term = f"({label})"
    assert page.inner_text(".cr-sentence") == (f"∂y/∂{term} += ∂y/∂y · ∂y/∂{term} = 1 · 3 = 3; "
                                               f"∂y/∂3 += ∂y/∂y · ∂y/∂3 = 1 · 2 = 2")
    assert label in page.locator("g.node text").all_text_contents()
    assert page.title() == label and page.inner_text(".cr-title") == label
    scripts = page.evaluate("[...document.querySelectorAll('script')].map(s => s.type)")
    assert scripts == ["application/json", "module"]  # only the page's own data and script
    assert page.locator("img").count() == 0 and page.dialogs == [] and page.errors == []


@needs_renderer
def test_page_is_self_contained_and_carries_the_graph_as_data(tmp_path):
    text = export_html(wxb(), tmp_path / "steps.html").read_text()
    assert text.count("<svg") == 1  # one layout for every step
    assert not re.search(r"<(link|img|iframe)\b|<script[^>]*\bsrc=|@import|url\(\s*['\"]?http|\bimport\s*\(", text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    data = json.loads(re.search(r'<script type="application/json" id="chainrule-data">(.*?)</script>', text).group(1))
    assert [n["name"] for n in data["nodes"]] == ["w", "x", "g", "b", "f"]
    assert data["nodes"][2] == {"name": "g", "term": "g", "scope": "", "op": "mul", "parents": [0, 1]}
    assert data["nodes"][0] == {"name": "w", "term": "w", "scope": "", "data": -2.0, "constant": False}
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))


@needs_renderer
def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "sub" / "steps.html"
    assert main(["html", "sigmoid_chain", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    data = re.search(r'id="chainrule-data">(.*?)</script>', out.read_text()).group(1)
    assert [n.get("op") for n in json.loads(data)["nodes"]] == [None, None, "mul", "exp", None, "add", "recip"]


def test_cli_bad_example_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["html", "nope", "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no example named 'nope'" in err
    assert not (tmp_path / "x.html").exists()


def deep_xor_loss(x1=0.0):
    """The lecture's deep XOR net, 2-10-10-10-1 with sigmoids, and its BCE loss on (x1, 1) with target 1."""
    from autograd.nn import MLP, bce

    net = MLP(2, [10, 10, 10, 1], activation="sigmoid", seed=0)
    h = net([Value(x1, "x1"), Value(1.0, "x2")])
    h.label = "h"
    loss = bce([h], [1.0])
    loss.label = "loss"
    return loss


@needs_renderer
def test_the_deep_xor_net_page_is_small_and_steps_like_python(browser, tmp_path):
    from viz.steps import backward_steps

    loss = deep_xor_loss()
    path = export_html(loss, tmp_path / "deep.html")
    assert len(topological_order(loss)) > 900 and path.stat().st_size <= 5_000_000
    page = open_page(browser, path)
    steps = backward_steps(loss)
    assert page.evaluate("chainrule.steps") == len(steps)
    for i in (1, len(steps) // 2, len(steps)):
        page.evaluate(f"chainrule.go({i})")
        assert page.inner_text(".cr-sentence") == steps[i - 1].sentence
    page.evaluate("chainrule.set('x1', 1)")
    moved = deep_xor_loss(x1=1.0)
    moved.backward()
    got = page.evaluate("chainrule.values()")
    assert got["W1[0,3]"]["grad"] == pytest.approx(next(v for v in topological_order(moved)
                                                        if v.label == "W1[0,3]").grad, rel=1e-12, abs=1e-300)
    assert got["loss"]["data"] == pytest.approx(moved.data, rel=1e-12) and page.errors == []
