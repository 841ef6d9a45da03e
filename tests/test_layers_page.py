"""The layer view as a page (viz.layers.export_layers_html, `chainrule layers --html`): Algorithms 6.3 and 6.4 one
line at a time in a real headless Chromium, every number on screen equal to `layer_steps`' as viz.notation.fmt
writes it. The `browser` fixture and `open_page` are in tests/conftest.py."""
import dataclasses
import json
import re

import numpy as np
import pytest

from autograd.nn import MLP, save
from conftest import one_line_error, open_page
from viz import layers
from viz.cli import main
from viz.layers import ALGORITHM, export_layers_html, layer_steps
from viz.notation import fmt

XOR = dict(weights=[[[5, -7], [5, -7]], [[-11], [-11]]], biases=[[-8, 3], [6]])
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def xor_net():
    """The lecture's hand-set XOR net: hidden units OR-like and NAND-like, output AND-like."""
    return MLP.from_weights(XOR["weights"], XOR["biases"], activation="sigmoid")


def deep_net():
    """A 2-4-4-1 net: tanh hidden layers, a sigmoid output."""
    return MLP(2, [4, 4, 1], activation="tanh", output="sigmoid", init="xavier", seed=3)


NETS = {"xor": (xor_net, [0, 1], 1), "2-4-4-1": (deep_net, [0.5, -1.2], 0)}


def shown_rows(array):
    """A vector or matrix as the page must show it: fmt of each number, a vector as one column."""
    array = np.asarray(array, dtype=float)
    if array.ndim < 2:
        return [[fmt(v)] for v in array]
    return [[fmt(v) for v in row] for row in array]


def generic(step_line, k):
    """The algorithm's own line for a concrete one: layer k's superscripts written back as ᵏ and ᵏ⁻¹."""
    if k is None or k == 0:
        return step_line
    line = step_line.replace(f"⁽{str(k).translate(SUPERSCRIPT)}⁾", "⁽ᵏ⁾")
    return line.replace(f"⁽{str(k - 1).translate(SUPERSCRIPT)}⁾", "⁽ᵏ⁻¹⁾")


@pytest.fixture(scope="module", params=sorted(NETS))
def net(request, browser, tmp_path_factory):
    """(steps, page) for one net: layer_steps computed here, the page opened at 1280×720."""
    make, x, y = NETS[request.param]
    path = export_layers_html(make(), x, y, tmp_path_factory.mktemp("layers") / "layers.html")
    page = open_page(browser, path)
    yield layer_steps(make(), x, y), page
    page.close()


def test_every_step_shows_layer_steps_numbers(net):
    steps, page = net
    assert page.evaluate("chainrule_layers.steps") == len(steps)
    for i, step in enumerate(steps, start=1):
        shown = page.evaluate(f"chainrule_layers.go({i})")
        assert shown["step"] == i and shown["line"] == step.line
        assert [t["name"] for t in shown["operands"]] == [n for n, a in step.operands.items() if np.size(a)]
        assert [t["rows"] for t in shown["operands"]] == [shown_rows(a) for a in step.operands.values() if np.size(a)]
        assert shown["result"] == {"name": step.name, "rows": shown_rows(step.value)}
        assert shown["engine"]["rows"] == shown_rows(step.engine)
        assert sum(shown["nodes"], []) == list(step.nodes)  # the scalar nodes, in the order of value.ravel()
        assert shown["verdict"] == f"✓ numpy and the scalar graph agree: max |difference| = {fmt(step.error)}"


def test_the_lit_line_is_the_steps_line_of_the_algorithm(net):
    steps, page = net
    loop_lines = {text for i, indent, text in ALGORITHM if indent == 2}
    for i, step in enumerate(steps, start=1):
        shown = page.evaluate(f"chainrule_layers.go({i})")
        if step.k is None:  # J = L(ŷ, y) sits on the line that also names ŷ = h⁽ˡ⁾
            assert shown["lit"] == "ŷ = h⁽ˡ⁾,  J = L(ŷ, y)" and shown["k"] == ""
        elif shown["lit"] in loop_lines:
            assert generic(step.line, step.k) == shown["lit"] and shown["k"] == f"k = {step.k}"
        else:
            assert shown["lit"] == step.line and shown["k"] == ""
    where = [page.evaluate(f"chainrule_layers.go({i})")["where"] for i in (1, len(steps))]
    assert where == ["Algorithm 6.3 · forward · k = 0", "Algorithm 6.4 · backward · k = 1"]


