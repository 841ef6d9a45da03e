"""Issue 10, drawing and the command line: bounded PNGs, a size guard before a hopeless layout, every label
drawable, named errors for bad options, and one-line CLI errors (MemoryError included)."""
import html
import json
import struct
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from autograd import Value, topological_order
from autograd.nn import MLP
from conftest import one_line_error
from viz import backends
from viz.cli import main
from viz.examples import wxb
from viz.graph import DRAW_LIMIT, draw_dot, render, svg
from viz.notation import visible

PURE = "graphviz-pure" in backends.available()
needs_pure = pytest.mark.skipif(not PURE, reason="graphviz-pure not installed (pip install graphviz-pure)")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_env_choice(monkeypatch):
    monkeypatch.delenv(backends.ENV_VAR, raising=False)


def chain(n):
    """x + 1 + 1 + ...: a chain of n value nodes (each + adds the constant and the sum)."""
    y = Value(1.0, "x")
    for _ in range((n - 1) // 2):
        y = y + 1.0
    return y


def png_size(data):
    """(width, height) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --- bad options ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options, error, message", [
    (dict(collapse=1.5), TypeError, r"collapse=1.5: give a depth \(int\) or scope patterns"),
    (dict(collapse={"layer1": 1}), TypeError, "collapse=.*give a depth"),
    (dict(collapse=-1), ValueError, "collapse=-1: give a depth ≥ 0"),
    (dict(color_by_grad="yes"), TypeError, r"color_by_grad='yes': give True, False or a range \(lo, hi\)"),
    (dict(color_by_grad=(1, "2")), TypeError, "color_by_grad=.*give True, False or a range"),
    (dict(color_by_grad=(1.0, 0.5)), ValueError, r"0 < lo < hi"),
    (dict(color_by_grad=(0, 1)), ValueError, r"0 < lo < hi"),
])
def test_render_names_a_bad_option(tmp_path, options, error, message):
    with pytest.raises(error, match=message):
        render(wxb(), tmp_path / "wxb.dot", **options)
    assert not (tmp_path / "wxb.dot").exists()


def test_good_color_ranges_still_work():
    assert "fill: |grad|" in draw_dot(wxb(), color_by_grad=(1e-3, 10)).source
    assert "fill: |grad|" in draw_dot(wxb(), color_by_grad=[1e-3, 10]).source


# --- the size guard ------------------------------------------------------------------------------------------------


def test_a_graph_too_big_to_lay_out_is_refused_up_front_naming_size_and_fixes():
    root = chain(DRAW_LIMIT + 101)
    n = len(topological_order(root))
    with pytest.raises(ValueError) as raised:
        draw_dot(root)
    message = str(raised.value)
    assert f"{n:,} nodes" in message and f"{DRAW_LIMIT:,}" in message
    assert "collapse=" in message and "cluster=True" in message and ".dot" in message and "force=True" in message
    with pytest.raises(ValueError, match=f"{n:,} nodes"):
        svg(root)


def test_dot_source_and_force_are_always_allowed(tmp_path):
    root = chain(DRAW_LIMIT + 101)
    adds = (DRAW_LIMIT + 100) // 2
    path = render(root, tmp_path / "big.dot")  # no layout: any size
    assert path.read_text().count("->") == 3 * adds  # into each + op from the sum and the constant, out to its node
    assert draw_dot(root, force=True).source.count("_op [label=<+>") == adds  # one op node per +


def test_collapsing_scopes_brings_a_big_network_under_the_limit():
    model = MLP(2, [30, 30, 1], seed=0)
    out = model([Value(0.5, "x1"), Value(-0.5, "x2")])
    assert len(topological_order(out)) > DRAW_LIMIT
    with pytest.raises(ValueError, match="collapse="):
        draw_dot(out)
    source = draw_dot(out, collapse="layer*/neuron*", cluster=True).source
    assert source.count("shape=box3d") == 61  # one node per neuron


# --- labels --------------------------------------------------------------------------------------------------------

HOSTILE = ["\t", "\x00", "a\x01b", "\x1b[31mred\x1b[0m", "\ud800", "scope\\", "\u202eevil", "tab\tand\\", "\x7f"]


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31m", "\\x1b[31m"), ("\t", "\\t"), ("a\x00b", "a\\x00b"), ("\ud800", "\\ud800"), ("\u202e", "\\u202e"),
    ("\r\n", "\\r\\n"), ("\x7f\x85", "\\x7f\\x85"), ("σ(x) ∂ ü", "σ(x) ∂ ü"), ("a\\", "a\\"),
])
def test_visible_writes_control_characters_as_escapes(text, shown):
    assert visible(text) == shown
    assert visible(shown) == shown  # what it writes is printable: showing it again changes nothing


@needs_pure
@pytest.mark.parametrize("label", HOSTILE)
def test_every_label_renders_with_its_control_characters_visible(label):
    x = Value(2.0, label)
    out = x * 3
    out.label = label + "out"
    text = svg(out, renderer="graphviz-pure", color_by_grad=True)
    assert text.startswith("<?xml")
    shown = html.escape(visible(label), quote=False)
    assert shown in text.replace("&#45;", "-").replace("&#160;", " ")


def test_labels_with_control_characters_reach_the_dot_source_escaped():
    x = Value(2.0, "\x1b[31m")
    source = draw_dot(x * 3).source
    assert "\x1b" not in source and "\\\\x1b[31m" in source  # backslash doubled for Graphviz's \N escapes


def test_a_scope_name_that_cannot_be_drawn_is_refused_where_it_is_made():
    from autograd import name_scope

    with pytest.raises(ValueError, match="backslash"):
        with name_scope("layer1\\"):
            pass


def test_the_terminal_stepper_prints_no_escape_sequence_from_a_label():
    import io

    from viz.terminal import step_through_terminal

    x = Value(2.0, "\x1b[31mred\x1b[0m")
    y = x * 3
    y.label = "y\ttab"
    out = io.StringIO()
    step_through_terminal(y, show_all=True, out=out)
    assert "\x1b" not in out.getvalue() and "\t" not in out.getvalue()
    assert "\\x1b[31mred" in out.getvalue()


# --- PNG: a pixel budget -------------------------------------------------------------------------------------------


def test_png_dpi_fits_the_budget():
    assert backends.png_dpi(5, 3) == 96  # a small graph keeps Graphviz's resolution
    dpi = backends.png_dpi(471.0, 67.4)  # the 500-node chain: 45,216 × 6,470 px at 96 dpi
    assert 471.0 * dpi * 67.4 * dpi <= backends.PNG_MAX_PIXELS
    assert 471.0 * dpi * 67.4 * dpi > 0.95 * backends.PNG_MAX_PIXELS  # not smaller than needed
    dpi = backends.png_dpi(5000.0, 2.0)  # long and flat: the 32,767-pixel side binds first
    assert 5000.0 * dpi <= backends.PNG_MAX_SIDE


@needs_pure
def test_png_of_a_500_node_chain_stays_under_the_pixel_budget_with_graphviz_pure(tmp_path):
    # in a child process, so that its children's peak memory (graphviz-pure's) is this render's alone
    script = textwrap.dedent(f"""
        import json, resource, struct, sys, time, warnings
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from test_reliability_viz import chain
        from viz.graph import render
        root = chain(501)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path = render(root, {str(tmp_path / "chain.png")!r}, renderer="graphviz-pure")
        seconds = time.perf_counter() - start
        width, height = struct.unpack(">II", path.read_bytes()[16:24])
        print(json.dumps(dict(width=width, height=height, seconds=seconds,
                              peak_kb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                              warnings=[str(w.message) for w in caught], kinds=[w.category.__name__ for w in caught])))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["width"] * result["height"] <= backends.PNG_MAX_PIXELS
    assert max(result["width"], result["height"]) <= backends.PNG_MAX_SIDE
    assert result["width"] > 10_000  # scaled down to the budget, not to a thumbnail
    assert result["peak_kb"] < 1_000_000  # under 1 GB (it was 6.1 GB at 96 dpi)
    assert result["kinds"] == ["RenderWarning"]
    assert "drawn at" in result["warnings"][0] and "megapixels" in result["warnings"][0]
    print(f"500-node chain PNG: {result['width']} × {result['height']} px, {result['seconds']:.1f} s, "
          f"graphviz-pure peak {result['peak_kb'] / 1024:.0f} MB")


@needs_pure
def test_a_small_png_keeps_its_resolution_and_warns_nothing(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        path = render(wxb(), tmp_path / "wxb.png", renderer="graphviz-pure")
    width, height = png_size(path.read_bytes())
    assert 200 < width < 2000 and 50 < height < 1000


@needs_pure
def test_a_png_that_cannot_be_readable_is_refused_with_svg_suggested(monkeypatch):
    monkeypatch.setattr(backends, "PNG_MAX_PIXELS", 200)  # a budget no graph's text fits in
    with pytest.raises(backends.RenderError, match="write .svg"):
        backends.pipe(draw_dot(wxb()).source, "png", renderer="graphviz-pure")


# --- the command line ----------------------------------------------------------------------------------------------


def test_cli_prints_one_line_on_memory_error(capsys, monkeypatch):
    from autograd.lab import data

    def huge(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(data, "load", huge)
    assert main(["train", "moons", "--n", "20000000", "--steps", "1", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chainrule train: error: out of memory")


def test_cli_step_prints_one_line_on_memory_error(capsys, monkeypatch):
    import viz.terminal

    def huge(*args, **kwargs):
        raise MemoryError("cannot allocate")

    monkeypatch.setattr(viz.terminal, "step_through_terminal", huge)
    assert main(["step", "wxb", "--all"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chainrule step: error: out of memory")


@pytest.mark.parametrize("flag, name", [("--plot", "noext"), ("--boundary", "curve.txt"), ("--graph", "net.gif")])
def test_train_checks_output_names_before_training(tmp_path, capsys, flag, name):
    pytest.importorskip("matplotlib")
    path = tmp_path / name
    err = one_line_error(capsys, ["train", "xor", "--steps", "100000", "--no-progress", flag, str(path)])
    assert f"{flag} needs a file name whose suffix gives the format" in err and repr(str(path)) in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("formats", ["", " , ", "gif", "svg,gif"])
def test_demo_refuses_formats_it_cannot_write(tmp_path, capsys, formats):
    err = one_line_error(capsys, ["demo", "-o", str(tmp_path), "--formats", formats])
    assert "--formats takes comma-separated formats from svg, png, pdf, dot" in err
    assert list(tmp_path.iterdir()) == []


def test_collapse_minus_one_is_refused_not_taken_as_a_pattern(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["render", "wxb", "-o", "x.dot", "--collapse", "-1"])
    assert exit_.value.code == 2
    assert "--collapse: a depth must be >= 0" in capsys.readouterr().err


def test_collapse_takes_depths_and_patterns():
    from viz.cli import build_parser

    def parsed(text):
        return build_parser().parse_args(["render", "wxb", "--collapse", text]).collapse

    assert parsed("1") == 1 and parsed("0") == 0
    assert parsed("layer*/neuron*,") == ["layer*/neuron*"] and parsed("a,b*") == ["a", "b*"]


@needs_pure
def test_cli_says_in_one_line_when_a_png_was_scaled_down(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backends, "PNG_MAX_PIXELS", 50_000)
    path = tmp_path / "wxb.png"
    assert main(["render", "wxb", "-o", str(path), "--renderer", "graphviz-pure"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"chainrule: note: {path}: the PNG would be")
    width, height = png_size(path.read_bytes())
    assert width * height <= 50_000
