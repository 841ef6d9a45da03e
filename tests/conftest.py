"""Shared test settings and helpers.

Under CI (CI=true) a skipped test fails: CI installs every optional tool, so a skip there would hide a test
that never runs.

Helpers for the test files (import them: `from conftest import sigmoid, anywhere`):
- input samplers `anywhere`, `positive`, `nonzero` (rng, n) -> n floats where an op is defined and central
  differences are accurate (`low`, `high` widen them); `with_edges(sampler)` adds that domain's extreme values
  (0, ±1e-300, ±800, ...);
- `sigmoid(z)`, the logistic function written out in floats: the oracle for every σ in the tests;
- `one_line_error(capsys, argv, prefix)`: runs the CLI, which must fail with exit code 2 and one line on stderr
  (no traceback) starting with prefix, such as prefix="chainrule step: error: ";
- the fixture `browser` (a headless Chromium per test module, through playwright; skips without chromium or
  playwright; a fixture, so name it as a test's argument rather than importing it), `open_page(browser, path,
  size)` (a page that records its requests, dialogs and script errors), `node_text(page, node_id)`, and the
  marker `needs_renderer` for tests that lay a graph out with Graphviz's dot or graphviz-pure;
- `torch` (None when PyTorch is missing) and the marker `needs_torch` for tests that use it as an oracle;
- `close(a, b, rel_tol, abs_tol)`: floats that agree to 1e-12 relative (nan matches nan, inf only itself);
- `identical(a, b)`: the same float bit for bit (nan is nan, 0.0 is not -0.0);
- `wxb_leaves()`, `reused_x()`: the lecture's small graphs with their leaves, for tests that name nodes;
- `leaf_values`, `instruction` (hypothesis strategies) and `run_program(leaves, program)`: random graphs that
  reuse earlier nodes, built the same way on Values and on torch tensors.
"""
import importlib.util
import math
import os
import shutil

import numpy as np
import pytest
from hypothesis import strategies as st

from autograd import Value
from viz import backends

# the PyTorch oracle is optional (CI installs torch==2.13.0) and takes about a second to import, so only the test
# files that use it import it: `from conftest import torch` calls the module's __getattr__ below
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not TORCH_INSTALLED, reason="PyTorch not installed (pip install torch==2.13.0)")


def __getattr__(name):
    """`conftest.torch`: the torch module, imported on first use, or None when PyTorch is not installed."""
    if name != "torch":
        raise AttributeError(f"module 'conftest' has no attribute {name!r}")
    if not TORCH_INSTALLED:
        return None
    import torch

    return torch


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every optional tool is installed: {report.longrepr}"


# --- input samplers: (rng, n) -> numpy array of n floats --------------------------------------------------------


def anywhere(rng, n, low=-3, high=3):
    """Any real input (add, mul, exp, tanh, ...): uniform on [low, high], by default [−3, 3]."""
    return rng.uniform(low, high, n)


def positive(rng, n, low=0.2, high=3):
    """Inputs of log and of a real power: uniform on [low, high], by default [0.2, 3], away from the pole at 0."""
    return rng.uniform(low, high, n)


def nonzero(rng, n, low=0.3, high=3):
    """Inputs of 1/x: either sign, size uniform on [low, high], by default [0.3, 3], away from 0."""
    return rng.choice([-1, 1], n) * rng.uniform(low, high, n)


# each domain's extremes: signed zeros, the smallest and largest floats, and where exp over- or underflows
EDGES = {
    anywhere: (0.0, -0.0, 1e-300, 50.0, -50.0, 800.0, -800.0),
    positive: (1e-300, 1e300),
    nonzero: (1e-300, -1e300),
}


def with_edges(sampler, low=None, high=None):
    """The sampler followed by its domain's extreme values (EDGES): for tests that compare two implementations
    value by value, where central differences would not be accurate. With low and high the sampler draws from
    [low, high] (its size range for nonzero) instead of its default range: such tests can sample wider."""
    if sampler not in EDGES:
        raise ValueError(f"with_edges takes one of anywhere, positive, nonzero; got {sampler!r}")
    if (low is None) != (high is None):
        raise ValueError(f"with_edges takes both low and high or neither; got low={low!r}, high={high!r}")
    bounds = () if low is None else (low, high)

    def sample(rng, n):
        return np.r_[sampler(rng, n, *bounds), EDGES[sampler]]

    sample.__name__ = f"{sampler.__name__}_with_edges"
    return sample


