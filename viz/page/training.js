// chainrule's training view: a training run drawn from its snapshots (viz/training.py makes them).
//
// Python trains; this script only draws. One snapshot holds the step, the cost and accuracy, the decision
// boundary (per grid cell the class and how sure, one byte each, base64) and every layer's weights, biases and
// per-unit mean |gradient|. Three panels: the boundary with the data points, the cost (log scale) and accuracy
// curves up to the snapshot's step, and the network (edge width and colour by weight, unit fill by |gradient|).
// It is an ES module like page.js: the standalone page mounts itself and scrubs through the recorded
// snapshots; the Jupyter widget (anywidget) imports the same file and gets a new snapshot as training goes,
// its play, pause and step buttons sent back to Python, which trains.

const SVG = "http://www.w3.org/2000/svg";
const MINUS = "\u2212";
const POSITIVE = "#2563eb", NEGATIVE = "#ea580c";  // edge colours: weight > 0, weight < 0

/** x to `digits` significant digits (4 unless asked) with a real minus sign; "–" when there is no number. */
export function fmt(x, digits = 4) {
  if (x === null || x === undefined) return "–";
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return "0";
  const text = Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(digits)))
    : x.toExponential(digits - 1);
  return text.replace(/-/g, MINUS);
}

/** base64 text to its bytes. */
export function decode(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function el(tag, attrs = {}, parent = null, ns = null) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => (k === "text" ? (node.textContent = v) : node.setAttribute(k, v)));
  if (parent) parent.appendChild(node);
  return node;
}

const svgEl = (tag, attrs, parent) => el(tag, attrs, parent, SVG);

// ---------------------------------------------------------------------------------------------------------
// the three panels, each a function of (static data, snapshot, ...) that redraws its element

/** The boundary: each grid cell tinted by its class, stronger where the model is surer; the points on top. */
function drawBoundary(canvas, stat, shot) {
  const r = stat.resolution, classes = decode(shot.classes), sure = decode(shot.sure);
  const colors = stat.colors.map(rgb);
  const cells = document.createElement("canvas");
  cells.width = cells.height = r;
  const image = cells.getContext("2d").createImageData(r, r);
  for (let i = 0; i < r * r; i++) {
    const c = colors[classes[i] % colors.length], a = 0.12 + 0.5 * (sure[i] / 255);
    for (let j = 0; j < 3; j++) image.data[4 * i + j] = Math.round(255 * (1 - a) + c[j] * a);
    image.data[4 * i + 3] = 255;
  }
  cells.getContext("2d").putImageData(image, 0, 0);
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(cells, 0, 0, W, H);
  const [x0, x1, y0, y1] = stat.extent;
  for (let i = 0; i < stat.labels.length; i++) {
    const x = (stat.points[2 * i] - x0) / (x1 - x0) * W, y = (y1 - stat.points[2 * i + 1]) / (y1 - y0) * H;
    ctx.beginPath();
    ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = stat.colors[stat.labels[i] % stat.colors.length];
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#fff";
    ctx.stroke();
  }
}

/** Cost (log scale, top) and accuracy (0 … 1, bottom) over the steps, drawn up to `step`, with a marker there.
 *  Before the first step there is no curve: the frames, no ticks, "no step yet". */
function drawCurves(svg, curves, step) {
  svg.replaceChildren();
  const W = 270, H = 96, left = 48, gap = 22, n = curves.step.length;
  const last = n ? curves.step[n - 1] : 0;
  const positive = curves.cost.filter((c) => c > 0);
  const lo = positive.length ? Math.log10(Math.min(...positive)) : 0;
  const hi = positive.length ? Math.log10(Math.max(...positive)) : 0;
  const span = hi - lo || 1;
  // ticks to 2 digits: "4.6e−5" fits the 48 px left of the frame, where 4 digits would be cut off
  const panels = [
    {name: "cost (log)", y: (i) => (hi - Math.log10(Math.max(curves.cost[i], 1e-300))) / span, top: 4,
     ticks: [[fmt(10 ** hi, 2), 0], [fmt(10 ** lo, 2), 1]], color: "#b91c1c"},
    {name: "accuracy", y: (i) => 1 - curves.accuracy[i], top: 4 + H + gap, ticks: [["1", 0], ["0", 1]],
     color: "#15803d"},
  ];
  for (const panel of panels) {
    const g = svgEl("g", {transform: `translate(${left},${panel.top})`}, svg);
    svgEl("rect", {width: W, height: H, fill: "#f8fafc", stroke: "#e2e8f0"}, g);
    const ticks = n ? panel.ticks : [];
    ticks.forEach(([label, at]) => svgEl("text", {x: -4, y: at * H + 4, "text-anchor": "end", text: label}, g));
    svgEl("text", {x: 4, y: 11, text: panel.name}, g);
    const points = [];
    for (let i = 0; i < n && curves.step[i] <= step; i++) {
      points.push(`${(curves.step[i] / Math.max(last, 1) * W).toFixed(1)},${(panel.y(i) * H).toFixed(1)}`);
    }
    svgEl("polyline", {points: points.join(" "), fill: "none", stroke: panel.color, "stroke-width": 1.5,
                       class: "crt-line"}, g);
    const x = Math.max(0, step) / Math.max(last, 1) * W;  // step −1, before training, at the left edge
    svgEl("line", {x1: x, x2: x, y1: 0, y2: H, stroke: "#94a3b8", "stroke-dasharray": "3 2"}, g);
  }
  svgEl("text", {x: left + W, y: 2 * H + gap + 20, "text-anchor": "end", text: n ? `step ${last + 1}` : "no step yet"},
        svg);
}

