// The VAE's KL term for one latent dimension: the encoder's q(z|x) = N(μ, σ²) against the
// prior N(0, 1), with sliders for μ and σ. The closed form is the one the engine uses
// (engine/variational.py, gaussian_kl).
import { COLORS, canvas, curve, el, fmt, frame, readout, slider } from "./common.js";

/** KL(N(mu, sigma²) || N(0, 1)) in nats: ½(μ² + σ² − 1 − ln σ²). */
export function klToStandardNormal(mu, sigma) {
  return 0.5 * (mu * mu + sigma * sigma - 1 - Math.log(sigma * sigma));
}

/** The two parts of the KL: the mean's cost ½μ² and the spread's cost ½(σ² − 1 − ln σ²). */
export function klParts(mu, sigma) {
  return { mean: 0.5 * mu * mu, spread: 0.5 * (sigma * sigma - 1 - Math.log(sigma * sigma)) };
}

export function normalDensity(z, mu, sigma) {
  return Math.exp(-0.5 * ((z - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
}

export function mount(root) {
  const state = { mu: 1, sigma: 0.5 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The KL term of one latent dimension" }), controls);
  slider(controls, { label: "mean μ", min: -3, max: 3, step: 0.1, value: state.mu, name: "mu",
    onInput: (v) => { state.mu = v; draw(); } });
  slider(controls, { label: "standard deviation σ", min: 0.1, max: 3, step: 0.05, value: state.sigma,
    name: "sigma", onInput: (v) => { state.sigma = v; draw(); } });
  const plot = canvas(root, { label: "Densities of q(z|x) and of the prior N(0, 1)", aspect: 0.5 });
  root.append(el("p", { class: "figure-legend" },
    el("span", { class: "swatch main" }), " q(z|x) = N(μ, σ²)   ",
    el("span", { class: "swatch second" }), " prior N(0, 1), dashed"));
  const out = readout(root);

  function draw() {
    const { mu, sigma } = state;
    const { width, height } = plot.size();
    const peak = Math.max(normalDensity(mu, mu, sigma), normalDensity(0, 0, 1));
    const view = { width, height, xMin: -5, xMax: 5, yMin: 0, yMax: Math.min(4.2, peak * 1.1) };
    const scale = frame(plot.ctx, view);
    // A narrow q can peak far above the plot; its top is clipped (the readout has the numbers).
    const clip = (f) => (z) => Math.min(f(z), view.yMax);
    curve(plot.ctx, clip((z) => normalDensity(z, 0, 1)), scale,
      { xMin: -5, xMax: 5, color: COLORS.second, dash: [6, 4] });
    curve(plot.ctx, clip((z) => normalDensity(z, mu, sigma)), scale,
      { xMin: -5, xMax: 5, color: COLORS.main, lineWidth: 2.5 });
    const kl = klToStandardNormal(mu, sigma);
    const parts = klParts(mu, sigma);
    out.textContent = `μ = ${fmt(mu)}, σ = ${fmt(sigma)}: KL = ${fmt(kl)} nats ` +
      `(mean ½μ² = ${fmt(parts.mean)}, spread ½(σ² − 1 − ln σ²) = ${fmt(parts.spread)})`;
    plot.node.setAttribute("aria-label", `The density of N(${fmt(mu)}, ${fmt(sigma)}²) against ` +
      `the prior N(0, 1). ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
