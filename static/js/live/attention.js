/* A transformer's attention weights on one held-out window (the "attention" event): a
 * heatmap per decoder block and head, row i = where the character at position i looks.
 * A selector picks the block and head when there is more than one; the choice is kept
 * while the epoch scrubber moves. Payload shape: engine/events.py (ATTENTION). */
import { el } from "./dom.js";

// A space is invisible as an axis label.
const shown = (char) => (char === " " ? "␣" : char);

/* The head a viewer last chose, as "layer:head", kept on the panels across epochs. */
function choice(panels, p) {
  const [layer, head] = (panels.attentionChoice || "0:0").split(":").map(Number);
  const fits = layer < p.weights.length && head < p.weights[0].length;
  return fits ? [layer, head] : [0, 0];
}

function selector(panels, node, p) {
  const options = [];
  p.weights.forEach((heads, layer) => heads.forEach((_, head) => {
    options.push(el("option", { value: `${layer}:${head}` }, `block ${layer + 1}, head ${head + 1}`));
  }));
  let select = node.figure.querySelector("select.attention-head");
  if (!select) {
    const label = el("label", { class: "attention-choice small" }, "Show ");
    select = el("select", { class: "attention-head", "aria-label": "Attention block and head" });
    label.append(select);
    node.figure.insertBefore(label, node.body);
    select.addEventListener("change", () => {
      panels.attentionChoice = select.value;
      drawAttention(panels, panels.lastAttention);
    });
  }
  if (select.options.length !== options.length) select.replaceChildren(...options);
  select.closest("label").hidden = options.length < 2;
  return select;
}

export function drawAttention(panels, p) {
  panels.lastAttention = p;
  const [layer, head] = choice(panels, p);
  const weights = p.weights[layer][head];
  const labels = p.tokens.map(shown);
  const positions = labels.map((_, i) => i);
  // Positions, not characters, on the axes: a window repeats characters, and a category
  // axis would merge the rows of equal letters.
  const axis = (title) => ({ title: { text: title }, tickvals: positions, ticktext: labels,
    tickfont: { family: "monospace" } });
  const node = panels.plot("attention", "", [{
    type: "heatmap", x: positions, y: positions, z: weights, zmin: 0, zmax: 1,
    colorscale: [[0, "#f8f9fa"], [1, "#5f3dc4"]], colorbar: { title: { text: "weight" }, thickness: 10 },
    customdata: weights.map((row, i) => row.map((_, j) => [labels[i], labels[j]])),
    hovertemplate: "%{customdata[0]} (position %{y}) attends to %{customdata[1]} (position %{x}): %{z:.2f}<extra></extra>",
  }], { xaxis: axis("attends to (earlier characters)"),
    yaxis: { ...axis("character at the position"), autorange: "reversed", scaleanchor: "x" },
    showlegend: false });
  const select = selector(panels, node, p);
  select.value = `${layer}:${head}`;
  node.caption.textContent = `Attention of block ${layer + 1}, head ${head + 1} on a held-out window, epoch ${p.epoch}`;
  const last = weights[weights.length - 1];
  const top = last.indexOf(Math.max(...last));
  node.chart.describe(`Each row sums to 1 and is empty above the diagonal (a character cannot look ahead). ` +
    `The last character, "${labels[labels.length - 1]}", puts ${(last[top] * 100).toFixed(0)}% of its attention ` +
    `on "${labels[top]}" at position ${top}.`,
  ["character", ...labels.map((c, j) => `${j}:${c}`)],
  weights.map((row, i) => [`${i}:${labels[i]}`, ...row.map((w) => w.toFixed(2))]));
}
