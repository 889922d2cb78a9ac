// A stack of convolution layers seen from the side (one row of pixels): which input pixels
// the centre unit of the top layer depends on, as the kernel size, stride and depth move.
import { COLORS, canvas, el, readout, slider } from "./common.js";

export const INPUT_WIDTH = 64; // pixels in the input row, enough for the largest field (61)

/** Units in each row, input first: valid convolutions (no padding), so a unit's field
 * never runs off the image's edge. */
export function rowSizes(layers, width = INPUT_WIDTH) {
  const sizes = [width];
  for (const { k, s } of layers) sizes.push(Math.floor((sizes[sizes.length - 1] - k) / s) + 1);
  return sizes;
}

/** For each row, input first, the indices the top layer's centre unit depends on: walked
 * down from that unit, each unit j of a layer reading units j·s … j·s + k − 1 below it. */
export function seenUnits(layers, width = INPUT_WIDTH) {
  const sizes = rowSizes(layers, width);
  let current = new Set([Math.floor((sizes[sizes.length - 1] - 1) / 2)]);
  const rows = [current];
  for (let l = layers.length - 1; l >= 0; l--) {
    const { k, s } = layers[l];
    const below = new Set();
    for (const j of current) for (let i = 0; i < k; i++) below.add(j * s + i);
    rows.unshift(below);
    current = below;
  }
  return rows;
}

/** The formula: r = 1 + Σ (k_l − 1)·(s_1 ⋯ s_(l−1)). */
export function receptiveField(layers) {
  let field = 1, jump = 1;
  for (const { k, s } of layers) {
    field += (k - 1) * jump;
    jump *= s;
  }
  return field;
}

function formulaTerms(layers) {
  let jump = 1;
  return layers.map(({ k, s }) => {
    const term = jump === 1 ? `${k - 1}` : `${k - 1}·${jump}`;
    jump *= s;
    return term;
  });
}

export function mount(root) {
  const state = { depth: 3, k: 3, s: 1 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "What one unit sees: the receptive field" }), controls);
  slider(controls, { label: "layers", min: 1, max: 4, step: 1, value: state.depth, name: "layers", onInput: (v) => { state.depth = v; draw(); } });
  slider(controls, { label: "kernel size k", min: 1, max: 5, step: 2, value: state.k, name: "kernel", onInput: (v) => { state.k = v; draw(); } });
  slider(controls, { label: "stride s", min: 1, max: 2, step: 1, value: state.s, name: "stride", onInput: (v) => { state.s = v; draw(); } });
  const plot = canvas(root, { label: "Rows of units from the input (bottom) to the top layer; the units the top centre unit depends on are filled", maxWidth: 640, aspect: 0.42 });
  const out = readout(root);

  function draw() {
    const layers = Array.from({ length: state.depth }, () => ({ k: state.k, s: state.s }));
    const rows = seenUnits(layers);
    const sizes = rowSizes(layers);
    const field = receptiveField(layers);
    const { width, height } = plot.size();
    const { ctx } = plot;
    ctx.clearRect(0, 0, width, height);
    const pad = 8, labelWidth = 46;
    const cell = (width - 2 * pad - labelWidth) / INPUT_WIDTH;
    const rowGap = (height - 2 * pad) / (layers.length + 1);
    // A unit sits above the middle of the input pixels it would see with a 1-pixel field
    // at each layer: unit j of a layer whose units are `jump` pixels apart, offset by the
    // half-width of the kernels below it.
    let jump = 1, offset = 0;
    rows.forEach((seen, row) => {
      if (row > 0) {
        const { k, s } = layers[row - 1];
        offset += ((k - 1) / 2) * jump;
        jump *= s;
      }
      const y = height - pad - rowGap * (row + 0.5);
      ctx.fillStyle = COLORS.text;
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(row === 0 ? "input" : `layer ${row}`, pad, y + 4);
      for (let j = 0; j < sizes[row]; j++) {
        const x = pad + labelWidth + (offset + j * jump + 0.5) * cell;
        const on = seen.has(j);
        const side = Math.max(2, Math.min(cell * 0.8, 10));
        ctx.fillStyle = on ? (row === rows.length - 1 ? COLORS.second : COLORS.main) : COLORS.grid;
        ctx.fillRect(x - side / 2, y - side / 2, side, side);
      }
    });
    const seenInput = rows[0].size;
    plot.node.dataset.inputsSeen = String(seenInput);
    out.dataset.field = String(field);
    out.textContent = `The centre unit of layer ${layers.length} sees ${field} input pixels in a row (${field}×${field} in an image): ` +
      `r = 1 + ${formulaTerms(layers).join(" + ")} = ${field}.`;
  }
  draw();
  window.addEventListener("resize", draw);
}
