// Intersection over union of a predicted box and the true one, as detection benchmarks score
// it: move and resize the prediction and see how little it takes to fall below the usual 0.5.
// Boxes are [x0, y0, x1, y1] with x0 < x1 and y0 < y1, on a grid from 0 to 8.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const TRUE_BOX = [2, 2, 6, 6];
export const START = { x: 0, y: 0, size: 4 };
export const HIT = 0.5;

const area = ([x0, y0, x1, y1]) => Math.max(0, x1 - x0) * Math.max(0, y1 - y0);

/** The overlap's area, the union's area and their ratio. */
export function iou(a, b) {
  const overlap = area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  const union = area(a) + area(b) - overlap;
  return { overlap, union, iou: overlap / union };
}

export function box({ x, y, size }) {
  return [x, y, x + size, y + size];
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Intersection over union of two boxes" }), controls);
  const move = (key) => (v) => { state[key] = v; draw(); };
  slider(controls, { label: "predicted box: left x", min: 0, max: 6, step: 0.1, value: state.x, name: "x", onInput: move("x") });
  slider(controls, { label: "predicted box: bottom y", min: 0, max: 6, step: 0.1, value: state.y, name: "y", onInput: move("y") });
  slider(controls, { label: "predicted box: side", min: 1, max: 8, step: 0.1, value: state.size, name: "size", onInput: move("size") });
  const plot = canvas(root, { label: "The true box and the predicted box", maxWidth: 360, aspect: 1 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch good" }), " true box (2, 2)–(6, 6)   ",
    el("span", { class: "swatch second" }), " predicted box; shaded: their overlap"));

  function draw() {
    const predicted = box(state);
    const r = iou(predicted, TRUE_BOX);
    const [x0, y0, x1, y1] = predicted.map((v) => fmt(v));
    out.textContent = `predicted (${x0}, ${y0})–(${x1}, ${y1}): overlap ${fmt(r.overlap)}, ` +
      `union ${fmt(area(predicted))} + 16 − ${fmt(r.overlap)} = ${fmt(r.union)}; IoU = ${fmt(r.iou)}, ` +
      `${r.iou >= HIT ? "a hit" : "a miss"} at the usual 0.5.`;
    plot.node.setAttribute("aria-label", out.textContent);
    drawBoxes(predicted, r);
  }

  function drawBoxes(predicted, r) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const pad = 18, cells = 8;
    const unit = (Math.min(width, height) - 2 * pad) / cells;
    const sx = (x) => pad + x * unit;
    const sy = (y) => height - pad - y * unit;
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = COLORS.axis;
    ctx.font = "11px system-ui, sans-serif";
    for (let i = 0; i <= cells; i++) {
      ctx.beginPath(); ctx.moveTo(sx(i), sy(0)); ctx.lineTo(sx(i), sy(cells)); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(sx(0), sy(i)); ctx.lineTo(sx(cells), sy(i)); ctx.stroke();
      if (i % 2 === 0) { ctx.fillText(String(i), sx(i) - 3, height - 4); ctx.fillText(String(i), 3, sy(i) + 4); }
    }
    const rect = ([a, b, c, d]) => [sx(a), sy(d), sx(c) - sx(a), sy(b) - sy(d)];
    if (r.overlap > 0) {
      const o = [Math.max(predicted[0], TRUE_BOX[0]), Math.max(predicted[1], TRUE_BOX[1]),
        Math.min(predicted[2], TRUE_BOX[2]), Math.min(predicted[3], TRUE_BOX[3])];
      ctx.fillStyle = "rgba(31, 95, 191, 0.3)";
      ctx.fillRect(...rect(o));
    }
    ctx.lineWidth = 3;
    ctx.strokeStyle = COLORS.good;
    ctx.strokeRect(...rect(TRUE_BOX));
    // A box reaching past the grid (left 6, side 8 ends at 14) is cut at the grid's edge, not
    // squeezed into it: an edge drawn at 8 would show a smaller box than the readout's.
    ctx.save();
    ctx.beginPath();
    ctx.rect(sx(0) - 2, sy(cells) - 2, cells * unit + 4, cells * unit + 4);
    ctx.clip();
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = COLORS.second;
    ctx.strokeRect(...rect(predicted));
    ctx.restore();
    ctx.lineWidth = 1;
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.fillStyle = r.iou >= HIT ? COLORS.good : COLORS.bad;
    ctx.fillText(`IoU ${fmt(r.iou)}`, sx(0) + 4, sy(cells) + 14);
  }

  draw();
  window.addEventListener("resize", draw);
}
