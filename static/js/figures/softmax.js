// Softmax and cross-entropy: drag three logits, pick the true class and a label smoothing ε,
// and read the probabilities, the loss and its gradient p − y.
import { COLORS, canvas, el, fmt, radios, readout, slider } from "./common.js";

export const START = { logits: [2, 1, 0.1], trueClass: 0, eps: 0, shift: 0 };

/** log Σ exp(z), computed as m + log Σ exp(z − m) so that no exponential overflows. */
export function logSumExp(z) {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((sum, zk) => sum + Math.exp(zk - m), 0));
}

/** Softmax the stable way: exp(z − max z) / Σ exp(z − max z); the max cancels out. */
export function softmax(z) {
  const lse = logSumExp(z);
  return z.map((zk) => Math.exp(zk - lse));
}

/** The textbook formula, exp(z) / Σ exp(z), which overflows to ∞ / ∞ = NaN for large z. */
export function naiveSoftmax(z) {
  const e = z.map(Math.exp);
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((ek) => ek / sum);
}

/** The target distribution: one-hot on the true class, smoothed by ε towards uniform. */
export function target(n, trueClass, eps = 0) {
  return Array.from({ length: n }, (_, k) => (k === trueClass ? 1 - eps : 0) + eps / n);
}

/** Cross-entropy −Σ y_k log p_k = log Σ exp(z) − Σ y_k z_k (as Σ y_k = 1). */
export function crossEntropy(z, trueClass, eps = 0) {
  const y = target(z.length, trueClass, eps);
  return logSumExp(z) - y.reduce((sum, yk, k) => sum + yk * z[k], 0);
}

/** The gradient of the cross-entropy with respect to the logits: p − y. */
export function gradient(z, trueClass, eps = 0) {
  const y = target(z.length, trueClass, eps);
  return softmax(z).map((pk, k) => pk - y[k]);
}

const vector = (values) => `(${values.map((v) => fmt(v)).join(", ")})`;

export function mount(root) {
  const state = { logits: [...START.logits], trueClass: START.trueClass, eps: START.eps, shift: START.shift };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "From logits to probabilities, loss and gradient" }), controls);
  state.logits.forEach((value, k) => {
    slider(controls, {
      label: `logit z${"₁₂₃"[k]}`, min: -5, max: 5, step: 0.1, value, name: `z${k + 1}`,
      onInput: (v) => { state.logits[k] = v; draw(); },
    });
  });
  slider(controls, {
    label: "add c to every logit", min: -1000, max: 1000, step: 10, value: state.shift, name: "shift",
    onInput: (v) => { state.shift = v; draw(); },
  });
  slider(controls, {
    label: "label smoothing ε", min: 0, max: 0.5, step: 0.01, value: state.eps, name: "eps",
    onInput: (v) => { state.eps = v; draw(); },
  });
  radios(controls, {
    legend: "True class",
    options: [[0, "class 1"], [1, "class 2"], [2, "class 3"]],
    value: state.trueClass,
    onChange: (k) => { state.trueClass = k; draw(); },
  });
  const plot = canvas(root, { label: "Bars of the probabilities, targets and gradients", aspect: 0.5 });
  const out = readout(root);
  const naive = el("p", { class: "figure-stage softmax-naive" });
  root.append(naive, el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " probability p   ",
    el("span", { class: "swatch second" }), " gradient p − y   ▭ target y"));

  function draw() {
    const z = state.logits.map((zk) => zk + state.shift);
    const p = softmax(z);
    const y = target(z.length, state.trueClass, state.eps);
    const g = gradient(z, state.trueClass, state.eps);
    const loss = crossEntropy(z, state.trueClass, state.eps);
    drawBars(p, y, g);
    out.textContent = `p = ${vector(p)}; loss = ${fmt(loss)}; gradient p − y = ${vector(g)}`;
    const unstable = naiveSoftmax(z);
    naive.textContent = unstable.every(Number.isFinite)
      ? `Without subtracting the largest logit first, exp(z) / Σ exp(z) gives the same ${vector(unstable)}.`
      : `Without subtracting the largest logit first, exp(z) / Σ exp(z) gives ${vector(unstable)}: exp(${fmt(Math.max(...z))}) is too large for a float.`;
    plot.node.setAttribute("aria-label", `Logits ${vector(z)}, true class ${state.trueClass + 1}. ${out.textContent}`);
  }

  function drawBars(p, y, g) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const top = 16, bottom = 28;
    const zeroY = top + (height - top - bottom) / 2;
    const unit = (height - top - bottom) / 2; // a value of 1 is this many pixels tall
    const left = 24; // room for the scale's labels
    const group = (width - left) / p.length;
    const bar = Math.min(36, group / 4);
    ctx.clearRect(0, 0, width, height);
    ctx.lineWidth = 1;
    ctx.font = "11px system-ui, sans-serif";
    for (const value of [1, 0, -1]) {
      const at = zeroY - value * unit;
      ctx.strokeStyle = value ? COLORS.grid : COLORS.axis;
      ctx.beginPath(); ctx.moveTo(left, at); ctx.lineTo(width - 4, at); ctx.stroke();
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(fmt(value), 4, at + 4);
    }
    p.forEach((pk, k) => {
      const centre = left + group * (k + 0.5);
      ctx.fillStyle = COLORS.main;
      ctx.fillRect(centre - bar - 2, zeroY - pk * unit, bar, pk * unit);
      ctx.strokeStyle = COLORS.text;
      ctx.setLineDash([4, 3]);
      ctx.strokeRect(centre - bar - 2, zeroY - y[k] * unit, bar, y[k] * unit);
      ctx.setLineDash([]);
      ctx.fillStyle = COLORS.second;
      ctx.fillRect(centre + 2, Math.min(zeroY, zeroY - g[k] * unit), bar, Math.abs(g[k]) * unit);
      ctx.fillStyle = COLORS.text;
      const name = `class ${k + 1}${k === state.trueClass ? " (true)" : ""}`;
      ctx.fillText(name, centre - ctx.measureText(name).width / 2, height - 8);
      ctx.fillText(fmt(pk), centre - bar - 2, Math.max(top - 4, zeroY - pk * unit - 4));
    });
  }

  draw();
  window.addEventListener("resize", draw);
}
