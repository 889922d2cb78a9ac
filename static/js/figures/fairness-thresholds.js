// Two groups of applicants with the same score distributions for the qualified and for the
// unqualified, and different base rates (the share qualified): move each group's hiring
// threshold and read each group's selection rate, TPR, FPR and PPV, and which of demographic
// parity, equalized odds and predictive parity hold.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// Scores follow a logistic distribution (its CDF is exact in closed form) around these centres.
export const QUALIFIED = { centre: 0.65, spread: 0.08 };
export const UNQUALIFIED = { centre: 0.35, spread: 0.08 };
export const START = { thresholdA: 0.5, thresholdB: 0.5, baseRateA: 0.5, baseRateB: 0.3 };
// A criterion "holds" when its gaps between the groups are at most this much.
export const TOLERANCE = 0.02;

/** The share of a score distribution above a threshold: 1 − CDF of the logistic. */
export function shareAbove(threshold, { centre, spread }) {
  return 1 / (1 + Math.exp((threshold - centre) / spread));
}

/** One group's rates at a threshold: selected, TPR, FPR and PPV (hired who are qualified). */
export function groupRates(threshold, baseRate) {
  const tpr = shareAbove(threshold, QUALIFIED);
  const fpr = shareAbove(threshold, UNQUALIFIED);
  const selected = baseRate * tpr + (1 - baseRate) * fpr;
  return { selected, tpr, fpr, ppv: selected > 0 ? (baseRate * tpr) / selected : NaN };
}

/** The gaps between two groups' rates, and which fairness criteria hold within TOLERANCE. */
export function criteria(a, b) {
  const gap = (key) => Math.abs(a[key] - b[key]);
  return {
    demographicParity: gap("selected") <= TOLERANCE,
    equalizedOdds: gap("tpr") <= TOLERANCE && gap("fpr") <= TOLERANCE,
    predictiveParity: gap("ppv") <= TOLERANCE,
    gaps: { selected: gap("selected"), tpr: gap("tpr"), fpr: gap("fpr"), ppv: gap("ppv") },
  };
}

const describe = (r) => `selected ${fmt(r.selected)}, TPR ${fmt(r.tpr)}, FPR ${fmt(r.fpr)}, PPV ${fmt(r.ppv)}`;
const verdict = (holds) => (holds ? "holds" : "fails");

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "One threshold per group, and three fairness criteria" }), controls);
  slider(controls, { label: "group A threshold", min: 0, max: 1, step: 0.01, value: state.thresholdA, name: "thresholdA", onInput: (v) => { state.thresholdA = v; draw(); } });
  slider(controls, { label: "group B threshold", min: 0, max: 1, step: 0.01, value: state.thresholdB, name: "thresholdB", onInput: (v) => { state.thresholdB = v; draw(); } });
  slider(controls, { label: "group B base rate", min: 0.1, max: 0.9, step: 0.05, value: state.baseRateB, name: "baseRateB", onInput: (v) => { state.baseRateB = v; draw(); } });
  const plot = canvas(root, { label: "Score distributions of the two groups with their thresholds", maxWidth: 640, aspect: 0.55 });
  const out = readout(root);
  const verdicts = el("p", { class: "figure-stage fairness-verdicts" });
  root.append(verdicts, el("p", { class: "figure-legend small" },
    el("span", { class: "swatch", style: "background: #1a8a3a" }), " qualified   ",
    el("span", { class: "swatch", style: "background: #c0392b" }), " not qualified   | threshold: hired to its right"));

  function draw() {
    const a = groupRates(state.thresholdA, state.baseRateA);
    const b = groupRates(state.thresholdB, state.baseRateB);
    const c = criteria(a, b);
    out.textContent = `Group A: ${describe(a)}. Group B: ${describe(b)}.`;
    verdicts.textContent = `Demographic parity ${verdict(c.demographicParity)} (gap ${fmt(c.gaps.selected)}); ` +
      `equalized odds ${verdict(c.equalizedOdds)} (TPR gap ${fmt(c.gaps.tpr)}, FPR gap ${fmt(c.gaps.fpr)}); ` +
      `predictive parity ${verdict(c.predictiveParity)} (PPV gap ${fmt(c.gaps.ppv)}).`;
    plot.node.setAttribute("aria-label", `${out.textContent} ${verdicts.textContent}`);
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    panel(ctx, 0, width, height / 2, "group A", state.baseRateA, state.thresholdA);
    panel(ctx, height / 2, width, height / 2, "group B", state.baseRateB, state.thresholdB);
  }

  function density(score, { centre, spread }) {
    const e = Math.exp(-(score - centre) / spread);
    return e / (spread * (1 + e) ** 2);
  }

  function panel(ctx, top, width, height, name, baseRate, threshold) {
    const pad = 18;
    const sx = (s) => pad + s * (width - 2 * pad);
    const peak = density(QUALIFIED.centre, QUALIFIED);
    const sy = (d) => top + height - pad - (d / peak) * (height - 2 * pad);
    ctx.strokeStyle = COLORS.axis; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(sx(0), sy(0)); ctx.lineTo(sx(1), sy(0)); ctx.stroke();
    for (const [dist, share, color] of [[QUALIFIED, baseRate, COLORS.good], [UNQUALIFIED, 1 - baseRate, COLORS.bad]]) {
      ctx.strokeStyle = color; ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i <= 100; i++) {
        const s = i / 100;
        const y = sy(share * density(s, dist));
        if (i === 0) ctx.moveTo(sx(s), y); else ctx.lineTo(sx(s), y);
      }
      ctx.stroke();
    }
    ctx.strokeStyle = COLORS.text; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(sx(threshold), top + pad - 6); ctx.lineTo(sx(threshold), sy(0)); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.text;
    ctx.fillText(`${name} (base rate ${fmt(baseRate)})`, pad, top + 12);
    ctx.fillStyle = COLORS.axis;
    ctx.fillText("score 0", sx(0), sy(0) + 12);
    ctx.fillText("1", sx(1) - 4, sy(0) + 12);
  }

  draw();
  window.addEventListener("resize", draw);
}
