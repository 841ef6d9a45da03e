"""chainrule's speed and memory against micrograd 0.1.0, PyTorch and hand-vectorized numpy.

    python benchmarks/bench.py              # every workload, about two minutes; writes benchmarks/results/latest.json
    python benchmarks/bench.py --quick      # tiny sizes: a smoke run (seconds); writes to the temp directory
    python benchmarks/bench.py --markdown   # the table of results/latest.json as markdown, for the README
    python benchmarks/bench.py --lecture    # wall time of the lecture's 10,000-step XOR runs with fit (auto)
    python benchmarks/bench.py --docs       # the table and the lecture runs into docs/benchmarks.md

Installs nothing: an engine that is not installed is skipped with a note (micrograd: pip install
"chainrule[bench]"; PyTorch: pip install torch). Every time is the median of at least 5 repeats, with
Python's garbage collector on, as a user runs it. Ratios are against micrograd 0.1.0.

Workloads:
  ops        build a + and × heavy expression, x = x·w + c (ops per second)
  chain N    build a chain y = y + c of N nodes and backpropagate it (µs per node)
  memory     bytes per node of the moons step's graph (tracemalloc: traced bytes / nodes)
  moons      one training step of MLP(2, [16, 16, 1]) (ReLU) on 100 moons points: hinge loss + 1e-4·L2,
             forward, backward, SGD (ms per step)
  xor nets   one step of `fit` on the lecture's XOR nets, 4 points, full batch, bce, SGD lr 0.1: 2-10-10-10-1
             and nine sigmoid layers of width 5 (lecture 10), all sigmoid, N(0, 1) weights (ms per step);
             chainrule eager and compiled (the step functions fit runs) against hand-written numpy
  page       the live step-through page (page_bench.py): bytes and build time for xor_loss, the 2-10-10-10-1
             net and a 5,000-node net; stepping, editing and jumping in Chromium (--no-page leaves it out)
"""
import argparse
import datetime
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "benchmarks"))

from page_bench import page_checks  # noqa: E402  (the live step-through page's targets)

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
QUICK_NAME = "chainrule-bench-quick.json"  # --quick's results, in the temp directory: never the committed table
ENGINES = ["chainrule eager", "chainrule compiled", "micrograd 0.1.0", "torch scalar", "torch vectorized",
           "numpy vectorized"]
BASELINE = "micrograd 0.1.0"
ALPHA = 1e-4  # the L2 coefficient of micrograd's moons demo
LR = 0.05  # a fixed learning rate, so that hundreds of timed steps stay finite


class Skip(Exception):
    """This engine does not run this workload (the message says why)."""


# --- engines ----------------------------------------------------------------------------------------------------


def ours():
    from autograd import Value
    return Value


def micrograd():
    try:
        from micrograd.engine import Value
    except ImportError:
        raise Skip('micrograd not installed: pip install "chainrule[bench]"') from None
    return Value


def torch():
    try:
        import torch
    except ImportError:
        raise Skip("PyTorch not installed: pip install torch") from None
    torch.set_num_threads(1)  # small tensors; a shared 2-core machine
    return torch


def torch_leaf():
    t = torch()
    return lambda x: t.tensor(x, dtype=t.float64, requires_grad=True)


SCALAR_LEAVES = {"chainrule eager": ours, "micrograd 0.1.0": micrograd, "torch scalar": torch_leaf}


def times(run, repeats, warmup=1):
    """Seconds of `run()` for each repeat after `warmup` unmeasured runs."""
    for _ in range(warmup):
        run()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def summary(samples, unit, scale=1.0, higher_is_better=False, **extra):
    values = [s * scale for s in samples]
    return {"median": statistics.median(values), "samples": values, "unit": unit,
            "higher_is_better": higher_is_better, **extra}


# --- workloads ----------------------------------------------------------------------------------------------------


