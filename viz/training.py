"""Watch a network learn: the live training view in Jupyter, and a training run as one self-contained page.

    import viz
    view = viz.training_view(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.02, every=10)
    view                       # in Jupyter: the decision boundary, the curves and the network, live
    view.run(500)              # trains (fit with a callback), updating the view every 10 steps
    view.export_html("run.html")   # a scrubber over every snapshot, no server, no network

What one snapshot holds (`snapshot`, a dict ready for JSON): the step, the cost and accuracy, the decision
boundary over a grid spanning the data (per cell the predicted class and how sure, one byte each, base64),
every layer's weights and biases (4 significant digits) and each unit's mean |gradient| over its parameters.
A snapshot is a few kB, so a page grows linearly with the number of snapshots.

Taking snapshots costs time (a forward pass over the grid, replayed by the compiled tape, and reading the
weights), so the view keeps to a budget: a snapshot every `every` steps, skipped when it would bring the snapshots
taken while training past `budget` (12 %) of the training time, which leaves room for the view's own bookkeeping
within a 20 % slowdown of training (benchmarks/bench.py measures it). The snapshot before training (which also
records the grid's forward tape, once) is set-up, outside the budget. The first and the last step are always
recorded.

Front end: viz/page/training.js, an ES module like the step-through's page.js: the standalone page runs it
inline, the Jupyter widget (anywidget) imports the same file. Play, pause and step in the notebook train in a
background thread in the kernel (Python trains, the browser only draws); on the exported page they move through
the recorded snapshots.
"""
import base64
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from .html import asset, standalone_page
from .plots import _CLASS_COLORS as CLASS_COLORS  # class k's colour, as in the plots

__all__ = ["TrainingView", "training_view", "snapshot", "export_training_html", "CLASS_COLORS"]

MAX_CURVE_POINTS = 2000  # the curves a page carries: every step, or this many evenly spaced


# --- what a snapshot holds ------------------------------------------------------------------------------------


def grid_points(X, resolution=40, padding=0.5):
    """(points (r², 2), extent [x_min, x_max, y_min, y_max]): a resolution × resolution grid over the 2-D points
    X plus padding, row by row from the top (y_max) down, as an image is stored."""
    X = np.asarray(X, dtype=float)
    x_min, x_max = X[:, 0].min() - padding, X[:, 0].max() + padding
    y_min, y_max = X[:, 1].min() - padding, X[:, 1].max() + padding
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_max, y_min, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()]), [float(x_min), float(x_max), float(y_min), float(y_max)]


def boundary(outputs):
    """(class per cell, sureness per cell in [0, 1]) from a model's outputs on a grid.

    k outputs: the argmax, sureness (max p − 1/k)/(1 − 1/k). One output: class p > 0.5 and |2p − 1| for a
    probability; for a score (outside [0, 1], e.g. hinge's) class s > 0 and tanh|s|.
    """
    P = np.asarray(outputs, dtype=float)
    if P.ndim == 2:
        k = P.shape[1]
        top = P.max(axis=1)
        return P.argmax(axis=1), np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    if P.min() >= 0 and P.max() <= 1:
        return (P > 0.5).astype(int), np.abs(2 * P - 1)
    return (P > 0).astype(int), np.tanh(np.abs(P))


def _bytes(values):
    """Small non-negative ints (0 … 255) as base64 text: one byte per cell."""
    return base64.b64encode(np.asarray(values, dtype=np.uint8).tobytes()).decode("ascii")


def _rounded(array):
    """Numbers to 4 significant digits, as nested lists (the page draws them; 4 digits is plenty)."""
    return [float(f"{x:.4g}") for x in np.asarray(array, dtype=float).ravel()]


