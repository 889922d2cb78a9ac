// Backpropagation on the lesson's one-neuron graph, L = (σ(w·x + b) − y)²: the forward pass
// fills each node with its value, the backward pass fills it with ∂L/∂node, the product of the
// local slopes on the path from L back to it (the chain rule).
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// The lesson's worked example, so the figure opens on the numbers the text computes by hand.
export const START = { x: 1.5, w: 0.8, b: -0.2, y: 1 };

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** Forward values, local slopes and chained gradients of L = (σ(w·x + b) − y)². */
export function backprop({ x, w, b, y }) {
  const z = w * x + b;
  const a = sigmoid(z);
  const loss = (a - y) ** 2;
  const local = { dLda: 2 * (a - y), dadz: a * (1 - a), dzdw: x, dzdb: 1, dzdx: w };
  const dLdz = local.dLda * local.dadz;
  return {
    z, a, loss, local,
    grad: { a: local.dLda, z: dLdz, w: dLdz * local.dzdw, b: dLdz * local.dzdb, x: dLdz * local.dzdx },
  };
}

// Where each node sits, as fractions of the canvas; inputs on the left, the loss on the right.
const NODES = {
  x: { at: [0.1, 0.18], name: "x" },
  w: { at: [0.1, 0.5], name: "w" },
  b: { at: [0.1, 0.82], name: "b" },
  z: { at: [0.4, 0.5], name: "z = w·x + b" },
  a: { at: [0.65, 0.5], name: "a = σ(z)" },
  y: { at: [0.65, 0.86], name: "y" },
  L: { at: [0.9, 0.5], name: "L = (a − y)²" },
};
const EDGES = [["x", "z", "∂z/∂x = w"], ["w", "z", "∂z/∂w = x"], ["b", "z", "∂z/∂b = 1"],
  ["z", "a", "∂a/∂z = a(1 − a)"], ["a", "L", "∂L/∂a = 2(a − y)"], ["y", "L", ""]];

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Forward values and gradients on a computational graph" }), controls);
  for (const [key, label, min, max] of [["x", "input x", -3, 3], ["w", "weight w", -3, 3], ["b", "bias b", -3, 3], ["y", "target y", 0, 1]]) {
    slider(controls, { label, min, max, step: 0.1, value: state[key], name: key, onInput: (v) => { state[key] = v; draw(); } });
  }
  const plot = canvas(root, { label: "The graph x, w, b → z → a → L with each node's value and gradient", maxWidth: 640, aspect: 0.55 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " forward value   ",
    el("span", { class: "swatch second" }), " gradient ∂L/∂(node), from L backwards"));

  function draw() {
    const r = backprop(state);
    const value = { x: state.x, w: state.w, b: state.b, y: state.y, z: r.z, a: r.a, L: r.loss };
    const grad = { ...r.grad, L: 1 };
    drawGraph(value, grad);
    out.textContent = `Forward: z = ${fmt(state.w)}·${fmt(state.x)} + ${fmt(state.b)} = ${fmt(r.z)}; `
      + `a = σ(${fmt(r.z)}) = ${fmt(r.a)}; L = (${fmt(r.a)} − ${fmt(state.y)})² = ${fmt(r.loss)}. `
      + `Local slopes: ∂L/∂a = ${fmt(r.local.dLda)}, ∂a/∂z = ${fmt(r.local.dadz)}, `
      + `∂z/∂w = x = ${fmt(state.x)}, ∂z/∂x = w = ${fmt(state.w)}, ∂z/∂b = 1. `
      + `Chained: ∂L/∂z = ${fmt(r.grad.z)}, ∂L/∂w = ${fmt(r.grad.w)}, ∂L/∂b = ${fmt(r.grad.b)}, `
      + `∂L/∂x = ${fmt(r.grad.x)}.`;
    plot.node.setAttribute("aria-label", out.textContent);
  }

  function drawGraph(value, grad) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const px = (key) => [NODES[key].at[0] * width, NODES[key].at[1] * height];
    const small = width < 420;
    ctx.clearRect(0, 0, width, height);
    ctx.font = `${small ? 10 : 12}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    for (const [from, to, label] of EDGES) {
      const [x0, y0] = px(from), [x1, y1] = px(to);
      ctx.strokeStyle = COLORS.axis;
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
      if (label && !small) {
        // Labels of level edges go above the boxes, which would hide them on the line.
        const level = y0 === y1 && from !== "w";
        ctx.fillStyle = COLORS.axis;
        ctx.fillText(label, (x0 + x1) / 2, level ? y0 - 30 : (y0 + y1) / 2 - (from === "b" ? -12 : 6));
      }
    }
    const boxW = Math.max(44, width * 0.16), boxH = small ? 34 : 40;
    for (const [key, node] of Object.entries(NODES)) {
      const [cx, cy] = px(key);
      const input = ["x", "w", "b", "y"].includes(key);
      const w = input ? Math.min(boxW, 52) : boxW;
      ctx.fillStyle = "#fff";
      ctx.fillRect(cx - w / 2, cy - boxH / 2, w, boxH);
      ctx.strokeStyle = COLORS.text;
      ctx.strokeRect(cx - w / 2, cy - boxH / 2, w, boxH);
      ctx.fillStyle = COLORS.main;
      ctx.fillText(small ? key : node.name, cx, cy - 3);
      ctx.fillText(fmt(value[key]), cx, cy + 11);
      if (key !== "y") {
        ctx.fillStyle = COLORS.second;
        // At phone width the legend names the gradients and the boxes show only their values.
        ctx.fillText(small ? fmt(grad[key]) : `∂L/∂${key} = ${fmt(grad[key])}`, cx, cy + boxH / 2 + 13);
      }
    }
    ctx.textAlign = "start";
  }

  draw();
  window.addEventListener("resize", draw);
}
