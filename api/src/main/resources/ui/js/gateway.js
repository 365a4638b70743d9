// Gateway: one gateway in depth over a chosen range: throughput, drops and latency of its tunnel and underlay,
// per-CPU NET_RX and IRQ share (a single-core storm is one hot row), softnet squeeze/drops, WireGuard peers and their
// path MTU, egress queues (qdiscs, byte queue limits), NICs (rings, channels, coalescing, drops), settings and their
// history.
import { api, query } from "./api.js";
import { ago, badge, clear, el, param, pct, si, time } from "./format.js";
import { align, cpuHeat, lineChart, sharesOfTotal } from "./charts.js";
import { start } from "./shell.js";

/** Range name -> [seconds, step seconds]: the step keeps charts near 100 points and picks the tier. */
const RANGES = { "15m": [900, 10], "1h": [3600, 30], "6h": [21600, 300], "24h": [86400, 900], "7d": [604800, 3600] };
const TUNNEL_KINDS = ["TUN", "TAP", "WIREGUARD", "VXLAN", "GRE"];

const host = param("host");
let range = RANGES[param("range")] ? param("range") : "1h";
let iface = param("iface");
let who;

function setUrl() {
  history.replaceState(null, "", "?" + new URLSearchParams({ host, range, ...(iface ? { iface } : {}) }));
}

function span() {
  const [seconds, step] = RANGES[range];
  const to = new Date();
  return { from: new Date(to.getTime() - seconds * 1000), to, step };
}

async function series(metric, extra, w) {
  const body = await api("/api/v1/series" + query({ host, metric, from: w.from, to: w.to, step: w.step + "s", ...extra }));
  return body.points.map((p) => ({ t: p.t, v: p.avg }));
}

async function perCpu(metric, w) {
  return api("/api/v1/series/cpus" + query({ host, metric, from: w.from, to: w.to, step: w.step + "s" }));
}

function ranges() {
  clear(document.getElementById("ranges"), Object.keys(RANGES).map((r) => el("button", {
    class: r === range ? "on" : null, "data-range": r, text: r,
    onclick: () => { range = r; setUrl(); ranges(); refreshNow(); },
  })));
}

let refreshNow = () => {};

function describe(detail) {
  const h = detail.host;
  document.getElementById("title").textContent = "Gateway " + h.hostId;
  document.title = "Tunnelvision · " + h.hostId;
  clear(document.getElementById("host-facts"),
    el("span", { class: "muted", text: `agent ${h.agentVersion || "?"} · last sample ${ago(h.lastSeen)} · ` }),
    el("a", { href: "/ui/timeline.html?host=" + encodeURIComponent(h.hostId), text: "timeline of this gateway" }));
  const open = detail.openHotspots;
  clear(document.getElementById("open-hotspots"), open.length
    ? open.map((s) => el("div", { class: "small" }, badge(s.severity), " ", el("b", { text: s.type.toLowerCase().replaceAll("_", " ") }),
      " ", s.target || "", ": ", s.summary || "", el("span", { class: "muted", text: " · open since " + time(s.openedAt) })))
    : el("span", { class: "badge ok", text: "no open hotspots" }));
}

function chooseInterface(interfaces) {
  const tunnels = interfaces.filter((i) => TUNNEL_KINDS.includes(i.kind));
  const choices = tunnels.length ? tunnels : interfaces;
  const select = document.getElementById("iface");
  const names = choices.map((i) => i.iface);
  if (!iface || !names.includes(iface)) iface = names[0] || null;
  if (select.dataset.names !== names.join()) {
    clear(select, choices.map((i) => el("option", { value: i.iface, text: `${i.iface} (${i.kind.toLowerCase()})` })));
    select.dataset.names = names.join();
    select.onchange = () => { iface = select.value; setUrl(); refreshNow(); };
  }
  select.value = iface || "";
  const chosen = interfaces.find((i) => i.iface === iface);
  const underlay = chosen && chosen.underlay ? chosen.underlay : null;
  document.getElementById("underlay").textContent = underlay ? "underlay " + underlay : "no underlay known";
  return underlay;
}

