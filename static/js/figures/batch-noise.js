// How noisy a minibatch's gradient is: a fixed set of 400 per-example gradients (one weight's,
// the lab's n_train examples), minibatches of B drawn without replacement, and the spread of
// their means, σ/√B · √((n − B)/(n − 1)), shrinking as B grows and reaching 0 at the full batch.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const N_TRAIN = 400;
export const DRAWS = 300;

/** A small seeded generator (mulberry32), so every learner sees the same gradients and draws. */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The per-example gradients: most examples push the weight one way, some the other. */
export const GRADIENTS = (() => {
  const next = random(7);
  return Array.from({ length: N_TRAIN }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return Number((0.4 + normal).toFixed(4));
  });
})();

const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** The spread (standard deviation, over all n) of one example's gradient. */
export function exampleSpread(gradients = GRADIENTS) {
  const m = mean(gradients);
  return Math.sqrt(mean(gradients.map((g) => (g - m) ** 2)));
}

/** The standard deviation of a minibatch mean of B examples drawn without replacement. */
export function batchSpread(B, gradients = GRADIENTS) {
  const n = gradients.length;
  return n === 1 ? 0 : (exampleSpread(gradients) / Math.sqrt(B)) * Math.sqrt((n - B) / (n - 1));
}

/** The means of `draws` minibatches of B distinct examples (a partial Fisher–Yates shuffle). */
export function drawBatchMeans(B, draws = DRAWS, gradients = GRADIENTS, seed = 1) {
  const next = random(seed);
  const order = gradients.map((_, i) => i);
  return Array.from({ length: draws }, () => {
    let sum = 0;
    for (let i = 0; i < B; i++) {
      const j = i + Math.floor(next() * (order.length - i));
      [order[i], order[j]] = [order[j], order[i]];
      sum += gradients[order[i]];
    }
    return sum / B;
  });
}

export function measuredSpread(means) {
  const m = mean(means);
  return Math.sqrt(mean(means.map((v) => (v - m) ** 2)));
}

export function mount(root) {
  const state = { B: 32 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The spread of minibatch gradients as the batch grows" }), controls);
  slider(controls, { label: "batch size B", min: 1, max: N_TRAIN, step: 1, value: state.B, name: "batch-size", onInput: (v) => { state.B = v; draw(); } });
  const plot = canvas(root, { label: "Histograms of per-example gradients and of minibatch gradients", maxWidth: 640, aspect: 0.5 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch", style: "background:#bbb" }), " one example's gradient   ",
    el("span", { class: "swatch main" }), ` mean of a minibatch (${DRAWS} draws)   `,
    el("span", { class: "swatch second" }), " full-batch gradient ± predicted spread"));

  function draw() {
    const means = drawBatchMeans(state.B);
    const predicted = batchSpread(state.B);
    const measured = measuredSpread(means);
    drawHistograms(means, predicted);
    const steps = Math.ceil(N_TRAIN / state.B);
    out.textContent = `B = ${state.B} (${steps} step${steps === 1 ? "" : "s"} per epoch): spread of the minibatch gradient `
      + `σ/√B · √((n − B)/(n − 1)) = ${fmt(predicted)}; measured over ${DRAWS} minibatches: ${fmt(measured)}. `
      + `One example's σ = ${fmt(exampleSpread())}; full-batch gradient ${fmt(mean(GRADIENTS))}.`;
    out.dataset.measured = String(measured);
    plot.node.setAttribute("aria-label", out.textContent);
  }

  function drawHistograms(means, predicted) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const lo = Math.min(...GRADIENTS), hi = Math.max(...GRADIENTS);
    const pad = 20, bottom = height - 22, top = 10;
    const sx = (g) => pad + ((g - lo) / (hi - lo)) * (width - 2 * pad);
    ctx.clearRect(0, 0, width, height);
    const bins = 60;
    const histogram = (values) => {
      const counts = new Array(bins).fill(0);
      for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
      return counts;
    };
    const binWidth = (width - 2 * pad) / bins;
    for (const [values, color] of [[GRADIENTS, "#bbb"], [means, COLORS.main]]) {
      const counts = histogram(values);
      const most = Math.max(...counts);
      ctx.fillStyle = color;
      ctx.globalAlpha = color === COLORS.main ? 0.8 : 1;
      counts.forEach((c, i) => {
        const h = (c / most) * (bottom - top);
        ctx.fillRect(pad + i * binWidth + 0.5, bottom - h, binWidth - 1, h);
      });
    }
    ctx.globalAlpha = 1;
    const centre = mean(GRADIENTS);
    ctx.strokeStyle = COLORS.second;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(sx(centre), top); ctx.lineTo(sx(centre), bottom); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(sx(centre - predicted), top + 6); ctx.lineTo(sx(centre + predicted), top + 6); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(pad, bottom); ctx.lineTo(width - pad, bottom); ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText(fmt(lo, 1), pad, bottom + 14);
    ctx.fillText(fmt(hi, 1), width - pad - 16, bottom + 14);
    ctx.fillText("gradient", width / 2 - 20, bottom + 14);
  }

  draw();
  window.addEventListener("resize", draw);
}
