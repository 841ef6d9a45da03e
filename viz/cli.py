"""The `chainrule` command line (also `python -m viz`).

Each subcommand is one `_add_<name>(subparsers)` function that registers its arguments and
sets `run` to the function doing the work; `main` returns the exit code.
"""
import argparse
import math
import os
import re
import sys
import warnings


class CliError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def _one_line(text):
    """An error message as one line: a program's multi-line stderr joined with " | "."""
    return " | ".join(line.strip() for line in str(text).splitlines() if line.strip())


# one command per subcommand, shown by `chainrule --help` (a test runs each through the parser)
EXAMPLE_COMMANDS = (
    "chainrule render wxb -o out/wxb.png",
    "chainrule demo -o out",
    "chainrule step sigmoid_chain --forward",
    'chainrule step "sigmoid(w*x + b)" --at w=-2,x=5,b=3',
    "chainrule html neuron -o steps.html",
    'chainrule paths "x*x + x" --at x=3',
    "chainrule layers --input 1,0",
    "chainrule train xor --hidden 2 --steps 10000",
)


def _epilog():
    """What `chainrule --help` lists under the subcommands: the examples, the formats, one command each."""
    from .backends import ENV_VAR, FORMATS
    from .examples import EXAMPLES
    from .sources import AT_EXAMPLE

    commands = "\n".join(f"  {command}" for command in EXAMPLE_COMMANDS)
    return (f"examples (SOURCE of render, step, html, paths): {', '.join(EXAMPLES)}\n"
            f"  or a Python file (graph.py, --func picks a function), or a formula with values:\n"
            f"  \"sigmoid(w*x + b)\" --at {AT_EXAMPLE} (a formula starting with - goes after --)\n"
            f"formats (from the output file's suffix): {', '.join(FORMATS)} (pdf needs Graphviz's dot)\n"
            f"renderer: Graphviz's dot when installed, else graphviz-pure; {ENV_VAR} or --renderer forces one\n"
            f"data sets (DATASET of train): {', '.join(_datasets())}\n\n"
            f"for example:\n{commands}\n\n"
            f"chainrule COMMAND --help shows a command's options.")


def build_parser():
    """The argparse parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__.splitlines()[0], epilog=_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_render, _add_demo, _add_step, _add_html, _add_paths, _add_layers, _add_train):
        add(sub)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except CliError as e:
        print(f"chainrule {args.command}: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except MemoryError:  # e.g. 20 million training points, or stepping a huge graph: one line, not a traceback
        print(f"chainrule {args.command}: error: out of memory; try a smaller input (fewer points with --n, "
              "a smaller network or graph)", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `chainrule step --all | head` closed the pipe: not an error
        sys.stderr.close()
        return 0


def _add_source(p, optional=False):
    """The graph a command works on (SOURCE, --func, --at): an example, a Python file or a formula."""
    from .examples import EXAMPLES
    from .sources import AT_EXAMPLE

    p.add_argument("source", metavar="SOURCE", nargs="?" if optional else None,
                   help=f"an example ({', '.join(EXAMPLES)}), a Python file (graph.py) or a formula "
                        f"such as \"sigmoid(w*x + b)\" with --at")
    p.add_argument("--func", help="in a Python file: the function that returns the Value")
    p.add_argument("--at", action="append", metavar="NAME=NUMBER,...",
                   help=f"a formula's values, e.g. --at {AT_EXAMPLE} (may be repeated)")


def _load_source(args):
    """The root Value that SOURCE, --func and --at name (not backpropagated), as a CliError when they are wrong."""
    from autograd.expression import ParseError

    from .sources import load_source

    at = None if args.at is None else ",".join(args.at)
    try:
        return load_source(args.source, args.func, at)
    except ParseError as e:
        raise CliError(_formula_error(e)) from None
    except (ValueError, TypeError) as e:  # a SourceError (no such example, file or function) or bad --at text
        raise CliError(str(e)) from None


def _formula_error(error):
    """parse's message as the command line says it: no "parse: " in front, a missing value given with --at."""
    text = str(error)
    text = text[len("parse: "):] if text.startswith("parse: ") else text
    return re.sub(r"parse\(\.\.\., (\w+)=1\.0\)", r"--at \1=1.0", text)


def _backpropagated(root):
    """`root` after backward(), for a drawing; a graph whose backward fails (a cycle) is a CliError."""
    try:
        root.backward()
    except (ValueError, OverflowError) as e:
        raise CliError(str(e)) from None
    return root


