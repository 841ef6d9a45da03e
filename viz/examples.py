"""Named worked examples: each function builds a small graph and returns its root Value.

Leaves and intermediates carry labels, so `find(root, "w")` fetches a node and the pictures read like
the lecture's. Call `root.backward()` to fill in the gradients. `EXAMPLES` maps a name to its function
(the CLI, the tests and the notebooks use it; other modules add their own entries).
"""
from autograd import Value, topological_order
from autograd.engine import sigmoid_parts

from .graph import find
from .notation import fmt

__all__ = ["wxb", "sigmoid_chain", "neuron", "EXAMPLES", "find", "summary"]


def wxb(w=-2.0, x=5.0, b=3.0):
    """f = w·x + b.

    g = w·x, f = g + b. At the defaults f = -7 and backward gives ∂f/∂w = x = 5, ∂f/∂x = w = -2,
    ∂f/∂b = 1, ∂f/∂g = 1: a product passes the upstream gradient times the other input, a sum passes it on.
    """
    w, x, b = Value(w, "w"), Value(x, "x"), Value(b, "b")
    g = w * x
    g.label = "g"
    f = g + b
    f.label = "f"
    return f


def _label_sigmoid(out, z_name):
    """Label the nodes that Value.sigmoid() made: −z, e^−z, 1+e^−z (σ is out, labelled by the caller)."""
    _, neg, exp, plus = sigmoid_parts(out)
    neg.label, exp.label, plus.label = f"−{z_name}", f"e^−{z_name}", f"1+e^−{z_name}"
    return out


def sigmoid_chain(z=1.0):
    """σ = 1/(1 + e^−z).

    Composed, as in the lecture: Value.sigmoid() builds it from four primitives, z → ×(−1) → exp → +1 → 1/x; the product of their
    local gradients, (−1)·e^−z·1·(−1/(1+e^−z)²), is σ(1 − σ), the fused sigmoid's local gradient.
    """
    out = Value(z, "z").sigmoid()
    out.label = "σ"
    return _label_sigmoid(out, "z")


def neuron(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.0):
    """y = σ(w1·x1 + w2·x2 + b).

    One neuron with a composed sigmoid. At the defaults z = 0, so y = 0.5 and ∂y/∂z = σ(1 − σ) = 0.25: ∂y/∂w1 = 0.25·x1 = 0.5,
    ∂y/∂x1 = 0.25·w1 = -0.75, ∂y/∂w2 = 0 (its input x2 is 0) and ∂y/∂b = 0.25.
    """
    x1, x2 = Value(x1, "x1"), Value(x2, "x2")
    w1, w2, b = Value(w1, "w1"), Value(w2, "w2"), Value(b, "b")
    w1x1, w2x2 = w1 * x1, w2 * x2
    w1x1.label, w2x2.label = "w1·x1", "w2·x2"
    s = w1x1 + w2x2
    s.label = "w1·x1+w2·x2"
    z = s + b
    z.label = "z"
    y = z.sigmoid()
    y.label = "y"
    return _label_sigmoid(y, "z")


EXAMPLES = {
    "wxb": wxb,
    "sigmoid_chain": sigmoid_chain,
    "neuron": neuron,
}


def summary(name, root=None, limit=8):
    """One line: the example's formula, its inputs, output and the output's gradient w.r.t. each input.

    e.g. "f = w·x + b at w=−2, x=5, b=3: f = −7, ∂f/∂w = 5, ∂f/∂x = −2, ∂f/∂b = 1". Runs backward()
    on a fresh graph unless `root` (already backpropagated) is given. At most `limit` inputs are listed.
    """
    if root is None:
        root = EXAMPLES[name]()
        root.backward()
    title = ((EXAMPLES[name].__doc__ or name).strip().splitlines()[0]).rstrip(".")
    leaves = [node for node in topological_order(root) if not node.parents and node.label]
    out = root.label or "out"
    inputs = ", ".join(f"{v.label}={fmt(v.data)}" for v in leaves[:limit])
    grads = ", ".join(f"∂{out}/∂{v.label} = {fmt(v.grad)}" for v in leaves[:limit])
    more = f", … ({len(leaves) - limit} more)" if len(leaves) > limit else ""
    return f"{title} at {inputs}{more}: {out} = {fmt(root.data)}, {grads}{more}"


def xor_loss(x1=0.0, x2=1.0, y=1.0):
    """The BCE loss of the lecture's hand-set XOR net on one input.

    A 2-2-1 sigmoid net, W1 = [[5, −7], [5, −7]], b1 = [−8, 3], W2 = [[−11], [−11]], b2 = [6] (x @ W + b), at
    (x1, x2) = (0, 1) with target y = 1: h = σ(−11·σ(−3) − 11·σ(−4) + 6) ≈ 0.9949 and loss = −log h ≈ 0.005.
    """
    from autograd.nn import MLP, bce

    net = MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
    h = net([Value(x1, "x1"), Value(x2, "x2")])
    h.label = "h"
    loss = bce([h], [y])
    loss.label = "loss"
    return loss


EXAMPLES["xor_loss"] = xor_loss


def xor_gates(x1=0.0, x2=1.0):
    """XOR = AND(NAND(x1, x2), OR(x1, x2)): three hand-set logistic units in one graph (lecture 9, part 1).

    Each unit is σ(w1·a + w2·b + bias) in its own name scope (NAND, OR, AND: draw with cluster=True), weights
    from autograd.lab.gates.GATES: AND (10, 10, −15), OR (10, 10, −5), NAND (−10, −10, 15). At (0, 1): nand =
    σ(5) ≈ 0.9933, or = σ(5) ≈ 0.9933, xor = σ(10·0.9933 + 10·0.9933 − 15) = σ(4.866) ≈ 0.9924.
    """
    from autograd.lab.gates import gate

    x1, x2 = Value(x1, "x1"), Value(x2, "x2")
    xor = gate("AND", gate("NAND", x1, x2), gate("OR", x1, x2))
    xor.label = "xor"
    return xor


EXAMPLES["xor_gates"] = xor_gates
