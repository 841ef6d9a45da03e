"""What a graph comes from, on the command line and in the API: an example, a Python file or a formula.

`load_source(source, func=None, at=None)` turns one "source" into the root Value of its graph:

- an example name in `viz.examples.EXAMPLES`: "wxb", "neuron", ...;
- a Python file, "graph.py": the function named `func` is called, else the first function defined in the
  file (in source order) that takes no arguments and returns a Value;
- a formula with its leaves' values: `load_source("sigmoid(w*x + b)", at="w=-2,x=5,b=3")`, read by
  `autograd.parse` (Python's `ast`, an allow-list, nothing run). Its root is labelled f (out when f is an
  input), unless the formula names it: "loss = -log(h)".

`parse_at("w=-2,x=5,b=3")` reads the values as the command line's `--at` gives them. Nothing here calls
backward(): the step-through replays it, a drawing runs it.
"""
import importlib.util
import inspect
import keyword
import math
import os

from autograd import Value, parse

__all__ = ["load_source", "parse_at", "source_kind", "SourceError", "AT_EXAMPLE"]

AT_EXAMPLE = "w=-2,x=5,b=3"  # how --at values are written, quoted in every --at message


_KINDS = {"file": "a Python file", "example": "an example", "expression": "a formula"}


class SourceError(LookupError, ValueError):
    """A source that names no example, file or function (a LookupError, as `viz.steps.load_root` raised,
    and a ValueError, a bad argument); the message is one line."""


def source_kind(source, at=None):
    """What `source` is: "file" (ends in .py, or an existing file), "example" (a name in EXAMPLES) or
    "expression" (anything else; a bare name such as "x" only when `at` gives values)."""
    from .examples import EXAMPLES

    if not isinstance(source, str):
        raise TypeError(f"source must be a str (an example name, a .py file or a formula), "
                        f"got {type(source).__name__}: {source!r}")
    if source.endswith(".py") or os.path.isfile(source):
        return "file"
    if source in EXAMPLES or (source.isidentifier() and at is None):
        return "example"  # an unknown bare name is most likely a mistyped example
    return "expression"


def load_source(source, func=None, at=None):
    """The root Value of the graph `source` names: an example name, a Python file or a formula.

    func: for a file, the function to call. at: a formula's values, a dict {name: number} or the
    command line's text "w=-2,x=5,b=3". Raises SourceError (one line) for an unknown example, a missing
    file, a file that fails or has no such function, or `func` / `at` given with a source that takes
    none; ValueError for bad `at` text; `autograd.expression.ParseError` (a ValueError) for a formula `parse` refuses.
    """
    kind = source_kind(source, at)
    if func is not None and kind != "file":
        raise SourceError(f"func {func!r} (--func) picks a function in a Python file, but {source!r} is "
                          f"{_KINDS[kind]}")
    if at is not None and kind != "expression":
        raise SourceError(f"values (at=, --at) belong to a formula such as 'w*x + b', but {source!r} is "
                          f"{_KINDS[kind]} with its own values")
    if kind == "file":
        return _root_from_file(source, func)
    if kind == "example":
        return _example(source)
    values = parse_at(at) if isinstance(at, str) else dict(at or {})  # parse checks the numbers
    return _labelled(parse(source, **values), values)


def _example(name):
    """The root of worked example `name` (not backpropagated), or a SourceError listing the examples."""
    from .examples import EXAMPLES

    if name not in EXAMPLES:
        raise SourceError(f"no example named {name!r}; pick one of {', '.join(EXAMPLES)}, give a Python file "
                          f"(graph.py), or a formula with values: \"w*x + b\" --at {AT_EXAMPLE}")
    return _as_root(EXAMPLES[name](), name)


def _labelled(root, values):
    """A formula's root labelled f (out when f is an input), unless the formula named it or it is a leaf."""
    if not root.label and root.parents:
        root.label = "out" if "f" in values else "f"
    return root


# --- --at values -------------------------------------------------------------------------------------------------


def parse_at(text):
    """{name: float} from the command line's values, "w=-2,x=5,b=3" (also "w = −2, x = 5").

    ValueError naming --at, the offending pair and the form wanted, for an empty list or pair, a pair
    without "=", a name that is not an identifier, the same name twice, or a value that is not a finite
    number.
    """
    if not isinstance(text, str):
        raise TypeError(f"--at must be text such as {AT_EXAMPLE!r}, got {type(text).__name__}: {text!r}")
    values = {}
    for pair in text.split(","):
        name, value = _at_pair(pair.strip(), text)
        if name in values:
            raise ValueError(f"--at gives {name} twice (in {text!r}); give each name once, as in {AT_EXAMPLE}")
        values[name] = value
    return values


def _at_pair(pair, text):
    """(name, number) from one "name=number" of --at's `text`."""
    if not pair:
        raise ValueError(f"--at {text!r} has an empty pair (two commas, or one at an end); "
                         f"write name=number pairs separated by commas: {AT_EXAMPLE}")
    name, equals, number = (part.strip() for part in pair.partition("="))
    if not equals:
        raise ValueError(f"--at: {pair!r} is not name=number (in {text!r}); write {AT_EXAMPLE}")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"--at: {name!r} in {pair!r} is not a name: use letters, digits and _, not starting "
                         f"with a digit, as in {AT_EXAMPLE}")
    try:
        value = float(number.replace("\u2212", "-"))  # the real minus sign, as chainrule prints numbers
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        raise ValueError(f"--at: {name}={number!r} is not a finite number; write a number such as "
                         f"{name}=-2 or {name}=0.5")
    return name, value


# --- Python files ------------------------------------------------------------------------------------------------


def _as_root(result, where):
    """The Value `result` (or the first item of a tuple an example returns), else a SourceError."""
    if isinstance(result, tuple) and result and isinstance(result[0], Value):
        result = result[0]  # an example returning (root, inputs...)
    if not isinstance(result, Value):
        raise SourceError(f"{where} returned {type(result).__name__}, not a Value")
    return result


def _root_from_file(path, func):
    """Run the file at `path` as a module and return the Value its function `func` (or the first fitting
    function) returns."""
    if not os.path.isfile(path):
        raise SourceError(f"no such file: {path!r} (give an example name, a Python file path or a formula)")
    spec = importlib.util.spec_from_file_location("_chainrule_user_graph", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # the user's file: report its error in one line
        raise SourceError(f"{path} failed to run: {type(e).__name__}: {e}") from e
    if func is not None:
        f = getattr(module, func, None)
        if not callable(f):
            raise SourceError(f"{path} has no function {func!r}")
        return _as_root(_call(f, path), f"{path}:{func}()")
    candidates = [f for f in vars(module).values()
                  if inspect.isfunction(f) and f.__module__ == module.__name__ and _no_required_args(f)]
    candidates.sort(key=lambda f: f.__code__.co_firstlineno)
    for f in candidates:
        result = _call(f, path)
        if isinstance(result, Value) or (isinstance(result, tuple) and result and isinstance(result[0], Value)):
            return _as_root(result, path)
    raise SourceError(f"{path} has no function without arguments that returns a Value; name one with --func")


def _no_required_args(f):
    """True when `f` can be called without arguments."""
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in inspect.signature(f).parameters.values())


def _call(f, path):
    """f(), with its failure as a one-line SourceError naming the file."""
    try:
        return f()
    except Exception as e:
        raise SourceError(f"{path}: {f.__name__}() failed: {type(e).__name__}: {e}") from e
