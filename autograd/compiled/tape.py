"""The Tape: a scalar graph recorded once, replayed over a batch by its generated numpy program; and `record`."""
import operator

import numpy as np

from ..engine import Value, topological_order
from .codegen import Program
from .plan import plan
from .trace import TapeError, Traced, trace, untrace, untraced_results

__all__ = ["Tape", "record", "DropoutMask"]

_data = operator.attrgetter("data")


class DropoutMask(Value):
    """One entry of a dropout mask: a leaf that is 0 (dropped, probability p) or 1/(1 − p) (kept).

    In eager mode it is an ordinary constant leaf (`x * DropoutMask(p, keep)` is the usual × node). A Tape
    knows it by its type and draws it afresh for every example at every replay, so compiled training
    drops different units for every example and every step, as eager training does.
    """

    __slots__ = ("p",)

    def __init__(self, p, keep, label=""):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability p must be in [0, 1), got {p!r}")
        super().__init__(1.0 / (1.0 - p) if keep else 0.0, label)
        self.p = float(p)


def _check_inputs(root, inputs):
    if not isinstance(root, Value):
        raise TypeError(f"the tape records a Value (a per-example loss or output), got {type(root).__name__}")
    inputs = list(inputs)
    if len({id(v) for v in inputs}) != len(inputs):
        raise ValueError("each input placeholder may appear once in inputs")
    for v in inputs:
        if not isinstance(v, Value) or v.op:
            raise TypeError(f"inputs must be leaf Values (placeholders), got {v!r}"
                            + (f" made by op {v.op!r}" if isinstance(v, Value) else ""))
    return inputs


