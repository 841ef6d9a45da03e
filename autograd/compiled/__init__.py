"""Compiled batch mode: record one example's scalar graph once, replay it over a whole batch with numpy.

The eager engine builds a fresh graph of Python objects for every example at every step. A network's
graph has the same shape for every example, so `record` builds it once, on placeholder inputs, and keeps
a *tape*; the tape turns into a numpy program (`tape.source`) that computes every node for every example
of the batch at once, and its backward:

    from autograd.compiled import record
    l2 = lambda: 1e-4 * sum(p * p for p in model.parameters())
    tape = record(lambda x, y: (1 - y * model(x)).relu() + l2(), X, Y,   # one example's loss; X (n, 2), Y (n,)
                  params=model.parameters())
    model.zero_grad()
    cost = tape.mean(X, Y)     # mean_i loss_i, and p.grad += its gradient, for every parameter p
    outs = tape(X, Y)          # per-example values only
    print(tape.source)         # the numpy program the scalar graph became

`tape.mean` gives the eager numbers for the batch cost mean_i f(params, x_i, y_i): the same value and the
same gradient in every parameter's `grad`, to rounding (1e-12 in the tests). A term on the parameters alone,
like the L2 penalty above, does not vary over the batch: the tape computes it once per replay.

Leaves of the recorded graph are of three kinds:
  inputs      the placeholders made from the batch (or passed to `Tape`): one column of the batch each;
  masks       `DropoutMask` leaves: re-drawn for every example at every replay (a dropout mask is data);
  the rest    parameters and constants: read from their `.data` at every replay (so an optimizer's
              update is seen); the parameters get their batch gradient in `.grad`, as eager backward does.

How a graph becomes a program: `plan` groups the op nodes into blocks (one op at one depth, one numpy call;
a layer's sums of w·x are one matrix product), `codegen` writes each block as a line of numpy, the local
derivatives taken from NUMPY_PRIMITIVES, one row per engine primitive.

Limit: the tape records the ops, not the Python around them. A graph whose shape depends on the data
(`if x.data > 0:` in the model) cannot be replayed. `record` traces the values computed from the inputs, as
JAX's tracers do, and raises TapeError on any Python read of their numbers (`.data`, `if v:`, printing),
naming the file and line. ReLU, max and maxout need no branch: they are elementwise ops.

This package imports only the engine and numpy; `autograd.nn.modes` builds the training step on it.
"""
from .rows import NUMPY_PRIMITIVES, NumpyPrimitive
from .tape import DropoutMask, Tape, record
from .trace import Read, TapeError, Traced

__all__ = ["record", "Tape", "TapeError", "DropoutMask", "NUMPY_PRIMITIVES", "NumpyPrimitive", "Traced", "Read"]
