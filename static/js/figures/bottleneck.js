// A linear autoencoder with a one-number code, on 2-D points: the encoder projects each point
// onto a direction u (c = u·x), the decoder puts it back on that line (x̂ = c·u). Turning u
// changes the reconstruction error, which is lowest along the first principal direction: a
// linear autoencoder learns what PCA computes.
import { COLORS, canvas, dot, el, fmt, readout, slider } from "./common.js";
import { random } from "./batch-noise.js";

/** 40 centred points of an elongated cloud, from a seeded generator. */
export const POINTS = (() => {
  const next = random(3);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const raw = Array.from({ length: 40 }, () => {
    const [a, b] = [1.6 * normal(), 0.5 * normal()];
    const turn = (35 * Math.PI) / 180;
    return [a * Math.cos(turn) - b * Math.sin(turn), a * Math.sin(turn) + b * Math.cos(turn)];
  });
  const centre = [0, 1].map((d) => raw.reduce((s, p) => s + p[d], 0) / raw.length);
  return raw.map((p) => p.map((v, d) => Number((v - centre[d]).toFixed(3))));
})();

const unit = (degrees) => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];

/** Codes, reconstructions and the mean squared error per coordinate, for a code along `degrees`. */
export function autoencode(degrees, points = POINTS) {
  const u = unit(degrees);
  const codes = points.map(([x, y]) => u[0] * x + u[1] * y);
  const rebuilt = codes.map((c) => [c * u[0], c * u[1]]);
  const squared = points.reduce((s, [x, y], i) => s + (x - rebuilt[i][0]) ** 2 + (y - rebuilt[i][1]) ** 2, 0);
  return { codes, rebuilt, loss: squared / (2 * points.length) };
}

/** The first principal direction of the points (in degrees, 0 to 180) from their covariance. */
export function principalAngle(points = POINTS) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n, my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0, syy = 0, sxy = 0;
  for (const [x, y] of points) { sxx += (x - mx) ** 2; syy += (y - my) ** 2; sxy += (x - mx) * (y - my); }
  const degrees = (0.5 * Math.atan2(2 * sxy, sxx - syy) * 180) / Math.PI;
  return (degrees + 180) % 180;
}

export function mount(root) {
  const state = { angle: 0 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "A one-number code: project, then reconstruct" }), controls);
  const angle = slider(controls, { label: "code direction (degrees)", min: 0, max: 179, step: 1, value: state.angle, name: "angle", onInput: (v) => { state.angle = v; draw(); } });
  const best = principalAngle();
  const snap = el("button", { type: "button", text: "Go to the first principal direction" });
  snap.addEventListener("click", () => angle.set(Math.round(best)));
  controls.append(el("div", { class: "figure-buttons" }, snap));
  const plot = canvas(root, { label: "The points, the code line and each point's reconstruction", maxWidth: 520, aspect: 0.75 });
  const out = readout(root);
  root.append(el("p", { class: "figure-legend small" },
    el("span", { class: "swatch main" }), " input x   ",
    el("span", { class: "swatch second" }), " reconstruction x̂ on the code line · grey lines: the errors x − x̂"));

  function draw() {
    const { rebuilt, loss } = autoencode(state.angle);
    const lowest = autoencode(best).loss, highest = autoencode(best + 90).loss;
    drawPoints(rebuilt);
    out.textContent = `Code direction ${state.angle}°: reconstruction error ${fmt(loss)} `
      + `(mean squared error per coordinate). Lowest, ${fmt(lowest)}, along the first principal direction `
      + `${fmt(best, 1)}°; highest, ${fmt(highest)}, at right angles to it.`;
    plot.node.setAttribute("aria-label", out.textContent);
  }

  function drawPoints(rebuilt) {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const reach = 4.2; // data units from the centre to the canvas's nearer edge
    const scale = Math.min(width, height) / 2 / reach;
    const sx = (x) => width / 2 + x * scale, sy = (y) => height / 2 - y * scale;
    const u = unit(state.angle);
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(0, sy(0)); ctx.lineTo(width, sy(0)); ctx.moveTo(sx(0), 0); ctx.lineTo(sx(0), height); ctx.stroke();
    ctx.strokeStyle = COLORS.second;
    ctx.lineWidth = 2;
    const far = 2 * reach * Math.max(width, height) / Math.min(width, height);
    ctx.beginPath(); ctx.moveTo(sx(-far * u[0]), sy(-far * u[1])); ctx.lineTo(sx(far * u[0]), sy(far * u[1])); ctx.stroke();
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLORS.axis;
    POINTS.forEach(([x, y], i) => {
      ctx.beginPath(); ctx.moveTo(sx(x), sy(y)); ctx.lineTo(sx(rebuilt[i][0]), sy(rebuilt[i][1])); ctx.stroke();
    });
    POINTS.forEach(([x, y], i) => {
      dot(ctx, sx(rebuilt[i][0]), sy(rebuilt[i][1]), COLORS.second, 3);
      dot(ctx, sx(x), sy(y), COLORS.main, 4);
    });
  }

  draw();
  window.addEventListener("resize", draw);
}