async function linkCharts(w, underlay) {
  if (!iface) {
    lineChart(document.getElementById("chart-throughput"), "throughput", [], [[]]);
    return;
  }
  const ifaces = underlay ? [iface, underlay] : [iface];
  const [bytes, drops, softnetDropped] = await Promise.all([
    Promise.all(ifaces.flatMap((i) => ["rx_bytes", "tx_bytes"].map((m) => series(m, { iface: i }, w)))),
    Promise.all(ifaces.flatMap((i) => ["rx_dropped", "tx_dropped"].map((m) => series(m, { iface: i }, w)))),
    series("dropped", {}, w)]);
  const labels = ifaces.flatMap((i) => [i + " rx", i + " tx"]);
  const bits = bytes.map((s) => s.map((p) => ({ t: p.t, v: p.v === null ? null : p.v * 8 })));
  lineChart(document.getElementById("chart-throughput"), "throughput", labels, align(bits), "b/s");
  lineChart(document.getElementById("chart-drops"), "drops", [...labels, "softnet (all CPUs)"], align([...drops, softnetDropped]), "/s");
}

async function latencyChart(w) {
  const note = document.getElementById("latency-note");
  let body;
  try {
    body = await api("/api/v1/latency" + query({ host, from: w.from, to: w.to }));
  } catch (e) {
    lineChart(document.getElementById("chart-latency"), "latency", [], [[]]);
    note.textContent = e.message;
    return;
  }
  const buckets = { OVERLAY: new Map(), UNDERLAY: new Map() };
  for (const p of body.probes) {
    if (p.rttAvgUs === null || !buckets[p.path]) continue;
    const b = new Date(Math.floor(Date.parse(p.ts) / (w.step * 1000)) * w.step * 1000).toISOString();
    const acc = buckets[p.path].get(b) || { sum: 0, n: 0 };
    acc.sum += p.rttAvgUs;
    acc.n += 1;
    buckets[p.path].set(b, acc);
  }
  const ms = (m) => [...m.entries()].map(([t, a]) => ({ t, v: a.sum / a.n / 1000 }));
  lineChart(document.getElementById("chart-latency"), "latency", ["overlay", "underlay"],
    align([ms(buckets.OVERLAY), ms(buckets.UNDERLAY)]), "ms");
  note.textContent = body.overlayOverheadUs === null ? "" : "the tunnel adds "
    + (body.overlayOverheadUs / 1000).toFixed(2) + " ms on average over this range";
}

async function softnetChart(w) {
  const [squeeze, dropped, backlog] = await Promise.all([series("time_squeeze", {}, w), series("dropped", {}, w),
    series("backlog_len", {}, w)]);
  lineChart(document.getElementById("chart-softnet"), "softnet", ["time squeeze /s (all CPUs)", "dropped /s (all CPUs)",
    "backlog packets (busiest CPU, right axis)"], align([squeeze, dropped, backlog]), "", ["backlog packets (busiest CPU, right axis)"]);
}

async function cpuCharts(w) {
  const [netRx, irq] = await Promise.all([perCpu("net_rx", w), perCpu("irq_lines_total", w)]);
  const say = (id, top, what) => {
    const note = document.getElementById(id);
    if (!top) {
      note.textContent = "";
      return;
    }
    const storm = top.share > 0.5 && netRx.cpus.length > 1;
    note.className = "small " + (storm ? "storm" : "muted");
    note.textContent = `CPU ${top.cpu} handles ${pct(top.share)} of ${what}` + (storm ? ": a single-core storm" : "");
  };
  say("netrx-note", cpuHeat(document.getElementById("chart-netrx"), "netrx", netRx, sharesOfTotal(netRx.values)),
    "NET_RX softirqs");
  say("irq-note", cpuHeat(document.getElementById("chart-irq"), "irq", irq, sharesOfTotal(irq.values)),
    "NIC and tunnel interrupts");
}

