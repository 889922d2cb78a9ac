// Precision, recall and F1 of a fixed set of 20 scored examples as the decision threshold moves.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// A classifier's scores (probability of "positive") and the true labels: 8 positives, 12 negatives.
export const SCORES = [0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.55, 0.35, 0.75, 0.6, 0.5, 0.45, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05, 0.02];
export const LABELS = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** Confusion counts and metrics when "score ≥ threshold" means "predict positive". */
export function metricsAt(threshold, scores = SCORES, labels = LABELS) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  scores.forEach((s, i) => {
    const predicted = s >= threshold;
    if (predicted && labels[i]) tp++; else if (predicted) fp++; else if (labels[i]) fn++; else tn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, tn, precision, recall, f1, accuracy: (tp + tn) / scores.length };
}

export function mount(root) {
  const state = { t: 0.5 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Moving the decision threshold" }), controls);
  slider(controls, { label: "threshold", min: 0, max: 1, step: 0.05, value: state.t, name: "threshold", onInput: (v) => { state.t = v; draw(); } });
  const plot = canvas(root, { label: "Scores of 20 examples on a line from 0 to 1", aspect: 0.28 });
  const matrix = el("table", { class: "confusion" });
  const out = readout(root);
  root.append(matrix);

  function draw() {
    const m = metricsAt(state.t);
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 20;
    const sx = (s) => pad + s * (width - 2 * pad);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "rgba(31, 95, 191, 0.08)";
    ctx.fillRect(sx(state.t), 0, sx(1) - sx(state.t), height);
    ctx.strokeStyle = COLORS.axis;
    ctx.beginPath(); ctx.moveTo(pad, height / 2); ctx.lineTo(width - pad, height / 2); ctx.stroke();
    SCORES.forEach((s, i) => {
      const y = LABELS[i] ? height / 2 - 14 : height / 2 + 14;
      ctx.fillStyle = LABELS[i] ? COLORS.main : COLORS.second;
      ctx.beginPath();
      if (LABELS[i]) ctx.arc(sx(s), y, 6, 0, 2 * Math.PI); else ctx.rect(sx(s) - 5, y - 5, 10, 10);
      ctx.fill();
    });
    ctx.strokeStyle = COLORS.bad;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(sx(state.t), 4); ctx.lineTo(sx(state.t), height - 4); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.text;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText("0", pad - 3, height - 4);
    ctx.fillText("1", width - pad - 3, height - 4);
    ctx.fillText("● positive   ■ negative   shaded: predicted positive", pad, 12);
    matrix.innerHTML = "";
    matrix.append(
      el("caption", { text: "Confusion matrix" }),
      el("tr", {}, el("td"), el("th", { scope: "col", text: "predicted +" }), el("th", { scope: "col", text: "predicted −" })),
      el("tr", {}, el("th", { scope: "row", text: "actual +" }), el("td", { class: "tp", text: `TP ${m.tp}` }), el("td", { class: "fn", text: `FN ${m.fn}` })),
      el("tr", {}, el("th", { scope: "row", text: "actual −" }), el("td", { class: "fp", text: `FP ${m.fp}` }), el("td", { class: "tn", text: `TN ${m.tn}` })),
    );
    out.textContent = `Threshold ${fmt(state.t)}: precision ${fmt(m.precision)}, recall ${fmt(m.recall)}, F1 ${fmt(m.f1)}, accuracy ${fmt(m.accuracy)}`;
    plot.node.setAttribute("aria-label", `20 scores with the threshold at ${fmt(state.t)}. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
