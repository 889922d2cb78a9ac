// One neuron with one input: z = w·x + b, a = φ(z). Sliders for x, w and b.
import { COLORS, canvas, curve, dot, el, fmt, frame, radios, readout, slider } from "./common.js";
import { FUNCTIONS } from "./activations.js";

export function neuron(x, w, b, name) {
  const z = w * x + b;
  return { z, a: FUNCTIONS[name].f(z) };
}

export function mount(root) {
  const state = { x: 1, w: 2, b: -1, name: "sigmoid" };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "One neuron: a = φ(w·x + b)" }), controls);
  const redraw = (key) => (value) => { state[key] = value; draw(); };
  slider(controls, { label: "input x", min: -3, max: 3, step: 0.1, value: state.x, name: "x", onInput: redraw("x") });
  slider(controls, { label: "weight w", min: -3, max: 3, step: 0.1, value: state.w, name: "w", onInput: redraw("w") });
  slider(controls, { label: "bias b", min: -3, max: 3, step: 0.1, value: state.b, name: "b", onInput: redraw("b") });
  radios(controls, {
    legend: "Activation",
    options: [["sigmoid", "sigmoid"], ["relu", "ReLU"], ["tanh", "tanh"]],
    value: state.name,
    onChange: redraw("name"),
  });
  const plot = canvas(root, { label: "The neuron's output for every input x" });
  const out = readout(root);

  function draw() {
    const { x, w, b, name } = state;
    const { z, a } = neuron(x, w, b, name);
    const size = plot.size();
    const box = { ...size, xMin: -3, xMax: 3, yMin: -1.2, yMax: 3 };
    const map = frame(plot.ctx, box);
    curve(plot.ctx, (t) => neuron(t, w, b, name).a, map, { ...box, color: COLORS.main });
    dot(plot.ctx, map.sx(x), map.sy(a), COLORS.second, 6);
    out.textContent = `z = ${fmt(w)} · ${fmt(x)} + ${fmt(b)} = ${fmt(z)};  output a = ${FUNCTIONS[name].label}(${fmt(z)}) = ${fmt(a)}`;
    plot.node.setAttribute("aria-label", `Output a against input x for w = ${fmt(w)}, b = ${fmt(b)}. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
