"""The notebooks: committed clean and equal to scripts/make_notebooks.py, and each runs top to bottom.

Running them takes about two minutes in all; select with `-m notebooks`, skip with `-m "not notebooks"`.
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

# text each executed notebook must print: the real results, not just "no error"
EXPECTED = {
    "01_chain_rule": ["∂f/∂w = 5", "their product = 0.196612", "σ(1 − σ)      = 0.196612"],
    "02_xor": ["cost 0.693147 (ln 2 = 0.693147), accuracy 0.5", "outputs: [0.0112 0.9949 0.9949 0.0244]",
               "accuracy 1.0"],
    "03_vanishing_gradients": ["vanishing gradients:", "layer 1 / layer 10", "activations:", "learning rates:"],
    "04_init_dropout_ensembles": ["initialization:", "overfitting:", "tensorboard --logdir",
                                  "histograms ['layer1/biases', 'layer1/weights', 'layer2/biases', 'layer2/weights']"],
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
    for text in EXPECTED[name]:
        assert text in printed, f"{name} did not print {text!r}"
    assert "notebook ran in" in _text(code[-1])
    for cell in code:  # every picture or plot shows as an image
        if re.search(r"\b(draw_dot|plot_\w+)\(", cell.source):
            kinds = {kind for out in cell.outputs for kind in out.get("data", {})}
            assert kinds & {"image/png", "image/svg+xml"}, f"no image from: {cell.source.splitlines()[0]}"