/** Where unit j of a column of n units sits, in a box of height H. */
const unitY = (j, n, H) => (H * (j + 0.5)) / n;

/** The network: inputs, hidden units and outputs in columns, in order top to bottom (unit 0 first). */
function drawNetwork(svg, stat, shot) {
  svg.replaceChildren();
  const W = 400, H = 300, columns = stat.sizes.length;
  const longest = Math.max(0, ...stat.inputs.map((name) => name.length));
  const left = Math.max(36, 22 + 6.5 * longest); // room for the inputs' names (x1^2, sin x1) left of their circles
  const x = (l) => left + (l * (W - left - 24)) / (columns - 1);
  drawWeights(svgEl("g", {class: "crt-edges"}, svg), stat.sizes, shot.layers, x, H);
  drawUnits(svg, stat, shot.layers, x, H);
}

/** Every weight as a line: blue positive, red negative, width by |w| relative to the largest. */
function drawWeights(edges, sizes, layers, x, H) {
  const maxW = Math.max(1e-12, ...layers.flatMap((layer) => layer.W.map(Math.abs)));
  layers.forEach((layer, l) => {
    const nin = sizes[l], nout = sizes[l + 1];
    for (let i = 0; i < nin; i++) {
      for (let j = 0; j < nout; j++) {
        const w = layer.W[i * nout + j];
        const line = svgEl("line", {x1: x(l), y1: unitY(i, nin, H), x2: x(l + 1), y2: unitY(j, nout, H),
                                    stroke: w >= 0 ? POSITIVE : NEGATIVE, "stroke-opacity": 0.75,
                                    "stroke-width": (0.3 + 4.2 * Math.abs(w) / maxW).toFixed(2)}, edges);
        svgEl("title", {text: `W${l + 1}[${i},${j}] = ${fmt(w)}`}, line);
      }
    }
  });
}

