// A polynomial fitted by least squares to ten noisy points of a known curve, sin(2πx): as the
// degree grows, the training error keeps falling while the error on twenty other points of
// the same curve falls, then climbs: underfitting, a good fit, overfitting.
import { COLORS, canvas, curve, el, fmt, frame, readout, slider } from "./common.js";
import { mulberry32 } from "./search-coverage.js";

export const NOISE = 0.25;

/** The curve the points come from. */
export function truth(x) {
  return Math.sin(2 * Math.PI * x);
}

/** n points with y = truth(x) plus Gaussian noise (Box–Muller); x evenly spaced in [0, 1]
 * (the training points, which cover the curve), or uniform at random (the validation ones). */
function noisyPoints(n, seed, { evenly }) {
  const next = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = evenly ? (i + 0.5) / n : next();
    const gaussian = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return [x, truth(x) + NOISE * gaussian];
  });
}

export const TRAIN = noisyPoints(10, 7, { evenly: true });
export const VALIDATION = noisyPoints(20, 4, { evenly: false });

/** Least-squares coefficients c₀ … c_d of the polynomial Σ c_j · u^j in u = 2x − 1, by QR
 * (modified Gram–Schmidt): u in [−1, 1] keeps the columns of powers well apart. */
export function fitPolynomial(points, degree) {
  const columns = Array.from({ length: degree + 1 }, (_, j) => points.map(([x]) => (2 * x - 1) ** j));
  const q = [];
  const r = Array.from({ length: degree + 1 }, () => new Array(degree + 1).fill(0));
  columns.forEach((column, j) => {
    const v = column.slice();
    for (let i = 0; i < j; i++) {
      r[i][j] = q[i].reduce((sum, qi, n) => sum + qi * v[n], 0);
      for (let n = 0; n < v.length; n++) v[n] -= r[i][j] * q[i][n];
    }
    r[j][j] = Math.hypot(...v);
    q.push(v.map((value) => value / r[j][j]));
  });
  const qty = q.map((column) => column.reduce((sum, value, n) => sum + value * points[n][1], 0));
  const coefficients = new Array(degree + 1).fill(0);
  for (let j = degree; j >= 0; j--) {
    let rest = qty[j];
    for (let i = j + 1; i <= degree; i++) rest -= r[j][i] * coefficients[i];
    coefficients[j] = rest / r[j][j];
  }
  return coefficients;
}

export function evaluate(coefficients, x) {
  const u = 2 * x - 1;
  return coefficients.reduceRight((sum, c) => sum * u + c, 0);
}

/** Mean squared error of the polynomial on the points. */
export function meanSquaredError(coefficients, points) {
  return points.reduce((sum, [x, y]) => sum + (evaluate(coefficients, x) - y) ** 2, 0) / points.length;
}

export function mount(root) {
  const state = { degree: 3 };
  const controls = el("div", { class: "figure-controls" });
  root.append(el("p", { class: "figure-title", text: "Fitting a polynomial: training error against validation error" }), controls);
  slider(controls, { label: "polynomial degree", min: 0, max: 9, step: 1, value: state.degree, name: "degree", onInput: (v) => { state.degree = v; draw(); } });
  const plot = canvas(root, { label: "Training points, validation points and the fitted polynomial", maxWidth: 640, aspect: 0.55 });
  const legend = el("p", { class: "muted small", text: "Blue dots: the 10 training points. Orange rings: 20 validation points. Grey dashes: the true curve sin(2πx). Red: the fitted polynomial." });
  root.append(legend);
  const out = readout(root);

  function draw() {
    const { width, height } = plot.size();
    const ctx = plot.ctx;
    const coefficients = fitPolynomial(TRAIN, state.degree);
    const view = { width, height, xMin: 0, xMax: 1, yMin: -2, yMax: 2 };
    const axes = frame(ctx, view);
    curve(ctx, truth, axes, { xMin: 0, xMax: 1, color: COLORS.axis, dash: [5, 4], lineWidth: 1.5 });
    ctx.save();
    ctx.beginPath();
    ctx.rect(axes.sx(0), axes.sy(2), axes.sx(1) - axes.sx(0), axes.sy(-2) - axes.sy(2));
    ctx.clip();  // a wild high-degree fit leaves the picture instead of drawing over it
    curve(ctx, (x) => evaluate(coefficients, x), axes, { xMin: 0, xMax: 1, color: COLORS.bad });
    ctx.restore();
    for (const [x, y] of VALIDATION) {
      ctx.strokeStyle = COLORS.second;
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(axes.sx(x), axes.sy(y), 4, 0, 2 * Math.PI); ctx.stroke();
    }
    for (const [x, y] of TRAIN) {
      ctx.fillStyle = COLORS.main;
      ctx.beginPath(); ctx.arc(axes.sx(x), axes.sy(y), 4.5, 0, 2 * Math.PI); ctx.fill();
    }
    const trainError = meanSquaredError(coefficients, TRAIN);
    const validationError = meanSquaredError(coefficients, VALIDATION);
    out.textContent = `Degree ${state.degree} (${state.degree + 1} coefficients, 10 training points): ` +
      `training error ${fmt(trainError)}, validation error ${fmt(validationError)} ` +
      `(mean squared error; the noise alone gives about ${fmt(NOISE ** 2)}).`;
    plot.node.setAttribute("aria-label", `The fitted polynomial. ${out.textContent}`);
  }
  draw();
  window.addEventListener("resize", draw);
}
