// Gradient descent on the 2-D loss L(w1, w2) = w1² + 5·w2²; the learning rate decides its fate.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const loss = (w1, w2) => w1 ** 2 + 5 * w2 ** 2;
export const gradient = (w1, w2) => [2 * w1, 10 * w2];
export const START = [-4, 2];

/** The points visited by `steps` updates w ← w − lr·∇L(w) from `start`. */
export function descend(lr, steps, start = START) {
  const path = [start];
  for (let i = 0; i < steps; i++) {
    const [w1, w2] = path[path.length - 1];
    const [g1, g2] = gradient(w1, w2);
    path.push([w1 - lr * g1, w2 - lr * g2]);
  }
  return path;
}

const BOX = { w1: [-5, 5], w2: [-3, 3] };

export function mount(root) {
  const state = { lr: 0.05, steps: 20 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Gradient descent on L(w₁, w₂) = w₁² + 5·w₂²" }), controls);
  slider(controls, { label: "learning rate η", min: 0.01, max: 0.25, step: 0.01, value: state.lr, name: "lr", onInput: (v) => { state.lr = v; draw(); } });
  slider(controls, { label: "steps", min: 1, max: 50, step: 1, value: state.steps, name: "steps", onInput: (v) => { state.steps = v; draw(); } });
  const plot = canvas(root, { label: "Contour lines of the loss with the path of gradient descent", aspect: 0.6 });
  const out = readout(root);

  function draw() {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const sx = (w1) => ((w1 - BOX.w1[0]) / (BOX.w1[1] - BOX.w1[0])) * width;
    const sy = (w2) => height - ((w2 - BOX.w2[0]) / (BOX.w2[1] - BOX.w2[0])) * height;
    ctx.clearRect(0, 0, width, height);
    // Contours: ellipses w1² + 5·w2² = c.
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    for (const c of [0.5, 2, 5, 10, 18, 28, 40, 55]) {
      ctx.beginPath();
      ctx.ellipse(sx(0), sy(0), sx(Math.sqrt(c)) - sx(0), sy(0) - sy(Math.sqrt(c / 5)), 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.fillStyle = COLORS.good;
    ctx.beginPath(); ctx.arc(sx(0), sy(0), 4, 0, 2 * Math.PI); ctx.fill();
    const path = descend(state.lr, state.steps);
    ctx.strokeStyle = COLORS.main;
    ctx.lineWidth = 2;
    ctx.beginPath();
    path.forEach(([w1, w2], i) => {
      const x = Math.max(-50, Math.min(width + 50, sx(w1)));
      const y = Math.max(-50, Math.min(height + 50, sy(w2)));
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.fillStyle = COLORS.second;
    for (const [w1, w2] of path) {
      ctx.beginPath(); ctx.arc(sx(w1), sy(w2), 3, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.fillStyle = "#222";
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText("start", sx(START[0]) + 6, sy(START[1]) - 6);
    ctx.fillText("minimum", sx(0) + 6, sy(0) + 14);
    const [w1, w2] = path[path.length - 1];
    const final = loss(w1, w2);
    const verdict = final > loss(...START) ? "diverging: each step overshoots further" : final < 1e-3 ? "converged" : "getting closer";
    out.textContent = `After ${state.steps} steps with η = ${fmt(state.lr)}: w = (${fmt(w1)}, ${fmt(w2)}), loss ${fmt(final)} (started at ${fmt(loss(...START))}) — ${verdict}.`;
    out.dataset.loss = String(final);
    plot.node.setAttribute("aria-label", `Loss contours with the descent path. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
