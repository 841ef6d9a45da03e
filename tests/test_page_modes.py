"""The learner modes on the live page, in Chromium: predict then reveal, forward-mode tangents, every path.

Each mode's sentences and numbers are compared with its Python model in viz.modes (Quiz, tangent_steps,
path_table), which the terminal shows too.
"""
import pytest

from autograd import Value, parse, topological_order
from viz.examples import EXAMPLES, wxb
from viz.html import export_html
from viz.modes import Quiz, path_table, tangent_steps
from viz.notation import fmt

from conftest import needs_renderer, node_text, open_page


def sigmoid_of_wxb():
    """σ(w·x + b) typed in, at w = −2, x = 5, b = 3."""
    return parse("f = sigmoid(w*x + b)", w=-2, x=5, b=3)


def x_times_x(x=3.0):
    x = Value(x, "x")
    y = x * x
    y.label = "y"
    return y


def edge_label(page, parent, child, k=0):
    """The text on the k-th edge drawn from node n<parent> into n<child>'s op."""
    return page.locator(f"g.edge:has(> title:text-is('n{parent}->n{child}_op')) text").nth(k).text_content()


def verdict(page):
    """(text, colour class) of the quiz's last verdict."""
    el = page.locator(".cr-quiz-verdict")
    classes = el.get_attribute("class").split()
    return el.inner_text(), ("right" if "cr-right" in classes else "wrong" if "cr-wrong" in classes else None)


# --- predict, then reveal ---------------------------------------------------------------------------------------

@needs_renderer
def test_quiz_on_wxb_right_and_wrong_answers_colour_reveal_and_score(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "wxb.html", forward=True))
    model = Quiz(wxb())
    state = page.evaluate("chainrule.quiz(true)")
    assert (state["total"], state["score"], state["question"]["prompt"]) == (8, 0, model.question.prompt)
    assert page.evaluate("chainrule.steps") == 2  # the quiz is the backward pass
    assert edge_label(page, 0, 2) == "?" and edge_label(page, 1, 2) == "?"  # w → g and x → g: not revealed yet
    assert page.evaluate("chainrule.go(2)") == 1  # the page does not run ahead of the question asked
    for _ in range(4):  # step 1: f = g + b, two edges, each local then product
        assert page.evaluate("chainrule.answer(1)") is True
    assert page.evaluate("chainrule.quizState()")["question"]["prompt"] == \
        "the local gradient on the edge w → g: ∂g/∂w = ?"
    page.click(".cr-quiz-check")  # "Next question": on to step 2, where the question's edge is
    assert page.inner_text(".cr-counter") == "Step 2 / 2" and edge_label(page, 0, 2) == "? × 1 = ?"
    assert node_text(page, "n0") == ["w", "data −2", "grad ?"]  # w, the input being asked about
    field = page.locator(".cr-quiz-answer")
    field.fill("5")  # the local gradient of the × node with respect to w is x = 5
    field.press("Enter")
    assert verdict(page) == ("right: ∂g/∂w = 5 (score 5/5)", "right")
    assert edge_label(page, 0, 2) == "5 × 1 = ?"
    field.fill("4")  # the product local × upstream is 5 · 1 = 5, not 4
    page.click(".cr-quiz-check")
    assert verdict(page) == ("wrong (you said 4): ∂f/∂w += ∂f/∂g · ∂g/∂w = 1 · 5 = 5 (score 5/6)", "wrong")
    assert edge_label(page, 0, 2) == "5 × 1 = 5" and node_text(page, "n0") == ["w", "data −2", "grad 5"]
    assert page.inner_text(".cr-quiz-score") == "score 5 / 6 (8 questions)"
    assert page.evaluate("chainrule.answer('−2')") is True  # ∂g/∂x = w, typed with a real minus sign
    assert page.evaluate("chainrule.reveal()") == "revealed: ∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2 (score 6/8)"
    state = page.evaluate("chainrule.quizState()")
    assert (state["done"], state["score"], state["asked"]) == (True, 6, 8)
    assert [v["right"] for v in state["verdicts"]] == [True] * 5 + [False, True, False]
    assert page.inner_text(".cr-sentence") == ("∂f/∂w += ∂f/∂g · ∂g/∂w = 1 · 5 = 5; "
                                               "∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2")  # the step, all revealed
    assert page.is_disabled(".cr-quiz-answer") and page.inner_text(".cr-quiz-prompt").startswith("Done: 6 of 8 right")
    page.evaluate("chainrule.quiz(false)")
    assert page.evaluate("chainrule.steps") == 7 and page.evaluate("chainrule.quizState()") == {"on": False}
    assert page.errors == []


