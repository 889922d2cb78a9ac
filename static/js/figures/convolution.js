// A 3×3 kernel sliding over a 7×7 image (no padding, stride 1): a 5×5 output, one sum at a time.
import { el, fmt, radios, readout, slider } from "./common.js";

export const IMAGE = [
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 9, 9, 9, 0, 0],
  [0, 0, 9, 9, 9, 0, 0],
  [0, 0, 9, 9, 9, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
];

export const KERNELS = {
  edge: { label: "vertical edge", k: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] },
  blur: { label: "blur", k: [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]] },
  sharpen: { label: "sharpen", k: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] },
};

/** One output value: the kernel laid on the image with its top-left corner at (row, col). */
export function convolveAt(image, kernel, row, col) {
  let sum = 0;
  for (let i = 0; i < kernel.length; i++) for (let j = 0; j < kernel[0].length; j++) sum += image[row + i][col + j] * kernel[i][j];
  return sum;
}

/** The whole output, as PyTorch's conv2d computes it (cross-correlation, no padding). */
export function convolve(image, kernel) {
  const rows = image.length - kernel.length + 1;
  const cols = image[0].length - kernel[0].length + 1;
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => convolveAt(image, kernel, r, c)));
}

/** A grid of numbers; `shade(v)` gives a cell's background and `dark(v)` whether it is dark
 * enough to need light text. */
function grid(values, { cls, label, highlight, shade, dark, filled }) {
  const table = el("div", { class: `conv-grid ${cls}`, role: "table", "aria-label": label });
  table.style.gridTemplateColumns = `repeat(${values[0].length}, 1fr)`;
  values.forEach((row, r) => {
    const line = el("div", { class: "conv-row", role: "row" });
    row.forEach((v, c) => {
      const shown = filled && !filled(r, c) ? "" : fmt(v, 1);
      const cell = el("div", { class: "conv-cell", role: "cell", text: shown });
      if (highlight && highlight(r, c)) cell.classList.add("on");
      if (shown !== "" && shade) cell.style.background = shade(v);
      if (shown !== "" && dark && dark(v)) cell.classList.add("dark");
      line.append(cell);
    });
    table.append(line);
  });
  return table;
}

export function mount(root) {
  const state = { kernel: "edge", pos: 0 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "A convolution kernel sliding over an image" }), controls);
  radios(controls, {
    legend: "Kernel",
    options: Object.entries(KERNELS).map(([key, spec]) => [key, spec.label]),
    value: state.kernel,
    onChange: (kernel) => { state.kernel = kernel; draw(); },
  });
  slider(controls, { label: "kernel position", min: 0, max: 24, step: 1, value: 0, name: "position", onInput: (v) => { state.pos = v; draw(); } });
  const panes = el("div", { class: "conv-panes" });
  root.append(panes);
  const out = readout(root);

  function draw() {
    const { k, label } = KERNELS[state.kernel];
    const row = Math.floor(state.pos / 5), col = state.pos % 5;
    const output = convolve(IMAGE, k);
    const gray = (v) => `rgb(${255 - v * 20}, ${255 - v * 20}, ${255 - v * 20})`;
    const signed = (v) => (v >= 0 ? `rgba(31, 95, 191, ${Math.min(1, v / 36)})` : `rgba(217, 115, 26, ${Math.min(1, -v / 36)})`);
    // Light text where the shade is dark (WCAG contrast ≥ 4.5 either way): grey below 115,
    // blue above 60% opacity; the orange of negative values stays light enough for dark text.
    const darkGray = (v) => 255 - v * 20 < 115;
    const darkSigned = (v) => v / 36 > 0.6;
    panes.replaceChildren(
      el("div", {}, el("p", { class: "small", text: "image (7×7)" }),
        grid(IMAGE, { cls: "image", label: "image", shade: gray, dark: darkGray,
          highlight: (r, c) => r >= row && r < row + 3 && c >= col && c < col + 3 })),
      el("div", {}, el("p", { class: "small", text: `kernel: ${label}` }), grid(k, { cls: "kernel", label: "kernel" })),
      el("div", {}, el("p", { class: "small", text: "output (5×5)" }),
        grid(output, { cls: "output", label: "output", shade: signed, dark: darkSigned,
          highlight: (r, c) => r === row && c === col, filled: (r, c) => r * 5 + c <= state.pos })),
    );
    const terms = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (k[i][j] !== 0 && IMAGE[row + i][col + j] !== 0) terms.push(`${fmt(IMAGE[row + i][col + j])}·${fmt(k[i][j], 2)}`);
    const value = convolveAt(IMAGE, k, row, col);
    out.textContent = `Output at row ${row + 1}, column ${col + 1}: ${terms.length ? terms.join(" + ") : "every product is 0"} = ${fmt(value)}`;
    out.dataset.value = String(value);
  }
  draw();
}
