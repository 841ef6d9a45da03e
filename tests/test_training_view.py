"""The live training view: snapshots as training goes (no browser), the widget's model, the exported page in
Chromium, and the CLI's --classes, --save, --html and render --model."""
import base64
import json
import re

import numpy as np
import pytest

from autograd.lab.data import spirals
from autograd.nn import MLP, load, predict
from conftest import open_page
from viz.cli import main
from viz.training import boundary, export_training_html, grid_points, training_view


def _view(steps=60, every=10, **options):
    X, y = spirals(90, classes=3, seed=0)
    model = MLP(2, [8, 3], activation="tanh", output="softmax", seed=0)
    view = training_view(model, X, y, every=every, resolution=12, budget=1e9, optimizer="adam", lr=0.05, **options)
    view.run(steps)
    return view


def test_snapshots_follow_the_model_as_it_trains():
    view = _view()
    steps = [shot["step"] for shot in view.snapshots]
    assert steps == [-1, 9, 19, 29, 39, 49, 59]  # before training, then every 10 steps, and the last
    last = view.snapshots[-1]
    assert last["cost"] == view.cost[-1] and last["accuracy"] == view.accuracy[-1] and len(view.cost) == 60
    W1 = view.model.layers[0].get_weights()[0]
    assert last["layers"][0]["W"] == pytest.approx(W1.ravel(), rel=1e-3)  # 4 significant digits
    grads = [np.mean([abs(p.grad) for p in unit.parameters()]) for unit in view.model.layers[1].neurons]
    assert last["layers"][1]["grad"] == pytest.approx(grads, rel=1e-3) and min(grads) > 0
    classes = np.frombuffer(base64.b64decode(last["classes"]), dtype=np.uint8)
    grid, extent = grid_points(view.points, 12)
    assert classes.tolist() == predict(view.model, grid).argmax(axis=1).tolist() and len(classes) == 144
    assert view.snapshots[0]["classes"] != last["classes"]  # the boundary moved
    assert view.cost[-1] < view.cost[0]


def test_play_pause_and_step_continue_one_run():
    view = _view(steps=10)
    view.step()  # one snapshot's worth
    assert view.steps_done == 20 and view.snapshots[-1]["step"] == 19
    view.play(steps=100_000)
    view.pause()
    assert view.state == "paused" and view.steps_done > 20 and view.snapshots[-1]["step"] == view.steps_done - 1
    assert view.history.cost == view.cost and len(view.history) == view.steps_done


def test_boundary_of_one_output_and_of_k():
    classes, sure = boundary(np.array([0.1, 0.5, 0.95]))
    assert classes.tolist() == [0, 0, 1] and sure.tolist() == pytest.approx([0.8, 0.0, 0.9])
    classes, sure = boundary(np.array([[0.2, 0.7, 0.1], [1 / 3, 1 / 3, 1 / 3]]))
    assert classes.tolist() == [1, 0] and sure.tolist() == pytest.approx([0.55, 0.0], abs=1e-12)


def test_the_widget_gets_each_new_snapshot():
    pytest.importorskip("anywidget")
    view = _view(steps=10)
    widget = view.widget
    assert widget.static["sizes"] == [2, 8, 3] and widget.static["classes"] == 3 and widget.latest["step"] == 9
    view.run(10)
    assert widget.latest["step"] == 19 and widget.curves["cost"] == pytest.approx(view.cost)
    widget._button(widget, {"action": "step"}, [])
    assert widget.latest["step"] == 29


# training.js's render({model, el}) in a blank page, with a stand-in for Jupyter's model: `sent` holds what the
# buttons send to Python, `views` each view's cleanup (what Jupyter calls when a cell is re-run or cleared)
TRAINING_HOST = """async ([esm, css, state]) => {
    const listeners = {}, sent = [], views = [];
    const model = {
        state, sent, views,
        get: k => state[k],
        send: message => sent.push(message),
        on: (event, f) => { (listeners[event] = listeners[event] || []).push(f); },
        off: (event, f) => { listeners[event] = (listeners[event] || []).filter(g => g !== f); },
        fire: (k, v) => { state[k] = v; (listeners['change:' + k] || []).forEach(f => f()); },
    };
    const style = document.createElement('style');
    style.textContent = css;
    document.head.appendChild(style);
    const module = await import(URL.createObjectURL(new Blob([esm], {type: 'text/javascript'})));
    model.show = () => {
        const el = document.createElement('div');
        document.body.appendChild(el);
        views.push(module.default.render({model, el}));
    };
    window.model = model;
}"""

