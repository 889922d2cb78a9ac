// How much a held-out accuracy varies from one test set to another: a model whose true
// accuracy is p, measured on n examples, scores K/n with K ~ Binomial(n, p). Move p and n and
// read the standard error √(p(1−p)/n), the normal approximation's 95% range p ± 1.96 SE with
// the exact share of measurements it holds (it drifts from 95% at small n or p near 1), and the
// exact chance that a measurement lands within 3 points of p.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const START = { p: 0.9, n: 40 };
export const WITHIN = 0.03;

/** The standard error of an accuracy measured on n examples. */
export function standardError(p, n) {
  return Math.sqrt((p * (1 - p)) / n);
}

/** P(K = k) for k = 0..n, computed in logs so that (1 − p)^n cannot underflow to 0 first. */
export function binomial(n, p) {
  const logs = [];
  let logChoose = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    logs.push(logChoose + (k ? k * Math.log(p) : 0) + (n - k ? (n - k) * Math.log(1 - p) : 0));
  }
  return logs.map(Math.exp);
}

/** The chance that the measured accuracy K/n is within `within` of p (edges included). */
export function chanceWithin(p, n, within = WITHIN) {
  return binomial(n, p).reduce((sum, pk, k) => sum + (Math.abs(k / n - p) <= within + 1e-9 ? pk : 0), 0);
}

/** The exact chance that the measured accuracy K/n lies in [low, high] (edges included). */
export function chanceBetween(p, n, low, high) {
  return binomial(n, p).reduce((sum, pk, k) => sum + (k / n >= low - 1e-9 && k / n <= high + 1e-9 ? pk : 0), 0);
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The spread of a held-out accuracy" }), controls);
  slider(controls, { label: "true accuracy p", min: 0.5, max: 0.99, step: 0.01, value: state.p, name: "p", onInput: (v) => { state.p = v; draw(); } });
  slider(controls, { label: "test-set size n", min: 10, max: 2000, step: 10, value: state.n, name: "n", onInput: (v) => { state.n = v; draw(); } });
  const plot = canvas(root, { label: "The distribution of the measured accuracy", maxWidth: 640, aspect: 0.45 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " chance of each measured accuracy   ",
    el("span", { class: "swatch second" }), " true accuracy p; shaded: p ± 1.96 SE"));

  function draw() {
    const { p, n } = state;
    const se = standardError(p, n);
    const low = p - 1.96 * se, high = Math.min(1, p + 1.96 * se);
    out.textContent = `SE = √(p(1 − p)/n) = ${fmt(se)}; p ± 1.96 SE, from ${fmt(low)} to ${fmt(high)}, ` +
      `holds about 95% of test sets of ${n} (exactly ${fmt(chanceBetween(p, n, low, high))}); ` +
      `chance of landing within 3 points of p: ${fmt(chanceWithin(p, n))}.`;
    plot.node.setAttribute("aria-label", out.textContent);
    drawDistribution(binomial(n, p), p, low, high);
  }

  function drawDistribution(pmf, p, low, high) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 22, from = 0.5;
    const sx = (a) => pad + ((a - from) / (1 - from)) * (width - 2 * pad);
    const n = pmf.length - 1;
    const density = pmf.map((pk) => pk * n); // probability per unit of accuracy, comparable across n
    const peak = Math.max(...density);
    const sy = (d) => height - pad - (d / peak) * (height - 2 * pad - 10);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "rgba(217, 115, 26, 0.18)";
    ctx.fillRect(sx(Math.max(from, low)), pad, sx(high) - sx(Math.max(from, low)), height - 2 * pad);
    ctx.fillStyle = COLORS.main;
    const barWidth = Math.max(1, (sx(1) - sx(from)) / n - 1);
    density.forEach((d, k) => {
      if (k / n < from) return;
      ctx.fillRect(sx(k / n) - barWidth / 2, sy(d), barWidth, sy(0) - sy(d));
    });
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(sx(from), sy(0)); ctx.lineTo(sx(1), sy(0)); ctx.stroke();
    ctx.strokeStyle = COLORS.second; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(sx(p), pad); ctx.lineTo(sx(p), sy(0)); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.axis;
    for (const a of [0.5, 0.6, 0.7, 0.8, 0.9, 1]) ctx.fillText(fmt(a), sx(a) - 8, height - 6);
    ctx.fillStyle = COLORS.text;
    ctx.fillText("measured accuracy", pad, 14);
  }

  draw();
  window.addEventListener("resize", draw);
}