def ops_per_second(engine, n_ops, repeats):
    leaf = SCALAR_LEAVES[engine]()

    def build():
        x, w, c = leaf(1.0), leaf(0.999), leaf(0.001)
        for _ in range(n_ops // 2):
            x = x * w + c
        return x

    samples = times(build, repeats)
    return summary([n_ops / s for s in samples], "ops/s", higher_is_better=True)


def chain(engine, n, repeats):
    """Build y = y + c, n nodes deep, then backward; µs per node of both, and of each part."""
    if engine == "torch scalar" and n > 100_000:
        raise Skip("about 10 µs per scalar op: a million-node chain takes minutes")
    leaf = SCALAR_LEAVES[engine]()
    build, back, in_gc = [], [], []
    collecting = GcClock()
    for _ in range(repeats):
        x, c = leaf(1.0), leaf(0.5)
        y = x
        collecting.total = 0.0
        start = time.perf_counter()
        for _ in range(n):
            y = y + c
        middle = time.perf_counter()
        try:
            y.backward()
        except RecursionError:
            del x, y
            gc.collect()
            raise RuntimeError(f"RecursionError at depth {n:,} (its topological sort recurses)") from None
        end = time.perf_counter()
        build.append(middle - start)
        back.append(end - middle)
        in_gc.append(collecting.total)
        del x, y
    collecting.stop()
    total = [(b + k) / n for b, k in zip(build, back)]
    return summary(total, "µs/node", 1e6, build_us=statistics.median(build) / n * 1e6,
                   backward_us=statistics.median(back) / n * 1e6, gc_us=statistics.median(in_gc) / n * 1e6)


class GcClock:
    """Seconds spent in the garbage collector's passes since `total` was last reset (gc.callbacks)."""

    def __init__(self):
        self.total, self._start = 0.0, 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start

    def stop(self):
        gc.callbacks.remove(self._tick)


def moons_data(n):
    try:
        from autograd.lab.data import moons
        X, y = moons(n, noise=0.1, seed=0)
    except ImportError:  # before autograd.lab.data exists: the same two half circles
        rng = np.random.default_rng(0)
        t, label = rng.uniform(0, np.pi, n), rng.integers(0, 2, n)
        X = np.column_stack([np.where(label, 1 - np.cos(t), np.cos(t)), np.where(label, 0.5 - np.sin(t), np.sin(t))])
        X, y = X + 0.1 * rng.standard_normal((n, 2)), label
    return X, 2.0 * np.asarray(y, dtype=float) - 1.0


def initial_weights(sizes, seed=1337):
    """micrograd's initialization, U(−1, 1) weights and zero biases, as matrices W (n_in, n_out)."""
    rng = random.Random(seed)
    Ws = [np.array([[rng.uniform(-1, 1) for _ in range(b)] for _ in range(a)]) for a, b in zip(sizes, sizes[1:])]
    return Ws, [np.zeros(b) for b in sizes[1:]]


class ScalarMLP:
    """micrograd's Neuron/Layer/MLP for any scalar type (micrograd's Value, torch 0-d tensors), from matrices."""

    def __init__(self, Ws, bs, leaf):
        self.layers = [[([leaf(float(w)) for w in W[:, j]], leaf(float(b[j]))) for j in range(W.shape[1])]
                       for W, b in zip(Ws, bs)]

    def __call__(self, x):
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = x if last else [xi.relu() for xi in x]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]


def our_mlp(Ws, bs):
    try:
        from autograd.nn import MLP
    except ImportError:  # before autograd.nn exists
        return ScalarMLP(Ws, bs, ours())
    return MLP.from_weights(Ws, bs, activation="relu", output="identity")


