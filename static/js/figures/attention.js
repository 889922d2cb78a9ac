// Scaled dot-product attention for one query over three keys in 2-D: turn the query (angle,
// length) and choose whether the scores are divided by √d_k, and read the scores, the softmax
// weights and the output, the weighted sum of the values. The lesson's worked example is the
// starting state.
import { COLORS, canvas, el, fmt, radios, readout, slider } from "./common.js";

export const KEYS = [[1, 0], [0, 1], [-1, 0]];
export const VALUES = [[1, 0], [0, 1], [1, 1]];
export const START = { angle: 0, length: 2, scaled: true };

/** The query vector of an angle (degrees, counter-clockwise from the x axis) and a length. */
export function query(angle, length) {
  const radians = (angle * Math.PI) / 180;
  return [length * Math.cos(radians), length * Math.sin(radians)];
}

/** Scores q·k_j, divided by √d_k (d_k = the keys' dimension) when `scaled`. */
export function scores(q, keys = KEYS, scaled = true) {
  const divisor = scaled ? Math.sqrt(q.length) : 1;
  return keys.map((k) => k.reduce((sum, kj, j) => sum + kj * q[j], 0) / divisor);
}

/** Softmax with the largest score subtracted first, so that no exponential overflows. */
export function softmax(s) {
  const m = Math.max(...s);
  const e = s.map((x) => Math.exp(x - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / total);
}

/** The attention output Σ_j w_j v_j, and the weights and scores it came from. */
export function attend(q, { keys = KEYS, values = VALUES, scaled = true } = {}) {
  const s = scores(q, keys, scaled);
  const w = softmax(s);
  const output = values[0].map((_, i) => w.reduce((sum, wj, j) => sum + wj * values[j][i], 0));
  return { scores: s, weights: w, output };
}

const vector = (values) => `(${values.map((v) => fmt(v)).join(", ")})`;

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "One query attending over three keys" }), controls);
  slider(controls, {
    label: "query direction (°)", min: 0, max: 360, step: 5, value: state.angle, name: "angle",
    onInput: (v) => { state.angle = v; draw(); },
  });
  slider(controls, {
    label: "query length", min: 0, max: 6, step: 0.1, value: state.length, name: "length",
    onInput: (v) => { state.length = v; draw(); },
  });
  radios(controls, {
    legend: "Scores",
    options: [[true, "divided by √d_k = √2"], [false, "not scaled"]],
    value: state.scaled,
    onChange: (scaled) => { state.scaled = scaled; draw(); },
  });
  const plot = canvas(root, { label: "The query, the keys and the output", maxWidth: 640, aspect: 0.55 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " query q and weights   ",
    el("span", { class: "swatch second" }), " output Σ w·v   ", el("span", { class: "swatch", style: "background: #888" }), " keys k₁ k₂ k₃"));

  function draw() {
    const q = query(state.angle, state.length);
    const { scores: s, weights: w, output } = attend(q, { scaled: state.scaled });
    out.textContent = `q = ${vector(q)}; scores = ${vector(s)}; weights = ${vector(w)}; output = ${vector(output)}`;
    plot.node.setAttribute("aria-label", `Query ${vector(q)} over keys ${KEYS.map(vector).join(", ")}. ${out.textContent}`);
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    drawPlane(ctx, Math.min(height, width / 2), height, q, output);
    drawWeights(ctx, Math.min(height, width / 2), width, height, w);
  }

  function arrow(ctx, from, to, color, label, below = false) {
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(...from); ctx.lineTo(...to); ctx.stroke();
    const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
    ctx.beginPath();
    ctx.moveTo(...to);
    ctx.lineTo(to[0] - 8 * Math.cos(angle - 0.4), to[1] - 8 * Math.sin(angle - 0.4));
    ctx.lineTo(to[0] - 8 * Math.cos(angle + 0.4), to[1] - 8 * Math.sin(angle + 0.4));
    ctx.fill();
    if (label) ctx.fillText(label, to[0] + 4, to[1] + (below ? 14 : -4));
  }

  function drawPlane(ctx, size, height, q, output) {
    // The plane from −2.5 to 2.5 on both axes; a longer query is drawn clipped to its edge.
    const centre = [size / 2, height / 2];
    const unit = (size - 24) / 5;
    const at = ([x, y]) => [centre[0] + x * unit, centre[1] - y * unit];
    ctx.strokeStyle = COLORS.grid; ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(12, centre[1]); ctx.lineTo(size - 12, centre[1]);
    ctx.moveTo(centre[0], 12); ctx.lineTo(centre[0], height - 12);
    ctx.stroke();
    KEYS.forEach((k, j) => arrow(ctx, centre, at(k), COLORS.axis, `k${"₁₂₃"[j]}`, true));
    const reach = Math.hypot(...q) > 2.5 ? 2.5 / Math.hypot(...q) : 1;
    arrow(ctx, centre, at(q.map((x) => x * reach)), COLORS.main, reach < 1 ? "q (clipped)" : "q");
    arrow(ctx, centre, at(output), COLORS.second, "output");
  }

  function drawWeights(ctx, left, width, height, w) {
    const top = 18, bottom = 24;
    const group = (width - left - 8) / w.length;
    const bar = Math.min(40, group * 0.6);
    ctx.fillStyle = COLORS.text;
    ctx.fillText("softmax weights", left + 8, 12);
    w.forEach((wj, j) => {
      const x = left + 8 + group * j + (group - bar) / 2;
      const tall = wj * (height - top - bottom);
      ctx.fillStyle = COLORS.main;
      ctx.fillRect(x, height - bottom - tall, bar, tall);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(fmt(wj), x, height - bottom - tall - 4);
      ctx.fillText(`k${"₁₂₃"[j]}`, x + bar / 2 - 6, height - 8);
    });
  }

  draw();
  window.addEventListener("resize", draw);
}