function seconds(s) {
  if (s === null || s === undefined) return "never";
  if (s < 120) return s + " s";
  if (s < 7200) return Math.round(s / 60) + " min";
  return Math.round(s / 3600) + " h";
}

/** Each WireGuard interface's peers as the latest sample saw them; the panel stays hidden without WireGuard. */
function wireguard(body) {
  const panel = document.getElementById("wireguard-panel");
  window.tv = Object.assign(window.tv || {}, { wireguard: body });
  panel.hidden = !body.interfaces.length;
  if (panel.hidden) return;
  const rows = body.interfaces.flatMap((i) => i.peers.map((p) => el("tr", { class: "peer " + p.status, "data-peer": p.publicKey },
    el("td", { text: i.name }), el("td", { class: "key", title: p.publicKey, text: p.shortKey }),
    el("td", { text: p.endpoint || "–" }), el("td", { class: "num handshake", text: seconds(p.handshakeAgeSeconds) }),
    el("td", { class: "num", text: si(p.rxBytesPerSecond === null ? null : p.rxBytesPerSecond * 8, "b/s") }),
    el("td", { class: "num", text: si(p.txBytesPerSecond === null ? null : p.txBytesPerSecond * 8, "b/s") }),
    el("td", {}, badge(p.status)))));
  clear(document.getElementById("wireguard"), el("table", { id: "wireguard-table" },
    el("tr", {}, ["interface", "peer", "endpoint", "handshake age", "rx", "tx", "status"]
      .map((h) => el("th", { text: h, class: ["handshake age", "rx", "tx"].includes(h) ? "num" : null }))), rows));
  document.getElementById("wireguard-note").textContent = `sampled ${time(body.sampledAt)}; a handshake older than `
    + `${body.staleAfterSeconds} s is stale`;
}

const PMTU_STATUS = { blackhole: "black hole", reported: "ICMP reported", unreachable: "unreachable", ok: "ok" };

/** Each WireGuard peer's path MTU as the latest probing found it; the panel stays hidden without probes. */
function pmtu(body) {
  const panel = document.getElementById("pmtu-panel");
  window.tv = Object.assign(window.tv || {}, { pmtu: body });
  panel.hidden = !body.paths.length;
  if (panel.hidden) return;
  const rows = body.paths.map((p) => el("tr", { class: "path " + p.status, "data-peer": p.peer },
    el("td", { text: p.iface }), el("td", { text: p.peer }), el("td", { text: p.address }),
    el("td", { class: "num", text: p.tunnelMtu }), el("td", { class: "num passed", text: p.largestPassed ?? "–" }),
    el("td", { class: "num failed", text: p.smallestFailed ?? "–" }), el("td", { class: "num", text: p.reportedMtu ?? "–" }),
    el("td", {}, badge(PMTU_STATUS[p.status] || p.status, p.status))));
  clear(document.getElementById("pmtu"), el("table", { id: "pmtu-table" },
    el("tr", {}, ["tunnel", "peer", "probed", "tunnel MTU", "largest passed", "smallest failed", "ICMP-reported MTU", "status"]
      .map((h) => el("th", { text: h, class: ["tunnel MTU", "largest passed", "smallest failed", "ICMP-reported MTU"].includes(h) ? "num" : null }))),
    rows));
  document.getElementById("pmtu-note").textContent = `sampled ${time(body.sampledAt)}; sizes are whole IP packets sent `
    + "with don't-fragment through the tunnel; a size the tunnel's MTU allows that vanishes with no ICMP report is a black hole";
}

function rate(v) {
  return v === null || v === undefined ? "–" : si(v, "/s");
}

/**
 * Each interface's qdiscs as the latest sample saw them, root first and its children indented: drops/s over the last
 * interval, the standing backlog, and the byte queue limits of its transmit queues; an interface the rules find at
 * txqueuelen 0 where that drops is marked. The panel stays hidden without a qdisc sample.
 */
