"""TensorBoard logging for `fit`, as the lab does it: cost and accuracy per step, a histogram of each layer's weights.

    from autograd.lab.tensorboard import TensorBoardLogger
    with TensorBoardLogger("logs/xor_lr0.1") as logger:
        fit(model, X, y, lr=0.1, steps=10_000, callback=logger)
    # then, in a terminal:  tensorboard --logdir logs

The logger writes real event files with tensorboardX (an optional extra: pip install "chainrule[tensorboard]").
Tags follow the network's name scopes: "cost", "accuracy", "layer1/weights", "layer1/biases", ...
`log_graph(root)` writes the graph of a Value (e.g. a cost) as a GraphDef for TensorBoard's Graphs tab, its nodes
named by scope ("layer1/neuron0/mul_3"), so TensorBoard draws one box per layer and neuron.
`read_events(logdir)` reads them back (scalars, histogram summaries and graphs), without TensorBoard.
"""
import os
import re
import struct
from pathlib import Path

import numpy as np

from ..engine import topological_order
from ..nn._checks import integer

__all__ = ["TensorBoardLogger", "read_events", "graph_def"]



def _tensorboardx():
    try:
        import tensorboardX
    except ImportError:
        raise ImportError('TensorBoard logging needs tensorboardX: pip install "chainrule[tensorboard]"') from None
    return tensorboardX


def _logdir(logdir):
    """The folder to write into, as a str: a path, not None or "" (which would name a folder "None" or the cwd)."""
    if not isinstance(logdir, (str, os.PathLike)) or not str(logdir):
        raise TypeError(f"logdir must be a folder path (str or pathlib.Path) such as 'logs/xor_lr0.1', "
                        f"got {logdir!r}")
    return os.fspath(logdir)


def _named_layers(model, prefix=""):
    """(scope, layer) pairs: an MLP's layers ("layer1", ...); an Ensemble's members as "model1/layer1", ..."""
    if hasattr(model, "layers"):
        return [(prefix + layer.name, layer) for layer in model.layers]
    if hasattr(model, "models"):
        return [pair for k, member in enumerate(model.models)
                for pair in _named_layers(member, f"{prefix}model{k + 1}/")]
    return []


class TensorBoardLogger:
    """A `fit` callback that writes TensorBoard event files into `logdir`.

    Every step: the scalars "cost" and "accuracy" (history.cost[-1], history.accuracy[-1]) at that step.
    Every `histograms_every` steps (and at step 0): a histogram of each layer's weights and biases, tagged
    "layer1/weights", "layer1/biases", ... (None: no histograms). A model without layers (no MLP, no
    Ensemble of MLPs) gets one histogram of all its parameters, "parameters".
    Use it as a context manager, or call close() when done, so the file is flushed.
    """

    def __init__(self, logdir, histograms_every=100, flush_secs=10):
        if histograms_every is not None:
            histograms_every = integer("histograms_every", histograms_every, 1, hint="or None for no histograms")
        self.logdir, self.histograms_every = _logdir(logdir), histograms_every
        self.writer = _tensorboardx().SummaryWriter(self.logdir, flush_secs=flush_secs)

    def __call__(self, step, model, history):
        self.writer.add_scalar("cost", history.cost[-1], step)
        self.writer.add_scalar("accuracy", history.accuracy[-1], step)
        if self.histograms_every and step % self.histograms_every == 0:
            self.log_weights(model, step)
        return False  # never stops training

    def log_weights(self, model, step):
        """One histogram per layer of its weights and one of its biases, at `step`."""
        layers = _named_layers(model)
        if not layers:
            values = np.array([p.data for p in model.parameters()])
            self.writer.add_histogram("parameters", values, step)
        for scope, layer in layers:
            W, b = layer.get_weights()
            self.writer.add_histogram(f"{scope}/weights", np.ravel(W), step)
            self.writer.add_histogram(f"{scope}/biases", np.ravel(b), step)

    def log_graph(self, root):
        """Write the graph of `root` (a Value) for TensorBoard's Graphs tab; see `graph_def`."""
        from tensorboardX.proto import event_pb2

        event = event_pb2.Event(graph_def=graph_def(root).SerializeToString())
        self.writer._get_file_writer().add_event(event)

    def flush(self):
        """Write everything logged so far to disk."""
        self.writer.flush()

    def close(self):
        """Flush and close the event file."""
        self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _node_name(node, i):
    """scope/word_i: the op's word ("mul_3"), a leaf's label ("W1_0_0"), or "const_i" for a plain number."""
    if node.op:
        word = f"{node.op}_{i}"  # the identifier: a name without "/"
    else:
        word = re.sub(r"[^A-Za-z0-9_.\-]+", "_", node.label).strip("_") or f"const_{i}"
    return f"{node.scope}/{word}" if node.scope else word


