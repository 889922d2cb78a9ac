/* LivePanels: the engine's pictures, tables and notes beyond loss, accuracy and the
 * confusion matrix (charts.js), drawn from the run's state (state.js) as they arrive.
 *
 * Each panel appears on the first event of its type. Per-epoch pictures (decision boundary,
 * filters, reconstructions, ...) follow the epoch scrubber; one-off results (early stop,
 * cross-validation, test set) are shown as text and tables. Payload shapes:
 * engine/events.py. Unknown fields are ignored.
 */
import { el } from "./dom.js";
import { drawTiles, table } from "./pictures.js";
import { atEpoch } from "./state.js";
import { plotConfig } from "./charts.js";
import { drawRanking } from "./ranking.js";
import { drawAttention } from "./attention.js";

const CLASS_COLORS = ["#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad",
  "#f08c00", "#495057", "#d6336c", "#5c940d"];
const f3 = (v) => (typeof v === "number" ? v.toFixed(3) : "–");
const pct = (v) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "–");

// The per-epoch pictures and tables, each by the method that draws it, in page order.
const PER_EPOCH_DRAWERS = {
  decision_boundary: "drawBoundary", discriminator_surface: "drawSurface",
  gan_samples: "drawGanSamples", latent: "drawLatent", reconstructions: "drawReconstructions",
  filters: "drawFilters", feature_maps: "drawFeatureMaps", forecast: "drawForecast",
  text_sample: "drawText", classification_report: "drawReport", fairness: "drawFairness",
  misclassified: "drawMisclassified", latent_grid: "drawLatentGrid",
  attention: "drawAttention",
};
// The event types the panels show (the contract test checks every type has a view): the
// training points are drawn under the boundary and GAN pictures.
export const SHOWS = [...Object.keys(PER_EPOCH_DRAWERS), "data_points", "gradient_norms",
  "early_stop", "weights_restored", "cv_summary", "test_metrics", "ranking"];

export class LivePanels {
  constructor(run) {
    this.run = run;
    this.state = run.state;
    this.nodes = {};
    this.drawn = {};
  }

  /* A titled panel in the run's extras area, made the first time it is needed. */
  panel(name, title, kind) {
    if (this.nodes[name]) return this.nodes[name];
    if (kind === "plot") {
      // A figure with a sentence and, where it helps, a data table (chart_text.js); the
      // plot itself is hidden from screen readers.
      const body = el("div", { class: "run-panel-plot" });
      const chart = new window.ChartText.ChartFigure(body, title, { className: `run-panel run-panel-${name}` });
      // A new panel can narrow the grid's columns: each plot follows its own box; not once
      // it is gone (a new run in the same lab replaces the panels, and Plotly throws when
      // asked to resize a plot that is no longer displayed).
      if (window.ResizeObserver) {
        const resize = () => { if (body.data && body.isConnected && body.offsetParent) Plotly.Plots.resize(body); };
        new ResizeObserver(resize).observe(body);
      }
      this.run.extras.append(chart.node);
      this.nodes[name] = { figure: chart.node, caption: chart.caption, body, title, chart };
      return this.nodes[name];
    }
    const figure = el("figure", { class: `run-panel run-panel-${name}` });
    const caption = el("figcaption", {}, title);
    const body = kind === "canvas"
      ? el("canvas", { class: "run-panel-canvas", role: "img", "aria-label": title || name })
      : el("div", { class: "run-panel-text" });
    figure.append(caption, body);
    this.run.extras.append(figure);
    this.nodes[name] = { figure, caption, body, title };
    return this.nodes[name];
  }

  plot(name, title, traces, layout) {
    const node = this.panel(name, title, "plot");
    // Heights come from the CSS (.run-panel-plot), so the panel's box always holds its plot.
    const base = { margin: { t: 10, r: 10, b: 40, l: 55 }, showlegend: true,
      legend: { orientation: "h", y: -0.25, yanchor: "top" } };
    for (const axis of ["xaxis", "yaxis"]) {
      layout[axis] = Object.assign({ automargin: true }, layout[axis]);
    }
    Plotly.react(node.body, traces, Object.assign(base, layout), plotConfig());
    return node;
  }

  at(type, epoch) {
    return atEpoch(this.state, type, epoch);
  }

  latest(type) {
    return this.state.latest[type];
  }

  gradients() {
    return this.state.series.gradient_norms || [];
  }

  draw(epoch) {
    for (const [type, name] of Object.entries(PER_EPOCH_DRAWERS)) {
      const payload = this.at(type, epoch);
      // Redraw only when what is shown changes: a scrub or a newer snapshot.
      if (payload && this.drawn[type] !== payload) {
        this.drawn[type] = payload;
        this[name](payload);
      }
    }
    if (this.gradients().length) this.drawGradients(epoch);
    this.drawOnce();
  }

