// The best discriminator against a fixed generator, in one dimension: real data N(0, 1), the
// generator's samples N(μ, σ²). For a fixed G the discriminator that maximizes V is
// D*(x) = p_data(x) / (p_data(x) + p_g(x)), and then V(D*, G) = 2·JSD(p_data ‖ p_g) − 2 ln 2:
// the generator's game is to shrink the Jensen–Shannon divergence to 0, where D* = ½ everywhere.
import { COLORS, canvas, curve, el, fmt, frame, readout, slider } from "./common.js";

export const START = { mean: 2, std: 1 };
export const DATA = { mean: 0, std: 1 };

export function gaussian(x, mean, std) {
  return Math.exp(-0.5 * ((x - mean) / std) ** 2) / (std * Math.sqrt(2 * Math.PI));
}

/** D*(x) for the data N(0, 1) and a generator N(mean, std²). */
export function bestDiscriminator(x, mean, std) {
  const real = gaussian(x, DATA.mean, DATA.std), fake = gaussian(x, mean, std);
  return real + fake > 0 ? real / (real + fake) : 0.5;
}

/** JSD(p_data ‖ p_g) in nats, by Simpson's rule on a grid wide enough for both tails. */
export function jsDivergence(mean, std, points = 6000) {
  const lo = Math.min(DATA.mean - 12 * DATA.std, mean - 12 * std);
  const hi = Math.max(DATA.mean + 12 * DATA.std, mean + 12 * std);
  const h = (hi - lo) / points;
  const term = (p, m) => (p > 0 ? p * Math.log(p / m) : 0);
  let sum = 0;
  for (let i = 0; i <= points; i++) {
    const x = lo + i * h;
    const p = gaussian(x, DATA.mean, DATA.std), q = gaussian(x, mean, std), m = (p + q) / 2;
    const f = m > 0 ? 0.5 * term(p, m) + 0.5 * term(q, m) : 0;
    sum += f * (i === 0 || i === points ? 1 : i % 2 ? 4 : 2);
  }
  return Math.max(0, (sum * h) / 3);
}

/** The value of the game with the best discriminator, and that discriminator's loss −V. */
export function gameValue(mean, std) {
  const jsd = jsDivergence(mean, std);
  const value = 2 * jsd - 2 * Math.LN2;
  return { jsd, value, discriminatorLoss: -value };
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The best discriminator against a fixed generator" }), controls);
  slider(controls, { label: "generator mean μ", min: -4, max: 4, step: 0.1, value: state.mean, name: "mean", onInput: (v) => { state.mean = v; draw(); } });
  slider(controls, { label: "generator spread σ", min: 0.3, max: 3, step: 0.1, value: state.std, name: "std", onInput: (v) => { state.std = v; draw(); } });
  const plot = canvas(root, { label: "The data and generator densities and the best discriminator D*(x)", maxWidth: 640, aspect: 0.5 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch", style: "background:#888" }), " real data N(0, 1)   ",
    el("span", { class: "swatch second" }), " generator N(μ, σ²)   ",
    el("span", { class: "swatch main" }), " D*(x), the probability of “real”"));

  function draw() {
    const { mean, std } = state;
    const { jsd, value, discriminatorLoss } = gameValue(mean, std);
    const { width, height } = plot.size();
    const peak = Math.max(1, gaussian(0, 0, Math.min(std, 1))); // D* tops out at 1
    const box = { width, height, xMin: -6, xMax: 6, yMin: 0, yMax: peak };
    const axes = frame(plot.ctx, box);
    curve(plot.ctx, (x) => gaussian(x, DATA.mean, DATA.std), axes, { ...box, color: COLORS.axis });
    curve(plot.ctx, (x) => gaussian(x, mean, std), axes, { ...box, color: COLORS.second });
    curve(plot.ctx, (x) => bestDiscriminator(x, mean, std), axes, { ...box, color: COLORS.main, lineWidth: 3 });
    curve(plot.ctx, () => 0.5, axes, { ...box, color: COLORS.grid, dash: [4, 4], lineWidth: 1 });
    out.textContent = `Generator N(${fmt(mean)}, ${fmt(std)}²): D*(0) = ${fmt(bestDiscriminator(0, mean, std))}, `
      + `D*(${fmt(mean)}) = ${fmt(bestDiscriminator(mean, mean, std))}; JS divergence ${fmt(jsd)} nats; `
      + `V(D*, G) = 2·JSD − 2 ln 2 = ${fmt(value)}, so the best discriminator's loss is ${fmt(discriminatorLoss)}.`;
    plot.node.setAttribute("aria-label", out.textContent);
  }

  draw();
  window.addEventListener("resize", draw);
}
