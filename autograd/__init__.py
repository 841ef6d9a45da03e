"""chainrule's engine: scalar reverse-mode autodiff you can read in one sitting.

`Value` is a scalar in a graph; `autograd.nn` builds networks on it. The import name is also
HIPS autograd's: install chainrule into a virtual environment.
"""
from .engine import PRIMITIVES, Primitive, Value, chain_term, gradcheck, name_scope, reader_counts, topological_order
from .expression import parse
from .forward import jvp, paths

__all__ = ["Value", "PRIMITIVES", "Primitive", "topological_order", "chain_term", "reader_counts", "name_scope",
           "gradcheck", "jvp", "paths", "parse"]
__version__ = "0.1.0"
