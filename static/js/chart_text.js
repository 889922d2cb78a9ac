/* ChartText: what a chart says, as text, for people who cannot see it (and anyone who wants
 * the numbers). Each chart lives in a <figure>: a caption (its title, in HTML so Plotly's
 * toolbar can never cover it), the plot (hidden from screen readers: Plotly's SVG reads as
 * noise), one sentence with the latest values and the best epoch, and the data as a table
 * behind a "Data table" disclosure, built only while it is open.
 *
 * Also the Plotly config every chart shares.
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // No toolbar: it covered titles, sat on phone charts for good, and its icon buttons are
  // focusable inside a plot that screen readers skip (the figure's text says it all).
  // Dragging still zooms and a double click resets.
  const PLOT_CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };

  function table(headers, rows) {
    const t = el("table", { class: "run-table" });
    const head = el("tr");
    headers.forEach((h) => head.append(el("th", { scope: "col" }, h)));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    rows.forEach((row) => {
      const tr = el("tr");
      row.forEach((cell, i) => tr.append(el(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : {},
        String(cell))));
      body.append(tr);
    });
    t.append(thead, body);
    return t;
  }

  class ChartFigure {
    /* `plot` is the element Plotly draws in; `caption` its title. */
    constructor(plot, caption, { className = "" } = {}) {
      this.plot = plot;
      plot.setAttribute("aria-hidden", "true");
      this.node = el("figure", { class: `chart-figure ${className}`.trim() });
      this.caption = el("figcaption", { class: "chart-caption" }, caption);
      this.text = el("p", { class: "chart-text small" });
      this.details = el("details", { class: "chart-data" });
      this.details.append(el("summary", {}, "Data table"));
      this.details.hidden = true;
      this.node.append(this.caption, plot, this.text, this.details);
      this.tableData = null;
      this.details.addEventListener("toggle", () => this.drawTable());
    }

    setCaption(text) {
      if (this.caption.textContent !== text) this.caption.textContent = text;
    }

    /* The sentence under the chart, and the table's data (drawn only while open). */
    describe(sentence, headers, rows) {
      if (this.text.textContent !== sentence) this.text.textContent = sentence;
      this.tableData = headers ? { headers, rows } : null;
      this.details.hidden = !this.tableData || !rows.length;
      this.drawTable();
    }

    drawTable() {
      if (!this.details.open || !this.tableData) return;
      const { headers, rows } = this.tableData;
      const old = this.details.querySelector("table");
      const fresh = table(headers, rows);
      if (old) old.replaceWith(fresh); else this.details.append(fresh);
    }
  }

  function num(value) {
    return typeof value === "number" && isFinite(value) ? value : null;
  }
  const fixed = (value, digits) => (num(value) === null ? "–" : Number(value).toFixed(digits));
  const pct = (value) => (num(value) === null ? "–" : `${(value * 100).toFixed(1)}%`);

  /* The loss and accuracy figures of a LiveRun (live_run.js): latest values, best epochs and
   * one row per epoch. */
  function describeCurves(run, last, bestLoss, bestAcc) {
    const rows = run.epochRows;
    const lossName = run.info && run.info.loss_name ? run.info.loss_name : "loss";
    run.lossFigure.describe(
      `Latest, epoch ${last.epoch}: train ${lossName} ${fixed(last.train_loss, 4)}` +
      (num(last.val_loss) !== null ? `, validation ${fixed(last.val_loss, 4)}.` : ".") +
      (bestLoss ? ` Lowest validation ${lossName} ${fixed(bestLoss.val_loss, 4)} at epoch ${bestLoss.epoch}.` : ""),
      ["epoch", "step", `train ${lossName}`, `validation ${lossName}`],
      rows.map((r) => [r.epoch, r.step ?? "–", fixed(r.train_loss, 4), fixed(r.val_loss, 4)]));
    if (!bestAcc && !run.hasAccuracy()) return;
    run.accFigure.describe(
      `Latest, epoch ${last.epoch}: train accuracy ${pct(last.train_accuracy)}, ` +
      `validation ${pct(last.val_accuracy)}.` +
      (bestAcc ? ` Highest validation accuracy ${pct(bestAcc.val_accuracy)} at epoch ${bestAcc.epoch}.` : ""),
      ["epoch", "step", "train accuracy", "validation accuracy"],
      rows.map((r) => [r.epoch, r.step ?? "–", pct(r.train_accuracy), pct(r.val_accuracy)]));
  }

  /* A confusion-matrix figure: how many right, the most frequent mistake, the matrix. */
  function describeMatrix(figure, labels, matrix, epoch) {
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    const right = matrix.reduce((sum, row, i) => sum + (row[i] || 0), 0);
    let worst = null;
    matrix.forEach((row, i) => row.forEach((n, j) => {
      if (i !== j && n > 0 && (!worst || n > worst.n)) worst = { n, truth: labels[i], predicted: labels[j] };
    }));
    figure.describe(`Epoch ${epoch}: ${right} of ${total} validation examples right` +
      ` (${pct(total ? right / total : null)}).` +
      (worst ? ` Most frequent mistake: true ${worst.truth} predicted as ${worst.predicted}, ${worst.n} times.` : ""),
    ["true \\ predicted", ...labels.map(String)], matrix.map((row, i) => [labels[i], ...row]));
  }

  window.ChartText = { ChartFigure, PLOT_CONFIG, table, describeCurves, describeMatrix };
})();
