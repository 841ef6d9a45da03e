"""Formulas on the command line (`chainrule step "w*x + b" --at w=-2,x=5,b=3`), viz.sources, and `chainrule paths`.

Every number is checked against the engine or against the derivative written out by hand.
"""
import json
import math
import re

import pytest

from autograd import Value
from conftest import needs_renderer, one_line_error, sigmoid
from viz import backends
from viz.cli import main
from viz.notation import fmt
from viz.sources import SourceError, load_source, parse_at, source_kind

WXB = ["--at", "w=-2,x=5,b=3"]
GRAPH_FILE = "from autograd import Value\n\n\ndef graph():\n    return Value(3.0, 'a') * Value(4.0, 'c')\n"


@pytest.fixture(autouse=True)
def no_env_choice(monkeypatch):
    monkeypatch.delenv(backends.ENV_VAR, raising=False)


def run(capsys, argv):
    assert main(argv) == 0
    return capsys.readouterr().out


# --- step, render, html with a formula ---------------------------------------------------------------------------


def test_step_a_formula_prints_the_chain_rule_numbers(capsys):
    out = run(capsys, ["step", "w*x+b", *WXB, "--all"])
    assert out.rstrip().endswith("done: ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1")
    assert re.search(r"► f\s+\+\s+−7\s", out)  # the root is called f, its value −7
    assert "∂f/∂x += ∂f/∂(w·x) · ∂(w·x)/∂x = 1 · 5" not in out  # ∂(w·x)/∂x is w, not x:
    assert "∂f/∂x += ∂f/∂(w·x) · ∂(w·x)/∂x = 1 · (−2) = −2" in out


def test_step_the_composed_sigmoid_matches_its_derivative(capsys):
    out = run(capsys, ["step", "sigmoid(w*x + b)", *WXB, "--all"])
    s = sigmoid(-2 * 5 + 3)
    slope = s * (1 - s)  # σ'(z) = σ(z)(1 − σ(z))
    assert f"done: ∂f/∂w = {fmt(slope * 5)}, ∂f/∂x = {fmt(slope * -2)}, ∂f/∂b = {fmt(slope)}" in out
    assert re.search(rf"► f\s+1/x\s+{re.escape(fmt(s))}\s", out)  # drawn as the lecture does: ... → 1/x


def test_bce_with_a_leading_minus_and_repeated_at(capsys):
    # a formula starting with "-" goes after "--" unless it contains a space; --at may be repeated
    out = run(capsys, ["step", "--all", "--at", "y=1", "--at", "h=0.8", "--", "-(y*log(h) + (1-y)*log(1-h))"])
    h = 0.8
    assert f"∂f/∂h = {fmt(-1 / h)}" in out  # ∂/∂h of −log h
    assert f"∂f/∂y = {fmt(-math.log(h) + math.log(1 - h))}" in out


@needs_renderer
def test_render_a_formula_writes_its_numbers(tmp_path, capsys):
    out = tmp_path / "e.svg"
    assert run(capsys, ["render", "w*x + b", *WXB, "-o", str(out)]) == f"wrote {out}\n"
    text = out.read_text()
    for number in ("data −7", "data −10", "grad 5", "grad −2", "grad 1"):
        assert number in text


def test_render_a_formula_as_dot_shows_the_local_gradients(tmp_path):
    out = tmp_path / "e.dot"
    assert main(["render", "x*x", "--at", "x=3", "-o", str(out)]) == 0
    source = out.read_text()
    assert source.count("label=<3>") >= 2  # ∂(x·x)/∂x = 3 on each of the two edges into ×
    assert "grad 6" in source and "data 9" in source  # d(x²)/dx = 2x = 6


