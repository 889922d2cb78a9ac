// A deep plain network at initialization: 256 random inputs pushed through 10 layers of 64
// units whose weights have standard deviation s/√64. Histograms of each layer's activations
// show the signal shrink (s too small), keep its size (Xavier, He) or blow up (s too large).
import { COLORS, el, fmt, radios, readout, slider } from "./common.js";

export const LAYERS = 10;
export const WIDTH = 64;
export const SAMPLES = 256;
export const SEED = 7;
const BINS = 24;
// A tanh unit counts as saturated beyond this size: its slope 1 − h² is below 0.1 there.
export const SATURATED = 0.95;

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), the same on every browser. */
export function uniforms(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` standard normal numbers (Box–Muller, both values of each pair used). */
export function normals(seed, count) {
  const next = uniforms(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

export const ACTIVATIONS = {
  tanh: { label: "tanh", f: Math.tanh },
  relu: { label: "ReLU", f: (z) => (z > 0 ? z : 0) },
  linear: { label: "none (linear)", f: (z) => z },
};

// Drawn once: the inputs, then each layer's weights, row by row. The scale only multiplies them.
let draws = null;
function standardDraws() {
  if (!draws) {
    const all = normals(SEED, SAMPLES * WIDTH + LAYERS * WIDTH * WIDTH);
    draws = { inputs: all.subarray(0, SAMPLES * WIDTH), weights: all.subarray(SAMPLES * WIDTH) };
  }
  return draws;
}

function std(values) {
  let sum = 0, squares = 0;
  for (const v of values) { sum += v; squares += v * v; }
  const mean = sum / values.length;
  return Math.sqrt(Math.max(0, squares / values.length - mean * mean));
}

/**
 * Every layer's activations h = φ(h_prev · Wᵀ) (plus h_prev with residual connections), the
 * weights of std scale/√WIDTH, no biases. Returns {stds: [per layer], layers: [Float64Array]}.
 */
export function propagate(scale, activation, residual = false) {
  const { inputs, weights } = standardDraws();
  const f = ACTIVATIONS[activation].f;
  const spread = scale / Math.sqrt(WIDTH);
  let h = inputs;
  const layers = [], stds = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    const w = weights.subarray(layer * WIDTH * WIDTH, (layer + 1) * WIDTH * WIDTH);
    const next = new Float64Array(SAMPLES * WIDTH);
    for (let n = 0; n < SAMPLES; n++) {
      for (let j = 0; j < WIDTH; j++) {
        let z = 0;
        for (let k = 0; k < WIDTH; k++) z += h[n * WIDTH + k] * w[j * WIDTH + k];
        const out = f(z * spread);
        next[n * WIDTH + j] = residual ? h[n * WIDTH + j] + out : out;
      }
    }
    h = next;
    layers.push(h);
    stds.push(std(h));
  }
  return { stds, layers };
}

/** The share of `values` whose size is above SATURATED. */
export function saturatedShare(values) {
  let count = 0;
  for (const v of values) if (Math.abs(v) > SATURATED) count += 1;
  return count / values.length;
}

/** How the last layer's std compares with the first's, in words. */
export function verdict(ratio) {
  if (ratio < 0.1) return "the signal vanishes";
  if (ratio < 0.5) return "the signal shrinks slowly";
  if (ratio > 10) return "the signal explodes";
  if (ratio > 2) return "the signal grows";
  return "the signal keeps its size";
}

/** Counts of `values` in BINS equal bins over [-range, range]; values beyond go to the end bins. */
export function histogram(values, range) {
  const counts = new Array(BINS).fill(0);
  for (const v of values) {
    const bin = Math.floor(((v + range) / (2 * range)) * BINS);
    counts[Math.min(BINS - 1, Math.max(0, bin))] += 1;
  }
  return counts;
}

const SCHEMES = [["Xavier: s = 1", 1], ["He: s = √2", Math.SQRT2]];

export function mount(root) {
  const state = { scale: 1, activation: "tanh", residual: false };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Activations layer by layer at initialization (10 layers of 64 units)" }), controls);
  const scale = slider(controls, { label: "init scale s", min: 0.1, max: 3, step: 0.01, value: state.scale, name: "scale", onInput: (v) => { state.scale = v; draw(); } });
  radios(controls, {
    legend: "Activation",
    options: Object.entries(ACTIVATIONS).map(([key, spec]) => [key, spec.label]),
    value: state.activation,
    onChange: (name) => { state.activation = name; draw(); },
  });
  const buttons = el("div", { class: "figure-buttons" });
  for (const [text, value] of SCHEMES) {
    const button = el("button", { type: "button", class: "secondary", text });
    // Set directly, not through the slider's 0.01 steps: He's scale is exactly √2.
    button.addEventListener("click", () => {
      scale.input.value = value;
      scale.input.nextElementSibling.textContent = fmt(value);
      state.scale = value;
      draw();
    });
    buttons.append(button);
  }
  const residualBox = el("input", { type: "checkbox", id: "init-hist-residual" });
  residualBox.addEventListener("change", () => { state.residual = residualBox.checked; draw(); });
  buttons.append(el("label", { for: "init-hist-residual" }, residualBox, " residual connections"));
  controls.append(buttons);
  const node = el("canvas", { role: "img", "aria-label": "Histograms of the activations of each layer", class: "figure-canvas" });
  root.append(node);
  const ctx = node.getContext("2d");
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small", text: "Each panel: one layer's 16 384 activations (256 inputs × 64 units), from −1 to 1 for tanh, else within three times layer 1's std either side of 0; the bars at the edges hold everything beyond." }));

  function draw() {
    const { stds, layers } = propagate(state.scale, state.activation, state.residual);
    // Five panels a row on a wide screen, two on a phone; each panel about as tall as wide.
    const style = getComputedStyle(root);
    const inner = root.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const width = Math.max(220, Math.min(760, Math.floor(inner)));
    const columns = width < 420 ? 2 : 5;
    const rows = LAYERS / columns;
    const cellW = width / columns, cellH = Math.min(150, Math.round(cellW * 0.8));
    const height = rows * cellH;
    const ratio = window.devicePixelRatio || 1;
    node.width = width * ratio;
    node.height = height * ratio;
    node.style.width = `${width}px`;
    node.style.height = `${height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const range = state.activation === "tanh" ? 1 : 3 * stds[0] || 1;
    ctx.font = "11px system-ui, sans-serif";
    layers.forEach((values, i) => {
      const x0 = (i % columns) * cellW, y0 = Math.floor(i / columns) * cellH;
      const counts = histogram(values, range);
      const top = Math.max(...counts);
      const barW = (cellW - 12) / counts.length;
      const base = y0 + cellH - 6, tall = cellH - 24;
      ctx.fillStyle = COLORS.main;
      counts.forEach((c, b) => {
        const h = (c / top) * tall;
        ctx.fillRect(x0 + 6 + b * barW, base - h, Math.max(1, barW - 1), h);
      });
      ctx.strokeStyle = COLORS.axis;
      ctx.beginPath(); ctx.moveTo(x0 + 6, base + 0.5); ctx.lineTo(x0 + cellW - 6, base + 0.5); ctx.stroke();
      ctx.fillStyle = COLORS.text;
      ctx.fillText(`layer ${i + 1}: std ${fmtStd(stds[i])}`, x0 + 6, y0 + 12);
    });
    const change = stds[LAYERS - 1] / stds[0];
    const saturated = state.activation === "tanh" ? saturatedShare(layers[LAYERS - 1]) : 0;
    const saturation = saturated >= 0.01 ? `; ${Math.round(saturated * 100)}% of layer 10's units are saturated (|h| > ${SATURATED})` : "";
    out.textContent = `${ACTIVATIONS[state.activation].label}, s = ${fmt(state.scale, 2)}${state.residual ? ", residual" : ""}: ` +
      `std of layer 1 ${fmtStd(stds[0])}, layer 10 ${fmtStd(stds[LAYERS - 1])} (× ${fmtStd(change)}) — ${verdict(change)}${saturation}.`;
    out.dataset.stds = JSON.stringify(stds);
    node.setAttribute("aria-label", `Histograms of each layer's activations. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}

/** Three significant digits, so a std of 0.00041 still shows. */
export function fmtStd(x) {
  if (!Number.isFinite(x)) return fmt(x);
  if (x === 0) return "0";
  if (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-4) return x.toExponential(2).replace("-", "−");
  return Number(x.toPrecision(3)).toString();
}