class Tape:
    """A scalar graph recorded once and replayed over a batch with numpy.

    Tape(root, inputs): `root` is the Value to compute (a per-example loss or output), built on the leaf
    Values `inputs` (placeholders: column j of a batch feeds inputs[j]). Every other leaf is read from its
    `.data` at each replay (so an optimizer's update is seen), except `DropoutMask` leaves, re-drawn per example.
    `params`: the leaves that get their batch gradient in `.grad` (default: every leaf that is not an input or a
    mask); the others are constants. `watch`: more nodes whose per-example values `values(node)` returns after a
    replay. `rng`: seed or numpy Generator for the dropout masks.

    The replay is a generated numpy program, readable as `tape.source`. It is checked at once: on the inputs'
    current values it must reproduce the eager values and gradients, else TapeError.
    """

    def __init__(self, root, inputs, watch=(), rng=None, params=None):
        self.inputs = _check_inputs(root, inputs)
        self.root, self.rng = root, np.random.default_rng(rng)
        self.order = topological_order(root)
        self.nodes = len(self.order)
        self.watched = list(watch)
        masks = [n for n in self.order if isinstance(n, DropoutMask) and n not in set(self.inputs)]
        self.blocks, _ = plan(self.order, set(self.inputs) | set(masks), set(self.watched) | {root})
        self._lay_out(params)
        self._wants = {False: self._who_wants(set(self.params)),
                       True: self._who_wants(set(self.params) | set(self.inputs))}
        self._programs, self._baked = {}, [v.data for v in self.leaves[len(self.params):]]
        # the fast forward skips the domain checks: a domain error then shows as a division by zero, or as a nan
        # that reaches the root (every op passes a nan on, except x ** 0)
        self._fast = not any(n.op == "pow" and n.arg == 0 for n in self.order)
        self._buffers = {}
        self._V = None
        self._verify_against_eager()

    # --- layout: a row of V or U for every kept node -------------------------------------------------------------
    def _lay_out(self, params):
        """Rows: V holds the inputs, then the masks, then the kept batch-dependent block results; U the parameters,
        then the constants, then the kept batch-independent ones. Leaves are numbered by first use, so that a
        layer's weights are consecutive rows (a slice, reshaped into its matrix)."""
        is_input = set(self.inputs)
        first_use = {}
        matrices = [terms for block in self.blocks if block.kind == "sum" for terms in (block.w, block.u_terms) if terms]
        reads = [[n for row in terms for n in row] for terms in matrices]  # weight matrices and biases first
        reads += [nodes for block in self.blocks for nodes, _ in block.reads()]
        for nodes in reads:
            for node in nodes:
                if not node.op and node not in is_input:
                    first_use.setdefault(node, None)
        for node in self.order:  # leaves no block reads: a lone leaf as root
            if not node.op and node not in is_input:
                first_use.setdefault(node, None)
        self.masks = [n for n in self.order if isinstance(n, DropoutMask) and n not in is_input]  # graph order
        others = [n for n in first_use if not isinstance(n, DropoutMask)]
        wanted = set(others) if params is None else set(params)
        self.params = [n for n in others if n in wanted]
        self.leaves = self.params + [n for n in others if n not in wanted]
        where = {v: (True, i) for i, v in enumerate(self.inputs + self.masks)}
        where.update({v: (False, i) for i, v in enumerate(self.leaves)})
        rows = {True: len(self.inputs) + len(self.masks), False: len(self.leaves)}
        for block in self.blocks:
            _follow_leaf_rows(block, where)
            if not block.private:
                block.out = slice(rows[block.varying], rows[block.varying] + len(block.members))
                for i, node in enumerate(block.members):
                    where[node] = (block.varying, block.out.start + i)
                rows[block.varying] = block.out.stop
        self._where, self._shape = where, (rows[True], rows[False])
        self._mask_p = np.array([[m.p] for m in self.masks])

    def _who_wants(self, leaves):
        """{node: does it need a gradient?}: the given leaves, and every node computed from one of them."""
        wants = {}
        for node in self.order:
            wants[node] = any(wants[p] for p in node.parents) if node.op else node in leaves
        return wants

    def _program(self, guard=False, input_grads=False, checked=False):
        """The compiled program (forward and backward functions) of one variant, generated on first use."""
        key = (guard, input_grads, checked)
        if key not in self._programs:
            baked = dict(zip(self.leaves[len(self.params):], self._baked))
            program = Program(self.blocks, self._where, self._wants[input_grads], guard, checked, baked)
            name = f"<tape {id(self):#x}{' guarded' if guard else ''}{' checked' if checked else ''}>"
            self._programs[key] = program.compile(name)
            self._programs[key]["source"] = program.forward_source + "\n\n" + program.backward_source
        return self._programs[key]

    @property
    def source(self):
        """The numpy program this tape runs for a training step: its forward and its backward, as Python text."""
        return self._program()["source"]

    def __repr__(self):
        return (f"Tape({self.nodes} nodes in {len(self.blocks)} blocks; {len(self.inputs)} inputs, "
                f"{len(self.params)} parameters, {len(self.leaves) - len(self.params)} constants, "
                f"{len(self.masks)} mask leaves)")

    # --- replay ------------------------------------------------------------------------------------------------
    def _columns(self, batch):
        """The batch as a list of (examples × columns) arrays, one per argument of shape (n,) or (n, d)."""
        fields = [np.asarray(f, dtype=float) for f in batch]
        fields = [f[:, None] if f.ndim == 1 else f.reshape(len(f), -1) for f in fields]
        if not fields or len({len(f) for f in fields}) != 1:
            raise ValueError("pass the batch as arrays with one row per example, all of the same length")
        columns = sum(f.shape[1] for f in fields)
        if columns != len(self.inputs) or not len(fields[0]):
            raise ValueError(f"this tape has {len(self.inputs)} inputs: the batch needs that many columns in all "
                             f"and at least one row, got {columns} columns and {len(fields[0])} rows")
        return fields

    def _buffer(self, n):
        """The preallocated V, GV (rows × n) and U, GU (rows × 1) of a replay on n examples."""
        if n not in self._buffers:
            if len(self._buffers) > 8:
                self._buffers.clear()
            self._buffers[n] = (np.empty((self._shape[0], n)), np.empty((self._shape[0], n)),
                                np.empty((self._shape[1], 1)), np.empty((self._shape[1], 1)))
        return self._buffers[n]

    def _forward(self, fields, masks=None):
        """Replay on the batch (a list of examples × columns arrays, the inputs in order); root's values."""
        n, ni = len(fields[0]), len(self.inputs)
        V, _, U, _ = self._buffer(n)
        row = 0
        for f in fields:  # column j of the batch is row j of V
            V[row:row + f.shape[1]] = f.T
            row += f.shape[1]
        if self.masks:
            if masks is None:  # a fresh mask for every example: kept with probability 1 − p, scaled by 1/(1 − p)
                masks = (self.rng.random((len(self.masks), n)) >= self._mask_p) / (1.0 - self._mask_p)
            V[ni:ni + len(self.masks)] = masks
        n_params = len(self.params)
        U[:n_params, 0] = np.fromiter(map(_data, self.params), float, n_params)
        constants = list(map(_data, self.leaves[n_params:]))
        if constants != self._baked:  # a constant written into the programs has changed
            self._programs, self._baked = {}, constants
        U[n_params:len(self.leaves), 0] = constants
        self._V, self._U = V, U
        self._saved = self._fast_forward(V, U) if self._fast else None
        if self._saved is None:
            with np.errstate(all="ignore"):  # inf and nan arise as in eager, without warnings
                self._saved = self._program(checked=True)["forward"](V, U)
            self._checked = True
        return self._row_values(self._where[self.root], n)

    def _fast_forward(self, V, U):
        """The forward without domain checks, or None where it may have met a domain error or a nan (then the
        checked forward runs, and raises the engine's error or gives the same numbers; the backward after it
        uses the local gradients that handle nan)."""
        try:
            with np.errstate(all="ignore", divide="raise"):
                saved = self._program()["forward"](V, U)
        except FloatingPointError:
            return None
        if not np.isfinite(self._row_values(self._where[self.root], 1)).all():
            return None
        self._checked = False
        return saved

    def _row_values(self, where, n):
        in_v, r = where
        return self._V[r].copy() if in_v else np.full(n, self._U[r, 0])

    def forward(self, *batch):
        """root's value for every row of the batch (arrays with one row per example, columns = inputs)."""
        return self._forward(self._columns(batch))

    __call__ = forward

    def values(self, node):
        """A watched node's (or the root's, an input's, a mask's) value for every example of the last replay."""
        if self._V is None:
            raise RuntimeError("run the tape first: tape.forward(*batch)")
        if node not in self._where or not (node is self.root or node in self.watched or node in self.inputs
                                           or node in self.masks):
            raise KeyError(f"{node!r} is not watched: pass it in Tape(..., watch=[node]) or record(..., watch=)")
        return self._row_values(self._where[node], self._V.shape[1])

    def backward(self, seed=1.0, input_grads=True):
        """After `forward`: p.grad += Σ_examples seed_i · ∂root_i/∂p for every parameter p.

        `seed` is a number or one number per example (1/n for a mean). Returns the gradients of the inputs, an
        array (examples × inputs), or None with input_grads=False (then they are not computed).
        """
        if self._V is None:
            raise RuntimeError("backward needs a forward pass first: tape.forward(*batch)")
        GV, GU = self._backward(seed, input_grads, guard=False)
        watched = np.add.reduce(GU[:len(self.params), 0]) + (GV[:len(self.inputs)].sum() if input_grads else 0.0)
        if watched != watched:  # a nan reached a leaf: maybe a 0·∞ where eager passes nothing on; run guarded
            GV, GU = self._backward(seed, input_grads, guard=True)
        for v, g in zip(self.params, GU[:len(self.params), 0].tolist()):
            v.grad += g
        return GV[:len(self.inputs)].T.copy() if input_grads else None

    def _backward(self, seed, input_grads, guard):
        _, GV, _, GU = self._buffer(self._V.shape[1])
        GV.fill(0.0)
        GU.fill(0.0)
        in_v, r = self._where[self.root]
        if in_v:
            GV[r] = seed
        else:
            GU[r] = np.sum(np.broadcast_to(seed, (self._V.shape[1],)))
        with np.errstate(all="ignore"):
            self._program(guard, input_grads, self._checked)["backward"](self._V, self._U, GV, GU, self._saved)
        return GV, GU

    def mean(self, *batch):
        """Forward and backward of the batch cost mean_i root_i: returns it; every parameter's grad += its gradient."""
        out = self.forward(*batch)
        self.backward(1.0 / len(out), input_grads=False)
        return float(out.mean())

    def sum(self, *batch):
        """Forward and backward of Σ_i root_i: returns it; every parameter's grad += its gradient."""
        out = self.forward(*batch)
        self.backward(1.0, input_grads=False)
        return float(out.sum())

    # --- checks ------------------------------------------------------------------------------------------------
    def _verify_against_eager(self):
        """Replay on the inputs' current values: the root's and every kept node's value, and every parameter's and
        input's gradient, must be eager's (else the numpy rows or the program disagree with the engine)."""
        self._forward([np.array([[v.data for v in self.inputs]]).reshape(1, -1)],
                      masks=np.array([[m.data] for m in self.masks]) if self.masks else None)
        kept = [n for n in self.order if n.op and n in self._where]
        scale = max([abs(n.data) for n in kept if abs(n.data) < np.inf] + [1.0])
        for node in kept:
            value = self._row_values(self._where[node], 1)[0]
            if not _close(value, node.data, scale):
                raise TapeError(f"the replay gives {value!r} where the engine has {node.data!r} at a {node.op!r} "
                                "node: NUMPY_PRIMITIVES or the program disagrees with PRIMITIVES")
        leaves = self.params + self.inputs
        saved = [v.grad for v in leaves]
        for v in leaves:
            v.grad = 0.0
        self.root.backward()
        eager = [v.grad for v in leaves]
        for v in leaves:
            v.grad = 0.0
        input_grads = list(self.backward()[0])
        replayed = [v.grad for v in self.params] + input_grads
        for v, s in zip(leaves, saved):
            v.grad = s
        scale = max([abs(e) for e in eager if abs(e) < np.inf] + [1.0])
        for v, e, r in zip(leaves, eager, replayed):
            if not _close(r, e, scale):
                raise TapeError(f"the replayed gradient {r!r} differs from the engine's {e!r} at leaf {v!r}")
        self._V = None

    def _check_row(self, fn, args, row_number):
        """Run fn eagerly on one row: the same graph shape and constants as the tape and the same value, else
        TapeError (a constant that differs between rows is random or taken from the data)."""
        root = fn(*args)
        order = topological_order(root)
        hint = ("the graph depends on the data beyond the inputs: a number taken from the data or drawn at random "
                "is not recorded. Make it an op on the input Values, or train eagerly")
        if len(order) != len(self.order):
            raise TapeError(f"on row {row_number} the graph has {len(order)} nodes, on the recording row "
                            f"{len(self.order)}: {hint}")
        now_inputs = [v for a in args for v in (a if isinstance(a, list) else [a])]
        self._compare_graphs(order, now_inputs, row_number, hint)
        X = np.array([[v.data for v in now_inputs]])
        masks = np.array([[now.data] for then, now in zip(self.order, order)
                          if isinstance(then, DropoutMask) and then not in set(self.inputs)])
        out = self._forward([X], masks=masks if len(masks) else None)[0]
        self._V = None
        if not _close(out, root.data):
            raise TapeError(f"on row {row_number} the replay gives {out!r}, eager {root.data!r}: {hint}")

    def _compare_graphs(self, order, now_inputs, row_number, hint):
        position = {node: i for i, node in enumerate(self.order)}
        position_now = {node: i for i, node in enumerate(order)}
        placeholders = {id(v) for v in now_inputs}
        inputs_then = {id(v): j for j, v in enumerate(self.inputs)}
        for then, now in zip(self.order, order):
            same = then.op == now.op and then.arg == now.arg and (
                [position[p] for p in then.parents] == [position_now[p] for p in now.parents])
            if same and not now.op:
                if id(then) in inputs_then:
                    same = now is now_inputs[inputs_then[id(then)]]
                elif isinstance(then, DropoutMask):
                    same = isinstance(now, DropoutMask) and now.p == then.p
                elif now is not then:  # a leaf made inside fn, e.g. the 1 of 1 - y·out: a constant
                    same = id(now) not in placeholders and not isinstance(now, DropoutMask)
                    if same and not _close(now.data, then.data):
                        raise TapeError(f"a leaf is {now.data!r} on row {row_number} but {then.data!r} on the "
                                        f"recording row ({now!r}): {hint}. If it is random (a dropout mask), "
                                        "make it a DropoutMask")
            if not same:
                raise TapeError(f"on row {row_number} the graph has a {now.op or 'leaf'!r} node where the recording "
                                f"row has {then.op or 'leaf'!r}: {hint}")