  pointTraces(opacity) {
    const points = this.latest("data_points");
    if (!points) return [];
    const classes = [...new Set(points.labels)].sort((a, b) => a - b);
    const names = (this.run.info && this.run.info.classes) || [];
    return classes.map((c) => {
      const idx = points.labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
      return { type: "scatter", mode: "markers", name: names[c] || `class ${c}`,
        x: idx.map((i) => points.x[i]), y: idx.map((i) => points.y[i]),
        marker: { size: 5, color: CLASS_COLORS[c % CLASS_COLORS.length], opacity,
          line: { width: 0.5, color: "#fff" } }, hoverinfo: "skip" };
    });
  }

  drawBoundary(p) {
    const twoClass = (this.run.info && this.run.info.n_classes === 2) ||
      (this.run.info && this.run.info.classes && this.run.info.classes.length === 2);
    // A heatmap and one contour line at the boundary: far cheaper to redraw than a
    // filled contour plot, and the picture a learner needs.
    const surface = twoClass
      ? [{ type: "heatmap", x: p.x, y: p.y, z: p.probabilities, zmin: 0, zmax: 1, zsmooth: "best",
        colorscale: [[0, "#dbe4ff"], [0.5, "#ffffff"], [1, "#ffe8cc"]], showscale: false,
        name: "P(class 1)", hovertemplate: "P(class 1) = %{z:.2f}<extra></extra>" },
      { type: "contour", x: p.x, y: p.y, z: p.probabilities, showscale: false, hoverinfo: "skip",
        contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, showlegend: false,
        line: { width: 2, color: "#495057" }, name: "boundary" }]
      : [{ type: "heatmap", x: p.x, y: p.y, z: p.predicted, showscale: false, opacity: 0.35,
        colorscale: CLASS_COLORS.slice(0, 10).map((c, i, a) => [i / (a.length - 1), c]),
        zmin: 0, zmax: 9, name: "predicted class", hovertemplate: "predicted %{z}<extra></extra>" }];
    const node = this.plot("boundary", "", [...surface, ...this.pointTraces(0.9)],
      { xaxis: { title: { text: "x₁" } }, yaxis: { scaleanchor: "x", title: { text: "x₂" } } });
    node.caption.textContent = `Decision boundary, epoch ${p.epoch} (training points)`;
    node.chart.describe(`The shading shows the class the model predicts at each point of the ` +
      `plane after epoch ${p.epoch}; the dots are the training points, coloured by their true class.`);
    node.body.dataset.epoch = String(p.epoch);
  }

  drawSurface(p) {
    const samples = this.at("gan_samples", p.epoch);
    const traces = [{ type: "heatmap", x: p.x, y: p.y, z: p.probabilities, zmin: 0, zmax: 1,
      colorscale: [[0, "#f8f9fa"], [1, "#2b8a3e"]], showscale: true, colorbar: { title: { text: "P(real)" }, thickness: 10 },
      hovertemplate: "P(real) = %{z:.2f}<extra></extra>" }, ...this.pointTraces(0.35)];
    if (samples && samples.format === "points") {
      traces.push({ type: "scatter", mode: "markers", name: "generated", x: samples.x, y: samples.y,
        marker: { size: 4, color: "#c92a2a" } });
    }
    const node = this.plot("surface", "", traces,
      { xaxis: { title: { text: "x₁" } }, yaxis: { scaleanchor: "x", title: { text: "x₂" } } });
    node.caption.textContent = `Discriminator's belief "real", epoch ${p.epoch}, with real and generated points`;
    node.chart.describe(`Green where the discriminator believes a point is real after epoch ${p.epoch}; ` +
      "the real data's points over it" + (samples && samples.format === "points" ? ", generated points in red." : "."));
  }

  drawGanSamples(p) {
    if (p.format === "images") {
      const node = this.panel("gan-images", "", "canvas");
      const images = p.images;
      drawTiles(node.body, [images.slice(0, 8), images.slice(8, 16)],
        { label: `16 generated digits after epoch ${p.epoch}` });
      node.caption.textContent = `Generated samples, epoch ${p.epoch} (same noise every epoch)`;
    } else if (!this.state.perEpoch.has("discriminator_surface")) {
      const node = this.plot("gan-points", "", [...this.pointTraces(0.35), { type: "scatter",
        mode: "markers", name: "generated", x: p.x, y: p.y, marker: { size: 4, color: "#c92a2a" } }],
      { xaxis: { title: { text: "x₁" } }, yaxis: { scaleanchor: "x", title: { text: "x₂" } } });
      node.caption.textContent = `Generated points, epoch ${p.epoch}`;
      node.chart.describe(`${p.x.length} generated points (red) over the real data after epoch ${p.epoch}.`);
    }
  }

