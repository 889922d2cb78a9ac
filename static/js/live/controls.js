/* The live view's controls: smoothing, log scale, normalized matrix rows, and the epoch
 * scrubber with its Play and Latest buttons. Each control redraws from the run's state, so
 * none asks the server again. */
import { el } from "./dom.js";
import { knownEpochs } from "./state.js";

const PLAY_INTERVAL_MS = 300;

function control(labelText, input) {
  const label = el("label", { class: "run-control" });
  label.append(input, ` ${labelText}`);
  return label;
}

export class RunControls {
  /* `redraw.curves()` and `redraw.epochViews()` redraw what a control changed;
   * `redraw.smoothing()` recomputes the smoothed curve first. */
  constructor(state, redraw) {
    this.state = state;
    this.redraw = redraw;
    this.selectedEpoch = null; // null: follow the latest epoch
    this.playTimer = null;

    this.node = el("div", { class: "run-controls" });
    this.smoothing = el("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: "0.8",
      class: "run-smoothing", "aria-label": "Smoothing of the per-step loss" });
    this.smoothingOut = el("output", { class: "run-smoothing-value" }, "0.80");
    const smoothingLabel = el("label", { class: "run-control" }, "Smoothing ");
    smoothingLabel.append(this.smoothing, this.smoothingOut);
    this.logScale = el("input", { type: "checkbox", class: "run-log" });
    this.normalized = el("input", { type: "checkbox", class: "run-normalized" });
    this.normalizedControl = control("Normalize matrix rows", this.normalized);
    this.normalizedControl.hidden = true; // until there is a matrix
    this.node.append(smoothingLabel, control("Log scale", this.logScale), this.normalizedControl);

    this.scrub = el("div", { class: "run-scrub" });
    this.scrubber = el("input", { type: "range", min: "1", max: "1", step: "1", value: "1",
      class: "run-scrubber", "aria-label": "Epoch shown in the per-epoch charts", disabled: "" });
    this.scrubLabel = el("output", { class: "run-scrub-label" }, "Epoch –");
    this.latestButton = el("button", { type: "button", class: "secondary run-latest" }, "Latest");
    this.latestButton.hidden = true;
    this.playButton = el("button", { type: "button", class: "secondary run-play",
      "aria-label": "Play the epochs from the first" }, "▶ Play");
    const scrubText = el("label", { class: "run-control run-scrub-control" }, "Epoch ");
    scrubText.append(this.scrubber);
    this.scrub.append(scrubText, this.scrubLabel, this.playButton, this.latestButton);

    this.smoothing.addEventListener("input", () => {
      this.smoothingOut.textContent = this.smoothingWeight().toFixed(2);
      redraw.smoothing();
      redraw.curves();
    });
    this.logScale.addEventListener("change", () => redraw.curves());
    this.normalized.addEventListener("change", () => redraw.epochViews());
    this.scrubber.addEventListener("input", () => {
      this.stopPlaying();
      this.scrubTo(Number(this.scrubber.value));
    });
    this.latestButton.addEventListener("click", () => { this.stopPlaying(); this.scrubTo(null); });
    this.playButton.addEventListener("click", () => (this.playTimer ? this.stopPlaying() : this.play()));
  }

  smoothingWeight() {
    return Number(this.smoothing.value);
  }

  /* The epoch the per-epoch views show: the one scrubbed to, or the newest. */
  shownEpoch() {
    const epochs = knownEpochs(this.state);
    if (!epochs.length) return null;
    return this.selectedEpoch === null ? epochs[epochs.length - 1] : this.selectedEpoch;
  }

  updateScrubber() {
    const epochs = knownEpochs(this.state);
    if (!epochs.length) return;
    const last = epochs[epochs.length - 1];
    const shown = this.shownEpoch();
    this.scrubber.disabled = false;
    this.scrubber.min = String(epochs[0]);
    this.scrubber.max = String(last);
    this.scrubber.value = String(shown);
    this.scrubber.setAttribute("aria-valuetext", `epoch ${shown} of ${last}`);
    this.scrubLabel.textContent = `${shown} of ${last}` + (this.selectedEpoch === null ? " (latest)" : "");
    this.latestButton.hidden = this.selectedEpoch === null;
  }

  /* Shows epoch `epoch` in every per-epoch view; null follows the newest epoch. */
  scrubTo(epoch) {
    const epochs = knownEpochs(this.state);
    const last = epochs[epochs.length - 1];
    this.selectedEpoch = epoch === null || epoch >= last ? null : epoch;
    this.updateScrubber();
    this.redraw.curves();
    this.redraw.epochViews();
  }

  /* Steps the per-epoch views through every epoch, a few per second: the decision
   * boundary, the matrix and the marker on the curves move together. */
  play() {
    const epochs = knownEpochs(this.state);
    if (epochs.length < 2) return;
    let i = 0;
    this.playButton.textContent = "⏸ Pause";
    this.scrubTo(epochs[0]);
    this.playTimer = setInterval(() => {
      i += 1;
      const known = knownEpochs(this.state);
      if (i >= known.length - 1) { this.stopPlaying(); this.scrubTo(null); return; }
      this.scrubTo(known[i]);
    }, PLAY_INTERVAL_MS);
  }

  stopPlaying() {
    clearInterval(this.playTimer);
    this.playTimer = null;
    this.playButton.textContent = "▶ Play";
  }
}