def hinge_graph(model, X, Y, leaf, params):
    """micrograd's demo loss: mean of relu(1 − y·score) plus α·Σp², one graph."""
    inputs = [list(map(leaf, row)) for row in X.tolist()]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(Y.tolist(), scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + ALPHA * sum(p * p for p in params)


def scalar_step(model, X, Y, leaf):
    params = model.parameters()

    def step():
        loss = hinge_graph(model, X, Y, leaf, params)
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss

    return step


def torch_scalar_step(model, X, Y, t):
    params = model.parameters()

    def step():
        loss = hinge_graph(model, X, Y, lambda x: t.tensor(x, dtype=t.float64), params)
        for p in params:
            p.grad = None
        loss.backward()
        with t.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss

    return step


def compiled_step(model, X, Y):
    from autograd.compiled import record
    params = model.parameters()
    start = time.perf_counter()
    tape = record(lambda x, y: (1 + -y * model(x)).relu() + ALPHA * sum(p * p for p in params), X, Y, params=params)
    recorded = time.perf_counter() - start

    def step():
        for p in params:
            p.grad = 0.0
        cost = tape.mean(X, Y)
        for p in params:
            p.data -= LR * p.grad
        return cost

    return step, recorded, tape


def numpy_step(Ws, bs, X, Y):
    P = [a.copy() for pair in zip(Ws, bs) for a in pair]  # W1, b1, W2, b2, W3, b3

    def step(lr=LR):
        W1, b1, W2, b2, W3, b3 = P
        z1 = X @ W1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2 + b2
        h2 = np.maximum(z2, 0)
        margin = 1 - Y * (h2 @ W3 + b3)[:, 0]
        cost = np.maximum(margin, 0).mean() + ALPHA * sum((p * p).sum() for p in P)
        ds = np.where(margin > 0, -Y, 0.0)[:, None] / len(Y)
        dz2 = (ds @ W3.T) * (z2 > 0)
        dz1 = (dz2 @ W2.T) * (z1 > 0)
        grads = [X.T @ dz1, dz1.sum(0), h1.T @ dz2, dz2.sum(0), h2.T @ ds, ds.sum(0)]
        for p, g in zip(P, grads):
            p -= lr * (g + 2 * ALPHA * p)
        return cost

    return step


def torch_vectorized_step(Ws, bs, X, Y, t):
    P = [t.tensor(a, dtype=t.float64, requires_grad=True) for pair in zip(Ws, bs) for a in pair]
    Xt, Yt = t.tensor(X), t.tensor(Y)

    def step():
        W1, b1, W2, b2, W3, b3 = P
        h = t.relu(t.relu(Xt @ W1 + b1) @ W2 + b2)
        cost = t.relu(1 - Yt * (h @ W3 + b3)[:, 0]).mean() + ALPHA * sum((p * p).sum() for p in P)
        for p in P:
            p.grad = None
        cost.backward()
        with t.no_grad():
            for p in P:
                p -= LR * p.grad
        return cost

    return step


def xor_data():
    return np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0, 1.0, 0.0])


def chainrule_xor_step(engine, sizes):
    """One step of fit's step function (eager or compiled) on the lecture's sigmoid net, bce, SGD lr 0.1."""
    from autograd.nn import MLP, SGD, STEP_MODES, bce

    X, y = xor_data()
    model = MLP(sizes[0], sizes[1:], activation="sigmoid", seed=0)
    step_fn, optimizer = STEP_MODES[engine.split()[-1]], SGD(model.parameters(), lr=0.1)
    X, y = X.tolist(), y.tolist()
    return lambda: step_fn(model, X, y, bce, optimizer, 0.0)


def numpy_xor_step(sizes, lr=0.1):
    """The lecture's sigmoid net on XOR by hand: forward, bce, backward and SGD on matrices."""
    from autograd.nn import MLP

    X, y = xor_data()
    Ws, bs = MLP(sizes[0], sizes[1:], activation="sigmoid", seed=0).get_weights()
    Y = y[:, None]

    def step():
        hs = [X]
        for W, b in zip(Ws, bs):
            hs.append(1.0 / (1.0 + np.exp(-(hs[-1] @ W + b))))
        h = hs[-1]
        cost = -np.mean(Y * np.log(h) + (1 - Y) * np.log(1 - h))
        dz = (h - Y) / len(Y)  # ∂cost/∂z of the output unit: σ' cancels bce's 1/(h(1 − h))
        for l in range(len(Ws) - 1, -1, -1):
            dW, db = hs[l].T @ dz, dz.sum(axis=0)
            if l:
                dz = (dz @ Ws[l].T) * hs[l] * (1 - hs[l])
            Ws[l] -= lr * dW
            bs[l] -= lr * db
        return cost

    return step


def xor_step(engine, sizes, repeats):
    if engine in ("chainrule eager", "chainrule compiled"):
        step = chainrule_xor_step(engine, sizes)
    elif engine == "numpy vectorized":
        step = numpy_xor_step(sizes)
    else:
        raise Skip("the lecture's nets are timed against hand-written numpy")
    fast = engine != "chainrule eager"
    samples = times(step, repeats * 40 if fast else repeats, warmup=20 if fast else 1)
    return summary(samples, "ms/step", 1e3)


