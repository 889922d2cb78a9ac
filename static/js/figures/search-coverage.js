// Grid search against random search over two hyperparameters of which only one matters
// (Bergstra & Bengio, 2012): with the same number of trials, a k × k grid tries only k values
// of the important hyperparameter, random search tries a new value in every trial.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// Where the important hyperparameter (say the learning rate, on a log scale mapped to
// [0, 1]) scores best; the other one does not change the score at all.
export const BEST_AT = 0.73;
const WIDTH = 0.08;

/** The made-up validation score of a trial: a peak in the important hyperparameter x only. */
export function score(x) {
  return 0.5 + 0.45 * Math.exp(-((x - BEST_AT) ** 2) / (2 * WIDTH ** 2));
}

/** mulberry32: a small seeded generator of numbers in [0, 1), so every draw is repeatable. */
export function mulberry32(seed) {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The k × k grid that fits in n trials (k = ⌊√n⌋), at the centres of k equal cells. */
export function gridTrials(n) {
  const k = Math.floor(Math.sqrt(n));
  const values = Array.from({ length: k }, (_, i) => (i + 0.5) / k);
  return values.flatMap((x) => values.map((y) => [x, y]));
}

/** n random trials, both hyperparameters uniform in [0, 1), drawn with `seed`. */
export function randomTrials(n, seed) {
  const next = mulberry32(seed);
  return Array.from({ length: n }, () => [next(), next()]);
}

/** What a set of trials learns about the important hyperparameter: how many distinct values
 * it tried, the widest stretch of [0, 1] it left untried, and the best score it found. */
export function coverage(trials) {
  const xs = [...new Set(trials.map(([x]) => x))].sort((a, b) => a - b);
  const edges = [0, ...xs, 1];
  let widestGap = 0;
  for (let i = 1; i < edges.length; i++) widestGap = Math.max(widestGap, edges[i] - edges[i - 1]);
  const best = Math.max(...trials.map(([x]) => score(x)));
  return { distinct: xs.length, widestGap, best };
}

export function mount(root) {
  const state = { n: 9, draw: 1 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Grid search or random search, when only one hyperparameter matters" }), controls);
  slider(controls, { label: "number of trials", min: 1, max: 49, step: 1, value: state.n, name: "trials", onInput: (v) => { state.n = v; draw(); } });
  slider(controls, { label: "random draw", min: 1, max: 5, step: 1, value: state.draw, name: "draw", onInput: (v) => { state.draw = v; draw(); } });
  const plot = canvas(root, { label: "Trials of grid search and of random search", maxWidth: 640, aspect: 0.62 });
  const out = readout(root);

  function panel(ctx, left, size, top, trials, title) {
    const pad = 22;
    const plotSize = size - 2 * pad;
    const sx = (x) => left + pad + x * plotSize;
    const sy = (y) => top + pad + (1 - y) * plotSize;
    // The score against the important hyperparameter, above the square.
    const curveTop = top - 4;
    ctx.strokeStyle = COLORS.second;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (let i = 0; i <= 100; i++) {
      const x = i / 100;
      const y = curveTop - ((score(x) - 0.5) / 0.45) * (pad * 1.6);
      if (i) ctx.lineTo(sx(x), y); else ctx.moveTo(sx(x), y);
    }
    ctx.stroke();
    ctx.fillStyle = COLORS.second;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("score", sx(0), curveTop - 4);
    ctx.strokeStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.strokeRect(sx(0), sy(1), plotSize, plotSize);
    // Each trial, and its shadow on the important axis: the values of x it actually tried.
    for (const [x, y] of trials) {
      ctx.fillStyle = COLORS.main;
      ctx.beginPath(); ctx.arc(sx(x), sy(y), 4, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = COLORS.bad;
      ctx.beginPath(); ctx.moveTo(sx(x), sy(0)); ctx.lineTo(sx(x), sy(0) + 8); ctx.stroke();
    }
    ctx.fillStyle = COLORS.text;
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(title, sx(0), top - pad * 1.6 - 10);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = COLORS.axis;
    ctx.fillText("important →", sx(0.5) - 30, sy(0) + 20);
    ctx.save();
    ctx.translate(left + 12, sy(0.5) + 30);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("unimportant →", 0, 0);
    ctx.restore();
  }

  function draw() {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    const grid = gridTrials(state.n);
    const random = randomTrials(state.n, state.draw);
    const size = Math.min(width / 2, height - 60);
    const top = height - size;
    panel(ctx, 0, size, top, grid, `Grid: ${grid.length} trials`);
    panel(ctx, width - size, size, top, random, `Random: ${random.length} trials`);
    const g = coverage(grid);
    const r = coverage(random);
    const k = Math.sqrt(grid.length);
    const values = (count) => `${count} distinct value${count === 1 ? "" : "s"}`;
    out.textContent = `${state.n} trial${state.n === 1 ? "" : "s"}. Grid ${k} × ${k}: ${values(g.distinct)} of the ` +
      `important hyperparameter, widest untried gap ${fmt(g.widestGap)}, best score ${fmt(g.best)}. ` +
      `Random (draw ${state.draw}): ${values(r.distinct)}, widest untried gap ` +
      `${fmt(r.widestGap)}, best score ${fmt(r.best)}. Best possible: ${fmt(score(BEST_AT))}.`;
    plot.node.setAttribute("aria-label", `Left: grid search; right: random search. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