def _collapse(text):
    """--collapse: a depth (1) or scope patterns separated by commas (layer*/neuron*)."""
    if text.lstrip("+-").isdigit():
        if int(text) < 0:
            raise argparse.ArgumentTypeError(f"a depth must be >= 0 (0 collapses every top-level scope), got {text}")
        return int(text)
    patterns = [pattern for pattern in text.split(",") if pattern]
    if not patterns:
        raise argparse.ArgumentTypeError(f"give a depth (1) or scope patterns (layer*/neuron*), got {text!r}")
    return patterns


def _draw(root, path, args, **overrides):
    """Render with the render options in `args` (and `overrides`); backend and format problems become CliErrors."""
    from .backends import RenderError, RenderWarning
    from .graph import render

    options = dict(rankdir=args.rankdir, cluster=args.cluster, collapse=args.collapse, sigmoid=args.sigmoid,
                   color_by_grad=args.color_by_grad)
    options.update(overrides)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RenderWarning)
            path = render(root, path, renderer=args.renderer, **options)
    except (RenderError, ValueError) as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot write {path}: {e.strerror or e}") from None
    for warning in caught:  # e.g. a PNG scaled down to the pixel budget: one line, not a Python warning
        print(f"chainrule: note: {path}: {warning.message}", file=sys.stderr)
    return path


def _add_draw_options(p):
    """The draw_dot options shared by render and demo."""
    p.add_argument("--rankdir", default="LR", choices=("LR", "TB", "RL", "BT"), help="layout direction (default LR)")
    p.add_argument("--cluster", action="store_true", help="box the nodes of each name scope (layer1, neuron0)")
    p.add_argument("--collapse", type=_collapse, metavar="DEPTH|SCOPES",
                   help="draw scopes as single nodes: a depth (1 collapses layer1/neuron0) or patterns (layer*/neuron*)")
    p.add_argument("--sigmoid", default="full", choices=("full", "compact"),
                   help="compact: each composed sigmoid as one σ node (default full)")
    p.add_argument("--color-by-grad", action="store_true", help="fill nodes white → red by |grad| (log scale)")
    p.add_argument("--renderer", choices=("auto", "dot", "graphviz-pure"),
                   help="force a backend (default: Graphviz's dot when installed, else graphviz-pure; "
                        "also the CHAINRULE_RENDERER env var)")


def _add_render(sub):
    """`chainrule render SOURCE -o out/wxb.svg`: draw an example's, a file's or a formula's graph after backward()."""
    from .backends import FORMATS
    from .examples import EXAMPLES

    p = sub.add_parser("render", help="draw a graph (values, grads, local gradients) to a file",
                       description=f"Draw SOURCE's graph after backward() to a file: a worked example "
                                   f"({', '.join(EXAMPLES)}), a Python file or a formula with --at values. "
                                   f"Formats, from the suffix: {', '.join(FORMATS)} (pdf needs Graphviz's dot).")
    _add_source(p, optional=True)
    p.add_argument("--model", metavar="JSON", help="instead of SOURCE: draw the network saved in this file "
                                                   "(chainrule train ... --save net.json)")
    p.add_argument("-o", "--output", help="the file to write, e.g. out/wxb.png (default out/EXAMPLE.svg, "
                                          "out/FILE.svg for FILE.py, out/formula.svg)")
    _add_draw_options(p)

    def run(args):
        if args.model:
            if args.source is not None:
                raise CliError(f"draw either SOURCE ({args.source!r}) or --model {args.model}, not both")
            return _render_model(args)
        if args.source is None:
            raise CliError("name a SOURCE to draw (an example such as wxb, a .py file or a formula with --at), "
                           "or a saved network with --model net.json")
        root = _backpropagated(_load_source(args))
        print(f"wrote {_draw(root, args.output or _default_drawing(args), args)}")

    p.set_defaults(run=run)


def _default_drawing(args):
    """render's file when -o is not given: out/wxb.svg for an example, out/graph.svg for graph.py, else
    out/formula.svg."""
    from .sources import source_kind

    kind = source_kind(args.source, args.at)
    if kind == "example":
        return f"out/{args.source}.svg"
    if kind == "file":
        return f"out/{os.path.splitext(os.path.basename(args.source))[0]}.svg"
    return "out/formula.svg"


