// chainrule's live step-through: the page computes, Python only exports.
//
// The page carries the graph as data (nodes in topological order: name, op, parent positions, constant,
// leaf values) and one SVG laid out once by Graphviz. This script mirrors autograd.PRIMITIVES (forward and
// local gradient per op, keyed by the same identifiers), computes the forward pass, the local gradients and
// the backward walk in the engine's order (one gradient rule: add local × g into each parent, skip g = 0,
// a zero local adds exactly zero), and the step sentences of viz.steps. Each step only changes text and
// classes in the SVG, so nothing moves. It is an ES module: the standalone page runs it inline, and the
// Jupyter widget (anywidget) imports the same file and calls `render`.
//
// Layers, bottom up: numbers (fmt), the op table (OPS), the model (values, steps, state at a step), the
// modes (what a step of each kind shows and says: forward, backward; more plug in through MODES), the view
// (the SVG), the controls, and the page that ties them together and is `window.chainrule`.

// ---------------------------------------------------------------------------------------------------------
// numbers, written as viz.notation.fmt writes them: Python's "%.4g" with a real minus sign

const MINUS = "\u2212";

function roundDigits(digits, p) {
  // digits: the exact significant digits; keep p of them, rounding half to even as Python does
  const head = digits.slice(0, p), rest = digits.slice(p);
  let up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || "13579".includes(head[p - 1])));
  if (!up) return {head, carry: 0};
  const bumped = String(BigInt(head) + 1n);
  return bumped.length > p ? {head: bumped.slice(0, p), carry: 1} : {head: bumped, carry: 0};
}

