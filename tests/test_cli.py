"""The render and demo subcommands: files, printed gradients, exit codes and one-line errors."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.lab.data import DATASETS
from viz import backends
from viz.cli import EXAMPLE_COMMANDS, build_parser, main
from viz.examples import EXAMPLES

from conftest import one_line_error

HAS_RENDERER = bool(backends.available())
needs_renderer = pytest.mark.skipif(not HAS_RENDERER, reason="neither Graphviz's dot nor graphviz-pure is installed")


@pytest.fixture(autouse=True)
def no_env_choice(monkeypatch):
    monkeypatch.delenv(backends.ENV_VAR, raising=False)


@needs_renderer
def test_render_writes_the_example(tmp_path, capsys):
    out = tmp_path / "deep" / "wxb.svg"
    assert main(["render", "wxb", "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    text = out.read_text()
    assert "data −7" in text and "grad 5" in text  # the real minus sign, as everywhere in chainrule


def test_render_dot_source_with_network_options(tmp_path):
    out = tmp_path / "neuron.dot"
    assert main(["render", "neuron", "-o", str(out), "--sigmoid", "compact", "--rankdir", "TB"]) == 0
    source = out.read_text()
    assert "rankdir=TB" in source and "label=<σ>" in source and "label=<0.25>" in source  # σ'(0) = 0.25


def test_unknown_example_and_format_are_one_line_errors(tmp_path, capsys):
    err = one_line_error(capsys, ["render", "xor_magic", "-o", str(tmp_path / "x.svg")])
    assert "no example named 'xor_magic'; pick one of wxb" in err and "a formula with values" in err
    err = one_line_error(capsys, ["render", "wxb", "-o", str(tmp_path / "x.gif")])
    assert ".svg, .png, .pdf, .dot" in err
    assert not (tmp_path / "x.gif").exists()


def test_pdf_without_graphviz_dot(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backends, "_which", lambda program: "/fake/graphviz-pure" if program == "graphviz-pure" else None)
    err = one_line_error(capsys, ["render", "wxb", "-o", str(tmp_path / "wxb.pdf")])
    assert "pdf output needs Graphviz's dot" in err and "not installed" in err


def test_pdf_with_graphviz_pure_forced_names_the_choice(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backends, "_which", lambda program: f"/fake/{program}")  # both installed
    err = one_line_error(capsys, ["render", "wxb", "-o", str(tmp_path / "wxb.pdf"), "--renderer", "graphviz-pure"])
    assert "graphviz-pure was chosen" in err and "--renderer dot" in err and "not installed" not in err


def test_no_renderer_is_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backends, "_which", lambda program: None)
    err = one_line_error(capsys, ["render", "wxb", "-o", str(tmp_path / "wxb.png")])
    assert "pip install graphviz-pure" in err
    assert main(["render", "wxb", "-o", str(tmp_path / "wxb.dot")]) == 0


def test_top_level_help_lists_examples_formats_and_a_command_each(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples (SOURCE of render, step, html, paths): " + ", ".join(EXAMPLES) in out
    assert '"sigmoid(w*x + b)" --at w=-2,x=5,b=3' in out
    assert "formats (from the output file's suffix): svg, png, pdf, dot" in out
    assert ", ".join(DATASETS) in out
    commands = [line.strip() for line in out.splitlines() if line.startswith("  chainrule ")]
    assert commands == list(EXAMPLE_COMMANDS)
    parser = build_parser()
    subcommands = [parser.parse_args(shlex.split(command)[1:]).command for command in commands]  # each parses
    assert subcommands == ["render", "demo", "step", "step", "html", "paths", "layers", "train"]


def test_help_lists_examples_and_formats(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["render", "--help"])
    assert exit_.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert all(name in out for name in EXAMPLES)
    assert "svg, png, pdf, dot" in out


def test_bad_choice_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["render", "wxb", "--rankdir", "XY"])
    assert exit_.value.code == 2


@needs_renderer
def test_demo_renders_every_example_and_prints_gradients(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "f = w·x + b at w=−2, x=5, b=3: f = −7, ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1" in out
    for name in EXAMPLES:
        assert (tmp_path / f"{name}.svg").read_text().startswith("<?xml")
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert str(tmp_path / f"{name}.png") in out
    for name in ("wxb", "xor_loss"):  # the live pages, with the graph's data for their script to compute
        page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and 'id="chainrule-data"' in page
        assert str(tmp_path / f"{name}.html") in out


def test_python_m_viz(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    env.pop(backends.ENV_VAR, None)
    out = tmp_path / "wxb.dot"
    done = subprocess.run([sys.executable, "-m", "viz", "render", "wxb", "-o", str(out)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "label=<−2>" in out.read_text()
    bad = subprocess.run([sys.executable, "-m", "viz", "render", "nope"], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "no example named 'nope'" in bad.stderr


def test_demo_and_step_write_numbers_alike(tmp_path, capsys):
    # one notation everywhere: the demo's summary and the step-through's last line show the same −2
    assert main(["demo", "-o", str(tmp_path), "--formats", "dot"]) == 0
    demo = capsys.readouterr().out
    assert main(["step", "wxb", "--all"]) == 0
    step = capsys.readouterr().out
    for text in ("∂f/∂x = −2", "∂f/∂w = 5"):
        assert text in demo and text in step
    summaries = [line for line in demo.splitlines() if "∂" in line]  # not the "wrote /tmp/..." lines
    assert len(summaries) == len(EXAMPLES)
    assert not re.search(r"-\d", "\n".join(summaries + [step]))  # no ASCII minus before any number
