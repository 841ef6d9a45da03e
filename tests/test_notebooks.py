"""The notebooks: jupytext sources notebooks/NN_name.py, built into notebooks/NN_name.ipynb with their outputs by
scripts/build_notebooks.py. Each source runs top to bottom and prints the lecture's numbers; the committed .ipynb
has the source's cells, its pictures, and the numbers a fresh run prints (times and paths aside).

Running the four takes most of a minute (see docs/timings.md); select with `-m notebooks`, skip with
`-m "not notebooks"`.
"""
import copy
import importlib.util
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
build_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_notebooks)

NAMES = build_notebooks.names()

# what each executed notebook must print: regular expressions on the real results, not just "no error".
# Table rows are "run  first cost  train cost  train acc  [test acc  gap]  seconds" (4 significant digits).
NUM = r"[-+\d.e]+"
EXPECTED = {
    "01_chain_rule": [r"∂f/∂w = 5\b", r"local gradient of ×\(−1\) = -1\.0000",
                      r"local gradient of exp   = 0\.3679", r"local gradient of \+1    = 1\.0000",
                      r"local gradient of 1/x   = -0\.5344",
                      r"their product = 0\.196612", r"σ\(1 − σ\)      = 0\.196612",
                      # do it yourself: σ(w·x + b) typed at z = 0; two quiz answers; forward mode and the paths
                      # both give backward's ∂f/∂w = 1.25; x*x has two paths
                      r"f = 0\.5\n", r"\n16 questions\n",
                      r"right: ∂f/∂\(…\+1\) = −0\.25 \(score 1/1\)",
                      r"wrong \(you said 0\.25\): ∂f/∂\(…\+1\) \+= .* = −0\.25 \(score 1/2\)",
                      r"∂f/∂w = ∂f/∂\(…\+1\) · ∂\(…\+1\)/∂w = \(−0\.25\) · \(−5\) = 1\.25; backward\(\) finds "
                      r"∂f/∂w = 1\.25 too",
                      r"w → w·x → .* → f   5 · 1 · \(−1\) · 1 · 1 · \(−0\.25\) = 1\.25\n"
                      r"∂f/∂w = 1\.25, the product along the only path from w to f, as backward\(\) finds",
                      r"x →\(1st\) y   3 = 3\nx →\(2nd\) y   3 = 3\n"
                      r"∂y/∂x = 3 \+ 3 = 6, the sum over 2 paths from x to y, as backward\(\) finds"],
    "02_xor": [r"cost 0\.693147 \(ln 2 = 0\.693147\), accuracy 0\.5", r"outputs: \[0\.0112 0\.9949 0\.9949 0\.0244\]",
               r"accuracy 1\.0",
               # gates: each hand-set unit's truth table, XOR from three, one trained unit per gate
               r"AND  \(w1, w2, b\) = \(10, 10, -15\): outputs 0\.0000  0\.0067  0\.0067  0\.9933 → \[0, 0, 0, 1\], "
               r"truth table \[0, 0, 0, 1\]: right", r"\nOR   .* → \[0, 1, 1, 1\], truth table \[0, 1, 1, 1\]: right",
               r"\nNAND .* → \[1, 1, 1, 0\], truth table \[1, 1, 1, 0\]: right",
               r"xor_gates\(0, 1\) = 0\.9924\nxor_gates\(1, 0\) = 0\.9924\nxor_gates\(1, 1\) = 0\.0072",
               rf"\nAND +{NUM} +0\.00\d+ +1 ", rf"\nOR +{NUM} +0\.00\d+ +1 ", rf"\nXOR +{NUM} +0\.6931 +0\.5 ",
               r"XOR unit after training: w1 = -?\d\.\d+e-1\d, w2 = -?\d\.\d+e-1\d",   # no line left: w ≈ 0
               # Algorithm 6.4 on the hand-set net at (0, 1): every vector equals the scalar graph's
               r"g ← ∇ŷ J\n  g = │ −1\.005 │",
               r"15 lines \(6 forward, 9 backward\); largest \|numpy − scalar graph\| = 0\n",
               r"∂loss/∂W1\[1,0\] = 0\.002517, ∂loss/∂W1\[0,1\] = 0, ∂loss/∂W1\[1,1\] = 0\.0009839",
               r"∇W⁽¹⁾J = \[\[0\.0, 0\.002517\], \[0\.0, 0\.0009839\]\]"],
    "03_vanishing_gradients": [
        rf"\nsigmoid +{NUM} +0\.693\d +0\.5 ",                  # 9 sigmoid layers: cost ln 2, accuracy 0.5
        rf"\nrelu +{NUM} +0\.000\d+ +1 ",                        # ReLU: cost ~1e-4, accuracy 1
        r"relu: accuracy 1\.0 first at step \d+, and at every step from 1\d\d on",
        r"'sigmoid': 'layer 1 / layer 10 = [1-9]\.\de-05'", r"'relu': 'layer 1 / layer 10 = [1-9]\.\de-01'",
        rf"\nsigmoid +{NUM} +0\.6\d* +0\.8\d* ",                 # activations: sigmoid far behind
        rf"\nrelu +{NUM} +0\.05\d* +0\.99\d* ", rf"\nmaxout +{NUM} +0\.03\d* ",
        rf"\nlr=0\.1 +{NUM} +0\.01\d* +1 ", rf"\nlr=0\.01 +{NUM} +0\.6\d* +0\.5 "],
    "04_init_dropout_ensembles": [
        rf"\nnormal +1\d\.\d+ +0\.2\d* ", rf"\nhe +0\.5\d* +0\.04\d* +0\.98\d* +0\.98 ",
        r"he     std layer 1 → 6: 0\.59 → 1\.22",
        # the initialization story on bars and stripes: the RBM learns; small, RBM, Xavier and He (sigmoid) stay at
        # the prior's cost; N(0, 1) and the autoencoder learn; He with ReLU learns fastest
        r"reconstruction error: before training 0\.2500, .* epoch 50 0\.0[1-4]\d*\n",
        rf"\nnormal +1\.1\d* +0\.00\d+ +1 +0\.94 ", rf"\nsmall +{NUM} +0\.68\d* +0\.57\d* ",
        rf"\nrbm +0\.71\d* +0\.6\d* +0\.57\d* ", rf"\nautoencoder +1\.1\d* +0\.00\d+ +1 +0\.99 ",
        rf"\nxavier +{NUM} +0\.68\d* +0\.57\d* ", rf"\nhe +0\.7\d* +0\.68\d* +0\.57\d* ",
        rf"\nhe\+relu +{NUM} +0\.000\d+ +1 +0\.99 ",
        r"\nnormal +5\.\de-04 +1\.\de-01 +0\.1\d+ +2\.\de-02 +451\n", r"\nsmall +[1-9]\.\de-15 .* never\n",
        r"\nrbm +[1-9]\.\de-06 +\S+ +0\.0[34]\d +\S+ +never\n", r"\nautoencoder +[1-9]\.\de-03 .* 86\n",
        r"\nxavier +[1-9]\.\de-07 +\S+ +\S+ +[1-9]\.\de-05 +never\n", r"\nhe +[1-9]\.\de-06 .* never\n",
        r"\nhe\+relu +[1-9]\.\de-03 +[1-9]\.\de-03 +0\.5\d+ +\S+ +49\n",
        rf"\nplain +{NUM} +{NUM} +1 +0\.75\d* +0\.24\d* ",        # overfitting: gap ~0.25
        rf"\ndropout 0\.3 +{NUM} +{NUM} +1 +0\.79\d* +0\.20\d* ",
        rf"\nL2 0\.01 +{NUM} +0\.15\d* +0\.95 +0\.88\d* +0\.06\d* ",
        rf"\nensemble of 5 +{NUM} +0\.10\d* +0\.95 +0\.85\d* +0\.09\d* ",
        r"lr=0\.1: scalars \['accuracy', 'cost'\] × 3000 steps; "   # one run per folder, not two joined
        r"histograms \['layer1/biases', 'layer1/weights', 'layer2/biases', 'layer2/weights'\] × 30; graphs 1",
        r"lr=0\.01: scalars \['accuracy', 'cost'\] × 3000 steps; .* × 30; graphs 0",
        r"graph: 48 nodes, e\.g\. \['layer1/neuron0/mul_3', ",
        r"tensorboard --logdir \S*chainrule-logs-", r"logs deleted"],
}


