// Timeline: hotspots opened and closed, commands proposed, approved, applied, verified or rolled back, newest
// first, each with its evidence; an operator approves or rejects proposed commands (approval mode) from here.
import { all, api, ApiError, query } from "./api.js";
import { badge, change, clear, el, param, time } from "./format.js";
import { start } from "./shell.js";

const RANGES = { "1h": 3600, "6h": 21600, "24h": 86400, "7d": 604800, "30d": 2592000 };
let range = RANGES[param("range")] ? param("range") : "24h";
let host = param("host") || "";
let who;
let refreshNow = () => {};
const expanded = new Set(location.hash ? [decodeURIComponent(location.hash.slice(1))] : []);
const details = new Map();
const sent = new Map();

function setUrl() {
  history.replaceState(null, "", "?" + new URLSearchParams({ range, ...(host ? { host } : {}) }) + location.hash);
}

function gatewayUrl(h) {
  return "/ui/gateway.html?" + new URLSearchParams({ host: h, range: "6h" });
}

function ranges() {
  clear(document.getElementById("ranges"), Object.keys(RANGES).map((r) => el("button", {
    class: r === range ? "on" : null, text: r, onclick: () => { range = r; setUrl(); ranges(); refreshNow(); },
  })));
}

async function decide(command, decision, button) {
  const row = button.closest("td");
  row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  try {
    const body = decision === "reject" ? { reason: "rejected from the dashboard by " + who.name } : {};
    const answer = await api(`/api/v1/commands/${encodeURIComponent(command.commandId)}/${decision}`, { method: "POST", body });
    sent.set(command.commandId, answer.decision.toLowerCase() + " sent by " + answer.operator);
    clear(row, el("span", { class: "small muted decision-sent", text: sent.get(command.commandId) }));
  } catch (e) {
    row.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    row.append(el("div", { class: "error small", text: e instanceof ApiError ? e.message : String(e) }));
  }
}

function actions(c) {
  if (c.status !== "proposed") return null;
  if (sent.has(c.commandId)) return el("span", { class: "small muted decision-sent", text: sent.get(c.commandId) });
  if (!who.operator) return el("span", { class: "small muted", text: "awaiting an operator" });
  return [
    el("button", { class: "approve", "data-command": c.commandId, onclick: (ev) => { ev.stopPropagation(); decide(c, "approve", ev.target); }, text: "Approve" }),
    " ",
    el("button", { class: "reject", "data-command": c.commandId, onclick: (ev) => { ev.stopPropagation(); decide(c, "reject", ev.target); }, text: "Reject" }),
  ];
}

function hotspotDetail(s) {
  return el("div", {},
    el("div", {}, `target ${s.target || "–"} · severity ${s.severity} · window ${time(s.windowStart)} to ${time(s.windowEnd)}`),
    s.hosts && s.hosts.length ? el("div", {}, "gateways: ", s.hosts.map((h) => el("a", { href: gatewayUrl(h), text: h + " " }))) : null,
    el("div", { class: "muted", text: "evidence:" }), el("pre", { class: "evidence", text: JSON.stringify(s.evidence, null, 1) }));
}

function commandDetail(c) {
  const d = details.get(c.commandId);
  const parts = [el("div", {}, change(c)
    + (c.dryRun ? " (dry run)" : "") + (c.reason ? " · " + c.reason : "")),
  c.hotspotId ? el("div", {}, "because of hotspot ", el("a", { href: "#" + c.hotspotId, class: "hotspot-link", text: c.hotspotId }),
    " · ", el("a", { href: gatewayUrl(c.hostId), text: "charts of " + c.hostId })) : null,
  c.rollbackOf ? el("div", {}, "rolls back ", el("a", { href: "#" + c.rollbackOf, text: c.rollbackOf })) : null];
  if (!d) return el("div", {}, parts, el("div", { class: "muted", text: "loading what became of it…" }));
  if (d.decision) parts.push(el("div", {}, `${time(d.decision.decidedAt)} ${d.decision.decision.toLowerCase()} by ${d.decision.operator}`
    + (d.decision.reason ? ": " + d.decision.reason : "")));
  for (const r of d.results) {
    parts.push(el("div", {}, `${time(r.reportedAt)} agent: ${r.status.toLowerCase()}`
      + (r.valueBefore !== null || r.valueAfter !== null ? ` (${r.valueBefore ?? "?"} → ${r.valueAfter ?? "?"})` : "")
      + (r.reason ? " · " + r.reason : "")));
  }
  if (d.outcome) {
    const o = d.outcome;
    parts.push(el("div", { class: "outcome" }, `${time(o.decidedAt)} verdict: `, badge(o.verdict.toLowerCase()),
      ` ${o.metric} ${o.valueBefore} → ${o.valueAfter}`,
      o.rollbackCommandId ? [" · rolled back by ", el("a", { href: "#" + o.rollbackCommandId, text: o.rollbackCommandId })] : null));
  }
  return el("div", {}, parts);
}

