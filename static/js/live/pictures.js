/* Tables and tiled small images, for the panels of the live view. */
import { el } from "./dom.js";

export function table(headers, rows, caption) {
  const t = el("table", { class: "run-table" });
  if (caption) t.append(el("caption", {}, caption));
  const head = el("tr");
  headers.forEach((h) => head.append(el("th", { scope: "col" }, h)));
  const thead = el("thead");
  thead.append(head);
  t.append(thead);
  const body = el("tbody");
  rows.forEach((row) => {
    const tr = el("tr");
    row.forEach((cell) => tr.append(el("td", {}, String(cell))));
    body.append(tr);
  });
  t.append(body);
  return t;
}

/* Grey (or, diverging, blue-white-red) tiles of small images on one canvas, in a grid of
 * equal cells, each framed so that a tile's edge shows even where the image is white. */
export function drawTiles(canvas, rows, { diverging = false, scale = 8, gap = 8, label } = {}) {
  const tileRows = rows.filter((r) => r && r.length);
  const h = Math.max(...tileRows.flat().map((img) => img.length));
  const w = Math.max(...tileRows.flat().map((img) => img[0].length));
  const cols = Math.max(...tileRows.map((r) => r.length));
  const s = Math.max(1, Math.min(scale, Math.floor(28 * 6 / Math.max(h, w))));
  canvas.width = cols * (w * s + gap) + gap;
  canvas.height = tileRows.length * (h * s + gap) + gap;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const left = (c) => gap + c * (w * s + gap);
  const top = (r) => gap + r * (h * s + gap);
  tileRows.forEach((images, r) => images.forEach((img, c) => {
    const lo = diverging ? -1 : Math.min(0, ...img.flat());
    const hi = diverging ? 1 : Math.max(1, ...img.flat());
    img.forEach((line, y) => line.forEach((v, x) => {
      const t = (v - lo) / (hi - lo || 1);
      let rgb;
      if (diverging) {
        const a = Math.round(255 * (1 - Math.abs(2 * t - 1)));
        rgb = t >= 0.5 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
      } else {
        const g = Math.round(255 * (1 - t));
        rgb = `rgb(${g},${g},${g})`;
      }
      ctx.fillStyle = rgb;
      ctx.fillRect(left(c) + x * s, top(r) + y * s, s, s);
    }));
    ctx.strokeStyle = "#868e96";
    ctx.lineWidth = 1;
    ctx.strokeRect(left(c) - 1.5, top(r) - 1.5, img[0].length * s + 3, img.length * s + 3);
  }));
  if (label) canvas.setAttribute("aria-label", label);
}
