// Attributions of a tiny model whose integrated gradients are exact: f(x₁, x₂) = x₁x₂ + x₁.
// Move the input and the baseline and compare integrated gradients, which always add up to
// f(x) − f(baseline) (completeness), with the gradient times (x − baseline), which does not.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const START = { x: [1.5, 1], baseline: [0, 0] };

/** The model: a product, so that the two features interact, plus a linear term. */
export function model([x1, x2]) {
  return x1 * x2 + x1;
}

/** ∂f/∂x at a point: (x₂ + 1, x₁). */
export function gradient([x1, x2]) {
  return [x2 + 1, x1];
}

/** Integrated gradients, exactly: (x_i − b_i) ∫₀¹ ∂f/∂x_i(b + α(x − b)) dα. Along the straight
 * path the gradient changes linearly, so its average is its value at the path's midpoint. */
export function integratedGradients(x, baseline) {
  const midpoint = x.map((xi, i) => (xi + baseline[i]) / 2);
  const g = gradient(midpoint);
  return x.map((xi, i) => (xi - baseline[i]) * g[i]);
}

/** The one-step shortcut: the gradient at x times (x − baseline), gradient × input when the
 * baseline is zero. */
export function gradientTimesDelta(x, baseline) {
  const g = gradient(x);
  return x.map((xi, i) => (xi - baseline[i]) * g[i]);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const vector = (values) => `(${values.map((v) => fmt(v)).join(", ")})`;

export function mount(root) {
  const state = { x: [...START.x], baseline: [...START.baseline] };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Attributions of f(x₁, x₂) = x₁x₂ + x₁" }), controls);
  for (const [key, name] of [["x", "input"], ["baseline", "baseline"]]) {
    state[key].forEach((value, i) => {
      slider(controls, {
        label: `${name} ${key === "x" ? "x" : "b"}${"₁₂"[i]}`, min: -2, max: 2, step: 0.1, value,
        name: `${key}${i + 1}`, onInput: (v) => { state[key][i] = v; draw(); },
      });
    });
  }
  const plot = canvas(root, { label: "Bars of each feature's attribution by two methods", aspect: 0.5 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " integrated gradients   ",
    el("span", { class: "swatch second" }), " gradient × (x − baseline)   ▭ f(x) − f(baseline)"));

  function draw() {
    const ig = integratedGradients(state.x, state.baseline);
    const gd = gradientTimesDelta(state.x, state.baseline);
    const change = model(state.x) - model(state.baseline);
    out.textContent = `f(x) = ${fmt(model(state.x))}, f(baseline) = ${fmt(model(state.baseline))}, ` +
      `difference ${fmt(change)}. Integrated gradients ${vector(ig)}, sum ${fmt(sum(ig))}. ` +
      `Gradient × (x − baseline) ${vector(gd)}, sum ${fmt(sum(gd))}.`;
    plot.node.setAttribute("aria-label", out.textContent);
    drawBars(ig, gd, change);
  }

  function drawBars(ig, gd, change) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const groups = [["feature x₁", ig[0], gd[0]], ["feature x₂", ig[1], gd[1]], ["sum", sum(ig), sum(gd)]];
    // The value axis spans the values shown (and zero), so that all-positive bars use the height.
    const values = [0, change, ...groups.flatMap(([, a, b]) => [a, b])];
    const high = Math.max(...values), low = Math.min(...values);
    const top = 14, bottom = 34, left = 8;
    const unit = (height - top - bottom) / Math.max(1, high - low);
    const zeroY = top + high * unit;
    const group = (width - left) / groups.length;
    const bar = Math.min(40, group / 4);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    ctx.strokeStyle = COLORS.axis; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, zeroY); ctx.lineTo(width - 4, zeroY); ctx.stroke();
    groups.forEach(([name, a, b], k) => {
      const centre = left + group * (k + 0.5);
      for (const [value, color, x] of [[a, COLORS.main, centre - bar - 2], [b, COLORS.second, centre + 2]]) {
        ctx.fillStyle = color;
        ctx.fillRect(x, Math.min(zeroY, zeroY - value * unit), bar, Math.abs(value) * unit);
        ctx.fillStyle = COLORS.text;
        ctx.fillText(fmt(value), x, value >= 0 ? zeroY - value * unit - 3 : zeroY - value * unit + 11);
      }
      if (name === "sum") {
        ctx.strokeStyle = COLORS.text;
        ctx.setLineDash([4, 3]);
        ctx.strokeRect(centre - bar - 6, Math.min(zeroY, zeroY - change * unit), 2 * bar + 12, Math.abs(change) * unit);
        ctx.setLineDash([]);
      }
      ctx.fillStyle = COLORS.text;
      ctx.fillText(name, centre - ctx.measureText(name).width / 2, height - 4);
    });
  }

  draw();
  window.addEventListener("resize", draw);
}
