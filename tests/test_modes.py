"""The learner modes' Python models: forward-mode steps, the path table and the predict-then-reveal quiz."""
import math

import pytest

from autograd import Value, jvp, parse, topological_order
from conftest import reused_x, sigmoid, wxb_leaves
from viz.modes import Quiz, path_table, pick_node, tangent_steps
from viz.notation import fmt
from viz.steps import backward_steps, node_names


# --- forward mode ------------------------------------------------------------------------------------------------

def test_wxb_tangent_steps_read_as_the_chain_rule():
    f, w, x, b = wxb_leaves()
    steps = tangent_steps(f, "w")
    names = node_names(f)
    assert [s.node for s in steps] == topological_order(f)
    assert [s.name for s in steps] == [names[v] for v in topological_order(f)]
    assert [s.tangent for s in steps] == [1.0, 0.0, 5.0, 0.0, 5.0]
    assert steps[0].sentence == "∂w/∂w = 1: the seed, w is the input we vary"
    assert steps[1].sentence == "∂x/∂w = 0: another input, it does not change with w"
    g = names[steps[2].node]  # the issue-12 names: "w·x"
    assert steps[2].sentence == f"∂({g})/∂w = ∂({g})/∂w · ∂w/∂w + ∂({g})/∂x · ∂x/∂w = 5 · 1 + (−2) · 0 = 5"
    assert steps[-1].sentence == (f"∂f/∂w = ∂f/∂({g}) · ∂({g})/∂w + ∂f/∂b · ∂b/∂w = 1 · 5 + 1 · 0 = 5; "
                                  "backward() finds ∂f/∂w = 5 too: the same derivative, the other way round")
    assert steps[-1].backward == 5.0
    terms = steps[-1].terms
    assert [(t.parent, t.slot, t.local, t.tangent, t.product) for t in terms] == [
        (steps[2].node, 0, 1.0, 5.0, 5.0), (b, 1, 1.0, 0.0, 0.0)]


@pytest.mark.parametrize("name, gradient", [("x", -2.0), ("b", 1.0)])
def test_every_leaf_ends_at_backwards_gradient(name, gradient):
    f, *_ = wxb_leaves()
    last = tangent_steps(f, name)[-1]
    assert last.tangent == last.backward == gradient


def test_tangent_steps_keep_every_tangent_known_so_far_and_touch_no_grad():
    root, x, a = reused_x()
    x.grad = 7.5
    steps = tangent_steps(root, x)
    assert [s.tangents for s in steps] == [{x: 1.0}, {x: 1.0, a: 2.0}, {x: 1.0, a: 2.0, root: 24.0}]
    assert steps[1].sentence == "∂a/∂x = ∂a/∂x · ∂x/∂x + ∂a/∂x · ∂x/∂x = 1 · 1 + 1 · 1 = 2"
    assert [v.grad for v in topological_order(root)] == [7.5, 0.0, 0.0]


def test_a_node_that_does_not_depend_on_the_leaf_says_so():
    w, x = Value(2.0, "w"), Value(3.0, "x")
    u = x.exp()
    u.label = "u"
    out = w * u
    steps = tangent_steps(out, w)
    (u_step,) = [s for s in steps if s.node is u]
    assert u_step.sentence == "∂u/∂w = 0: none of u's inputs depends on w"
    assert steps[-1].tangent == pytest.approx(math.exp(3.0), rel=1e-15)


def test_tangent_steps_on_the_composed_sigmoid_end_at_sigma_prime_times_x():
    y = parse("y = sigmoid(w*x + b)", w=-2, x=5, b=3)
    s = sigmoid(-7.0)
    last = tangent_steps(y, "w")[-1]
    assert last.tangent == pytest.approx(s * (1 - s) * 5, rel=1e-12)
    assert last.tangent == jvp(y, "w")
    assert last.sentence.endswith(f"backward() finds ∂y/∂w = {fmt(s * (1 - s) * 5)} too: the same derivative, "
                                  "the other way round")