def test_the_lectures_net_by_hand(browser, tmp_path):
    page = open_page(browser, export_layers_html(xor_net(), [0, 1], 1, tmp_path / "xor.html"))
    a1 = page.evaluate("chainrule_layers.go(2)")
    assert a1["result"] == {"name": "a⁽¹⁾", "rows": [["−3"], ["−4"]]}  # b + W h = (−8 + 5, 3 − 7)
    assert a1["operands"][1] == {"name": "W⁽¹⁾", "rows": [["5", "5"], ["−7", "−7"]]}  # the book's W: a row per unit
    grad_w = page.evaluate("chainrule_layers.go(14)")
    assert grad_w["line"] == "∇W⁽¹⁾ J = g h⁽⁰⁾ᵀ" and [row[0] for row in grad_w["result"]["rows"]] == ["0", "0"]
    assert grad_w["nodes"] == [["W1[0,0]", "W1[1,0]"], ["W1[0,1]", "W1[1,1]"]]  # x1 = 0 passes nothing to W1[0, j]


def test_buttons_and_keys_step_through(browser, tmp_path):
    path = export_layers_html(xor_net(), [1, 1], 0, tmp_path / "xor.html")
    page = open_page(browser, path)
    counter = lambda: page.inner_text(".crl-counter")  # noqa: E731
    assert counter() == "Step 1 / 15" and page.is_disabled(".crl-prev") and not page.is_disabled(".crl-next")
    page.click(".crl-next")
    assert counter() == "Step 2 / 15" and page.evaluate("chainrule_layers.current().step") == 2
    page.keyboard.press("ArrowRight")
    assert counter() == "Step 3 / 15" and page.inner_text(".crl-formula") == "h⁽¹⁾ = f(a⁽¹⁾)"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert counter() == "Step 1 / 15"
    page.keyboard.press("End")
    assert counter() == "Step 15 / 15" and page.is_disabled(".crl-next")
    assert page.get_attribute(".crl-root", "data-kind") == "grad"
    page.keyboard.press("ArrowRight")  # nothing after the last step
    assert counter() == "Step 15 / 15"
    page.click(".crl-prev")
    assert page.inner_text(".crl-formula") == "∇W⁽¹⁾ J = g h⁽⁰⁾ᵀ"
    page.keyboard.press("Home")
    assert counter() == "Step 1 / 15" and page.get_attribute(".crl-root", "data-kind") == "data"
    assert page.evaluate("chainrule_layers.go(99).step") == 15 and page.evaluate("chainrule_layers.go(-3).step") == 1
    assert [page.requests, page.dialogs, page.errors] == [[path.as_uri()], [], []]  # nothing fetched, no error


# what a step looks like at 1280×720: every number, algorithm line, formula and verdict inside the window, no panel
# scrolling, and each table's column right-aligned (the right edges of a column's cells line up)
FIT = """() => {
    const inside = el => { const r = el.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= 1280 && r.bottom <= 720; };
    const fits = el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight;
    const right = el => el.getBoundingClientRect().right;
    const cells = [...document.querySelectorAll('.crl-step td, .crl-line, .crl-formula, .crl-verdict')];
    const columns = [...document.querySelectorAll('.crl-step table')].every(t => [...t.rows].every(r =>
        [...r.cells].every((c, j) => Math.abs(right(c) - right(t.rows[0].cells[j])) < 0.5)));
    return {cells: cells.length, outside: cells.filter(el => !inside(el)).map(el => el.textContent), columns,
            step: fits(document.querySelector('.crl-step')), page: fits(document.documentElement),
            algorithm: fits(document.querySelector('.crl-algorithm'))};
}"""