def moons_step(engine, n_points, sizes, repeats):
    X, Y = moons_data(n_points)
    Ws, bs = initial_weights(sizes)
    extra = {}
    if engine == "chainrule eager":
        step = scalar_step(our_mlp(Ws, bs), X, Y, ours())
    elif engine == "chainrule compiled":
        step, recorded, tape = compiled_step(our_mlp(Ws, bs), X, Y)
        extra = {"record_ms": recorded * 1e3, "tape": repr(tape)}
    elif engine == "micrograd 0.1.0":
        leaf = micrograd()
        step = scalar_step(ScalarMLP(Ws, bs, leaf), X, Y, leaf)
    elif engine == "torch scalar":
        t = torch()
        step = torch_scalar_step(ScalarMLP(Ws, bs, torch_leaf()), X, Y, t)
    elif engine == "torch vectorized":
        step = torch_vectorized_step(Ws, bs, X, Y, torch())
    else:
        step = numpy_step(Ws, bs, X, Y)
    fast = engine in ("chainrule compiled", "torch vectorized", "numpy vectorized")
    samples = times(step, repeats * 40 if fast else repeats, warmup=5 if fast else 1)
    return summary(samples, "ms/step", 1e3, **extra)


def bytes_per_node(engine, n_points, sizes):
    if engine == "torch scalar":
        raise Skip("its graph lives in C++, out of tracemalloc's sight")
    leaf = ours() if engine == "chainrule eager" else micrograd()
    X, Y = moons_data(n_points)
    Ws, bs = initial_weights(sizes)
    model = our_mlp(Ws, bs) if engine == "chainrule eager" else ScalarMLP(Ws, bs, leaf)
    params = model.parameters()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = hinge_graph(model, X, Y, leaf, params)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    seen, stack = set(), [loss]
    while stack:  # count the graph's nodes (both engines have micrograd's _prev)
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node._prev)
    return {"median": used / len(seen), "samples": [used / len(seen)], "unit": "B/node", "higher_is_better": False,
            "nodes": len(seen), "bytes": used}


# --- running, reporting ---------------------------------------------------------------------------------------------


SCALAR = ("chainrule eager", "micrograd 0.1.0", "torch scalar")
LECTURE = ("chainrule eager", "chainrule compiled", "numpy vectorized")  # the lecture's nets: against numpy


def workloads(quick):
    """(key, description, engines it applies to, measure(engine, repeats)) for every workload."""
    sizes = [2, 4, 4, 1] if quick else [2, 16, 16, 1]
    n_points = 20 if quick else 100
    n_ops = 2_000 if quick else 100_000
    deep = 20_000 if quick else 1_000_000
    net = f"MLP({sizes[0]}, {sizes[1:]}) on {n_points} moons points"
    return [
        ("ops", f"build x = x·w + c, {n_ops:,} ops", SCALAR, lambda e, r: ops_per_second(e, n_ops, r)),
        ("chain 500", "chain of 500 nodes: build + backward", SCALAR, lambda e, r: chain(e, 500, r)),
        ("chain 5,000", "chain of 5,000 nodes: build + backward", SCALAR, lambda e, r: chain(e, 5_000, r)),
        (f"chain {deep:,}", f"chain of {deep:,} nodes: build + backward", SCALAR, lambda e, r: chain(e, deep, r)),
        ("memory", f"bytes per node of one step's graph, {net}", SCALAR,
         lambda e, r: bytes_per_node(e, n_points, sizes)),
        ("moons step", f"one SGD step, {net}, hinge + L2", ENGINES, lambda e, r: moons_step(e, n_points, sizes, r)),
        ("xor 2-10-10-10-1", "one fit step, XOR's 2-10-10-10-1 sigmoid net, 4 points, bce", LECTURE,
         lambda e, r: xor_step(e, [2, 10, 10, 10, 1], r)),
        ("xor 9 sigmoid layers", "one fit step, XOR with 9 sigmoid layers of width 5, 4 points, bce", LECTURE,
         lambda e, r: xor_step(e, [2] + [5] * 9 + [1], r)),
    ]


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("micrograd", "torch"):
        try:
            from importlib.metadata import version
            versions[name] = version(name)
        except Exception:  # not installed
            versions[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(), "versions": versions}


