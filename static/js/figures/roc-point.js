// The ROC point and the precision-recall point of the threshold figure's 20 scored examples,
// moving with the threshold; a second slider repeats every negative k times, as if the
// positives were k times rarer, to show what imbalance does (and does not do) to each curve.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";
import { LABELS, SCORES, metricsAt } from "./threshold.js";

/** The ROC and PR coordinates at a threshold, each negative counted `k` times. */
export function pointAt(threshold, k = 1, scores = SCORES, labels = LABELS) {
  const m = metricsAt(threshold, scores, labels);
  const tpr = m.tp / (m.tp + m.fn);
  const fpr = m.fp / (m.fp + m.tn);
  const precision = m.tp + k * m.fp ? m.tp / (m.tp + k * m.fp) : 1;
  return { tpr, fpr, recall: tpr, precision };
}

/** Every threshold's point, from the highest score down, with the two areas:
 * ROC AUC by the trapezoid rule, average precision as Σ (R_n − R_{n−1}) · P_n. */
export function curves(k = 1, scores = SCORES, labels = LABELS) {
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  const roc = [[0, 0]];
  const pr = [[0, 1]];
  let auc = 0, ap = 0;
  for (const t of thresholds) {
    const p = pointAt(t, k, scores, labels);
    const [fpr0, tpr0] = roc[roc.length - 1];
    auc += ((p.fpr - fpr0) * (p.tpr + tpr0)) / 2;
    ap += (p.recall - pr[pr.length - 1][0]) * p.precision;
    roc.push([p.fpr, p.tpr]);
    pr.push([p.recall, p.precision]);
  }
  return { roc, pr, auc, ap };
}

export function mount(root) {
  const state = { t: 0.5, k: 1 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The threshold as a point on the ROC and PR curves" }), controls);
  slider(controls, { label: "threshold", min: 0, max: 1, step: 0.05, value: state.t, name: "threshold", onInput: (v) => { state.t = v; draw(); } });
  slider(controls, { label: "each negative counts ×k", min: 1, max: 20, step: 1, value: state.k, name: "negatives", onInput: (v) => { state.k = v; draw(); } });
  const plot = canvas(root, { label: "ROC curve and precision-recall curve", maxWidth: 640, aspect: 0.5 });
  const out = readout(root);

  function panel(ctx, left, size, points, point, names, chance) {
    const pad = 26;
    const sx = (x) => left + pad + x * (size - 2 * pad);
    const sy = (y) => size - pad - y * (size - 2 * pad);
    ctx.strokeStyle = COLORS.axis;
    ctx.strokeRect(sx(0), sy(1), sx(1) - sx(0), sy(0) - sy(1));
    ctx.setLineDash([4, 4]);
    ctx.beginPath(); ctx.moveTo(sx(chance[0][0]), sy(chance[0][1])); ctx.lineTo(sx(chance[1][0]), sy(chance[1][1])); ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.main;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(sx(x), sy(y)) : ctx.moveTo(sx(x), sy(y))));
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.bad;
    ctx.beginPath(); ctx.arc(sx(point[0]), sy(point[1]), 6, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = COLORS.axis;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("0", sx(0) - 10, sy(0) + 12);
    ctx.fillText("1", sx(1) - 3, sy(0) + 12);
    ctx.fillText("1", sx(0) - 10, sy(1) + 4);
    ctx.fillStyle = COLORS.text;
    ctx.fillText(names[0], sx(0.5) - ctx.measureText(names[0]).width / 2, size - 6);
    ctx.save();
    ctx.translate(left + 11, sy(0.5) + ctx.measureText(names[1]).width / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(names[1], 0, 0);
    ctx.restore();
  }

  function draw() {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    const c = curves(state.k);
    const p = pointAt(state.t, state.k);
    const size = Math.min(height, width / 2);
    const share = 8 / (8 + 12 * state.k);
    panel(ctx, 0, size, c.roc, [p.fpr, p.tpr], ["false-positive rate", "recall (TPR)"], [[0, 0], [1, 1]]);
    panel(ctx, width - size, size, c.pr, [p.recall, p.precision], ["recall", "precision"], [[0, share], [1, share]]);
    out.textContent = `Threshold ${fmt(state.t)}, negatives ×${state.k}: recall ${fmt(p.tpr)}, ` +
      `false-positive rate ${fmt(p.fpr)}, precision ${fmt(p.precision)}; ` +
      `ROC AUC ${fmt(c.auc)}, average precision ${fmt(c.ap)}`;
    plot.node.setAttribute("aria-label", `Left: ROC curve; right: precision-recall curve. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
