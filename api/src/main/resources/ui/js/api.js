// Talking to the API: the bearer token lives in sessionStorage (entered once per browser tab session) and goes
// with every request; problems (application/problem+json) become errors carrying the API's own explanation.
const TOKEN_KEY = "tunnelvision.token";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = "Bearer " + t;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, (json && json.detail) || res.status + " " + res.statusText);
  }
  return json;
}

/** Builds a query string, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

/** Every item of a keyset-paged list, up to max. */
export async function all(path, params = {}, max = 1000) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path + query({ ...params, limit: Math.min(1000, max - items.length), cursor }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}
