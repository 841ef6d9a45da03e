"""The benchmark script runs (tiny sizes) and writes a complete, valid JSON file. No timing is asserted."""
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
ENGINES = ["chainrule eager", "chainrule compiled", "micrograd 0.1.0", "numpy vectorized"]  # torch: slow to import


def test_quick_run_writes_json_and_markdown(tmp_path):
    out = tmp_path / "latest.json"
    run = subprocess.run([sys.executable, str(BENCH), "--quick", "--engines", ",".join(ENGINES), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["quick"] is True and result["repeats"] >= 5 and result["gc"] == "on"
    assert result["machine"]["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    keys = [w["key"] for w in result["workloads"]]
    assert keys[:3] == ["ops", "chain 500", "chain 5,000"] and keys[-2:] == ["memory", "moons step"]
    for workload in result["workloads"]:
        assert set(workload["results"]) == set(ENGINES)
        for engine, cell in workload["results"].items():
            assert len({"median", "skipped", "error"} & set(cell)) == 1, (workload["key"], engine, cell)
            if "median" in cell:
                assert cell["median"] > 0 and len(cell["samples"]) >= 1 and cell["unit"]
    moons = next(w for w in result["workloads"] if w["key"] == "moons step")["results"]
    assert all("median" in moons[e] for e in ["chainrule eager", "chainrule compiled", "numpy vectorized"])
    assert "record_ms" in moons["chainrule compiled"]
    eager_chain = next(w for w in result["workloads"] if w["key"] == "chain 5,000")["results"]["chainrule eager"]
    assert {"build_us", "backward_us", "gc_us"} <= set(eager_chain)

    table = subprocess.run([sys.executable, str(BENCH), "--markdown", "--out", str(out)],
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    assert "| workload | chainrule eager |" in table.stdout
    assert table.stdout.count("\n|") == 2 + len(result["workloads"])  # header, rule, one row per workload
