// Sinusoidal positional encodings (the engine's model.positional "sinusoidal"): the matrix of
// 32 positions × 16 dimensions, and the dot product between two positions' encodings, which
// depends only on how far apart they are, not on where they are.
import { COLORS, canvas, el, fmt, readout, slider } from "./common.js";

export const POSITIONS = 32;
export const WIDTH = 16;

/** PE[p][2i] = sin(p · ω_i), PE[p][2i+1] = cos(p · ω_i), with ω_i = 10000^(−2i/width). */
export function encoding(position, width = WIDTH) {
  const row = [];
  for (let i = 0; i < width / 2; i++) {
    const omega = Math.pow(10000, (-2 * i) / width);
    row.push(Math.sin(position * omega), Math.cos(position * omega));
  }
  return row;
}

export function dotProduct(p, q, width = WIDTH) {
  const a = encoding(p, width);
  const b = encoding(q, width);
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}

/** sin·sin + cos·cos = cos of the difference: Σ_i cos((q − p) · ω_i), whatever p is. */
export function dotFromOffset(offset, width = WIDTH) {
  let sum = 0;
  for (let i = 0; i < width / 2; i++) sum += Math.cos(offset * Math.pow(10000, (-2 * i) / width));
  return sum;
}

function color(value) {
  // −1 orange, 0 white, +1 blue.
  const t = Math.abs(value);
  const [r, g, b] = value >= 0 ? [31, 95, 191] : [217, 115, 26];
  const mix = (c) => Math.round(255 + (c - 255) * t);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

export function mount(root) {
  const state = { p: 3, q: 7 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Sinusoidal positional encodings and the dot product between two positions" }), controls);
  slider(controls, { label: "position p", min: 0, max: POSITIONS - 1, step: 1, value: state.p, name: "p", onInput: (v) => { state.p = v; draw(); } });
  slider(controls, { label: "position q", min: 0, max: POSITIONS - 1, step: 1, value: state.q, name: "q", onInput: (v) => { state.q = v; draw(); } });
  const plot = canvas(root, { label: "Encoding matrix and dot products", maxWidth: 640, aspect: 0.75 });
  const out = readout(root);

  function draw() {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    // Top: the matrix, one row per dimension, one column per position (so it reads left to right).
    const pad = 46;
    const top = 16;
    const matrixHeight = height * 0.45;
    const cellW = (width - pad - 8) / POSITIONS;
    const cellH = matrixHeight / WIDTH;
    for (let pos = 0; pos < POSITIONS; pos++) {
      const row = encoding(pos);
      row.forEach((value, dim) => {
        ctx.fillStyle = color(value);
        ctx.fillRect(pad + pos * cellW, top + dim * cellH, Math.ceil(cellW), Math.ceil(cellH));
      });
    }
    ctx.lineWidth = 2;
    for (const [pos, stroke] of [[state.p, COLORS.text], [state.q, COLORS.bad]]) {
      ctx.strokeStyle = stroke;
      ctx.strokeRect(pad + pos * cellW, top, cellW, matrixHeight);
    }
    ctx.fillStyle = COLORS.text;
    ctx.fillText("dim 0", 0, top + 9);
    ctx.fillText(`dim ${WIDTH - 1}`, 0, top + matrixHeight - 2);
    ctx.fillText("position → (p black, q red)", pad, top - 4);

    // Bottom: PE(p) · PE(j) for every position j, the point at j = q.
    const y0 = top + matrixHeight + 22;
    const h = height - y0 - 18;
    const sx = (j) => pad + (j + 0.5) * cellW;
    // From the lowest dot product any two of the positions shown reach, to d/2.
    const low = Math.min(0, ...Array.from({ length: POSITIONS }, (_, k) => dotFromOffset(k)));
    const sy = (v) => y0 + h * (1 - (v - low) / (WIDTH / 2 - low));
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(pad, sy(0)); ctx.lineTo(width - 8, sy(0)); ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.fillText(fmt(WIDTH / 2), 4, sy(WIDTH / 2) + 8);
    ctx.fillText("0", 4, sy(0) + 4);
    if (low < 0) ctx.fillText(fmt(low, 1), 4, sy(low));
    ctx.fillText(`PE(p) · PE(j) for each position j`, pad, y0 - 6);
    ctx.strokeStyle = COLORS.main;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let j = 0; j < POSITIONS; j++) {
      const v = dotProduct(state.p, j);
      if (j === 0) ctx.moveTo(sx(j), sy(v)); else ctx.lineTo(sx(j), sy(v));
    }
    ctx.stroke();
    ctx.fillStyle = COLORS.bad;
    ctx.beginPath(); ctx.arc(sx(state.q), sy(dotProduct(state.p, state.q)), 5, 0, 2 * Math.PI); ctx.fill();

    const value = dotProduct(state.p, state.q);
    out.textContent = `PE(${state.p}) · PE(${state.q}) = ${fmt(value)}; offset q − p = ${state.q - state.p}, ` +
      `and Σ cos((q − p)·ωᵢ) = ${fmt(dotFromOffset(state.q - state.p))}; PE(p) · PE(p) = ${fmt(WIDTH / 2)}`;
    plot.node.setAttribute("aria-label", `Top: the encoding of positions 0 to ${POSITIONS - 1}, one column each; ` +
      `bottom: the dot product of position ${state.p}'s encoding with every position's. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
