// Representation bias in one dimension: two groups, each half qualified, whose score is
// measured on a scale shifted by δ for group B. One threshold is fitted to minimize the error
// on training data in which group B is a share s. The smaller s, the more the threshold suits
// group A alone, and the larger group B's error, while the overall error hardly moves.
import { COLORS, canvas, curve, dot, el, fmt, frame, readout, slider } from "./common.js";
import { erf } from "./activations.js";

export const START = { share: 0.1, shift: 1.5 };

const Phi = (z) => 0.5 * (1 + erf(z / Math.SQRT2));

/** A group's error at threshold t: qualified scores ~ N(c + 1, 1), others ~ N(c − 1, 1),
 * half and half; "qualified" is predicted above t. */
export function groupError(t, centre) {
  return 0.5 * (Phi(t - centre - 1) + 1 - Phi(t - centre + 1));
}

export function trainingError(t, share, shift) {
  return (1 - share) * groupError(t, 0) + share * groupError(t, shift);
}

/** The threshold with the lowest training error: a grid of 0.001 (the error can have two
 * valleys, one per group), then golden-section search around the best grid point. */
export function fitThreshold(share, shift) {
  const lo = -3, hi = shift + 3;
  let best = lo;
  for (let t = lo; t <= hi; t += 0.001) if (trainingError(t, share, shift) < trainingError(best, share, shift)) best = t;
  let [a, b] = [best - 0.001, best + 0.001];
  const ratio = (Math.sqrt(5) - 1) / 2;
  while (b - a > 1e-10) {
    const c = b - ratio * (b - a), d = a + ratio * (b - a);
    if (trainingError(c, share, shift) < trainingError(d, share, shift)) b = d; else a = c;
  }
  return (a + b) / 2;
}

export function outcome(share, shift) {
  const t = fitThreshold(share, shift);
  const errorA = groupError(t, 0), errorB = groupError(t, shift);
  return { t, errorA, errorB, training: trainingError(t, share, shift), balanced: (errorA + errorB) / 2 };
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "One threshold, fitted mostly to group A" }), controls);
  slider(controls, { label: "group B's share of the training data", min: 0.05, max: 0.5, step: 0.05, value: state.share, name: "share", onInput: (v) => { state.share = v; draw(); } });
  slider(controls, { label: "shift δ of group B's scores", min: 0, max: 3, step: 0.1, value: state.shift, name: "shift", onInput: (v) => { state.shift = v; draw(); } });
  const plot = canvas(root, { label: "Each group's error and the training error against the threshold", maxWidth: 640, aspect: 0.5 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " group A's error   ",
    el("span", { class: "swatch second" }), " group B's error   ",
    " · dashed: training error · dot: the fitted threshold"));

  function draw() {
    const { share, shift } = state;
    const r = outcome(share, shift);
    const { width, height } = plot.size();
    const box = { width, height, xMin: -2, xMax: 5, yMin: 0, yMax: 0.6 };
    const axes = frame(plot.ctx, box);
    curve(plot.ctx, (t) => groupError(t, 0), axes, { ...box, color: COLORS.main });
    curve(plot.ctx, (t) => groupError(t, shift), axes, { ...box, color: COLORS.second });
    curve(plot.ctx, (t) => trainingError(t, share, shift), axes, { ...box, color: COLORS.text, dash: [5, 4] });
    dot(plot.ctx, axes.sx(r.t), axes.sy(r.training), COLORS.text);
    dot(plot.ctx, axes.sx(r.t), axes.sy(r.errorA), COLORS.main, 4);
    dot(plot.ctx, axes.sx(r.t), axes.sy(r.errorB), COLORS.second, 4);
    out.textContent = `Group B is ${fmt(share * 100)}% of the training data, scores shifted by ${fmt(shift)}: `
      + `fitted threshold ${fmt(r.t)}; error on group A ${fmt(r.errorA)}, on group B ${fmt(r.errorB)}; `
      + `training error ${fmt(r.training)}.`;
    plot.node.setAttribute("aria-label", out.textContent);
  }

  draw();
  window.addEventListener("resize", draw);
}