  drawLatent(p) {
    const classes = [...new Set(p.labels)].sort((a, b) => a - b);
    const traces = classes.map((c) => {
      const idx = p.labels.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
      return { type: "scatter", mode: "markers", name: String(c), x: idx.map((i) => p.x[i]),
        y: idx.map((i) => p.y[i]), marker: { size: 5, color: CLASS_COLORS[c % CLASS_COLORS.length] } };
    });
    const pca = p.method === "pca";
    const node = this.plot("latent", "", traces, {
      xaxis: { title: { text: pca ? "principal component 1" : "latent dimension 1" } },
      yaxis: { title: { text: pca ? "principal component 2" : "latent dimension 2" } } });
    node.caption.textContent = `Latent codes of validation digits, epoch ${p.epoch}` +
      (pca ? " (first two principal components)" : "");
    node.chart.describe(`${p.labels.length} validation digits placed by their codes after epoch ` +
      `${p.epoch}, one colour per digit: digits of one class close together means the code separates them.`);
  }

  drawReconstructions(p) {
    const node = this.panel("reconstructions", "", "canvas");
    const rows = [p.inputs, p.noisy, p.outputs].filter(Boolean);
    drawTiles(node.body, rows, { label: `Reconstructions after epoch ${p.epoch}` });
    node.caption.textContent = `Reconstructions, epoch ${p.epoch}: ` +
      (p.noisy ? "originals, noisy inputs, outputs" : "originals (top), outputs (bottom)");
  }

  /* A VAE's decoder over its latent plane: tile (i, j) decodes z = (x[j], y[i]). */
  drawLatentGrid(p) {
    const node = this.panel("latent-grid", "", "canvas");
    drawTiles(node.body, p.images, { gap: 2, label: `Digits decoded on an ${p.images.length}×` +
      `${p.images.length} grid of latent codes after epoch ${p.epoch}` });
    node.caption.textContent = `Decoded latent grid, epoch ${p.epoch}: z₁ from ${p.x[0]} to ` +
      `${p.x[p.x.length - 1]} left to right, z₂ from ${p.y[0]} to ${p.y[p.y.length - 1]} top to bottom`;
  }

  drawFilters(p) {
    const node = this.panel("filters", "", "canvas");
    const k = p.kernels;
    const per = Math.min(4, k.length); // four to a row, big enough to see each weight
    const rows = [];
    for (let i = 0; i < k.length; i += per) rows.push(k.slice(i, i + per));
    drawTiles(node.body, rows, { diverging: true, scale: 20, label: `First-layer filters, epoch ${p.epoch}` });
    node.caption.textContent = `First-layer filters (${p.layer || "conv1"}), epoch ${p.epoch}: blue negative, red positive`;
  }

  drawFeatureMaps(p) {
    const node = this.panel("feature-maps", "", "canvas");
    // The image, then its maps four to a row: one grid of equal, framed cells.
    const rows = [[p.image]];
    for (let i = 0; i < Math.min(8, p.maps.length); i += 4) rows.push(p.maps.slice(i, i + 4));
    drawTiles(node.body, rows, { label: `Feature maps of a validation "${p.label}" after epoch ${p.epoch}: ` +
      `the image, then ${Math.min(8, p.maps.length)} maps of the first layer` });
    node.caption.textContent = `Feature maps of a validation "${p.label}", epoch ${p.epoch}: image (top), first-layer maps`;
  }

  drawForecast(p) {
    const x = p.true.map((_, i) => i);
    const traces = [
      { name: "truth", x, y: p.true, mode: "lines", line: { color: "#212529" } },
      { name: "model", x, y: p.predicted, mode: "lines", line: { color: "#e8590c" } },
    ];
    if (p.naive) traces.push({ name: "repeat last value", x, y: p.naive, mode: "lines",
      line: { color: "#adb5bd", dash: "dot" } });
    const node = this.plot("forecast", "", traces, {
      xaxis: { title: { text: "validation time step" } }, yaxis: { title: { text: "value" } } });
    node.caption.textContent = `One-step-ahead forecast vs truth over the validation steps, epoch ${p.epoch}`;
    const mae = (ys) => ys.reduce((sum, y, i) => sum + Math.abs(y - p.true[i]), 0) / (ys.length || 1);
    node.chart.describe(`Mean absolute error after epoch ${p.epoch}: model ${f3(mae(p.predicted))}` +
      (p.naive ? `, repeating the last value ${f3(mae(p.naive))}.` : "."),
    ["step", "truth", "model", ...(p.naive ? ["repeat last value"] : [])],
    x.map((i) => [i, f3(p.true[i]), f3(p.predicted[i]), ...(p.naive ? [f3(p.naive[i])] : [])]));
  }

