/* The run's core charts, drawn with Plotly from its state: loss by step (raw, smoothed and
 * per epoch), accuracy by step, and the confusion matrix of the epoch being viewed. Each
 * chart sits in a figure with its title, a sentence of its values and its data table
 * (chart_text.js); the plots themselves are hidden from screen readers. */
import { el, num } from "./dom.js";
import { atEpoch, bestEpoch, ema } from "./state.js";

// The event types these charts show (the contract test checks every type has a view).
export const SHOWS = ["metric", "confusion_matrix"];

const COLORS = { train: "#3b5bdb", val: "#e8590c", marker: "#2b8a3e", discriminator: "#ae3ec9" };
const MATRIX_COLORS = [[0, "#f8f9fc"], [0.5, "#91a7ff"], [1, "#1c3faa"]]; // few → many

// chart_text.js (a classic script): toolbar on hover, none on phones.
export const plotConfig = () => window.ChartText.PLOT_CONFIG;

export class RunCharts {
  constructor(state, controls) {
    this.state = state;
    this.controls = controls;
    this.smoothed = { y: [], acc: 0 };
    const ChartFigure = window.ChartText.ChartFigure;
    // One column until a confusion matrix arrives (regression, GAN, autoencoder: never).
    this.node = el("div", { class: "lab-charts no-matrix" });
    this.lossChart = el("div", { class: "lab-chart run-loss" });
    this.lossFigure = new ChartFigure(this.lossChart, "Loss by training step");
    this.cmChart = el("div", { class: "lab-chart run-cm" });
    this.cmFigure = new ChartFigure(this.cmChart, "Confusion matrix");
    this.cmFigure.node.hidden = true;
    this.node.append(this.lossFigure.node, this.cmFigure.node);
    this.accChart = el("div", { class: "lab-chart run-acc" });
    this.accFigure = new ChartFigure(this.accChart, "Accuracy by training step");
    this.accFigure.node.hidden = true;
  }

  /* Draws the loss chart, empty: the accuracy and matrix charts are drawn when they first
   * have data (a chart drawn while hidden takes Plotly's default width, not its box's). */
  start() {
    Plotly.newPlot(this.lossChart, this.lossTraces(), this.lossLayout(), plotConfig());
  }

  /* Smooths the per-step losses from index `from` on (0: all of them again). */
  smooth(from) {
    if (from === 0) this.smoothed = { y: [], acc: 0 };
    ema(this.state.steps.y, this.controls.smoothingWeight(), this.smoothed, from);
  }

  hasAccuracy() {
    return this.state.epochRows.some((r) => num(r.val_accuracy) !== null || num(r.train_accuracy) !== null);
  }

  /* A GAN's losses measure a contest: its "train loss" is the generator's, and its
   * discriminator's loss comes beside it, so the chart names both players. */
  lossNames() {
    const gan = this.state.epochRows.some((r) => num(r.g_loss) !== null);
    return gan ? {
      train: "generator loss", val: "discriminator loss, validation",
      best: "lowest discriminator validation loss", gan,
    } : { train: "train loss", val: "validation loss", best: "lowest validation loss", gan };
  }

  lossTraces() {
    const rows = this.state.epochRows;
    const steps = this.state.steps;
    const xs = rows.map((r) => r.step);
    const best = bestEpoch(this.state, "val_loss", (a, b) => a < b);
    const names = this.lossNames();
    const traces = [
      { name: `${names.train} (per step, raw)`, x: steps.x, y: steps.y, mode: "lines",
        line: { width: 1, color: COLORS.train }, opacity: 0.25, hoverinfo: "skip" },
      { name: `${names.train} (epoch)`, x: xs, y: rows.map((r) => num(r.train_loss)), mode: "lines+markers",
        line: { color: COLORS.train, dash: "dot" }, marker: { size: 5 },
        customdata: rows.map((r) => r.epoch), hovertemplate: `epoch %{customdata}: %{y:.4f}<extra>${names.train}</extra>` },
      { name: `${names.val} (epoch)`, x: xs, y: rows.map((r) => num(r.val_loss)), mode: "lines+markers",
        line: { color: COLORS.val }, marker: { size: 6 },
        customdata: rows.map((r) => r.epoch), hovertemplate: `epoch %{customdata}: %{y:.4f}<extra>${names.val}</extra>` },
      { name: `${names.train} (per step, smoothed)`, x: steps.x, y: this.smoothed.y, mode: "lines",
        line: { width: 2, color: COLORS.train }, hovertemplate: "step %{x}: %{y:.4f}<extra>smoothed</extra>" },
      { name: names.best, x: best ? [best.step] : [], y: best ? [best.val_loss] : [],
        mode: "markers", marker: { symbol: "star", size: 14, color: COLORS.marker },
        hovertemplate: `lowest: epoch ${best ? best.epoch : ""}, %{y:.4f}<extra></extra>` },
    ];
    if (names.gan) {
      traces.push({ name: "discriminator loss (epoch)", x: xs, y: rows.map((r) => num(r.d_loss)),
        mode: "lines+markers", line: { color: COLORS.discriminator, dash: "dot" }, marker: { size: 5 },
        customdata: rows.map((r) => r.epoch),
        hovertemplate: "epoch %{customdata}: %{y:.4f}<extra>discriminator</extra>" });
    }
    // A VAE's loss is reconstruction + β·KL: both terms on validation, beside the total.
    if (rows.some((r) => num(r.val_kl) !== null)) {
      [["val_reconstruction", "reconstruction, validation", COLORS.val],
        ["val_kl", "KL to the prior, validation", COLORS.discriminator]].forEach(([key, name, color]) => {
        traces.push({ name: `${name} (epoch)`, x: xs, y: rows.map((r) => num(r[key])),
          mode: "lines", line: { color, dash: "dash", width: 1.5 }, customdata: rows.map((r) => r.epoch),
          hovertemplate: `epoch %{customdata}: %{y:.4f}<extra>${name}</extra>` });
      });
    }
    return traces;
  }