function qdiscs(body) {
  const panel = document.getElementById("qdisc-panel");
  window.tv = Object.assign(window.tv || {}, { qdiscs: body });
  panel.hidden = !body.interfaces.length;
  if (panel.hidden) return;
  const rows = body.interfaces.flatMap((i) => [
    el("tr", { class: "iface" + (i.txQueueLenZero ? " txqueuelen-zero" : ""), "data-iface": i.name },
      el("td", { colspan: 5 }, el("b", { text: i.name }),
        el("span", { class: "small muted", text: ` ${(i.kind || "").toLowerCase()} · txqueuelen ${i.txQueueLen ?? "–"}` }),
        i.txQueueLenZero ? badge("txqueuelen 0", "CRITICAL") : null,
        i.txQueueLenZero ? el("div", { class: "small", text: i.txQueueLenZeroReason }) : null,
        i.txQueues.length ? el("div", { class: "small muted bql", text: "BQL " + i.txQueues.map((q) =>
          `tx-${q.queue} ${si(q.bqlInflight, "B")} in flight of ${si(q.bqlLimit, "B")}`).join(" · ") }) : null)),
    ...i.qdiscs.map((q) => el("tr", { class: "qdisc" + (q.root ? " root" : " child") + (q.dropsPerSecond > 0 ? " dropping" : ""),
      "data-iface": i.name, "data-handle": q.handle, "data-parent": q.parent ?? "" },
      el("td", { text: (q.root ? "" : "└ ") + `${q.kind} ${q.handle}` + (q.root ? " (root)" : ` (parent ${q.parent})`) }),
      el("td", { class: "num drops", text: rate(q.dropsPerSecond) }),
      el("td", { class: "num backlog", text: `${si(q.backlogBytes, "B")} / ${q.backlogPackets} p` }),
      el("td", { class: "num", text: rate(q.overlimitsPerSecond) }),
      el("td", { class: "num", text: q.bytesPerSecond === null ? "–" : si(q.bytesPerSecond * 8, "b/s") })))]);
  clear(document.getElementById("qdiscs"), el("table", { id: "qdisc-table" },
    el("tr", {}, ["qdisc", "drops", "backlog", "overlimits", "sent"].map((h) => el("th", { text: h, class: h === "qdisc" ? null : "num" }))),
    rows));
  document.getElementById("qdisc-note").textContent = `sampled ${time(body.sampledAt)}`
    + (body.intervalSeconds ? `; rates over the ${Math.round(body.intervalSeconds)} s before` : "; no sample before it, no rates yet")
    + "; backlog is the queue standing at the sample's time";
}

/** "current / maximum", marked when the current value is below a maximum the device allows. */
function ofMax(cur, max) {
  if (cur === null || cur === undefined) return el("span", { class: "muted", text: "n/a" });
  return el("span", { class: max !== null && max !== undefined && cur < max ? "below-max" : null,
    text: max === null || max === undefined ? String(cur) : `${cur} / ${max}` });
}

/**
 * Each NIC as the latest sample saw it: the RX ring and channels against their maxima, rx-usecs and adaptive-rx, the
 * drop rates over the last interval (missed and out-of-buffer: the ring overflowed) and per queue where a queue drops,
 * and UDP GRO forwarding. The panel stays hidden without a NIC sample.
 */
