"""The notebooks: committed clean and equal to scripts/make_notebooks.py, and each runs top to bottom.

Running them takes about 70 s in all (measured on the shared 2-core machine); select with `-m notebooks`, skip
with `-m "not notebooks"`.
"""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "scripts" / "make_notebooks.py")
make_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_notebooks)

NAMES = list(make_notebooks.NOTEBOOKS)

# what each executed notebook must print: regular expressions on the real results, not just "no error".
# Table rows are "run  first cost  train cost  train acc  [test acc  gap]  seconds" (4 significant digits).
NUM = r"[-+\d.e]+"
EXPECTED = {
    "01_chain_rule": [r"∂f/∂w = 5\b", r"local gradient of ×\(−1\) = -1\.0000",
                      r"local gradient of exp   = 0\.3679", r"local gradient of \+1    = 1\.0000",
                      r"local gradient of 1/x   = -0\.5344",
                      r"their product = 0\.196612", r"σ\(1 − σ\)      = 0\.196612"],
    "02_xor": [r"cost 0\.693147 \(ln 2 = 0\.693147\), accuracy 0\.5", r"outputs: \[0\.0112 0\.9949 0\.9949 0\.0244\]",
               r"accuracy 1\.0"],
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
        rf"\nplain +{NUM} +{NUM} +1 +0\.75\d* +0\.24\d* ",        # overfitting: gap ~0.25
        rf"\ndropout 0\.3 +{NUM} +{NUM} +1 +0\.82\d* +0\.17\d* ",
        rf"\nL2 0\.01 +{NUM} +0\.15\d* +0\.95 +0\.88\d* +0\.06\d* ",
        rf"\nensemble of 5 +{NUM} +0\.10\d* +0\.95 +0\.85\d* +0\.09\d* ",
        r"lr=0\.1: scalars \['accuracy', 'cost'\] × 3000 steps; "   # one run per folder, not two joined
        r"histograms \['layer1/biases', 'layer1/weights', 'layer2/biases', 'layer2/weights'\] × 30; graphs 1",
        r"lr=0\.01: scalars \['accuracy', 'cost'\] × 3000 steps; .* × 30; graphs 0",
        r"graph: 48 nodes, e\.g\. \['layer1/neuron0/mul_3', ",
        r"tensorboard --logdir \S*chainrule-logs-"],
}


def test_there_are_four_notebooks():
    assert NAMES == ["01_chain_rule", "02_xor", "03_vanishing_gradients", "04_init_dropout_ensembles"]
    assert set(EXPECTED) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_is_the_generated_one_without_outputs(name):
    path = make_notebooks.path(name)
    assert path.exists(), f"{path} is missing: run python scripts/make_notebooks.py"
    assert path.read_text(encoding="utf-8") == make_notebooks.text(make_notebooks.build(name)), (
        f"{path.name} differs from scripts/make_notebooks.py: edit the script and rerun it")
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert nb.metadata.kernelspec.name == "python3"


def test_check_flags_a_stale_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(make_notebooks, "NOTEBOOK_DIR", tmp_path)
    assert make_notebooks.main(["01_chain_rule"]) == 0
    assert make_notebooks.main(["--check", "01_chain_rule"]) == 0
    path = tmp_path / "01_chain_rule.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("chain rule", "chain rules"), encoding="utf-8")
    assert make_notebooks.main(["--check", "01_chain_rule"]) == 1
    assert "stale notebooks" in capsys.readouterr().err


def test_execute_writes_only_into_its_folder(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    monkeypatch.setattr(make_notebooks, "NOTEBOOK_DIR", notebooks)
    monkeypatch.setattr(make_notebooks, "execute", lambda nb, cwd: nb)  # the real run is tested below
    assert make_notebooks.main(["--execute", str(tmp_path / "out"), "01_chain_rule"]) == 0
    assert not notebooks.exists()
    assert (tmp_path / "out" / "01_chain_rule.ipynb").read_text(encoding="utf-8") == make_notebooks.text(
        make_notebooks.build("01_chain_rule"))


def _text(cell):
    """Everything a cell printed or returned as text."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


@pytest.mark.notebooks
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # TensorBoard logs and any scratch files go here
    nb = nbformat.read(make_notebooks.path(name), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    make_notebooks.execute(nb, cwd=tmp_path)  # raises CellExecutionError, with the traceback, if a cell fails

    assert _text(nb.cells[0]).strip() == sys.prefix, "the python3 kernel is not this environment's Python"
    code = [cell for cell in nb.cells[1:] if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    printed = "\n".join(_text(cell) for cell in code)
    for pattern in EXPECTED[name]:
        assert re.search(pattern, printed), f"{name} printed nothing matching {pattern!r}:\n{printed}"
    assert "notebook ran in" in _text(code[-1])
    for cell in code:  # every picture or plot shows as an image
        if re.search(r"\b(draw_dot|plot_\w+)\(", cell.source):
            kinds = {kind for out in cell.outputs for kind in out.get("data", {})}
            assert kinds & {"image/png", "image/svg+xml"}, f"no image from: {cell.source.splitlines()[0]}"
