// SGD, momentum, RMSprop and Adam side by side on a ravine and on a saddle, from the same start
// with the same learning rate; the update rules are PyTorch's (torch.optim) with its defaults.
import { COLORS, canvas, el, fmt, slider } from "./common.js";

// Ravine: curvature 1 along w₁, 20 along w₂. Saddle: curvature −1 along w₂ at the origin,
// with two valleys at w₂ = ±1 (loss −0.25) so that escaping it leads somewhere.
export const SURFACES = {
  ravine: {
    title: "Ravine: L = ½(w₁² + 20·w₂²)",
    loss: (w1, w2) => 0.5 * (w1 ** 2 + 20 * w2 ** 2),
    gradient: (w1, w2) => [w1, 20 * w2],
    start: [-4, 1],
    box: { w1: [-5, 5], w2: [-2, 2] },
  },
  saddle: {
    title: "Saddle: L = ½(w₁² − w₂²) + ¼·w₂⁴",
    loss: (w1, w2) => 0.5 * (w1 ** 2 - w2 ** 2) + 0.25 * w2 ** 4,
    gradient: (w1, w2) => [w1, w2 ** 3 - w2],
    start: [2, 0.01],
    box: { w1: [-2.5, 2.5], w2: [-1.6, 1.6] },
  },
};

export const OPTIMIZERS = {
  sgd: { label: "SGD", color: COLORS.main },
  momentum: { label: "momentum", color: COLORS.second, dash: [6, 4] }, // β = 0 is SGD: dashed, SGD shows through
  rmsprop: { label: "RMSprop", color: "#7b3fa0" },
  adam: { label: "Adam", color: COLORS.good },
};

export const RMSPROP_ALPHA = 0.99; // torch.optim.RMSprop's default
export const ADAM_BETA2 = 0.999; // torch.optim.Adam's default
export const EPS = 1e-8;

/**
 * The points `optimizer` visits in `steps` updates on `surface` from its start.
 * `beta` is the momentum coefficient (SGD with momentum) and Adam's β₁.
 */
export function path(optimizer, surfaceName, { lr, beta, steps }) {
  const surface = SURFACES[surfaceName];
  let w = [...surface.start];
  let m = [0, 0]; // momentum buffer (SGD) or first moment (Adam)
  let v = [0, 0]; // running mean of squared gradients (RMSprop, Adam)
  const points = [w];
  for (let t = 1; t <= steps; t++) {
    const g = surface.gradient(...w);
    let step;
    if (optimizer === "sgd") {
      step = g;
    } else if (optimizer === "momentum") {
      m = m.map((mi, i) => beta * mi + g[i]); // torch: buffer ← β·buffer + g, then w ← w − η·buffer
      step = m;
    } else if (optimizer === "rmsprop") {
      v = v.map((vi, i) => RMSPROP_ALPHA * vi + (1 - RMSPROP_ALPHA) * g[i] ** 2);
      step = g.map((gi, i) => gi / (Math.sqrt(v[i]) + EPS));
    } else if (optimizer === "adam") {
      m = m.map((mi, i) => beta * mi + (1 - beta) * g[i]);
      v = v.map((vi, i) => ADAM_BETA2 * vi + (1 - ADAM_BETA2) * g[i] ** 2);
      // Bias correction: m and v start at 0, so early averages are too small by (1 − βᵗ).
      const mHat = m.map((mi) => mi / (1 - beta ** t));
      const vHat = v.map((vi) => vi / (1 - ADAM_BETA2 ** t));
      step = mHat.map((mi, i) => mi / (Math.sqrt(vHat[i]) + EPS));
    } else {
      throw new Error(`unknown optimizer ${optimizer}`);
    }
    w = w.map((wi, i) => wi - lr * step[i]);
    points.push(w);
  }
  return points;
}

/** The loss each optimizer reaches after the given settings, by optimizer name. */
export function finalLosses(surfaceName, settings) {
  const surface = SURFACES[surfaceName];
  return Object.fromEntries(Object.keys(OPTIMIZERS).map((name) => {
    const points = path(name, surfaceName, settings);
    return [name, surface.loss(...points[points.length - 1])];
  }));
}

// Light shading of the loss: darker is lower.
function shade(ctx, surface, sx, sy, width, height) {
  const cells = 48;
  const { w1: [a, b], w2: [c, d] } = surface.box;
  const values = [];
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      values.push(surface.loss(a + ((i + 0.5) * (b - a)) / cells, c + ((j + 0.5) * (d - c)) / cells));
    }
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const cw = width / cells;
  const ch = height / cells;
  values.forEach((value, k) => {
    const i = Math.floor(k / cells);
    const j = k % cells;
    const depth = 1 - Math.sqrt((value - lo) / (hi - lo)); // sqrt spreads the low region
    // Opaque tints of the main blue (cells overlap by half a pixel; alpha would show seams).
    const a = 0.04 + 0.26 * depth;
    const mix = (channel) => Math.round(255 * (1 - a) + channel * a);
    ctx.fillStyle = `rgb(${mix(31)}, ${mix(95)}, ${mix(191)})`;
    ctx.fillRect(i * cw, height - (j + 1) * ch, cw + 0.5, ch + 0.5);
  });
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(sx(0), 0); ctx.lineTo(sx(0), height);
  ctx.moveTo(0, sy(0)); ctx.lineTo(width, sy(0));
  ctx.stroke();
}

