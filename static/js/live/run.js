/* LiveRun: follows one training job's event stream and draws it.
 *
 * The stream (stream.js) hands over each new event; events are queued and folded into the
 * run's state (state.js) at most once per animation frame, so a fast stream never causes a
 * redraw per event. Everything drawn is kept as state, so the controls (controls.js:
 * smoothing, log scale, normalized counts, the epoch scrubber) redraw from it without
 * asking the server again. The core charts are charts.js's; the engine's other pictures,
 * tables and notes are the panels' (panels.js). When a run reaches its final status, the
 * document gets one `dlp:run-finished` event ({detail: {jobId, status}}).
 */
import { RunCharts, SHOWS as CHART_TYPES } from "./charts.js";
import { RunControls } from "./controls.js";
import { el, fmt, num, pct } from "./dom.js";
import { LivePanels, SHOWS as PANEL_TYPES } from "./panels.js";
import { bestEpoch, createState, foldEvents, isTerminal } from "./state.js";
import { EventStream } from "./stream.js";

// What the run's own lines of text show: its status and progress, and what it trains.
const TEXT_TYPES = ["status", "info"];
// Every event type some part of the view shows (the contract test checks the contract's).
export const SHOWN_TYPES = Object.freeze([...TEXT_TYPES, ...CHART_TYPES, ...PANEL_TYPES]);

// A screen reader hears the progress at most this often while a run trains.
const ANNOUNCE_EVERY_MS = 15000;
const MIN_REDRAW_MS = 250;

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

