"""How chainrule writes numbers and ops: one notation for every picture, table and sentence.

The graph, the step-through (terminal, HTML, Jupyter), the example summaries and the command line all
format through `fmt` and name ops through `op_text`, so a −2 on an edge is the −2 in the sentence.
Negative numbers carry the real minus sign "−" (U+2212), as in print, not the hyphen "-".
"""
import math

from autograd import PRIMITIVES

__all__ = ["MINUS", "fmt", "factor", "op_text"]

MINUS = "\u2212"  # −
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fmt(x):
    """x in 4 significant digits with a real minus sign: -2.0 -> "−2", 0.196612 -> "0.1966", 1e-7 -> "1e−07"."""
    if x == 0:
        return "0"  # also −0.0
    return f"{x:.4g}".replace("-", MINUS)


def factor(x):
    """A number inside a product: negatives in parentheses, 1 · (−2)."""
    text = fmt(x)
    return f"({text})" if text.startswith(MINUS) else text


def op_text(node):
    """What an op shows, in the graph and in the terminal's table: ×, +, exp, x² for ** 2, **0.5, ELU α=1, ..."""
    if node.op == "pow":
        k = node.arg
        if math.isfinite(k) and k == int(k) and abs(k) < 10:  # x², x⁻¹; not x^inf or x^nan
            return "x" + str(int(k)).translate(_SUPERSCRIPT)
        return "**" + fmt(k)
    if node.op == "elu":
        return f"ELU α={fmt(node.arg)}"
    text = PRIMITIVES[node.op].symbol
    return text if node.arg is None else f"{text} {fmt(node.arg)}"  # an op added later with a constant