def _layer_numbers(layer):
    """{"W", "b", "grad"} of one layer: W (nin × nout, row-major; for maxout the piece of largest |w|), b, and each
    unit's mean |∂cost/∂parameter|."""
    W, b = layer.get_weights()
    if W.ndim == 3:  # maxout (nin, nout, pieces): draw each connection by its strongest piece
        strongest = np.abs(W).argmax(axis=2)
        W = np.take_along_axis(W, strongest[..., None], axis=2)[..., 0]
        b = b.max(axis=1)
    grads = [float(np.mean([abs(p.grad) for p in unit.parameters()])) for unit in layer.neurons]
    return {"W": _rounded(W), "b": _rounded(b), "grad": _rounded(grads)}


def snapshot(model, grid_inputs, step, history):
    """The state of training after `step` (0-based; −1 before training) as a dict: step, cost, accuracy,
    boundary, layers.

    grid_inputs: the model's inputs at the grid cells (see `grid_points`, and `features`).
    """
    from autograd.nn import predict

    classes, sure = boundary(predict(model, grid_inputs))
    return {
        "step": int(step),
        "cost": float(history.cost[-1]) if len(history) else None,
        "accuracy": float(history.accuracy[-1]) if len(history) else None,
        "classes": _bytes(classes),
        "sure": _bytes(np.round(sure * 255)),
        "layers": [_layer_numbers(layer) for layer in model.layers],
    }


def curves(history, limit=MAX_CURVE_POINTS):
    """{"step", "cost", "accuracy"}: the curves of a History (or a TrainingView), every step or `limit` evenly
    spaced ones."""
    n = len(history.cost)
    steps = np.arange(n) if n <= limit else np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return {"step": steps.tolist(), "cost": [float(history.cost[i]) for i in steps],
            "accuracy": [float(history.accuracy[i]) for i in steps]}


# --- the view: training with snapshots ---------------------------------------------------------------------------


