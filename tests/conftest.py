"""Shared test settings. Under CI (CI=true) a skipped test fails: CI installs every optional tool, so a skip there
would hide a test that never runs."""
import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every optional tool is installed: {report.longrepr}"