  drawText(p) {
    const node = this.panel("text-sample", "", "text");
    node.body.replaceChildren(el("pre", { class: "run-text-sample" }, `${p.prompt}▌${p.text}`));
    node.caption.textContent = `Text the model writes after a prompt (▌), epoch ${p.epoch}`;
  }

  drawAttention(p) {
    drawAttention(this, p);
  }

  drawReport(p) {
    const node = this.panel("report", "", "text");
    const rows = p.labels.map((label, i) => [label, f3(p.precision[i]), f3(p.recall[i]), f3(p.f1[i]),
      p.support ? p.support[i] : ""]);
    if (p.macro) rows.push(["macro average", f3(p.macro.precision), f3(p.macro.recall), f3(p.macro.f1), ""]);
    node.body.replaceChildren(table(["class", "precision", "recall", "F1", "n"], rows));
    node.caption.textContent = `Per-class validation metrics, epoch ${p.epoch}`;
  }

  /* Mistakes behind the confusion matrix: click a cell to see its validation examples. */
  drawMisclassified(p) {
    const node = this.panel("misclassified", "", "text");
    this.mistakes = p;
    if (!this.matrixClicks && this.run.cmChart.on) {
      this.matrixClicks = true;
      this.run.cmChart.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (!point) return;
        const labels = point.data.x;
        this.selectedCell = [labels.indexOf(point.y), labels.indexOf(point.x)];
        this.showMistakes();
      });
    }
    node.caption.textContent = `Mistakes on the validation set, epoch ${p.epoch}`;
    this.showMistakes();
  }

  showMistakes() {
    const node = this.nodes.misclassified;
    const labels = (this.run.info && this.run.info.classes) || [];
    const name = (i) => labels[i] ?? String(i);
    if (!this.selectedCell) {
      node.body.replaceChildren(el("p", { class: "muted" },
        "Click a cell of the confusion matrix to see validation examples behind it."));
      return;
    }
    const [truth, predicted] = this.selectedCell;
    const examples = this.mistakes.examples.filter(
      (e) => e.true === truth && e.predicted === predicted);
    const title = el("p", {}, truth === predicted
      ? `Class ${name(truth)} predicted right: only mistakes are kept.`
      : `True ${name(truth)}, predicted ${name(predicted)}: ` +
        `${examples.length ? examples.length : "no"} example${examples.length === 1 ? "" : "s"}` +
        " at this epoch.");
    const parts = [title];
    if (examples.length && examples[0].image) {
      const canvas = el("canvas", { class: "run-mistakes-canvas", role: "img",
        "aria-label": `${examples.length} misclassified images` });
      drawTiles(canvas, [examples.map((e) => e.image)], { scale: 6 });
      parts.push(canvas);
    } else if (examples.length) {
      parts.push(table(["x", "y"], examples.map((e) => e.point.map(f3))));
    }
    node.body.replaceChildren(...parts);
  }

  drawFairness(p) {
    const node = this.panel("fairness", "", "text");
    const rows = p.groups.map((group, i) => [group, pct(p.base_rate[i]), pct(p.accuracy[i]),
      pct(p.selection_rate[i]), pct(p.fpr[i]), pct(p.fnr[i]), f3(p.ppv[i])]);
    // Seven columns: the table scrolls sideways inside the panel on a phone.
    const scroll = el("div", { class: "table-scroll" });
    scroll.append(table(["group", "base rate", "accuracy", "hired", "FPR", "FNR", "PPV"], rows));
    node.body.replaceChildren(
      scroll,
      el("p", { class: "muted" }, "Base rate: share qualified. Hired: selection rate. " +
        "FPR, FNR: false-positive and false-negative rates. PPV: share of the hired who are qualified."),
      el("p", {}, `Demographic parity difference ${f3(p.demographic_parity_difference)} · ` +
        `equal opportunity difference ${f3(p.equal_opportunity_difference)} · ` +
        `equalized odds difference ${f3(p.equalized_odds_difference)} · ` +
        `predictive parity difference ${f3(p.predictive_parity_difference)}`));
    node.caption.textContent = `Fairness by group on the validation set, epoch ${p.epoch}`;
  }

  drawGradients(epoch) {
    const gradients = this.gradients();
    const layers = gradients[gradients.length - 1].layers;
    const x = gradients.map((g) => g.epoch);
    const traces = layers.map((layer, i) => ({ name: layer, x, y: gradients.map((g) => g.norms[i]),
      mode: "lines+markers", marker: { size: 4 } }));
    const node = this.plot("gradients", "Gradient norm per layer, by epoch (mean over its steps)", traces, {
      xaxis: { title: { text: "epoch" } }, yaxis: { type: "log", title: { text: "gradient norm ‖∇W‖" } },
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: epoch, x1: epoch, y0: 0, y1: 1,
        line: { color: "#868e96", width: 1, dash: "dash" } }] });
    const last = gradients[gradients.length - 1];
    const sci = (v) => Number(v).toExponential(2);
    node.chart.describe(`Gradient norms at epoch ${last.epoch}: ` +
      layers.map((l, i) => `${l} ${sci(last.norms[i])}`).join(", ") + ".",
    ["epoch", ...layers], gradients.map((g) => [g.epoch, ...g.norms.map(sci)]));
  }

  drawOnce() {
    const stop = this.latest("early_stop");
    // Under cross-validation each fold stops and restores on its own: show the latest.
    if (stop && this.drawn.early_stop !== stop) {
      this.drawn.early_stop = stop;
      const node = this.panel("early", "Early stopping", "text");
      // Runs stored before the rename called the lowest-loss epoch `best_epoch`.
      const lowestEpoch = stop.best_val_loss_epoch ?? stop.best_epoch;
      node.body.textContent = `${stop.fold ? `Fold ${stop.fold} stopped` : "Stopped"} after epoch ${stop.epoch}: the validation loss had not improved for ` +
        `${stop.patience} epochs. Lowest validation loss ${f3(stop.best_val_loss)} at epoch ${lowestEpoch}; ` +
        (stop.restore_best ? "the model gets that epoch's weights back." : `the model keeps epoch ${stop.epoch}'s weights.`);
    }
    const restored = this.latest("weights_restored");
    if (restored && this.drawn.weights_restored !== restored) {
      this.drawn.weights_restored = restored;
      const node = this.panel("restored", "Restored weights", "text");
      node.body.textContent = `${restored.fold ? `Fold ${restored.fold} trained` : "Trained"} ${restored.epoch} epochs; the model holds the weights of epoch ` +
        `${restored.weights_epoch}, the lowest validation loss (${f3(restored.val_loss)}` +
        (typeof restored.val_accuracy === "number" ? `, validation accuracy ${pct(restored.val_accuracy)}` : "") +
        "). The final metrics, the test set and the saved model are that epoch's.";
    }
    const ranking = this.latest("ranking");
    if (ranking && this.drawn.ranking !== ranking) {
      this.drawn.ranking = ranking;
      drawRanking(this, ranking);
    }
    const cv = this.latest("cv_summary");
    if (cv && !this.nodes.cv) {
      const node = this.panel("cv", "Cross-validation", "text");
      // Runs stored before the standard error was added have the population s.d. (ddof 0).
      const sampleSd = typeof cv.sem_val_accuracy === "number";
      const spread = sampleSd ? `sample s.d. across ${cv.folds.length} folds` : "population s.d. across folds";
      node.body.append(table(["fold", "validation accuracy", "macro F1", "epochs"],
        cv.folds.map((f) => [f.fold, pct(f.val_accuracy), f3(f.macro_f1), f.epochs])),
      el("p", {}, `Mean validation accuracy ${pct(cv.mean_val_accuracy)} ± ${pct(cv.std_val_accuracy)} (${spread}` +
          (sampleSd ? `; standard error of the mean ${pct(cv.sem_val_accuracy)}` : "") + "); " +
          `mean macro F1 ${f3(cv.mean_macro_f1)} ± ${f3(cv.std_macro_f1)}` +
          (sampleSd ? ` (standard error ${f3(cv.sem_macro_f1)}).` : ".")));
    }
    const test = this.latest("test_metrics");
    if (test && !this.nodes.test) {
      const node = this.panel("test", "Held-out test set", "text");
      node.body.append(el("p", {}, `On ${test.n_test} test samples never used in training` +
        (test.fold ? ` (model of fold ${test.fold})` : "") +
        `: accuracy ${pct(test.accuracy)}, loss ${f3(test.loss)}` +
        (test.macro ? `, macro F1 ${f3(test.macro.f1)}.` : ".")));
      if (test.labels && test.matrix) {
        node.body.append(table(["true \\ predicted", ...test.labels],
          test.matrix.map((row, i) => [test.labels[i], ...row]), "Test confusion matrix"));
      }
    }
  }
}