@pytest.mark.parametrize("name", sorted(NETS))
def test_every_step_fits_1280_by_720(browser, tmp_path, name):
    make, x, y = NETS[name]
    page = open_page(browser, export_layers_html(make(), x, y, tmp_path / "page.html"))
    for i in range(1, page.evaluate("chainrule_layers.steps") + 1):
        page.evaluate(f"chainrule_layers.go({i})")
        fit = page.evaluate(FIT)
        assert fit["cells"] > 10 and fit["outside"] == [], (i, fit)
        assert fit["step"] and fit["algorithm"] and fit["page"] and fit["columns"], (i, fit)


def test_a_step_that_disagrees_shows_a_cross(browser, tmp_path, monkeypatch):
    steps = layer_steps(xor_net(), [0, 1], 1)
    steps[3] = dataclasses.replace(steps[3], engine=steps[3].engine + 2e-6)  # a⁽²⁾ off by 2e-6 in the "scalar graph"
    monkeypatch.setattr(layers, "layer_steps", lambda *args: steps)
    page = open_page(browser, export_layers_html(xor_net(), [0, 1], 1, tmp_path / "bad.html"))
    shown = page.evaluate("chainrule_layers.go(4)")
    assert shown["verdict"] == "✗ numpy and the scalar graph agree: max |difference| = 2e−06"
    assert page.locator(".crl-verdict.crl-bad").count() == 1
    assert page.evaluate("chainrule_layers.go(5)")["verdict"].startswith("✓")


def test_the_page_is_self_contained_and_escapes_its_title(browser, tmp_path):
    title = "<script>alert(1)</script> & <img src=x onerror=alert(2)>"
    path = export_layers_html(xor_net(), [0, 1], 1, tmp_path / "a" / "b.html", title=title)
    text = path.read_text(encoding="utf-8")
    assert "Content-Security-Policy\" content=\"default-src 'none'" in text
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?(https?:|//)", text) and "<script>alert" not in text
    page = open_page(browser, path)
    assert page.inner_text(".crl-title") == title and page.title() == title
    assert [page.requests, page.dialogs, page.errors] == [[path.as_uri()], [], []]


# --- chainrule layers --html ----------------------------------------------------------------------------------


def test_the_cli_writes_the_page(tmp_path, capsys, browser):
    out = tmp_path / "pages" / "layers.html"
    assert main(["layers", "--input", "1,0", "--target", "1", "--html", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    data = re.search(r'id="chainrule-layers-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1)
    steps = layer_steps(xor_net(), [1, 0], 1)
    assert len(json.loads(data)["steps"]) == len(steps) == 15
    page = open_page(browser, out)
    assert page.inner_text(".crl-title").startswith("chainrule: the lecture's hand-set XOR net")
    assert page.evaluate("chainrule_layers.go(15)")["result"]["rows"] == shown_rows(steps[-1].value)


def test_the_cli_writes_a_saved_nets_page(tmp_path, capsys):
    save(deep_net(), tmp_path / "net.json")
    out = tmp_path / "deep.html"
    assert main(["layers", "--model", str(tmp_path / "net.json"), "--input", "0.5,-1.2", "--target", "0",
                 "--loss", "mse", "--html", str(out)]) == 0
    data = re.search(r'id="chainrule-layers-data">(.*?)</script>', out.read_text(encoding="utf-8"), re.S).group(1)
    data = json.loads(data)
    assert len(data["steps"]) == 1 + 2 * 3 + 1 + 1 + 4 * 3 and "loss mse" in data["subtitle"]
    assert data["steps"][-1]["result"]["rows"] == shown_rows(layer_steps(deep_net(), [0.5, -1.2], 0, "mse")[-1].value)


@pytest.mark.parametrize("argv, message", [
    (["--html", ""], "--html needs the page's file name"),
    (["--html", "{dir}"], "cannot write --html"),
    (["--html", "{dir}/x.html", "--input", "1,2,3"], "--input must be 2 numbers"),
    (["--html", "{dir}/x.html", "--loss", "nope"], "--loss 'nope' is not one of"),
])
def test_bad_arguments_are_one_line_errors(argv, message, capsys, tmp_path):
    argv = [a.replace("{dir}", str(tmp_path)) for a in argv]
    err = one_line_error(capsys, ["layers", *argv], prefix="chainrule layers: error: ")
    assert message in err
    assert not (tmp_path / "x.html").exists()