def measure_cell(key, engine, quick, repeats):
    """One workload on one engine, in this process: its result dict."""
    measure = {k: m for k, _, _, m in workloads(quick)}[key]
    try:
        return measure(engine, repeats)
    except Skip as why:
        return {"skipped": str(why)}
    except RuntimeError as failure:
        return {"error": str(failure)}


def run(quick, repeats, engines):
    """Every workload on every engine, each in a fresh Python process (so that one engine's imports, such as
    torch's many objects, which the garbage collector then scans, do not slow another)."""
    result = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "quick": quick, "repeats": repeats,
              "machine": machine(), "gc": "on", "baseline": BASELINE, "workloads": []}
    for key, description, applies, _ in workloads(quick):
        row = {"key": key, "description": description, "results": {}}
        for engine in engines:
            print(f"  {key:<16} {engine:<20}", end=" ", flush=True, file=sys.stderr)
            if engine not in applies:
                cell = {"skipped": "builds no graph of scalar nodes" if applies is SCALAR else
                        "the lecture's nets are timed against hand-written numpy"}
            elif engine == "micrograd 0.1.0" and key.startswith("chain") and key not in ("chain 500", "chain 5,000"):
                cell = {"error": "RecursionError (not run: its recursive topological sort fails at depth 5,000)"}
            else:
                command = [sys.executable, __file__, "--cell", key, "--engine", engine, "--repeats", str(repeats)]
                worker = subprocess.run(command + (["--quick"] if quick else []), capture_output=True, text=True)
                if worker.returncode:
                    raise SystemExit(f"the {engine} run of {key!r} failed:\n{worker.stderr}")
                cell = json.loads(worker.stdout)
            row["results"][engine] = cell
            print(cell.get("skipped") and "skipped" or cell.get("error") or f"{cell['median']:.4g} {cell['unit']}",
                  file=sys.stderr)
        result["workloads"].append(row)
    result["checks"] = checks(result)
    return result


def ratio(cell, base):
    """How many times better than the baseline (faster, more ops/s, fewer bytes)."""
    if "median" not in cell or base is None or "median" not in base:
        return None
    return cell["median"] / base["median"] if cell["higher_is_better"] else base["median"] / cell["median"]


TARGETS = {  # label: (workload, numerator engine, denominator engine, ">=" or "<=", bound)
    "eager step speed-up vs micrograd": ("moons step", BASELINE, "chainrule eager", ">=", 5),
    "bytes per node, micrograd / eager": ("memory", BASELINE, "chainrule eager", ">=", 4),
    "compiled step speed-up vs micrograd": ("moons step", BASELINE, "chainrule compiled", ">=", 200),
    "compiled step / numpy step": ("moons step", "chainrule compiled", "numpy vectorized", "<=", 2),
    "xor 2-10-10-10-1, compiled / numpy": ("xor 2-10-10-10-1", "chainrule compiled", "numpy vectorized", "<=", 3),
    "xor 9 sigmoid layers, compiled / numpy": ("xor 9 sigmoid layers", "chainrule compiled", "numpy vectorized",
                                               "<=", 3),
}
CHAIN_BOUND = 1.5  # the deep chain's µs per node, build + backward, at most this many times the 5,000-node chain's


def checks(result):
    """The targets of the speed work, measured: {label: {"value": ratio, "target": "<= 1.5" or None, "met": bool
    or None}} for ratios against micrograd and numpy and for depth scaling (None: a ratio shown without a target)."""
    rows = {w["key"]: w["results"] for w in result["workloads"]}

    def median(key, engine):
        return rows.get(key, {}).get(engine, {}).get("median")

    def check(value, op=None, bound=None):
        met = None if op is None else value >= bound if op == ">=" else value <= bound
        return {"value": value, "target": None if op is None else f"{op} {bound:g}", "met": met}

    out = {}
    for label, (key, top, bottom, op, bound) in TARGETS.items():
        if median(key, top) and median(key, bottom):
            out[label] = check(median(key, top) / median(key, bottom), op, bound)
    deep = [k for k in rows if k.startswith("chain") and k not in ("chain 500", "chain 5,000")]
    small = rows.get("chain 5,000", {}).get("chainrule eager", {})
    big = rows.get(deep[0], {}).get("chainrule eager", {}) if deep else {}
    if "median" in small and "median" in big:
        name = f"{deep[0]} / chain 5,000, µs per node"
        out[f"{name}, build + backward"] = check(big["median"] / small["median"], "<=", CHAIN_BOUND)
        out[f"{name}, backward only"] = check(big["backward_us"] / small["backward_us"])
        out[f"{name}, build + backward outside the garbage collector"] = check(
            (big["median"] - big["gc_us"]) / (small["median"] - small["gc_us"]))
    out.update(result.get("page_checks", {}))  # measured by page_bench.page_checks, already in this form
    out.update(result.get("view_checks", {}))  # measured by view_checks, likewise
    return out