class TrainingView:
    """A model training on 2-D points, with snapshots for the live view and the exported page.

    model: an MLP; X: the points (n, 2); y: class labels. features: None (the model reads the points), or names
    from autograd.lab.playground.FEATURES ("x1^2", "sin(x1)", ...) computed from the points as the model's inputs.
    every: steps between snapshots (at least); budget: the largest share of training time snapshots may take;
    resolution: grid cells per side of the boundary. fit_options go to `autograd.nn.fit` (loss, optimizer, lr, l1,
    l2, batch_size, seed, mode); the loss defaults to cross_entropy for k outputs, else bce. One optimizer lives
    through every run, so pausing and playing again continues as one run would.
    """

    def __init__(self, model, X, y, every=10, resolution=40, features=None, budget=0.12, title="", **fit_options):
        from autograd.lab.playground import with_features
        from autograd.nn import make_optimizer
        from autograd.nn._checks import number, positive_int
        from autograd.nn.train import output_count

        self.model, self.points, self.y = model, np.asarray(X, dtype=float), np.asarray(y)
        if self.points.ndim != 2 or self.points.shape[1] != 2:
            raise ValueError(f"the training view draws 2-D points: X must have shape (n, 2), got {self.points.shape}; "
                             "for more inputs pass features=[...] computed from 2-D points")
        self.features = list(features) if features else None
        self.inputs = with_features(self.points, self.features) if self.features else self.points
        self.every, self.budget = positive_int("every", every), number("budget", budget, above=0.0)
        self.resolution = positive_int("resolution", resolution)
        grid, self.extent = grid_points(self.points, self.resolution)
        self.grid_inputs = with_features(grid, self.features) if self.features else grid
        self.k = output_count(model, self.inputs[0])
        options = dict(fit_options)
        options.setdefault("loss", "cross_entropy" if self.k > 1 else "bce")
        lr = options.pop("lr", 0.1)
        self.optimizer = make_optimizer(options.pop("optimizer", "sgd"), model.parameters(), lr)
        self.options, self.title = options, title
        self.cost, self.accuracy, self.snapshots = [], [], []
        self.steps_done, self.seconds = 0, {"training": 0.0, "snapshots": 0.0}
        self._stop, self._thread, self._widget = threading.Event(), None, None
        self._record(-1, self.history)  # the network before training (also records the grid's forward tape)
        self.seconds["snapshots"] = 0.0  # that one-off set-up is not a slowdown of training: the budget starts here

    # the history of every run so far, as fit's History has it
    @property
    def history(self):
        """cost and accuracy of every step so far (all runs), as a History."""
        from autograd.nn import History

        history = History()
        history.cost, history.accuracy = list(self.cost), list(self.accuracy)
        history.seconds = self.seconds["training"]
        return history

    def static(self):
        """What every snapshot shares: the points, labels, grid, layer sizes, classes and colours (a dict)."""
        sizes = [self.model.layers[0].nin] + [len(layer.neurons) for layer in self.model.layers]
        classes = max(self.k, int(self.y.max()) + 1 if len(self.y) else 2)
        return {"title": self.title, "points": _rounded(self.points), "labels": [int(v) for v in self.y],
                "extent": self.extent, "resolution": self.resolution, "sizes": sizes,
                "inputs": self.features or ["x1", "x2"], "classes": classes,
                "colors": [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(classes)],
                "every": self.every, "output": getattr(self.model, "output", None) or "unit"}

    def _record(self, step, history):
        """Take a snapshot after `step` (global, 0-based) and show it."""
        start = time.perf_counter()
        shot = snapshot(self.model, self.grid_inputs, step, history)
        self.snapshots.append(shot)
        if self._widget is not None:
            self._widget.show(shot, curves(self), self.state)
        self.seconds["snapshots"] += time.perf_counter() - start

    def _due(self, step, last):
        """Whether step (0-based, global) gets a snapshot: every `every` steps and within the time budget."""
        if last:
            return True
        if (step + 1) % self.every:
            return False
        # the next snapshot costs about what those taken while training did: take it only if it still fits
        taken = len(self.snapshots) - 1  # the first one, before training, is set-up
        next_one = self.seconds["snapshots"] / taken if taken else 0.0
        return self.seconds["snapshots"] + next_one <= self.budget * self.seconds["training"]

    def run(self, steps):
        """Train for `steps` steps here and now (fit with a callback), taking snapshots; returns the History."""
        from autograd.nn import fit
        from autograd.nn._checks import positive_int

        steps, first = positive_int("steps", steps), self.steps_done
        self._stop.clear()
        clock = [time.perf_counter()]

        def callback(step, model, history):
            now = time.perf_counter()
            self.seconds["training"] += now - clock[0]
            self.cost.append(history.cost[-1])
            self.accuracy.append(history.accuracy[-1])
            self.steps_done += 1
            if self._due(first + step, step == steps - 1 or self._stop.is_set()):
                self._record(first + step, history)
            clock[0] = time.perf_counter()
            return self._stop.is_set()

        fit(self.model, self.inputs, self.y, optimizer=self.optimizer, steps=steps, callback=callback,
            progress=False, **self.options)
        return self.history

    # play, pause and step: for the buttons (training in a background thread of the kernel)
    @property
    def state(self):
        """"playing" while a background run trains, else "paused"."""
        return "playing" if self._thread is not None and self._thread.is_alive() else "paused"

    def play(self, steps=100_000):
        """Train in a background thread (up to `steps` steps) until `pause()`; returns at once."""
        if self.state == "playing":
            return
        if self._widget is not None:  # before the thread starts: a short run's "paused" must come after it
            self._widget.state = "playing"
        self._thread = threading.Thread(target=self._play, args=(steps,), daemon=True)
        self._thread.start()

    def _play(self, steps):
        try:
            self.run(steps)
        finally:
            if self._widget is not None:
                self._widget.state = "paused"

    def pause(self, wait=True):
        """Stop a background run after its current step (and wait for it, unless wait=False)."""
        self._stop.set()
        if wait and self._thread is not None:
            self._thread.join()

    def step(self):
        """Train `every` steps (one snapshot's worth) and show the result."""
        self.pause()
        return self.run(self.every)

    # output
    def data(self):
        """The whole run as the page reads it: static, snapshots and curves."""
        return {"static": self.static(), "snapshots": self.snapshots, "curves": curves(self)}

    def export_html(self, path, title=None):
        """Write the run so far as one self-contained page (see `export_training_html`); returns the Path."""
        return export_training_html(self.data(), path, title or self.title)

    @property
    def widget(self):
        """The Jupyter widget showing this view (made on first use; needs anywidget)."""
        if self._widget is None:
            self._widget = _widget_class()(view=self)
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return (f"TrainingView({self.steps_done} steps, {len(self.snapshots)} snapshots, "
                f"cost {self.cost[-1]:.4g})" if self.cost else "TrainingView(0 steps)")


