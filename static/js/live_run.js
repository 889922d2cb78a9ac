/* LiveRun: follows one training job's event stream and draws it with Plotly.
 *
 * One EventSource per run (browsers allow ~6 connections per origin). Events are queued
 * and drawn once per animation frame, so a fast stream never causes a redraw per event.
 * The browser reconnects by itself with Last-Event-ID; events already drawn are skipped
 * by their sequence number, so a dropped connection leaves no gap and no duplicate.
 */
(function () {
  "use strict";

  const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
  const EVENT_TYPES = ["status", "info", "metric", "confusion_matrix"];
  const PLOT_CONFIG = { responsive: true, displaylogo: false };

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fmt(value, digits) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
  }

  function formatSeconds(s) {
    if (!isFinite(s) || s < 0) return "–";
    return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
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
      const charts = el("div", { class: "lab-charts" });
      this.lossChart = el("div", { class: "lab-chart run-loss", role: "img", "aria-label": "Loss curves" });
      this.cmChart = el("div", { class: "lab-chart run-cm", role: "img", "aria-label": "Confusion matrix" });
      charts.append(this.lossChart, this.cmChart);
      this.accChart = el("div", { class: "lab-chart run-acc", role: "img", "aria-label": "Accuracy" });
      this.summary = el("p", { class: "run-summary", "aria-live": "polite" });
      c.append(progress, this.errorBox, charts, this.accChart, this.summary);

      const axes = (y) => ({ margin: { t: 40, r: 10, b: 40, l: 50 }, xaxis: { title: { text: "step" } },
        yaxis: { title: { text: y } }, legend: { orientation: "h", y: -0.2 } });
      Plotly.newPlot(this.lossChart, [
        { name: "train loss (per step)", x: [], y: [], mode: "lines", line: { width: 1 }, opacity: 0.45 },
        { name: "train loss (epoch)", x: [], y: [], mode: "lines+markers" },
        { name: "validation loss (epoch)", x: [], y: [], mode: "lines+markers" },
      ], Object.assign(axes("cross-entropy loss"), { title: { text: "Loss" } }), PLOT_CONFIG);
      Plotly.newPlot(this.accChart, [
        { name: "train accuracy", x: [], y: [], mode: "lines+markers" },
        { name: "validation accuracy", x: [], y: [], mode: "lines+markers" },
      ], Object.assign(axes("accuracy"), { title: { text: "Accuracy" }, height: 280 }), PLOT_CONFIG);
      Plotly.newPlot(this.cmChart, [{ type: "heatmap", z: [[]], colorscale: "Blues", showscale: false }],
        { title: { text: "Confusion matrix (validation)" }, margin: { t: 40, r: 10, b: 50, l: 60 },
          xaxis: { title: { text: "predicted" } }, yaxis: { title: { text: "true" }, autorange: "reversed" } },
        PLOT_CONFIG);
      this.showStatus(this.status, this.job.error);
    }

    connect() {
      this.source = new EventSource(this.job.urls.events);
      EVENT_TYPES.forEach((type) =>
        this.source.addEventListener(type, (e) => this.receive(type, e)));
    }

    close() {
      if (this.source) this.source.close();
    }

    receive(type, e) {
      const seq = Number(e.lastEventId);
      if (seq <= this.lastSeq) return;
      this.lastSeq = seq;
      this.pending.push({ seq, type, payload: JSON.parse(e.data) });
      if (type === "status" && TERMINAL.has(JSON.parse(e.data).status)) this.close();
      if (!this.frameRequested) {
        this.frameRequested = true;
        requestAnimationFrame(() => this.draw());
      }
    }

    draw() {
      this.frameRequested = false;
      const events = this.pending;
      this.pending = [];
      const steps = { x: [], y: [] };
      const epochs = { x: [], train: [], val: [], trainAcc: [], valAcc: [] };
      let matrix = null;
      let latestEpoch = null;
      for (const { type, payload } of events) {
        if (type === "metric" && payload.scope === "step") {
          steps.x.push(payload.step); steps.y.push(payload.train_loss);
          this.step = payload.step;
        } else if (type === "metric" && payload.scope === "epoch") {
          epochs.x.push(payload.step);
          epochs.train.push(payload.train_loss); epochs.val.push(payload.val_loss);
          epochs.trainAcc.push(payload.train_accuracy); epochs.valAcc.push(payload.val_accuracy);
          this.epochDone = payload.epoch; this.epochs = payload.epochs || this.epochs;
          latestEpoch = payload;
        } else if (type === "confusion_matrix") {
          matrix = payload;
        } else if (type === "info") {
          this.epochs = payload.epochs;
        } else if (type === "status") {
          this.status = payload.status;
          if (payload.status === "running" && !this.startedAt) this.startedAt = Date.now();
          if (TERMINAL.has(payload.status) && !this.finishedAt) this.finishedAt = Date.now();
          this.showStatus(payload.status, payload.error);
        }
      }
      if (steps.x.length || epochs.x.length) {
        Plotly.extendTraces(this.lossChart, { x: [steps.x, epochs.x, epochs.x],
          y: [steps.y, epochs.train, epochs.val] }, [0, 1, 2]);
      }
      if (epochs.x.length) {
        Plotly.extendTraces(this.accChart, { x: [epochs.x, epochs.x],
          y: [epochs.trainAcc, epochs.valAcc] }, [0, 1]);
      }
      if (matrix) this.drawMatrix(matrix);
      if (latestEpoch) {
        this.summary.textContent = `After epoch ${latestEpoch.epoch}: validation accuracy ` +
          `${fmt(latestEpoch.val_accuracy * 100, 1)}%, validation loss ${fmt(latestEpoch.val_loss, 4)}, ` +
          `train loss ${fmt(latestEpoch.train_loss, 4)}.`;
      }
      this.drawProgress();
    }

    drawMatrix({ labels, matrix, epoch }) {
      const text = matrix.map((row) => row.map(String));
      Plotly.react(this.cmChart, [{ type: "heatmap", z: matrix, x: labels, y: labels, text,
        texttemplate: "%{text}", colorscale: "Blues", showscale: false,
        hovertemplate: "true %{y}, predicted %{x}: %{z}<extra></extra>" }],
        Object.assign({}, this.cmChart.layout, { title: { text: `Confusion matrix (validation, epoch ${epoch})` } }),
        PLOT_CONFIG);
      this.cmChart.setAttribute("aria-label", `Confusion matrix after epoch ${epoch}: ` +
        matrix.map((row, i) => `true ${labels[i]}: ${row.join(", ")}`).join("; "));
    }

    drawProgress() {
      if (!this.epochs) return;
      this.progressBar.max = this.epochs;
      this.progressBar.value = this.epochDone;
      const end = this.finishedAt || Date.now();
      const elapsed = this.startedAt ? (end - this.startedAt) / 1000 : NaN;
      const left = this.epochDone ? elapsed / this.epochDone * (this.epochs - this.epochDone) : NaN;
      const eta = TERMINAL.has(this.status) ? "" : ` · about ${formatSeconds(left)} left`;
      this.progressText.textContent = `Epoch ${this.epochDone} / ${this.epochs} · step ${this.step}` +
        ` · ${formatSeconds(elapsed)} elapsed${eta}`;
    }

    showStatus(status, error) {
      this.errorBox.hidden = !(status === "failed" && error);
      this.errorBox.textContent = status === "failed" ? `The run failed: ${error}` : "";
      this.onStatus(status);
    }
  }

  LiveRun.isTerminal = (status) => TERMINAL.has(status);
  window.LiveRun = LiveRun;
})();
