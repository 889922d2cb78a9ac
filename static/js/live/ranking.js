/* The final model's ranking of the validation set (the "ranking" event of a two-class
 * classifier): its ROC curve, its precision-recall curve and its reliability diagram,
 * each a plot panel of LivePanels with a sentence and a data table. Payload shape:
 * engine/events.py (RANKING). */

const f3 = (v) => (typeof v === "number" ? v.toFixed(3) : "–");
const CURVE = "#3b5bdb";
const CHANCE = { color: "#868e96", width: 1, dash: "dash" };
const UNIT = { range: [0, 1], constrain: "domain" };

/* At most `limit` rows of a long curve for its data table: evenly spaced, last kept. */
function sampleRows(rows, limit = 25) {
  if (rows.length <= limit) return rows;
  const step = (rows.length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => rows[Math.round(i * step)]);
}

export function drawRanking(panels, p) {
  const of = p.fold ? ` (fold ${p.fold})` : "";
  const positives = p.n_positive / p.n;
  const roc = panels.plot("roc", `ROC curve on the validation set, final model${of}`, [
    { name: "chance", x: [0, 1], y: [0, 1], mode: "lines", line: CHANCE, hoverinfo: "skip" },
    { name: `ROC, area ${f3(p.roc_auc)}`, x: p.roc.fpr, y: p.roc.tpr, mode: "lines",
      line: { color: CURVE, shape: "linear" },
      hovertemplate: "false-positive rate %{x:.3f}<br>recall %{y:.3f}<extra></extra>" },
  ], { xaxis: { ...UNIT, title: { text: "false-positive rate" } },
    yaxis: { ...UNIT, title: { text: "true-positive rate (recall)" } } });
  roc.chart.describe(`ROC AUC ${f3(p.roc_auc)} (chance: 0.5) over ${p.n} validation samples, ` +
    `${p.n_positive} of them positive.`, ["false-positive rate", "true-positive rate"],
  sampleRows(p.roc.fpr.map((x, i) => [f3(x), f3(p.roc.tpr[i])])));

  const pr = panels.plot("pr", `Precision-recall curve on the validation set${of}`, [
    { name: `chance (share of positives, ${f3(positives)})`, x: [0, 1], y: [positives, positives],
      mode: "lines", line: CHANCE, hoverinfo: "skip" },
    { name: `PR, average precision ${f3(p.average_precision)}`, x: p.pr.recall, y: p.pr.precision,
      mode: "lines", line: { color: "#e8590c", shape: "hv" },
      hovertemplate: "recall %{x:.3f}<br>precision %{y:.3f}<extra></extra>" },
  ], { xaxis: { ...UNIT, title: { text: "recall" } },
    yaxis: { range: [0, 1.02], title: { text: "precision" } } });
  pr.chart.describe(`Average precision ${f3(p.average_precision)}; a classifier guessing at ` +
    `random scores the share of positives, ${f3(positives)}.`, ["recall", "precision"],
  sampleRows(p.pr.recall.map((r, i) => [f3(r), f3(p.pr.precision[i])])));

  const c = p.calibration;
  const reliability = panels.plot("calibration", `Reliability diagram (10 bins of the predicted probability)${of}`, [
    { name: "perfectly calibrated", x: [0, 1], y: [0, 1], mode: "lines", line: CHANCE, hoverinfo: "skip" },
    { name: "fraction of positives in the bin", x: c.mean_predicted, y: c.fraction_positive,
      mode: "lines+markers", marker: { size: c.count.map((n) => 5 + Math.min(10, Math.sqrt(n))) },
      line: { color: "#2b8a3e" }, customdata: c.count,
      hovertemplate: "mean predicted %{x:.3f}<br>positive %{y:.3f}<br>%{customdata} samples<extra></extra>" },
  ], { xaxis: { ...UNIT, title: { text: "mean predicted probability of class 1" } },
    yaxis: { ...UNIT, title: { text: "fraction that is class 1" } } });
  reliability.chart.describe(`${c.count.length} non-empty bins; on the diagonal, the ` +
    "predicted probability is how often the class really is 1.",
  ["bin from", "samples", "mean predicted", "fraction positive"],
  c.lower.map((lo, i) => [f3(lo), c.count[i], f3(c.mean_predicted[i]), f3(c.fraction_positive[i])]));
}
