// Batch normalization of one unit over a batch of four: move the last value, γ and β, and read
// the batch mean and variance, the normalized values ẑ and the outputs γẑ + β.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// The lesson's worked example: the batch (1, 2, 3, 6), γ = 2, β = 0.5.
export const START = { fixed: [1, 2, 3], last: 6, gamma: 2, beta: 0.5 };
export const EPSILON = 1e-5; // PyTorch's default, as in the engine

/** Mean and biased variance (divided by m) of the batch, as training-mode batch norm uses. */
export function batchStats(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, variance };
}

/** ẑ = (z − μ) / √(σ² + ε) for each value, then y = γ ẑ + β. */
export function batchNorm(values, gamma, beta, eps = EPSILON) {
  const { mean, variance } = batchStats(values);
  const normalized = values.map((v) => (v - mean) / Math.sqrt(variance + eps));
  return { mean, variance, normalized, outputs: normalized.map((n) => gamma * n + beta) };
}

const vector = (values) => `(${values.map((v) => fmt(v)).join(", ")})`;

export function mount(root) {
  const state = { last: START.last, gamma: START.gamma, beta: START.beta };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "One unit, a batch of four: normalize, then scale and shift" }), controls);
  slider(controls, {
    label: "last value z₄", min: -10, max: 10, step: 0.5, value: state.last, name: "z4",
    onInput: (v) => { state.last = v; draw(); },
  });
  slider(controls, {
    label: "scale γ", min: -3, max: 3, step: 0.1, value: state.gamma, name: "gamma",
    onInput: (v) => { state.gamma = v; draw(); },
  });
  slider(controls, {
    label: "shift β", min: -3, max: 3, step: 0.1, value: state.beta, name: "beta",
    onInput: (v) => { state.beta = v; draw(); },
  });
  const plot = canvas(root, { label: "The batch's values, normalized values and outputs on three number lines", aspect: 0.45 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " values z   ",
    el("span", { class: "swatch second" }), " normalized ẑ   ",
    el("span", { class: "swatch good" }), " outputs γẑ + β"));

  function draw() {
    const values = [...START.fixed, state.last];
    const r = batchNorm(values, state.gamma, state.beta);
    out.textContent = `mean = ${fmt(r.mean)}; variance = ${fmt(r.variance)}; ẑ = ${vector(r.normalized)}; outputs = ${vector(r.outputs)}`;
    drawLines(values, r);
    plot.node.setAttribute("aria-label", `Batch ${vector(values)}, γ = ${fmt(state.gamma)}, β = ${fmt(state.beta)}. ${out.textContent}`);
  }

  function drawLines(values, r) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const rows = [
      ["z", values, COLORS.main, r.mean],
      ["ẑ", r.normalized, COLORS.second, 0],
      ["γẑ+β", r.outputs, COLORS.good, state.beta],
    ];
    // One scale for the three lines, wide enough for every point (at least −4 … 4).
    const all = [...values, ...r.normalized, ...r.outputs];
    const reach = Math.max(4, ...all.map(Math.abs)) * 1.08;
    const left = 44, right = width - 10;
    const sx = (x) => left + ((x + reach) / (2 * reach)) * (right - left);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    rows.forEach(([name, points, color, centre], i) => {
      const y = 20 + i * ((height - 58) / 2);
      ctx.strokeStyle = COLORS.axis;
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(sx(0), y - 5); ctx.lineTo(sx(0), y + 5); ctx.stroke();
      ctx.fillStyle = COLORS.text;
      ctx.fillText(name, 4, y + 4);
      // The centre of the row: the batch mean, 0 for ẑ, β for the outputs.
      ctx.strokeStyle = color;
      ctx.setLineDash([3, 3]);
      ctx.beginPath(); ctx.moveTo(sx(centre), y - 12); ctx.lineTo(sx(centre), y + 12); ctx.stroke();
      ctx.setLineDash([]);
      points.forEach((p, k) => {
        ctx.fillStyle = color;
        ctx.beginPath(); ctx.arc(sx(p), y, k === 3 ? 6 : 4.5, 0, 2 * Math.PI); ctx.fill();
      });
    });
    ctx.fillStyle = COLORS.axis;
    const bottom = height - 8;
    for (const tick of [-reach / 1.08, 0, reach / 1.08]) {
      const label = fmt(Math.round(tick));
      ctx.fillText(label, sx(tick) - ctx.measureText(label).width / 2, bottom);
    }
  }

  draw();
  window.addEventListener("resize", draw);
}
