// chainrule's layer view: Algorithms 6.3 and 6.4 one line at a time, beside the scalar graph (viz/layers.py).
//
// Python computes every number, numpy's and the scalar graph's, and writes it as viz.notation.fmt does; this
// script only shows them. Left: both algorithms with the current line lit and the layer k beside its loop.
// Right: that line with the layer's numbers, its operands and result as small tables, then the same result
// read off the scalar graph's nodes (data forward, grad backward) with ✓ and the largest difference.
// `window.chainrule_layers` has `steps`, `go(i)` (1-based) and `current()` (what is on screen).

/** A new element with a class and text, appended to parent when given. */
function el(tag, className = "", text = "", parent = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

/** A named table of numbers, "name = (rows)": a vector is one column, as the book writes it. `titles`
 * (same shape) go on the cells as tooltips; `extra` is a class for the whole figure. */
function matrix(table, parent, titles = null, extra = "") {
  const figure = el("div", "crl-figure" + (extra ? " " + extra : ""), "", parent);
  el("span", "crl-name", table.name + " =", figure);
  const grid = el("table", "crl-matrix", "", figure);
  table.rows.forEach((row, r) => {
    const tr = el("tr", "", "", grid);
    row.forEach((cell, c) => {
      const td = el("td", "", cell, tr);
      if (titles) td.title = titles[r][c];
    });
  });
  return figure;
}

/** The rows of numbers a table on screen shows, as text. */
function readTable(figure) {
  return [...figure.querySelectorAll("tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
}

class LayersPage {
  constructor(holder, data) {
    this.data = data;
    this.index = 0;
    holder.textContent = "";
    this.root = el("div", "crl-root", "", holder);
    this.buildBar();
    const main = el("div", "crl-main", "", this.root);
    this.buildAlgorithm(main);
    this.panel = el("section", "crl-step", "", main);
    document.addEventListener("keydown", (event) => this.key(event));
    this.go(1);
  }

  buildBar() {
    const bar = el("header", "crl-bar", "", this.root);
    el("h1", "crl-title", this.data.title, bar);
    el("p", "crl-subtitle", this.data.subtitle, bar);
    const controls = el("div", "crl-controls", "", bar);
    this.prev = el("button", "crl-prev", "◀ Previous", controls);
    this.next = el("button", "crl-next", "Next ▶", controls);
    this.counter = el("span", "crl-counter", "", controls);
    el("span", "crl-hint", "keys: ← → step, Home / End", controls);
    this.prev.addEventListener("click", () => this.go(this.index));
    this.next.addEventListener("click", () => this.go(this.index + 2));
  }

  buildAlgorithm(main) {
    const aside = el("aside", "crl-algorithm", "", main);
    this.lines = this.data.algorithm.map((line) => {
      const div = el("div", line.id === null ? "crl-heading" : "crl-line", "", aside);
      div.dataset.id = line.id ?? "";
      div.style.paddingLeft = `${line.indent * 1.4 + 0.4}rem`;
      el("span", "crl-code", line.text, div);
      div.note = el("span", "crl-k", "", div);
      return div;
    });
  }

  key(event) {
    const moves = {ArrowRight: this.index + 2, ArrowLeft: this.index, Home: 1, End: this.data.steps.length};
    if (!(event.key in moves) || event.target.tagName === "INPUT") return;
    event.preventDefault();
    this.go(moves[event.key]);
  }

  /** Show step i (1-based, clamped to the steps there are). */
  go(i) {
    const count = this.data.steps.length;
    this.index = Math.min(Math.max(Math.round(i) || 1, 1), count) - 1;
    const step = this.data.steps[this.index];
    this.counter.textContent = `Step ${this.index + 1} / ${count}`;
    this.prev.disabled = this.index === 0;
    this.next.disabled = this.index === count - 1;
    this.root.dataset.kind = step.kind;
    this.light(step);
    this.showStep(step);
    return this.current();
  }

  /** Light the step's line of the algorithm (the first of its id in its algorithm) and note k on its loop. */
  light(step) {
    const start = this.data.algorithm.findIndex((line) => line.text.startsWith(`Algorithm ${step.algorithm}`));
    let loop = null;
    this.lines.forEach((div) => { div.classList.remove("crl-current"); div.note.textContent = ""; });
    for (let i = start + 1; i < this.lines.length && this.data.algorithm[i].id !== null; i++) {
      if (this.data.algorithm[i].id === "for") loop = this.lines[i];
      if (this.data.algorithm[i].id !== step.id) continue;
      this.lines[i].classList.add("crl-current");
      const inLoop = loop && this.data.algorithm[i].indent > 1;
      if (inLoop) loop.note.textContent = `k = ${step.k}`;
      break;
    }
  }

  showStep(step) {
    const panel = this.panel;
    panel.textContent = "";
    const where = step.kind === "grad" ? "backward" : "forward";
    const layer = step.k === null ? "the loss" : `k = ${step.k}`;
    el("div", "crl-where", `Algorithm ${step.algorithm} · ${where} · ${layer}`, panel);
    el("div", "crl-formula", step.line, panel);
    const tables = el("div", "crl-tables", "", panel);
    step.operands.forEach((table) => matrix(table, tables, null, "crl-operand"));
    if (step.operands.length) el("span", "crl-arrow", "⇒", tables);
    matrix(step.result, tables, null, "crl-result");
    const check = el("div", "crl-check", "", panel);
    const when = step.kind === "grad" ? "after backward()" : "in the forward pass";
    el("div", "crl-check-title", `Read off the scalar graph ${when}: the ${step.kind} of each node`, check);
    const pair = el("div", "crl-tables", "", check);
    matrix({name: "nodes", rows: step.engine.nodes}, pair, null, "crl-nodes");
    matrix({name: step.kind, rows: step.engine.rows}, pair, step.engine.nodes, "crl-engine");
    const verdict = step.ok ? "✓" : "✗";
    el("div", step.ok ? "crl-verdict crl-ok" : "crl-verdict crl-bad",
       `${verdict} numpy and the scalar graph agree: max |difference| = ${step.error}`, check);
  }

  /** What is on screen: the step, the lit line, the tables (name and rows of text) and the check. */
  current() {
    const panel = this.panel, lit = this.root.querySelector(".crl-line.crl-current");
    const tables = (selector) => [...panel.querySelectorAll(selector)].map((figure) => ({
      name: figure.querySelector(".crl-name").textContent.replace(/ =$/, ""), rows: readTable(figure)}));
    return {
      step: this.index + 1,
      where: panel.querySelector(".crl-where").textContent,
      line: panel.querySelector(".crl-formula").textContent,
      lit: lit ? lit.querySelector(".crl-code").textContent : null,
      k: [...this.root.querySelectorAll(".crl-k")].map((span) => span.textContent).join(""),
      operands: tables(".crl-operand"),
      result: tables(".crl-result")[0],
      engine: tables(".crl-engine")[0],
      nodes: tables(".crl-nodes")[0].rows,
      verdict: panel.querySelector(".crl-verdict").textContent,
    };
  }
}

function mount() {
  const holder = document.getElementById("chainrule-layers");
  const data = JSON.parse(document.getElementById("chainrule-layers-data").textContent);
  const page = new LayersPage(holder, data);
  window.chainrule_layers = {
    get steps() { return data.steps.length; },
    go: (i) => page.go(i),
    current: () => page.current(),
  };
}

mount();
