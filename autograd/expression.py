"""Build a graph from text: `parse("sigmoid(w*x + b)", w=-2, x=5, b=3)`.

The text is read by Python's own parser (`ast`) and never run: a walk over the syntax tree checks every
node against a short allow-list first, and only then are Values built, by the same operators Python code
would use, so `parse("w*x + b", ...)` draws exactly the graph of `w * x + b` written with Values.

Allowed: names (each becomes one leaf labelled by its name, however often it appears), numbers,
`+ - * / **`, unary minus and plus, and calls of the functions in FUNCTIONS. `name = expression` labels
the result. A power needs a number on one side: `x ** 2` and `2 ** x` (e^(x ln 2)) are fine, `x ** y` is
refused, since the engine has no Value ** Value (write exp(y*log(x))). Anything else (attributes, other
calls, subscripts, lambdas, comprehensions, strings, …) raises ParseError, a ValueError that quotes the
offending text and says what is allowed.

(The module is not called `parse`: `autograd.parse` is the function, and a module of the same name
would be hidden behind it.)
"""
import ast
import operator
from numbers import Real

from .engine import Value

__all__ = ["parse", "ParseError", "FUNCTIONS", "MAX_LENGTH", "MAX_DEPTH"]

MAX_LENGTH = 2_000  # characters; a formula for a learner is far shorter
MAX_DEPTH = 100  # nesting of operators, calls and parentheses

# name -> (how to apply it to Values and numbers, fewest and most arguments)
FUNCTIONS = {
    "exp": (Value.exp, 1, 1),
    "log": (Value.log, 1, 1),
    "tanh": (Value.tanh, 1, 1),
    "relu": (Value.relu, 1, 1),
    "sigmoid": (Value.sigmoid, 1, 1),  # composed: x → ×(−1) → exp → +1 → 1/x, as the lecture draws it
    "sigmoid_fused": (lambda x: x.sigmoid(fused=True), 1, 1),
    "elu": (Value.elu, 1, 2),  # elu(x) or elu(x, alpha), alpha a number
    "max": (Value.maximum, 2, 2),
}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: lambda x: x}
ALLOWED = ("allowed: names with values, numbers, + - * / ** and unary minus, and the functions "
           + ", ".join(FUNCTIONS))


class ParseError(ValueError):
    """An expression that `parse` refuses: the message quotes the offending text and says what is allowed."""


def parse(expression, /, **values):
    """A graph from `expression`, its root Value: names are leaves with the given `values`.

    `parse("sigmoid(w*x + b)", w=-2, x=5, b=3)` builds σ(w·x + b) with leaves labelled w, x and b; the
    same name twice is the same leaf, so its gradients add. Numbers become constant leaves (label "") as
    `2 * v` makes them. `"f = w*x + b"` also labels the root f. Values nobody uses are ignored.

    Nothing in the text is run: it is parsed with `ast` and checked against an allow-list before any
    Value is made. Raises ParseError (a ValueError) for a syntax error, anything not allowed, a name
    without a value, text longer than MAX_LENGTH or nested deeper than MAX_DEPTH, and for an op that
    fails at these values (log of a negative number, division by zero).
    """
    text = _checked_text(expression)
    for name, value in values.items():
        if not isinstance(value, Real) or isinstance(value, bool):
            raise TypeError(f"parse: the value of {name} must be a number (int or float), "
                            f"got {type(value).__name__}: {value!r}")
    body, root_name = _syntax_tree(text)
    _check(body, text, values, root_name)
    leaves = {}
    root = _build(body, text, values, leaves)
    if not isinstance(root, Value):  # a formula of numbers only: one constant
        root = Value(root)
    if root_name:
        root.label = root_name
    return root


