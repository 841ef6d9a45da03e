"""The page's numbers are the engine's: its JavaScript op table against autograd.PRIMITIVES, row by row and
on random graphs with reused nodes, in Chromium, to 1e-12 relative; its number format against viz.notation.fmt."""
import math
import random

import pytest

from autograd import PRIMITIVES, Value, reader_counts, topological_order
from viz.examples import EXAMPLES, wxb
from viz.html import export_html
from viz.names import node_names
from viz.notation import fmt

from conftest import close, needs_renderer, open_page

INF, NAN = math.inf, math.nan


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    """One page whose script's op table and number format the tests call directly."""
    path = export_html(wxb(), tmp_path_factory.mktemp("ops") / "ops.html")
    page = open_page(browser, path)
    yield page
    assert page.errors == []


# inputs for each op: the ordinary and every edge case of the Python row (ties, nan, inf, 0, domain errors)
SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-300, 1e300, 800.0, -800.0, INF, -INF, NAN]
CASES = {
    "add": [(x, y) for x in SPECIAL for y in (0.0, 1.5, -INF, NAN)],
    "mul": [(x, y) for x in SPECIAL for y in (0.0, -2.0, INF, NAN)],
    "max": [(x, y) for x in SPECIAL for y in (1.0, -1.0, 0.0, INF, NAN)] + [(3.0, 3.0), (-0.0, 0.0)],
    "pow": [(x, k) for x in [0.0, -0.0, 2.0, -2.0, 0.5, -0.5, 1.0, -1.0, 10.0, -10.0, INF, NAN]
            for k in [0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, -1.5, 401.0, -401.0, INF, -INF, NAN]],
    "exp": [(x,) for x in SPECIAL],
    "log": [(x,) for x in SPECIAL],
    "recip": [(x,) for x in SPECIAL],
    "relu": [(x,) for x in SPECIAL],
    "tanh": [(x,) for x in SPECIAL + [0.3, -20.0]],
    "elu": [(x, a) for x in SPECIAL for a in (1.0, 0.5)],
    "sigmoid": [(x,) for x in SPECIAL + [0.3, -36.0, 36.0]],
}


def python_row(op, args):
    """(out, locals) of the engine's row, or None where the engine raises (a domain error)."""
    prim = PRIMITIVES[op]
    try:
        out = prim.forward(*args)
    except (ValueError, ZeroDivisionError):
        return None
    return out, prim.local(*args, out)


JS_ROW = """([op, cases]) => cases.map(args => {
    const row = chainrule.ops[op], out = row.forward(...args), problem = row.domain ? row.domain(...args) : null;
    return [out, row.local(...args, out), problem];
})"""


@needs_renderer
def test_the_op_table_has_a_row_for_every_primitive(page):
    assert sorted(page.evaluate("Object.keys(chainrule.ops)")) == sorted(PRIMITIVES) == sorted(CASES)


@needs_renderer
@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_row_computes_what_the_engine_computes(page, op):
    got = page.evaluate(JS_ROW, [op, CASES[op]])
    for args, (out, local, problem) in zip(CASES[op], got):
        expected = python_row(op, args)
        if expected is None:  # Python raises: the page shows what the float math gives, and says why
            assert problem, f"{op}{args}: the page gives no message where the engine raises"
            continue
        assert problem is None, f"{op}{args}: {problem}"
        assert close(out, expected[0]), f"{op}{args}: page {out}, engine {expected[0]}"
        assert all(close(a, b) for a, b in zip(local, expected[1])), f"{op}{args}: page {local}, engine {expected[1]}"
        assert len(local) == len(expected[1])


@needs_renderer
def test_numbers_are_written_as_python_writes_them(page):
    rng = random.Random(0)
    numbers = [0.0, -0.0, INF, -INF, NAN, 1.5625, 0.03125, 1e-7, -1e-5, 1.2345e-5, 0.0001, 9999.5, 99995.0,
               123456.0, 1e21, 5e-324, 1.7976931348623157e308, -2.0, 0.19661193, 2.5e-5, 1000.5, 0.00012345]
    numbers += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12) for _ in range(300)]
    numbers += [rng.randint(-20000, 20000) / 16 for _ in range(200)]  # exact binary ties: half to even
    assert page.evaluate("xs => xs.map(x => chainrule.fmt(x))", numbers) == [fmt(x) for x in numbers]


def random_graph(rng, size=24):
    """A graph of every primitive over a few labelled leaves, each node reading random earlier nodes (reuse)."""
    pool = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(4)]
    for _ in range(size):
        x, y = rng.choice(pool), rng.choice(pool)
        op = rng.choice(sorted(PRIMITIVES))
        if op in ("add", "mul", "max"):
            out = {"add": x + y, "mul": x * y, "max": x.maximum(y)}[op]
        elif op == "pow":
            out = (x * x + 0.5) ** rng.choice([2, 3, -1, 0.5, -1.5])
        elif op == "log":
            out = (x * x + 0.1).log()
        elif op == "recip":
            out = (x * x + 0.5).reciprocal()
        elif op == "exp":
            out = x.tanh().exp()  # bounded: no overflow after many steps
        elif op == "elu":
            out = x.elu(rng.choice([1.0, 0.5]))
        else:
            out = getattr(x, op)() if op != "sigmoid" else x.sigmoid(fused=True)
        pool.append(out.tanh() if abs(out.data) > 10 else out)
    root = sum(pool[-6:], pool[0] * 0.5)
    root.label = "root"
    return root


def engine_values(root):
    root.backward()
    names = node_names(root)
    return {names[v]: (v.data, v.grad) for v in topological_order(root)}


def assert_page_matches_engine(page, root):
    expected = engine_values(root)
    got = page.evaluate("chainrule.values()")
    assert set(got) == set(expected)
    for name, (data, grad) in expected.items():
        assert close(got[name]["data"], data), f"{name}: page data {got[name]['data']}, engine {data}"
        assert close(got[name]["grad"], grad), f"{name}: page grad {got[name]['grad']}, engine {grad}"


def test_the_random_graphs_use_every_primitive():
    ops = {v.op for seed in range(12) for v in topological_order(random_graph(random.Random(seed)))}
    assert ops - {""} == set(PRIMITIVES)


@needs_renderer
@pytest.mark.parametrize("seed", range(12))
def test_random_graphs_with_reused_nodes(browser, tmp_path, seed):
    root = random_graph(random.Random(seed))
    order = topological_order(root)
    assert len(order) >= 25 and max(reader_counts(order).values()) >= 2  # big enough, with reused nodes
    page = open_page(browser, export_html(root, tmp_path / "g.html"))
    assert_page_matches_engine(page, random_graph(random.Random(seed)))
    assert page.errors == []


@needs_renderer
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example(browser, tmp_path, name):
    page = open_page(browser, export_html(EXAMPLES[name](), tmp_path / "e.html"))
    assert_page_matches_engine(page, EXAMPLES[name]())


@needs_renderer
def test_set_agrees_with_a_graph_built_at_the_new_values(browser, tmp_path):
    from viz.examples import neuron

    page = open_page(browser, export_html(neuron(), tmp_path / "n.html"))
    page.evaluate("chainrule.set('x1', -1.25); chainrule.set('w2', 0.75)")
    assert_page_matches_engine(page, neuron(x1=-1.25, w2=0.75))
    page.evaluate("chainrule.reset()")
    assert_page_matches_engine(page, neuron())