def check_line(label, check):
    """'label: 12.5 (target >= 5): met' for a check of `checks`."""
    value = check["value"]
    text = f"{label}: {value:,.0f}" if value >= 100 else f"{label}: {value:.3g}"
    if check["target"] is None:
        return text
    return f"{text} (target {check['target']}): {'met' if check['met'] else 'NOT met'}"


def fmt(cell):
    if "skipped" in cell:
        return "—"
    if "error" in cell:
        return "RecursionError" if "Recursion" in cell["error"] else "failed"
    value, unit = cell["median"], cell["unit"]
    if unit == "ops/s":
        return f"{value / 1e6:.2f} M ops/s" if value >= 1e6 else f"{value / 1e3:.0f} k ops/s"
    if unit == "ms/step":
        return f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "µs/node":
        return f"{value:.2f} µs/node"
    return f"{value:.0f} B/node"


def table(result, markdown=False):
    engines = [e for e in ENGINES if any(e in w["results"] for w in result["workloads"])]
    header = ["workload"] + engines
    lines = []
    for w in result["workloads"]:
        base = w["results"].get(BASELINE)
        cells = [w["description"]]
        for engine in engines:
            cell = w["results"].get(engine, {"skipped": "not run"})
            text, r = fmt(cell), ratio(cell, base)
            if r is not None and engine != BASELINE:
                text += f" ({r:.3g}×)" if r < 100 else f" ({r:,.0f}×)"
            cells.append(text)
        lines.append(cells)
    m = result["machine"]
    title = (f"{result['date'][:10]}, {m['cpu']}, {m['cores']} cores, Python {m['versions']['python']}, "
             f"numpy {m['versions']['numpy']}, torch {m['versions'].get('torch')}; median of "
             f"{result['repeats']} repeats or more, garbage collector on; (N×) = N times micrograd 0.1.0"
             + (" [--quick sizes]" if result["quick"] else ""))
    if markdown:
        out = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(row) + " |" for row in lines]
    else:
        widths = [max(len(str(row[i])) for row in [header] + lines) for i in range(len(header))]
        out = [title, ""] + ["  ".join(str(c).ljust(wd) for c, wd in zip(row, widths)) for row in [header] + lines]
    notes = [check_line(label, check) for label, check in checks(result).items()]
    return "\n".join(out + [""] + [("- " if markdown else "") + n for n in notes])


LECTURE_RUNS = [("2-2-1", [2, 1]), ("2-10-1", [10, 1]), ("2-10-10-10-1", [10, 10, 10, 1]),
                ("9 sigmoid layers of width 5", [5] * 9 + [1])]


def lecture_runs(steps=10_000):
    """{net: seconds} of fit(model, xor, steps=10,000, lr=0.1) in the default mode, and the mode auto chose."""
    from autograd.nn import MLP, fit, tape_status

    X, y = xor_data()
    out = {}
    for name, sizes in LECTURE_RUNS:
        model = MLP(2, sizes, activation="sigmoid", seed=0)
        history = fit(model, X, y, lr=0.1, steps=steps, progress=False)
        out[name] = {"seconds": history.seconds, "mode": tape_status(model)["fit bce (training)"].split(":")[0]}
        print(f"  {name:<28} {history.seconds:6.2f} s  ({out[name]['mode']})", file=sys.stderr)
    return out


DOCS = ROOT / "docs" / "benchmarks.md"
VIEW_BOUND = 1.2  # the live training view may slow training by at most 20%