# every text of the curves panel with its left edge, relative to the panel's svg
CURVE_TEXTS = """() => [...document.querySelectorAll('.crt-curves')].pop().querySelectorAll('text').values().map(t =>
    [t.textContent, t.getBoundingClientRect().left - t.ownerSVGElement.getBoundingClientRect().left]).toArray()"""


def _widget_page(browser, tmp_path, widget):
    blank = tmp_path / "host.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    page = open_page(browser, blank, size=(1150, 800))
    state = json.loads(json.dumps({k: getattr(widget, k) for k in ("static", "latest", "curves", "state")}))
    page.evaluate(TRAINING_HOST, [widget._esm, widget._css, state])
    return page


def test_the_widget_stops_training_when_its_last_view_goes(browser, tmp_path):
    pytest.importorskip("anywidget")
    X, y = spirals(90, classes=3, seed=0)
    view = training_view(MLP(2, [8, 3], activation="tanh", output="softmax", seed=0), X, y, resolution=12)
    widget = view.widget
    page = _widget_page(browser, tmp_path, widget)
    page.evaluate("model.show(); model.show()")  # the view shown twice, say in two cells
    # before the first step: empty frames, no made-up ticks
    assert [text for text, _ in page.evaluate(CURVE_TEXTS)] == ["cost (log)", "accuracy", "no step yet"]
    page.locator(".crt-play").first.click()
    assert page.evaluate("model.sent") == [{"action": "play"}]
    widget._button(widget, {"action": "play"}, [])  # what Jupyter does with it: the kernel trains
    assert view.state == "playing" and widget.state == "playing"
    page.evaluate("model.fire('state', 'playing')")
    assert page.locator(".crt-play").all_inner_texts() == ["Pause", "Pause"]
    page.evaluate("model.views[0]()")  # one view goes: the other still watches
    assert page.evaluate("model.sent.length") == 1
    page.evaluate("model.views[1]()")  # the last one goes (its cell re-run): nobody watches, so training stops
    assert page.evaluate("model.sent") == [{"action": "play"}, {"action": "pause"}]
    widget._button(widget, {"action": "pause"}, [])
    view._thread.join()
    assert view.state == "paused" and widget.state == "paused" and view.steps_done > 0
    assert view.snapshots[-1]["step"] == view.steps_done - 1 and page.errors == []


def test_the_widgets_cost_ticks_stay_inside_and_its_controls_stay_light(browser, tmp_path):
    pytest.importorskip("anywidget")
    view = _view(steps=20)
    widget = view.widget
    page = _widget_page(browser, tmp_path, widget)
    page.evaluate("model.show()")
    curves = {"step": [0, 1, 2], "cost": [4.215, 0.5, 4.609e-5], "accuracy": [0.3, 0.9, 1.0]}
    page.evaluate("c => model.fire('curves', c)", curves)
    page.evaluate("s => model.fire('latest', s)", {**widget.latest, "step": 2})
    texts = dict(page.evaluate(CURVE_TEXTS))
    # the cost axis to 2 digits, fully inside the svg (4 digits, "4.609e−5", was cut off on the left)
    assert set(texts) == {"4.2", "4.6e−5", "1", "0", "cost (log)", "accuracy", "step 3"}
    assert min(texts.values()) >= 0 and page.errors == []
    page.evaluate("document.body.style.colorScheme = 'dark'")  # as in JupyterLab Dark: the view stays light
    button = page.evaluate("(({color, backgroundColor}) => [color, backgroundColor])"
                           "(getComputedStyle(document.querySelector('.crt-play')))")
    assert button == ["rgb(0, 0, 0)", "rgb(239, 239, 239)"]