# --- oracles and CLI helpers -----------------------------------------------------------------------------------


def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z) in plain floats."""
    return 1.0 / (1.0 + math.exp(-z))


def one_line_error(capsys, argv, prefix="chainrule "):
    """Run `chainrule argv`; assert exit code 2 and exactly one line on stderr starting with `prefix`; return it."""
    from viz.cli import main

    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, f"chainrule {' '.join(argv)} exited with {code}, not 2; stderr: {err}"
    assert err.count("\n") == 1 and err.startswith(prefix), f"not one line starting with {prefix!r}: {err!r}"
    assert "Traceback" not in err, err
    return err


# --- the browser: Debian's chromium through playwright, never a downloaded browser ------------------------------

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_renderer = pytest.mark.skipif(not backends.available(), reason="neither Graphviz's dot nor graphviz-pure")


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the test module's pages (skips without playwright or chromium; never
    `playwright install`: CHAINRULE_CHROMIUM or the chromium on PATH is used)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.path.isfile(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium, or set CHAINRULE_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, path, size=(1280, 720)):
    """The page at file://path, with every request (`page.requests`), dialog (`page.dialogs`) and script error or
    console error (`page.errors`) recorded."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(10_000)
    page.requests, page.dialogs, page.errors = [], [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.goto(path.as_uri())
    return page


def node_text(page, node_id):
    """The texts of the SVG group titled node_id on a live page: ["w", "data −2", "grad 5"]."""
    return page.evaluate("""id => [...document.querySelectorAll('g.node')]
        .find(g => g.querySelector('title').textContent === id)
        .querySelectorAll('text').values().map(t => t.textContent).toArray()""", node_id)


# --- floats and small graphs ------------------------------------------------------------------------------------


def close(a, b, rel_tol=1e-12, abs_tol=0.0):
    """a and b agree to rel_tol relative to the smaller of the two (never looser than pytest.approx or
    math.isclose), or to abs_tol near 0; nan matches only nan and an infinity only itself."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel_tol * min(abs(a), abs(b)), abs_tol)


def identical(a, b):
    """Bit-for-bit the same float: nan equals nan, and 0.0 is not -0.0."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def wxb_leaves():
    """f = w·x + b at w = −2, x = 5, b = 3 (g = w·x left unlabeled); returns (f, w, x, b)."""
    w, x, b = Value(-2.0, "w"), Value(5.0, "x"), Value(3.0, "b")
    f = w * x + b
    f.label = "f"
    return f, w, x, b


def reused_x():
    """b = (x + x) · (x + x) at x = 3: four paths from x, ∂b/∂x = 8x = 24; returns (b, x, a)."""
    x = Value(3.0, "x")
    a = x + x
    a.label = "a"
    b = a * a
    b.label = "b"
    return b, x, a


# --- random graphs: the same program run on Values and on torch tensors ----------------------------------------

UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "exp_tanh": lambda x: x.tanh().exp(),
    "log1p_sq": lambda x: (x * x + 1).log(),
    "square": lambda x: x**2,
    "sqrt_relu": lambda x: x.relu() ** 0.5,  # a flat region under an infinite local: ∞ · 0 must add exactly 0
}
BINARY = {
    "add": lambda x, y: x + y,
    "mul": lambda x, y: x * y,
    "-": lambda x, y: x - y,
    "/": lambda x, y: x / (y * y + 1),
    "max": lambda x, y: x.maximum(y),
}
# the leaves' values: 1 to 4 numbers in [−2, 2], none within 1e-3 of a kink at 0
leaf_values = st.lists(st.floats(-2, 2).filter(lambda v: abs(v) > 1e-3), min_size=1, max_size=4)
# one step of a program: (unary op, an earlier node) or (binary op, two earlier nodes), nodes picked modulo the count
instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 10**6)),
    st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 10**6), st.integers(0, 10**6)),
)


def run_program(leaves, program):
    """Apply each instruction to earlier nodes (reuse is common); the output adds the last four nodes."""
    nodes = list(leaves)
    for op, *args in program:
        inputs = [nodes[a % len(nodes)] for a in args]  # any earlier node: reuse is common
        nodes.append((UNARY if len(args) == 1 else BINARY)[op](*inputs))
    out = nodes[-1]
    for n in nodes[-4:-1]:
        out = out + n
    return out