function drawPanel(panel, surfaceName, settings) {
  const surface = SURFACES[surfaceName];
  const { width, height } = panel.plot.size();
  const ctx = panel.plot.ctx;
  const { w1: [a, b], w2: [c, d] } = surface.box;
  const sx = (w1) => ((w1 - a) / (b - a)) * width;
  const sy = (w2) => height - ((w2 - c) / (d - c)) * height;
  const clampX = (x) => Math.max(-50, Math.min(width + 50, Number.isFinite(x) ? x : width + 50));
  const clampY = (y) => Math.max(-50, Math.min(height + 50, Number.isFinite(y) ? y : height + 50));
  ctx.clearRect(0, 0, width, height);
  shade(ctx, surface, sx, sy, width, height);
  const losses = {};
  for (const [name, { color, dash = [] }] of Object.entries(OPTIMIZERS)) {
    const points = path(name, surfaceName, settings);
    losses[name] = surface.loss(...points[points.length - 1]);
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    points.forEach(([w1, w2], i) => {
      if (i === 0) ctx.moveTo(clampX(sx(w1)), clampY(sy(w2)));
      else ctx.lineTo(clampX(sx(w1)), clampY(sy(w2)));
    });
    ctx.stroke();
    ctx.setLineDash([]);
    const [w1, w2] = points[points.length - 1];
    ctx.fillStyle = color;
    ctx.beginPath(); ctx.arc(clampX(sx(w1)), clampY(sy(w2)), 4, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.fillStyle = COLORS.text;
  ctx.font = "12px system-ui, sans-serif";
  ctx.beginPath(); ctx.arc(sx(surface.start[0]), sy(surface.start[1]), 3, 0, 2 * Math.PI); ctx.fill();
  const [x0, y0] = [sx(surface.start[0]), sy(surface.start[1])];
  const labelWidth = ctx.measureText("start").width;
  ctx.fillText("start", x0 + 6 + labelWidth < width ? x0 + 6 : x0 - 6 - labelWidth, y0 - 6);

  const parts = Object.entries(OPTIMIZERS).map(([name, { label }]) => `${label} ${fmt(losses[name])}`);
  panel.out.textContent = `Loss after ${settings.steps} steps (start ${fmt(surface.loss(...surface.start))}): ${parts.join(", ")}.`;
  for (const [name, value] of Object.entries(losses)) panel.out.dataset[name] = String(value);
  panel.plot.node.setAttribute("aria-label", `${surface.title}, the four optimizers' paths. ${panel.out.textContent}`);
}

export function mount(root) {
  const settings = { lr: 0.05, beta: 0.9, steps: 50 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Four optimizers from the same start, with the same learning rate" }), controls);
  slider(controls, { label: "learning rate η", min: 0.005, max: 0.2, step: 0.005, value: settings.lr, name: "lr", onInput: (x) => { settings.lr = x; draw(); } });
  slider(controls, { label: "momentum β (Adam's β₁)", min: 0, max: 0.99, step: 0.01, value: settings.beta, name: "beta", onInput: (x) => { settings.beta = x; draw(); } });
  slider(controls, { label: "steps", min: 1, max: 100, step: 1, value: settings.steps, name: "steps", onInput: (x) => { settings.steps = x; draw(); } });
  const legend = el("p", { class: "figure-legend optimizer-legend" });
  for (const { label, color, dash } of Object.values(OPTIMIZERS)) {
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = dash
      ? `repeating-linear-gradient(90deg, ${color} 0 ${dash[0]}px, transparent ${dash[0]}px ${dash[0] + dash[1]}px)`
      : color;
    legend.append(el("span", {}, swatch, ` ${label}`));
  }
  root.append(legend);
  const row = el("div", { class: "optimizer-panels" });
  root.append(row);
  const panels = Object.entries(SURFACES).map(([name, surface]) => {
    const box = el("div", { class: "optimizer-panel", "data-surface": name });
    row.append(box);
    box.append(el("p", { class: "optimizer-panel-title", text: surface.title }));
    const plot = canvas(box, { label: surface.title, maxWidth: 420, aspect: 0.62 });
    const out = el("p", { class: "figure-readout", "aria-live": "polite" });
    box.append(out);
    return { name, plot, out };
  });

  function draw() {
    for (const panel of panels) drawPanel(panel, panel.name, settings);
  }
  draw();
  window.addEventListener("resize", draw);
}