  accTraces() {
    const rows = this.state.epochRows;
    const xs = rows.map((r) => r.step);
    const best = bestEpoch(this.state, "val_accuracy", (a, b) => a > b);
    return [
      { name: "train accuracy", x: xs, y: rows.map((r) => num(r.train_accuracy)), mode: "lines+markers",
        line: { color: COLORS.train, dash: "dot" }, customdata: rows.map((r) => r.epoch),
        hovertemplate: "epoch %{customdata}: %{y:.1%}<extra>train</extra>" },
      { name: "validation accuracy", x: xs, y: rows.map((r) => num(r.val_accuracy)), mode: "lines+markers",
        line: { color: COLORS.val }, customdata: rows.map((r) => r.epoch),
        hovertemplate: "epoch %{customdata}: %{y:.1%}<extra>validation</extra>" },
      { name: "highest validation accuracy", x: best ? [best.step] : [], y: best ? [best.val_accuracy] : [],
        mode: "markers", marker: { symbol: "star", size: 14, color: COLORS.marker },
        hovertemplate: `best: epoch ${best ? best.epoch : ""}, %{y:.1%}<extra></extra>` },
    ];
  }

  /* A dashed line at the step of the epoch the per-epoch views show. */
  epochMarker() {
    const epoch = this.controls.shownEpoch();
    const row = this.state.epochRows.find((r) => r.epoch === epoch);
    if (!row || row.step === undefined) return { shapes: [], annotations: [] };
    return {
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: row.step, x1: row.step, y0: 0, y1: 1,
        line: { color: "#868e96", width: 1, dash: "dash" } }],
      annotations: [{ xref: "x", yref: "paper", x: row.step, y: 1, yanchor: "bottom",
        text: `epoch ${epoch}`, showarrow: false, font: { size: 11, color: "#495057" } }],
    };
  }

  baseLayout(y) {
    // The title is the figure's caption (HTML), so the toolbar never covers it; the legend
    // sits below the x-axis title.
    return { margin: { t: 24, r: 10, b: 40, l: 60 },
      xaxis: { hoverformat: "d", title: { text: "training step", standoff: 6 }, automargin: true },
      yaxis: { title: { text: y }, automargin: true },
      legend: { orientation: "h", y: -0.28, yanchor: "top" }, hovermode: "closest",
      datarevision: (this.revision = (this.revision || 0) + 1) };
  }

  lossLayout() {
    const info = this.state.latest.info;
    const layout = this.baseLayout(info && info.loss_name ? info.loss_name : "loss");
    layout.yaxis.type = this.controls.logScale.checked ? "log" : "linear";
    return Object.assign(layout, this.epochMarker());
  }

  accLayout() {
    const layout = this.baseLayout("accuracy");
    layout.yaxis.tickformat = ".0%";
    layout.height = 300;
    return Object.assign(layout, this.epochMarker());
  }

  drawCurves() {
    Plotly.react(this.lossChart, this.lossTraces(), this.lossLayout(), plotConfig());
    if (this.hasAccuracy()) {
      this.accFigure.node.hidden = false;
      Plotly.react(this.accChart, this.accTraces(), this.accLayout(), plotConfig());
    }
  }

  /* The confusion matrix at `epoch` (the newest at or before it). */
  drawMatrix(epoch) {
    const payload = atEpoch(this.state, "confusion_matrix", epoch);
    if (!payload) return;
    const { labels, matrix } = payload;
    if (this.cmFigure.node.hidden) {
      this.cmFigure.node.hidden = false;
      this.controls.normalizedControl.hidden = false;
      this.node.classList.remove("no-matrix");
      Plotly.Plots.resize(this.lossChart); // its column just got narrower
    }
    const normalized = this.controls.normalized.checked;
    const z = normalized
      ? matrix.map((row) => { const n = row.reduce((a, b) => a + b, 0); return row.map((v) => (n ? v / n : 0)); })
      : matrix;
    const text = normalized ? z.map((row) => row.map((v) => `${Math.round(v * 100)}%`))
      : matrix.map((row) => row.map(String));
    const many = labels.length > 12;
    const zmax = normalized ? 1 : Math.max(1, ...matrix.flat());
    Plotly.react(this.cmChart, [{ type: "heatmap", z, x: labels, y: labels, text,
      texttemplate: many ? "" : "%{text}", colorscale: MATRIX_COLORS, showscale: false,
      zmin: 0, zmax, // numbers on the cells take a contrasting colour by themselves
      hovertemplate: "true %{y}, predicted %{x}: %{text}<extra></extra>" }],
    { margin: { t: 10, r: 10, b: 60, l: 80 },
      xaxis: { title: { text: "predicted" }, type: "category" },
      yaxis: { title: { text: "true" }, autorange: "reversed", type: "category" } }, plotConfig());
    this.cmChart.dataset.epoch = String(payload.epoch);
    this.cmFigure.setCaption(`Confusion matrix (validation, epoch ${payload.epoch})${normalized ? ", row %" : ""}`);
    window.ChartText.describeMatrix(this.cmFigure, labels, matrix, payload.epoch);
  }
}
