"""Measure the run times the docs quote, on this machine, and write them to docs/timings.md.

    python scripts/timings.py              # a few minutes; writes docs/timings.md
    python scripts/timings.py --no-write   # print the page only
    python scripts/timings.py --only cli   # just the commands (or: notebooks), printed, not written

Every time is one run, wall clock, as a new user sees it: a notebook executed from its source on a fresh kernel
(kernel start included, as scripts/build_notebooks.py runs it), a command run as a fresh process. The page
names the machine (CPU model, cores, load average before the runs): other work on a shared machine slows
everything down, so read the times as a guide and measure on yours. No doc quotes a time this page lacks.
"""
import argparse
import datetime
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "timings.md"

# the commands the README and docs/lab.md show, as `chainrule ...` arguments
COMMANDS = [
    "train xor --hidden 2 --activation sigmoid --steps 10000 --lr 0.1 --seed 17",
    "train xor --hidden 10,10,10 --plot out/curve.png --graph out/net.svg",
    "train moons --hidden 8,8 --activation relu --init he --optimizer adam --lr 0.05 --steps 300 "
    "--batch-size 32 --boundary out/moons.png",
    "demo",
]


def _script(name):
    """The module scripts/<name>.py or benchmarks/<name>.py, loaded by path (neither folder is a package)."""
    path = next(p for p in (ROOT / "scripts" / f"{name}.py", ROOT / "benchmarks" / f"{name}.py") if p.exists())
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def machine_line():
    """One line naming the machine: date, CPU model, cores, load average now, Python and numpy versions."""
    info = _script("bench").machine()  # the same description as the benchmark table's
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    versions = ", ".join(f"{name} {v}" for name, v in info["versions"].items() if v and name in ("python", "numpy"))
    return (f"{datetime.date.today()}, {info['cpu']}, {info['cores']} cores (nproc), load average {load:.1f} "
            f"before the runs, {versions}")


def time_notebooks():
    """[(what, seconds)]: each notebook run from its source on a fresh kernel."""
    build = _script("build_notebooks")
    rows = []
    for name in build.names():
        start = time.perf_counter()
        build.run(name)
        rows.append((f"notebook `{name}` (kernel start included)", time.perf_counter() - start))
        print(f"{rows[-1][0]}: {rows[-1][1]:.1f} s", file=sys.stderr, flush=True)
    return rows


def time_commands():
    """[(what, seconds)]: each of COMMANDS as a fresh `python -m viz` process, in a temporary folder."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="chainrule-timings-") as cwd:
        for command in COMMANDS:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "viz", *command.split()], cwd=cwd, check=True,
                           stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
            rows.append((f"`chainrule {command}`", time.perf_counter() - start))
            print(f"{rows[-1][0]}: {rows[-1][1]:.1f} s", file=sys.stderr, flush=True)
    return rows


def page(machine, rows):
    """docs/timings.md: the machine and a table of (what, seconds)."""
    lines = ["# Timings", "",
             "Measured by `python scripts/timings.py`, one run each, wall clock (a notebook from its source on a",
             "fresh kernel, a command as a fresh process). Other work on the machine slows everything down: read",
             "the times as a guide, and run the script to measure your machine.", "",
             f"Machine: {machine}.", "",
             "| what | seconds |", "|---|---|"]
    lines += [f"| {what} | {seconds:.1f} |" for what, seconds in rows]
    return "\n".join(lines) + "\n"


def main(argv=None):
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("notebooks", "cli"), help="time only these and print them (no write)")
    parser.add_argument("--no-write", action="store_true", help=f"print the page; leave {PAGE.name} as it is")
    args = parser.parse_args(argv)
    machine = machine_line()
    rows = (time_notebooks() if args.only != "cli" else []) + (time_commands() if args.only != "notebooks" else [])
    text = page(machine, rows)
    print(text)
    if not (args.no_write or args.only):
        PAGE.write_text(text, encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