def _follow_leaf_rows(block, where):
    """Put the members of an op block that reads leaves (w·w of an L2 term) in the order of those leaves' rows, so
    that it reads and writes slices rather than gathering rows. Private blocks keep the order their reader needs."""
    if block.kind != "op" or block.private or not all(n in where for n in block.sources[0]):
        return
    order = sorted(range(len(block.members)), key=lambda i: where[block.sources[0][i]])
    block.members = [block.members[i] for i in order]
    block.sources = [[nodes[i] for i in order] for nodes in block.sources]


def _close(a, b, scale=1.0):
    """Equal up to rounding, or both nan. The replay may round differently from eager: numpy's exp and tanh
    may differ from libm's in the last bit, and a layer's matrix product adds in another order (so a sum
    that cancels to near 0 is only close on the scale of the graph's values)."""
    if a != a or b != b:
        return a != a and b != b
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12 * scale


def _placeholders(fields, i, kind=Value):
    """Row i of the batch as the arguments of fn: a Value per 1-D field, a list of Values per 2-D field."""
    args = []
    for j, f in enumerate(fields):
        if f.ndim == 1:
            args.append(kind(float(f[i]), f"in{j}"))
        else:
            args.append([kind(float(x), f"in{j}[{k}]") for k, x in enumerate(f[i])])
    return args