def test_tangents_of_every_step_equal_jvp_of_that_node():
    root = parse("out = tanh(x*y + x) * exp(y) - x", x=0.3, y=-0.7)
    for step in tangent_steps(root, "x"):
        if step.node.parents and step.tangent != 0.0:
            assert step.tangent == pytest.approx(jvp(step.node, "x"), rel=1e-12)


def test_the_leaf_by_name_or_value_and_bad_ones_named():
    f, w, x, b = wxb_leaves()
    assert pick_node(f, "w") is w and pick_node(f, w) is w
    with pytest.raises(ValueError, match="leaf 'q' is not a node name; the graph's inputs are w, x, b"):
        tangent_steps(f, "q")
    with pytest.raises(ValueError, match="is not in the graph"):
        path_table(f, Value(1.0, "w"))
    with pytest.raises(TypeError, match="tangent_steps needs the Value to differentiate, got int"):
        tangent_steps(3, "w")


# --- every path ----------------------------------------------------------------------------------------------------

def test_path_table_of_a_reused_node_adds_four_products():
    root, x, a = reused_x()
    table = path_table(root, "x")
    assert [row.route for row in table.rows] == ["x →(1st) a →(1st) b", "x →(1st) a →(2nd) b",
                                                 "x →(2nd) a →(1st) b", "x →(2nd) a →(2nd) b"]
    assert [row.factors for row in table.rows] == ["1 · 6"] * 4
    assert [row.product for row in table.rows] == [6.0] * 4
    assert (table.total, table.gradient) == (24.0, 24.0)
    assert table.sentence == "∂b/∂x = 6 + 6 + 6 + 6 = 24, the sum over 4 paths from x to b, as backward() finds"
    assert table.lines()[0] == "x →(1st) a →(1st) b   1 · 6 = 6"


def test_path_table_of_wxb_has_one_path():
    f, w, *_ = wxb_leaves()
    table = path_table(f, w)
    (row,) = table.rows
    assert (row.factors, row.product) == ("5 · 1", 5.0)
    assert row.route == f"w → {node_names(f)[row.path.nodes[1]]} → f"
    assert table.sentence == "∂f/∂w = 5, the product along the only path from w to f, as backward() finds"


def test_path_table_sum_equals_the_gradient_on_the_lecture_loss():
    loss = parse("L = -(y*log(h) + (1-y)*log(1-h))", y=1, h=0.7)
    table = path_table(loss, "h")
    assert len(table.rows) == 2  # through log(h) and through log(1 − h)
    assert table.total == pytest.approx(-1 / 0.7, rel=1e-12)
    assert table.total == pytest.approx(table.gradient, rel=1e-12)
    assert "the sum over 2 paths from h to L, as backward() finds" in table.sentence


def test_path_table_passes_the_limit_on():
    x = Value(1.0, "x")
    out = x
    for _ in range(4):
        out = out * out  # 16 paths
    assert len(path_table(out, x).rows) == 16
    with pytest.raises(ValueError, match="more than 15 paths .* use jvp"):
        path_table(out, x, limit=15)


# --- predict, then reveal ------------------------------------------------------------------------------------------

def test_quiz_asks_local_then_product_on_every_edge_of_wxb_leaves():
    f, w, x, b = wxb_leaves()
    quiz = Quiz(f)
    asked = [(q.kind, q.parent, q.expected) for q in quiz.questions]
    g = [s.node for s in backward_steps(f)][1]  # w·x
    assert asked == [("local", g, 1.0), ("product", g, 1.0), ("local", b, 1.0), ("product", b, 1.0),
                     ("local", w, 5.0), ("product", w, 5.0), ("local", x, -2.0), ("product", x, -2.0)]
    name = node_names(f)[g]
    assert quiz.questions[4].prompt == f"the local gradient on the edge w → ({name}): ∂({name})/∂w = ?"
    assert quiz.questions[5].prompt == f"what the edge passes back to w: ∂f/∂({name}) · ∂({name})/∂w = 1 · 5 = ?"


