// Activation functions and their derivatives, plotted; pick one, move z.
import { COLORS, canvas, curve, dot, el, fmt, frame, radios, readout, slider } from "./common.js";

// erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7): enough for a plot and 3 decimals.
export function erf(x) {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return sign * y;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const LEAK = 0.01; // PyTorch's nn.LeakyReLU default

export const FUNCTIONS = {
  relu: { label: "ReLU", f: (z) => Math.max(0, z), df: (z) => (z > 0 ? 1 : 0) },
  leaky_relu: { label: "leaky ReLU", f: (z) => (z > 0 ? z : LEAK * z), df: (z) => (z > 0 ? 1 : LEAK) },
  sigmoid: { label: "sigmoid", f: sigmoid, df: (z) => sigmoid(z) * (1 - sigmoid(z)) },
  tanh: { label: "tanh", f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2 },
  // GELU as PyTorch computes it by default: z·Φ(z), Φ the standard normal CDF.
  gelu: {
    label: "GELU",
    f: (z) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
    df: (z) => 0.5 * (1 + erf(z / Math.SQRT2)) + (z * Math.exp(-z * z / 2)) / Math.sqrt(2 * Math.PI),
  },
};

export const activation = (name, z) => FUNCTIONS[name].f(z);
export const derivative = (name, z) => FUNCTIONS[name].df(z);

export function mount(root) {
  const state = { name: "relu", z: 1 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Activation functions and their slopes" }), controls);
  radios(controls, {
    legend: "Function",
    options: Object.entries(FUNCTIONS).map(([key, spec]) => [key, spec.label]),
    value: state.name,
    onChange: (name) => { state.name = name; draw(); },
  });
  slider(controls, { label: "input z", min: -4, max: 4, step: 0.1, value: state.z, name: "z", onInput: (z) => { state.z = z; draw(); } });
  const plot = canvas(root, { label: "Plot of the activation function and its derivative" });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " function φ(z)   ",
    el("span", { class: "swatch second" }), " derivative φ′(z)"));

  function draw() {
    const { f, df, label } = FUNCTIONS[state.name];
    const size = plot.size();
    const box = { ...size, xMin: -4, xMax: 4, yMin: -1.5, yMax: 4 };
    const map = frame(plot.ctx, box);
    curve(plot.ctx, f, map, { ...box, color: COLORS.main });
    curve(plot.ctx, df, map, { ...box, color: COLORS.second, dash: [6, 4] });
    dot(plot.ctx, map.sx(state.z), map.sy(f(state.z)), COLORS.main);
    dot(plot.ctx, map.sx(state.z), map.sy(df(state.z)), COLORS.second);
    out.textContent = `${label}: φ(${fmt(state.z)}) = ${fmt(f(state.z))}, slope φ′(${fmt(state.z)}) = ${fmt(df(state.z))}`;
    plot.node.setAttribute("aria-label", `${label} plotted from z = −4 to 4. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
