// The shell: header, tab bar, hash router and the poll loop. Each tab is a page module
// (pages/NAME.js exporting mount(root, ctx) -> {update, unmount}); the shell calls update()
// every pollMs while the page is shown, one call at a time, and updates nothing itself but
// the header and the "connection lost" banner. No page reloads: data flows through fetch.

import { h, fmt, table } from "./lib.js";

const TABS = [
  ["jobs", "Jobs"], ["stages", "Stages"], ["storage", "Storage"],
  ["environment", "Environment"], ["executors", "Executors"],
  ["streaming", "Streaming"], ["dashboard", "Dashboard"],
];
const PAGES = {
  jobs: () => import("./pages/jobs.js"),
  stages: () => import("./pages/stages.js"),
  storage: () => import("./pages/storage.js"),
  environment: () => import("./pages/environment.js"),
  executors: () => import("./pages/executors.js"),
  streaming: () => import("./pages/streaming.js"),
  dashboard: () => import("./pages/dashboard.js"),
};

class HttpError extends Error {
  constructor(status, url) {
    super(`HTTP ${status} for ${url}`);
    this.status = status;
  }
}

async function getJSON(url) {
  let resp;
  try {
    resp = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  } catch (e) {
    e.connection = true; // the server is gone (or the network)
    throw e;
  }
  if (!resp.ok) {
    const err = new HttpError(resp.status, url);
    err.connection = resp.status >= 500 || resp.status === 401;
    throw err;
  }
  return resp.json();
}

const state = { config: null, page: null, route: null, timer: null, generation: 0, failures: 0 };
const els = {};

function setBanner(lost, why) {
  els.banner.hidden = !lost;
  els.banner.textContent = lost ? `Connection lost: ${why}. Retrying...` : "";
  document.body.classList.toggle("offline", lost);
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const tab = PAGES[parts[0]] ? parts[0] : "jobs";
  return { tab, params: PAGES[parts[0]] ? parts.slice(1) : [] };
}

function ctxFor(route) {
  const cfg = state.config;
  const appId = cfg.appId;
  return {
    appId,
    config: cfg,
    killEnabled: !!cfg.killEnabled,
    api: (path) => getJSON(`/api/v1/applications/${encodeURIComponent(appId)}${path}`),
    apiRoot: (path) => getJSON(`/api/v1${path}`),
    params: route.params,
    navigate: (hash) => { location.hash = hash; },
    h, fmt, table,
    chart: window.uPlot,
  };
}

async function showRoute() {
  const route = parseHash();
  const gen = ++state.generation;
  if (state.page) {
    try { state.page.unmount?.(); } catch (e) { console.error(e); }
    state.page = null;
  }
  clearTimeout(state.timer);
  for (const a of els.tabs.querySelectorAll("a")) {
    a.classList.toggle("active", a.dataset.tab === route.tab);
  }
  els.root.replaceChildren();
  els.root.dataset.page = route.tab;
  let mod;
  try {
    mod = await PAGES[route.tab]();
  } catch (e) {
    els.root.append(h("p", { class: "error" }, `Could not load the ${route.tab} page: ${e}`));
    return;
  }
  if (gen !== state.generation) return; // another navigation won
  const pageRoot = h("div", { class: "page", "data-testid": `page-${route.tab}` });
  els.root.append(pageRoot);
  state.route = route;
  state.page = mod.mount(pageRoot, ctxFor(route)) || {};
  tick(gen);
}

async function appCompleted() {
  if (state.config.completed) return true;
  try {
    const info = await getJSON(`/api/v1/applications/${encodeURIComponent(state.config.appId)}`);
    const attempts = info.attempts || [];
    return attempts.length > 0 && attempts.every((a) => a.completed);
  } catch (e) {
    return false;
  }
}

async function tick(gen) {
  if (gen !== state.generation || !state.page) return;
  try {
    await state.page.update?.();
    state.failures = 0;
    setBanner(false);
  } catch (e) {
    if (e && e.connection) {
      state.failures++;
      setBanner(true, e.message || String(e));
    } else {
      console.error(e);
    }
  }
  if (gen !== state.generation) return;
  // A finished application's data no longer changes (history mode): stop polling.
  if (state.config.history && state.failures === 0 && await appCompleted()) {
    state.config.completed = true;
    document.body.dataset.polling = "stopped"; // (tests and curious users can see it)
    return;
  }
  document.body.dataset.polling = "on";
  const delay = Math.max(50, state.config.pollMs || 100) * (state.failures ? 5 : 1);
  state.timer = setTimeout(() => tick(gen), delay);
}

function renderHeader() {
  const cfg = state.config;
  els.appName.textContent = cfg.appName ?? "";
  els.appId.textContent = cfg.appId ? `(${cfg.appId})` : "";
  document.title = `${cfg.appName ?? "sparklet"} - sparklet UI`;
  els.mode.textContent = cfg.history ? "history" : "";
}

async function loadConfig() {
  // Relative URL: "/ui-config.json" live, "/history/<app>/ui-config.json" in history.
  for (;;) {
    try {
      const cfg = await getJSON("ui-config.json");
      if (cfg.appId) return cfg;
      setBanner(false);
    } catch (e) {
      setBanner(true, e.message || String(e));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  els.root = document.getElementById("page");
  els.banner = document.getElementById("banner");
  els.appName = document.getElementById("app-name");
  els.appId = document.getElementById("app-id");
  els.mode = document.getElementById("mode");
  els.tabs = document.getElementById("tabs");
  for (const [id, label] of TABS) {
    els.tabs.append(h("a", { href: `#/${id}`, "data-tab": id, "data-testid": `tab-${id}` }, label));
  }
  state.config = await loadConfig();
  renderHeader();
  window.addEventListener("hashchange", showRoute);
  await showRoute();
}

main();