def view_checks(quick=False, repeats=5):
    """The live training view's cost (issue 14): training_view(...).run(steps) against fit(...) alone, on the
    README's 3-class spirals net, timed alternately in this process (training only: the view's one-off set-up is
    outside the clock); the median of each."""
    from autograd.lab.data import spirals
    from autograd.nn import MLP, fit
    from viz.training import training_view

    X, y = spirals(60 if quick else 200, classes=3, seed=0)
    steps, options = (40 if quick else 500), dict(loss="cross_entropy", optimizer="adam", lr=0.02)

    def plain():  # -> the training run, ready to start
        model = MLP(2, [24, 24, 3], activation="tanh", output="softmax", seed=0)
        return lambda: fit(model, X, y, steps=steps, progress=False, **options)

    def viewed():  # the view's set-up (the first snapshot, recording the grid's tape) happens here, untimed
        view = training_view(MLP(2, [24, 24, 3], activation="tanh", output="softmax", seed=0), X, y, every=10,
                             **options)
        return lambda: view.run(steps)

    seconds = {"plain": [], "viewed": []}
    for _ in range(repeats):
        for name, ready in (("plain", plain), ("viewed", viewed)):
            run = ready()
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    ratio = statistics.median(seconds["viewed"]) / statistics.median(seconds["plain"])
    return {f"training view / fit alone, {steps} steps of 3-class spirals, a snapshot every 10 steps":
            {"value": ratio, "target": f"<= {VIEW_BOUND:g}", "met": ratio <= VIEW_BOUND}}


def machine_line():
    """'Machine: 2 cores, AMD EPYC; load average 0.4 0.6 0.7 when measured.' for the docs."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"Machine: {os.cpu_count()} cores, {model}; load average {load} (1, 5, 15 min) when the lecture runs were timed."


def _between(text, marker, body):
    """text with the lines between <!-- marker: ... --> and <!-- /marker --> replaced by body."""
    start = text.index(f"<!-- {marker}:")
    start = text.index("\n", start) + 1
    end = text.index(f"<!-- /{marker} -->")
    return text[:start] + body.rstrip("\n") + "\n" + text[end:]


def write_docs(result, lecture):
    """Put the results table (as --markdown prints it) and the lecture runs into docs/benchmarks.md."""
    rows = ["| net | seconds | mode auto chose |", "|---|---|---|"]
    rows += [f"| {name} | {run['seconds']:.2f} | {run['mode']} |" for name, run in lecture.items()]
    text = _between(DOCS.read_text(encoding="utf-8"), "results", table(result, markdown=True))
    text = _between(text, "lecture", "\n".join(rows) + "\n\n" + machine_line())
    DOCS.write_text(text, encoding="utf-8")
    print(f"wrote {DOCS.relative_to(ROOT)}", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--repeats", type=int, default=5, help="repeats per measurement (at least 5 for the README)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of: " + ", ".join(ENGINES))
    parser.add_argument("--out", type=Path, help=f"where to write the JSON results (default {RESULTS.relative_to(ROOT)}; "
                        f"with --quick, {QUICK_NAME} in the temp directory)")
    parser.add_argument("--markdown", action="store_true", help="print the table of --out as markdown; run nothing")
    parser.add_argument("--lecture", action="store_true", help="time the lecture's 10,000-step XOR runs; nothing else")
    parser.add_argument("--docs", action="store_true", help="write results/latest.json's table and the lecture runs, "
                        "timed now, into docs/benchmarks.md; nothing else")
    parser.add_argument("--no-page", action="store_true", help="leave out the step-through page's targets (page_bench)")
    parser.add_argument("--cell", help=argparse.SUPPRESS)  # internal: run one workload on --engine, print JSON
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.out is None:  # a smoke run never overwrites the committed results
        args.out = Path(tempfile.gettempdir()) / QUICK_NAME if args.quick else RESULTS
    if args.cell:
        print(json.dumps(measure_cell(args.cell, args.engine, args.quick, args.repeats)))
        return
    if args.markdown:
        print(table(json.loads(args.out.read_text()), markdown=True))
        return
    if args.lecture:
        print(json.dumps(lecture_runs(), indent=1))
        return
    if args.docs:
        write_docs(json.loads(args.out.read_text()), lecture_runs())
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines {sorted(unknown)}; choose from {ENGINES}")
    result = run(args.quick, args.repeats, engines)
    if not args.no_page:
        result["page_checks"] = page_checks(args.quick)  # the live step-through page's size, build time and speed
    result["view_checks"] = view_checks(args.quick)  # what the live training view costs training
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(table(result))
    print(f"\nwrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