function formatG(a, p) {
  // a > 0, finite: "%.{p}g" exactly (toExponential(99) gives 100 exact significant digits)
  const s = a.toExponential(99), e = s.indexOf("e");
  const {head, carry} = roundDigits(s[0] + s.slice(2, e), p);
  const exp = parseInt(s.slice(e + 1), 10) + carry;
  if (exp < -4 || exp >= p) {
    const mantissa = (head[0] + "." + head.slice(1)).replace(/\.?0+$/, "");
    const digits = String(Math.abs(exp)).padStart(2, "0");
    return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
  }
  const whole = exp >= 0 ? head.slice(0, exp + 1) : "0";
  const fraction = (exp >= 0 ? head.slice(exp + 1) : "0".repeat(-exp - 1) + head).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

/** x in 4 significant digits with a real minus sign, exactly as viz.notation.fmt. */
export function fmt(x) {
  if (x === 0) return "0";
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : MINUS + "inf";
  return (x < 0 ? MINUS : "") + formatG(Math.abs(x), 4).replace(/-/g, MINUS);
}

/** A number inside a product: negatives in parentheses, 1 · (−2). */
export function factor(x) {
  const text = fmt(x);
  return text.startsWith(MINUS) ? `(${text})` : text;
}

/** A typed number: "−2", "-2", "1e-3", "nan", "inf", "−inf"; NaN when it is none of them. */
export function parseNumber(text) {
  const t = String(text).trim().replace(/\u2212/g, "-").toLowerCase();
  if (t === "nan") return NaN;
  if (/^[+-]?inf(inity)?$/.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

// ---------------------------------------------------------------------------------------------------------
// the op table: one row per autograd.PRIMITIVES identifier, forward and local gradient side by side.
// An op with a constant (pow's k, elu's α) gets it after its inputs. `domain` says why Python would raise
// (the page shows nan/inf and that message instead).

function pow(x, k) {
  // C's pow, which Python follows: 1^k = 1 and x^0 = 1 even for nan, (−1)^±∞ = 1 (Math.pow says nan)
  if (x === 1 || k === 0) return 1;
  if (x === -1 && (k === Infinity || k === -Infinity)) return 1;
  return Math.pow(x, k);
}

const isInteger = (k) => Number.isFinite(k) && Number.isInteger(k);

export const OPS = {
  add: {forward: (x, y) => x + y, local: (x, y, out) => [1, 1]},
  mul: {forward: (x, y) => x * y, local: (x, y, out) => [y, x]},
  max: {
    forward: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x >= y ? x : y),
    local: (x, y, out) => (x > y ? [1, 0] : y > x ? [0, 1] : x === y ? [0.5, 0.5] : [NaN, NaN]),
  },
  pow: {
    forward: pow,
    local: (x, k, out) => (k === 0 ? [0] : x === 0 && k < 1 ? [k * Infinity] : [k * pow(x, k - 1)]),
    domain: (x, k) => (x < 0 && Number.isFinite(k) && !isInteger(k) ? `x^${fmt(k)} needs x ≥ 0, got x = ${fmt(x)}`
      : x === 0 && k < 0 ? `0^${fmt(k)}: a negative power of zero is undefined` : null),
  },
  exp: {forward: Math.exp, local: (x, out) => [out]},
  log: {
    forward: Math.log,
    local: (x, out) => [1 / x],
    domain: (x) => (!(x > 0) && !Number.isNaN(x) ? `ln x needs x > 0, got x = ${fmt(x)}` : null),
  },
  recip: {
    forward: (x) => 1 / x,
    local: (x, out) => [-out * out],
    domain: (x) => (x === 0 ? "1/x at x = 0: the reciprocal needs a non-zero value" : null),
  },
  relu: {forward: (x) => (!(x <= 0) ? x : 0), local: (x, out) => [x > 0 ? 1 : 0]},
  tanh: {forward: Math.tanh, local: (x, out) => [1 - out * out]},
  elu: {forward: (x, a) => (x > 0 ? x : a * Math.expm1(x)), local: (x, a, out) => [x > 0 ? 1 : out + a]},
  sigmoid: {
    // two branches so that exp never overflows: σ(x) = 1/(1+e^−x) = e^x/(1+e^x)
    forward: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    local: (x, out) => [out * (1 - out)],
  },
};

/** One term of the chain rule, local × upstream: exactly 0 when either is 0 (no 0 · ∞ = nan). */
export function chainTerm(local, g) {
  return local === 0 || g === 0 ? 0 : local * g;
}

// ---------------------------------------------------------------------------------------------------------
// the model: the graph, the leaf values, and what follows from them

function decode(x) {
  // JSON has no nan or inf: the page's data writes them as strings
  return typeof x === "string" ? parseNumber(x) : x;
}

/** The graph as shipped by viz.html.graph_data, checked against this script's op table. */
export class Graph {
  constructor(data) {
    const missing = Object.keys(data.ops).filter((op) => !(op in OPS));
    if (missing.length) throw new Error(`chainrule page: no JavaScript row for op(s) ${missing.join(", ")}`);
    this.ops = data.ops;
    this.nodes = data.nodes.map((n) => ({...n, parents: n.parents || [], arg: decode(n.arg ?? null)}));
    this.root = data.root;
    this.forward = Boolean(data.forward);
    this.title = data.title || "";
    this.initial = this.nodes.map((n) => (n.parents.length ? null : decode(n.data)));
    this.byName = new Map(this.nodes.map((n, i) => [n.name, i]));
    this.readers = this.nodes.map(() => 0);
    this.nodes.forEach((n) => n.parents.forEach((p) => (this.readers[p] += 1)));
  }

  isLeaf(i) {
    return this.nodes[i].parents.length === 0;
  }
}

/** The forward pass at the given leaf values: every node's data, its local gradients, domain errors. */
export function forwardPass(graph, leaves) {
  const n = graph.nodes.length, data = new Float64Array(n), locals = new Array(n), errors = [];
  graph.nodes.forEach((node, i) => {
    if (!node.parents.length) {
      data[i] = leaves[i];
      locals[i] = [];
      return;
    }
    const row = OPS[node.op], xs = node.parents.map((p) => data[p]);
    const args = node.arg === null ? xs : [...xs, node.arg];
    const problem = row.domain && row.domain(...args);
    if (problem) errors.push({node: i, message: problem});
    data[i] = row.forward(...args);
    locals[i] = row.local(...args, data[i]);
  });
  return {data, locals, errors};
}

function passOn(graph, locals, i, g, grads) {
  // the one gradient rule for node i: every parent gets local × g; nothing at all when g == 0
  if (g === 0) return [];
  return graph.nodes[i].parents.map((parent, slot) => {
    const before = grads[parent], local = locals[i][slot], product = chainTerm(local, g);
    grads[parent] = before + product;
    return {parent, slot, local, product, before, after: grads[parent]};
  });
}

/** The backward walk in backward()'s order: one step per op node (and a leaf root), and the final grads. */
export function backwardPass(graph, locals) {
  const n = graph.nodes.length, grads = new Float64Array(n), readers = graph.readers.slice(), steps = [];
  grads[graph.root] = 1; // the seed: ∂root/∂root = 1
  for (let i = n - 1; i >= 0; i--) {
    if (graph.isLeaf(i) && i !== graph.root) continue;
    const g = grads[i], contributions = passOn(graph, locals, i, g, grads), finalized = [];
    for (const parent of graph.nodes[i].parents) {
      readers[parent] -= 1;
      if (readers[parent] === 0) finalized.push(parent);
    }
    steps.push({kind: "backward", node: i, g, contributions, finalized});
  }
  return {steps, grads};
}

/** Everything that follows from the leaf values: data, locals, errors, full gradients and the step list. */
export function evaluate(graph, leaves, modes) {
  const result = forwardPass(graph, leaves);
  const backward = backwardPass(graph, result.locals);
  result.grads = backward.grads;
  result.backwardSteps = backward.steps;
  result.steps = modes.flatMap((mode) => MODES[mode].steps(graph, result));
  return result;
}

/** What is known after step i: gradients so far, which are final, which values are computed. */
export function stateAt(graph, result, i) {
  const n = graph.nodes.length, grads = new Float64Array(n), final = new Uint8Array(n);
  const step = result.steps[i];
  let computed = n;
  if (step.kind === "forward") {
    computed = step.node + 1; // nodes are in topological order: the first node+1 are known
  } else {
    grads[graph.root] = 1;
    final[graph.root] = 1;
    for (let j = 0; j <= i; j++) {
      const s = result.steps[j];
      if (s.kind !== "backward") continue;
      s.contributions.forEach((c) => (grads[c.parent] = c.after));
      s.finalized.forEach((p) => (final[p] = 1));
    }
  }
  return {step, grads, final, computed};
}

// ---------------------------------------------------------------------------------------------------------
// sentences, exactly those of viz.steps

function expression(graph, node, parts) {
  const form = graph.ops[node.op].form;
  return form.replace(/\{(\d|k)\}/g, (_, key) => (key === "k" ? fmt(node.arg) : parts[Number(key)]));
}

function forwardSentence(graph, result, i) {
  const node = graph.nodes[i], data = result.data;
  if (!node.parents.length) return `${node.name} = ${fmt(data[i])} (${node.constant ? "constant" : "input"})`;
  const infix = graph.ops[node.op].infix;
  const symbols = expression(graph, node, node.parents.map((p) => (infix ? graph.nodes[p].term : graph.nodes[p].name)));
  const numbers = expression(graph, node, node.parents.map((p) => (infix ? factor(data[p]) : fmt(data[p]))));
  return `${node.name} = ${symbols} = ${numbers} = ${fmt(data[i])}`;
}

function contributionSentence(r, n, parentTerm, g, c) {
  let text = `∂${r}/∂${parentTerm} += ∂${r}/∂${n} · ∂${n}/∂${parentTerm} = ${factor(g)} · ${factor(c.local)} = ${fmt(c.product)}`;
  if (c.before !== 0) text += `, total ${fmt(c.before)} + ${factor(c.product)} = ${fmt(c.after)}`;
  return text;
}

function backwardSentence(graph, step) {
  const r = graph.nodes[graph.root].term, n = graph.nodes[step.node].term;
  if (step.g === 0 && !graph.isLeaf(step.node)) return `∂${r}/∂${n} = 0: nothing to pass on (backward() skips this node)`;
  if (!step.contributions.length) return `∂${r}/∂${n} = 1: ${n} is an input, nothing to pass on`;
  return step.contributions.map((c) => contributionSentence(r, n, graph.nodes[c.parent].term, step.g, c)).join("; ");
}

// ---------------------------------------------------------------------------------------------------------
// modes: what a step of each kind is, says and shows. A mode is {title, legend, steps, sentence, paint};
// later modes (a quiz, forward-mode tangents, paths) register here and the page strings them together.

export const MODES = {
  forward: {
    kind: "forward pass",
    title: (graph) => `Forward pass: each value from its inputs, up to ${graph.nodes[graph.root].name}`,
    legend: "Yellow: the node computed now. Blue outline: the inputs it reads. Dashed grey: not computed yet. " +
      "On each edge: that input's local gradient ∂out/∂in, computed with the value.",
    steps: (graph) => graph.nodes.map((_, i) => ({kind: "forward", node: i})),
    sentence: (graph, result, step) => forwardSentence(graph, result, step.node),
    paint: (view, graph, result, state) => view.paintForward(graph, result, state),
  },
  backward: {
    kind: "backward pass",
    title: (graph) => `Backpropagation: ∂${graph.nodes[graph.root].term}/∂node for every node, from the output back`,
    legend: "Yellow: the node whose gradient is final and is passed on now. Red outline: its inputs, each " +
      "receiving local × upstream (on its edge). Dashed grey: gradient not final yet.",
    steps: (graph, result) => result.backwardSteps,
    sentence: (graph, result, step) => backwardSentence(graph, step),
    paint: (view, graph, result, state) => view.paintBackward(graph, result, state),
  },
};

// ---------------------------------------------------------------------------------------------------------
// the view: the one SVG, indexed once; each step writes only text that changed and classes

const SVG_NS = "http://www.w3.org/2000/svg";

function titleOf(g) {
  const t = g.querySelector(":scope > title");
  return t ? t.textContent : "";
}

class View {
  constructor(svg, graph) {
    this.svg = svg;
    this.values = graph.nodes.map(() => null); // per node: {g, data, grad, text (a constant)}
    this.ops = graph.nodes.map(() => null);
    this.edges = graph.nodes.map((n) => n.parents.map(() => null));
    this.cache = new WeakMap();
    this.indexNodes(graph);
    this.indexEdges(graph);
    this.clusters = [...svg.querySelectorAll("g.cluster")].map((g) => ({g, scope: titleOf(g).replace(/^cluster_/, "")}));
  }

  indexNodes(graph) {
    for (const g of this.svg.querySelectorAll("g.node")) {
      const m = /^n(\d+)(_op)?$/.exec(titleOf(g));
      if (!m) continue;
      const i = Number(m[1]);
      g.dataset.node = i;
      if (m[2]) { this.ops[i] = g; continue; }
      const texts = [...g.querySelectorAll("text")];
      const find = (prefix) => texts.find((t) => t.textContent.startsWith(prefix)) || null;
      const constant = graph.isLeaf(i) && graph.nodes[i].constant;
      this.values[i] = {g, data: find("data "), grad: find("grad "), text: constant ? texts[texts.length - 1] : null};
      if (graph.isLeaf(i)) (this.values[i].data || this.values[i].text)?.classList.add("cr-number"); // editable
    }
  }

  indexEdges(graph) {
    const seen = new Map();
    for (const g of this.svg.querySelectorAll("g.edge")) {
      const m = /^n(\d+)->n(\d+)_op$/.exec(titleOf(g));
      if (!m) continue;
      const parent = Number(m[1]), child = Number(m[2]), key = `${parent}-${child}`;
      const parents = graph.nodes[child].parents;
      const slot = parents.indexOf(parent, seen.get(key) ?? 0); // x · x: two edges, slots 0 and 1
      seen.set(key, slot + 1);
      this.edges[child][slot] = {g, text: g.querySelector("text")};
    }
  }

  write(el, text) {
    // the one place text changes: skip writes that change nothing (a 900-node graph stays fast)
    if (el && this.cache.get(el) !== text) {
      const only = el.childNodes.length === 1 && el.firstChild.nodeType === 3 ? el.firstChild : null;
      if (only) only.nodeValue = text; // the text node itself: cheaper than replacing it
      else el.textContent = text;
      this.cache.set(el, text);
    }
  }

  mark(el, cls, on) {
    if (el && el.classList.contains(cls) !== on) el.classList.toggle(cls, on);
  }

  paintNode(i, data, grad, pending, role) {
    const v = this.values[i];
    if (!v) return;
    if (v.text) this.write(v.text, data);
    this.write(v.data, data === "" ? "" : `data ${data}`);
    this.write(v.grad, grad === "" ? "" : `grad ${grad}`);
    this.mark(v.g, "pending", pending);
    for (const cls of ["current", "receiving", "reading"]) this.mark(v.g, cls, role === cls);
    if (this.ops[i]) {
      this.mark(this.ops[i], "pending-op", pending);
      this.mark(this.ops[i], "current-op", role === "current");
    }
  }

  writeLines(el, text) {
    // "local × g = product" on two lines, "= product" under the factors: half as wide over its edge
    if (!el || this.cache.get(el) === text) return;
    const cut = text.lastIndexOf(" = ");
    el.textContent = "";
    [text.slice(0, cut + 1), text.slice(cut + 1)].forEach((line, k) => { // textContent stays the whole text
      const span = document.createElementNS(SVG_NS, "tspan");
      span.setAttribute("x", el.getAttribute("x"));
      if (k) span.setAttribute("dy", "1.15em");
      span.textContent = line;
      el.appendChild(span);
    });
    this.cache.set(el, text);
  }

  paintEdge(i, slot, text, active) {
    const e = this.edges[i][slot];
    if (!e) return;
    (active ? this.writeLines : this.write).call(this, e.text, text);
    this.mark(e.g, "active", active);
    if (active) e.g.parentNode.appendChild(e.g); // on top of its neighbours: a long product stays readable
  }

  paintForward(graph, result, state) {
    const current = state.step.node, reading = new Set(graph.nodes[current].parents);
    graph.nodes.forEach((node, i) => {
      const known = i < state.computed;
      const role = i === current ? "current" : reading.has(i) ? "reading" : null;
      this.paintNode(i, known ? fmt(result.data[i]) : "?", "", !known, role);
      node.parents.forEach((_, slot) => this.paintEdge(i, slot, known ? fmt(result.locals[i][slot]) : "", false));
    });
  }

  paintBackward(graph, result, state) {
    const step = state.step, receiving = new Set(step.contributions.map((c) => c.parent));
    const products = new Map(step.contributions.map((c) => [c.slot, c]));
    graph.nodes.forEach((node, i) => {
      const role = i === step.node ? "current" : receiving.has(i) ? "receiving" : null;
      this.paintNode(i, fmt(result.data[i]), fmt(state.grads[i]), !state.final[i], role);
      node.parents.forEach((_, slot) => {
        const c = i === step.node ? products.get(slot) : null;
        const text = c ? `${factor(c.local)} × ${factor(step.g)} = ${fmt(c.product)}` : fmt(result.locals[i][slot]);
        this.paintEdge(i, slot, text, Boolean(c));
      });
    });
  }

  nodeAt(target) {
    // the node position a click landed on (a value node or its op), or null
    const g = target.closest && target.closest("g.node");
    return g && g.dataset.node !== undefined ? Number(g.dataset.node) : null;
  }

  collapse(scope, on, graph) {
    // a collapsed scope hides its nodes and the edges among them; its box stays where it is
    const inside = (s) => s === scope || s.startsWith(scope + "/");
    graph.nodes.forEach((node, i) => {
      const hide = on && inside(node.scope || "");
      this.mark(this.values[i]?.g, "cr-hidden", hide);
      this.mark(this.ops[i], "cr-hidden", hide);
      node.parents.forEach((p, slot) => this.mark(this.edges[i][slot]?.g, "cr-hidden", hide && inside(graph.nodes[p].scope || "")));
    });
    this.clusters.filter((c) => c.scope === scope).forEach((c) => this.mark(c.g, "cr-collapsed", on));
  }
}

// ---------------------------------------------------------------------------------------------------------
// zoom and pan: a CSS transform on the SVG inside a clipping viewport

class Camera {
  constructor(viewport, svg) {
    this.viewport = viewport;
    this.svg = svg;
    const box = svg.viewBox.baseVal;
    this.width = box && box.width ? box.width : svg.getBBox().width;
    this.height = box && box.height ? box.height : svg.getBBox().height;
    svg.setAttribute("width", this.width);
    svg.setAttribute("height", this.height);
    this.scale = 1;
    this.x = 0;
    this.y = 0;
  }

  apply() {
    this.svg.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.scale})`;
  }

  start(el) {
    // the first view: the whole width when it stays readable, else readable size around the current node
    if (!this.viewport.clientWidth && typeof ResizeObserver !== "undefined") {
      const wait = new ResizeObserver(() => { // a notebook output not on screen yet: wait until it is
        if (!this.viewport.clientWidth) return;
        wait.disconnect();
        this.start(el);
      });
      wait.observe(this.viewport);
      return;
    }
    this.fit(true);
    if (this.scale >= 0.6) return;
    this.scale = 0.85;
    this.x = 8;
    this.y = 8;
    this.apply();
    this.follow(el);
  }

  fit(widthOnly) {
    const w = this.viewport.clientWidth, h = this.viewport.clientHeight;
    const sx = (w - 16) / this.width, sy = (h - 16) / this.height;
    this.scale = Math.min(widthOnly ? sx : Math.min(sx, sy), 1.5);
    this.x = Math.max(8, (w - this.width * this.scale) / 2);
    this.y = Math.max(8, (h - this.height * this.scale) / 2);
    if (widthOnly && this.height * this.scale > h) this.y = 8;
    this.apply();
  }

  zoom(factor, px, py) {
    const w = this.viewport.clientWidth, h = this.viewport.clientHeight;
    px = px ?? w / 2;
    py = py ?? h / 2;
    const scale = Math.min(Math.max(this.scale * factor, 0.02), 8);
    this.x = px - ((px - this.x) * scale) / this.scale;
    this.y = py - ((py - this.y) * scale) / this.scale;
    this.scale = scale;
    this.apply();
  }

  pan(dx, dy) {
    this.x += dx;
    this.y += dy;
    this.apply();
  }

  follow(el) {
    // keep a node in sight: pan (never zoom) when it is outside the viewport
    if (!el) return;
    const r = el.getBoundingClientRect(), v = this.viewport.getBoundingClientRect();
    if (r.left >= v.left && r.right <= v.right && r.top >= v.top && r.bottom <= v.bottom) return;
    this.pan(v.left + v.width / 2 - (r.left + r.width / 2), v.top + v.height / 2 - (r.top + r.height / 2));
  }
}

// ---------------------------------------------------------------------------------------------------------
// the page: controls around the view, the state machine (leaf values -> result -> step -> paint), the API

const CONTROLS = `
<header class="cr-bar">
  <h1 class="cr-title"></h1>
  <div class="cr-controls">
    <button type="button" class="cr-first" title="first step (Home)">|◀</button>
    <button type="button" class="cr-prev" title="previous step (←)">◀ Previous</button>
    <button type="button" class="cr-play" title="play / pause (space)">▶ Play</button>
    <button type="button" class="cr-next" title="next step (→)">Next ▶</button>
    <button type="button" class="cr-last" title="last step (End)">▶|</button>
    <input type="range" class="cr-slider" min="1" value="1" aria-label="step">
    <span class="cr-counter"></span>
    <label class="cr-speed-label">speed <select class="cr-speed">
      <option value="2000">0.5×</option><option value="1000" selected>1×</option>
      <option value="500">2×</option><option value="200">5×</option></select></label>
    <button type="button" class="cr-reset" title="the values the page was exported with">Reset values</button>
    <span class="cr-zoom"><button type="button" class="cr-fit" title="fit the graph">Fit</button><button type="button" class="cr-fit-width" title="fit the width">↔</button><button type="button" class="cr-zoom-out" title="zoom out (−)">−</button><button type="button" class="cr-zoom-in" title="zoom in (+)">+</button></span>
    <button type="button" class="cr-toggle-inputs" title="show or hide the inputs">Inputs</button>
  </div>
</header>
<div class="cr-middle">
  <div class="cr-viewport"></div>
  <aside class="cr-inputs" hidden><h2>Inputs</h2><p class="cr-hint">Type a value or drag; every number updates.</p><div class="cr-input-list"></div></aside>
</div>
<footer class="cr-foot">
  <div class="cr-pass"><span class="cr-kind"></span> <span class="cr-pass-title"></span></div>
  <p class="cr-sentence"></p>
  <p class="cr-warning" hidden></p>
  <p class="cr-legend"></p>
</footer>`;

const HELP = " Click a node to jump to its step; click an input's number to change it; drag to pan, wheel to zoom.";

export class Page {
  constructor(root, data, svgText, options = {}) {
    this.root = root;
    this.graph = new Graph(data);
    this.modes = options.modes || (this.graph.forward ? ["forward", "backward"] : ["backward"]);
    this.onChange = options.onChange || (() => {});
    this.leaves = this.graph.initial.slice();
    this.index = 0;
    this.timer = null;
    this.collapsed = new Set();
    this.build(svgText);
    this.recompute();
    this.go(1);
    this.camera.start(this.view.values[this.result.steps[0].node]?.g);
  }

  $(cls) {
    return this.root.querySelector("." + cls);
  }

  build(svgText) {
    const graphHolder = this.root.querySelector(".cr-graph");
    const svgMarkup = graphHolder ? graphHolder.innerHTML : svgText;
    if (graphHolder) graphHolder.remove();
    this.root.classList.add("cr-root");
    this.root.insertAdjacentHTML("afterbegin", CONTROLS);
    this.$("cr-viewport").innerHTML = svgMarkup;
    const svg = this.$("cr-viewport").querySelector("svg");
    this.view = new View(svg, this.graph);
    this.camera = new Camera(this.$("cr-viewport"), svg);
    this.$("cr-title").textContent = this.graph.title;
    this.buildInputs();
    this.wire();
  }

  buildInputs() {
    const list = this.$("cr-input-list"), inputs = [];
    this.graph.nodes.forEach((node, i) => {
      if (node.parents.length || node.constant) return;
      const row = document.createElement("div");
      row.className = "cr-input";
      row.innerHTML = '<label><span class="cr-input-name"></span> <input type="text" class="cr-input-value" size="9"></label>' +
        '<input type="range" class="cr-input-slider" min="0" max="1000" step="1">';
      row.querySelector(".cr-input-name").textContent = node.name;
      row.dataset.node = i;
      list.appendChild(row);
      inputs.push(row);
    });
    this.inputs = inputs;
    if (inputs.length && inputs.length <= 12) this.$("cr-inputs").hidden = false;
  }

  sliderRange(i) {
    // a slider around the exported value: ± max(1, 2|x|)
    const x0 = Number.isFinite(this.graph.initial[i]) ? this.graph.initial[i] : 0;
    const half = Math.max(1, 2 * Math.abs(x0));
    return [x0 - half, x0 + half];
  }

  wire() {
    const on = (cls, type, f) => this.$(cls).addEventListener(type, f);
    on("cr-prev", "click", () => this.go(this.index));
    on("cr-next", "click", () => this.go(this.index + 2));
    on("cr-first", "click", () => this.go(1));
    on("cr-last", "click", () => this.go(this.steps));
    on("cr-play", "click", () => this.togglePlay());
    on("cr-slider", "input", (e) => this.go(Number(e.target.value)));
    on("cr-speed", "change", () => this.timer && (this.pause(), this.play()));
    on("cr-reset", "click", () => this.reset());
    on("cr-fit", "click", () => this.camera.fit(false));
    on("cr-fit-width", "click", () => this.camera.fit(true));
    on("cr-zoom-in", "click", () => this.camera.zoom(1.25));
    on("cr-zoom-out", "click", () => this.camera.zoom(0.8));
    on("cr-toggle-inputs", "click", () => (this.$("cr-inputs").hidden = !this.$("cr-inputs").hidden));
    this.inputs.forEach((row) => this.wireInput(row));
    this.wirePointer();
    const keys = this.root.classList.contains("cr-page") ? document : this.root;
    keys.addEventListener("keydown", (e) => this.key(e));
  }

  wireInput(row) {
    const i = Number(row.dataset.node), text = row.querySelector(".cr-input-value");
    const slider = row.querySelector(".cr-input-slider"), [lo, hi] = this.sliderRange(i);
    text.addEventListener("change", () => this.setLeaf(i, parseNumber(text.value), text));
    text.addEventListener("keydown", (e) => e.stopPropagation());
    slider.addEventListener("input", () => this.setLeaf(i, lo + ((hi - lo) * Number(slider.value)) / 1000));
  }

  wirePointer() {
    const viewport = this.$("cr-viewport");
    let drag = null;
    viewport.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = {x: e.clientX, y: e.clientY, moved: 0};
    });
    viewport.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.moved += Math.abs(dx) + Math.abs(dy);
      if (drag.moved > 4) {
        viewport.classList.add("cr-dragging");
        this.camera.pan(dx, dy);
      }
      drag.x = e.clientX;
      drag.y = e.clientY;
    });
    const end = () => {
      viewport.classList.remove("cr-dragging");
      setTimeout(() => (drag = null), 0);
    };
    viewport.addEventListener("pointerup", end);
    viewport.addEventListener("pointerleave", end);
    viewport.addEventListener("click", (e) => (drag && drag.moved > 4 ? null : this.click(e)));
    viewport.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = viewport.getBoundingClientRect();
      this.camera.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
  }

  key(e) {
    if (e.target && /^(INPUT|SELECT|TEXTAREA)$/.test(e.target.tagName)) return;
    const moves = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    if (e.key in moves) this.go(this.index + 1 + moves[e.key]);
    else if (e.key === "Home") this.go(1);
    else if (e.key === "End") this.go(this.steps);
    else if (e.key === " ") this.togglePlay();
    else if (e.key === "+" || e.key === "=") this.camera.zoom(1.25);
    else if (e.key === "-") this.camera.zoom(0.8);
    else return;
    e.preventDefault();
  }

  click(e) {
    const cluster = e.target.closest && e.target.closest("g.cluster");
    const i = this.view.nodeAt(e.target);
    if (i !== null && e.target.classList && e.target.classList.contains("cr-number") && this.graph.isLeaf(i)) {
      this.edit(i, e.target);
    } else if (i !== null) {
      this.jump(i);
    } else if (cluster) {
      this.toggleScope(cluster);
    }
  }

  toggleScope(g) {
    const scope = titleOf(g).replace(/^cluster_/, ""), on = !this.collapsed.has(scope);
    on ? this.collapsed.add(scope) : this.collapsed.delete(scope);
    this.view.collapse(scope, on, this.graph);
  }

  edit(i, textEl) {
    // a text box over the number: Enter sets it, Escape leaves it
    const box = document.createElement("input"), r = textEl.getBoundingClientRect();
    const v = this.$("cr-viewport").getBoundingClientRect();
    box.className = "cr-editor";
    box.value = fmt(this.leaves[i]);
    box.style.left = `${r.left - v.left - 4}px`;
    box.style.top = `${r.top - v.top - 4}px`;
    this.$("cr-viewport").appendChild(box);
    box.focus();
    box.select();
    const close = () => box.remove();
    box.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") { this.setLeaf(i, parseNumber(box.value), box) && close(); }
      else if (e.key === "Escape") close();
    });
    box.addEventListener("blur", () => setTimeout(close, 0));
  }

  jump(i) {
    // to the step that finalizes node i (computes it, in the forward pass)
    const kind = this.steps && this.result.steps[this.index].kind;
    const target = this.result.steps.findIndex((s) => s.kind === kind && (s.node === i ||
      (s.kind === "backward" && s.finalized.includes(i) && this.graph.isLeaf(i))));
    if (target >= 0) this.go(target + 1);
  }

  setLeaf(i, value, field) {
    if (Number.isNaN(value) && !(field && /nan/i.test(field.value))) {
      if (field) field.classList.add("cr-invalid");
      this.warn(`“${field ? field.value : value}” is not a number: type e.g. −2, 0.5, 1e-3, inf or nan`);
      return false;
    }
    if (field) field.classList.remove("cr-invalid");
    this.leaves[i] = value;
    this.refresh();
    return true;
  }

  refresh() {
    // after a leaf changed: every number again, the same step shown, the host told
    this.recompute();
    this.go(this.index + 1);
    this.onChange(this);
  }

  recompute() {
    this.result = evaluate(this.graph, this.leaves, this.modes);
    const slider = this.$("cr-slider");
    slider.max = this.steps;
    this.$("cr-counter").style.minWidth = `${2 * String(this.steps).length + 9}ch`; // no jump at 10, 100, ...
    this.inputs.forEach((row) => {
      const i = Number(row.dataset.node), [lo, hi] = this.sliderRange(i);
      const text = row.querySelector(".cr-input-value");
      if (document.activeElement !== text) text.value = fmt(this.leaves[i]);
      row.querySelector(".cr-input-slider").value = String(Math.round(((this.leaves[i] - lo) / (hi - lo)) * 1000));
    });
  }

  get steps() {
    return this.result.steps.length;
  }

  /** Show step i (1-based; clamped to 1 .. steps). */
  go(i) {
    this.index = Math.min(Math.max(Math.round(i) || 1, 1), this.steps) - 1;
    const state = stateAt(this.graph, this.result, this.index), mode = MODES[state.step.kind];
    mode.paint(this.view, this.graph, this.result, state);
    this.$("cr-counter").textContent = `Step ${this.index + 1} / ${this.steps}`;
    this.$("cr-slider").value = String(this.index + 1);
    this.$("cr-kind").textContent = mode.kind;
    this.$("cr-pass-title").textContent = mode.title(this.graph);
    this.$("cr-sentence").textContent = mode.sentence(this.graph, this.result, state.step);
    this.$("cr-legend").textContent = mode.legend + HELP;
    this.root.dataset.kind = state.step.kind;
    this.$("cr-prev").disabled = this.$("cr-first").disabled = this.index === 0;
    this.$("cr-next").disabled = this.$("cr-last").disabled = this.index === this.steps - 1;
    this.showErrors();
    this.camera.follow(this.view.values[state.step.node]?.g);
    if (this.index === this.steps - 1) this.pause();
    return this.index + 1;
  }

  showErrors() {
    const errors = this.result.errors;
    this.warn(errors.length ? errors.map((e) => `${this.graph.nodes[e.node].name}: ${e.message}`).join("; ") +
      " (the page shows the resulting nan or inf; Python would raise here)" : "");
  }

  warn(text) {
    const el = this.$("cr-warning");
    el.textContent = text;
    el.hidden = !text;
  }

  play() {
    if (this.index === this.steps - 1) this.go(1);
    this.timer = setInterval(() => this.go(this.index + 2), Number(this.$("cr-speed").value));
    this.$("cr-play").textContent = "⏸ Pause";
    this.root.classList.add("cr-playing");
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.$("cr-play").textContent = "▶ Play";
    this.root.classList.remove("cr-playing");
  }

  togglePlay() {
    this.timer ? this.pause() : this.play();
  }

  /** Set the leaf called `name` to `value` and recompute everything; returns the value set. */
  set(name, value) {
    const i = this.graph.byName.get(name);
    if (i === undefined || !this.graph.isLeaf(i)) {
      const leaves = this.graph.nodes.filter((n) => !n.parents.length).map((n) => n.name);
      throw new Error(`set(${JSON.stringify(name)}, …): no input of that name; the inputs are ${leaves.join(", ")}`);
    }
    const number = typeof value === "number" ? value : parseNumber(value);
    this.leaves[i] = number;
    this.refresh();
    return number;
  }

  /** {name: {data, grad}} for every node at the current leaf values (grads of the full backward pass). */
  values() {
    const out = {};
    this.graph.nodes.forEach((node, i) => (out[node.name] = {data: this.result.data[i], grad: this.result.grads[i]}));
    return out;
  }

  /** Back to the values the page was exported with. */
  reset() {
    this.leaves = this.graph.initial.slice();
    this.refresh();
  }

  /** The leaf values by name. */
  leafValues() {
    const out = {};
    this.graph.nodes.forEach((node, i) => node.parents.length || (out[node.name] = this.leaves[i]));
    return out;
  }

  /** The public API: window.chainrule on the standalone page. */
  api() {
    const page = this;
    return {
      get steps() { return page.steps; },
      get step() { return page.index + 1; },
      go: (i) => page.go(i),
      set: (name, value) => page.set(name, value),
      values: () => page.values(),
      reset: () => page.reset(),
      play: () => page.play(),
      pause: () => page.pause(),
      sentence: () => page.$("cr-sentence").textContent,
      page,
      ops: OPS,
      modes: MODES,
      fmt,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// entry points: the standalone page mounts itself; anywidget calls render({model, el})

function mountStandalone() {
  const holder = document.getElementById("chainrule");
  const data = JSON.parse(document.getElementById("chainrule-data").textContent);
  holder.classList.add("cr-page");
  const page = new Page(holder, data, null);
  window.chainrule = page.api();
}

function render({model, el}) {
  const root = document.createElement("div");
  root.className = "cr-widget";
  root.tabIndex = 0;
  el.appendChild(root);
  const sync = (page) => {
    model.set("leaves", page.leafValues());
    model.set("step", page.index + 1);
    model.save_changes();
  };
  const page = new Page(root, model.get("graph"), model.get("svg"), {onChange: sync});
  const fromPython = () => {
    const leaves = model.get("leaves") || {};
    Object.entries(leaves).forEach(([name, value]) => {
      const i = page.graph.byName.get(name);
      if (i !== undefined) page.leaves[i] = decode(value);
    });
    page.recompute();
    page.go(model.get("step") || page.index + 1);
  };
  fromPython();
  const stepToPython = () => { model.set("step", page.index + 1); model.save_changes(); };
  root.addEventListener("click", stepToPython);
  root.addEventListener("keyup", stepToPython);
  model.on("change:leaves", fromPython);
  model.on("change:step", () => page.go(model.get("step")));
  return () => page.pause();
}

export default {render};

if (typeof document !== "undefined" && document.getElementById("chainrule-data")) mountStandalone();
