// PyTorch's training loop, one call at a time, on a one-weight model: the forward pass records
// a graph as it runs (define by run), backward() walks it from the loss to w and b, multiplies
// the local derivatives and ADDS the result to .grad, then frees the graph; zero_grad() sets
// .grad back to None (PyTorch 2's default) and step() is plain SGD. The same calls in torch give
// the same numbers (tests/lessons/claims/test_claims_frameworks_autograd.py).
import { el, fmt, readout } from "./common.js";

export const START = { w: 0.5, b: 0, x: 2, y: 3, lr: 0.05 };

export const CALLS = {
  forward: "loss = (w * x + b - y) ** 2",
  backward: "loss.backward()",
  step: "optimizer.step()",
  zeroGrad: "optimizer.zero_grad()",
};

/** The graph the forward pass records: each operation's value and its grad_fn. */
export function forward({ w, b, x, y }) {
  const m = w * x, yHat = m + b, d = yHat - y;
  return { m, yHat, d, loss: d * d, freed: false };
}

/** Each operation's local derivatives and what backward() passes back through it. */
export function backwardPass(graph, { x }) {
  const dD = 2 * graph.d;     // PowBackward0: ∂(d²)/∂d = 2d
  const dYHat = dD;           // SubBackward0: ∂(ŷ − y)/∂ŷ = 1
  const dM = dYHat, dB = dYHat; // AddBackward0: ∂(m + b)/∂m = ∂(m + b)/∂b = 1
  const dW = dM * x;          // MulBackward0: ∂(w·x)/∂w = x
  return { dD, dYHat, dM, dB, dW };
}

/** One call on the state {w, b, wGrad, bGrad, graph}; returns the new state and what happened. */
export function call(state, name, data = START) {
  const s = { ...state };
  if (name === "forward") {
    s.graph = forward({ ...data, w: s.w, b: s.b });
    return { state: s, message: `forward: 4 operations recorded, loss = ${fmt(s.graph.loss)}.` };
  }
  if (name === "backward") {
    if (!s.graph) return { state: s, error: "NameError: name 'loss' is not defined. Run the forward pass first." };
    if (s.graph.freed) {
      return { state: s, error: "RuntimeError: Trying to backward through the graph a second time. " +
        "The first backward() freed it; run the forward pass again." };
    }
    const g = backwardPass(s.graph, data);
    s.wGrad = (s.wGrad ?? 0) + g.dW;
    s.bGrad = (s.bGrad ?? 0) + g.dB;
    s.graph = { ...s.graph, freed: true, passed: g };
    return { state: s, message: `backward: added ${fmt(g.dW)} to w.grad and ${fmt(g.dB)} to b.grad; graph freed.` };
  }
  if (name === "step") {
    // SGD skips a parameter whose .grad is None.
    if (s.wGrad !== null) s.w -= data.lr * s.wGrad;
    if (s.bGrad !== null) s.b -= data.lr * s.bGrad;
    return { state: s, message: s.wGrad === null ? "step: .grad is None, nothing to do." :
      `step: w −= ${fmt(data.lr)}·w.grad, b −= ${fmt(data.lr)}·b.grad.` };
  }
  s.wGrad = null;
  s.bGrad = null;
  return { state: s, message: "zero_grad: w.grad and b.grad are None again." };
}

export function initial() {
  return { w: START.w, b: START.b, wGrad: null, bGrad: null, graph: null };
}

/** The state after a sequence of calls (stopping at the first error, as Python would). */
export function replay(names) {
  let state = initial();
  for (const name of names) {
    const result = call(state, name);
    if (result.error) return { ...state, error: result.error.split(":")[0] };
    state = result.state;
  }
  return state;
}

const HINT = "Start with the forward pass, then call backward().";
const grad = (g) => (g === null ? "None" : fmt(g));

export function mount(root) {
  let state = initial();
  root.append(el("p", { class: "figure-title", text: "What PyTorch does at each call of the loop" }));
  root.append(el("p", { class: "figure-stage", text: `One example x = ${START.x}, target y = ${START.y}; SGD with lr = ${START.lr}.` }));
  const buttons = el("div", { class: "figure-buttons autograd-calls" });
  for (const [name, code] of Object.entries(CALLS)) {
    const button = el("button", { type: "button", class: "secondary", "data-call": name }, el("code", { text: code }));
    button.addEventListener("click", () => press(name));
    buttons.append(button);
  }
  const reset = el("button", { type: "button", class: "secondary", text: "Start again" });
  reset.addEventListener("click", () => {
    state = initial();
    said.textContent = HINT;
    said.classList.remove("autograd-error"); // the hint is not an error
    draw();
  });
  buttons.append(reset);
  root.append(buttons);
  const said = el("p", { class: "figure-stage autograd-said", role: "status", text: HINT });
  const table = el("table", { class: "autograd-graph" });
  root.append(said, el("div", { class: "table-scroll" }, table));
  const out = readout(root);

  function press(name) {
    const result = call(state, name);
    if (result.error) {
      said.textContent = result.error;
      said.classList.add("autograd-error");
    } else {
      state = result.state;
      said.textContent = result.message;
      said.classList.remove("autograd-error");
    }
    draw();
  }

  function draw() {
    const g = state.graph;
    const passed = g?.passed;
    // Three columns, so that the table fits a phone: what ran (and its grad_fn), its value,
    // and its local derivative over what backward() passed back through it.
    const row = (op, fn, value, local, back) => el("tr", {},
      el("td", {}, el("code", { text: op }), el("br"), el("small", { text: fn })),
      el("td", { text: value }),
      el("td", {}, local, el("br"), el("small", { text: back })));
    const v = (k) => (g ? fmt(g[k]) : "–");
    const p = (k) => (passed ? fmt(passed[k]) : "–");
    const back = (text) => (passed ? `passed back: ${text}` : "not yet passed back");
    table.replaceChildren(
      el("thead", {}, el("tr", {}, ...["operation", "value", "local derivative"]
        .map((t) => el("th", { scope: "col", text: t })))),
      el("tbody", {},
        row("m = w * x", "MulBackward0", v("m"), `∂m/∂w = x = ${START.x}`, back(`∂loss/∂w = ${p("dW")}`)),
        row("ŷ = m + b", "AddBackward0", v("yHat"), "∂ŷ/∂m = ∂ŷ/∂b = 1", back(`∂loss/∂m = ∂loss/∂b = ${p("dM")}`)),
        row("d = ŷ − y", "SubBackward0", v("d"), "∂d/∂ŷ = 1", back(`∂loss/∂ŷ = ${p("dYHat")}`)),
        row("loss = d ** 2", "PowBackward0", v("loss"), g ? `∂loss/∂d = 2d = ${fmt(2 * g.d)}` : "∂loss/∂d = 2d",
          back(`∂loss/∂d = ${p("dD")}`))),
    );
    table.classList.toggle("freed", Boolean(g?.freed));
    const graphState = !g ? "no graph yet" : g.freed ? "graph freed" : "graph recorded";
    out.textContent = `w = ${fmt(state.w)}, b = ${fmt(state.b)}; w.grad = ${grad(state.wGrad)}, ` +
      `b.grad = ${grad(state.bGrad)}; loss = ${g ? fmt(g.loss) : "–"} (${graphState}).`;
  }

  draw();
}
