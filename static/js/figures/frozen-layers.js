// Freezing the first blocks of a pre-trained network: which blocks are reused as they are,
// which keep learning, and how many parameters training still touches. Two networks: the
// labs' CNN (engine/transfer.py's blocks of the digits-0-4-cnn base, a new 5-class head) and
// the lesson's ResNet-18 with a new 3-class head.
import { COLORS, el, fmt, radios, readout, slider } from "./common.js";

const conv = (inC, outC, k) => outC * inC * k * k + outC; // weights and biases
const batchNorm = (channels) => 2 * channels; // scale and shift (the running statistics are buffers)

export const NETWORKS = {
  lab: {
    label: "the labs' CNN",
    blocks: [
      { name: "block 1: conv 1→16 (3×3) + batch norm", params: conv(1, 16, 3) + batchNorm(16) },
      { name: "block 2: conv 16→32 (3×3) + batch norm", params: conv(16, 32, 3) + batchNorm(32) },
    ],
    head: { name: "new output layer 128→5", params: 128 * 5 + 5 },
  },
  resnet18: {
    label: "ResNet-18",
    blocks: [
      { name: "stem: conv 7×7 + batch norm", params: 64 * 3 * 49 + batchNorm(64) },
      { name: "layer1 (64 channels)", params: 147968 },
      { name: "layer2 (128 channels)", params: 525568 },
      { name: "layer3 (256 channels)", params: 2099712 },
      { name: "layer4 (512 channels)", params: 8393728 },
    ],
    head: { name: "new output layer 512→3", params: 512 * 3 + 3 },
  },
};

/** Trainable and frozen parameter counts with the first `frozen` blocks frozen. */
export function counts(network, frozen) {
  const { blocks, head } = NETWORKS[network];
  const frozenParams = blocks.slice(0, frozen).reduce((s, b) => s + b.params, 0);
  const total = blocks.reduce((s, b) => s + b.params, 0) + head.params;
  return { total, frozen: frozenParams, trainable: total - frozenParams, share: (total - frozenParams) / total };
}

const grouped = (n) => n.toLocaleString("en-US").replace(/,/g, "\u2009");

/** A share as a percentage, with enough digits that 0.014% does not read as 0%. */
export function percent(share) {
  const digits = share < 0.001 ? 3 : share < 0.1 ? 2 : 1;
  return `${fmt(share * 100, digits)}%`;
}

export function mount(root) {
  const state = { network: "lab", frozen: 2 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Freeze the first blocks, train the rest" }), controls);
  radios(controls, {
    legend: "Network", value: state.network,
    options: Object.entries(NETWORKS).map(([key, n]) => [key, n.label]),
    onChange: (key) => {
      state.network = key;
      frozen.input.max = NETWORKS[key].blocks.length;
      frozen.set(Math.min(state.frozen, NETWORKS[key].blocks.length));
    },
  });
  const frozen = slider(controls, {
    label: "blocks frozen", min: 0, max: NETWORKS.lab.blocks.length, step: 1, value: state.frozen, name: "frozen",
    onInput: (v) => { state.frozen = v; draw(); },
  });
  const list = el("ol", { class: "frozen-layers" });
  list.style.cssText = "list-style: none; padding: 0; margin: .5rem 0; display: grid; gap: 4px;";
  root.append(list);
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small", text: "Bar length: the parameter count, on a log scale." }));

  function row(name, params, isFrozen, isNew, widest) {
    const bar = el("span", {});
    bar.style.cssText = `display:block;height:6px;border-radius:3px;margin-top:3px;`
      + `width:${Math.max(1, Math.round((Math.log10(params) / Math.log10(widest)) * 100))}%;`
      + `background:${isFrozen ? "#aab4c3" : isNew ? COLORS.second : COLORS.main};`;
    const tag = isFrozen ? "frozen, reused as it is" : isNew ? "new, trained from random weights" : "reused, fine-tuned";
    const item = el("li", {}, el("strong", { text: name }), ` — ${grouped(params)} parameters, ${tag}`, bar);
    item.style.cssText = `padding:4px 8px;border-radius:6px;border:1px solid #ddd;`
      + `background:${isFrozen ? "#eef1f5" : "#fff"};color:${isFrozen ? "#555" : COLORS.text};`;
    return item;
  }

  function draw() {
    const net = NETWORKS[state.network];
    const widest = Math.max(...net.blocks.map((b) => b.params), net.head.params);
    list.replaceChildren(
      ...net.blocks.map((b, i) => row(b.name, b.params, i < state.frozen, false, widest)),
      row(net.head.name, net.head.params, false, true, widest));
    const c = counts(state.network, state.frozen);
    const name = net.label[0].toUpperCase() + net.label.slice(1); // it opens a sentence here
    out.textContent = `${name}, ${state.frozen} of ${net.blocks.length} blocks frozen: `
      + `${grouped(c.trainable)} of ${grouped(c.total)} parameters trainable (${percent(c.share)}), `
      + `${grouped(c.frozen)} frozen.`;
  }

  draw();
}