def training_view(model, X, y, every=10, resolution=40, features=None, budget=0.12, title="", **fit_options):
    """A TrainingView of `model` learning X, y (see TrainingView): show it in Jupyter, then `view.run(steps)`
    (or press play); `view.export_html("run.html")` writes the run as a page."""
    return TrainingView(model, X, y, every, resolution, features, budget, title, **fit_options)


# --- the page and the widget ---------------------------------------------------------------------------------------


def export_training_html(data, path, title=""):
    """Write a training run (`TrainingView.data()`, or a TrainingView) as one self-contained HTML page.

    A scrubber (and play, step, arrow keys) moves through the snapshots: boundary, curves up to that step, and the
    network with edges by weight and units by |gradient|. No network, no server: a Content-Security-Policy
    forbids both. `window.chainrule_training` has `count`, `go(i)` and `shown()`. Returns the Path.
    """
    if isinstance(data, TrainingView):
        data = data.data()
    if not data.get("snapshots"):
        raise ValueError("the run has no snapshots yet: train first (view.run(steps))")
    title = title or data["static"].get("title") or "chainrule: a training run"
    text = standalone_page("chainrule-training", title, asset("training.css"), asset("training.js"),
                           {**data, "static": {**data["static"], "title": title}})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _TrainingWidget:
    """The view in a notebook: `static` once, then `latest` (the newest snapshot) and `curves` as training goes;
    the buttons send "play", "pause" and "step" back to the TrainingView. Its behaviour: `_widget_class` joins it
    to anywidget.AnyWidget and the synced traits."""

    def __init__(self, view):
        super().__init__(static=view.static(), latest=view.snapshots[-1] if view.snapshots else {},
                         curves=curves(view))
        self.view = view
        self.on_msg(self._button)

    def show(self, shot, curve_data, state):
        """Send a new snapshot to the browser."""
        with self.hold_sync():
            self.latest, self.curves, self.state = shot, curve_data, state

    def _button(self, widget, content, buffers):
        """A button pressed in the browser: play, pause or step the TrainingView."""
        action = content.get("action") if isinstance(content, dict) else None
        if action == "play":
            self.view.play()
        elif action == "pause":
            self.view.pause(wait=False)
        elif action == "step":
            self.view.step()


@lru_cache(maxsize=None)
def _widget_class():
    """The widget class TrainingWidget: _TrainingWidget's behaviour on anywidget.AnyWidget, with training.js as
    its front end. Made on first use, so that importing viz never needs anywidget."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise ImportError('the live training view needs anywidget: pip install "chainrule[widgets]" (or use '
                          "view.run(steps) and view.export_html('run.html') without Jupyter)") from None
    body = {"__doc__": _TrainingWidget.__doc__, "__module__": __name__,
            "_esm": asset("training.js"), "_css": asset("training.css"),
            "static": traitlets.Dict().tag(sync=True), "latest": traitlets.Dict().tag(sync=True),
            "curves": traitlets.Dict().tag(sync=True), "state": traitlets.Unicode("paused").tag(sync=True)}
    return type("TrainingWidget", (_TrainingWidget, anywidget.AnyWidget), body)
