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
// learner modes' models (Quiz, tangents, paths: viz.modes in JavaScript), the modes (what a step of each
// kind shows and says: forward, backward, quiz, tangent, path; registered in MODES), the view (the SVG),
// the controls, and the page that ties them together and is `window.chainrule`.

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
    this.pathLimit = data.pathLimit || 10000; // autograd.forward.PATH_LIMIT
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

/** Everything that follows from the leaf values: data, locals, errors, full gradients and the step list.
 *  `leaf` is the input that forward mode and the paths start from. */
export function evaluate(graph, leaves, modes, leaf = null) {
  const result = forwardPass(graph, leaves);
  const backward = backwardPass(graph, result.locals);
  result.grads = backward.grads;
  result.backwardSteps = backward.steps;
  result.leaf = leaf;
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
  } else if (step.contributions) { // a backward step, or the same step asked as a quiz
    grads[graph.root] = 1;
    final[graph.root] = 1;
    for (let j = 0; j <= i; j++) {
      const s = result.steps[j];
      if (!s.contributions) continue;
      s.contributions.forEach((c) => (grads[c.parent] = c.after));
      s.finalized.forEach((p) => (final[p] = 1));
    }
  } else { // forward mode and paths: after the whole backward pass
    grads.set(result.grads);
    final.fill(1);
  }
  return {step, index: i, grads, final, computed};
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
// the learner modes' models, exactly those of viz.modes: predict then reveal (Quiz), forward-mode tangents,
// every path's product. Their sentences are viz.modes' sentences, so tests compare the page with Python.

/** A typed answer: a number as parseNumber reads it, or a fraction "1/4"; NaN when it is neither. */
export function parseAnswer(text) {
  const t = String(text).trim();
  if (/^nan$/i.test(t)) return NaN;
  const number = parseNumber(t);
  if (!Number.isNaN(number)) return number;
  const parts = t.split("/");
  return parts.length === 2 ? parseNumber(parts[0]) / parseNumber(parts[1]) : NaN;
}

/** Python's math.isclose(a, b, rel_tol=rel, abs_tol=1e-9), with nan close to nan. */
export function isClose(a, b, rel) {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), 1e-9);
}

function edgeQuestions(graph, index, step, c) {
  // viz.modes._edge_questions: the local gradient, the product g · local, and (a reused input) its total
  const r = graph.nodes[graph.root].term, n = graph.nodes[step.node].term, p = graph.nodes[c.parent].term;
  const localText = `∂${n}/∂${p}`, productText = `∂${r}/∂${n} · ∂${n}/∂${p}`, g = factor(step.g);
  const asked = [
    ["local", `the local gradient on the edge ${p} → ${n}: ${localText} = ?`, c.local, `${localText} = ${fmt(c.local)}`],
    ["product", `what the edge passes back to ${p}: ${productText} = ${g} · ${factor(c.local)} = ?`, c.product,
      `∂${r}/∂${p} += ${productText} = ${g} · ${factor(c.local)} = ${fmt(c.product)}`],
  ];
  if (c.before !== 0) { // a reused node: its gradient adds up
    asked.push(["total", `${p} had ∂${r}/∂${p} = ${fmt(c.before)} already; now ∂${r}/∂${p} = ?`, c.after,
      `∂${r}/∂${p} = ${fmt(c.before)} + ${factor(c.product)} = ${fmt(c.after)}`]);
  }
  return asked.map(([kind, prompt, expected, reveal]) =>
    ({step: index, kind, node: step.node, parent: c.parent, slot: c.slot, prompt, expected, reveal}));
}

/** Predict, then reveal (viz.modes.Quiz): every backward step's edges as questions, checked to rel_tol. */
export class Quiz {
  constructor(graph, result, relTol = 1e-3) {
    this.relTol = relTol;
    this.questions = result.backwardSteps.flatMap((step, index) => step.contributions
      .filter((c) => !graph.nodes[c.parent].constant) // edges into constants (the 2 in 2·v) ask nothing
      .flatMap((c) => edgeQuestions(graph, index, step, c)));
    this.byEdge = new Map(); // "node:slot" -> the positions of that edge's questions
    this.questions.forEach((q, k) => {
      const key = `${q.node}:${q.slot}`;
      this.byEdge.set(key, [...(this.byEdge.get(key) || []), k]);
    });
    this.position = 0; // the question being asked
    this.score = 0;
    this.verdicts = [];
  }

  get question() {
    return this.questions[this.position] || null;
  }

  get done() {
    return this.position >= this.questions.length;
  }

  /** Whether the question of `kind` on the edge (node, slot) is answered; true when it is never asked. */
  shown(node, slot, kind) {
    const k = (this.byEdge.get(`${node}:${slot}`) || []).find((j) => this.questions[j].kind === kind);
    return k === undefined || k < this.position;
  }

  /** Answer the current question with a number or text ("−2", "1/4"): checked, revealed, counted. */
  answer(value) {
    const given = typeof value === "number" ? value : parseAnswer(value);
    if (Number.isNaN(given) && !/^\s*nan\s*$/i.test(String(value))) {
      throw new Error(`answer: “${value}” is not a number; type one such as 5, −2, 0.25 or 1/4`);
    }
    return this.record(given, isClose(given, this.current().expected, this.relTol));
  }

