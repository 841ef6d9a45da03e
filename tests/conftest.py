"""Shared test settings and helpers.

Under CI (CI=true) a skipped test fails: CI installs every optional tool, so a skip there would hide a test
that never runs.

Helpers for the test files (import them: `from conftest import sigmoid, anywhere`):
- input samplers `anywhere`, `positive`, `nonzero` (rng, n) -> n floats where an op is defined and central
  differences are accurate; `with_edges(sampler)` adds that domain's extreme values (0, ±1e-300, ±800, ...);
- `sigmoid(z)`, the logistic function written out in floats: the oracle for every σ in the tests;
- `one_line_error(capsys, argv, prefix)`: runs the CLI, which must fail with exit code 2 and one line on stderr.
"""
import math
import os

import numpy as np
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every optional tool is installed: {report.longrepr}"


# --- input samplers: (rng, n) -> numpy array of n floats --------------------------------------------------------


def anywhere(rng, n):
    """Any real input (add, mul, exp, tanh, ...): uniform on [−3, 3]."""
    return rng.uniform(-3, 3, n)


def positive(rng, n):
    """Inputs of log and of a real power: uniform on [0.2, 3], away from the pole at 0."""
    return rng.uniform(0.2, 3, n)


def nonzero(rng, n):
    """Inputs of 1/x: either sign, at least 0.3 away from 0."""
    return rng.choice([-1, 1], n) * rng.uniform(0.3, 3, n)


# each domain's extremes: signed zeros, the smallest and largest floats, and where exp over- or underflows
EDGES = {
    anywhere: (0.0, -0.0, 1e-300, 50.0, -50.0, 800.0, -800.0),
    positive: (1e-300, 1e300),
    nonzero: (1e-300, -1e300),
}


def with_edges(sampler):
    """The sampler followed by its domain's extreme values (EDGES): for tests that compare two implementations
    value by value, where central differences would not be accurate."""
    if sampler not in EDGES:
        raise ValueError(f"with_edges takes one of anywhere, positive, nonzero; got {sampler!r}")

    def sample(rng, n):
        return np.r_[sampler(rng, n), EDGES[sampler]]

    sample.__name__ = f"{sampler.__name__}_with_edges"
    return sample


# --- oracles and CLI helpers -----------------------------------------------------------------------------------


def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z) in plain floats."""
    return 1.0 / (1.0 + math.exp(-z))


def one_line_error(capsys, argv, prefix="chainrule "):
    """Run `chainrule argv`; assert exit code 2 and exactly one line on stderr starting with `prefix`; return it."""
    from viz.cli import main

    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, f"chainrule {' '.join(argv)} exited with {code}, not 2; stderr: {err}"
    assert err.count("\n") == 1 and err.startswith(prefix), f"not one line starting with {prefix!r}: {err!r}"
    return err
