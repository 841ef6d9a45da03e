"""The numpy op table: one row per engine primitive, forward and local derivative side by side, on arrays.

Each row is written once, as source text in the names x, y (the inputs), k (the constant of `pow` and
`elu`) and out (the result): the code generator pastes it into a tape's program, and `forward` and
`local` are the same text compiled into functions. Arrays hold one column per example.
"""
import numpy as np

from ..engine import PRIMITIVES

__all__ = ["NumpyPrimitive", "NUMPY_PRIMITIVES", "HELPERS"]


def _first(x, bad):
    """The first offending value and its example (column) for an error message."""
    where = tuple(np.argwhere(bad)[0])
    return float(x[where]), int(where[-1])


def log(x):
    """ln x; ValueError naming the example for x ≤ 0 (nan passes through, as in the engine)."""
    bad = x <= 0
    if bad.any():
        value, example = _first(x, bad)
        raise ValueError(f"log is defined only for x > 0, got x = {value!r} (example {example} of the batch); "
                         "shift or clip the input first")
    return np.log(x)


def recip(x):
    """1/x; ZeroDivisionError naming the example at x = 0."""
    bad = x == 0
    if bad.any():
        raise ZeroDivisionError(f"1/x at x = 0 (example {_first(x, bad)[1]} of the batch): the reciprocal "
                                "(and division) needs a non-zero value")
    return 1.0 / x


def power(x, k):
    """x^k for a number k, with the engine's domain errors; C's pow otherwise, as Python's floats."""
    if np.isfinite(k) and not float(k).is_integer() and (x < 0).any():
        value, example = _first(x, x < 0)
        raise ValueError(f"x ** {k!r} with x = {value!r} < 0 (example {example} of the batch) is not a real "
                         "number; use an integer exponent")
    if k < 0 and (x == 0).any():
        raise ZeroDivisionError(f"0 ** {k!r} (example {_first(x, x == 0)[1]} of the batch): a negative power "
                                "of zero is undefined")
    return np.power(x, k)


def power_local(x, k):
    """k·x^(k−1); 0 when k = 0 (also at x = 0), and k·∞ at x = 0 for k < 1, as the engine's row."""
    if k == 0:
        return np.zeros_like(x)
    return np.where((x != 0) | (k >= 1), k * np.power(x, k - 1), k * np.inf)


def sigmoid(x):
    """σ(x) by the engine's two branches, both from e^−|x| so that exp never overflows."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def elu(x, k):
    """x if x > 0 else k·(e^x − 1)."""
    return np.where(x > 0, x, k * np.expm1(np.minimum(x, 0.0)))


def max_dx(x, y, out):
    """∂max/∂x: 1 where x is the larger, ½ on a tie, nan where an input is nan (as the engine's row)."""
    dx = np.where(x > y, 1.0, np.where(y > x, 0.0, 0.5))
    return np.where(np.isnan(out), np.nan, dx)


# the functions the rows' text calls (and the generated programs too)
HELPERS = {"np": np, "log": log, "recip": recip, "power": power, "power_local": power_local, "sigmoid": sigmoid,
           "elu": elu, "max_dx": max_dx}


class NumpyPrimitive:
    """The batch version of one engine primitive, as text and as functions.

    `forward_text` computes out from x (and y, k), raising the engine's domain errors; `fast_text` is the same
    without the checks (a domain error then shows as a division by zero or a nan, and the tape re-runs the
    checked text); `local_text` holds ∂out/∂x (and ∂out/∂y) in x, y, k, out, and `fast_local_text` the same
    for inputs without nan (used after a forward whose result had none); `gradient_text`, where given, is
    local·g itself in x, y, k, out and g, under the engine's rule (a zero local contributes exactly 0), written
    more cheaply than the product. `forward(*xs) -> out` and
    `local(*xs, out) -> (∂out/∂x, ...)` are that text compiled, with the constant of `pow` and `elu` as the
    last argument after the arrays. "1.0" as a local means: pass g on unchanged.
    """

    __slots__ = ("name", "forward_text", "local_text", "fast_text", "fast_local_text", "gradient_text", "forward",
                 "local")

    def __init__(self, name, forward_text, local_text, fast_text=None, fast_local_text=None, gradient_text=None):
        self.name, self.forward_text, self.local_text = name, forward_text, tuple(local_text)
        self.fast_text, self.fast_local_text = fast_text or forward_text, tuple(fast_local_text or local_text)
        self.gradient_text = tuple(gradient_text) if gradient_text else None
        names = ["x", "y"][:PRIMITIVES[name].arity] + (["k"] if "k" in forward_text else [])
        self.forward = _compile(f"lambda {', '.join(names)}: {forward_text}")
        self.local = _compile(f"lambda {', '.join(names + ['out'])}: ({', '.join(self.local_text)},)")

    def __repr__(self):
        return f"NumpyPrimitive({self.name!r}: out = {self.forward_text}; local = {', '.join(self.local_text)})"


def _compile(source):
    """The row's text as a function (text written in this file only), quiet about inf and nan as the engine is."""
    function = eval(source, dict(HELPERS))

    def quiet(*args):
        with np.errstate(all="ignore"):
            return function(*args)

    return quiet


def _table(*rows):
    return {row.name: row for row in rows}


# name, forward, local gradients: the same math as engine.PRIMITIVES, on arrays
NUMPY_PRIMITIVES = _table(
    NumpyPrimitive("add", "x + y", ["1.0", "1.0"]),
    NumpyPrimitive("mul", "x * y", ["y", "x"]),
    NumpyPrimitive("max", "np.maximum(x, y)", ["max_dx(x, y, out)", "1.0 - max_dx(x, y, out)"],  # nan at a nan
                   fast_local_text=["(x > y) + (x == y) * 0.5", "(y > x) + (x == y) * 0.5"]),
    NumpyPrimitive("pow", "power(x, k)", ["power_local(x, k)"], fast_text="np.power(x, k)"),
    NumpyPrimitive("exp", "np.exp(x)", ["out"]),  # e^(>709) is inf, as in the engine
    NumpyPrimitive("log", "log(x)", ["1.0 / x"], fast_text="np.log(x)"),
    NumpyPrimitive("recip", "recip(x)", ["-out * out"], fast_text="1.0 / x"),  # −1/x² overflows to −∞ for tiny x, as in the engine
    NumpyPrimitive("relu", "np.where(x <= 0, 0.0, x)", ["(x > 0) * 1.0"],  # nan stays nan, local 0 there
                   gradient_text=["np.where(x > 0, g, 0.0)"]),
    NumpyPrimitive("tanh", "np.tanh(x)", ["1.0 - out * out"]),
    NumpyPrimitive("elu", "elu(x, k)", ["np.where(x > 0, 1.0, out + k)"]),
    NumpyPrimitive("sigmoid", "sigmoid(x)", ["out * (1.0 - out)"]),
)