def committed(name):
    """The committed notebooks/<name>.ipynb."""
    return nbformat.read(build_notebooks.notebook_path(name), as_version=4)


def test_there_are_four_notebooks_each_a_source_and_a_built_notebook():
    assert NAMES == ["01_chain_rule", "02_xor", "03_vanishing_gradients", "04_init_dropout_ensembles"]
    assert set(EXPECTED) == set(NAMES)
    for name in NAMES:
        assert build_notebooks.notebook_path(name).exists(), f"run python scripts/build_notebooks.py {name}"
    assert not (ROOT / "scripts" / "make_notebooks.py").exists()  # one generator: the sources themselves


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_the_sources_cells(name):
    source = [(cell.cell_type, cell.source) for cell in build_notebooks.load(name).cells]
    assert [(cell.cell_type, cell.source) for cell in committed(name).cells] == source, (
        f"{name}.ipynb differs from {name}.py: run python scripts/build_notebooks.py {name}")
    assert committed(name).metadata.kernelspec.name == "python3"
    assert committed(name).metadata.jupytext.formats == "ipynb,py:percent"  # Jupyter keeps the pair in step


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_shows_its_outputs_and_pictures(name):
    code = build_notebooks.code_cells(committed(name))
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))  # run in order, top to bottom
    assert "notebook ran in" in build_notebooks.printed(code[-1])
    for cell in code:  # every graph or plot is stored as an image, so GitHub shows it
        if re.search(r"\b(draw_dot|plot_\w+|weight_grad_graph)\(", cell.source):
            kinds = {kind for out in cell.outputs for kind in out.get("data", {})}
            assert kinds & {"image/png", "image/svg+xml"}, f"no image from: {cell.source.splitlines()[0]}"
        assert not [out for out in cell.outputs if out.output_type == "error"]