@needs_renderer
def test_quiz_on_a_typed_expression_asks_what_python_asks(browser, tmp_path):
    root = sigmoid_of_wxb()
    page = open_page(browser, export_html(root, tmp_path / "sigmoid.html"))
    page.evaluate("chainrule.quiz(true)")
    model = Quiz(root)
    for k, question in enumerate(model.questions):
        state = page.evaluate("chainrule.quizState()")
        assert state["question"] == {"kind": question.kind, "step": question.step + 1, "prompt": question.prompt}
        if k == 3:  # a wrong answer: 1 % off
            given = question.expected * 1.01
        elif k == 4:  # the expected number as the page writes it, 4 digits: within 1e-3
            given = float(fmt(question.expected).replace("\u2212", "-"))
        else:
            given = question.expected
        right = page.evaluate("v => chainrule.answer(v)", given)
        assert right == model.answer(given).right == (k != 3)
        assert verdict(page)[0] == model.verdicts[-1].sentence
    state = page.evaluate("chainrule.quizState()")
    assert (state["done"], state["score"], state["total"]) == (True, len(model.questions) - 1, 16)
    assert state["score"] == model.score and page.errors == []


@needs_renderer
def test_quiz_asks_the_total_where_a_node_is_reused(browser, tmp_path):
    page = open_page(browser, export_html(x_times_x(), tmp_path / "xx.html"))
    page.evaluate("chainrule.quiz(true)")
    for value in (3, 3, 3):  # slot 0: local, product; slot 1: local
        assert page.evaluate("v => chainrule.answer(v)", value) is True
    page.evaluate("chainrule.answer(3)")  # slot 1's product
    assert page.evaluate("chainrule.quizState()")["question"]["prompt"] == "x had ∂y/∂x = 3 already; now ∂y/∂x = ?"
    assert node_text(page, "n0") == ["x", "data 3", "grad ?"]
    assert page.evaluate("chainrule.answer('6')") is True and node_text(page, "n0") == ["x", "data 3", "grad 6"]


@needs_renderer
def test_quiz_refuses_text_that_is_not_a_number_and_restarts_when_a_value_changes(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "wxb.html"))
    page.evaluate("chainrule.quiz(true)")
    field = page.locator(".cr-quiz-answer")
    field.fill("one")
    field.press("Enter")
    assert verdict(page)[0] == "“one” is not a number; type one such as 5, −2, 0.25 or 1/4"
    assert page.evaluate("chainrule.quizState()")["asked"] == 0  # not counted
    field.fill("2/2")
    field.press("Enter")
    assert verdict(page) == ("right: ∂f/∂g = 1 (score 1/1)", "right")
    page.evaluate("chainrule.set('x', 4)")  # new numbers: the quiz starts again with them
    state = page.evaluate("chainrule.quizState()")
    assert (state["asked"], state["score"]) == (0, 0) and verdict(page)[0] == ""
    for value in (1, 1, 1, 1, 4):
        page.evaluate("v => chainrule.answer(v)", value)
    assert page.evaluate("chainrule.quizState()")["score"] == 5 and page.errors == []


# --- forward mode -----------------------------------------------------------------------------------------------

@needs_renderer
@pytest.mark.parametrize("name", ["wxb", "sigmoid", "xor_loss"])
def test_forward_mode_ends_at_backwards_gradient_for_every_leaf(browser, tmp_path, name):
    root = sigmoid_of_wxb() if name == "sigmoid" else EXAMPLES[name]()
    page = open_page(browser, export_html(root, tmp_path / f"{name}.html"))
    inputs = [v for v in topological_order(root) if not v.parents and v.label]
    for leaf in inputs:
        steps = tangent_steps(root, leaf)
        got = page.evaluate("leaf => chainrule.forward(leaf)", leaf.label)
        assert got["steps"] == len(steps) and got["leaf"] == leaf.label
        assert got["tangent"] == pytest.approx(steps[-1].backward, rel=1e-12, abs=1e-300)
        assert got["gradient"] == pytest.approx(steps[-1].backward, rel=1e-12, abs=1e-300)
        assert page.evaluate("chainrule.step") == topological_order(root).index(leaf) + 1  # it opens at the seed
        assert page.inner_text(".cr-sentence") == steps[topological_order(root).index(leaf)].sentence
        page.keyboard.press("End")
        assert page.inner_text(".cr-sentence") == steps[-1].sentence
        assert "the same derivative, the other way round" in steps[-1].sentence
    assert page.errors == []


@needs_renderer
def test_forward_mode_steps_read_as_python_and_label_the_edges(browser, tmp_path):
    root = sigmoid_of_wxb()
    steps = tangent_steps(root, "x")
    page = open_page(browser, export_html(root, tmp_path / "sigmoid.html", mode="tangents", leaf="x"))
    assert page.text_content(".cr-kind") == "forward mode" and page.input_value(".cr-leaf") == "1"
    for i, step in enumerate(steps, start=1):
        page.evaluate(f"chainrule.go({i})")
        assert page.inner_text(".cr-sentence") == step.sentence
    page.evaluate("chainrule.go(3)")  # w·x: its edge from x carries local × tangent of x, (−2) × 1
    assert edge_label(page, 1, 2) == "(−2) × 1 = −2" and node_text(page, "n2")[2] == "∂/∂x −2"
    assert node_text(page, "n4")[2] == "∂/∂x ?"  # not reached yet
    page.locator("g.node:has(> title:text-is('n3')) text").first.click()  # click the input b: start from it
    assert page.evaluate("chainrule.forward()")["leaf"] == "b" and page.errors == []