def _checked_text(expression):
    """The expression, stripped, once its length and its nesting of parentheses are within the limits."""
    if not isinstance(expression, str):
        raise TypeError(f"parse: expression must be a str such as 'w*x + b', got {type(expression).__name__}")
    text = expression.strip()
    if not text:
        raise ParseError(f"parse: the expression is empty; write one such as 'w*x + b'; {ALLOWED}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"parse: the expression has {len(text):,} characters, more than the "
                         f"{MAX_LENGTH:,} allowed: {_quote(text, 40)}")
    depth = deepest = 0
    for char in text:  # before Python's parser sees it, which may run out of stack on deep nesting
        depth += (char in "([{") - (char in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise ParseError(f"parse: parentheses nested {deepest} deep, more than the {MAX_DEPTH} allowed")
    return text


def _syntax_tree(text):
    """The expression's syntax tree and the root's name: one expression, or one `name = expression`."""
    try:
        module = ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        where = f" at column {e.offset}" if isinstance(e, SyntaxError) and e.offset else ""
        reason = e.msg if isinstance(e, SyntaxError) else type(e).__name__
        raise ParseError(f"parse: {_quote(text)} is not a formula ({reason}{where}); {ALLOWED}") from None
    if len(module.body) != 1:
        raise ParseError(f"parse: {_quote(text)} has {len(module.body)} statements; write one expression, "
                         f"optionally named: 'f = w*x + b'")
    statement = module.body[0]
    if isinstance(statement, ast.Expr):
        return statement.value, ""
    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        return statement.value, statement.targets[0].id
    segment = ast.get_source_segment(text, statement) or text
    raise ParseError(f"parse: {_quote(segment)} is not an expression; write one expression, optionally named: "
                     f"'f = w*x + b'; {ALLOWED}")


def _quote(text, most=60):
    """text in quotes, shortened to about `most` characters."""
    return repr(text if len(text) <= most else text[:most - 1] + "…")


def _refuse(text, node, problem):
    """A ParseError quoting the offending part of the text (and the text, when the part is smaller)."""
    segment = ast.get_source_segment(text, node) or text
    where = f"{_quote(segment)} in {_quote(text)}" if segment != text else _quote(text)
    return ParseError(f"parse: {where}: {problem}")


def _children(node, text, values):
    """The sub-expressions of an allowed node; ParseError for anything else."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        if isinstance(node.op, ast.Pow) and _names_in(node.left) and _names_in(node.right):  # 2 ** x is e^(x ln 2)
            raise _refuse(text, node, "the exponent must be a number: the engine has no Value ** Value; "
                                      "write exp(y*log(x)) for x ** y")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return [node.operand]
    if isinstance(node, ast.Call):
        _check_call(node, text)
        return list(node.args)
    if isinstance(node, ast.Name):
        _check_name(node, text, values)
        return []
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return []
    raise _refuse(text, node, f"{_kind(node)} is not allowed; {ALLOWED}")


_SYNTAX = {ast.Attribute: "attribute access (a.b)", ast.Subscript: "a subscript (a[i])", ast.Lambda: "a lambda",
           ast.NamedExpr: "an assignment expression (:=)", ast.JoinedStr: "an f-string", ast.Compare: "a comparison",
           ast.BoolOp: "and / or", ast.IfExp: "a conditional (a if c else b)", ast.ListComp: "a comprehension",
           ast.GeneratorExp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
           ast.Starred: "unpacking (*a)"}
_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not"}


def _kind(node):
    """What a learner calls this piece of syntax: "the operator //", "a lambda", "a constant of type str"."""
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return f"the operator {_OPERATORS.get(type(node.op), type(node.op).__name__)}"
    if isinstance(node, ast.Constant):
        return f"a constant of type {type(node.value).__name__}"
    return _SYNTAX.get(type(node), f"{type(node).__name__} syntax")


def _check_call(node, text):
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name not in FUNCTIONS:
        raise _refuse(text, node, f"only these functions can be called: {', '.join(FUNCTIONS)}")
    _, fewest, most = FUNCTIONS[name]
    if node.keywords or not fewest <= len(node.args) <= most:
        count = str(fewest) if fewest == most else f"{fewest} or {most}"
        raise _refuse(text, node, f"{name} takes {count} positional argument{'s' * (most > 1)}")
    if name == "elu" and len(node.args) == 2 and _names_in(node.args[1]):
        raise _refuse(text, node, "elu's alpha must be a number, such as elu(x, 0.5)")


def _check_name(node, text, values):
    if node.id in FUNCTIONS:
        raise _refuse(text, node, f"{node.id} is a function: call it, {node.id}(x)")
    if node.id not in values:
        raise _refuse(text, node, f"the name {node.id} has no value: give one, parse(..., {node.id}=1.0)")


def _names_in(node):
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def _check(body, text, values, root_name):
    """Walk the whole tree (iteratively, depth-first) before anything is built: every node must be allowed."""
    if root_name in values or root_name in FUNCTIONS:
        raise ParseError(f"parse: the result's name {root_name!r} is also an input or a function; pick another")
    stack = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(text, node, f"nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in _children(node, text, values))


def _build(node, text, values, leaves):
    """The Value (or plain number) of a checked node; the tree is at most MAX_DEPTH deep."""
    if isinstance(node, ast.Constant):
        return float(node.value)  # floats from the start: 10**10**10 overflows at once rather than running on
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            leaves[node.id] = Value(values[node.id], node.id)
        return leaves[node.id]
    if isinstance(node, ast.BinOp):
        x, y = _build(node.left, text, values, leaves), _build(node.right, text, values, leaves)
        return _apply(node, text, _BINARY[type(node.op)], x, y)
    if isinstance(node, ast.UnaryOp):
        return _apply(node, text, _UNARY[type(node.op)], _build(node.operand, text, values, leaves))
    function = FUNCTIONS[node.func.id][0]
    x, *rest = [_build(arg, text, values, leaves) for arg in node.args]
    return _apply(node, text, function, x if isinstance(x, Value) else Value(x), *rest)


def _apply(node, text, function, *args):
    """function(*args), with a failure at these values (log of −1, 1/0, overflow) as a ParseError."""
    try:
        out = function(*args)
    except OverflowError:
        raise _refuse(text, node, "overflows at these values: the result is too large for a float") from None
    except (ValueError, ArithmeticError, TypeError) as e:
        raise _refuse(text, node, f"fails at these values: {e}") from None
    if isinstance(out, complex):  # (−8) ** (1/3) of two plain numbers
        raise _refuse(text, node, "is not a real number at these values")
    return out
