"""The live step-through page's targets (issue 12), measured: bytes and build time, and stepping in Chromium.

    python benchmarks/page_bench.py            # prints one line per target
    python benchmarks/page_bench.py --quick    # without the 5,000-node graph (seconds)

`page_checks()` returns {label: {"value", "target", "met"}} in the form of bench.py's `checks`, so that
bench.py can print these lines with its own. Graphs: the `xor_loss` example (48 nodes); the lecture's deep
XOR net, 2-10-10-10-1 with sigmoids, on one example with the BCE loss (916 nodes); a 2-22-22-22-22-1 net
(5,186 nodes: past viz.layout.OWN_ABOVE, so laid out by viz.layout in linear time instead of Graphviz, whose
layout took 194 s). Browser times use the page's own clock (performance.now()) around `chainrule.go`
and `chainrule.set` plus the layout they cause, median of 15; they need playwright and Debian's chromium.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from autograd import Value, topological_order  # noqa: E402
from autograd.nn import MLP, bce  # noqa: E402
from viz.examples import EXAMPLES  # noqa: E402
from viz import layout  # noqa: E402
from viz.html import export_html  # noqa: E402

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def xor_net(hidden, seed=0):
    """BCE loss of a sigmoid net 2-hidden-1 on the XOR example (0, 1) with target 1."""
    net = MLP(2, [*hidden, 1], activation="sigmoid", seed=seed)
    h = net([Value(0.0, "x1"), Value(1.0, "x2")])
    h.label = "h"
    loss = bce([h], [1.0])
    loss.label = "loss"
    return loss


def build(root, folder, name, own=False):
    """(bytes, seconds, nodes, path) of export_html for `root`; `own=True` lays it out with viz.layout at any size."""
    threshold = layout.OWN_ABOVE
    layout.OWN_ABOVE = 0 if own else threshold
    try:
        start = time.perf_counter()
        path = export_html(root, Path(folder) / f"{name}.html")
        seconds = time.perf_counter() - start
    finally:
        layout.OWN_ABOVE = threshold
    return path.stat().st_size, seconds, len(topological_order(root)), path


# the page's clock around each action, the layout it causes included (reading offsetHeight forces it)
TIMINGS = """() => {
    const cr = window.chainrule, n = cr.steps, clock = f => {
        const start = performance.now(); f(); document.body.offsetHeight; return performance.now() - start; };
    const median = xs => xs.sort((a, b) => a - b)[xs.length >> 1];
    const step = [], edit = [], jump = [];
    for (let k = 0; k < 15; k++) {
        cr.go(Math.floor(n / 2) + k);
        step.push(clock(() => cr.go(cr.step + 1)));
        edit.push(clock(() => cr.set('x1', k % 2 ? 0.25 : 0.75)));
        jump.push(clock(() => cr.go(1 + (k * 7919) % n)));
    }
    return {step: median(step), edit: median(edit), jump: median(jump), steps: n};
}"""


def browser_times(path):
    """{"step", "edit", "jump"} in ms on the page at `path`, or None without playwright or chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not os.path.isfile(CHROMIUM):
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(path.as_uri())
        times = page.evaluate(TIMINGS)
        browser.close()
    return times


def check(value, op=None, bound=None):
    """One line's numbers, as bench.py's checks: value, "<= bound" and whether it is met."""
    met = None if op is None else value >= bound if op == ">=" else value <= bound
    return {"value": value, "target": None if op is None else f"{op} {bound:g}", "met": met}


def page_checks(quick=False):
    """The page's targets measured: {label: check(...)}; see the module docstring."""
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        size, seconds, nodes, _ = build(EXAMPLES["xor_loss"](), folder, "xor")
        out[f"page KB, xor_loss ({nodes} nodes)"] = check(size / 1e3, "<=", 300)
        size, seconds, deep_nodes, deep_path = build(xor_net([10, 10, 10]), folder, "deep")
        deep_bytes, deep_seconds = size, seconds
        out[f"page MB, 2-10-10-10-1 net ({deep_nodes} nodes)"] = check(size / 1e6, "<=", 5)
        out[f"page build s, 2-10-10-10-1 net ({deep_nodes} nodes), aim 10"] = check(seconds, "<=", 60)
        if not quick:
            size, seconds, nodes, _ = build(xor_net([22] * 4), folder, "big")  # no force=True: viz.layout
            out[f"page build s, {nodes:,}-node net"] = check(seconds)
            out[f"page bytes per node, {nodes:,} nodes / {deep_nodes} nodes"] = check(
                (size / nodes) / (deep_bytes / deep_nodes), "<=", 1.5)
            out[f"page build s per node, {nodes:,} nodes (viz.layout) / {deep_nodes} nodes (Graphviz)"] = check(
                (seconds / nodes) / (deep_seconds / deep_nodes))
            _, own_seconds, _, _ = build(xor_net([10, 10, 10]), folder, "deep-own", own=True)
            out[f"page build s, {deep_nodes}-node net laid out by viz.layout"] = check(own_seconds)
            out[f"page build s per node, {nodes:,} nodes / {deep_nodes} nodes, both by viz.layout (linear: 1)"] = check(
                (seconds / nodes) / (own_seconds / deep_nodes), "<=", 2)
        times = browser_times(deep_path)
        if times:
            for action in ("step", "edit", "jump"):
                out[f"page {action} ms in Chromium, {deep_nodes}-node page"] = check(times[action], "<=", 50)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the 5,000-node graph")
    args = parser.parse_args(argv)
    for label, result in page_checks(args.quick).items():
        target = "" if result["target"] is None else f" (target {result['target']}): " + (
            "met" if result["met"] else "NOT met")
        print(f"{label}: {result['value']:.3g}{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