function nics(body) {
  const panel = document.getElementById("nic-panel");
  window.tv = Object.assign(window.tv || {}, { nics: body });
  panel.hidden = !body.nics.length;
  if (panel.hidden) return;
  const rows = body.nics.map((n) => {
    const ringDrops = n.rxMissedPerSecond === null && n.rxNoBufferPerSecond === null ? null
      : (n.rxMissedPerSecond || 0) + (n.rxNoBufferPerSecond || 0);
    const channels = n.combinedChannels !== null ? ofMax(n.combinedChannels, n.combinedChannelsMax)
      : el("span", {}, "rx ", ofMax(n.rxChannels, n.rxChannelsMax));
    const dropping = n.queues.filter((q) => q.rxDropsPerSecond > 0 || q.txDropsPerSecond > 0);
    const udpGro = n.offloadsOn.includes("rx-udp-gro-forwarding") ? "on"
      : n.offloadsOff.includes("rx-udp-gro-forwarding") ? "off" : "–";
    return el("tr", { class: "nic" + (ringDrops > 0 ? " dropping" : ""), "data-iface": n.name },
      el("td", {}, el("b", { text: n.name }), el("span", { class: "small muted", text: " " + (n.driver || "") })),
      el("td", { class: "num ring" }, ofMax(n.rxRing, n.rxRingMax)),
      el("td", { class: "num channels" }, channels),
      el("td", { class: "num coalescing", text: n.rxUsecs === null ? "n/a"
        : `${n.rxUsecs} µs` + (n.adaptiveRx === null ? "" : n.adaptiveRx ? " (adaptive)" : " (fixed)") }),
      el("td", { class: "num drops", text: rate(ringDrops) }),
      el("td", { class: "num", text: rate(n.rxDroppedPerSecond) }),
      el("td", { class: "num", text: rate(n.txDroppedPerSecond) }),
      el("td", { class: "udp-gro", text: udpGro }),
      el("td", { class: "small queues", text: dropping.map((q) => `q${q.queue} rx ${rate(q.rxDropsPerSecond)}`
        + (q.txDropsPerSecond > 0 ? ` tx ${rate(q.txDropsPerSecond)}` : "")).join(" · ") }));
  });
  clear(document.getElementById("nics"), el("table", { id: "nic-table" },
    el("tr", {}, ["NIC", "RX ring", "channels", "rx-usecs", "missed + no buffer", "rx dropped", "tx dropped",
      "UDP GRO fwd", "queues dropping"].map((h) => el("th", { text: h }))), rows));
  document.getElementById("nic-note").textContent = `sampled ${time(body.sampledAt)}`
    + (body.intervalSeconds ? `; rates over the ${Math.round(body.intervalSeconds)} s before` : "; no sample before it, no rates yet")
    + "; a ring or channel count below the device's maximum is marked";
}

function rps(rxQueues) {
  if (!rxQueues || !rxQueues.length) return "–";
  const masks = [...new Set(rxQueues.map((q) => q.rpsCpus || "0"))];
  return masks.join(", ") + (rxQueues.length > 1 ? ` (${rxQueues.length} queues)` : "");
}

const KERNEL = [["rmemMax", "net.core.rmem_max"], ["wmemMax", "net.core.wmem_max"], ["netdevBudget", "net.core.netdev_budget"],
  ["netdevBudgetUsecs", "net.core.netdev_budget_usecs"], ["netdevMaxBacklog", "net.core.netdev_max_backlog"],
  ["rpsSockFlowEntries", "net.core.rps_sock_flow_entries"]];

function settingsNow(detail) {
  const ifRows = detail.interfaces.map((i) => el("tr", {},
    el("td", { text: i.iface }), el("td", { text: i.kind.toLowerCase() }), el("td", { class: "num", text: i.mtu }),
    el("td", { class: "num", text: i.txQueueLen }), el("td", { text: rps(i.rxQueues) }), el("td", { text: i.operState }),
    el("td", { text: i.underlay || "" }), el("td", { class: "small muted time", text: time(i.since) })));
  const k = detail.kernel;
  clear(document.getElementById("settings-now"),
    el("table", { id: "interfaces" }, el("tr", {}, ["interface", "kind", "MTU", "txqueuelen", "RPS CPUs", "state", "underlay", "since"]
      .map((h) => el("th", { text: h, class: h === "MTU" || h === "txqueuelen" ? "num" : null }))), ifRows),
    k ? el("table", { id: "kernel", style: "margin-top:10px" },
      el("tr", {}, KERNEL.map(([, label]) => el("th", { class: "num", text: label })), el("th", { text: "rp_filter" })),
      el("tr", {}, KERNEL.map(([key]) => el("td", { class: "num", text: k[key] ?? "–" })),
        el("td", { class: "small", text: JSON.stringify(k.rpFilter) })))
      : el("div", { class: "muted", text: "No kernel settings reported yet." }));
}

