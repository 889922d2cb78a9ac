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
  const plot = canvas(root, { label: "Training and production inputs, binned", maxWidth: 640, aspect: 0.7 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " training inputs N(0, 1)   ",
    el("span", { class: "swatch second" }), " production inputs N(μ, 1); grey lines: the bins' edges, the training quartiles"));

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

  // Above: the two input densities, the bin edges and the two boundaries. Below: each bin's
  // share, training beside production, in four equal slots (the outer bins are unbounded).
  function drawBins(a, shift, boundary) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 12, xMin = -4, xMax = 4;
    const split = Math.round(height * 0.5);
    const sx = (x) => pad + ((x - xMin) / (xMax - xMin)) * (width - 2 * pad);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    const base = split - 16;
    const peak = 1 / Math.sqrt(2 * Math.PI);
    const dy = (x, mu) => base - (Math.exp(-0.5 * (x - mu) ** 2) / Math.sqrt(2 * Math.PI) / peak) * (base - 34);
    ctx.strokeStyle = "#bbb";
    for (const e of EDGES) { ctx.beginPath(); ctx.moveTo(sx(e), 34); ctx.lineTo(sx(e), base); ctx.stroke(); }
    for (const [mu, color, dash] of [[0, COLORS.main, []], [shift, COLORS.second, [5, 3]]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      for (let i = 0; i <= 200; i++) {
        const x = xMin + ((xMax - xMin) * i) / 200;
        if (i === 0) ctx.moveTo(sx(x), dy(x, mu)); else ctx.lineTo(sx(x), dy(x, mu));
      }
      ctx.stroke();
    }
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(pad, base); ctx.lineTo(width - pad, base); ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    for (const e of [-2, 0, 2]) ctx.fillText(fmt(e), sx(e) - 3, base + 12);
    ctx.setLineDash([3, 3]);
    for (const [x, color, label, y] of [[0, COLORS.text, "model: class 1 if x > 0", 11], [boundary, COLORS.bad, "true boundary c", 25]]) {
      ctx.strokeStyle = color;
      ctx.beginPath(); ctx.moveTo(sx(x), y + 3); ctx.lineTo(sx(x), base); ctx.stroke();
      ctx.fillStyle = color;
      const w = ctx.measureText(label).width;
      ctx.fillText(label, Math.max(pad, Math.min(sx(x) - w / 2, width - pad - w)), y);
    }
    ctx.setLineDash([]);
    // The bins' shares.
    const top = split + 22, bottom = height - 16, most = 1;
    const by = (v) => bottom - (v / most) * (bottom - top);
    const slot = (width - 2 * pad) / 4;
    const names = ["x < −0.67", "−0.67 to 0", "0 to 0.67", "x > 0.67"];
    ctx.fillStyle = COLORS.text;
    ctx.fillText("share of inputs in each bin", pad, split + 12);
    a.forEach((ai, i) => {
      const left = pad + i * slot + 4, barWidth = (slot - 12) / 2;
      ctx.fillStyle = "rgba(31, 95, 191, 0.45)";
      ctx.fillRect(left, by(EXPECTED[i]), barWidth, bottom - by(EXPECTED[i]));
      ctx.fillStyle = "rgba(217, 115, 26, 0.6)";
      ctx.fillRect(left + barWidth + 2, by(ai), barWidth, bottom - by(ai));
      ctx.fillStyle = COLORS.text;
      ctx.fillText(fmt(ai, 2), left + barWidth + 2, by(ai) - 3);
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(names[i], left, height - 3);
    });
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(pad, bottom); ctx.lineTo(width - pad, bottom); ctx.stroke();
  }

  draw();
  window.addEventListener("resize", draw);
}