def _flat_args(args):
    return [v for a in args for v in (a if isinstance(a, list) else [a])]


def _trace_error(reads):
    """The TapeError for Python reads of traced numbers: the first few, with file and line."""
    unique = list({str(r): r for r in reads}.values())
    listed = "; ".join(str(r) for r in unique[:3]) + (f"; and {len(unique) - 3} more" if len(unique) > 3 else "")
    error = TapeError("the graph depends on the data through Python, so one recording cannot stand for every row: "
                      f"a value computed from the inputs is read as a number ({listed}). Use ops on Values instead "
                      "(relu, maximum, ...: they need no branch), or run eagerly (mode=\"eager\")")
    error.reads = unique
    return error


def _traced_run(fn, fields, watch, watched):
    """fn on row 0's placeholders, traced: (the arguments, the root, the watched nodes, the reads)."""
    args = _placeholders(fields, 0, Traced)
    try:
        root, reads = trace(fn, args, watched)
        nodes = watch(*args) if watch else ()
    finally:
        untrace(_flat_args(args))
    if not isinstance(root, Value):
        raise TypeError(f"fn must return one Value (a per-example loss or output), got {type(root).__name__}")
    order = topological_order(root)
    reads += untraced_results(order)
    untrace(order)
    return args, root, nodes, reads