  /** Give the current question up: it is revealed and counts as wrong. */
  reveal() {
    this.current();
    return this.record(null, false);
  }

  current() {
    if (this.done) throw new Error(`the quiz is over: ${this.score}/${this.questions.length} right; quiz(true) starts again`);
    return this.question;
  }

  record(given, right) {
    const question = this.question;
    this.score += right ? 1 : 0;
    this.position += 1;
    const verdict = given === null ? "revealed" : right ? "right" : `wrong (you said ${fmt(given)})`;
    const v = {question, given, right, score: this.score, asked: this.position,
      sentence: `${verdict}: ${question.reveal} (score ${this.score}/${this.position})`};
    this.verdicts.push(v);
    return v;
  }
}

const sameResult = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b)) ||
  Math.abs(a - b) <= Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), 1e-12);

/** Forward mode (viz.modes.tangent_steps): ∂node/∂leaf for every node in order, Σ local × tangent of its inputs. */
export function tangentSteps(graph, result) {
  const leaf = result.leaf, n = graph.nodes.length, t = new Float64Array(n), steps = [];
  t[leaf] = 1; // the seed
  graph.nodes.forEach((node, i) => {
    const terms = node.parents.map((parent, slot) => {
      const local = result.locals[i][slot];
      return {parent, slot, local, tangent: t[parent], product: chainTerm(local, t[parent])};
    });
    if (i > leaf) t[i] = terms.reduce((total, term) => total + term.product, 0);
    steps.push({kind: "tangent", node: i, terms, tangent: t[i]});
  });
  result.tangents = t;
  return steps;
}

function tangentSentence(graph, result, step) {
  const nodes = graph.nodes, i = step.node, n = nodes[i].term, w = nodes[result.leaf].term;
  let text;
  if (i === result.leaf) text = `∂${n}/∂${w} = 1: the seed, ${n} is the input we vary`;
  else if (!nodes[i].parents.length) {
    text = `∂${n}/∂${w} = 0: ${nodes[i].constant ? "a constant" : "another input"}, it does not change with ${w}`;
  } else if (step.terms.every((s) => s.tangent === 0)) text = `∂${n}/∂${w} = 0: none of ${n}'s inputs depends on ${w}`;
  else {
    const symbols = step.terms.map((s) => `∂${n}/∂${nodes[s.parent].term} · ∂${nodes[s.parent].term}/∂${w}`);
    const numbers = step.terms.map((s) => `${factor(s.local)} · ${factor(s.tangent)}`);
    text = `∂${n}/∂${w} = ${symbols.join(" + ")} = ${numbers.join(" + ")} = ${fmt(step.tangent)}`;
  }
  if (i !== graph.root) return text;
  const r = nodes[graph.root].term, gradient = result.grads[result.leaf];
  return text + (sameResult(step.tangent, gradient)
    ? `; backward() finds ∂${r}/∂${w} = ${fmt(gradient)} too: the same derivative, the other way round`
    : `; but backward() finds ∂${r}/∂${w} = ${fmt(gradient)}`);
}

function countPaths(graph, leaf, cap) {
  // count(leaf) = 1, count(out) = Σ count(x) over its inputs, stopping at cap + 1 (autograd.count_paths)
  const count = new Float64Array(graph.nodes.length);
  count[leaf] = 1;
  for (let i = leaf + 1; i < graph.nodes.length; i++) {
    count[i] = Math.min(graph.nodes[i].parents.reduce((total, p) => total + count[p], 0), cap + 1);
  }
  return count[graph.root];
}

function walkPaths(graph, leaf) {
  // every path leaf -> root as [nodes, slots], depth first along the edges in topological order (autograd.paths)
  const readers = graph.nodes.map(() => []), found = [];
  graph.nodes.forEach((node, i) => node.parents.forEach((p, slot) => readers[p].push([i, slot])));
  const nodes = [leaf], slots = [], pending = [0];
  while (pending.length) {
    const at = nodes[nodes.length - 1], edge = readers[at][pending[pending.length - 1]++];
    if (!edge) { // every edge out of `at` is done: step back
      pending.pop();
      nodes.pop();
      slots.pop();
      continue;
    }
    if (edge[0] === graph.root) found.push([[...nodes, edge[0]], [...slots, edge[1]]]);
    else { nodes.push(edge[0]); slots.push(edge[1]); pending.push(0); }
  }
  if (leaf === graph.root) found.push([[leaf], []]); // the empty path: ∂root/∂root = 1
  return found;
}

function route(graph, nodes, slots) {
  // "x →(1st) y": where a node reads the same input twice, the arrow says which read
  let text = graph.nodes[nodes[0]].name;
  slots.forEach((slot, k) => {
    const reader = graph.nodes[nodes[k + 1]], twice = reader.parents.length === 2 && reader.parents[0] === reader.parents[1];
    text += (twice ? (slot === 0 ? " →(1st) " : " →(2nd) ") : " → ") + reader.name;
  });
  return text;
}

