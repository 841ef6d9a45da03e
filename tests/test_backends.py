"""Backend choice (Graphviz's dot, else graphviz-pure), their output, and the errors when one is missing."""
import shutil

import pytest

from viz import backends

PRESENT = list(backends.available())
SOURCE = 'digraph { a -> b [label="1"] }'
MAGIC = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}


@pytest.fixture(autouse=True)
def no_env_choice(monkeypatch):
    monkeypatch.delenv(backends.ENV_VAR, raising=False)


def fake_lookup(monkeypatch, present):
    """Pretend exactly the programs in `present` are installed."""
    monkeypatch.setattr(backends, "_which", lambda program: f"/fake/{program}" if program in present else None)


def test_graphviz_pure_comes_with_the_package():
    assert "graphviz-pure" in PRESENT  # a dependency in pyproject: pip install alone must be able to draw


@pytest.mark.parametrize("renderer", PRESENT)
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_each_present_backend_draws(renderer, fmt):
    data = backends.pipe(SOURCE, fmt, renderer=renderer)
    assert data.startswith(MAGIC[fmt])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_dot_writes_pdf():
    assert backends.pipe(SOURCE, "pdf", renderer="dot").startswith(MAGIC["pdf"])


def test_dot_source_needs_no_program(monkeypatch):
    fake_lookup(monkeypatch, set())
    assert backends.pipe(SOURCE, "dot") == SOURCE.encode()


def test_auto_prefers_graphviz_dot(monkeypatch):
    fake_lookup(monkeypatch, {"dot", "graphviz-pure"})
    assert backends.find_renderer() == ("dot", "/fake/dot")
    fake_lookup(monkeypatch, {"graphviz-pure"})
    assert backends.find_renderer() == ("graphviz-pure", "/fake/graphviz-pure")


def test_env_var_and_argument_force_a_backend(monkeypatch):
    fake_lookup(monkeypatch, {"dot", "graphviz-pure"})
    monkeypatch.setenv(backends.ENV_VAR, "graphviz-pure")
    assert backends.find_renderer()[0] == "graphviz-pure"
    assert backends.find_renderer("dot")[0] == "dot"  # the argument wins over the env var
    monkeypatch.setenv(backends.ENV_VAR, "auto")
    assert backends.find_renderer()[0] == "dot"


def test_forcing_a_missing_backend_names_the_fix(monkeypatch):
    fake_lookup(monkeypatch, {"graphviz-pure"})
    with pytest.raises(backends.RenderError, match="install Graphviz"):
        backends.find_renderer("dot")


def test_unknown_renderer_or_format(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, "cairo")
    with pytest.raises(ValueError, match="CHAINRULE_RENDERER"):
        backends.find_renderer()
    with pytest.raises(ValueError, match="svg, png, pdf, dot"):
        backends.pipe(SOURCE, "gif", renderer="graphviz-pure")


def test_no_renderer_at_all_is_one_clear_sentence(monkeypatch, tmp_path):
    # simulate a machine without either program: nothing on PATH, nothing beside the interpreter
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backends, "_script_dirs", lambda: [tmp_path])
    assert backends.available() == {}
    with pytest.raises(backends.RenderError) as err:
        backends.pipe(SOURCE, "svg")
    message = str(err.value)
    assert "pip install graphviz-pure" in message and "Graphviz" in message
    assert "\n" not in message
    assert backends.pipe(SOURCE, "dot") == SOURCE.encode()  # .dot output still works


def test_pdf_without_graphviz_dot_says_use_svg_or_png(monkeypatch):
    fake_lookup(monkeypatch, {"graphviz-pure"})
    with pytest.raises(backends.RenderError, match="pdf output needs Graphviz's dot.*svg and png"):
        backends.pipe(SOURCE, "pdf")


def test_pdf_with_graphviz_pure_forced_names_the_choice_not_a_missing_dot(monkeypatch):
    fake_lookup(monkeypatch, {"dot", "graphviz-pure"})
    monkeypatch.setenv(backends.ENV_VAR, "graphviz-pure")
    with pytest.raises(backends.RenderError) as err:
        backends.pipe(SOURCE, "pdf")
    message = str(err.value)
    assert message.startswith("graphviz-pure was chosen (CHAINRULE_RENDERER=graphviz-pure) and writes no pdf")
    assert "unset CHAINRULE_RENDERER" in message and "svg or png" in message
    assert "not installed" not in message and "apt-get" not in message  # dot is right there
    with pytest.raises(backends.RenderError) as err:
        backends.pipe(SOURCE, "pdf", renderer="graphviz-pure")
    assert "renderer='graphviz-pure'" in str(err.value) and "renderer='dot'" in str(err.value)
    assert backends.find_renderer("dot", fmt="pdf") == ("dot", "/fake/dot")  # the named fix works


def test_pdf_with_graphviz_pure_forced_and_no_dot_says_install_it(monkeypatch):
    fake_lookup(monkeypatch, {"graphviz-pure"})
    monkeypatch.setenv(backends.ENV_VAR, "graphviz-pure")
    with pytest.raises(backends.RenderError, match="graphviz-pure was chosen .*after installing Graphviz's dot"):
        backends.pipe(SOURCE, "pdf")


@pytest.mark.parametrize("renderer", PRESENT)
def test_bad_source_reports_the_program_error(renderer):
    with pytest.raises(backends.RenderError, match=f"{renderer} failed"):
        backends.pipe("digraph { a -> ", "svg", renderer=renderer)