def record(fn, *batch, check=3, watch=None, rng=None, params=None):
    """Record fn's graph on the first row of the batch and return its Tape (see the Tape docstring).

    fn: a function of one example, e.g. `lambda x, y: (1 - y * model(x)).relu()`, taking one argument per
        batch array: a Value for a 1-D array (n,), a list of Values for a 2-D array (n, d). It returns one
        Value. While it runs, the Values computed from its arguments are traced: reading one's number in
        Python (`.data`, `if v:`, printing it) raises TapeError naming the file and line, since the tape
        replays the ops, not the Python around them.
    batch: the arrays, one row per example. The tape is replayed later on any batch of the same columns.
    check: how many other rows to re-run fn on eagerly, comparing the graph's shape, constants and value with
        the tape's (this catches a constant drawn at random); "all" checks every row, 0 none.
    watch: a function (the same arguments) -> list of nodes of the graph to watch, e.g. the model's output,
        for `tape.values(node)`; or None.
    rng: seed or numpy Generator for re-drawing DropoutMask leaves. params: as for Tape.
    """
    fields = [np.asarray(f, dtype=float) for f in batch]
    if not fields or any(f.ndim not in (1, 2) for f in fields) or len({len(f) for f in fields}) != 1:
        raise ValueError("record(fn, *batch) needs the batch as 1-D or 2-D arrays with the same number of rows")
    n = len(fields[0])
    if n == 0:
        raise ValueError("record needs at least one row to record on")
    args, root, watched, reads = _traced_run(fn, fields, watch, params or ())
    if any("was called on a Value" in read.what for read in reads):  # again, with every leaf found Watched
        leaves = [n for n in topological_order(root) if not n.op and n not in set(_flat_args(args))]
        args, root, watched, reads = _traced_run(fn, fields, watch, list(params or ()) + leaves)
    if reads:
        raise _trace_error(reads)
    tape = Tape(root, _flat_args(args), watch=watched, rng=rng, params=params)
    tape.placeholders = args
    rows = range(1, n) if check == "all" else np.unique(np.linspace(0, n - 1, int(check) + 1).round().astype(int))[1:]
    for i in rows:
        tape._check_row(fn, _placeholders(fields, int(i)), int(i))
    return tape
