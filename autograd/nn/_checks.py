"""Argument checks shared by nn, the lab and viz: one message for every bad number or count.

Each check returns the argument as a plain int or float, or raises an error that names the argument, what
was given and what is allowed: TypeError for the wrong kind of value (a str, None, 2.0 for a count),
ValueError for a value out of range (0 steps, an infinite noise). bool is refused: True is not a number here.
"""
import math
from numbers import Integral, Real

__all__ = ["integer", "positive_int", "number"]


def _given(value):
    """How an error shows what it got: 0.5, '0.1' (str), None."""
    if isinstance(value, (bool, Real)) and not isinstance(value, str):
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def integer(name, value, minimum=None, hint=""):
    """`value` as an int ≥ minimum (when given); a float such as 2.0 is refused, since a count is whole.

    hint: a sentence appended to the error, e.g. why the minimum is what it is.
    """
    wanted = "an int" if minimum is None else "a positive int" if minimum == 1 else f"an int >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be {wanted}, got {_given(value)}" + (f": {hint}" if hint else ""))
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {wanted}, got {value!r}" + (f": {hint}" if hint else ""))
    return int(value)


def positive_int(name, value):
    """`value` as an int ≥ 1: a count of steps, units, examples."""
    return integer(name, value, minimum=1)


def _range_text(minimum, above, below):
    """'a number > 0', 'a number in [0, 1)', 'a finite number': what `number` allows, in words."""
    low = f"[{minimum:g}" if minimum is not None else f"({above:g}" if above is not None else None
    if low is not None and below is not None:
        return f"a number in {low}, {below:g})"
    if minimum is not None:
        return f"a number >= {minimum:g}"
    if above is not None:
        return f"a number > {above:g}"
    if below is not None:
        return f"a number < {below:g}"
    return "a finite number"


def number(name, value, *, minimum=None, above=None, below=None, hint=""):
    """`value` as a finite float with minimum ≤ value (or above < value) and value < below, where given.

    An int, float or numpy number is accepted; a str, None, Decimal or complex is a TypeError, and nan or
    ±inf is a ValueError (no learning rate, noise or penalty is infinite).
    """
    wanted = _range_text(minimum, above, below)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be {wanted}, got {_given(value)}" + (f": {hint}" if hint else ""))
    value = float(value)
    in_range = (math.isfinite(value) and (minimum is None or value >= minimum)
                and (above is None or value > above) and (below is None or value < below))
    if not in_range:
        raise ValueError(f"{name} must be {wanted}, got {value!r}" + (f": {hint}" if hint else ""))
    return value