# --- every path -------------------------------------------------------------------------------------------------

@needs_renderer
def test_paths_of_x_times_x_add_up_to_the_gradient(browser, tmp_path):
    root = x_times_x()
    table = path_table(root, "x")
    page = open_page(browser, export_html(root, tmp_path / "xx.html"))
    rows = page.evaluate("chainrule.paths('x')")
    assert [(r["route"], r["factors"], r["product"]) for r in rows] == [
        ("x →(1st) y", "3", 3.0), ("x →(2nd) y", "3", 3.0)] == [(r.route, r.factors, r.product) for r in table.rows]
    assert page.evaluate("chainrule.pathSum()") == {"total": 6, "gradient": 6, "sentence": table.sentence}
    assert table.sentence == "∂y/∂x = 3 + 3 = 6, the sum over 2 paths from x to y, as backward() finds"
    assert page.inner_text(".cr-paths-sum") == table.sentence
    assert page.locator(".cr-path-list li").all_inner_texts() == ["x →(1st) y 3 = 3", "x →(2nd) y 3 = 3"]
    assert page.evaluate("chainrule.highlightPath(1)") == ["x", "y"]
    on = page.locator("g.edge.on-path > title").all_text_contents()
    assert on == ["n0->n1_op"] and page.locator("g.edge.off-path").count() == 1  # one of the two x → y edges
    assert page.locator(".cr-path-list li.cr-shown").inner_text() == "x →(2nd) y 3 = 3"
    page.locator(".cr-path-list li").nth(0).hover()
    assert page.locator(".cr-path-list li.cr-shown").inner_text() == "x →(1st) y 3 = 3"
    assert page.errors == []


@needs_renderer
def test_paths_of_a_lecture_loss_sum_to_its_gradients(browser, tmp_path):
    root = EXAMPLES["xor_loss"]()
    page = open_page(browser, export_html(root, tmp_path / "xor.html"))
    root.backward()
    for leaf in [v for v in topological_order(root) if not v.parents and v.label]:
        table = path_table(root, leaf)
        rows = page.evaluate("leaf => chainrule.paths(leaf)", leaf.label)
        assert [r["route"] for r in rows] == [r.route for r in table.rows]
        assert [r["product"] for r in rows] == pytest.approx([r.product for r in table.rows], rel=1e-12)
        got = page.evaluate("chainrule.pathSum()")
        assert got["total"] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-300)
        assert got["sentence"] == table.sentence and page.inner_text(".cr-paths-sum") == table.sentence
    assert page.errors == []


@needs_renderer
def test_too_many_paths_say_so_and_offer_forward_mode(browser, tmp_path):
    x = Value(1.0, "x")
    y = x
    for _ in range(14):  # 2¹⁴ = 16,384 paths from x
        y = y * y
    y.label = "y"
    page = open_page(browser, export_html(y, tmp_path / "many.html"))
    assert page.evaluate("chainrule.paths('x')") is None
    assert page.inner_text(".cr-paths-sum") == ("More than 10,000 paths lead from x to y: too many to list. "
                                                "Forward mode gives their sum, ∂y/∂x = 1.638e+04, in one pass.")
    assert page.locator(".cr-path-list li").count() == 0
    page.click(".cr-to-forward")
    assert page.evaluate("chainrule.mode") == "tangents" and page.text_content(".cr-kind") == "forward mode"
    assert page.errors == []


@needs_renderer
def test_click_an_input_to_list_its_paths_and_the_mode_buttons(browser, tmp_path):
    page = open_page(browser, export_html(wxb(), tmp_path / "wxb.html"))
    page.click(".cr-mode[data-mode='paths']")
    assert page.inner_text(".cr-paths-title") == "1 path from w to f"
    page.locator("g.node:has(> title:text-is('n3')) text").first.click()  # b
    assert page.inner_text(".cr-paths-title") == "1 path from b to f"
    assert page.inner_text(".cr-paths-sum") == path_table(wxb(), "b").sentence
    page.select_option(".cr-leaf", label="x")
    assert page.inner_text(".cr-paths-sum") == "∂f/∂x = −2, the product along the only path from x to f, as backward() finds"
    page.click(".cr-mode[data-mode='quiz']")
    assert page.locator(".cr-paths").is_hidden() and page.locator(".cr-quiz").is_visible()
    assert page.locator(".off-path").count() == 0  # nothing left faded
    page.click(".cr-mode[data-mode='steps']")
    assert page.locator(".cr-quiz").is_hidden() and page.text_content(".cr-kind") == "backward pass"
    with pytest.raises(Exception, match="not an input of this graph; the inputs are w, x, b"):
        page.evaluate("chainrule.paths('g')")
    assert page.errors == []


def test_export_html_names_a_bad_mode_or_leaf(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of steps, quiz, tangents, paths, got 'quizz'"):
        export_html(wxb(), tmp_path / "x.html", mode="quizz")
    with pytest.raises(ValueError, match="leaf 'g' is not an input of the graph; the inputs are w, x, b"):
        export_html(wxb(), tmp_path / "x.html", mode="paths", leaf="g")