function settingsHistory(h) {
  const rows = [];
  const byIface = new Map();
  for (const i of h.interfaces) {
    if (!byIface.has(i.iface)) byIface.set(i.iface, []);
    byIface.get(i.iface).push(i);
  }
  for (const i of h.interfaces) {
    const list = byIface.get(i.iface);
    const older = list[list.indexOf(i) + 1];
    rows.push({ at: i.since, row: el("tr", {}, el("td", { class: "small muted time", text: time(i.since) }), el("td", { text: i.iface }),
      el("td", { text: `MTU ${i.mtu} · txqueuelen ${i.txQueueLen} · RPS ${rps(i.rxQueues)}` }),
      el("td", {}, older ? changes([["MTU", i.mtu, older.mtu], ["txqueuelen", i.txQueueLen, older.txQueueLen],
        ["RPS", rps(i.rxQueues), rps(older.rxQueues)]]) : el("span", { class: "muted small", text: "in effect at start" }))) });
  }
  h.kernel.forEach((k, idx) => {
    const older = h.kernel[idx + 1];
    rows.push({ at: k.since, row: el("tr", {}, el("td", { class: "small muted time", text: time(k.since) }), el("td", { text: "sysctl" }),
      el("td", { class: "small", text: KERNEL.map(([key, label]) => `${label.replace("net.core.", "")}=${k[key] ?? "–"}`).join(" · ") }),
      el("td", {}, older ? changes(KERNEL.map(([key, label]) => [label, k[key], older[key]]))
        : el("span", { class: "muted small", text: "in effect at start" }))) });
  });
  rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  clear(document.getElementById("settings-history"), rows.length
    ? el("table", { id: "settings-history-table" }, el("tr", {}, ["since", "what", "values", "changed"].map((x) => el("th", { text: x }))),
      rows.map((r) => r.row))
    : el("div", { class: "muted", text: "No settings reported in this range." }));
}

function changes(triples) {
  const changed = triples.filter(([, now, before]) => String(now) !== String(before));
  return changed.length
    ? changed.map(([label, now, before]) => el("div", { class: "changed small", text: `${label}: ${before ?? "–"} → ${now ?? "–"}` }))
    : el("span", { class: "muted small", text: "(no change)" });
}

async function refresh() {
  const w = span();
  const detail = await api("/api/v1/hosts/" + encodeURIComponent(host));
  describe(detail);
  const underlay = chooseInterface(detail.interfaces);
  settingsNow(detail);
  const history = api(`/api/v1/hosts/${encodeURIComponent(host)}/settings` + query({ from: new Date(Math.min(w.from.getTime(),
    Date.now() - 7 * 86400e3)), to: w.to }));
  const peers = api(`/api/v1/hosts/${encodeURIComponent(host)}/wireguard`);
  const paths = api(`/api/v1/hosts/${encodeURIComponent(host)}/pmtu`);
  const queues = api(`/api/v1/hosts/${encodeURIComponent(host)}/qdiscs`);
  const cards = api(`/api/v1/hosts/${encodeURIComponent(host)}/nics`);
  await Promise.all([linkCharts(w, underlay), latencyChart(w), softnetChart(w), cpuCharts(w),
    history.then(settingsHistory), peers.then(wireguard), paths.then(pmtu), queues.then(qdiscs), cards.then(nics)]);
}

function render(whoami) {
  who = whoami;
  if (!host) {
    clear(document.querySelector("main"), el("div", { class: "error", text: "No gateway given: open one from the fleet page." }));
    return;
  }
  ranges();
}

start({ name: "gateway", render, refresh: () => (host ? refresh() : Promise.resolve()) })
  .then((page) => { refreshNow = page.refreshNow; });