def test_page_size_is_linear_in_snapshots(tmp_path):
    view = _view(steps=80, every=5)
    sizes = []
    for count in (5, 10, 15):
        data = {**view.data(), "snapshots": view.snapshots[:count]}
        sizes.append(export_training_html(data, tmp_path / f"run{count}.html").stat().st_size)
    assert abs((sizes[2] - sizes[1]) - (sizes[1] - sizes[0])) < 0.05 * (sizes[1] - sizes[0])
    text = (tmp_path / "run5.html").read_text()
    assert not re.search(r"<(link|img|iframe)\b|<script[^>]*\bsrc=|url\(\s*['\"]?http", text)
    assert "default-src 'none'" in text


def test_the_page_scrubs_through_snapshots_in_chromium(browser, tmp_path):
    view = _view()
    path = view.export_html(tmp_path / "run.html", title="<b>3 spirals</b>")
    page = open_page(browser, path, size=(1150, 600))
    assert page.evaluate("window.chainrule_training.count") == 7
    assert page.inner_text(".crt-counter").startswith(f"step 60 · cost {view.cost[-1]:.4g}")
    assert page.inner_text("h1") == "<b>3 spirals</b>"
    assert page.locator(".crt-network circle.crt-unit").count() == 11
    assert page.locator(".crt-network line").count() == 2 * 8 + 8 * 3
    page.fill(".crt-slider", "1")
    assert page.evaluate("window.chainrule_training.shown()")["step"] == 9
    page.keyboard.press("ArrowRight")
    assert page.inner_text(".crt-counter").startswith("step 20 ")
    page.click(".crt-step")
    assert page.evaluate("window.chainrule_training.shown().index") == 3
    # the boundary canvas shows the class colours: blue, red and green all present
    colours = page.evaluate("""() => { const c = document.querySelector('.crt-boundary').getContext('2d');
        const d = c.getImageData(0, 0, 300, 300).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add(d[i] > d[i+1] && d[i] > d[i+2] ? 'r'
            : d[i+2] > d[i] && d[i+2] > d[i+1] ? 'b' : d[i+1] > d[i] && d[i+1] > d[i+2] ? 'g' : '');
        return [...seen].filter(Boolean).sort(); }""")
    assert colours == ["b", "g", "r"]
    assert page.errors == [] and page.dialogs == [] and page.requests == [path.as_uri()]


def test_the_networks_input_names_stay_inside_its_picture(browser, tmp_path):
    X, y = spirals(60, classes=2, seed=0)
    model = MLP(4, [3, 1], activation="tanh", output="sigmoid", seed=0)
    view = training_view(model, X, y, features=["x1^2", "x2^2", "x1*x2", "sin(x1)"], resolution=8, budget=1e9)
    view.run(10)
    page = open_page(browser, view.export_html(tmp_path / "features.html"))
    inside = page.evaluate("""() => { const svg = document.querySelector('.crt-network').getBoundingClientRect();
        return [...document.querySelectorAll('.crt-network text')].map(t => {
            const r = t.getBoundingClientRect(); return [t.textContent, r.left >= svg.left && r.right <= svg.right]; }); }""")
    assert [name for name, _ in inside] == ["x1^2", "x2^2", "x1*x2", "sin(x1)"]
    assert all(ok for _, ok in inside), inside


def test_cli_trains_three_classes_saves_and_renders(tmp_path, capsys):
    net, run = tmp_path / "net.json", tmp_path / "run.html"
    code = main(["train", "spirals", "--classes", "3", "--hidden", "16", "--activation", "tanh", "--optimizer", "adam",
                 "--lr", "0.05", "--steps", "150", "--save", str(net), "--html", str(run), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0 and "MLP 2-16-3 (tanh, output softmax)" in out and f"wrote {net}" in out and f"wrote {run}" in out
    accuracy = float(re.search(r"accuracy (\d\.\d+)", out).group(1))
    assert accuracy >= 0.8
    assert load(net).output == "softmax" and json.loads(net.read_text())["architecture"]["sizes"] == [16, 3]
    assert main(["render", "--model", str(net), "-o", str(tmp_path / "net.dot")]) == 0
    dot = (tmp_path / "net.dot").read_text()
    assert "cluster_softmax" in dot and dot.count("scope_layer1/neuron") >= 16
    assert main(["train", "moons", "--classes", "3"]) == 2
    assert "--classes must be an int >= 2 (above 2 only for spirals)" in capsys.readouterr().err
