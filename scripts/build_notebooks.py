"""Build the teaching notebooks: run each jupytext source notebooks/NN_name.py and write notebooks/NN_name.ipynb
with its outputs (printed numbers, graphs as SVG, plots as PNG), so that GitHub shows them.

    python scripts/build_notebooks.py               # run every source, write every .ipynb
    python scripts/build_notebooks.py 02_xor        # just one
    python scripts/build_notebooks.py --check       # run the sources; exit 1 if a committed .ipynb is stale

Edit the .py sources (plain Python in percent format: `# %%` starts a cell, `# %% [markdown]` a prose cell;
Jupyter with jupytext opens them as notebooks), then run this. A committed .ipynb is current when its cells
equal the source's and every number its cells print equals the fresh run's. Times ("1.2 s"), absolute paths
and memory addresses are left out of the comparison: they change from run to run.
Needs pip install "chainrule[notebooks]" (jupytext, nbclient, ipykernel, nbformat).
"""
import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL = "python3"

# what the comparison leaves out of printed text: a time with its unit, an absolute path, a memory address
_UNSTABLE = re.compile(r"\d[\d.,]*\s?s\b|(?<!\S)/\S*|0x[0-9a-fA-F]+")
# a number on its own (not inside a name like W1): sign, thousands separated by commas, decimals, exponent
_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?(?!\w)")


def names():
    """The notebooks, in order: the stems of notebooks/NN_*.py."""
    return sorted(path.stem for path in NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))


def source_path(name):
    """notebooks/<name>.py: the jupytext source, the file to edit."""
    return NOTEBOOK_DIR / f"{name}.py"


def notebook_path(name):
    """notebooks/<name>.ipynb: the built notebook, committed with its outputs."""
    return NOTEBOOK_DIR / f"{name}.ipynb"


def load(name):
    """The source notebooks/<name>.py as an nbformat notebook without outputs, with stable cell ids."""
    import jupytext

    path = source_path(name)
    if not path.exists():
        raise ValueError(f"no notebook source {path}; choose from {', '.join(names())}")
    nb = jupytext.read(path, fmt="py:percent")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids, so a rebuild changes only what changed
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, cwd, timeout=600):
    """Run every cell of `nb` in place on the python3 kernel (this Python's ipykernel), in folder `cwd`."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, kernel_name=KERNEL, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def run(name):
    """The source of `name`, executed in a temporary folder (removed afterwards): a notebook with outputs."""
    nb = load(name)
    with tempfile.TemporaryDirectory(prefix=f"chainrule-{name}-") as cwd:
        return execute(nb, cwd)


def printed(cell):
    """What a code cell printed: its stdout, and the text of results that have no richer form (an image,
    a widget, HTML), since a rich result's text/plain is only its fallback."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data") and set(out.data) == {"text/plain"}:
            parts.append(out.data["text/plain"] + "\n")
    return "".join(parts)


def printed_numbers(text):
    """The numbers in `text` as printed (strings), leaving out times, absolute paths and memory addresses."""
    return [match.replace(",", "").replace("−", "-") for match in _NUMBER.findall(_UNSTABLE.sub(" ", text))]


def numbers(text):
    """The numbers in `text` as floats, leaving out times, absolute paths and memory addresses."""
    return [float(number) for number in printed_numbers(text)]


def _last_digit(number):
    """The value of one unit in the last printed digit of `number` ("0.0126" -> 1e-4, "1.3e-04" -> 1e-5), or 0 for
    an integer (a count, which must match exactly)."""
    mantissa, _, exponent = number.partition("e")
    if "." not in mantissa:
        return 0.0 if not exponent else 10.0 ** int(exponent)
    return 10.0 ** (int(exponent or 0) - len(mantissa.split(".")[1]))


def same_numbers(new, old):
    """Whether two lists of printed numbers agree: integers exactly, decimals up to a flip of their last digit
    (another machine's floating point may round the other way)."""
    return len(new) == len(old) and all(
        abs(float(x) - float(y)) <= 1.01 * max(_last_digit(x), _last_digit(y)) for x, y in zip(new, old))


def code_cells(nb):
    """The notebook's code cells."""
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def differences(fresh, committed):
    """Why `committed` is not the build of `fresh` (both executed notebooks): a list of reasons, empty when current.

    Cells must match in kind and source; each code cell must print the same numbers (see same_numbers).
    """
    cells = [(cell.cell_type, cell.source) for cell in fresh.cells]
    if cells != [(cell.cell_type, cell.source) for cell in committed.cells]:
        return ["its cells differ from the source's"]
    reasons = []
    for i, (new, old) in enumerate(zip(code_cells(fresh), code_cells(committed))):
        if not old.get("execution_count"):
            reasons.append(f"code cell {i + 1} was not run")
            continue
        now, then = printed_numbers(printed(new)), printed_numbers(printed(old))
        if not same_numbers(now, then):
            reasons.append(f"code cell {i + 1} {_first_difference(now, then)}")
    return reasons


def _first_difference(now, then):
    """Where two lists of printed numbers part: "printed 12 numbers, now 14" or "number 3 was 0.5, now 0.25"."""
    if len(now) != len(then):
        return f"printed {len(then)} numbers, now {len(now)}"
    k = next(k for k, (x, y) in enumerate(zip(now, then)) if not same_numbers([x], [y]))
    return f"number {k + 1} was {then[k]}, now {now[k]} (numbers around it: {' '.join(then[max(k - 3, 0):k + 4])})"


def text(nb):
    """The notebook as the exact text written to disk."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def build(name):
    """Run the source of `name` and write notebooks/<name>.ipynb with its outputs; returns the seconds taken."""
    start = time.perf_counter()
    nb = run(name)
    notebook_path(name).write_text(text(nb), encoding="utf-8")
    return time.perf_counter() - start


def stale(name):
    """Run the source of `name` and compare with the committed notebook: the reasons it is stale, or []."""
    import nbformat

    if not notebook_path(name).exists():
        return [f"{notebook_path(name).name} is missing"]
    return differences(run(name), nbformat.read(notebook_path(name), as_version=4))


def main(argv=None):
    """The command line (see the module docstring). Returns the exit code: 1 if --check found a stale notebook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed .ipynb is stale; write nothing")
    parser.add_argument("names", nargs="*", help=f"notebooks to build (default all: {', '.join(names())})")
    args = parser.parse_args(argv)
    for name in args.names:
        if name not in names():
            parser.error(f"unknown notebook {name!r}; choose from {', '.join(names())}")
    failed = False
    for name in args.names or names():
        if args.check:
            reasons = stale(name)
            failed = failed or bool(reasons)
            print(f"{name}: " + ("; ".join(reasons) + " (run python scripts/build_notebooks.py)" if reasons else "current"))
        else:
            print(f"wrote {notebook_path(name).relative_to(ROOT)} in {build(name):.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
