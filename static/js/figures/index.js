// Mounts every interactive figure of a lesson (`<div class="figure" data-figure="name">`) and
// turns code blocks in `<div class="code-tabs">` into keyboard-usable tabs.
import * as activations from "./activations.js";
import * as attention from "./attention.js";
import * as attribution from "./attribution.js";
import * as fairnessThresholds from "./fairness-thresholds.js";
import * as holdoutSpread from "./holdout-spread.js";
import * as convolution from "./convolution.js";
import * as forwardPass from "./forward-pass.js";
import * as gradientDescent from "./gradient-descent.js";
import * as historyTimeline from "./history-timeline.js";
import * as initHistograms from "./init-histograms.js";
import * as klGaussian from "./kl-gaussian.js";
import * as neuron from "./neuron.js";
import * as optimizerPaths from "./optimizer-paths.js";
import * as receptiveField from "./receptive-field.js";
import * as positionalEncoding from "./positional-encoding.js";
import * as polynomialFit from "./polynomial-fit.js";
import * as rocPoint from "./roc-point.js";
import * as searchCoverage from "./search-coverage.js";
import * as softmax from "./softmax.js";
import * as threshold from "./threshold.js";
import * as backpropGraph from "./backprop-graph.js";
import * as batchNoise from "./batch-noise.js";
import * as rnnGradient from "./rnn-gradient.js";
import * as ganDiscriminator from "./gan-discriminator.js";
import * as bottleneck from "./bottleneck.js";
import * as frozenLayers from "./frozen-layers.js";
import * as groupShare from "./group-share.js";
import * as batchNorm from "./batch-norm.js";
import * as weightDecay from "./weight-decay.js";
import * as autogradLoop from "./autograd-loop.js";
import * as psiDrift from "./psi-drift.js";
import * as iouBoxes from "./iou-boxes.js";

export const FIGURES = {
  neuron,
  activations,
  "forward-pass": forwardPass,
  "gradient-descent": gradientDescent,
  convolution,
  threshold,
  "init-histograms": initHistograms,
  "optimizer-paths": optimizerPaths,
  softmax,
  "roc-point": rocPoint,
  "history-timeline": historyTimeline,
  "backprop-graph": backpropGraph,
  "batch-noise": batchNoise,
  "rnn-gradient": rnnGradient,
  "gan-discriminator": ganDiscriminator,
  "bottleneck": bottleneck,
  "frozen-layers": frozenLayers,
  "group-share": groupShare,
  attention,
  attribution,
  "fairness-thresholds": fairnessThresholds,
  "holdout-spread": holdoutSpread,
  "receptive-field": receptiveField,
  "kl-gaussian": klGaussian,
  "positional-encoding": positionalEncoding,
  "search-coverage": searchCoverage,
  "polynomial-fit": polynomialFit,
  "batch-norm": batchNorm,
  "weight-decay": weightDecay,
  "autograd-loop": autogradLoop,
  "psi-drift": psiDrift,
  "iou-boxes": iouBoxes,
};

// The pure functions behind the figures, for checking their numbers from a test or the console.
window.dlFigures = FIGURES;

function mountFigures() {
  for (const node of document.querySelectorAll("[data-figure]")) {
    const figure = FIGURES[node.dataset.figure];
    if (!figure || node.dataset.mounted) continue;
    node.dataset.mounted = "true";
    try {
      figure.mount(node);
    } catch (error) {
      node.textContent = `This figure could not be shown (${error.message}).`;
      node.classList.add("figure-error");
    }
  }
}

function mountTabs() {
  document.querySelectorAll(".code-tabs").forEach((box, n) => {
    const panels = [...box.querySelectorAll(":scope > .code-tab")];
    const list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.className = "tab-list";
    const buttons = panels.map((panel, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = panel.dataset.tab;
      button.id = `tab-${n}-${i}`;
      button.setAttribute("role", "tab");
      button.setAttribute("aria-controls", `tabpanel-${n}-${i}`);
      panel.id = `tabpanel-${n}-${i}`;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      panel.querySelector("h4")?.classList.add("visually-hidden");
      button.addEventListener("click", () => select(i));
      button.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) { select((i + step + panels.length) % panels.length); buttons[(i + step + panels.length) % panels.length].focus(); }
      });
      list.append(button);
      return button;
    });
    function select(i) {
      buttons.forEach((b, j) => { b.setAttribute("aria-selected", String(i === j)); b.tabIndex = i === j ? 0 : -1; });
      panels.forEach((p, j) => { p.hidden = i !== j; });
    }
    box.prepend(list);
    box.classList.add("tabs-ready");
    select(0);
  });
}

mountFigures();
mountTabs();
