// Small helpers shared by the figures: labelled controls, number formatting, a plot on a canvas.

let nextId = 0;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** A labelled range input; `onInput(value)` runs on every change (mouse, touch or keys). */
export function slider(parent, { label, min, max, step, value, name, onInput }) {
  const id = `fig-ctl-${++nextId}`;
  const input = el("input", { type: "range", id, min, max, step, value, name: name || id });
  const shown = el("output", { for: id, class: "figure-value" });
  const row = el("div", { class: "figure-control" }, el("label", { for: id, text: label }), input, shown);
  parent.append(row);
  const update = () => {
    shown.textContent = fmt(Number(input.value));
    onInput(Number(input.value));
  };
  input.addEventListener("input", update);
  shown.textContent = fmt(Number(value));
  return { input, set(v) { input.value = v; update(); } };
}

/** A group of radio buttons; `onChange(value)` runs when the choice changes. */
export function radios(parent, { legend, options, value, onChange }) {
  const name = `fig-radio-${++nextId}`;
  const set = el("fieldset", { class: "figure-choices" }, el("legend", { text: legend }));
  for (const [optionValue, text] of options) {
    const input = el("input", { type: "radio", name, value: optionValue });
    if (optionValue === value) input.checked = true;
    input.addEventListener("change", () => input.checked && onChange(optionValue));
    set.append(el("label", {}, input, ` ${text}`));
  }
  parent.append(set);
  return set;
}

/** Numbers as the lessons print them: up to 3 decimals, no trailing zeros, a real minus. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return x > 0 ? "∞" : x < 0 ? "−∞" : "NaN";
  if (Math.abs(x) >= 1e5) return x.toExponential(2).replace("-", "−");
  const text = Number(x.toFixed(digits)).toString();
  return text === "-0" ? "0" : text.replace("-", "−");
}

/** A canvas sized to its container (at most maxWidth CSS pixels), sharp on high-DPI screens. */
export function canvas(parent, { label, maxWidth = 520, aspect = 0.6 }) {
  const node = el("canvas", { role: "img", "aria-label": label, class: "figure-canvas" });
  parent.append(node);
  const ctx = node.getContext("2d");
  const size = () => {
    const width = Math.max(220, Math.min(maxWidth, parent.clientWidth || maxWidth));
    const height = Math.round(width * aspect);
    const ratio = window.devicePixelRatio || 1;
    node.width = width * ratio;
    node.height = height * ratio;
    node.style.width = `${width}px`;
    node.style.height = `${height}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { width, height };
  };
  return { node, ctx, size };
}

export const COLORS = { axis: "#888", grid: "#e4e4e4", main: "#1f5fbf", second: "#d9731a", good: "#1a8a3a", bad: "#c0392b", text: "#222" };

/** Map data coordinates to a canvas rectangle, and draw axes through zero. */
export function frame(ctx, { width, height, xMin, xMax, yMin, yMax, pad = 28 }) {
  const sx = (x) => pad + ((x - xMin) / (xMax - xMin)) * (width - 2 * pad);
  const sy = (y) => height - pad - ((y - yMin) / (yMax - yMin)) * (height - 2 * pad);
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const y0 = sy(Math.min(Math.max(0, yMin), yMax));
  const x0 = sx(Math.min(Math.max(0, xMin), xMax));
  ctx.moveTo(pad, y0); ctx.lineTo(width - pad, y0);
  ctx.moveTo(x0, pad); ctx.lineTo(x0, height - pad);
  ctx.stroke();
  ctx.fillStyle = COLORS.axis;
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(fmt(xMin), pad, y0 + 13);
  ctx.fillText(fmt(xMax), width - pad - 14, y0 + 13);
  ctx.fillText(fmt(yMax), x0 + 4, pad + 4);
  ctx.fillText(fmt(yMin), x0 + 4, height - pad);
  return { sx, sy };
}

export function curve(ctx, f, { sx, sy }, { xMin, xMax, color, dash = [], lineWidth = 2 }) {
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth;
  ctx.setLineDash(dash);
  ctx.beginPath();
  const n = 200;
  for (let i = 0; i <= n; i++) {
    const x = xMin + ((xMax - xMin) * i) / n;
    const y = f(x);
    if (i === 0) ctx.moveTo(sx(x), sy(y)); else ctx.lineTo(sx(x), sy(y));
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

export function dot(ctx, x, y, color, r = 5) {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
}

/** A live region whose text screen readers announce when it changes. */
export function readout(parent) {
  const node = el("p", { class: "figure-readout", "aria-live": "polite" });
  parent.append(node);
  return node;
}
