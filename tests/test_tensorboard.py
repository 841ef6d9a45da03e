"""autograd.lab.tensorboard: the event files hold the history's cost and accuracy and a histogram per layer."""
import sys

import numpy as np
import pytest

pytest.importorskip("tensorboardX")

from autograd.lab.data import xor  # noqa: E402
from autograd.nn import MLP, Ensemble, fit  # noqa: E402
from autograd.lab.tensorboard import TensorBoardLogger, read_events  # noqa: E402


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A 2-2-1 XOR net trained 120 steps with the logger; the weights recorded wherever histograms were logged."""
    logdir = tmp_path_factory.mktemp("logs") / "lr0.1"
    X, y = xor()
    model = MLP(2, [2, 1], activation="sigmoid", seed=17)
    weights = {}
    with TensorBoardLogger(logdir, histograms_every=50) as logger:
        def callback(step, model, history):
            if step % 50 == 0:
                weights[step] = model.named_weights()
            return logger(step, model, history)

        history = fit(model, X, y, lr=0.1, steps=120, callback=callback)
    return read_events(logdir.parent), history, weights


def test_scalars_are_the_history_per_step(logged):
    events, history, _ = logged
    assert set(events["scalars"]) == {"cost", "accuracy"}
    for tag in ("cost", "accuracy"):
        steps, values = zip(*events["scalars"][tag])
        assert list(steps) == list(range(120))
        # TensorBoard stores scalars as float32
        np.testing.assert_array_equal(np.float32(values), np.float32(getattr(history, tag)))
    assert events["scalars"]["cost"][0][1] == pytest.approx(history.cost[0], rel=1e-7)


def test_histograms_per_layer_named_by_scope(logged):
    events, _, weights = logged
    hist = events["histograms"]
    assert set(hist) == {"layer1/weights", "layer1/biases", "layer2/weights", "layer2/biases"}
    for tag, entries in hist.items():
        assert [step for step, _ in entries] == [0, 50, 100]
        layer, kind = tag.split("/")
        name = ("W" if kind == "weights" else "b") + layer[len("layer"):]
        for step, h in entries:
            values = np.ravel(weights[step][name])
            assert h["num"] == values.size
            assert h["min"] == pytest.approx(values.min()) and h["max"] == pytest.approx(values.max())
            assert h["sum"] == pytest.approx(values.sum())
            assert sum(h["bucket"]) == values.size


def test_no_histograms_when_switched_off_and_ensembles_by_member(tmp_path):
    X, y = xor()
    with TensorBoardLogger(tmp_path / "plain", histograms_every=None) as logger:
        fit(MLP(2, [2, 1], seed=0), X, y, steps=5, callback=logger)
    events = read_events(tmp_path / "plain")
    assert events["histograms"] == {} and len(events["scalars"]["cost"]) == 5

    ensemble = Ensemble([MLP(2, [2, 1], seed=k) for k in range(2)])
    with TensorBoardLogger(tmp_path / "ens") as logger:
        logger.log_weights(ensemble, 0)
    tags = set(read_events(tmp_path / "ens")["histograms"])
    assert tags == {f"model{k}/layer{l}/{kind}" for k in (1, 2) for l in (1, 2) for kind in ("weights", "biases")}


def test_bad_input_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="histograms_every"):
        TensorBoardLogger(tmp_path, histograms_every=0)
    with pytest.raises(FileNotFoundError, match="no TensorBoard event files"):
        read_events(tmp_path / "empty")
    with TensorBoardLogger(tmp_path / "run") as logger:
        logger.writer.add_scalar("cost", 1.0, 0)
    path = next((tmp_path / "run").glob("events.out.tfevents.*"))
    data = bytearray(path.read_bytes())
    data[-6] ^= 0xFF  # flip a byte in the last record's payload
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="CRC"):
        read_events(tmp_path / "run")


def test_missing_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import tensorboardX now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "chainrule\[tensorboard\]"'):
        TensorBoardLogger(tmp_path)


def test_log_graph_writes_a_graphdef_named_by_scope(tmp_path):
    from autograd.engine import topological_order
    from viz.examples import xor_loss

    loss = xor_loss(0.0, 1.0, 1.0)  # the lecture's hand-set 2-2-1 net, cost on the input (0, 1)
    loss.backward()
    with TensorBoardLogger(tmp_path, histograms_every=None) as logger:
        logger.log_graph(loss)
    (graph,) = read_events(tmp_path)["graphs"]
    order = topological_order(loss)
    nodes = {node.name: node for node in graph.node}
    assert len(graph.node) == len(nodes) == len(order)  # one uniquely named NodeDef per Value
    # the first weight times x1, inside layer1/neuron0; inputs name the parents
    assert nodes["layer1/neuron0/mul_3"].op == "mul"
    assert list(nodes["layer1/neuron0/mul_3"].input) == ["layer1/neuron0/W1_0_0", "x1"]
    assert nodes["layer1/neuron0/W1_0_0"].attr["data"].s == b"5"
    # names follow the engine's scopes; every input is a node of the graph
    for node, value in zip(graph.node, order):
        assert node.name.rsplit("/", 1)[0] == value.scope or ("/" not in node.name and value.scope == "")
        assert all(name in nodes for name in node.input)
        assert len(node.input) == len(value.parents)
    ops = {node.op for node in graph.node}
    assert {"mul", "add", "exp", "recip", "Leaf"} <= ops
    assert any(name.startswith("layer2/neuron0/recip_") for name in nodes)


def test_tensorboard_graph_plugin_reads_the_graph(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from viz.examples import xor_loss

    loss = xor_loss(0.0, 1.0, 1.0)
    with TensorBoardLogger(tmp_path, histograms_every=None) as logger:
        logger.log_graph(loss)
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["graph"] is True
    names = [node.name for node in acc.Graph().node]
    assert "layer1/neuron0/mul_3" in names and "x1" in names
