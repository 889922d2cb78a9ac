// L2 regularization on two weights: a quadratic data loss, steep along w₁ and shallow along w₂,
// plus the penalty (λ/2)‖w‖². Move λ and watch the minimizer shrink towards 0 — most along the
// direction the data cares little about.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// L_data(w) = ½ Σ c_k (w_k − w*_k)²: the data's best weights w* = (3, 4), curvatures c = (2, 0.2).
export const DATA_BEST = [3, 4];
export const CURVATURE = [2, 0.2];
export const START = { lambda: 0.2 };

/** The data loss ½ Σ c_k (w_k − w*_k)². */
export function dataLoss(w) {
  return w.reduce((sum, wk, k) => sum + 0.5 * CURVATURE[k] * (wk - DATA_BEST[k]) ** 2, 0);
}

/** The minimizer of L_data + (λ/2)‖w‖²: setting the gradient c_k (w_k − w*_k) + λ w_k to 0
 * gives w_k = c_k w*_k / (c_k + λ). */
export function minimizer(lambda) {
  return DATA_BEST.map((best, k) => (CURVATURE[k] * best) / (CURVATURE[k] + lambda));
}

const vector = (values) => `(${values.map((v) => fmt(v)).join(", ")})`;

export function mount(root) {
  const state = { lambda: START.lambda };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Where the regularized loss is lowest, as λ grows" }), controls);
  slider(controls, {
    label: "L2 strength λ", min: 0, max: 5, step: 0.05, value: state.lambda, name: "lambda",
    onInput: (v) => { state.lambda = v; draw(); },
  });
  const plot = canvas(root, { label: "Contours of the data loss, circles of equal penalty and the minimizer", aspect: 0.8, maxWidth: 420 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " data loss contours (dashed: the one through the minimizer)   ",
    el("span", { class: "swatch second" }), " path of the minimizer as λ goes from 0 to 5   ┅ circle of equal penalty   ● minimizer"));

  function draw() {
    const w = minimizer(state.lambda);
    const penalty = (state.lambda / 2) * (w[0] ** 2 + w[1] ** 2);
    const shrink = w.map((wk, k) => wk / DATA_BEST[k]);
    out.textContent = `λ = ${fmt(state.lambda)}: w = ${vector(w)}, kept ${vector(shrink)} of the data's best ${vector(DATA_BEST)}; data loss = ${fmt(dataLoss(w))}; penalty = ${fmt(penalty)}`;
    drawPlane(w);
    plot.node.setAttribute("aria-label", `Contours of the data loss around (3, 4), and the minimizer. ${out.textContent}`);
  }

  function drawPlane(w) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 26;
    const lo = -0.5, hi = 5;
    const sx = (x) => pad + ((x - lo) / (hi - lo)) * (width - 2 * pad);
    const sy = (y) => height - pad - ((y - lo) / (hi - lo)) * (height - 2 * pad);
    const scaleX = (width - 2 * pad) / (hi - lo), scaleY = (height - 2 * pad) / (hi - lo);
    ctx.clearRect(0, 0, width, height);
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath();
    ctx.moveTo(sx(lo), sy(0)); ctx.lineTo(sx(hi), sy(0));
    ctx.moveTo(sx(0), sy(lo)); ctx.lineTo(sx(0), sy(hi));
    ctx.stroke();
    ctx.fillStyle = COLORS.text;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("w₁", sx(hi) - 14, sy(0) - 6);
    ctx.fillText("w₂", sx(0) + 6, sy(hi) + 10);
    for (const tick of [1, 2, 3, 4]) {
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(String(tick), sx(tick) - 3, sy(0) + 13);
      ctx.fillText(String(tick), sx(0) - 12, sy(tick) + 4);
    }
    // Everything below stays inside the plotted square.
    ctx.save();
    ctx.beginPath();
    ctx.rect(sx(lo), sy(hi), sx(hi) - sx(lo), sy(lo) - sy(hi));
    ctx.clip();
    // Ellipses where the data loss is 0.025, 0.1, 0.225, 0.4: half-axes √(2L / c_k).
    ctx.strokeStyle = COLORS.main;
    for (const level of [0.025, 0.1, 0.225, 0.4]) {
      ctx.beginPath();
      ctx.ellipse(sx(DATA_BEST[0]), sy(DATA_BEST[1]),
        Math.sqrt((2 * level) / CURVATURE[0]) * scaleX, Math.sqrt((2 * level) / CURVATURE[1]) * scaleY,
        0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    // The data loss's contour and the circle of equal penalty through the minimizer, both
    // dashed: they touch there, since the two gradients are opposite at the minimum.
    const through = dataLoss(w);
    const radius = Math.hypot(w[0], w[1]);
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = COLORS.main;
    ctx.beginPath();
    ctx.ellipse(sx(DATA_BEST[0]), sy(DATA_BEST[1]),
      Math.sqrt((2 * through) / CURVATURE[0]) * scaleX, Math.sqrt((2 * through) / CURVATURE[1]) * scaleY,
      0, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath();
    ctx.ellipse(sx(0), sy(0), radius * scaleX, radius * scaleY, 0, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.setLineDash([]);
    // The minimizer's path for λ from 0 to 5.
    ctx.strokeStyle = COLORS.second;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i <= 100; i++) {
      const p = minimizer((5 * i) / 100);
      if (i === 0) ctx.moveTo(sx(p[0]), sy(p[1])); else ctx.lineTo(sx(p[0]), sy(p[1]));
    }
    ctx.stroke();
    ctx.fillStyle = COLORS.main;
    ctx.beginPath(); ctx.arc(sx(DATA_BEST[0]), sy(DATA_BEST[1]), 3, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = COLORS.text;
    ctx.beginPath(); ctx.arc(sx(w[0]), sy(w[1]), 6, 0, 2 * Math.PI); ctx.fill();
    ctx.restore();
  }

  draw();
  window.addEventListener("resize", draw);
}