/** Every path from the leaf to the root with its product of local gradients, and their sum (viz.modes.path_table). */
export function pathTable(graph, result, limit) {
  const leaf = result.leaf, r = graph.nodes[graph.root].term, w = graph.nodes[leaf].term;
  const gradient = result.grads[leaf];
  if (countPaths(graph, leaf, limit) > limit) {
    return {rows: [], total: NaN, gradient, tooMany: true,
      sentence: `More than ${limit.toLocaleString("en")} paths lead from ${graph.nodes[leaf].name} to ` +
        `${graph.nodes[graph.root].name}: too many to list. Forward mode gives their sum, ∂${r}/∂${w} = ` +
        `${fmt(gradient)}, in one pass.`};
  }
  const rows = walkPaths(graph, leaf).map(([nodes, slots]) => {
    const locals = slots.map((slot, k) => result.locals[nodes[k + 1]][slot]);
    const product = locals.reduce((p, local) => chainTerm(local, p), 1);
    return {nodes, slots, route: route(graph, nodes, slots), factors: locals.map(factor).join(" · ") || "1", product};
  });
  const total = rows.reduce((sum, row) => sum + row.product, 0);
  const products = rows.slice(0, 6).map((row) => factor(row.product)).concat(rows.length > 6 ? ["…"] : []);
  let sentence = rows.length === 1
    ? `∂${r}/∂${w} = ${fmt(total)}, the product along the only path from ${w} to ${r}`
    : `∂${r}/∂${w} = ${products.join(" + ")} = ${fmt(total)}, the sum over ${rows.length} paths from ${w} to ${r}`;
  sentence += sameResult(total, gradient) ? ", as backward() finds" : `; but backward() finds ${fmt(gradient)}`;
  return {rows, total, gradient, sentence, tooMany: false};
}

// ---------------------------------------------------------------------------------------------------------
// modes: what a step of each kind is, says and shows. A mode is {kind, title, legend, steps, sentence, paint};
// sentence and paint also get the page (the quiz lives there). The page strings modes together.

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
  quiz: {
    kind: "quiz",
    title: (graph) => `Predict, then reveal: each number of the backward pass before it is shown`,
    legend: "Type the number asked, then Check (or Enter): it is checked to 0.1 %, coloured and revealed on " +
      "the graph. “?” marks what is not revealed yet; Reveal gives a question up.",
    steps: (graph, result) => result.backwardSteps.map((step) => ({...step, kind: "quiz"})),
    sentence: (graph, result, step, page) => quizSentence(graph, step, page),
    paint: (view, graph, result, state, page) => view.paintBackward(graph, result, state, quizMask(state, page.quiz)),
  },
  tangent: {
    kind: "forward mode",
    title: (graph, result) => `Forward mode: ∂node/∂${graph.nodes[result.leaf].term} for every node, from ` +
      `${graph.nodes[result.leaf].name} to ${graph.nodes[graph.root].name}`,
    legend: "Green outline: the input we vary (tangent 1). Yellow: the node whose tangent is computed now, " +
      "Σ local × tangent of its inputs (on its edges). Blue outline: the inputs it reads. Dashed grey: not yet.",
    steps: (graph, result) => tangentSteps(graph, result),
    sentence: (graph, result, step) => tangentSentence(graph, result, step),
    paint: (view, graph, result, state) => view.paintTangent(graph, result, state),
  },
  path: {
    kind: "paths",
    title: (graph, result) => `Every path from ${graph.nodes[result.leaf].name} to ${graph.nodes[graph.root].name}: ` +
      `the product of its local gradients; the products add up to the gradient`,
    legend: "Bold: the path shown (step through them, or hover one in the list). Green outline: the input. " +
      "Each edge shows its local gradient.",
    steps: (graph, result) => {
      result.paths = pathTable(graph, result, graph.pathLimit);
      const rows = result.paths.rows.length ? result.paths.rows.map((_, k) => k) : [null];
      return rows.map((path) => ({kind: "path", node: result.leaf, path}));
    },
    sentence: (graph, result, step) => pathSentence(result, step),
    paint: (view, graph, result, state) => view.paintPath(graph, result, state.step.path),
  },
};

function quizMask(state, quiz) {
  // what the quiz hides at this step: locals and products not answered yet, "?" on the input being asked
  const grads = new Map(), asking = quiz.question;
  if (state.step.contributions) {
    for (const c of state.step.contributions) {
      const done = ["local", "product", "total"].every((kind) => quiz.shown(state.step.node, c.slot, kind));
      const now = asking && asking.step === state.index && asking.node === state.step.node && asking.slot === c.slot;
      grads.set(c.parent, done ? fmt(c.after) : now ? "?" : grads.get(c.parent) ?? fmt(c.before));
    }
  }
  return {grads, shown: (node, slot, kind) => quiz.shown(node, slot, kind)};
}

function quizSentence(graph, step, page) {
  // the step's sentence once every question on it is answered; until then the answers revealed so far
  const quiz = page.quiz, asked = quiz.questions.filter((q) => q.step === page.index);
  const answered = asked.filter((q) => quiz.questions.indexOf(q) < quiz.position);
  if (answered.length === asked.length) return backwardSentence(graph, step);
  return answered.length ? answered.map((q) => q.reveal).join("; ")
    : "Predict the number asked below before it is revealed.";
}

