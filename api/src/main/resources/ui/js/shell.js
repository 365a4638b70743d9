// What every page shares: the header with navigation and who is signed in, the sign-in form, and live update by
// polling (each page's refresh runs again every few seconds, never twice at once).
import { api, ApiError, forgetToken, setToken, token } from "./api.js";
import { clear, el } from "./format.js";

export const POLL_MS = 5000;

/**
 * Starts a page: signs in if needed, then calls page.render(who) once and page.refresh(who) now and every POLL_MS.
 * who = {name, role, operator}.
 */
export async function start(page) {
  const header = el("header", { class: "top" }, el("span", { class: "brand", text: "Tunnelvision" }));
  const main = document.querySelector("main");
  document.body.prepend(header);
  let who;
  try {
    who = token() ? await api("/api/v1/whoami") : null;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    forgetToken();
  }
  if (!who) {
    who = await signIn(main);
  }
  who.operator = who.role === "operator";
  const live = el("span", { class: "live", id: "live", text: "loading…" });
  clear(header,
    el("span", { class: "brand", text: "Tunnelvision" }),
    el("nav", {},
      el("a", { href: "/ui/", class: page.name === "fleet" ? "current" : null, text: "Fleet" }),
      el("a", { href: "/ui/timeline.html", class: page.name === "timeline" ? "current" : null, text: "Timeline" }),
      el("a", { href: "/swagger", text: "API" })),
    el("span", { class: "spacer" }),
    live,
    el("span", { class: "who", id: "who", "data-role": who.role, text: who.name + " (" + who.role + ")" }),
    el("button", { id: "sign-out", onclick: () => { forgetToken(); location.reload(); }, text: "Sign out" }));
  page.render(who);

  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await page.refresh(who);
      live.className = "live";
      live.textContent = "live · updated " + new Date().toISOString().slice(11, 19) + "Z";
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    } catch (e) {
      live.className = "live stale";
      live.textContent = "update failed: " + e.message;
      if (e instanceof ApiError && e.status === 401) {
        forgetToken();
        location.reload();
      }
    } finally {
      running = false;
    }
  };
  await tick();
  setInterval(tick, POLL_MS);
  return { refreshNow: tick };
}

/** Shows the sign-in form until the API accepts a token; resolves with whoami's answer. */
function signIn(main) {
  return new Promise((resolve) => {
    const input = el("input", { id: "token", type: "password", autocomplete: "off", placeholder: "bearer token" });
    const message = el("div", { class: "error", id: "sign-in-error" });
    const form = el("form", { class: "panel login", id: "sign-in" },
      el("h2", { text: "Tunnelvision: sign in" }),
      el("div", { class: "muted small", text: "Paste an API token (TUNNELVISION_API_TOKENS holds its SHA-256). "
        + "It is kept in this browser tab's session storage only." }),
      input, el("button", { type: "submit", id: "sign-in-button", text: "Sign in" }), message);
    const saved = Array.from(main.childNodes);
    clear(main, form);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      setToken(value);
      try {
        const who = await api("/api/v1/whoami");
        clear(main, saved);
        resolve(who);
      } catch (e) {
        forgetToken();
        message.textContent = e instanceof ApiError && e.status === 401 ? "The API does not know this token." : e.message;
      }
    });
    input.focus();
  });
}