@needs_renderer
def test_render_default_file_names(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graph.py").write_text(GRAPH_FILE)
    assert run(capsys, ["render", "graph.py"]) == "wrote out/graph.svg\n"
    assert "grad 4" in (tmp_path / "out" / "graph.svg").read_text()  # ∂(a·c)/∂a = c = 4
    assert run(capsys, ["render", "w*x + b", *WXB]) == "wrote out/formula.svg\n"
    assert run(capsys, ["render", "wxb"]) == "wrote out/wxb.svg\n"


def test_render_a_python_file_with_func(tmp_path):
    path = tmp_path / "graph.py"
    path.write_text(GRAPH_FILE + "\n\ndef other():\n    return Value(2.0, 'z').exp()\n")
    out = tmp_path / "g.dot"
    assert main(["render", str(path), "--func", "other", "-o", str(out)]) == 0
    assert f"data {fmt(math.exp(2))}" in out.read_text()


def test_html_page_of_a_formula(tmp_path, capsys):
    out = tmp_path / "e.html"
    assert run(capsys, ["html", "w*x + b", *WXB, "-o", str(out)]) == f"wrote {out}\n"
    data = re.search(r'id="chainrule-data">(.*?)</script>', out.read_text()).group(1)
    nodes = json.loads(data)["nodes"]
    assert [(n["name"], n.get("op"), n.get("data")) for n in nodes] == [
        ("w", None, -2.0), ("x", None, 5.0), ("w·x", "mul", None), ("b", None, 3.0), ("f", "add", None)]


# --- bad formulas and bad --at: exit 2, one line, naming the offending text -----------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["w*x + b", "--at", "w=-2,x=5"], "the name b has no value: give one, --at b=1.0"),
    (["w*x + b"], "the name b has no value"),
    (["w*x +", "--at", "w=1,x=2"], "'w*x +' is not a formula"),
    (["__import__('os').system('touch PWNED')", "--at", "x=1"], "only these functions can be called"),
    (["x.__class__", "--at", "x=1"], "attribute access"),
    (["(lambda: 1)()", "--at", "x=1"], "'(lambda: 1)()'"),
    (["open('f')", "--at", "x=1"], "only these functions can be called: exp, log"),
    (["[x for x in y]", "--at", "x=1,y=2"], "a comprehension is not allowed"),
    (["x ** y", "--at", "x=1,y=2"], "the exponent must be a number"),
    (["log(x)", "--at", "x=-1"], "'log(x)': fails at these values"),
    (["x + " * 3000 + "x", "--at", "x=1"], "more than the 2,000 allowed"),
    (["(" * 200 + "x" + ")" * 200, "--at", "x=1"], "nested 200 deep"),
    (["w*x", "--at", "w=1,w=2"], "--at gives w twice"),
    (["w*x", "--at", "w=1", "--at", "w=2"], "--at gives w twice"),
    (["w*x", "--at", "w=1,x=abc"], "x='abc' is not a finite number"),
    (["w*x", "--at", "w=1,x=inf"], "x='inf' is not a finite number"),
    (["w*x", "--at", "w=1,,x=2"], "has an empty pair"),
    (["w*x", "--at", "w1"], "'w1' is not name=number"),
    (["w*x", "--at", "2w=1"], "'2w' in '2w=1' is not a name"),
    (["w*x", "--at", ""], "has an empty pair"),
    (["wxb", "--at", "w=1"], "'wxb' is an example with its own values"),
    (["w*x", "--at", "w=1,x=2", "--func", "f"], "picks a function in a Python file, but 'w*x' is a formula"),
    (["nope"], "no example named 'nope'; pick one of wxb"),
])
def test_bad_formulas_and_values_are_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = one_line_error(capsys, ["step", *argv, "--all"], prefix="chainrule step: error: ")
    assert message in err
    assert not (tmp_path / "PWNED").exists()  # nothing in the text ran


@pytest.mark.parametrize("command", ["render", "html", "paths"])
def test_every_command_refuses_a_bad_formula_alike(command, tmp_path, capsys):
    argv = [command, "w*x + b", "--at", "w=1"] + (["-o", str(tmp_path / "x.html")] if command != "paths" else [])
    err = one_line_error(capsys, argv, prefix=f"chainrule {command}: error: ")
    assert re.search(r"'([xb])' in 'w\*x \+ b': the name \1 has no value: give one, --at \1=1.0$", err)
    assert list(tmp_path.iterdir()) == []