/** One step of a command in words: who did what, with the values or the metric that decided it. */
function stepText(s, c) {
  const what = c ? change(c) : s.commandId;
  const values = s.valueBefore !== null || s.valueAfter !== null ? ` (${s.valueBefore ?? "?"} → ${s.valueAfter ?? "?"})` : "";
  if (s.actor === "verification") {
    return `${s.step.replace("_", " ")} ${what}: ${s.detail}${values}` + (s.relatedCommandId ? ", rollback " + s.relatedCommandId : "");
  }
  return `${s.step.replace("_", " ")} ${what} by ${s.actor}${values}` + (s.detail ? ": " + s.detail : "");
}

function toggle(id) {
  if (expanded.has(id)) expanded.delete(id);
  else expanded.add(id);
  refreshNow();
}

function rows(events) {
  const out = [];
  for (const e of events) {
    const id = e.id;
    out.push(el("tr", { class: "event " + e.kind, id: e.anchor ? id : null, "data-id": id, "data-kind": e.kind,
      style: "cursor:pointer", onclick: () => toggle(id) },
      el("td", { class: "time", text: time(e.at) }),
      el("td", {}, e.hosts.map((h) => el("a", { href: gatewayUrl(h), onclick: (ev) => ev.stopPropagation(), text: h + " " }))),
      el("td", { class: "what", text: e.what }),
      el("td", { class: "status" }, e.badge),
      el("td", { class: "actions" }, e.actions)));
    if (expanded.has(id)) {
      out.push(el("tr", { class: "detail", "data-detail": id }, el("td"), el("td", { colspan: 4 }, e.detail())));
    }
  }
  return out;
}

async function refresh() {
  const to = new Date();
  const from = new Date(to.getTime() - RANGES[range] * 1000);
  const [hotspots, commandPage, hosts, steps] = await Promise.all([
    all("/api/v1/hotspots", { from, to, host }, 1000),
    api("/api/v1/commands" + query({ host, limit: 500 })),
    all("/api/v1/hosts"),
    api("/api/v1/command-events" + query({ host, from, to, limit: 1000 }))]);
  const select = document.getElementById("host");
  const names = hosts.map((h) => h.hostId);
  if (select.dataset.names !== names.join()) {
    clear(select, el("option", { value: "", text: "all gateways" }), names.map((n) => el("option", { value: n, text: n })));
    select.dataset.names = names.join();
    select.onchange = () => { host = select.value; setUrl(); refreshNow(); };
  }
  select.value = host;

  const commands = commandPage.items.filter((c) => Date.parse(c.issuedAt) >= from.getTime());
  await Promise.all(commands.filter((c) => expanded.has(c.commandId)).map(async (c) => {
    details.set(c.commandId, await api("/api/v1/commands/" + encodeURIComponent(c.commandId)));
  }));
  const events = [];
  for (const s of hotspots) {
    const hs = s.hostId ? [s.hostId] : s.hosts || [];
    const what = `hotspot ${s.type.toLowerCase().replaceAll("_", " ")}` + (s.target ? " on " + s.target : "")
      + (s.summary ? ": " + s.summary : "");
    if (Date.parse(s.openedAt) >= from.getTime()) {
      events.push({ kind: "hotspot", id: s.hotspotId, anchor: true, at: s.openedAt, hosts: hs, what: "opened " + what,
        badge: [badge(s.severity), " ", badge(s.state)], detail: () => hotspotDetail(s) });
    }
    if (s.closedAt) {
      events.push({ kind: "hotspot", id: s.hotspotId + ":closed", anchor: false, at: s.closedAt, hosts: hs,
        what: "closed " + what, badge: badge("CLOSED"), detail: () => hotspotDetail(s) });
    }
  }
  for (const c of commands) {
    events.push({ kind: "command", id: c.commandId, anchor: true, at: c.issuedAt, hosts: [c.hostId],
      what: `${c.proposed ? "proposed" : "command"} ${change(c)}`
        + (c.rollbackOf ? " (rollback)" : ""),
      badge: el("span", { class: "command-status", "data-command": c.commandId, "data-status": c.status }, badge(c.status)),
      actions: actions(c), detail: () => commandDetail(c) });
  }
  const byId = new Map(commandPage.items.map((c) => [c.commandId, c]));
  for (const s of steps.items) {
    const c = byId.get(s.commandId);
    events.push({ kind: "step", id: s.commandId + ":" + s.step, anchor: false, at: s.at, hosts: [s.hostId],
      what: stepText(s, c), badge: badge(s.step), detail: () => (c ? commandDetail(c) : el("div", { text: s.commandId })) });
  }
  events.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  clear(document.getElementById("event-rows"), events.length ? rows(events)
    : el("tr", {}, el("td", { colspan: 5, class: "muted", text: "Nothing happened in this range." })));
  const waiting = commands.filter((c) => c.status === "proposed").length;
  document.getElementById("mode-note").textContent = waiting
    ? `${waiting} proposed command(s) wait for an operator (approval mode)` + (who.operator ? "" : "; your token may only view")
    : "";
}

function render(whoami) {
  who = whoami;
  ranges();
}

start({ name: "timeline", render, refresh }).then((page) => { refreshNow = page.refreshNow; });
