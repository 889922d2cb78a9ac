/* LiveRun: follows one training job's event stream and draws it with Plotly.
 *
 * One EventSource per run (browsers allow ~6 connections per origin). Events are queued
 * and folded into the run's state once per animation frame, so a fast stream never causes
 * a redraw per event. The browser reconnects by itself with Last-Event-ID; events already
 * drawn are skipped by their sequence number, so a dropped connection leaves no gap and no
 * duplicate. Everything drawn is kept as state, so the controls (smoothing, log scale,
 * normalized counts, the epoch scrubber) redraw from it without asking the server again.
 *
 * Streams other than status/info/metric/confusion_matrix are drawn by the panels of
 * live_panels.js (window.LivePanels) when that script is loaded; unknown types are ignored.
 */
(function () {
  "use strict";

  const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
  const CORE_TYPES = ["status", "info", "metric", "confusion_matrix"];
  const PLOT_CONFIG = window.ChartText.PLOT_CONFIG; // chart_text.js: toolbar on hover, none on phones
  const ChartFigure = window.ChartText.ChartFigure;
  // A screen reader hears the progress at most this often while a run trains.
  const ANNOUNCE_EVERY_MS = 15000;
  const COLORS = { train: "#3b5bdb", val: "#e8590c", marker: "#2b8a3e", discriminator: "#ae3ec9" };
  const MATRIX_COLORS = [[0, "#f8f9fc"], [0.5, "#91a7ff"], [1, "#1c3faa"]]; // few → many

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function num(value) {
    return typeof value === "number" && isFinite(value) ? value : null;
  }

  function fmt(value, digits) {
    return num(value) === null ? "–" : Number(value).toFixed(digits);
  }

  /* One line from the run's info event: the parameters it trains (and, for transfer
   * learning, what it copied and froze), its data sizes and its schedule. */
  function describeInfo(info) {
    const count = (n) => Number(n).toLocaleString("en-US");
    const parts = [`${count(info.n_params)} trainable parameters`];
    const transfer = info.transfer;
    if (transfer) {
      parts[0] += ` (${count(transfer.frozen_params)} more frozen; ${transfer.layers_copied} ` +
        `layers copied from base ${transfer.base}, ${transfer.layers_frozen} frozen)`;
    }
    const sizes = [`${count(info.n_train)} training`, `${count(info.n_val)} validation`];
    if (info.n_test) sizes.push(`${count(info.n_test)} test`);
    parts.push(`${sizes.join(" / ")} examples`);
    if (info.cv_folds) parts.push(`${info.cv_folds}-fold cross-validation`);
    if (info.epochs) {
      parts.push(`${info.epochs} epochs` +
        (info.steps_per_epoch ? ` of ${count(info.steps_per_epoch)} steps (batch ${info.batch_size})` : ""));
    }
    if (info.packed_with) parts.push(`trained packed with ${info.packed_with} other runs`);
    return parts.join(" · ");
  }

  function pct(value) {
    return num(value) === null ? "–" : `${(value * 100).toFixed(1)}%`;
  }

  function formatSeconds(s) {
    if (!isFinite(s) || s < 0) return "–";
    return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  }

  /* Exponential moving average with TensorBoard's bias correction, so the first points are
   * not dragged towards zero. `from` continues an earlier computation. */
  function ema(values, weight, out, from) {
    let acc = from > 0 ? out.acc : 0;
    for (let i = from; i < values.length; i++) {
      acc = acc * weight + (1 - weight) * values[i];
      out.y[i] = weight > 0 ? acc / (1 - Math.pow(weight, i + 1)) : values[i];
    }
    out.y.length = values.length;
    out.acc = acc;
  }

  function control(labelText, input) {
    const label = el("label", { class: "run-control" });
    label.append(input, ` ${labelText}`);
    return label;
  }

  class LiveRun {
    constructor(container, job, options) {
      this.container = container;
      this.job = job;
      this.onStatus = (options && options.onStatus) || (() => {});
      this.lastSeq = 0;
      this.pending = [];
      this.frameRequested = false;
      this.epochs = job.config && job.config.optim ? job.config.optim.epochs : null;
      this.epochDone = 0;
      this.step = 0;
      this.startedAt = job.started_at ? Date.parse(job.started_at) : null;
      this.finishedAt = job.finished_at ? Date.parse(job.finished_at) : null;
      this.status = job.status;
      // Drawn state.
      this.steps = { x: [], y: [] };
      this.smoothed = { y: [], acc: 0 };
      this.epochRows = [];
      this.matrices = new Map();
      this.selectedEpoch = null; // null: follow the latest epoch
      this.panels = window.LivePanels ? new window.LivePanels(this) : null;
      this.render();
      this.connect();
    }

    render() {
      const c = this.container;
      c.replaceChildren();
      c.hidden = false;
      const progress = el("div", { class: "run-progress" });
      this.progressBar = el("progress", { max: "1", value: "0", "aria-label": "Epochs done" });
      this.progressText = el("span", { class: "run-progress-text muted" }, "Waiting for the worker…");
      progress.append(this.progressBar, this.progressText);
      this.errorBox = el("p", { class: "run-error field-error", role: "alert" });
      this.errorBox.hidden = true;
      // What the run trains: lessons ask learners to read these off their own run.
      this.infoLine = el("p", { class: "run-info muted" });
      this.infoLine.hidden = true;

      const controls = el("div", { class: "run-controls" });
      this.smoothing = el("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: "0.8",
        class: "run-smoothing", "aria-label": "Smoothing of the per-step loss" });
      this.smoothingOut = el("output", { class: "run-smoothing-value" }, "0.80");
      const smoothingLabel = el("label", { class: "run-control" }, "Smoothing ");
      smoothingLabel.append(this.smoothing, this.smoothingOut);
      this.logScale = el("input", { type: "checkbox", class: "run-log" });
      this.normalized = el("input", { type: "checkbox", class: "run-normalized" });
      this.normalizedControl = control("Normalize matrix rows", this.normalized);
      this.normalizedControl.hidden = true; // until there is a matrix
      controls.append(smoothingLabel, control("Log scale", this.logScale), this.normalizedControl);

      const scrub = el("div", { class: "run-scrub" });
      this.scrubber = el("input", { type: "range", min: "1", max: "1", step: "1", value: "1",
        class: "run-scrubber", "aria-label": "Epoch shown in the per-epoch charts", disabled: "" });
      this.scrubLabel = el("output", { class: "run-scrub-label" }, "Epoch –");
      this.latestButton = el("button", { type: "button", class: "secondary run-latest" }, "Latest");
      this.latestButton.hidden = true;
      this.playButton = el("button", { type: "button", class: "secondary run-play",
        "aria-label": "Play the epochs from the first" }, "▶ Play");
      const scrubText = el("label", { class: "run-control run-scrub-control" }, "Epoch ");
      scrubText.append(this.scrubber);
      scrub.append(scrubText, this.scrubLabel, this.playButton, this.latestButton);

      // One column until a confusion matrix arrives (regression, GAN, autoencoder: never).
      this.charts = el("div", { class: "lab-charts no-matrix" });
      const charts = this.charts;
      // Each chart in a figure with its title, a sentence of its values and its data table
      // (chart_text.js); the plots themselves are hidden from screen readers.
      this.lossChart = el("div", { class: "lab-chart run-loss" });
      this.lossFigure = new ChartFigure(this.lossChart, "Loss by training step");
      this.cmChart = el("div", { class: "lab-chart run-cm" });
      this.cmFigure = new ChartFigure(this.cmChart, "Confusion matrix");
      this.cmFigure.node.hidden = true;
      charts.append(this.lossFigure.node, this.cmFigure.node);
      this.accChart = el("div", { class: "lab-chart run-acc" });
      this.accFigure = new ChartFigure(this.accChart, "Accuracy by training step");
      this.accFigure.node.hidden = true;
      this.extras = el("div", { class: "run-extras" });
      this.summary = el("p", { class: "run-summary" });
      // Status and progress for screen readers: on each change of status, and now and then
      // while training (every redraw would be a flood).
      this.announcer = el("p", { class: "visually-hidden run-announcer", role: "status",
        "aria-live": "polite" });
      c.append(progress, this.infoLine, this.errorBox, controls, scrub, charts,
        this.accFigure.node, this.extras, this.summary, this.announcer);

      this.smoothing.addEventListener("input", () => {
        this.smoothingOut.textContent = Number(this.smoothing.value).toFixed(2);
        ema(this.steps.y, Number(this.smoothing.value), this.smoothed, 0);
        this.drawCurves();
      });
      this.logScale.addEventListener("change", () => this.drawCurves());
      this.normalized.addEventListener("change", () => this.drawEpochViews());
      this.scrubber.addEventListener("input", () => {
        this.stopPlaying();
        this.scrubTo(Number(this.scrubber.value));
      });
      this.latestButton.addEventListener("click", () => { this.stopPlaying(); this.scrubTo(null); });
      this.playButton.addEventListener("click", () => (this.playTimer ? this.stopPlaying() : this.play()));

      // The accuracy and matrix charts are drawn when they first have data: a chart drawn
      // while hidden would take Plotly's default width instead of its container's.
      Plotly.newPlot(this.lossChart, this.lossTraces(), this.lossLayout(), PLOT_CONFIG);
      this.showStatus(this.status, this.job.error);
    }

    // --- the stream -------------------------------------------------------------------

    connect() {
      // A new EventSource cannot set Last-Event-ID itself: the query parameter carries it.
      const url = new URL(this.job.urls.events, window.location.href);
      if (this.lastSeq) url.searchParams.set("last_event_id", String(this.lastSeq));
      const source = new EventSource(url);
      this.source = source;
      const types = CORE_TYPES.concat(this.panels ? this.panels.types() : []);
      types.forEach((type) => source.addEventListener(type, (e) => this.receive(type, e)));
      source.addEventListener("error", () => {
        // CLOSED: the server refused (e.g. a restart mid-request); the browser gives up,
        // so try again ourselves, after the last event we have.
        if (source.readyState === EventSource.CLOSED && this.source === source &&
            !TERMINAL.has(this.status)) {
          this.retryTimer = setTimeout(() => this.reconnect(), 2000);
        }
      });
    }

    /* Drops the connection and opens a new one after the last event received: what the
     * browser does by itself after a network error (tests use it to force one). */
    reconnect() {
      clearTimeout(this.retryTimer);
      if (this.source) this.source.close();
      if (!this.finished) this.connect();
    }

    close() {
      clearTimeout(this.retryTimer);
      if (this.source) this.source.close();
      this.source = null;
    }

    /* Stops everything this run still has scheduled (stream, redraws, playback): another
     * run is about to take its container, and a redraw or resize of its removed charts
     * would throw ("Resize must be passed a displayed plot div element"). */
    dispose() {
      this.disposed = true;
      this.close();
      this.stopPlaying();
      this.container.querySelectorAll(".js-plotly-plot").forEach((div) => Plotly.purge(div));
    }

    receive(type, e) {
      const seq = Number(e.lastEventId);
      if (seq <= this.lastSeq) return;
      this.lastSeq = seq;
      const payload = JSON.parse(e.data);
      this.pending.push({ seq, type, payload });
      if (type === "status" && TERMINAL.has(payload.status)) {
        this.finished = true;
        this.close();
      }
      this.scheduleDraw();
    }

    /* One redraw per animation frame at most, and at most one per MIN_REDRAW_MS while
     * events keep coming: a full Plotly redraw costs tens of ms, a fast run sends hundreds
     * of events a second (bench/browser_chart_bench.py measures it). */
    scheduleDraw() {
      if (this.frameRequested) return;
      this.frameRequested = true;
      // A slow machine or a big chart draws less often: drawing gets at most ~1/5 of the
      // main thread (the gap is four times the last draw's duration).
      const gap = Math.max(LiveRun.MIN_REDRAW_MS, 4 * (this.lastDrawCost || 0));
      const wait = Math.max(0, (this.lastDrawAt || -gap) + gap - performance.now());
      setTimeout(() => requestAnimationFrame(() => this.draw()), wait);
    }

    // --- folding events into state ----------------------------------------------------

    draw() {
      this.frameRequested = false;
      if (this.disposed) return;
      this.lastDrawAt = performance.now();
      const events = this.pending;
      this.pending = [];
      let curves = false;
      let epochViews = false;
      let stepsBefore = this.steps.y.length;
      for (const { type, payload } of events) {
        if (payload.fold !== undefined && payload.fold !== this.fold &&
            (type === "metric" || type === "confusion_matrix" || type === "info")) {
          this.startFold(payload.fold);
          stepsBefore = 0;
          curves = true;
        }
        if (type === "metric" && payload.scope === "step") {
          this.steps.x.push(payload.step); this.steps.y.push(num(payload.train_loss));
          this.step = payload.step;
          curves = true;
        } else if (type === "metric" && payload.scope === "epoch") {
          this.epochRows.push(payload);
          this.epochDone = payload.epoch; this.epochs = payload.epochs || this.epochs;
          if (payload.step !== undefined) this.step = Math.max(this.step, payload.step);
          curves = true; epochViews = true;
        } else if (type === "confusion_matrix") {
          this.matrices.set(payload.epoch, payload);
          epochViews = true;
        } else if (type === "info") {
          this.info = payload;
          if (payload.epochs) this.epochs = payload.epochs;
          this.infoLine.textContent = describeInfo(payload);
          this.infoLine.hidden = false;
        } else if (type === "status") {
          if (payload.restarted) {
            // The worker died and a new attempt trains from scratch: so do the curves.
            this.startFold(this.fold);
            stepsBefore = 0;
            curves = true;
          }
          this.status = payload.status;
          if (payload.status === "running" && !this.startedAt) this.startedAt = Date.now();
          if (TERMINAL.has(payload.status) && !this.finishedAt) this.finishedAt = Date.now();
          this.showStatus(payload.status, payload.error);
        } else if (this.panels && this.panels.accept(type, payload)) {
          epochViews = true;
        }
      }
      if (this.steps.y.length > stepsBefore) {
        ema(this.steps.y, Number(this.smoothing.value), this.smoothed, stepsBefore);
      }
      if (epochViews) this.updateScrubber();
      if (curves || epochViews) this.drawCurves();
      if (epochViews) this.drawEpochViews();
      this.drawSummary();
      this.drawProgress();
      this.lastDrawCost = performance.now() - this.lastDrawAt;
    }

    /* Cross-validation trains one model per fold, each from step 1: the curves show the
     * fold in progress (the cross-validation panel sums the folds up at the end). */
    startFold(fold) {
      this.fold = fold;
      this.steps.x.length = 0; this.steps.y.length = 0;
      this.smoothed = { y: [], acc: 0 };
      this.epochRows = [];
      this.matrices = new Map();
      this.epochDone = 0; this.step = 0;
    }

    /* Epochs with something to show per epoch, oldest first. */
    knownEpochs() {
      const epochs = new Set(this.epochRows.map((r) => r.epoch));
      this.matrices.forEach((_, epoch) => epochs.add(epoch));
      if (this.panels) this.panels.epochs().forEach((epoch) => epochs.add(epoch));
      return [...epochs].sort((a, b) => a - b);
    }

    shownEpoch() {
      const epochs = this.knownEpochs();
      if (!epochs.length) return null;
      return this.selectedEpoch === null ? epochs[epochs.length - 1] : this.selectedEpoch;
    }

    updateScrubber() {
      const epochs = this.knownEpochs();
      if (!epochs.length) return;
      this.scrubber.disabled = false;
      this.scrubber.min = String(epochs[0]);
      this.scrubber.max = String(epochs[epochs.length - 1]);
      const shown = this.shownEpoch();
      this.scrubber.value = String(shown);
      this.scrubber.setAttribute("aria-valuetext", `epoch ${shown} of ${epochs[epochs.length - 1]}`);
      this.scrubLabel.textContent = `${shown} of ${epochs[epochs.length - 1]}` +
        (this.selectedEpoch === null ? " (latest)" : "");
      this.latestButton.hidden = this.selectedEpoch === null;
    }

    /* Shows epoch `epoch` in every per-epoch view; null follows the newest epoch. */
    scrubTo(epoch) {
      const epochs = this.knownEpochs();
      const last = epochs[epochs.length - 1];
      this.selectedEpoch = epoch === null || epoch >= last ? null : epoch;
      this.updateScrubber();
      this.drawCurves();
      this.drawEpochViews();
    }

    /* Steps the per-epoch views through every epoch, a few per second: the decision
     * boundary, the matrix and the marker on the curves move together. */
    play() {
      const epochs = this.knownEpochs();
      if (epochs.length < 2) return;
      let i = 0;
      this.playButton.textContent = "⏸ Pause";
      this.scrubTo(epochs[0]);
      this.playTimer = setInterval(() => {
        i += 1;
        const known = this.knownEpochs();
        if (i >= known.length - 1) { this.stopPlaying(); this.scrubTo(null); return; }
        this.scrubTo(known[i]);
      }, LiveRun.PLAY_INTERVAL_MS);
    }

    stopPlaying() {
      clearInterval(this.playTimer);
      this.playTimer = null;
      this.playButton.textContent = "▶ Play";
    }

    // --- curves -----------------------------------------------------------------------

    hasAccuracy() {
      return this.epochRows.some((r) => num(r.val_accuracy) !== null || num(r.train_accuracy) !== null);
    }

    bestEpoch(key, better) {
      let best = null;
      for (const row of this.epochRows) {
        if (num(row[key]) !== null && (best === null || better(row[key], best[key]))) best = row;
      }
      return best;
    }

    /* A GAN's losses measure a contest: its "train loss" is the generator's, and its
     * discriminator's loss comes beside it, so the chart names both players. */
    lossNames() {
      const gan = this.epochRows.some((r) => num(r.g_loss) !== null);
      return gan ? {
        train: "generator loss", val: "discriminator loss, validation",
        best: "lowest discriminator validation loss", gan,
      } : { train: "train loss", val: "validation loss", best: "lowest validation loss", gan };
    }

    lossTraces() {
      const rows = this.epochRows;
      const xs = rows.map((r) => r.step);
      const best = this.bestEpoch("val_loss", (a, b) => a < b);
      const names = this.lossNames();
      const traces = [
        { name: `${names.train} (per step, raw)`, x: this.steps.x, y: this.steps.y, mode: "lines",
          line: { width: 1, color: COLORS.train }, opacity: 0.25, hoverinfo: "skip" },
        { name: `${names.train} (epoch)`, x: xs, y: rows.map((r) => num(r.train_loss)), mode: "lines+markers",
          line: { color: COLORS.train, dash: "dot" }, marker: { size: 5 },
          customdata: rows.map((r) => r.epoch), hovertemplate: `epoch %{customdata}: %{y:.4f}<extra>${names.train}</extra>` },
        { name: `${names.val} (epoch)`, x: xs, y: rows.map((r) => num(r.val_loss)), mode: "lines+markers",
          line: { color: COLORS.val }, marker: { size: 6 },
          customdata: rows.map((r) => r.epoch), hovertemplate: `epoch %{customdata}: %{y:.4f}<extra>${names.val}</extra>` },
        { name: `${names.train} (per step, smoothed)`, x: this.steps.x, y: this.smoothed.y, mode: "lines",
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
      return traces;
    }

    accTraces() {
      const rows = this.epochRows;
      const xs = rows.map((r) => r.step);
      const best = this.bestEpoch("val_accuracy", (a, b) => a > b);
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

    epochMarker() {
      const epoch = this.shownEpoch();
      const row = this.epochRows.find((r) => r.epoch === epoch);
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
      const layout = this.baseLayout(this.info && this.info.loss_name ? this.info.loss_name : "loss");
      layout.yaxis.type = this.logScale && this.logScale.checked ? "log" : "linear";
      return Object.assign(layout, this.epochMarker());
    }

    accLayout() {
      const layout = this.baseLayout("accuracy");
      layout.yaxis.tickformat = ".0%";
      layout.height = 300;
      return Object.assign(layout, this.epochMarker());
    }

    drawCurves() {
      Plotly.react(this.lossChart, this.lossTraces(), this.lossLayout(), PLOT_CONFIG);
      if (this.hasAccuracy()) {
        this.accFigure.node.hidden = false;
        Plotly.react(this.accChart, this.accTraces(), this.accLayout(), PLOT_CONFIG);
      }
    }

    // --- per-epoch views --------------------------------------------------------------

    cmLayout() {
      return { margin: { t: 10, r: 10, b: 60, l: 80 },
        xaxis: { title: { text: "predicted" }, type: "category" },
        yaxis: { title: { text: "true" }, autorange: "reversed", type: "category" } };
    }

    /* The newest payload at or before `epoch` in a map keyed by epoch. */
    static atEpoch(map, epoch) {
      let found = null;
      map.forEach((value, key) => {
        if (key <= epoch && (found === null || key > found[0])) found = [key, value];
      });
      return found ? found[1] : null;
    }

    drawEpochViews() {
      const epoch = this.shownEpoch();
      if (epoch === null) return;
      const cm = LiveRun.atEpoch(this.matrices, epoch);
      if (cm) this.drawMatrix(cm);
      if (this.panels) this.panels.draw(epoch);
    }

    drawMatrix({ labels, matrix, epoch }) {
      if (this.cmFigure.node.hidden) {
        this.cmFigure.node.hidden = false;
        this.normalizedControl.hidden = false;
        this.charts.classList.remove("no-matrix");
        Plotly.Plots.resize(this.lossChart); // its column just got narrower
      }
      const normalized = this.normalized.checked;
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
        hovertemplate: `true %{y}, predicted %{x}: %{text}<extra></extra>` }],
      this.cmLayout(), PLOT_CONFIG);
      this.cmChart.dataset.epoch = String(epoch);
      this.cmFigure.setCaption(`Confusion matrix (validation, epoch ${epoch})${normalized ? ", row %" : ""}`);
      window.ChartText.describeMatrix(this.cmFigure, labels, matrix, epoch);
    }

    // --- text -------------------------------------------------------------------------

    drawSummary() {
      const last = this.epochRows[this.epochRows.length - 1];
      if (!last) return;
      const parts = [`After epoch ${last.epoch}:`];
      if (num(last.val_accuracy) !== null) parts.push(`validation accuracy ${pct(last.val_accuracy)},`);
      if (num(last.val_loss) !== null) parts.push(`validation loss ${fmt(last.val_loss, 4)},`);
      parts.push(`${this.lossNames().train} ${fmt(last.train_loss, 4)}.`);
      if (num(last.val_naive_mse) !== null) {
        parts.push(`Naive forecast (repeat the last value): validation loss ${fmt(last.val_naive_mse, 4)}.`);
      }
      const bestLoss = this.bestEpoch("val_loss", (a, b) => a < b);
      const bestAcc = this.bestEpoch("val_accuracy", (a, b) => a > b);
      if (bestAcc) parts.push(`Best validation accuracy ${pct(bestAcc.val_accuracy)} at epoch ${bestAcc.epoch}.`);
      if (bestLoss) parts.push(`Lowest validation loss ${fmt(bestLoss.val_loss, 4)} at epoch ${bestLoss.epoch}.`);
      this.summary.textContent = parts.join(" ");
      window.ChartText.describeCurves(this, last, bestLoss, bestAcc);
      this.announceProgress(false);
    }

    /* Tells a screen reader how the run goes: at once when `now`, else at most every
     * ANNOUNCE_EVERY_MS. */
    announceProgress(now) {
      const at = performance.now();
      if (!now && (TERMINAL.has(this.status) || at - (this.lastAnnounced || 0) < ANNOUNCE_EVERY_MS)) return;
      if (!now && !this.epochDone) return;
      this.lastAnnounced = at;
      const words = { queued: "Queued, waiting for a free worker.", running: "Training.",
        succeeded: "Finished.", failed: "Failed.", cancelled: "Cancelled." };
      const epochs = this.epochs ? ` Epoch ${this.epochDone} of ${this.epochs}.` : "";
      const summary = this.epochDone ? ` ${this.summary.textContent}` : "";
      this.announcer.textContent = `${words[this.status] || this.status}${epochs}${summary}`;
    }

    drawProgress() {
      if (!this.epochs) return;
      this.progressBar.max = this.epochs;
      this.progressBar.value = this.epochDone;
      const end = this.finishedAt || Date.now();
      const elapsed = this.startedAt ? (end - this.startedAt) / 1000 : NaN;
      const left = this.epochDone ? elapsed / this.epochDone * (this.epochs - this.epochDone) : NaN;
      const ended = { succeeded: " · finished", cancelled: " · cancelled", failed: " · failed" };
      const eta = TERMINAL.has(this.status) ? ended[this.status] : ` · about ${formatSeconds(left)} left`;
      const folds = this.info && this.info.cv_folds;
      const fold = this.fold && folds ? `Fold ${this.fold} / ${folds} · ` : "";
      this.progressText.textContent = `${fold}Epoch ${this.epochDone} / ${this.epochs} · step ${this.step}` +
        ` · ${formatSeconds(elapsed)} elapsed${eta}`;
    }

    showStatus(status, error) {
      if (status === "queued" && !this.epochDone) {
        this.progressText.textContent = "Queued: waiting for a free worker…";
      }
      // A failure, or a note while running (a restart after a lost worker says why).
      this.errorBox.hidden = !(error && (status === "failed" || status === "running"));
      this.errorBox.textContent = status === "failed" ? `The run failed: ${error}` : (error || "");
      if (status !== this.announcedStatus) {
        this.announcedStatus = status;
        // After this redraw, so the summary announced is the one just drawn.
        setTimeout(() => this.announceProgress(true), 0);
      }
      this.onStatus(status);
    }
  }

  LiveRun.MIN_REDRAW_MS = 250;
  LiveRun.PLAY_INTERVAL_MS = 300;
  LiveRun.isTerminal = (status) => TERMINAL.has(status);
  LiveRun.el = el;
  LiveRun.num = num;
  LiveRun.PLOT_CONFIG = PLOT_CONFIG;
  window.LiveRun = LiveRun;
})();
