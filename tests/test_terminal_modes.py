"""The terminal's learner modes: the quiz reads one answer per line (a pipe works), forward mode steps tangents."""
import io

import pytest

from autograd import parse, topological_order
from viz.examples import wxb
from viz.modes import Quiz, tangent_steps
from viz.terminal import quiz_terminal, step_through_terminal


def run(root, typed, **options):
    """(what step_through_terminal printed, its return value) with `typed` as stdin."""
    out = io.StringIO()
    result = step_through_terminal(root, stdin=io.StringIO(typed), out=out, **options)
    return out.getvalue(), result


def test_quiz_in_a_pipe_checks_reveals_and_scores():
    typed = "1\n1\n1\n1\n5\n4\n\nnot a number\n-2\n"  # 4 right, 5 right, 4 wrong, a reveal, junk, −2 right
    text, quiz = run(wxb(), typed, quiz=True)
    assert (quiz.score, quiz.position, quiz.done) == (6, 8, True)  # the junk line is not counted
    assert "Question 1 / 8  (backward step 1 / 2, score 0/0)" in text
    assert "the local gradient on the edge w → g: ∂g/∂w = ?" in text
    assert "right: ∂g/∂w = 5 (score 5/5)" in text
    assert "wrong (you said 4): ∂f/∂w += ∂f/∂g · ∂g/∂w = 1 · 5 = 5 (score 5/6)" in text
    assert "revealed: ∂g/∂x = −2 (score 5/7)" in text
    assert "answer: 'not a number' is not a number; type one such as 5, −2, 0.25 or 1/4" in text
    assert "right: ∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2 (score 6/8)" in text
    assert text.rstrip().endswith("done: 6 of 8 right") and "\x1b[" not in text  # no colour in a pipe


def test_quiz_shows_the_gradients_revealed_so_far_and_never_the_answer():
    text, _ = run(wxb(), "1\n1\n1\n1\n5\n5\nq\n", quiz=True)
    screen = text.split("Question 7 / 8")[1]
    assert "the local gradient on the edge x → g: ∂g/∂x = ?" in screen
    rows = [line.split() for line in screen.splitlines() if line.strip().startswith(("w ", "→ x", "► g"))]
    assert rows[:3] == [["w", "input", "−2", "5"], ["→", "x", "input", "5", "0"], ["►", "g", "×", "−10", "1"]]
    assert "∂g/∂x = −2" not in screen.split("quit")[0]  # not revealed before it is answered
    assert text.rstrip().endswith("quit: score 6/6")


def test_quiz_of_a_typed_sigmoid_agrees_with_the_model_and_ends_at_eof():
    root = parse("f = sigmoid(w*x + b)", w=-2, x=5, b=3)
    model = Quiz(root)
    answers = [q.expected for q in model.questions]
    answers[3] = 1.0  # one wrong: the product g · local is −8.3e−07
    text, quiz = run(root, "".join(f"{a!r}\n" for a in answers), quiz=True)
    verdicts = [model.answer(a).sentence for a in answers]
    assert all(v in text for v in verdicts) and (quiz.score, len(quiz.questions)) == (15, 16)
    assert text.rstrip().endswith("done: 15 of 16 right")
    text, quiz = run(root, "", quiz=True)  # end of input at once
    assert text.rstrip().endswith("quit: score 0/0") and quiz.position == 0


def test_forward_mode_prints_every_tangent_and_ends_at_backwards_gradient():
    root = parse("f = sigmoid(w*x + b)", w=-2, x=5, b=3)
    steps = tangent_steps(root, "w")
    text, _ = run(root, "", forward_mode="w", show_all=True)
    assert text.count("Step ") == len(steps) == 11 and "(forward mode: tangents ∂node/∂w)" in text
    assert all(step.sentence in text for step in steps)
    assert "  w                   input −2        1        seed" in text
    assert text.rstrip().endswith("done: ∂f/∂w = 0.004551, as backward() finds")


def test_forward_mode_keys_walk_and_unknown_tangents_show_a_question_mark():
    text, _ = run(wxb(), "n\nn\nb\nq\n", forward_mode="x")
    screens = text.split("Step ")[1:]
    assert [s.split("  ")[0] for s in screens] == ["1 / 5", "2 / 5", "3 / 5", "2 / 5"]
    assert "∂x/∂x = 1: the seed, x is the input we vary" in screens[1]
    assert "► x    input 5     1    seed" in screens[1] and "  g    ×     −10   ?" in screens[1]
    assert "∂g/∂x = ∂g/∂w · ∂w/∂x + ∂g/∂x · ∂x/∂x = (−2) · 0 + 5 · 1 = 5" not in text  # ∂g/∂x = w = −2
    assert "∂g/∂x = ∂g/∂w · ∂w/∂x + ∂g/∂x · ∂x/∂x = 5 · 0 + (−2) · 1 = −2" in screens[2]
    assert text.rstrip().endswith("quit")


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="quiz=True .* goes with neither forward_mode nor show_all"):
        run(wxb(), "", quiz=True, forward_mode="w")
    with pytest.raises(ValueError, match="'g2' is not a node name; the graph's inputs are w, x, b"):
        run(wxb(), "", forward_mode="g2")
    root = wxb()
    quiz = quiz_terminal(root, io.StringIO("1\nq\n"), io.StringIO())
    assert quiz.position == 1 and [v.grad for v in topological_order(root)] == [0.0] * 5  # no grad changed


def test_the_cli_quizzes_from_a_pipe_and_steps_forward_mode(monkeypatch, capsys):
    from viz.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("1\n1\n1\n1\n5\n4\n\n-2\n"))
    assert main(["step", "wxb", "--quiz"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("done: 6 of 8 right")
    assert main(["step", "sigmoid(w*x + b)", "--at", "w=-2,x=5,b=3", "--forward-mode", "x", "--all"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("done: ∂f/∂x = −0.00182, as backward() finds")


@pytest.mark.parametrize("argv, message", [
    (["step", "wxb", "--forward-mode", "z", "--all"], "--forward-mode: leaf 'z' is not a node name; the graph's "
                                                      "inputs are w, x, b"),
    (["step", "wxb", "--quiz", "--all"], "--quiz asks about the backward pass one question at a time"),
])
def test_the_cli_names_bad_learner_options_in_one_line(argv, message, capsys):
    from viz.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