def test_chain_rule_notebook_ends_do_it_yourself_with_the_quiz_widget():
    cells = committed("01_chain_rule").cells
    start = next(i for i, cell in enumerate(cells) if cell.source.startswith("## Do it yourself: predict, go forward"))
    section = cells[start:]
    section = section[:next(i for i, cell in enumerate(section) if "notebook ran in" in cell.source)]
    code = [cell for cell in section if cell.cell_type == "code"]
    assert 'parse("f = sigmoid(w*x + b)"' in code[0].source
    assert code[-1].source == 'viz.step_through(f, mode="quiz")'  # the interactive quiz closes the section
    assert any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in code[-1].outputs)
    assert "export_html(f, \"quiz.html\", mode=\"quiz\")" in section[-2].source  # the page, for GitHub readers


def test_numbers_leave_out_times_paths_and_addresses():
    text = ("cost 0.693147 (ln 2 = 0.693147), 10,000 steps in 1.9 s\n"
            "lr=0.1   0.7063  0.0126  1  5.1 s\n"
            "−0.5344, 1.3e-04, layer1/neuron0 W1[0,1] at 0x7f3a2b\n"
            "tensorboard --logdir /tmp/_chainrule-logs-x81k2/lr0.1\n")
    assert build_notebooks.numbers(text) == [0.693147, 2, 0.693147, 10000, 0.1, 0.7063, 0.0126, 1,
                                             -0.5344, 1.3e-4, 0, 1]  # W1's 1 is a name, [0,1] an index


def test_numbers_agree_up_to_a_flip_of_their_last_printed_digit():
    same = build_notebooks.same_numbers
    assert same(["0.0126", "1.3e-04", "-0.5344"], ["0.0127", "1.4e-04", "-0.5343"])  # rounded the other way
    assert not same(["0.0126"], ["0.0128"]) and not same(["0.693147"], ["0.693157"])
    assert not same(["127"], ["128"])  # counts (steps, nodes) match exactly
    assert not same(["0.5", "1"], ["0.5"])


def test_a_changed_number_makes_a_notebook_stale_and_a_changed_time_does_not():
    fresh = committed("02_xor")
    k = next(i for i, cell in enumerate(build_notebooks.code_cells(fresh)) if "unit = MLP(2, [1]" in cell.source)
    assert build_notebooks.differences(fresh, committed("02_xor")) == []
    slower, worse = copy.deepcopy(fresh), copy.deepcopy(fresh)
    flipped = copy.deepcopy(fresh)
    for nb, old, new in ((slower, " s\n", "0 s\n"), (worse, "cost 0.693147", "cost 0.693157"),
                         (flipped, "cost 0.693147", "cost 0.693148")):
        for out in (out for cell in build_notebooks.code_cells(nb) for out in cell.outputs):
            if out.output_type == "stream":
                out.text = out.text.replace(old, new)
    assert build_notebooks.numbers(build_notebooks.printed(build_notebooks.code_cells(slower)[k])) == \
        build_notebooks.numbers(build_notebooks.printed(build_notebooks.code_cells(fresh)[k]))
    assert build_notebooks.differences(slower, fresh) == build_notebooks.differences(flipped, fresh) == []
    (reason,) = build_notebooks.differences(worse, fresh)
    assert reason == (f"code cell {k + 1} number 1 was 0.693147, now 0.693157 "
                      "(numbers around it: 0.693147 2 0.693147 0.5)")
    fewer = copy.deepcopy(fresh)
    build_notebooks.code_cells(fewer)[k].outputs.pop()
    assert build_notebooks.differences(fewer, fresh)[0].startswith(f"code cell {k + 1} printed 9 numbers, now ")
    edited = copy.deepcopy(fresh)
    edited.cells[0].source += " (edited)"
    assert build_notebooks.differences(edited, fresh) == ["its cells differ from the source's"]


def test_unknown_notebook_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_notebooks.main(["05_magic"])
    assert exit_.value.code == 2
    assert "unknown notebook '05_magic'; choose from 01_chain_rule, 02_xor" in capsys.readouterr().err


@pytest.mark.notebooks
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_prints_the_lectures_numbers_and_its_committed_outputs_are_current(name, tmp_path, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's scratch folders (TensorBoard logs) go here
    nb = build_notebooks.load(name)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    build_notebooks.execute(nb, cwd=tmp_path)  # raises CellExecutionError, with the traceback, if a cell fails

    assert build_notebooks.printed(nb.cells.pop(0)).strip() == sys.prefix, "the python3 kernel is not this Python"
    printed = "\n".join(build_notebooks.printed(cell) for cell in build_notebooks.code_cells(nb))
    for pattern in EXPECTED[name]:
        assert re.search(pattern, printed), f"{name} printed nothing matching {pattern!r}:\n{printed}"
    assert build_notebooks.differences(nb, committed(name)) == [], (
        f"notebooks/{name}.ipynb is stale: run python scripts/build_notebooks.py {name}")
    assert list(tmp_path.glob("chainrule-logs-*")) == []  # the notebook removed its temporary log folder