/** Every unit as a circle: the inputs grey and named, the other units filled by their mean |gradient|. */
function drawUnits(svg, stat, layers, x, H) {
  const sizes = stat.sizes, columns = sizes.length;
  const maxG = Math.max(1e-300, ...layers.flatMap((layer) => layer.grad));
  const radius = Math.max(3, Math.min(10, H / (2.6 * Math.max(...sizes))));
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const unit = svgEl("circle", {cx: x(l), cy: unitY(j, n, H), r: radius, stroke: "#334155", "stroke-width": 1,
                                    class: l ? "crt-unit" : "crt-input"}, svg);
      if (l === 0) {
        unit.setAttribute("fill", "#e2e8f0");
        svgEl("title", {text: stat.inputs[j] || `x${j + 1}`}, unit);
        svgEl("text", {x: x(0) - radius - 2, y: unitY(j, n, H) + 3, "text-anchor": "end", text: stat.inputs[j] || ""},
              svg);
        continue;
      }
      const layer = layers[l - 1], g = layer.grad[j];
      // fill by |gradient| on a log scale: white at 1e-4 of the largest or less, red at the largest
      const t = g > 0 ? Math.max(0, Math.min(1, 1 + Math.log10(g / maxG) / 4)) : 0;
      unit.setAttribute("fill", `rgb(255,${Math.round(255 - 200 * t)},${Math.round(255 - 200 * t)})`);
      if (l === columns - 1 && stat.classes > 1 && n > 1) unit.setAttribute("stroke", stat.colors[j % stat.colors.length]);
      svgEl("title", {text: `layer${l} unit ${j}: b = ${fmt(layer.b[j])}, mean |grad| = ${fmt(g)}`}, unit);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// the view: controls and panels; `go(i)` shows snapshot i

export class TrainingPage {
  constructor(holder, data, {send = null} = {}) {
    this.stat = data.static;
    this.snapshots = data.snapshots || [];
    this.curves = data.curves || {step: [], cost: [], accuracy: []};
    this.send = send;  // the widget: buttons go to Python, which trains
    this.index = Math.max(0, this.snapshots.length - 1);
    this.timer = null;
    this.build(holder);
    this.go(this.index);
  }

  build(holder) {
    const root = el("div", {class: "crt-root", tabindex: "0"}, holder);
    if (this.stat.title) el("h1", {class: "crt-title", text: this.stat.title}, root);
    const bar = el("div", {class: "crt-controls"}, root);
    this.playButton = el("button", {class: "crt-play", text: "Play"}, bar);
    this.stepButton = el("button", {class: "crt-step", text: "Step"}, bar);
    this.slider = el("input", {class: "crt-slider", type: "range", min: 0, max: 0, value: 0,
                               "aria-label": "snapshot"}, bar);
    this.counter = el("span", {class: "crt-counter"}, bar);
    const panels = el("div", {class: "crt-panels"}, root);
    const panel = (title) => { const p = el("div", {class: "crt-panel"}, panels); el("h2", {text: title}, p); return p; };
    this.canvas = el("canvas", {class: "crt-boundary", width: 300, height: 300}, panel("decision boundary"));
    this.curveSvg = el("svg", {class: "crt-curves", width: 326, height: 240, viewBox: "0 0 326 240"},
                       panel("cost and accuracy"), SVG);
    this.netSvg = el("svg", {class: "crt-network", width: 400, height: 300, viewBox: "0 0 400 300"},
                     panel("network"), SVG);
    el("p", {class: "crt-legend", text: "Each point is a training example in its class colour; the background is "
      + "the class the network predicts there, paler where it is less sure. Network: edge width by |weight| "
      + "(blue > 0, orange < 0), unit fill by mean |gradient| (white to red, log scale). Hover an edge or a unit "
      + "for its numbers."},
      root);
    this.playButton.addEventListener("click", () => this.toggle());
    this.stepButton.addEventListener("click", () => this.step());
    this.slider.addEventListener("input", () => { this.pause(); this.go(Number(this.slider.value)); });
    root.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") this.go(this.index + 1);
      else if (event.key === "ArrowLeft") this.go(this.index - 1);
      else return;
      event.preventDefault();
    });
    this.root = root;
  }

  /** Show snapshot i (clamped to the ones there are). */
  go(i) {
    if (!this.snapshots.length) { this.counter.textContent = "no snapshot yet: press Play or Step"; return; }
    this.index = Math.max(0, Math.min(this.snapshots.length - 1, i));
    const shot = this.snapshots[this.index];
    this.slider.max = this.snapshots.length - 1;
    this.slider.value = this.index;
    this.counter.textContent = `step ${shot.step + 1} · cost ${fmt(shot.cost)} · accuracy ${fmt(shot.accuracy)}`
      + ` · snapshot ${this.index + 1} / ${this.snapshots.length}`;
    drawBoundary(this.canvas, this.stat, shot);
    drawCurves(this.curveSvg, this.curves, shot.step);
    drawNetwork(this.netSvg, this.stat, shot);
  }

  /** A new snapshot from the kernel: followed when the view shows the newest one. */
  add(shot, curves) {
    const following = this.index >= this.snapshots.length - 1;
    this.snapshots.push(shot);
    this.curves = curves || this.curves;
    this.go(following ? this.snapshots.length - 1 : this.index);
  }

  setPlaying(playing) {
    this.playButton.textContent = playing ? "Pause" : "Play";
  }

  toggle() {
    if (this.send) { this.send({action: this.playButton.textContent === "Play" ? "play" : "pause"}); return; }
    if (this.timer) { this.pause(); return; }
    if (this.index >= this.snapshots.length - 1) this.go(0);
    this.timer = setInterval(() => (this.index >= this.snapshots.length - 1 ? this.pause() : this.go(this.index + 1)),
                             120);
    this.setPlaying(true);
  }

  pause() {
    clearInterval(this.timer);
    this.timer = null;
    this.setPlaying(false);
  }

  step() {
    if (this.send) { this.send({action: "step"}); return; }
    this.pause();
    this.go(this.index + 1);
  }

  /** What is on screen: the snapshot's index, step, cost and accuracy. */
  shown() {
    const shot = this.snapshots[this.index];
    return {index: this.index, step: shot.step, cost: shot.cost, accuracy: shot.accuracy};
  }
}

// ---------------------------------------------------------------------------------------------------------
// entry points: the standalone page mounts itself; anywidget calls render({model, el})

function mountStandalone() {
  const holder = document.getElementById("chainrule-training");
  const data = JSON.parse(document.getElementById("chainrule-training-data").textContent);
  const page = new TrainingPage(holder, data);
  window.chainrule_training = {
    get count() { return page.snapshots.length; },
    go: (i) => page.go(i),
    shown: () => page.shown(),
    page,
  };
}

const shownViews = new WeakMap();  // per widget model: how many of its views are on screen

function render({model, el: holder}) {
  const latest = model.get("latest");
  const page = new TrainingPage(holder, {static: model.get("static"), curves: model.get("curves"),
                                          snapshots: latest && latest.classes ? [latest] : []},
                                {send: (message) => model.send(message)});
  const onSnapshot = () => page.add(model.get("latest"), model.get("curves"));
  const onState = () => page.setPlaying(model.get("state") === "playing");
  model.on("change:latest", onSnapshot);
  model.on("change:state", onState);
  onState();
  shownViews.set(model, (shownViews.get(model) || 0) + 1);
  return () => {
    model.off("change:latest", onSnapshot);
    model.off("change:state", onState);
    const left = shownViews.get(model) - 1;
    shownViews.set(model, left);
    // the last view went away (its cell re-run or its output cleared): nobody watches, so the kernel stops training
    if (!left && model.get("state") === "playing") model.send({action: "pause"});
  };
}

export default {render};

if (typeof document !== "undefined" && document.getElementById("chainrule-training-data")) mountStandalone();
