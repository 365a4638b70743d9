// Formatting and small DOM helpers shared by the pages.
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "style") e.setAttribute("style", v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function time(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toISOString().replace("T", " ").slice(0, 19) + "Z";
}

export function ago(iso, now = Date.now()) {
  if (!iso) return "never";
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}

const SI = ["", "k", "M", "G", "T"];
export function si(v, unit = "") {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  const s = (v < 0 ? -x : x).toFixed(x >= 100 || i === 0 && Number.isInteger(v) ? 0 : 1);
  return s + " " + SI[i] + unit;
}

/** What a tuning command changes, e.g. "txqueuelen tun0: 500 → 1000". */
export function change(c) {
  return `${c.action.toLowerCase()}${c.target ? " " + c.target : ""}: ${c.expectedValue ?? "?"} → ${c.newValue}`;
}

export function pct(v) {
  return v === null || v === undefined ? "–" : (100 * v).toFixed(0) + " %";
}

export function badge(text, cls = text) {
  return el("span", { class: "badge " + cls, text: String(text).replace("_", " ") });
}

export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/** A colour from white through amber to red for a value between 0 and 1. */
export function heatColor(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "#eef0f3";
  const x = Math.max(0, Math.min(1, v));
  const stops = [[0, [232, 240, 250]], [0.35, [140, 190, 235]], [0.6, [245, 190, 80]], [1, [205, 50, 35]]];
  for (let i = 1; i < stops.length; i++) {
    if (x <= stops[i][0]) {
      const [a, ca] = stops[i - 1];
      const [b, cb] = stops[i];
      const f = (x - a) / (b - a);
      const c = ca.map((p, k) => Math.round(p + f * (cb[k] - p)));
      return `rgb(${c[0]},${c[1]},${c[2]})`;
    }
  }
  return "rgb(205,50,35)";
}
