// Forward propagation through a 2-2-1 network (ReLU hidden layer, sigmoid output), step by step.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

// The worked example of the lesson "Artificial neurons, activation functions and forward propagation".
export const PARAMS = { W1: [[0.4, -0.6], [0.3, 0.8]], b1: [0.1, -0.2], w2: [1.5, -0.7], b2: -0.5 };

export function forwardPass([x1, x2], p = PARAMS) {
  const z1 = p.W1.map((row, i) => row[0] * x1 + row[1] * x2 + p.b1[i]);
  const h = z1.map((z) => Math.max(0, z));
  const z2 = p.w2[0] * h[0] + p.w2[1] * h[1] + p.b2;
  return { z1, h, z2, y: 1 / (1 + Math.exp(-z2)) };
}

const STEPS = ["inputs", "hidden sums z", "hidden outputs h = ReLU(z)", "output sum z", "output ŷ = σ(z)"];

export function mount(root) {
  const state = { x: [0.5, -1], step: 0 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Forward propagation in a 2-2-1 network" }), controls);
  slider(controls, { label: "input x₁", min: -2, max: 2, step: 0.1, value: state.x[0], name: "x1", onInput: (v) => { state.x[0] = v; draw(); } });
  slider(controls, { label: "input x₂", min: -2, max: 2, step: 0.1, value: state.x[1], name: "x2", onInput: (v) => { state.x[1] = v; draw(); } });
  const back = el("button", { type: "button", class: "secondary", text: "◀ Back" });
  const next = el("button", { type: "button", text: "Next step ▶" });
  const stage = el("span", { class: "figure-stage" });
  controls.append(el("div", { class: "figure-buttons" }, back, next, stage));
  back.addEventListener("click", () => { state.step = Math.max(0, state.step - 1); draw(); });
  next.addEventListener("click", () => { state.step = Math.min(STEPS.length - 1, state.step + 1); draw(); });
  const plot = canvas(root, { label: "Network diagram", aspect: 0.55 });
  const out = readout(root);

  function explain(r) {
    const [x1, x2] = state.x.map((v) => fmt(v)); // not map(fmt): map passes the index as fmt's digits
    const W = PARAMS.W1;
    switch (state.step) {
      case 0: return `Inputs x = (${x1}, ${x2}). Press “Next step”.`;
      case 1: return `z₁ = ${fmt(W[0][0])}·${x1} + ${fmt(W[0][1])}·${x2} + ${fmt(PARAMS.b1[0])} = ${fmt(r.z1[0])};  z₂ = ${fmt(W[1][0])}·${x1} + ${fmt(W[1][1])}·${x2} + ${fmt(PARAMS.b1[1])} = ${fmt(r.z1[1])}`;
      case 2: return `h₁ = ReLU(${fmt(r.z1[0])}) = ${fmt(r.h[0])};  h₂ = ReLU(${fmt(r.z1[1])}) = ${fmt(r.h[1])}`;
      case 3: return `z = ${fmt(PARAMS.w2[0])}·${fmt(r.h[0])} + ${fmt(PARAMS.w2[1])}·${fmt(r.h[1])} + ${fmt(PARAMS.b2)} = ${fmt(r.z2)}`;
      default: return `ŷ = σ(${fmt(r.z2)}) = ${fmt(r.y)}`;
    }
  }

  function draw() {
    const r = forwardPass(state.x);
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    const cols = [width * 0.14, width * 0.5, width * 0.86];
    const nodes = [
      [[cols[0], height * 0.3], [cols[0], height * 0.7]],
      [[cols[1], height * 0.3], [cols[1], height * 0.7]],
      [[cols[2], height * 0.5]],
    ];
    const weights = [PARAMS.W1, [PARAMS.w2]];
    ctx.font = "12px system-ui, sans-serif";
    for (let layer = 0; layer < 2; layer++) {
      nodes[layer + 1].forEach(([tx, ty], j) => nodes[layer].forEach(([fx, fy], i) => {
        const w = weights[layer][j][i];
        const active = state.step >= (layer === 0 ? 1 : 3);
        ctx.strokeStyle = active ? (w >= 0 ? COLORS.main : COLORS.second) : COLORS.grid;
        ctx.lineWidth = 1 + 2 * Math.abs(w);
        ctx.beginPath(); ctx.moveTo(fx, fy); ctx.lineTo(tx, ty); ctx.stroke();
        ctx.fillStyle = COLORS.text;
        ctx.fillText(fmt(w), fx + (tx - fx) * 0.3, fy + (ty - fy) * 0.3 - 4);
      }));
    }
    const texts = [
      state.x.map((v, i) => `x${i + 1} = ${fmt(v)}`),
      r.z1.map((z, i) => (state.step >= 2 ? `h${i + 1} = ${fmt(r.h[i])}` : state.step >= 1 ? `z = ${fmt(z)}` : "?")),
      [state.step >= 4 ? `ŷ = ${fmt(r.y)}` : state.step >= 3 ? `z = ${fmt(r.z2)}` : "?"],
    ];
    nodes.forEach((column, layer) => column.forEach(([x, y], i) => {
      ctx.fillStyle = "#fff";
      ctx.strokeStyle = COLORS.text;
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(x, y, 22, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      ctx.fillStyle = COLORS.text;
      const text = texts[layer][i];
      ctx.fillText(text, x - ctx.measureText(text).width / 2, y + 38);
    }));
    stage.textContent = `Step ${state.step + 1} of ${STEPS.length}: ${STEPS[state.step]}`;
    back.disabled = state.step === 0;
    next.disabled = state.step === STEPS.length - 1;
    out.textContent = explain(r);
    plot.node.setAttribute("aria-label", `2-2-1 network. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