def test_quiz_checks_to_a_relative_tolerance_and_keeps_the_score():
    f, *_ = wxb_leaves()
    quiz = Quiz(f)
    for _ in range(4):
        assert quiz.answer(1).right
    assert quiz.check(5.004)[1] and not quiz.check(5.006)[1]  # 1e-3 relative: 5 ± 0.005
    verdict = quiz.answer(4)
    assert (verdict.right, verdict.given, verdict.question.expected) == (False, 4.0, 5.0)
    assert (verdict.score, verdict.asked) == (4, 5)
    assert verdict.sentence.startswith("wrong (you said 4): ")
    assert verdict.sentence.endswith("/∂w = 5 (score 4/5)")
    verdict = quiz.answer("5")
    assert verdict.right and verdict.sentence.endswith("/∂w = 1 · 5 = 5 (score 5/6)")
    assert quiz.answer("−2").right  # the real minus sign, as the page writes it
    given_up = quiz.reveal()  # counted wrong
    g = node_names(f)[given_up.question.node]
    assert not given_up.right
    assert given_up.sentence == f"revealed: ∂f/∂x += ∂f/∂({g}) · ∂({g})/∂x = 1 · (−2) = −2 (score 6/8)"
    assert quiz.done and quiz.question is None and quiz.score == 6
    with pytest.raises(ValueError, match="the quiz is over: 6/8 right"):
        quiz.answer(1)


def test_an_answer_that_is_not_a_number_is_refused_and_the_question_stays():
    f, *_ = wxb_leaves()
    quiz = Quiz(f)
    with pytest.raises(ValueError, match="'one' is not a number; type one such as 5, −2, 0.25 or 1/4"):
        quiz.answer("one")
    with pytest.raises(ValueError, match="is not a number"):
        quiz.answer("__import__('os')")
    assert quiz.position == 0 and quiz.score == 0
    assert quiz.answer("2/2").right


def test_quiz_asks_the_running_total_where_a_node_is_reused_x():
    root, x, a = reused_x()
    quiz = Quiz(root)
    kinds = [(q.kind, q.expected) for q in quiz.questions if q.parent is x]
    assert kinds == [("local", 1.0), ("product", 12.0), ("local", 1.0), ("product", 12.0), ("total", 24.0)]
    total = [q for q in quiz.questions if q.kind == "total"]
    assert [q.prompt for q in total] == ["a had ∂b/∂a = 6 already; now ∂b/∂a = ?",
                                         "x had ∂b/∂x = 12 already; now ∂b/∂x = ?"]
    assert total[1].reveal == "∂b/∂x = 12 + 12 = 24"


def test_quiz_skips_constants_and_can_ask_one_kind():
    x = Value(4.0, "x")
    quiz = Quiz(3 * x, ask=("product",))
    assert [(q.kind, q.parent, q.expected) for q in quiz.questions] == [("product", x, 3.0)]
    assert quiz.questions[0].prompt.endswith("= 1 · ∂(x·3)/∂x = ?")  # the local is not revealed yet


def test_the_whole_learner_flow_on_a_typed_sigmoid():
    y = parse("y = sigmoid(w*x + b)", w=-2, x=5, b=3)
    quiz = Quiz(y)
    while not quiz.done:
        assert quiz.answer(f"{quiz.question.expected:.4g}").right  # typed as the page shows numbers
    assert quiz.score == len(quiz.questions) == 2 * 8  # w, x, w·x, b, z, −z, e^−z, 1+e^−z; not the constants
    assert [q.expected for q in quiz.questions if q.kind == "product" and q.parent.label == "w"] == [
        pytest.approx(jvp(y, "w"), rel=1e-15)]


def test_bad_quiz_settings_are_named():
    f, *_ = wxb_leaves()
    with pytest.raises(ValueError, match="ask must name some of local, product, total, got \\('guess',\\)"):
        Quiz(f, ask=("guess",))
    with pytest.raises(ValueError, match="rel_tol must be a number between 0 and 1"):
        Quiz(f, rel_tol=2)
    with pytest.raises(TypeError, match="Quiz needs the Value to differentiate"):
        Quiz("f")