function formatSeconds(s) {
  if (!isFinite(s) || s < 0) return "–";
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export class LiveRun {
  constructor(container, job, options) {
    this.container = container;
    this.job = job;
    this.onStatus = (options && options.onStatus) || (() => {});
    this.state = createState(job);
    this.pending = [];
    this.frameRequested = false;
    this.stream = new EventStream(job.urls.events, {
      event: (seq, type, payload) => {
        this.pending.push({ seq, type, payload });
        this.scheduleDraw();
      },
      problem: (text) => this.showStreamProblem(text),
    });
    this.render();
    this.stream.connect();
  }

  // What tests, chart_text.js and the panels read.
  get lastSeq() { return this.stream.lastSeq; }
  get status() { return this.state.status; }
  get source() { return this.stream.source; }
  get info() { return this.state.latest.info; }
  get epochRows() { return this.state.epochRows; }
  get lossFigure() { return this.charts.lossFigure; }
  get accFigure() { return this.charts.accFigure; }
  get cmChart() { return this.charts.cmChart; }
  hasAccuracy() { return this.charts.hasAccuracy(); }

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
    // Why the page cannot follow the run right now (too many streams, for one).
    this.streamProblem = el("p", { class: "run-stream-problem field-error", role: "alert" });
    this.streamProblem.hidden = true;
    // What the run trains: lessons ask learners to read these off their own run.
    this.infoLine = el("p", { class: "run-info muted" });
    this.infoLine.hidden = true;

    this.controls = new RunControls(this.state, {
      smoothing: () => this.charts.smooth(0),
      curves: () => this.charts.drawCurves(),
      epochViews: () => this.drawEpochViews(),
    });
    this.charts = new RunCharts(this.state, this.controls);
    this.extras = el("div", { class: "run-extras" });
    this.summary = el("p", { class: "run-summary" });
    // Status and progress for screen readers: on each change of status, and now and then
    // while training (every redraw would be a flood).
    this.announcer = el("p", { class: "visually-hidden run-announcer", role: "status",
      "aria-live": "polite" });
    c.append(progress, this.infoLine, this.errorBox, this.streamProblem, this.controls.node,
      this.controls.scrub, this.charts.node, this.charts.accFigure.node, this.extras,
      this.summary, this.announcer);
    this.panels = new LivePanels(this);
    this.charts.start();
    this.showStatus();
  }

  close() {
    this.stream.close();
  }

  /* Drops the connection and opens a new one after the last event received. */
  reconnect() {
    this.stream.reconnect();
  }

  /* Stops everything this run still has scheduled (stream, redraws, playback): another
   * run is about to take its container, and a redraw or resize of its removed charts
   * would throw ("Resize must be passed a displayed plot div element"). */
  dispose() {
    this.disposed = true;
    this.close();
    this.controls.stopPlaying();
    this.container.querySelectorAll(".js-plotly-plot").forEach((div) => Plotly.purge(div));
  }

  /* One redraw per animation frame at most, and at most one per MIN_REDRAW_MS while
   * events keep coming: a full Plotly redraw costs tens of ms, a fast run sends hundreds
   * of events a second (bench/browser_chart_bench.py measures it). */
  scheduleDraw() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    // A slow machine or a big chart draws less often: drawing gets at most ~1/5 of the
    // main thread (the gap is four times the last draw's duration).
    const gap = Math.max(MIN_REDRAW_MS, 4 * (this.lastDrawCost || 0));
    const wait = Math.max(0, (this.lastDrawAt || -gap) + gap - performance.now());
    setTimeout(() => requestAnimationFrame(() => this.draw()), wait);
  }

  draw() {
    this.frameRequested = false;
    if (this.disposed) return;
    this.lastDrawAt = performance.now();
    const events = this.pending;
    this.pending = [];
    const changes = foldEvents(this.state, events, Date.now());
    if (changes.restarted || this.state.steps.y.length > changes.stepsFrom) {
      this.charts.smooth(changes.stepsFrom);
    }
    if (changes.info) {
      this.infoLine.textContent = describeInfo(this.info);
      this.infoLine.hidden = false;
    }
    if (changes.status) this.showStatus();
    if (changes.epochViews) this.controls.updateScrubber();
    if (changes.curves || changes.epochViews) this.charts.drawCurves();
    if (changes.epochViews) this.drawEpochViews();
    this.drawSummary();
    this.drawProgress();
    this.lastDrawCost = performance.now() - this.lastDrawAt;
    if (changes.finished) {
      document.dispatchEvent(new CustomEvent("dlp:run-finished",
        { detail: { jobId: this.job.id, status: changes.finished } }));
    }
  }

  drawEpochViews() {
    const epoch = this.controls.shownEpoch();
    if (epoch === null) return;
    this.charts.drawMatrix(epoch);
    this.panels.draw(epoch);
  }

  // --- text -------------------------------------------------------------------------

  drawSummary() {
    const rows = this.state.epochRows;
    const last = rows[rows.length - 1];
    if (!last) return;
    const parts = [`After epoch ${last.epoch}:`];
    if (num(last.val_accuracy) !== null) parts.push(`validation accuracy ${pct(last.val_accuracy)},`);
    if (num(last.val_loss) !== null) parts.push(`validation loss ${fmt(last.val_loss, 4)},`);
    parts.push(`${this.charts.lossNames().train} ${fmt(last.train_loss, 4)}.`);
    if (num(last.val_naive_mse) !== null) {
      parts.push(`Naive forecast (repeat the last value): validation loss ${fmt(last.val_naive_mse, 4)}.`);
    }
    const bestLoss = bestEpoch(this.state, "val_loss", (a, b) => a < b);
    const bestAcc = bestEpoch(this.state, "val_accuracy", (a, b) => a > b);
    if (bestAcc) parts.push(`Best validation accuracy ${pct(bestAcc.val_accuracy)} at epoch ${bestAcc.epoch}.`);
    if (bestLoss) parts.push(`Lowest validation loss ${fmt(bestLoss.val_loss, 4)} at epoch ${bestLoss.epoch}.`);
    this.summary.textContent = parts.join(" ");
    window.ChartText.describeCurves(this, last, bestLoss, bestAcc);
    this.announceProgress(false);
  }

  /* Tells a screen reader how the run goes: at once when `now`, else at most every
   * ANNOUNCE_EVERY_MS. */
  announceProgress(now) {
    const { status, epochDone, epochs } = this.state;
    const at = performance.now();
    if (!now && (isTerminal(status) || at - (this.lastAnnounced || 0) < ANNOUNCE_EVERY_MS)) return;
    if (!now && !epochDone) return;
    this.lastAnnounced = at;
    const words = { queued: "Queued, waiting for a free worker.", running: "Training.",
      succeeded: "Finished.", failed: "Failed.", cancelled: "Cancelled." };
    const epochText = epochs ? ` Epoch ${epochDone} of ${epochs}.` : "";
    const summary = epochDone ? ` ${this.summary.textContent}` : "";
    this.announcer.textContent = `${words[status] || status}${epochText}${summary}`;
  }

  drawProgress() {
    const { epochs, epochDone, status, fold } = this.state;
    if (!epochs) return;
    this.progressBar.max = epochs;
    this.progressBar.value = epochDone;
    const end = this.state.finishedAt || Date.now();
    const elapsed = this.state.startedAt ? (end - this.state.startedAt) / 1000 : NaN;
    const left = epochDone ? elapsed / epochDone * (epochs - epochDone) : NaN;
    const ended = { succeeded: " · finished", cancelled: " · cancelled", failed: " · failed" };
    const eta = isTerminal(status) ? ended[status] : ` · about ${formatSeconds(left)} left`;
    const folds = this.info && this.info.cv_folds;
    const foldText = fold && folds ? `Fold ${fold} / ${folds} · ` : "";
    this.progressText.textContent = `${foldText}Epoch ${epochDone} / ${epochs} · step ${this.state.step}` +
      ` · ${formatSeconds(elapsed)} elapsed${eta}`;
  }

  showStatus() {
    const { status, error } = this.state;
    if (status === "queued" && !this.state.epochDone) {
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

  /* Why the stream stopped (null: it flows again). A finished run needs no stream. */
  showStreamProblem(text) {
    const shown = Boolean(text) && !isTerminal(this.state.status);
    this.streamProblem.hidden = !shown;
    this.streamProblem.textContent = shown ? `Live updates paused: ${text}` : "";
  }
}

LiveRun.isTerminal = isTerminal;
