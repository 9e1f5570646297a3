// The page modules' toolkit: a DOM builder (text only, never HTML), formatters in Spark's
// UI style, and a keyed table that updates its rows in place so polling does not flicker,
// lose scroll position or collapse an opened <details>.

const SVG_NS = "http://www.w3.org/2000/svg";

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === "style" && typeof v === "object") {
      Object.assign(el.style, v);
    } else if (k === "dataset") {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** h("a", {href: "#/jobs/1", class: "x"}, "text", child...) -- strings become text nodes. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** The SVG twin of h (elements in the SVG namespace). */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Spark's date text ("2026-12-02T18:03:04.567GMT"), an ISO string or epoch ms -> ms. */
export function toMs(v) {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v;
  const t = Date.parse(String(v).replace(/GMT$/, "Z"));
  return Number.isNaN(t) ? null : t;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");

export const fmt = {
  /** 120 ms, 1.5 s, 2.3 min, 1.2 h (Spark's UIUtils.formatDuration). */
  duration(ms) {
    if (ms === null || ms === undefined || Number.isNaN(ms)) return "";
    ms = Number(ms);
    if (ms < 100) return `${Math.round(ms)} ms`;
    const sec = ms / 1000;
    if (sec < 60) return `${sec.toFixed(sec < 10 ? 1 : 0)} s`;
    const min = sec / 60;
    if (min < 60) return `${min.toFixed(1)} min`;
    const hr = min / 60;
    if (hr < 24) return `${hr.toFixed(1)} h`;
    return `${(hr / 24).toFixed(1)} d`;
  },
  /** 0.0 B, 1.5 KiB, 3.2 MiB (binary units, like Spark's Utils.bytesToString). */
  bytes(n) {
    if (n === null || n === undefined) return "";
    n = Number(n);
    const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(1)} ${units[i]}`;
  },
  /** yyyy/MM/dd HH:mm:ss in the browser's time zone. */
  date(v) {
    const t = toMs(v);
    if (t === null) return "";
    const d = new Date(t);
    return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  },
  number(n) {
    if (n === null || n === undefined || n === "") return "";
    n = Number(n);
    return Number.isInteger(n) ? String(n) : n.toFixed(2);
  },
};

/** A progress bar "done/total (failed, killed, skipped)" like Spark's task bars. */
export function progress(done, total, { failed = 0, killed = 0, skipped = 0, active = 0 } = {}) {
  const pct = (x) => (total > 0 ? Math.min(100, (100 * x) / total) : 0);
  const extra = [];
  if (failed) extra.push(`${failed} failed`);
  if (killed) extra.push(`${killed} killed`);
  if (skipped) extra.push(`${skipped} skipped`);
  const label = `${done}/${total}` + (extra.length ? ` (${extra.join(", ")})` : "");
  return h("div", { class: "progress", "data-testid": "progress", "data-done": done,
                    "data-total": total },
    h("div", { class: "bar done", style: { width: `${pct(done)}%` } }),
    h("div", { class: "bar running", style: { width: `${pct(active)}%` } }),
    h("span", { class: "label" }, label));
}

function cellKey(col, row) {
  const v = col.value ? col.value(row) : row[col.field];
  return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function fill(td, col, row) {
  td.replaceChildren();
  const out = col.render ? col.render(row) : cellKey(col, row);
  append(td, [out]);
}

/**
 * A keyed table. columns: [{label, field, value(row) (the cell's identity/sort value),
 * render(row) (string | Node; defaults to the value), class}]; opts: {key(row) | key field
 * name, testid (of each row), tableTestid, empty (text when no rows)}. Returns the <table>;
 * call table.update(rows) to change it: rows are matched by key and a cell is re-rendered
 * only when its value changed.
 */
export function table(columns, rows, opts = {}) {
  const keyOf = typeof opts.key === "function" ? opts.key : (r) => r[opts.key ?? "id"];
  let sortCol = null;
  let sortDesc = false;
  let current = [];
  const tbody = h("tbody");
  const head = h("tr", {}, columns.map((col, i) => h("th", {
    title: col.title, onclick: () => {
      if (col.sortable === false) return;
      sortDesc = sortCol === i ? !sortDesc : false;
      sortCol = i;
      t.update(current);
    },
  }, col.label)));
  const t = h("table", { class: "grid", "data-testid": opts.tableTestid }, h("thead", {}, head), tbody);
  const byKey = new Map();
  const empty = h("tr", { class: "empty" }, h("td", { colspan: columns.length }, opts.empty ?? "None"));

  t.update = (newRows) => {
    current = newRows || [];
    let ordered = current;
    if (sortCol !== null) {
      const col = columns[sortCol];
      const val = (r) => (col.sortValue ? col.sortValue(r) : col.value ? col.value(r) : r[col.field]);
      ordered = [...current].sort((a, b) => {
        const x = val(a), y = val(b);
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""), undefined, { numeric: true });
        return sortDesc ? -c : c;
      });
      head.querySelectorAll("th").forEach((th, i) => {
        th.dataset.sort = i === sortCol ? (sortDesc ? "desc" : "asc") : "";
      });
    }
    const seen = new Set();
    let prev = null;
    for (const row of ordered) {
      const key = String(keyOf(row));
      seen.add(key);
      let entry = byKey.get(key);
      if (!entry) {
        const tr = h("tr", { "data-testid": opts.testid, "data-key": key });
        const cells = columns.map((col) => {
          const td = h("td", { "data-field": col.field ?? col.label, class: col.class });
          tr.appendChild(td);
          return td;
        });
        entry = { tr, cells, sigs: columns.map(() => null) };
        byKey.set(key, entry);
      }
      columns.forEach((col, i) => {
        const sig = col.live ? Math.random() : cellKey(col, row);
        if (sig !== entry.sigs[i]) {
          entry.sigs[i] = sig;
          fill(entry.cells[i], col, row);
        }
      });
      const want = prev ? prev.nextSibling : tbody.firstChild;
      if (want !== entry.tr) tbody.insertBefore(entry.tr, want);
      prev = entry.tr;
    }
    for (const [key, entry] of byKey) {
      if (!seen.has(key)) { entry.tr.remove(); byKey.delete(key); }
    }
    if (ordered.length === 0) { if (!empty.parentNode) tbody.appendChild(empty); }
    else empty.remove();
  };
  t.update(rows);
  return t;
}

/** A two-column key/value table (summaries), keyed by the label. */
export function kvTable(pairs, opts = {}) {
  const t = table([
    { label: opts.keyLabel ?? "Name", field: "name" },
    { label: opts.valueLabel ?? "Value", field: "value", render: (r) => r.render ?? r.value },
  ], pairs.map(([name, value, render]) => ({ name, value, render })),
  { key: "name", testid: opts.testid, tableTestid: opts.tableTestid, empty: opts.empty });
  const update = t.update;
  t.update = (p) => update(p.map(([name, value, render]) => ({ name, value, render })));
  return t;
}

/** A titled, collapsible section holding a node (Spark's "Active Jobs (2)" headers). */
export function section(title, body, { testid, count } = {}) {
  const counter = h("span", { class: "count" });
  const head = h("summary", {}, h("span", { class: "title" }, title), " ", counter);
  const el = h("details", { open: true, class: "section", "data-testid": testid }, head, body);
  el.setCount = (n) => { counter.textContent = n === null || n === undefined ? "" : `(${n})`; };
  el.setCount(count);
  return el;
}

/** A one-line "Label: value" summary list; returns the <ul> with update([[label, value]]). */
export function summary(testid) {
  const ul = h("ul", { class: "summary", "data-testid": testid });
  ul.update = (pairs) => {
    ul.replaceChildren(...pairs.filter((p) => p[1] !== null && p[1] !== undefined && p[1] !== "")
      .map(([label, value, field]) => h("li", { "data-field": field ?? label },
        h("b", {}, `${label}:`), value instanceof Node ? value : String(value))));
  };
  return ul;
}

/** Milliseconds between two Spark dates (the end defaults to now: still running). */
export function span(start, end) {
  const a = toMs(start);
  if (a === null) return null;
  const b = toMs(end) ?? Date.now();
  return Math.max(0, b - a);
}
