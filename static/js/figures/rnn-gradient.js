// Backpropagation through time in a one-unit RNN, h_t = tanh(w·h_{t−1} + x) from h_0 = 0:
// the gradient of the last state with respect to an earlier one is a product of one factor
// w·(1 − h_t²) per step, which vanishes below 1 and explodes above it. The linear cell
// (no tanh) makes every factor exactly w, so the product is w^k.
import { COLORS, canvas, el, fmt, radios, readout, slider } from "./common.js";

export const START = { w: 0.8, steps: 10, input: 0, cell: "tanh" };

/** The states h_1 … h_T and each step's factor ∂h_t/∂h_{t−1}. */
export function unroll(w, steps, input, cell = "tanh") {
  const states = [], factors = [];
  let h = 0;
  for (let t = 1; t <= steps; t++) {
    const sum = w * h + input;
    h = cell === "tanh" ? Math.tanh(sum) : sum;
    states.push(h);
    factors.push(cell === "tanh" ? w * (1 - h * h) : w);
  }
  return { states, factors };
}

/** ∂h_T/∂h_{T−k} for k = 0 … T: the product of the last k factors. */
export function gradients(w, steps, input, cell = "tanh") {
  const { factors } = unroll(w, steps, input, cell);
  const out = [1];
  for (let k = 1; k <= steps; k++) out.push(out[k - 1] * factors[steps - k]);
  return out;
}

/** Three significant digits, so that 0.000014 and 1.2e+9 both keep their size readable. */
export function sig(x) {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return fmt(x);
  const a = Math.abs(x);
  const text = a >= 1e5 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
  return text.replaceAll("-", "−");
}

export function mount(root) {
  const state = { ...START };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "The gradient through T steps of a one-unit RNN" }), controls);
  slider(controls, { label: "recurrent weight w", min: 0, max: 2, step: 0.05, value: state.w, name: "w", onInput: (v) => { state.w = v; draw(); } });
  slider(controls, { label: "steps T", min: 1, max: 60, step: 1, value: state.steps, name: "steps", onInput: (v) => { state.steps = v; draw(); } });
  slider(controls, { label: "input x at every step", min: -2, max: 2, step: 0.1, value: state.input, name: "input", onInput: (v) => { state.input = v; draw(); } });
  radios(controls, {
    legend: "Cell", options: [["tanh", "tanh"], ["linear", "linear (no tanh)"]], value: state.cell,
    onChange: (v) => { state.cell = v; draw(); },
  });
  const plot = canvas(root, { label: "The gradient's size against the number of steps back, on a log scale", maxWidth: 640, aspect: 0.5 });
  const out = readout(root);

  function draw() {
    const { states, factors } = unroll(state.w, state.steps, state.input, state.cell);
    const grads = gradients(state.w, state.steps, state.input, state.cell);
    const total = grads[state.steps];
    const verdict = Math.abs(total) < 0.01 ? "vanishes" : Math.abs(total) > 100 ? "explodes" : "keeps a usable size";
    drawBars(grads);
    const h = states[state.steps - 1];
    out.textContent = `${state.cell === "tanh" ? "tanh" : "linear"} cell, w = ${fmt(state.w)}, x = ${fmt(state.input)}: `
      + `h_T = ${sig(h)}, last step's factor ${sig(factors[state.steps - 1])}; `
      + `∂h_T/∂h_0 over T = ${state.steps} steps = ${sig(total)}: the gradient ${verdict}.`;
    out.dataset.gradients = JSON.stringify(grads);
    plot.node.setAttribute("aria-label", out.textContent);
  }

  function drawBars(grads) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const left = 40, right = 10, top = 10, bottom = 24;
    // A symmetric log10 range in steps of 4 decades, wide enough for the largest bar.
    const decades = grads.map((g) => Math.abs(Math.log10(Math.abs(g) || Number.MIN_VALUE)));
    const reach = Math.max(8, 4 * Math.ceil(Math.max(...decades.filter(Number.isFinite)) / 4));
    const [lo, hi] = [-reach, reach];
    const tick = reach / 2;
    const sy = (logValue) => top + ((hi - Math.max(lo, Math.min(hi, logValue))) / (hi - lo)) * (height - top - bottom);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    for (let e = lo; e <= hi; e += tick) {
      ctx.strokeStyle = e === 0 ? COLORS.axis : COLORS.grid;
      ctx.beginPath(); ctx.moveTo(left, sy(e)); ctx.lineTo(width - right, sy(e)); ctx.stroke();
      ctx.fillStyle = COLORS.axis;
      ctx.fillText(e === 0 ? "1" : `1e${e}`.replace("-", "−"), 2, sy(e) + 4);
    }
    const band = (width - left - right) / grads.length;
    grads.forEach((g, k) => {
      const size = Math.log10(Math.abs(g) || Number.MIN_VALUE);
      ctx.fillStyle = size > 0.001 ? COLORS.bad : COLORS.main;
      const y = sy(size), y0 = sy(0);
      ctx.fillRect(left + k * band + 0.5, Math.min(y, y0), Math.max(1, band - 1), Math.abs(y - y0) || 1);
    });
    ctx.fillStyle = COLORS.axis;
    ctx.fillText("steps back k = 0 … T", left, height - 6);
  }

  draw();
  window.addEventListener("resize", draw);
}