def test_python_m_viz_bad_formula_exits_2(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run([sys.executable, "-m", "viz", "step", "exp(x", "--at", "x=1"], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "'exp(x' is not a formula" in done.stderr


# --- chainrule paths ---------------------------------------------------------------------------------------------


def test_paths_add_up_to_the_gradient(capsys):
    out = run(capsys, ["paths", "x*x + x", "--at", "x=3"])
    x = Value(3.0)
    f = x * x + x
    f.backward()
    assert x.grad == 7.0  # 2x + 1
    assert out.splitlines() == ["x →(1st) x·x → f   3 · 1 = 3",
                                "x →(2nd) x·x → f   3 · 1 = 3",
                                "x → f              1 = 1",
                                "∂f/∂x = 3 + 3 + 1 = 7, the sum over 3 paths from x to f, as backward() finds"]


def test_paths_for_every_input_by_default_and_one_with_leaf(capsys):
    out = run(capsys, ["paths", "w*x + b", *WXB])
    assert "∂f/∂w = 5, the product along the only path from w to f, as backward() finds" in out
    assert "∂f/∂x = −2, the product" in out and "∂f/∂b = 1, the product" in out
    out = run(capsys, ["paths", "w*x + b", *WXB, "--leaf", "x"])
    assert out.splitlines() == ["x → w·x → f   (−2) · 1 = −2",
                                "∂f/∂x = −2, the product along the only path from x to f, as backward() finds"]


def test_paths_refuses_too_many_and_unknown_leaves(tmp_path, capsys):
    path = tmp_path / "squares.py"  # v ← v·v fourteen times: 2¹⁴ = 16,384 paths from x, over the 10,000 limit
    path.write_text("from autograd import Value\n\n\ndef graph():\n    v = Value(1.0, 'x')\n"
                    "    for _ in range(14):\n        v = v * v\n    return v\n")
    err = one_line_error(capsys, ["paths", str(path)], prefix="chainrule paths: error: ")
    assert "--leaf x: paths: more than 10,000 paths lead from x to the root" in err and "jvp" in err
    err = one_line_error(capsys, ["paths", "w*x", "--at", "w=1,x=2", "--leaf", "q"], prefix="chainrule paths: error: ")
    assert "leaf 'q' is not a node name; the graph's inputs are w, x" in err


# --- viz.sources: the API under the command line -------------------------------------------------------------------


def test_load_source_reads_examples_files_and_formulas(tmp_path):
    root = load_source("sigmoid(w*x + b)", at={"w": -2, "x": 5, "b": 3})
    assert root.label == "f" and root.data == pytest.approx(sigmoid(-7), rel=1e-15)
    assert load_source("wxb").data == -7.0
    path = tmp_path / "graph.py"
    path.write_text(GRAPH_FILE)
    assert load_source(str(path)).data == 12.0
    assert load_source("f + 1", at="f=2").label == "out"  # f is an input: the root is called out
    assert load_source("loss = -log(h)", at="h=0.5").label == "loss"
    x = load_source("x", at="x=3")  # a bare name with values is a formula: its only leaf
    assert (x.label, x.data, x.parents) == ("x", 3.0, ())


def test_source_kind():
    assert [source_kind(s) for s in ("wxb", "graph.py", "w*x + b", "wxbb")] == ["example", "file", "expression",
                                                                                "example"]
    assert source_kind("x", at="x=1") == "expression"
    with pytest.raises(TypeError, match="source must be a str"):
        source_kind(3)


def test_parse_at():
    assert parse_at("w=-2,x=5,b=3") == {"w": -2.0, "x": 5.0, "b": 3.0}
    assert parse_at(" w = \u22122 , x_1=1e-3 ") == {"w": -2.0, "x_1": 0.001}  # the real minus sign, spaces
    with pytest.raises(ValueError, match="--at: 'lambda' in 'lambda=1' is not a name"):
        parse_at("lambda=1")
    with pytest.raises(TypeError, match="--at must be text"):
        parse_at({"w": 1})


def test_source_error_is_a_lookup_and_a_value_error(tmp_path):
    with pytest.raises(LookupError, match="no such file"):
        load_source(str(tmp_path / "missing.py"))
    path = tmp_path / "graph.py"
    path.write_text(GRAPH_FILE)
    with pytest.raises(ValueError, match="has no function 'nope'"):
        load_source(str(path), func="nope")
    assert issubclass(SourceError, LookupError) and issubclass(SourceError, ValueError)
