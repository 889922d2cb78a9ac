/* Small helpers the live view's modules share: an element with attributes and text, and
 * numbers as text ("–" where there is none). */

export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function num(value) {
  return typeof value === "number" && isFinite(value) ? value : null;
}

export function fmt(value, digits) {
  return num(value) === null ? "–" : Number(value).toFixed(digits);
}

export function pct(value) {
  return num(value) === null ? "–" : `${(value * 100).toFixed(1)}%`;
}
