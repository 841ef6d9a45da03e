"""The benchmark script runs (tiny sizes) and writes a complete, valid JSON file. No timing is asserted."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
ENGINES = ["chainrule eager", "chainrule compiled", "micrograd 0.1.0", "numpy vectorized"]  # torch: slow to import


def test_quick_run_writes_json_and_markdown_but_not_the_committed_results(tmp_path):
    committed = BENCH.parent / "results" / "latest.json"
    before = (committed.read_bytes(), committed.stat().st_mtime_ns) if committed.exists() else None
    env = dict(os.environ, TMPDIR=str(tmp_path))  # --quick's default output goes to the temp directory
    run = subprocess.run([sys.executable, str(BENCH), "--quick", "--engines", ",".join(ENGINES)],
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "chainrule-bench-quick.json"
    assert f"wrote {out}" in run.stderr
    after = (committed.read_bytes(), committed.stat().st_mtime_ns) if committed.exists() else None
    assert after == before
    result = json.loads(out.read_text())
    assert result["quick"] is True and result["repeats"] >= 5 and result["gc"] == "on"
    assert result["machine"]["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    keys = [w["key"] for w in result["workloads"]]
    assert keys[:3] == ["ops", "chain 500", "chain 5,000"]
    assert keys[-4:] == ["memory", "moons step", "xor 2-10-10-10-1", "xor 9 sigmoid layers"]
    for workload in result["workloads"]:
        assert set(workload["results"]) == set(ENGINES)
        for engine, cell in workload["results"].items():
            assert len({"median", "skipped", "error"} & set(cell)) == 1, (workload["key"], engine, cell)
            if "median" in cell:
                assert cell["median"] > 0 and len(cell["samples"]) >= 1 and cell["unit"]
    page = result["page_checks"]  # the step-through page's targets, measured in the same run
    assert any(label.startswith("page KB, xor_loss") for label in page)
    assert any(label.startswith("page step ms in Chromium") for label in page)
    assert all(check["value"] > 0 and check["met"] in (True, False) for check in page.values())
    (view,) = result["view_checks"].values()  # the live training view against fit alone, in the same run
    assert view["value"] > 0.5 and view["target"] == "<= 1.2"
    moons = next(w for w in result["workloads"] if w["key"] == "moons step")["results"]
    assert all("median" in moons[e] for e in ["chainrule eager", "chainrule compiled", "numpy vectorized"])
    assert "record_ms" in moons["chainrule compiled"]
    for key in ("xor 2-10-10-10-1", "xor 9 sigmoid layers"):  # the lecture's nets against hand-written numpy
        lecture = next(w for w in result["workloads"] if w["key"] == key)["results"]
        assert all("median" in lecture[e] for e in ["chainrule eager", "chainrule compiled", "numpy vectorized"])
        assert "skipped" in lecture["micrograd 0.1.0"]
    eager_chain = next(w for w in result["workloads"] if w["key"] == "chain 5,000")["results"]["chainrule eager"]
    assert {"build_us", "backward_us", "gc_us"} <= set(eager_chain)

    table = subprocess.run([sys.executable, str(BENCH), "--markdown", "--out", str(out)],
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    assert "| workload | chainrule eager |" in table.stdout
    assert table.stdout.count("\n|") == 2 + len(result["workloads"])  # header, rule, one row per workload
    assert "- compiled step / numpy step: " in table.stdout and ("(target <= 2): met" in table.stdout
                                                                  or "(target <= 2): NOT met" in table.stdout)
    assert "- xor 2-10-10-10-1, compiled / numpy: " in table.stdout
    assert "- xor 9 sigmoid layers, compiled / numpy: " in table.stdout


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_each_target_says_met_or_not_met():
    bench = load_bench()

    def cell(median, **extra):
        return {"median": median, "unit": "", "higher_is_better": False, **extra}

    result = {"workloads": [
        {"key": "moons step", "results": {"micrograd 0.1.0": cell(100.0), "chainrule eager": cell(25.0),
                                          "chainrule compiled": cell(0.4), "numpy vectorized": cell(0.05)}},
        {"key": "chain 5,000", "results": {"chainrule eager": cell(1.0, backward_us=0.5, gc_us=0.1)}},
        {"key": "chain 1,000,000", "results": {"chainrule eager": cell(1.6, backward_us=0.45, gc_us=0.7)}},
    ]}
    checks = bench.checks(result)
    assert checks["eager step speed-up vs micrograd"] == {"value": 4.0, "target": ">= 5", "met": False}
    assert checks["compiled step speed-up vs micrograd"] == {"value": 250.0, "target": ">= 200", "met": True}
    assert checks["compiled step / numpy step"] == {"value": 8.0, "target": "<= 2", "met": False}
    chain = "chain 1,000,000 / chain 5,000, µs per node, build + backward"
    assert checks[chain]["value"] == 1.6 and checks[chain]["met"] is False
    assert checks[chain + " outside the garbage collector"]["value"] == (1.6 - 0.7) / (1.0 - 0.1)
    assert checks[chain + " outside the garbage collector"]["target"] is None
    assert "bytes per node, micrograd / eager" not in checks  # no memory workload: no ratio
    assert bench.check_line("eager step speed-up vs micrograd", checks["eager step speed-up vs micrograd"]) == (
        "eager step speed-up vs micrograd: 4 (target >= 5): NOT met")
    assert bench.check_line("compiled step speed-up vs micrograd", checks["compiled step speed-up vs micrograd"]) == (
        "compiled step speed-up vs micrograd: 250 (target >= 200): met")


def test_the_hand_written_numpy_baseline_computes_the_same_steps_as_chainrule():
    bench = load_bench()
    for sizes in ([2, 10, 10, 10, 1], [2] + [5] * 9 + [1]):
        by_hand, compiled = bench.numpy_xor_step(sizes), bench.chainrule_xor_step("chainrule compiled", sizes)
        for _ in range(5):
            cost = by_hand()
            assert compiled()[0] == __import__("pytest").approx(cost, rel=1e-10)