def _add_demo(sub):
    """`chainrule demo`: every worked example drawn into out/ (svg and png), with its gradients, and two live pages."""
    p = sub.add_parser("demo", help="draw every worked example into out/ (svg, png) and print the gradients")
    p.add_argument("-o", "--out", default="out", help="the folder to write into (default out)")
    p.add_argument("--formats", default="svg,png", help="comma-separated formats (default svg,png)")
    _add_draw_options(p)

    def run(args):
        from .backends import find_renderer
        from .examples import EXAMPLES, summary
        from .sources import load_source

        from autograd import topological_order

        formats = _formats(args.formats)
        for name in EXAMPLES:
            root = _backpropagated(load_source(name))
            print(summary(name, root))
            paths = [_draw(root, f"{args.out}/{name}.{fmt}", args) for fmt in formats]
            if any(node.scope for node in topological_order(root)) and not (args.cluster or args.collapse):
                # a network: also the readable view, one box per layer and neuron, σ as one node
                paths += [_draw(root, f"{args.out}/{name}_clustered.{fmt}", args, cluster=True, sigmoid="compact")
                          for fmt in formats]
            print(f"  wrote {', '.join(str(path) for path in paths)}")
        pages = _demo_pages(args.out)
        needs_program = [f for f in formats if f != "dot"]
        if needs_program:
            print(f"drawn with {find_renderer(args.renderer, needs_program[0])[0]}; open {args.out}/wxb.svg "
                  f"in a browser")
        print(f"live pages: {', '.join(str(page) for page in pages)}: step through, type a new w and watch every "
              "number recompute, or try the quiz")

    p.set_defaults(run=run)


def _demo_pages(folder):
    """The live step-through pages of demo: f = w·x + b and the lecture's XOR loss; their paths."""
    from .examples import EXAMPLES
    from .html import export_html

    return [export_html(EXAMPLES[name](), f"{folder}/{name}.html") for name in ("wxb", "xor_loss")]