def graph_def(root):
    """The graph of `root` as a TensorBoard GraphDef: one NodeDef per Value, inputs from its parents.

    Names carry the Value's name scope, so TensorBoard groups "layer1/neuron0/mul_3" into boxes by "/".
    op is the engine's op identifier ("mul", "recip", ...) or "Leaf"; attr "data" and "grad" hold the values as text.
    """
    _tensorboardx()
    from tensorboardX.proto import attr_value_pb2, graph_pb2, node_def_pb2

    order = topological_order(root)
    names, taken = {}, set()
    for i, node in enumerate(order):
        name = _node_name(node, i)
        names[node] = name if name not in taken else f"{name}_{i}"  # two leaves with one label
        taken.add(names[node])
    graph = graph_pb2.GraphDef()
    for node in order:
        graph.node.append(node_def_pb2.NodeDef(
            name=names[node], op=node.op or "Leaf", input=[names[p] for p in node.parents],
            attr={key: attr_value_pb2.AttrValue(s=f"{value:.6g}".encode())
                  for key, value in (("data", node.data), ("grad", node.grad))}))
    return graph


def _records(path):
    """The payloads of a TFRecord file (an event file), checking each length and payload CRC.

    A record is: length (8 bytes), CRC of the length (4), payload (length bytes), CRC of the payload (4).
    """
    from tensorboardX.record_writer import masked_crc32c

    data = Path(path).read_bytes()
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            raise _truncated(path, pos, len(data))
        header = data[pos:pos + 8]
        (length,) = struct.unpack("Q", header)
        (header_crc,) = struct.unpack("I", data[pos + 8:pos + 12])
        if header_crc != masked_crc32c(header):
            raise ValueError(f"{path}: corrupt record at byte {pos} (CRC mismatch in its length)")
        if pos + 16 + length > len(data):
            raise _truncated(path, pos, len(data))
        payload = data[pos + 12:pos + 12 + length]
        (payload_crc,) = struct.unpack("I", data[pos + 12 + length:pos + 16 + length])
        if payload_crc != masked_crc32c(payload):
            raise ValueError(f"{path}: corrupt record at byte {pos} (CRC mismatch in its payload)")
        yield payload
        pos += 16 + length


def _truncated(path, pos, size):
    """The ValueError for an event file that ends inside the record starting at byte `pos`."""
    return ValueError(f"{path}: truncated event file: it ends at byte {size}, inside the record that starts at byte "
                      f"{pos} (was the run still writing, or the copy cut short? close the logger first)")


def read_events(logdir):
    """Everything the event files under `logdir` hold, as plain data.

    Returns {"scalars": {tag: [(step, value), ...]}, "histograms": {tag: [(step, {"min", "max", "num",
    "sum", "bucket_limit", "bucket"}), ...]}, "graphs": [GraphDef, ...]}, in the order written. Scalars are
    stored as float32.
    """
    _tensorboardx()
    from tensorboardX.proto import event_pb2, graph_pb2

    files = sorted(Path(logdir).rglob("events.out.tfevents.*"))
    if not files:
        raise FileNotFoundError(f"no TensorBoard event files (events.out.tfevents.*) under {logdir}")
    scalars, histograms, graphs = {}, {}, []
    for path in files:
        for record in _records(path):
            event = event_pb2.Event.FromString(record)
            if event.graph_def:
                graphs.append(graph_pb2.GraphDef.FromString(event.graph_def))
            for value in event.summary.value:
                if value.HasField("simple_value"):
                    scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
                elif value.HasField("histo"):
                    h = value.histo
                    histograms.setdefault(value.tag, []).append((event.step, {
                        "min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                        "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket)}))
    return {"scalars": scalars, "histograms": histograms, "graphs": graphs}
