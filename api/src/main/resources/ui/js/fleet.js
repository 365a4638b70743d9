// Fleet: counts, a heatmap of gateways × open hotspot types (or × CPUs by softirq share), fleet-wide hotspots and
// the commands still in flight. Clicking a gateway opens its page.
import { all, api } from "./api.js";
import { ago, badge, change, clear, el, heatColor, pct, time } from "./format.js";
import { start } from "./shell.js";

const TYPES = ["IRQ_CONCENTRATION", "SOFTIRQ_CONCENTRATION", "SOFTNET_SQUEEZE", "BACKLOG_DROPS", "TX_DROPS",
  "RX_OVERRUNS", "RPS_OFF", "MTU_MISMATCH", "UDP_BUFFER_ERRORS", "FLEET_OUTLIER", "TUNNEL_DOWN"];
const SEVERITY = { INFO: 1, WARNING: 2, CRITICAL: 3 };
const SEVERITY_COLOR = { 0: "#e3f3e8", 1: "#9cc3ee", 2: "#f2b84b", 3: "#d2452f" };
const IN_FLIGHT = ["proposed", "approved", "issued", "applied"];

let mode = "hotspots";
let last = null;

function gatewayUrl(host) {
  return "/ui/gateway.html?host=" + encodeURIComponent(host);
}

function tiles(s) {
  const tile = (n, label, cls, id) => el("div", { class: "tile " + (cls || ""), id }, el("div", { class: "n", text: n }),
    el("div", { class: "l", text: label }));
  clear(document.getElementById("tiles"),
    tile(s.hosts, "gateways", "", "tile-hosts"),
    tile(s.healthyHosts, "healthy", "ok", "tile-healthy"),
    tile(s.unhealthyHosts, "with open hotspots", s.unhealthyHosts ? "bad" : "ok", "tile-unhealthy"),
    tile(s.silentHosts, "silent > 5 min", s.silentHosts ? "warn" : "", "tile-silent"),
    tile(s.commandsInFlight, "commands in flight", s.commandsInFlight ? "warn" : "", "tile-in-flight"));
}

function hostCell(h) {
  return el("td", { class: "host" }, el("a", { href: gatewayUrl(h.hostId), text: h.hostId }),
    " ", el("span", { class: "muted small", text: ago(h.lastSeen) }));
}

function heatmapByType(hosts, hotspots) {
  const worst = new Map();
  for (const s of hotspots) {
    const members = s.hostId ? [s.hostId] : (s.hosts || []);
    for (const h of members) {
      const key = h + "|" + s.type;
      worst.set(key, Math.max(worst.get(key) || 0, SEVERITY[s.severity] || 1));
    }
  }
  const head = el("tr", {}, el("th", { text: "gateway" }),
    TYPES.map((t) => el("th", { class: "col", text: t.toLowerCase().replaceAll("_", " ") })));
  const rows = hosts.map((h) => el("tr", { class: "gateway", "data-host": h.hostId, onclick: () => location.assign(gatewayUrl(h.hostId)) },
    hostCell(h),
    TYPES.map((t) => {
      const sev = worst.get(h.hostId + "|" + t) || 0;
      const name = Object.keys(SEVERITY).find((k) => SEVERITY[k] === sev);
      return el("td", { style: "background:" + SEVERITY_COLOR[sev], title: h.hostId + ": " + (name ? name.toLowerCase() + " " : "no ") + t,
        "data-type": t, "data-severity": name || "" });
    })));
  clear(document.getElementById("heatmap"), el("table", { class: "heat", id: "heat-table" }, el("thead", {}, head), el("tbody", {}, rows)));
  clear(document.getElementById("heat-legend"), Object.entries(SEVERITY_COLOR).map(([k, c]) =>
    el("span", {}, el("span", { class: "sw", style: "background:" + c }),
      ["no open hotspot", "info", "warning", "critical"][k])));
  document.getElementById("heat-note").textContent = "worst open hotspot per type";
}