function pathSentence(result, step) {
  const table = result.paths;
  if (step.path === null) return table.sentence;
  const row = table.rows[step.path];
  return `${row.route}: ${row.factors} = ${fmt(row.product)}\n${table.sentence}`;
}

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
      this.values[i] = {g, data: find("data "), grad: find("grad "), text: constant ? texts[texts.length - 1] : null,
        role: null};
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

  paintNode(i, data, grad, pending, role, gradName = "grad") {
    const v = this.values[i];
    if (!v) return;
    if (v.text) this.write(v.text, data);
    this.write(v.data, data === "" ? "" : `data ${data}`);
    this.write(v.grad, grad === "" ? "" : `${gradName} ${grad}`);
    this.mark(v.g, "pending", pending);
    if (v.role !== role) { // current, receiving, reading, seed, on-path or none: only a change touches classes
      if (v.role) v.g.classList.remove(v.role);
      if (role) v.g.classList.add(role);
      v.role = role;
    }
    if (this.ops[i]) {
      this.mark(this.ops[i], "pending-op", pending);
      this.mark(this.ops[i], "current-op", role === "current");
    }
  }

  writeLines(el, text) {
    // "local × g = product" on two lines, "= product" under the factors: half as wide over its edge; two
    // long factors, (−8.3e−07) × (−5483), go on lines of their own, as wide as the number laid out for
    if (!el || this.cache.get(el) === text) return;
    const cut = text.lastIndexOf(" = "), times = text.indexOf(" × ");
    const lines = cut > 14 && times > 0 ? [text.slice(0, times + 1), text.slice(times + 1, cut + 1), text.slice(cut + 1)]
      : [text.slice(0, cut + 1), text.slice(cut + 1)];
    el.textContent = "";
    lines.forEach((line, k) => { // textContent stays the whole text
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

  paintBackward(graph, result, state, mask = null) {
    // mask (the quiz): {grads: Map(node -> text), shown(node, slot, kind)}: what is not revealed shows "?"
    const step = state.step, receiving = new Set(step.contributions.map((c) => c.parent));
    const products = new Map(step.contributions.map((c) => [c.slot, c]));
    const shown = (i, slot, kind) => !mask || mask.shown(i, slot, kind);
    graph.nodes.forEach((node, i) => {
      const role = i === step.node ? "current" : receiving.has(i) ? "receiving" : null;
      const grad = mask && mask.grads.has(i) ? mask.grads.get(i) : fmt(state.grads[i]);
      this.paintNode(i, fmt(result.data[i]), grad, !state.final[i], role);
      node.parents.forEach((_, slot) => {
        const c = i === step.node ? products.get(slot) : null;
        if (!c && !mask) return this.paintEdge(i, slot, fmt(result.locals[i][slot]), false);
        const local = result.locals[i][slot];
        const localText = shown(i, slot, "local") ? (c ? factor(local) : fmt(local)) : "?";
        const text = c ? `${localText} × ${factor(step.g)} = ${shown(i, slot, "product") ? fmt(c.product) : "?"}` : localText;
        this.paintEdge(i, slot, text, Boolean(c));
      });
    });
  }

  paintTangent(graph, result, state) {
    // forward mode: tangents known up to the current node; its input edges show local × tangent = product
    const step = state.step, reading = new Set(graph.nodes[step.node].parents), t = result.tangents;
    const w = graph.nodes[result.leaf].term, gradName = w.length <= 3 ? `∂/∂${w}` : "tangent";
    graph.nodes.forEach((node, i) => {
      const known = i <= step.node;
      const role = i === step.node ? "current" : reading.has(i) ? "reading" : i === result.leaf ? "seed" : null;
      this.paintNode(i, fmt(result.data[i]), known ? fmt(t[i]) : "?", !known, role, gradName);
      node.parents.forEach((_, slot) => {
        const term = i === step.node ? step.terms[slot] : null;
        const text = term ? `${factor(term.local)} × ${factor(term.tangent)} = ${fmt(term.product)}` : fmt(result.locals[i][slot]);
        this.paintEdge(i, slot, text, Boolean(term));
      });
    });
  }

  paintPath(graph, result, k) {
    // paths: every number final; the path k (or none) bold, everything else faded
    const row = k === null ? null : result.paths.rows[k], onPath = new Set(row ? row.nodes : []);
    const edges = new Set(row ? row.slots.map((slot, j) => `${row.nodes[j + 1]}:${slot}`) : []);
    graph.nodes.forEach((node, i) => {
      const role = i === result.leaf ? "seed" : onPath.has(i) ? "on-path" : null;
      this.paintNode(i, fmt(result.data[i]), fmt(result.grads[i]), false, role);
      this.mark(this.values[i]?.g, "off-path", Boolean(row) && !onPath.has(i));
      this.mark(this.ops[i], "off-path", Boolean(row) && !onPath.has(i));
      node.parents.forEach((_, slot) => {
        const on = edges.has(`${i}:${slot}`), e = this.edges[i][slot];
        this.paintEdge(i, slot, fmt(result.locals[i][slot]), false);
        if (e) { this.mark(e.g, "on-path", on); this.mark(e.g, "off-path", Boolean(row) && !on); }
        if (on && e) e.g.parentNode.appendChild(e.g);
      });
    });
  }

  clearPath() {
    // leaving paths mode: nothing faded
    for (const g of this.svg.querySelectorAll(".off-path, .on-path")) g.classList.remove("off-path", "on-path");
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
    this.x += v.left + v.width / 2 - (r.left + r.width / 2);
    this.y += v.top + v.height / 2 - (r.top + r.height / 2);
    this.clamp();
    this.apply();
  }

  clamp() {
    // centring a node near the graph's edge must not leave empty room where more of the graph would fit
    const w = this.viewport.clientWidth, h = this.viewport.clientHeight;
    const within = (at, size, room) => (size + 16 <= room ? at : Math.min(8, Math.max(room - size - 8, at)));
    this.x = within(this.x, this.width * this.scale, w);
    this.y = within(this.y, this.height * this.scale, h);
  }
}

// ---------------------------------------------------------------------------------------------------------
// the page: controls around the view, the state machine (leaf values -> result -> step -> paint), the API

const CONTROLS = `
<header class="cr-bar">
  <div class="cr-top">
    <h1 class="cr-title"></h1>
    <div class="cr-modes" role="group" aria-label="mode">
      <button type="button" class="cr-mode" data-mode="steps" title="step through the forward and backward passes">Step through</button><button type="button" class="cr-mode" data-mode="quiz" title="predict each number of the backward pass before it is shown">Quiz</button><button type="button" class="cr-mode" data-mode="tangents" title="step tangents forward from one input">Forward mode</button><button type="button" class="cr-mode" data-mode="paths" title="every path from one input to the output, with its product">Paths</button>
      <label class="cr-leaf-label">from <select class="cr-leaf" aria-label="the input forward mode and the paths start from"></select></label>
    </div>
  </div>
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
  <aside class="cr-paths" hidden><h2 class="cr-paths-title"></h2><p class="cr-paths-sum"></p><button type="button" class="cr-to-forward" hidden>Forward mode</button><ol class="cr-path-list"></ol></aside>
  <aside class="cr-inputs" hidden><h2>Inputs</h2><p class="cr-hint">Type a value or drag; every number updates.</p><div class="cr-input-list"></div></aside>
</div>
<footer class="cr-foot">
  <div class="cr-pass"><span class="cr-kind"></span> <span class="cr-pass-title"></span></div>
  <p class="cr-sentence"></p>
  <div class="cr-quiz" hidden>
    <p class="cr-quiz-prompt"></p>
    <div class="cr-quiz-row">
      <input type="text" class="cr-quiz-answer" size="12" aria-label="your answer" placeholder="your answer">
      <button type="button" class="cr-quiz-check">Check</button><button type="button" class="cr-quiz-reveal" title="give this one up: it is shown and counts as wrong">Reveal</button>
      <span class="cr-quiz-score"></span>
    </div>
    <p class="cr-quiz-verdict"></p>
  </div>
  <p class="cr-warning" hidden></p>
  <p class="cr-legend"></p>
</footer>`;

const HELP = " Click a node to jump to its step; click an input's number to change it; drag to pan, wheel to zoom.";
const PICK = " Click an input (or pick it above) to start from it; click its number to change it; drag to pan.";

// the narrowest graph beside the paths' list (a notebook's output is ~850 px: list and inputs would leave 290)
const MIN_GRAPH_WIDTH = 400;
// the modes a learner picks in the bar: which kinds of step each strings together
const LEARNER_MODES = {
  steps: {kinds: (page) => page.stepKinds, help: HELP, counter: "Step"},
  quiz: {kinds: () => ["quiz"], help: HELP, counter: "Step"},
  tangents: {kinds: () => ["tangent"], help: PICK, counter: "Step"},
  paths: {kinds: () => ["path"], help: PICK, counter: "Path"},
};

export class Page {
  constructor(root, data, svgText, options = {}) {
    this.root = root;
    this.graph = new Graph(data);
    this.stepKinds = options.modes || (this.graph.forward ? ["forward", "backward"] : ["backward"]);
    this.onChange = options.onChange || (() => {});
    this.leaves = this.graph.initial.slice();
    this.index = 0;
    this.timer = null;
    this.collapsed = new Set();
    this.mode = "steps";
    this.inputsOnly = this.graph.nodes.map((n, i) => i).filter((i) => this.graph.isLeaf(i) && !this.graph.nodes[i].constant);
    this.leaf = this.inputsOnly.length ? this.inputsOnly[0] : this.graph.root;
    this.build(svgText);
    this.setMode(data.mode || "steps", data.leaf ?? undefined, true);
    this.camera.start(this.view.values[this.result.steps[this.index].node]?.g);
  }

  /** Switch to a learner mode ("steps", "quiz", "tangents", "paths"), from the input `leafName` if given. */
  setMode(mode, leafName, quiet = false) {
    if (!(mode in LEARNER_MODES)) {
      throw new Error(`mode ${JSON.stringify(mode)}: no such mode; pick one of ${Object.keys(LEARNER_MODES).join(", ")}`);
    }
    if (leafName !== undefined && leafName !== null) this.leaf = this.leafIndex(leafName);
    this.pause();
    const width = this.$("cr-viewport").clientWidth;
    this.mode = mode;
    this.view.clearPath();
    this.root.dataset.mode = mode;
    this.root.querySelectorAll(".cr-mode").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.mode === mode)));
    this.$("cr-leaf").value = String(this.leaf);
    this.$("cr-quiz").hidden = mode !== "quiz";
    this.$("cr-paths").hidden = mode !== "paths";
    const room = this.$("cr-viewport").clientWidth;  // 0 while a notebook output is not on screen yet
    if (mode === "paths" && room && room < MIN_GRAPH_WIDTH) this.$("cr-inputs").hidden = true; // Inputs shows them
    this.recompute();
    this.go(mode === "tangents" ? this.leaf + 1 : 1);
    if (!quiet && this.$("cr-viewport").clientWidth !== width) { // the paths' list opened or closed: fit again
      this.camera.start(this.view.values[this.result.steps[this.index].node]?.g);
    }
    if (!quiet) this.onChange(this);
    return mode;
  }

  leafIndex(name) {
    const i = this.graph.byName.get(name);
    if (i === undefined || !this.inputsOnly.includes(i)) {
      const names = this.inputsOnly.map((j) => this.graph.nodes[j].name);
      throw new Error(`${JSON.stringify(name)} is not an input of this graph; the inputs are ${names.join(", ")}`);
    }
    return i;
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
    const select = this.$("cr-leaf");
    this.inputsOnly.forEach((i) => select.add(new Option(this.graph.nodes[i].name, String(i))));
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
    this.root.querySelectorAll(".cr-mode").forEach((b) => b.addEventListener("click", () => this.setMode(b.dataset.mode)));
    on("cr-leaf", "change", (e) => this.setMode(this.mode, this.graph.nodes[Number(e.target.value)].name));
    on("cr-quiz-check", "click", () => this.check());
    on("cr-quiz-reveal", "click", () => this.giveUp());
    on("cr-quiz-answer", "keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter") this.check();
    });
    on("cr-to-forward", "click", () => this.setMode("tangents"));
    this.wirePaths();
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
    } else if (i !== null && this.graph.isLeaf(i) && (this.mode === "tangents" || this.mode === "paths") &&
               this.inputsOnly.includes(i)) {
      this.setMode(this.mode, this.graph.nodes[i].name); // start forward mode or the paths from this input
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
    this.result = evaluate(this.graph, this.leaves, LEARNER_MODES[this.mode].kinds(this), this.leaf);
    if (this.mode === "quiz") this.startQuiz();
    if (this.mode === "paths") this.listPaths();
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

  /** The last step the page may show: in a quiz, the step of the question being asked. */
  get reachable() {
    if (this.mode !== "quiz" || this.quiz.done) return this.steps;
    return this.quiz.question.step + 1;
  }

  /** Show step i (1-based; clamped to 1 .. steps, and in a quiz to the question being asked). */
  go(i) {
    this.index = Math.min(Math.max(Math.round(i) || 1, 1), this.reachable) - 1;
    const state = stateAt(this.graph, this.result, this.index), mode = MODES[state.step.kind];
    mode.paint(this.view, this.graph, this.result, state, this);
    this.$("cr-counter").textContent = `${LEARNER_MODES[this.mode].counter} ${this.index + 1} / ${this.steps}`;
    this.$("cr-slider").value = String(this.index + 1);
    this.$("cr-kind").textContent = mode.kind;
    this.$("cr-pass-title").textContent = mode.title(this.graph, this.result);
    this.$("cr-sentence").textContent = mode.sentence(this.graph, this.result, state.step, this);
    this.$("cr-legend").textContent = mode.legend + LEARNER_MODES[this.mode].help;
    this.root.dataset.kind = state.step.kind;
    this.$("cr-prev").disabled = this.$("cr-first").disabled = this.index === 0;
    this.$("cr-next").disabled = this.$("cr-last").disabled = this.index >= this.reachable - 1;
    if (this.mode === "quiz") this.showQuiz();
    if (this.mode === "paths") this.markPath(state.step.path);
    this.showErrors();
    this.camera.follow(this.view.values[state.step.node]?.g);
    if (this.index >= this.reachable - 1) this.pause();
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

  // --- the quiz: one Quiz per set of leaf values; the view never runs ahead of the question asked

  startQuiz() {
    this.quiz = new Quiz(this.graph, this.result);
    this.verdict("", null);
  }

  showQuiz() {
    const quiz = this.quiz, q = quiz.question, here = q && q.step === this.index;
    const field = this.$("cr-quiz-answer");
    this.$("cr-quiz-score").textContent = `score ${quiz.score} / ${quiz.position} (${quiz.questions.length} questions)`;
    this.$("cr-quiz-prompt").textContent = quiz.done
      ? `Done: ${quiz.score} of ${quiz.questions.length} right. Every step is revealed; step back through them, or pick Quiz again.`
      : here ? `Question ${quiz.position + 1} / ${quiz.questions.length}: ${q.prompt}`
      : `This step is revealed. Next ▶ (or Check) goes on to question ${quiz.position + 1}.`;
    field.disabled = this.$("cr-quiz-reveal").disabled = quiz.done;
    this.$("cr-quiz-check").disabled = quiz.done;
    this.$("cr-quiz-check").textContent = here || quiz.done ? "Check" : "Next question";
  }

  verdict(text, right) {
    const el = this.$("cr-quiz-verdict");
    el.textContent = text;
    this.mark(el, "cr-right", right === true);
    this.mark(el, "cr-wrong", right === false);
  }

  mark(el, cls, on) {
    el.classList.toggle(cls, on);
  }

  check() {
    // the Check button and Enter: answer the question shown, or move on to the next question's step
    const quiz = this.quiz, field = this.$("cr-quiz-answer");
    if (quiz.done) return;
    if (quiz.question.step !== this.index) { this.go(quiz.question.step + 1); field.focus(); return; }
    try {
      this.answer(field.value);
      field.value = "";
      this.mark(field, "cr-invalid", false);
    } catch (e) {
      this.mark(field, "cr-invalid", true);
      this.verdict(e.message.replace(/^answer: /, ""), false);
    }
  }

  /** Answer the quiz's current question (a number or text like "−2", "1/4"); true when right. */
  answer(value) {
    if (this.mode !== "quiz") throw new Error("answer(): the quiz is off; quiz(true) starts it");
    if (!this.quiz.done) this.go(this.quiz.question.step + 1);
    const v = this.quiz.answer(value);
    this.afterVerdict(v);
    return v.right;
  }

  /** Give the current question up: revealed, counted wrong. */
  giveUp() {
    if (this.mode !== "quiz" || this.quiz.done) return null;
    this.go(this.quiz.question.step + 1);
    const v = this.quiz.reveal();
    this.afterVerdict(v);
    return v;
  }

  afterVerdict(v) {
    this.verdict(v.sentence, v.given === null ? null : v.right);
    this.go(this.index + 1); // the same step, now with this answer revealed
    this.onChange(this);
  }

  /** The quiz as data: position, score, the question asked (without its answer), every verdict. */
  quizState() {
    if (this.mode !== "quiz") return {on: false};
    const q = this.quiz, ask = q.question;
    return {on: true, position: q.position, score: q.score, asked: q.position, total: q.questions.length, done: q.done,
      question: ask && {kind: ask.kind, step: ask.step + 1, prompt: ask.prompt},
      verdicts: q.verdicts.map((v) => ({right: v.right, given: v.given, sentence: v.sentence}))};
  }

  // --- paths: the list beside the graph; hovering a row shows that path

  wirePaths() {
    const list = this.$("cr-path-list");
    const row = (e) => e.target.closest && e.target.closest("li[data-path]");
    list.addEventListener("mouseover", (e) => row(e) && this.highlightPath(Number(row(e).dataset.path)));
    list.addEventListener("mouseleave", () => this.go(this.index + 1));
    list.addEventListener("click", (e) => row(e) && this.go(Number(row(e).dataset.path) + 1));
  }

  listPaths() {
    const table = this.result.paths, list = this.$("cr-path-list"), nodes = this.graph.nodes;
    this.$("cr-paths-title").textContent = `${table.tooMany ? "Too many paths" : `${table.rows.length} path${table.rows.length === 1 ? "" : "s"}`}` +
      ` from ${nodes[this.leaf].name} to ${nodes[this.graph.root].name}`;
    this.$("cr-paths-sum").textContent = table.sentence;
    this.$("cr-to-forward").hidden = !table.tooMany;
    list.textContent = "";
    const fragment = document.createDocumentFragment();
    table.rows.forEach((row, k) => {
      const li = document.createElement("li");
      li.dataset.path = k;
      li.innerHTML = '<span class="cr-route"></span> <span class="cr-product"></span>';
      li.firstChild.textContent = row.route;
      li.lastChild.textContent = `${row.factors} = ${fmt(row.product)}`;
      fragment.appendChild(li);
    });
    list.appendChild(fragment);
    this.shownPath = null;
  }

  markPath(k) {
    // the list row of the path on the graph
    const list = this.$("cr-path-list");
    if (this.shownPath !== null && this.shownPath !== undefined) list.children[this.shownPath]?.classList.remove("cr-shown");
    this.shownPath = k;
    if (k !== null) {
      const li = list.children[k];
      li?.classList.add("cr-shown");
      if (li && (li.offsetTop < list.scrollTop || li.offsetTop > list.scrollTop + list.clientHeight - li.offsetHeight)) {
        list.scrollTop = li.offsetTop - list.clientHeight / 2;
      }
    }
  }

  /** Show path k (0-based) on the graph, as hovering its row does; returns the names of its nodes. */
  highlightPath(k) {
    const row = this.mode === "paths" && this.result.paths.rows[k];
    if (!row) throw new Error(`highlightPath(${k}): ${this.mode === "paths" ? `there are ${this.result.paths.rows.length} paths` : "paths(leaf) shows the paths first"}`);
    this.view.paintPath(this.graph, this.result, k);
    this.markPath(k);
    this.$("cr-sentence").textContent = pathSentence(this.result, {path: k});
    return row.nodes.map((i) => this.graph.nodes[i].name);
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
      get mode() { return page.mode; },
      setMode: (mode, leaf) => page.setMode(mode, leaf),
      quiz: (on = true) => (page.setMode(on ? "quiz" : "steps"), page.quizState()),
      answer: (value) => page.answer(value),
      reveal: () => page.giveUp()?.sentence ?? null,
      quizState: () => page.quizState(),
      forward: (leaf) => {
        page.setMode("tangents", leaf ?? null);
        const r = page.result;
        return {leaf: page.graph.nodes[page.leaf].name, steps: page.steps, tangent: r.tangents[page.graph.root],
          gradient: r.grads[page.leaf]};
      },
      paths: (leaf) => {
        page.setMode("paths", leaf ?? null);
        const table = page.result.paths;
        return table.tooMany ? null : table.rows.map((row) => ({route: row.route, factors: row.factors,
          product: row.product, nodes: row.nodes.map((i) => page.graph.nodes[i].name)}));
      },
      pathSum: () => (page.mode === "paths" ? {total: page.result.paths.total, gradient: page.result.paths.gradient,
        sentence: page.result.paths.sentence} : null),
      highlightPath: (k) => page.highlightPath(k),
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

// the widget's own bar: type an expression and its leaf values; Python parses it and sends a new graph
const EXPRESSION_BAR = `
<div class="cr-expression">
  <label>expression <input type="text" class="cr-expression-text" size="32" placeholder="sigmoid(w*x + b)" spellcheck="false"></label>
  <label>at <input type="text" class="cr-expression-at" size="18" placeholder="w=-2, x=5, b=3" spellcheck="false"></label>
  <button type="button" class="cr-expression-draw">Draw</button>
  <span class="cr-expression-error" role="alert"></span>
</div>`;

function widgetData(model) {
  // the graph as Python sent it, opening in the mode and from the input the model holds (when it has it)
  const graph = model.get("graph"), leaf = model.get("leaf");
  const known = leaf && graph.nodes.some((n) => n.name === leaf && !n.parents);
  return {...graph, mode: model.get("mode") || graph.mode || "steps", leaf: known ? leaf : null};
}

function wireExpressionBar(bar, model) {
  // Draw (or Enter) sends {expression, at, n} to Python; n changes each time, so the same text can be sent again
  const text = bar.querySelector(".cr-expression-text"), at = bar.querySelector(".cr-expression-at");
  const typed = model.get("expression") || {};
  text.value = typed.expression || "";
  at.value = typed.at || "";
  let sent = 0;
  const send = () => {
    model.set("expression", {expression: text.value, at: at.value, n: ++sent});
    model.save_changes();
  };
  bar.querySelector(".cr-expression-draw").addEventListener("click", send);
  [text, at].forEach((field) => field.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter") send();
  }));
  const error = bar.querySelector(".cr-expression-error");
  const showError = () => { error.textContent = model.get("error") || ""; };
  showError();
  model.on("change:error", showError);
}

function toPython(model, page) {
  // what the learner did, for Python: leaf values, step, mode, the input picked, the quiz's score
  model.set("leaves", page.leafValues());
  model.set("step", page.index + 1);
  model.set("mode", page.mode);
  model.set("leaf", page.graph.nodes[page.leaf].name);
  const quiz = page.quizState();
  model.set("score", quiz.on ? {score: quiz.score, asked: quiz.asked, total: quiz.total} : {});
  model.save_changes();
}

/** Python's leaf values and step, into the page. */
function fromPython(model, page) {
  const leaves = model.get("leaves") || {};
  Object.entries(leaves).forEach(([name, value]) => {
    const i = page.graph.byName.get(name);
    if (i !== undefined) page.leaves[i] = decode(value);
  });
  page.recompute();
  page.go(model.get("step") || page.index + 1);
}

/** A Page in `host` for the graph Python sent, in place of `shown` ({page, root}, or null at first): returns
 *  the new {page, root}. At first, and each time a typed expression is drawn. */
function mountWidgetPage(host, model, shown) {
  if (shown) {
    shown.page.pause();
    shown.root.remove();
  }
  const root = document.createElement("div");
  root.className = "cr-widget";
  root.tabIndex = 0;
  host.appendChild(root);
  const page = new Page(root, widgetData(model), model.get("svg"), {onChange: (p) => toPython(model, p)});
  fromPython(model, page);
  const stepToPython = () => { model.set("step", page.index + 1); model.save_changes(); };
  root.addEventListener("click", stepToPython);
  root.addEventListener("keyup", stepToPython);
  return {page, root};
}

function render({model, el}) {
  const host = document.createElement("div");
  host.className = "cr-host";
  host.innerHTML = EXPRESSION_BAR;
  el.appendChild(host);
  wireExpressionBar(host.querySelector(".cr-expression"), model);
  let shown = mountWidgetPage(host, model, null);
  model.on("change:graph", () => { shown = mountWidgetPage(host, model, shown); });
  model.on("change:leaves", () => fromPython(model, shown.page));
  model.on("change:step", () => shown.page.go(model.get("step")));
  model.on("change:mode", () => model.get("mode") !== shown.page.mode && shown.page.setMode(model.get("mode")));
  model.on("change:leaf", () => {
    const page = shown.page, leaf = model.get("leaf");
    if (leaf && leaf !== page.graph.nodes[page.leaf].name) page.setMode(page.mode, leaf);
  });
  return () => shown.page.pause();
}

export default {render};

if (typeof document !== "undefined" && document.getElementById("chainrule-data")) mountStandalone();
