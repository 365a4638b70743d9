// Time-series charts (uPlot from its webjar) and the per-CPU heat view (a canvas of CPUs × time). Every chart is
// registered in window.tv.charts by name with the data it shows, so tests and curious operators can read it.
import { uPlot, UPLOT_CSS } from "./vendor.js";
import { clear, el, heatColor, si } from "./format.js";

const COLORS = ["#2b5fb4", "#d2452f", "#2e9d5b", "#e09a1f", "#7a4fb8", "#1a9aa0"];

if (!document.querySelector(`link[href="${UPLOT_CSS}"]`)) {
  document.head.append(el("link", { rel: "stylesheet", href: UPLOT_CSS }));
}

function registry() {
  window.tv = window.tv || {};
  window.tv.charts = window.tv.charts || {};
  return window.tv.charts;
}

/**
 * Merges series that each have their own bucket times into uPlot's columns: [times, values of series 1, ...]
 * (null where a series has no bucket). Each series is a list of {t: ISO time, v: number}.
 */
export function align(series) {
  const times = [...new Set(series.flatMap((s) => s.map((p) => Date.parse(p.t) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col = new Array(times.length).fill(null);
    for (const p of s) col[index.get(Date.parse(p.t) / 1000)] = p.v;
    return col;
  });
  return [times, ...columns];
}

/** Axis ticks in UTC like every other time on the pages: the day where it changes, else hours and minutes. */
function utcTick(s, splits) {
  const iso = new Date(s * 1000).toISOString();
  const span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
  return span > 2 * 86400 ? iso.slice(5, 10) + " " + iso.slice(11, 16) : iso.slice(11, 16);
}

/**
 * Draws or updates the line chart `name` in container: labels name the series after the time column. Series whose
 * label is in `right` get their own axis on the right (a queue length next to rates, say).
 */
export function lineChart(container, name, labels, data, unit, right = []) {
  const charts = registry();
  const points = data.slice(1).reduce((n, col) => n + col.filter((v) => v !== null).length, 0);
  container.dataset.points = String(points);
  const existing = charts[name];
  if (points === 0) {
    if (existing && existing.plot) existing.plot.destroy();
    charts[name] = { labels, data, points, plot: null };
    clear(container, el("div", { class: "empty", text: "No data in this range." }));
    return;
  }
  if (existing && existing.plot && existing.labels.join() === labels.join() && container.contains(existing.plot.root)) {
    existing.plot.setData(data);
    Object.assign(existing, { data, points });
    return;
  }
  if (existing && existing.plot) existing.plot.destroy();
  clear(container);
  const width = Math.max(320, container.clientWidth || 600);
  const plot = new uPlot({
    width, height: 220,
    series: [{ value: (u, v) => (v === null ? "–" : new Date(v * 1000).toISOString().slice(0, 19).replace("T", " ") + "Z") },
      ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
      scale: right.includes(label) ? "right" : "y", value: (u, v) => v === null ? "–" : si(v, right.includes(label) ? "" : unit) }))],
    axes: [{ values: (u, splits) => splits.map((s) => utcTick(s, splits)) }, { size: 84, values: (u, vals) => vals.map((v) => si(v, unit)) },
      ...(right.length ? [{ scale: "right", side: 1, size: 50, grid: { show: false }, values: (u, vals) => vals.map((v) => si(v)) }] : [])],
    scales: { x: { time: true } },
    legend: { live: true },
  }, data, container);
  charts[name] = { labels, data, points, plot };
}

/**
 * Draws the per-CPU heat view: one row per CPU, one column per bucket, colour = the value (already a 0..1 share).
 * Returns the busiest CPU and its average share over the range.
 */
export function cpuHeat(container, name, series, shares) {
  const charts = registry();
  const cpus = series.cpus;
  const n = series.t.length;
  container.dataset.points = String(n * cpus.length);
  if (n === 0 || cpus.length === 0) {
    charts[name] = { cpus, t: [], shares: [], points: 0 };
    clear(container, el("div", { class: "empty", text: "No per-CPU data in this range." }));
    return null;
  }
  const rowH = Math.max(6, Math.min(40, Math.floor(200 / cpus.length)));
  const labelW = 54;
  const width = Math.max(320, container.clientWidth || 600);
  const canvas = el("canvas", { class: "cpuheat" });
  canvas.width = width;
  canvas.height = rowH * cpus.length + 18;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const colW = (width - labelW) / n;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  cpus.forEach((cpu, r) => {
    if (rowH >= 10 || r % Math.ceil(10 / rowH) === 0) {
      ctx.fillStyle = "#687085";
      ctx.fillText("CPU " + cpu, 2, r * rowH + rowH / 2);
    }
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = heatColor(shares[r][i]);
      ctx.fillRect(labelW + i * colW, r * rowH, Math.ceil(colW), rowH - (rowH > 8 ? 1 : 0));
    }
  });
  ctx.fillStyle = "#687085";
  ctx.textBaseline = "alphabetic";
  const fmt = (t) => new Date(t).toISOString().slice(11, 16);
  ctx.fillText(fmt(series.t[0]), labelW, canvas.height - 3);
  const endLabel = fmt(series.t[n - 1]);
  ctx.fillText(endLabel, width - ctx.measureText(endLabel).width - 2, canvas.height - 3);
  const avg = shares.map((row) => {
    const vals = row.filter((v) => v !== null);
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
  });
  const top = avg.indexOf(Math.max(...avg));
  clear(container, canvas);
  charts[name] = { cpus, t: series.t, shares, points: n * cpus.length, busiestCpu: cpus[top], busiestShare: avg[top] };
  return { cpu: cpus[top], share: avg[top] };
}

/** Per bucket, each CPU's part of the sum over CPUs (null where the bucket has nothing). */
export function sharesOfTotal(values) {
  if (values.length === 0) return [];
  const n = values[0].length;
  const totals = Array.from({ length: n }, (_, i) => values.reduce((s, row) => s + (row[i] || 0), 0));
  return values.map((row) => row.map((v, i) => (v === null || totals[i] === 0 ? null : v / totals[i])));
}
