"""Tracing, as JAX's tracers: while a graph is recorded, every Value that depends on the inputs is a `Traced`,
and any Python read of its number (`.data`, `bool()`, printing or formatting it) is noted with its file and line.

A tape replays the ops it recorded, never the Python around them: `r if r.data < 3 else r * 0 + 3` takes the
branch of the recording row and would replay it on every row. A noted read means the graph may depend on the
data, so the graph is not replayed (`record` raises TapeError; `fit(mode="auto")` trains eagerly). The engine's
own reads (an op computing its result) are not noted: ops are elementwise and replayed exactly.
"""
import linecache
import sys

from ..engine import Value

__all__ = ["TapeError", "Traced", "Watched", "Read", "trace", "untraced_results", "untrace"]


class TapeError(ValueError):
    """The graph cannot be replayed as recorded (it depends on the data through Python), or the replay
    disagrees with the eager engine."""


_DATA = Value.data  # the slot that holds a Value's number; Traced reads it through a property
_QUIET = {"autograd.engine", __name__}  # modules whose reads are ops computing their results
_reads = None  # while tracing: the list of Reads so far


class Read:
    """One Python read of a traced number: what was read (`what`) and where (`file`, `line`, `text`)."""

    def __init__(self, what, file=None, line=None):
        self.what, self.file, self.line = what, file, line
        self.text = linecache.getline(file, line).strip() if file else ""

    def __str__(self):
        where = f" at {self.file}:{self.line}" if self.file else ""
        return f"{self.what}{where}" + (f": {self.text}" if self.text else "")

    def __repr__(self):
        return f"Read({str(self)!r})"


def _note(what):
    """Note a read by the caller of the caller (the code that touched the number), unless it is an op's."""
    if _reads is None:
        return
    frame = sys._getframe(2)
    if frame.f_globals.get("__name__") not in _QUIET:
        _reads.append(Read(what, frame.f_code.co_filename, frame.f_lineno))


def _traced(out):
    """An op's result on a traced input depends on the inputs too."""
    if type(out) is Value:
        out.__class__ = Traced  # same slots: only the class changes
    return out


class Traced(Value):
    """A Value that depends on the inputs of the graph being recorded. It computes as a Value does; its
    results are Traced too; reading its number outside the engine is noted (see the module docstring)."""

    __slots__ = ()

    @property
    def data(self):
        _note("reads .data")
        return _DATA.__get__(self)

    @data.setter
    def data(self, value):
        _note("writes .data")
        _DATA.__set__(self, value)

    def __bool__(self):
        _note("bool() (an if or while on a Value)")
        return True

    def __repr__(self):
        _note("prints or formats it")
        return Value.__repr__(self)

    def __format__(self, spec):
        _note("formats it")
        return format(Value.__repr__(self), spec)

    def __add__(self, other):
        return _traced(Value.__add__(self, other))

    def __radd__(self, other):  # other + self: other stays the first parent, as eager builds it
        return _traced(Value.__add__(other, self) if isinstance(other, Value) else Value.__radd__(self, other))

    def __mul__(self, other):
        return _traced(Value.__mul__(self, other))

    def __rmul__(self, other):
        return _traced(Value.__mul__(other, self) if isinstance(other, Value) else Value.__rmul__(self, other))

    def _apply(self, op, other=None, arg=None):
        return _traced(Value._apply(self, op, other, arg))


class Watched(Value):
    """A Value that does not depend on the inputs (a parameter) while a graph is recorded: its own methods
    pass tracing on, so `w.maximum(x)` with x traced is traced (Python's reflected operators cover `w + x` and
    `w * x` for plain Values, but a method belongs to its left operand). Its results are Watched too."""

    __slots__ = ()

    def _passed_on(self, out, other):
        return _traced(out) if type(other) is Traced else _watched(out)

    def __add__(self, other):
        return self._passed_on(Value.__add__(self, other), other)

    def __mul__(self, other):
        return self._passed_on(Value.__mul__(self, other), other)

    def _apply(self, op, other=None, arg=None):
        return self._passed_on(Value._apply(self, op, other, arg), other)


def _watched(out):
    if type(out) is Value:
        out.__class__ = Watched
    return out


def trace(fn, args, watched=()):
    """fn(*args) with the reads of traced numbers noted: (its result, [Read, ...]). Make the inputs among
    args Traced first (`Traced(number, label)`); `watched`: Values that do not depend on them (parameters),
    made Watched while fn runs."""
    global _reads
    outer, _reads = _reads, []
    watched = [_watched(v) for v in watched if type(v) is Value]
    try:
        out = fn(*args)
    finally:
        reads, _reads = _reads, outer
        untrace(watched)
    return out, reads


def untraced_results(order):
    """Reads that tracing could not see: a node computed from a traced input whose result is not Traced. That
    happens for `c.maximum(x)` with c a plain Value (not Watched) and x traced: the method is c's. Its number may
    have been read unnoticed, so it counts as a read."""
    missed = []
    for node in order:
        if node.op and type(node) is not Traced and any(type(p) is Traced for p in node.parents):
            missed.append(Read(f"{node.op}(...) was called on a Value made inside the function that does not depend "
                               "on the inputs, with an argument that does, so its result could not be traced; call "
                               "it on the input-dependent Value instead (x.maximum(c), not Value(c).maximum(x))"))
    return missed


def untrace(order):
    """Make the nodes plain Values again once the graph is recorded."""
    for node in order:
        if type(node) is Traced or type(node) is Watched:
            node.__class__ = Value