def _formats(text):
    """demo's --formats: a non-empty list of known formats ("svg,png" -> ["svg", "png"]), else a CliError."""
    from .backends import FORMATS

    formats = [f.strip().lstrip(".").lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        raise CliError(f"--formats takes comma-separated formats from {', '.join(FORMATS)}, got {text!r}")
    return formats


def _add_step_source(p):
    """The arguments step and html share: which graph to step through, and whether to show the forward pass."""
    _add_source(p)
    p.add_argument("--forward", action="store_true", help="show the forward pass first")


def _add_step(sub):
    """`chainrule step EXAMPLE`: walk the chain rule in the terminal."""
    p = sub.add_parser("step", help="step through the chain rule in the terminal (Enter/n next, b back, q quit)",
                       description="Step through backpropagation one node at a time. SOURCE is a name in "
                                   "viz.examples.EXAMPLES, a Python file or a formula with values "
                                   "(\"sigmoid(w*x + b)\" --at w=-2,x=5,b=3); for a file, the function named "
                                   "by --func is called, else the first function without arguments returning "
                                   "a Value.")
    _add_step_source(p)
    p.add_argument("--all", action="store_true", help="print every step without waiting (for pipes)")
    mode = p.add_mutually_exclusive_group()  # the learner modes (viz.modes), issue 13
    mode.add_argument("--quiz", action="store_true", help="predict each number of the backward pass before it is "
                                                          "shown: type it and Enter (works in a pipe)")
    mode.add_argument("--forward-mode", metavar="LEAF", help="step forward-mode tangents ∂node/∂LEAF instead")

    def run(args):
        from .terminal import step_through_terminal

        root = _load_source(args)
        if args.quiz and (args.all or args.forward):
            raise CliError("--quiz asks about the backward pass one question at a time: drop --all and --forward")
        try:
            step_through_terminal(root, forward=args.forward, show_all=args.all, quiz=args.quiz,
                                  forward_mode=args.forward_mode)
        except ValueError as e:  # --forward-mode names no input
            raise CliError(f"--forward-mode: {e}") from None

    p.set_defaults(run=run)


def _add_html(sub):
    """`chainrule html EXAMPLE -o steps.html`: the step-through as one self-contained page."""
    p = sub.add_parser("html", help="write the chain-rule step-through as one self-contained HTML page",
                       description="Write a standalone HTML page stepping through backpropagation (Previous/Next, "
                                   "arrow keys). SOURCE is as for `chainrule step`.")
    _add_step_source(p)
    p.add_argument("-o", "--output", default="steps.html", help="the page to write (default steps.html)")

    def run(args):
        from .html import export_html

        root = _load_source(args)
        try:
            path = export_html(root, args.output, forward=args.forward)
        except OSError as e:
            raise CliError(f"cannot write {args.output}: {e.strerror or e}") from None
        print(f"wrote {path}")

    p.set_defaults(run=run)


def _add_paths(sub):
    """`chainrule paths "x*x + x" --at x=3`: every path from each input to the root with its product."""
    p = sub.add_parser("paths", help="list every path from an input to the output with its product of local "
                                     "gradients, and their sum",
                       description="The chain rule as a sum over paths: for each input (or the --leaf given), "
                                   "every path to the output with the product of the local gradients along it; "
                                   "the products add up to the gradient backward() finds. SOURCE is as for "
                                   "`chainrule step`.")
    _add_source(p)
    p.add_argument("--leaf", action="append", metavar="NAME",
                   help="the input to start from, e.g. --leaf x (may be repeated; default every named input)")

    def run(args):
        from .modes import path_table

        root = _load_source(args)
        tables = []
        for leaf in _path_leaves(root, args.leaf):
            try:
                tables.append("\n".join(path_table(root, leaf).lines()))
            except ValueError as e:  # an unknown --leaf, or more paths than autograd.forward.PATH_LIMIT
                raise CliError(f"--leaf {leaf}: {e}") from None
        print("\n\n".join(tables))

    p.set_defaults(run=run)


def _path_leaves(root, asked):
    """The inputs `chainrule paths` starts from: --leaf's names, else every labelled leaf of the graph."""
    from autograd import topological_order

    if asked:
        return asked
    leaves = [node.label for node in topological_order(root) if not node.parents and node.label]
    if not leaves:
        raise CliError("the graph has no named inputs; name the node to start from with --leaf")
    return list(dict.fromkeys(leaves))  # a label used twice is named once; path_table says it is ambiguous


def _add_layers(sub):
    """`chainrule layers`: Algorithms 6.3 and 6.4 (a layer at a time, with matrices) checked against the scalar
    graph, for the lecture's hand-set XOR net or a saved one."""
    p = sub.add_parser("layers", help="backpropagation a layer at a time (Algorithms 6.3, 6.4) beside the "
                                      "scalar graph, for the hand-set XOR net",
                       description="Print a network's forward and backward pass on one example as the textbook's "
                                   "vector algorithms (Goodfellow et al. 6.3 and 6.4), each line's numbers "
                                   "checked against the scalar graph's. Default: the lecture's hand-set XOR net, "
                                   "W1 = [[5, -7], [5, -7]], b1 = [-8, 3], W2 = [[-11], [-11]], b2 = [6].")
    p.add_argument("--model", metavar="JSON", help="a saved network (chainrule train ... --save net.json)")
    p.add_argument("--input", default="0,1", help="the example's inputs, comma-separated (default 0,1)")
    p.add_argument("--target", type=float, default=1.0, help="the example's target y (default 1)")
    p.add_argument("--loss", default="bce", help="the loss J = L(ŷ, y): bce (default), mse or hinge")
    p.add_argument("--html", metavar="PATH", help="write the steps as one self-contained page instead (Previous/"
                                                  "Next, arrow keys), e.g. layers.html")
    p.set_defaults(run=_run_layers)


def _run_layers(args):
    """`chainrule layers`: the model, one example, the steps; exit 1 if a line disagrees with the scalar graph."""
    from autograd import nn

    from .layers import TOLERANCE, format_layer_steps, layer_steps
    from .notation import fmt

    if args.model:
        try:
            model, what = nn.load(args.model), args.model
        except (OSError, ValueError) as e:
            raise CliError(f"cannot read --model {args.model}: {getattr(e, 'strerror', None) or e}") from None
    else:
        model = nn.MLP.from_weights([[[5, -7], [5, -7]], [[-11], [-11]]], [[-8, 3], [6]], activation="sigmoid")
        what = "the lecture's hand-set XOR net"
    x = _layer_input(args.input, model.nin)
    if not math.isfinite(args.target):
        raise CliError(f"--target must be a finite number such as 1 or 0, got {args.target}")
    if args.loss not in nn.LOSSES:
        raise CliError(f"--loss {args.loss!r} is not one of {', '.join(nn.LOSSES)}")
    try:
        steps = layer_steps(model, x, args.target, loss=args.loss)
    except (TypeError, ValueError) as e:  # a maxout layer, several outputs, bce of a number outside [0, 1]
        raise CliError(f"{what}: {e}") from None
    agree = all(step.error <= TOLERANCE for step in steps)
    if args.html is not None:
        _write_layers_page(args, model, x, what)
    else:
        print(f"{what} at x = ({', '.join(fmt(v) for v in x)}), y = {fmt(args.target)}, loss {args.loss}\n")
        print(format_layer_steps(steps))
    return 0 if agree else 1


def _write_layers_page(args, model, x, what):
    """`chainrule layers --html PATH`: the same steps as one self-contained page."""
    from .layers import export_layers_html

    if not args.html.strip():
        raise CliError("--html needs the page's file name, such as --html layers.html; got an empty one")
    title = f"chainrule: {what}, a layer at a time (Algorithms 6.3 and 6.4)"
    try:
        path = export_layers_html(model, x, args.target, args.html, loss=args.loss, title=title)
    except OSError as e:
        raise CliError(f"cannot write --html {args.html}: {e.strerror or e}") from None
    print(f"wrote {path}")


def _layer_input(text, nin):
    """--input: `nin` finite numbers separated by commas ("0,1")."""
    try:
        x = [float(part.replace("\u2212", "-")) for part in text.split(",")]
    except ValueError:
        x = []
    if len(x) != nin or not all(math.isfinite(v) for v in x):
        raise CliError(f"--input must be {nin} numbers separated by commas (the network has {nin} inputs), "
                       f"such as {','.join(['1'] * nin)}; got {text!r}")
    return x


def _add_train(sub):
    """`chainrule train xor --hidden 2 --steps 10000`: train an MLP and print its final cost and accuracy."""
    p = sub.add_parser("train", help="train an MLP on the lab's or TensorFlow Playground's data sets; print the "
                                     "final cost and accuracy",
                       description="Train an MLP with full-batch gradient descent (the lab's setup by default: "
                                   "sigmoid units, N(0, 1) weights, binary cross-entropy, SGD lr 0.1).")
    p.add_argument("dataset", metavar="DATASET",
                   help="the lab's xor (4 points), moons or spirals; or TensorFlow Playground's circle, gauss, "
                        "xor-quadrants or spiral")
    _add_model_options(p)
    _add_fit_options(p)
    _add_data_options(p)
    _add_train_outputs(p)
    p.set_defaults(run=_run_train)


def _add_model_options(p):
    """train's network: layer sizes, activations, initialization, dropout."""
    p.add_argument("--hidden", default="2", help="hidden layer sizes: 2, 10 or 10,10,10; 0 = one unit (default 2)")
    p.add_argument("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    p.add_argument("--output", help="output activation (default sigmoid; identity for --loss hinge)")
    p.add_argument("--init", default="normal", help="weight init: normal, uniform, xavier, he (default normal)")
    p.add_argument("--bias-init", default="zeros", help="bias init: zeros or normal (default zeros)")
    p.add_argument("--dropout", type=float, default=0.0, help="dropout p after each hidden layer (default 0)")


def _add_fit_options(p):
    """train's optimization: loss, optimizer, learning rate, steps, batches, seed, mode."""
    p.add_argument("--loss", default="bce", help="bce, mse, hinge or cross_entropy (default bce; cross_entropy "
                                                 "for --classes above 2)")
    p.add_argument("--optimizer", default="sgd", help="sgd, momentum or adam (default sgd)")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--steps", type=int, default=10000, help="gradient steps (default 10000)")
    p.add_argument("--l2", type=float, default=0.0, help="L2 penalty λ on the weights (default 0)")
    p.add_argument("--l1", type=float, default=0.0, help="L1 penalty λ·Σ|w| on the weights (default 0)")
    p.add_argument("--batch-size", type=int, help="minibatch size (default: full batch)")
    p.add_argument("--seed", type=int, default=0, help="seed for weights, data and batches (default 0)")
    p.add_argument("--mode", default="auto", choices=("auto", "eager", "compiled"),
                   help="auto (default): replay one recorded graph over the batch with numpy where that pays, else eager")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_data_options(p):
    """train's data set: number of points, noise, held-out fraction, classes, input features."""
    p.add_argument("--n", type=int, default=200, help="points of every data set but xor (default 200)")
    p.add_argument("--noise", type=float,
                   help="moons, spirals: the noise's std (default 0.1, 0.05); circle, gauss, xor-quadrants, spiral: "
                        "the Playground's noise as a fraction, 0 … 0.5 for its slider 0 … 50 (default 0)")
    p.add_argument("--test-size", type=float, default=0.25,
                   help="held-out fraction of every data set but xor (default 0.25; the Playground's "
                        "ratio of training to test data is 1 − this)")
    p.add_argument("--features", metavar="NAMES",
                   help=f"the network's inputs, computed from the points (x1, x2) as in the Playground, "
                        f"comma-separated from {', '.join(_FEATURE_FLAGS)} (x1sq is x1², x1x2 is x1·x2, sinx1 is "
                        f"sin x1); default x1,x2. A saved network (--save) takes these columns as its inputs")
    p.add_argument("--classes", type=int, default=2,
                   help="spirals: number of arms (classes); above 2 the net ends in a softmax over them, trained "
                        "with cross-entropy (default 2)")


def _add_train_outputs(p):
    """train's optional files: curves, decision boundary, the network's graph."""
    p.add_argument("--plot", metavar="PNG", help="write the cost and accuracy curves, e.g. out/curve.png")
    p.add_argument("--boundary", metavar="PNG", help="write the decision boundary, e.g. out/boundary.png")
    p.add_argument("--graph", metavar="SVG", help="write the network's graph on the first example, e.g. out/net.svg")
    p.add_argument("--save", metavar="JSON", help="save the trained network, e.g. net.json (autograd.nn.load reads it)")
    p.add_argument("--html", metavar="HTML", help="write the training run as one page with a scrubber, e.g. run.html")
    p.add_argument("--every", type=int, default=10, help="with --html: steps between snapshots (default 10)")


def _layer_sizes(text):
    """--hidden: comma-separated hidden layer sizes ("2", "10,10,10"); "0" for none (one logistic unit)."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = None
    if sizes == [0]:
        return []
    if not sizes or any(size < 1 for size in sizes):
        raise CliError(f"--hidden takes layer sizes like 2 or 10,10,10 (0 for no hidden layer), got {text!r}")
    return sizes


def _check_train_names(args):
    """The data set and every name flag (--activation, --loss, ...) is one the library knows."""
    from autograd import nn

    if args.dataset not in _datasets():
        raise CliError(f"unknown data set {args.dataset!r}: choose one of {', '.join(_datasets())}")
    args.features = _features(args.features) if args.features is not None else None
    for name, value, table in (("--activation", args.activation, nn.ACTIVATIONS),
                               ("--output", args.output or "sigmoid", {**nn.ACTIVATIONS, "softmax": None}),
                               ("--init", args.init, nn.INITS), ("--bias-init", args.bias_init, nn.INITS),
                               ("--loss", args.loss, nn.LOSSES), ("--optimizer", args.optimizer, nn.OPTIMIZERS)):
        if value not in table:
            raise CliError(f"{name} {value!r} is not one of {', '.join(table)}")


def _check_train_numbers(args):
    """Each numeric flag in its range, named as the user typed it (fit and data would name Python parameters)."""
    checks = (
        ("--steps", args.steps, args.steps >= 1, "an int >= 1"),
        ("--lr", args.lr, args.lr > 0, "a number > 0"),
        ("--n", args.n, args.n >= 4, "an int >= 4"),
        ("--l2", args.l2, args.l2 >= 0, "a number >= 0 (0: no penalty)"),
        ("--l1", args.l1, args.l1 >= 0, "a number >= 0 (0: no penalty)"),
        ("--classes", args.classes, args.classes >= 2 and (args.classes == 2 or args.dataset == "spirals"),
         "an int >= 2 (above 2 only for spirals)"),
        ("--every", args.every, args.every >= 1, "an int >= 1"),
        ("--dropout", args.dropout, 0 <= args.dropout < 1, "a probability in [0, 1) (0: no dropout)"),
        ("--batch-size", args.batch_size, args.batch_size is None or args.batch_size >= 1,
         "an int >= 1 (leave it out for the full batch)"),
        ("--seed", args.seed, args.seed >= 0, "an int >= 0"),
        ("--noise", args.noise, args.noise is None or 0 <= args.noise < math.inf,
         "a number >= 0 (a standard deviation, or the Playground's fraction 0 … 0.5)"),
        ("--test-size", args.test_size, 0 < args.test_size < 1, "a fraction in (0, 1) such as 0.25"),
    )
    for flag, value, ok, wanted in checks:
        if not ok or (isinstance(value, float) and not math.isfinite(value)):  # `ok` is also false for nan
            raise CliError(f"{flag} must be {wanted}, got {value}")


def _check_train_files(args):
    """--plot, --boundary and --graph name files whose suffix says the format, before any training."""
    from .backends import FORMATS

    for flag, path, formats in (("--plot", args.plot, _image_formats), ("--boundary", args.boundary, _image_formats),
                                ("--graph", args.graph, lambda: FORMATS)):
        if path is not None:
            _check_suffix(flag, path, formats())
    if args.boundary and args.features:
        raise CliError("--boundary draws a network of the two coordinates x1, x2; with --features, write the run "
                       "as a page with --html run.html, which draws the boundary over the points")


def _image_formats():
    """The suffixes matplotlib saves (png, svg, pdf, ...); none when matplotlib is missing (then plots say so)."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return None
    return tuple(FigureCanvasBase.get_supported_filetypes())


def _check_suffix(flag, path, formats):
    """`path` ends in one of `formats` (None: any), as a CliError naming the flag."""
    suffix = os.path.splitext(path)[1].lstrip(".").lower()
    if formats is not None and suffix not in formats:
        shown = ", ".join(formats[:6]) + (", ..." if len(formats) > 6 else "")
        raise CliError(f"{flag} needs a file name whose suffix gives the format ({shown}), got {path!r}")


def _load_train_data(args):
    """(X, y, X_test, y_test): the data set's points, split 1 − test_size / test_size except for xor (no test set)."""
    from autograd.lab import data, playground

    if args.dataset in _PLAYGROUND_SETS:
        X, X_test, y, y_test = playground.load(_PLAYGROUND_SETS[args.dataset], args.n, args.noise or 0.0,
                                               train_ratio=1.0 - args.test_size, seed=args.seed)
        return X, y, X_test, y_test
    if args.classes > 2:  # spirals with k arms
        X, y = data.spirals(args.n, classes=args.classes, noise=0.05 if args.noise is None else args.noise,
                            seed=args.seed)
    else:
        X, y = data.load(args.dataset, args.n, args.noise, seed=args.seed)
    if args.dataset == "xor":
        return X, y, None, None
    X, X_test, y, y_test = data.train_test_split(X, y, args.test_size, seed=args.seed)
    return X, y, X_test, y_test


def _output_activation(args):
    """--output, else sigmoid (identity for hinge); bce needs a sigmoid output."""
    if args.classes > 2 or args.loss == "cross_entropy" or args.output == "softmax":
        return _multiclass_output(args)
    output = args.output or ("identity" if args.loss == "hinge" else "sigmoid")
    if args.loss == "bce" and output not in ("sigmoid", "sigmoid_fused"):
        raise CliError(f"--loss bce needs probabilities: use --output sigmoid (got --output {output}), "
                       "or --loss mse / hinge")
    return output


def _train_model(args, sizes, output, X, y):
    """The MLP trained on X, y as the flags say, and fit's History."""
    from autograd import nn

    inputs = _inputs(args, X)
    model = nn.MLP(inputs.shape[1], sizes, args.activation, output, args.init, args.bias_init,
                   dropout=args.dropout, seed=args.seed)
    if args.html:  # train through the training view, which keeps the snapshots for the page
        return model, _train_with_view(args, model, X, y)
    history = nn.fit(model, inputs, y, loss=args.loss, optimizer=args.optimizer, lr=args.lr, steps=args.steps,
                     l2=args.l2, l1=args.l1, batch_size=args.batch_size, seed=args.seed,
                     progress=False if args.no_progress else None, mode=args.mode)
    return model, history


def _print_train_result(args, model, history, sizes, output, train, test):
    """The run in two lines (network and setup; final cost and accuracy), and xor's four outputs."""
    from autograd import nn

    X, y = train
    inputs = _inputs(args, X)
    cost, acc = nn.evaluate(model, inputs, y, args.loss)
    test_acc = nn.evaluate(model, _inputs(args, test[0]), test[1], args.loss)[1] if test[0] is not None else None
    shape = "-".join(str(s) for s in [inputs.shape[1]] + sizes)
    shape += f" on {', '.join(args.features)}" if args.features else ""
    print(f"{args.dataset}: MLP {shape} ({args.activation}, output {output}), {args.optimizer} lr {args.lr}, "
          f"{len(history)} steps, seed {args.seed}: {history.seconds:.1f} s")
    print(f"final cost {cost:.6f}, accuracy {acc:.4f}"
          + (f" (train), test accuracy {test_acc:.4f}" if test_acc is not None else ""))
    if args.dataset == "xor":
        print("outputs " + ", ".join(f"{x.tolist()} -> {h:.4f}" for x, h in zip(X, nn.predict(model, inputs))))


def _write_train_plots(args, model, history, X, y):
    """--plot (cost and accuracy curves) and --boundary (the decision boundary), with matplotlib."""
    from pathlib import Path

    from .plots import plot_decision_boundary, plot_history

    title = f"{args.dataset}, hidden {args.hidden}"
    if args.plot:
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        plot_history(history, title=title).savefig(args.plot, dpi=120)
        print(f"wrote {args.plot}")
    if args.boundary:
        Path(args.boundary).parent.mkdir(parents=True, exist_ok=True)
        plot_decision_boundary(model, X, y, title=title).savefig(args.boundary, dpi=120)
        print(f"wrote {args.boundary}")


def _write_train_graph(args, model, X):
    """--graph: the network's graph on the first example, clustered by layer, collapsed past 12 units."""
    from autograd import Value

    from .backends import RenderError
    from .graph import render

    names = args.features or [f"x{i + 1}" for i in range(X.shape[1])]
    model.eval()
    out = model([Value(float(v), name) for v, name in zip(_inputs(args, X)[0], names)])
    out.backward()
    units = sum(len(layer.neurons) for layer in model.layers)
    try:
        path = render(out, args.graph, cluster=True, sigmoid="compact", color_by_grad=True,
                      collapse="layer*/neuron*" if units > 12 else None)
    except (RenderError, ValueError) as e:
        raise CliError(str(e)) from None
    print(f"wrote {path}")


def _write_train_files(args, model, history, X, y):
    """The files `chainrule train` was asked for: --plot, --boundary, --graph."""
    try:
        if args.plot or args.boundary:
            _write_train_plots(args, model, history, X, y)
        if args.graph:
            _write_train_graph(args, model, X)
        if args.save:
            print(f"wrote {model.save(args.save)}")
        if args.html:
            print(f"wrote {args.view.export_html(args.html)}")
    except ImportError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot write: {e.strerror or e}") from None


def _run_train(args):
    """`chainrule train`: check every flag, load the data, train, print the result, write the files."""
    _check_train_names(args)
    _check_train_numbers(args)
    _check_train_files(args)
    output = _output_activation(args)
    sizes = _layer_sizes(args.hidden) + [args.classes if output == "softmax" else 1]
    try:
        X, y, X_test, y_test = _load_train_data(args)
        model, history = _train_model(args, sizes, output, X, y)
        _print_train_result(args, model, history, sizes, output, (X, y), (X_test, y_test))
    except ValueError as e:
        raise CliError(str(e)) from None
    _write_train_files(args, model, history, X, y)


# --- k classes, saved networks and the training page (issue 14) ----------------------------------------------------


def _multiclass_output(args):
    """k classes: a softmax output trained with cross-entropy; other --output or --loss values are refused."""
    if args.output not in (None, "softmax") or args.loss not in ("bce", "cross_entropy"):
        raise CliError(f"{args.classes} classes need --output softmax and --loss cross_entropy (the defaults then), "
                       f"got --output {args.output} --loss {args.loss}")
    args.loss = "cross_entropy"
    return "softmax"


def _train_with_view(args, model, X, y):
    """Train through viz.training's view (snapshots every --every steps) for --html; returns the History."""
    from .training import TrainingView

    args.view = TrainingView(model, X, y, every=args.every, features=args.features,
                             title=f"{args.dataset}, hidden {args.hidden}",
                             loss=args.loss, optimizer=args.optimizer, lr=args.lr, l2=args.l2, l1=args.l1,
                             batch_size=args.batch_size, seed=args.seed, mode=args.mode)
    return args.view.run(args.steps)


def _render_model(args):
    """`chainrule render --model net.json`: the saved network's graph at input 0, in a box per layer, each unit
    collapsed to one node (unless --collapse says otherwise)."""
    from autograd import Value, nn

    try:
        model = nn.load(args.model)
    except (OSError, ValueError) as e:
        raise CliError(str(getattr(e, "strerror", None) and f"cannot read {args.model}: {e.strerror}" or e)) from None
    out = model.eval()([Value(0.0, f"x{i + 1}") for i in range(model.nin)])
    outputs = out if isinstance(out, list) else [out]
    root = outputs[0]
    for o in outputs[1:]:  # one root: the sum of the outputs, so that every output is drawn
        root = root + o
    root.backward()
    path = args.output or f"out/{os.path.splitext(os.path.basename(args.model))[0]}.svg"
    collapse = args.collapse or "layer*/neuron*"  # one box per unit; --collapse 0 … for other depths
    print(f"wrote {_draw(root, path, args, cluster=True, sigmoid='compact', collapse=collapse)}")


# --- TensorFlow Playground's data sets and input features (issue 14) --------------------------------------------------

# the Playground's data sets by their names here: its "xor" (four quadrants) is xor-quadrants beside the lab's xor
_PLAYGROUND_SETS = {"circle": "circle", "gauss": "gauss", "xor-quadrants": "xor", "spiral": "spiral"}

# --features: names a shell takes unquoted, for autograd.lab.playground.FEATURES (whose own names work too)
_FEATURE_FLAGS = {"x1": "x1", "x2": "x2", "x1sq": "x1^2", "x2sq": "x2^2", "x1x2": "x1*x2", "sinx1": "sin(x1)",
                  "sinx2": "sin(x2)"}


def _datasets():
    """Every DATASET of train: the lab's, then the Playground's."""
    from autograd.lab.data import DATASETS

    return (*DATASETS, *_PLAYGROUND_SETS)


def _features(text):
    """--features: comma-separated feature names ("x1sq,x2sq") as the names of playground.FEATURES, each once;
    else a CliError."""
    from autograd.lab.playground import FEATURES

    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in _FEATURE_FLAGS and name not in FEATURES]
    if not names or unknown:
        shown = repr(unknown[0]) if unknown else "nothing"
        raise CliError(f"--features takes names from {', '.join(_FEATURE_FLAGS)} separated by commas, got {shown}")
    features = [_FEATURE_FLAGS.get(name, name) for name in names]
    if len(set(features)) < len(features):
        raise CliError(f"--features names a feature twice, got {text!r}: give each once")
    return features


def _inputs(args, X):
    """The network's inputs for the points X: the --features columns, else X itself (None stays None)."""
    if X is None or not args.features:
        return X
    from autograd.lab.playground import with_features

    return with_features(X, args.features)
