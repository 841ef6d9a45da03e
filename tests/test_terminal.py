"""`chainrule step`: the terminal step-through, driven through a pseudo-terminal like a person would."""
import sys

import pytest

from viz.cli import main

pexpect = pytest.importorskip("pexpect")

GRAPH = """\
from autograd import Value


def f_of_wxb():
    w, x, b = Value(-2.0, "w"), Value(5.0, "x"), Value(3.0, "b")
    f = w * x + b
    f.label = "f"
    return f
"""


@pytest.fixture
def graph_file(tmp_path):
    path = tmp_path / "mygraph.py"
    path.write_text(GRAPH)
    return str(path)


def spawn(*args):
    child = pexpect.spawn(sys.executable, ["-m", "viz", "step", *args], encoding="utf-8", timeout=20,
                          dimensions=(40, 120), env={"TERM": "xterm", "PYTHONIOENCODING": "utf-8",
                                                     "PATH": "/usr/bin:/bin"})
    return child


def test_keys_walk_forward_and_back_then_quit(graph_file):
    child = spawn(graph_file)
    child.expect_exact("Step 1 / 2")
    child.expect_exact("∂f/∂(w·x) += ∂f/∂f · ∂f/∂(w·x) = 1 · 1 = 1; ∂f/∂b += ∂f/∂f · ∂f/∂b = 1 · 1 = 1")
    child.expect_exact("[Enter/n] next")
    child.send("n")
    child.expect_exact("Step 2 / 2")
    child.expect_exact("∂f/∂x += ∂f/∂(w·x) · ∂(w·x)/∂x = 1 · (−2) = −2")
    child.expect(r"\x1b\[[0-9;]*m  w +input +−2 +5 +final  ← \+5")  # w just received 1 · 5: in colour
    child.expect(r"\x1b\[[0-9;]*m► w·x +× +−10 +1 +final")  # the current node, its op, value, final grad
    child.expect_exact("(last step)")
    child.send("b")
    child.expect_exact("Step 1 / 2")
    child.expect(r"w +input +−2 +0 +…")  # back: w has no gradient yet
    child.send("q")
    child.expect_exact("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_enter_goes_on_and_ends_with_the_gradients(graph_file):
    child = spawn(graph_file, "--forward")
    child.expect_exact("Step 1 / 7")
    child.expect_exact("w = −2 (input)")
    for n in range(2, 8):
        child.send("\r")
        child.expect_exact(f"Step {n} / 7")
    child.send("\r")
    child.expect_exact("done: ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_all_prints_every_step_without_waiting(graph_file, capsys):
    assert main(["step", graph_file, "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("Step ") == 2 and "Step 2 / 2" in out
    assert "∂f/∂w += ∂f/∂(w·x) · ∂(w·x)/∂w = 1 · 5 = 5" in out
    assert "► w·x  × " in out and "\x1b[" not in out  # no colour codes in a pipe
    assert out.rstrip().endswith("done: ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1")


@pytest.mark.parametrize("what, message", [
    ("no_such_example", "no example named 'no_such_example'"),
    ("missing/graph.py", "no such file"),
])
def test_bad_example_is_one_line_and_exit_2(what, message, capsys):
    assert main(["step", what, "--all"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("chainrule step: error: ") and message in err


def test_func_picks_the_function(tmp_path, capsys):
    path = tmp_path / "two.py"
    path.write_text(GRAPH + "\n\ndef g():\n    return Value(2.0, 'z').exp()\n")
    assert main(["step", str(path), "--func", "g", "--all"]) == 0
    assert "∂exp(z)/∂z += ∂exp(z)/∂exp(z) · ∂exp(z)/∂z = 1 · 7.389 = 7.389" in capsys.readouterr().out


def test_named_example_over_a_pty():
    child = spawn("wxb")
    child.expect_exact("Step 1 / 2")
    child.send("n")
    child.expect_exact("∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_big_graph_fits_a_small_terminal():
    child = pexpect.spawn(sys.executable, ["-m", "viz", "step", "xor_loss"], encoding="utf-8", timeout=20,
                          dimensions=(20, 100), env={"TERM": "xterm", "PATH": "/usr/bin:/bin"})
    child.expect_exact("Step 1 / 28")
    child.expect_exact("∂loss/∂(ln(max(h,1e−12))·1) += ∂loss/∂loss · ∂loss/∂(ln(max(h,1e−12))·1) = 1 · (−1) = −1")
    child.expect_exact("  ⋮")  # the inputs' rows are left out ...
    child.expect(r"► loss +× +0.005077 +1 +final")  # ... but the current node is listed
    child.expect_exact("[Enter/n] next")
    screen = child.before
    assert screen.count("\n") <= 16 and "x1 " not in screen
    child.send("q")
    child.expect(pexpect.EOF)