function heatmapByCpu(hosts, fleet) {
  const byHost = new Map(fleet.hosts.map((h) => [h.host, h]));
  const maxCpu = Math.max(-1, ...fleet.hosts.flatMap((h) => h.cpus));
  const cpus = Array.from({ length: maxCpu + 1 }, (_, i) => i);
  const head = el("tr", {}, el("th", { text: "gateway" }), cpus.map((c) => el("th", { class: "num", text: c })),
    el("th", { text: "busiest" }));
  const rows = hosts.map((h) => {
    const data = byHost.get(h.hostId);
    const share = new Map(data ? data.cpus.map((c, i) => [c, data.values[i]]) : []);
    const top = data ? Math.max(...data.values) : null;
    return el("tr", { class: "gateway", "data-host": h.hostId, onclick: () => location.assign(gatewayUrl(h.hostId)) },
      hostCell(h),
      cpus.map((c) => {
        const v = share.has(c) ? share.get(c) : null;
        return el("td", { style: "background:" + heatColor(v) + (v !== null && v > 0.6 ? ";color:#fff" : ""), title: `${h.hostId} CPU ${c}: ${pct(v)}`, "data-cpu": c,
          "data-value": v === null ? "" : v.toFixed(4) }, cpus.length <= 16 && v !== null ? Math.round(100 * v) : "");
      }),
      el("td", { class: "small " + (top !== null && top > 0.5 ? "storm" : "muted"), text: top === null ? "no data" : pct(top) }));
  });
  clear(document.getElementById("heatmap"), el("table", { class: "heat", id: "heat-table" }, el("thead", {}, head), el("tbody", {}, rows)));
  clear(document.getElementById("heat-legend"), [0, 0.25, 0.5, 0.75, 1].map((v) =>
    el("span", {}, el("span", { class: "sw", style: "background:" + heatColor(v) }), pct(v))));
  document.getElementById("heat-note").textContent = "share of each CPU's time in softirqs, " + time(fleet.from) + " to "
    + time(fleet.to) + " (" + fleet.tier + " tier); one hot column is a single-core storm";
}

function fleetHotspots(hotspots) {
  const fleet = hotspots.filter((s) => s.scope === "FLEET");
  const host = hotspots.filter((s) => s.scope !== "FLEET")
    .sort((a, b) => (SEVERITY[b.severity] || 0) - (SEVERITY[a.severity] || 0));
  const rows = [...fleet, ...host].slice(0, 30).map((s) => el("tr", {},
    el("td", {}, badge(s.severity)),
    el("td", {}, el("div", { text: s.type.toLowerCase().replaceAll("_", " ") }), el("div", { class: "muted small", text: s.summary || "" })),
    el("td", { class: "small" }, (s.hostId ? [s.hostId] : s.hosts || []).map((h) => el("a", { href: gatewayUrl(h), text: h + " " }))),
    el("td", { class: "small muted time", text: ago(s.openedAt) })));
  clear(document.getElementById("fleet-hotspots"), rows.length
    ? el("table", { id: "hotspot-table" }, el("tr", {}, el("th", { text: "severity" }), el("th", { text: "hotspot" }),
      el("th", { text: "gateways" }), el("th", { text: "opened" })), rows)
    : el("div", { class: "muted", text: "No open hotspots." }));
}

function inFlight(commands) {
  const rows = commands.filter((c) => IN_FLIGHT.includes(c.status)).map((c) => el("tr", { "data-command": c.commandId },
    el("td", {}, badge(c.status)),
    el("td", {}, el("a", { href: gatewayUrl(c.hostId), text: c.hostId })),
    el("td", { text: change(c) }),
    el("td", { class: "small muted time", text: ago(c.issuedAt) }),
    el("td", {}, el("a", { href: "/ui/timeline.html?host=" + encodeURIComponent(c.hostId) + "#" + c.commandId, text: "timeline" }))));
  clear(document.getElementById("in-flight"), rows.length
    ? el("table", {}, el("tr", {}, el("th", { text: "status" }), el("th", { text: "gateway" }), el("th", { text: "change" }),
      el("th", { text: "issued" }), el("th")), rows)
    : el("div", { class: "muted", text: "Nothing in flight." }));
}

function draw() {
  if (!last) return;
  if (mode === "cpus") heatmapByCpu(last.hosts, last.cpus);
  else heatmapByType(last.hosts, last.hotspots);
}

async function refresh() {
  const [summary, hosts, hotspots, commands, cpus] = await Promise.all([
    api("/api/v1/fleet/summary"),
    all("/api/v1/hosts"),
    all("/api/v1/hotspots", { state: "OPEN", from: new Date(Date.now() - 30 * 86400e3) }),
    api("/api/v1/commands?limit=200").then((p) => p.items),
    api("/api/v1/fleet/cpus?metric=softirq_share")]);
  last = { hosts, hotspots, cpus };
  window.tv = Object.assign(window.tv || {}, { fleet: last });
  tiles(summary);
  draw();
  fleetHotspots(hotspots);
  inFlight(commands);
}

function render() {
  for (const b of document.querySelectorAll("#heat-mode button")) {
    b.addEventListener("click", () => {
      mode = b.dataset.mode;
      document.querySelectorAll("#heat-mode button").forEach((x) => x.classList.toggle("on", x === b));
      draw();
    });
  }
}

start({ name: "fleet", render, refresh });
