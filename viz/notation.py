"""How chainrule writes numbers and ops: one notation for every picture, table and sentence.

The graph, the step-through (terminal, HTML, Jupyter), the example summaries and the command line all
format through `fmt` and name ops through `op_text`, so a −2 on an edge is the −2 in the sentence.
Negative numbers carry the real minus sign "−" (U+2212), as in print, not the hyphen "-".
"""
import math
import unicodedata

from autograd import PRIMITIVES

__all__ = ["MINUS", "fmt", "factor", "op_text", "visible"]

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


_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # they reorder the rest of a line


def _shown(c):
    """One character as text that shows it: a control character, lone surrogate or bidi override as its escape."""
    if unicodedata.category(c) not in ("Cc", "Cs") and c not in _BIDI:
        return c
    if c in _ESCAPES:
        return _ESCAPES[c]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def visible(text):
    r"""`text` with every control character written as its Python escape, so that a label prints and renders
    as what it is, never as what it does.

    ESC (as in "\x1b[31m") becomes the four characters \x1b (no terminal colour), a tab \t, NUL \x00, a lone
    surrogate (which UTF-8 cannot encode) \ud800, and a bidi override (U+202A–E, U+2066–9, which would reorder
    the rest of the line) \u202e. Everything else, ordinary non-ASCII text included, is unchanged.
    """
    text = str(text)
    if text.isprintable():  # the common case: nothing to show
        return text
    return "".join(_shown(c) for c in text)
