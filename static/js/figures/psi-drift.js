// Data drift against concept drift, for a deployed classifier. Training inputs are x ~ N(0, 1),
// cut into 4 bins at the training quartiles (each bin holds e_i = 0.25). The model predicts
// class 1 when x > 0; the true chance of class 1 is σ(4(x − c)), with c = 0 in training.
// Sliding the production inputs' shift μ (data drift) moves the bin shares a_i and the
// population stability index PSI = Σ (a_i − e_i) ln(a_i / e_i); sliding the boundary c
// (concept drift) changes what the labels mean, which the PSI of the inputs cannot see — only
// the accuracy, once labels arrive, shows it.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const START = { shift: 0, boundary: 0 };
export const SLOPE = 4;
export const EDGES = [-0.6744897501960817, 0, 0.6744897501960817]; // N(0, 1) quartiles
export const EXPECTED = [0.25, 0.25, 0.25, 0.25];

/** The standard normal's CDF, from erfc: its series below 3, its continued fraction above
 * (the browser test holds it to scipy's to 1e-9). */
export function normalCdf(z) {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x) {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    // erf's Maclaurin series, converging fast for |x| < 3.
    let term = x, sum = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Lentz's continued fraction for large x.
  let f = x, c = x, d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = 1 / (x + a * d);
    c = x + a / c;
    f *= c * d;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/** The share of N(shift, 1) in each bin. */
export function binShares(shift) {
  const cdf = [0, ...EDGES.map((e) => normalCdf(e - shift)), 1];
  return cdf.slice(1).map((c, i) => c - cdf[i]);
}

/** The population stability index of production shares a against training shares e. */
export function psi(a, e = EXPECTED) {
  return a.reduce((sum, ai, i) => sum + (ai - e[i]) * Math.log(ai / e[i]), 0);
}

/** The deployed model's accuracy on inputs N(shift, 1) when P(y = 1 | x) = σ(SLOPE (x − c)):
 * E[1 − σ] left of the model's cut at 0 plus E[σ] right of it, each by Simpson's rule (apart,
 * since the integrand jumps at 0) out to 10 standard deviations. */
export function accuracy(shift, boundary) {
  const p1 = (x) => 1 / (1 + Math.exp(-SLOPE * (x - boundary)));
  const density = (x) => Math.exp(-0.5 * (x - shift) ** 2) / Math.sqrt(2 * Math.PI);
  const left = Math.min(0, shift - 10), right = Math.max(0, shift + 10);
  return simpson((x) => (1 - p1(x)) * density(x), left, 0) + simpson((x) => p1(x) * density(x), 0, right);
}

function simpson(f, lo, hi, n = 2000) {
  if (hi <= lo) return 0;
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3;
}

export function verdict(value) {
  return value < 0.1 ? "small" : value <= 0.25 ? "moderate" : "large";
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Data drift, concept drift, and what the PSI sees" }), controls);
  slider(controls, { label: "input shift μ (data drift)", min: -2, max: 2, step: 0.1, value: state.shift, name: "shift", onInput: (v) => { state.shift = v; draw(); } });
  slider(controls, { label: "true boundary c (concept drift)", min: -1.5, max: 1.5, step: 0.1, value: state.boundary, name: "boundary", onInput: (v) => { state.boundary = v; draw(); } });
  const plot = canvas(root, { label: "Training and production inputs, binned", maxWidth: 640, aspect: 0.45 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " training inputs N(0, 1)   ",
    el("span", { class: "swatch second" }), " production inputs N(μ, 1); bars: each bin's share; dashed: the model's cut at 0, and the true boundary c"));

  function draw() {
    const { shift, boundary } = state;
    const a = binShares(shift);
    const value = psi(a);
    const acc = accuracy(shift, boundary);
    out.textContent = `production bin shares a = (${a.map((v) => fmt(v)).join(", ")}) against e = (0.25, 0.25, 0.25, 0.25); ` +
      `PSI = ${fmt(value)} (${verdict(value)}); the model's accuracy ${fmt(acc)} (in training ${fmt(accuracy(0, 0))}).`;
    plot.node.setAttribute("aria-label", out.textContent);
    drawBins(a, shift, boundary);
  }

  function drawBins(a, shift, boundary) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 22, xMin = -4, xMax = 4;
    const sx = (x) => pad + ((x - xMin) / (xMax - xMin)) * (width - 2 * pad);
    const top = 0.75;
    const sy = (v) => height - pad - (v / top) * (height - 2 * pad - 12);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    // Bars: each bin's share, training (blue) and production (orange) side by side, drawn at
    // fixed slots since the outer bins are unbounded.
    const slots = [[-3.6, -0.7], [-0.7, 0], [0, 0.7], [0.7, 3.6]];
    slots.forEach(([from, to], i) => {
      const w = (sx(to) - sx(from)) / 2 - 3;
      ctx.fillStyle = "rgba(31, 95, 191, 0.35)";
      ctx.fillRect(sx(from) + 2, sy(EXPECTED[i]), w, sy(0) - sy(EXPECTED[i]));
      ctx.fillStyle = "rgba(217, 115, 26, 0.45)";
      ctx.fillRect(sx(from) + 2 + w + 2, sy(a[i]), w, sy(0) - sy(a[i]));
      ctx.fillStyle = COLORS.text;
      ctx.fillText(fmt(a[i], 2), sx(from) + 2 + w + 2, sy(a[i]) - 3);
    });
    // The two densities, scaled to the plot.
    const peak = 1 / Math.sqrt(2 * Math.PI);
    const density = (x, mu) => (Math.exp(-0.5 * (x - mu) ** 2) / Math.sqrt(2 * Math.PI)) * (0.6 / peak);
    for (const [mu, color] of [[0, COLORS.main], [shift, COLORS.second]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i <= 200; i++) {
        const x = xMin + ((xMax - xMin) * i) / 200;
        if (i === 0) ctx.moveTo(sx(x), sy(density(x, mu))); else ctx.lineTo(sx(x), sy(density(x, mu)));
      }
      ctx.stroke();
    }
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    for (const [x, color, label] of [[0, COLORS.text, "model: 1 if x > 0"], [boundary, COLORS.bad, "true boundary c"]]) {
      ctx.strokeStyle = color;
      ctx.beginPath(); ctx.moveTo(sx(x), 12); ctx.lineTo(sx(x), sy(0)); ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(label, Math.min(sx(x) + 3, width - 95), label.startsWith("model") ? 12 : 26);
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(pad, sy(0)); ctx.lineTo(width - pad, sy(0)); ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    for (const e of EDGES) ctx.fillText(fmt(e, 2), sx(e) - 10, height - 6);
  }

  draw();
  window.addEventListener("resize", draw);
}
