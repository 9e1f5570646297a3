// The Dashboard tab: one panel per stream published with
// sparklet.streaming.dashboard.publish. Bars are an HTML bar list (each bar a row: label,
// bar, value -- readable, selectable text), lines a uPlot chart over batch time with a
// legend of the newest values, tables a keyed table. Each poll reads the list of panels
// and refetches only the panels whose batch changed; panels update in place (no re-mount,
// no flicker). All user text goes in as text nodes (h() / textContent): a name such as
// "<script>" shows as typed.
//
// #/dashboard shows every panel; #/dashboard/NAME shows that one panel.

import { h, fmt, table } from "../lib.js";

const COLORS = ["#2f6fde", "#d9822b", "#3d9a50", "#c8423b", "#8e5cc4", "#1a9aa0",
  "#b8860b", "#d0508a", "#5f6b7a", "#6a9a1f"];
const LINE_HEIGHT = 220;
const X_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
  43200, 86400];

const enc = encodeURIComponent;

function batchText(ms) {
  if (ms === null || ms === undefined) return "no batch yet";
  return `batch ${fmt.date(ms)}`;
}

function valueText(v) {
  if (v === null || v === undefined) return "";
  return typeof v === "number" ? fmt.number(v) : String(v);
}

// -- bar: an HTML bar list ---------------------------------------------------------------

function barView(body) {
  const list = h("ol", { class: "dash-bars", "data-testid": "dashboard-bars",
    style: { listStyle: "none", margin: "0", padding: "0" } });
  body.append(list);
  const items = [];
  return {
    render(data) {
      const rows = data.rows || [];
      const max = Math.max(0, ...rows.map((r) => Math.abs(Number(r[1]) || 0)));
      while (items.length < rows.length) {
        const label = h("span", { class: "dash-bar-label",
          style: { flex: "0 0 30%", overflow: "hidden", textOverflow: "ellipsis",
                   whiteSpace: "nowrap" } });
        const bar = h("span", { class: "dash-bar-fill",
          style: { display: "block", height: "14px", background: COLORS[0], minWidth: "1px" } });
        const track = h("span", { style: { flex: "1 1 auto" } }, bar);
        const value = h("span", { class: "dash-bar-value",
          style: { flex: "0 0 auto", minWidth: "4em", textAlign: "right" } });
        const li = h("li", { "data-testid": "dashboard-bar",
          style: { display: "flex", alignItems: "center", gap: "8px", padding: "2px 0" } },
        label, track, value);
        items.push({ li, label, bar, value });
        list.append(li);
      }
      while (items.length > rows.length) items.pop().li.remove();
      rows.forEach(([lab, val], i) => {
        const it = items[i];
        const labText = lab === null || lab === undefined ? "null" : String(lab);
        it.li.dataset.label = labText;
        it.li.dataset.value = String(val);
        it.li.dataset.rank = String(i + 1);
        it.label.textContent = labText;
        it.label.title = labText;
        it.value.textContent = valueText(val);
        const pct = max > 0 ? (100 * Math.abs(Number(val) || 0)) / max : 0;
        it.bar.style.width = `${pct}%`;
      });
      list.dataset.rows = JSON.stringify(rows);
    },
    destroy() {},
  };
}

// -- line: uPlot over batch time ---------------------------------------------------------

function lineSeries(data) {
  // history [[batchTime, [[series, value]...]]...] -> x (s) and one y array per series
  const history = data.history && data.history.length
    ? data.history : (data.batchTime !== null ? [[data.batchTime, data.rows || []]] : []);
  const names = [];
  const index = new Map();
  for (const [, rows] of history) {
    for (const [s] of rows) {
      const key = String(s);
      if (!index.has(key)) { index.set(key, names.length); names.push(key); }
    }
  }
  const xs = history.map(([t]) => t / 1000);
  const ys = names.map(() => new Array(history.length).fill(null));
  history.forEach(([, rows], i) => {
    for (const [s, v] of rows) ys[index.get(String(s))][i] = typeof v === "number" ? v : null;
  });
  return { names, data: [xs, ...ys] };
}

function lineView(body, uPlot) {
  const chartEl = h("div", { class: "dash-line", "data-testid": "dashboard-chart" });
  const legend = h("ul", { class: "dash-legend", "data-testid": "dashboard-legend",
    style: { listStyle: "none", margin: "4px 0 0", padding: "0", display: "flex",
             flexWrap: "wrap", gap: "4px 16px" } });
  body.append(chartEl, legend);
  let plot = null;
  let shownNames = null;
  const width = () => Math.max(240, (body.clientWidth || 600) - 4);
  const resize = new ResizeObserver(() => { if (plot) plot.setSize({ width: width(), height: LINE_HEIGHT }); });
  resize.observe(body);

  function legendRows(names, data) {
    legend.replaceChildren();
    names.forEach((name, i) => {
      const ys = data[i + 1];
      let last = null;
      for (let j = ys.length - 1; j >= 0; j--) if (ys[j] !== null) { last = ys[j]; break; }
      legend.append(h("li", { "data-testid": "dashboard-series", "data-series": name,
        "data-value": last === null ? "" : String(last) },
      h("span", { style: { display: "inline-block", width: "10px", height: "10px",
        background: COLORS[i % COLORS.length], marginRight: "5px" } }),
      h("span", { class: "dash-series-name" }, name), ": ",
      h("span", { class: "dash-series-value" }, valueText(last))));
    });
  }

  return {
    render(d) {
      const { names, data } = lineSeries(d);
      legendRows(names, data);
      chartEl.dataset.points = String(data[0].length);
      if (!uPlot) {
        chartEl.textContent = "(charts unavailable: uPlot did not load)";
        return;
      }
      const same = shownNames && shownNames.length === names.length &&
        shownNames.every((n, i) => n === names[i]);
      if (plot && same) { plot.setData(data); return; }
      if (plot) plot.destroy();
      shownNames = names;
      plot = new uPlot({
        width: width(), height: LINE_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        series: [{}, ...names.map((name, i) => ({
          label: name, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false,
          points: { show: data[0].length < 60 },
        }))],
        // Whole seconds at least: batch times are (multiples of) the batch interval.
        axes: [{ space: 70, incrs: X_INCRS }, { size: 60 }],
      }, data, chartEl);
    },
    destroy() { resize.disconnect(); if (plot) plot.destroy(); plot = null; },
  };
}

// -- table -------------------------------------------------------------------------------

function tableView(body) {
  let t = null;
  let cols = null;
  return {
    render(d) {
      const columns = d.columns || [];
      const rows = (d.rows || []).map((cells, i) => ({ i, cells }));
      if (!t || JSON.stringify(columns) !== cols) {
        cols = JSON.stringify(columns);
        const spec = columns.map((c, j) => ({ label: String(c), field: String(c),
          value: (r) => r.cells[j] }));
        const fresh = table(spec, rows, { key: (r) => r.i, testid: "dashboard-row",
          tableTestid: "dashboard-table", empty: "No rows in this batch" });
        if (t) t.replaceWith(fresh); else body.append(fresh);
        t = fresh;
      } else {
        t.update(rows);
      }
    },
    destroy() {},
  };
}

const VIEWS = { bar: barView, line: lineView, table: tableView };

// -- panels ------------------------------------------------------------------------------

function makePanel(entry, uPlot) {
  const title = h("h3", { class: "dash-title", "data-testid": "dashboard-title",
    style: { margin: "0", fontSize: "15px" } });
  const batch = h("span", { class: "muted", "data-testid": "dashboard-batch-time" });
  const note = h("span", { class: "muted", "data-testid": "dashboard-note" });
  const body = h("div", { class: "dash-body", style: { marginTop: "6px" } });
  const el = h("section", { class: "dash-panel", "data-testid": "dashboard-panel",
    style: { background: "var(--panel, #fff)", border: "1px solid var(--line, #e3e6ea)",
             borderRadius: "4px", padding: "10px 12px", margin: "0 0 12px" } },
  h("div", { style: { display: "flex", gap: "12px", alignItems: "baseline",
                      flexWrap: "wrap" } }, title, batch, note),
  body);
  el.dataset.name = entry.name;
  el.dataset.kind = entry.kind;
  const view = (VIEWS[entry.kind] || tableView)(body, uPlot);
  let shown = null; // the batch time + update time on screen
  return {
    el, kind: entry.kind,
    stale(e) { return shown !== `${e.batchTime}|${e.updatedEpoch ?? e.updated}`; },
    render(d) {
      title.textContent = (d.options && d.options.title) || d.name;
      batch.textContent = batchText(d.batchTime);
      batch.title = d.updated ? `updated ${fmt.date(d.updated)}` : "";
      const o = d.options || {};
      const notes = [];
      if (o.truncated) {
        const which = o.sort === "desc" ? "top" : o.sort === "asc" ? "lowest" : "first";
        notes.push(`${which} ${o.limit} of the batch`);
      }
      if (o.droppedRowsTotal) notes.push(`${o.droppedRowsTotal} record(s) not shown`);
      note.textContent = notes.join(" \u00b7 ");
      view.render(d);
      el.dataset.batchTime = d.batchTime === null ? "" : String(d.batchTime);
      shown = `${d.batchTime}|${d.updatedEpoch ?? d.updated}`;
    },
    destroy() { view.destroy(); el.remove(); },
  };
}

export function mount(root, ctx) {
  const uPlot = ctx.chart || window.uPlot;
  const only = ctx.params && ctx.params.length ? ctx.params.join("/") : null;
  const heading = h("h2", { style: { fontSize: "18px" } }, only === null ? "Dashboard" : "");
  if (only !== null) {
    heading.append(h("a", { href: "#/dashboard" }, "Dashboard"), " / ", only);
  }
  const empty = h("p", { class: "muted", "data-testid": "dashboard-empty", hidden: true },
    only === null
      ? "No stream is published yet: sparklet.streaming.dashboard.publish(dstream, name, " +
        "kind) adds one."
      : `No stream is published as "${only}" (yet).`);
  const grid = h("div", { class: "dash-grid", "data-testid": "dashboard-panels" });
  root.append(heading, empty, grid);
  const panels = new Map(); // name -> panel
  let alive = true;

  async function update() {
    let list = await ctx.api("/dashboard");
    if (!alive) return;
    if (only !== null) list = list.filter((e) => e.name === only);
    const names = new Set(list.map((e) => e.name));
    for (const [name, p] of panels) {
      if (!names.has(name)) { p.destroy(); panels.delete(name); }
    }
    empty.hidden = list.length > 0;
    let prev = null;
    const fetches = [];
    for (const entry of list) {
      let p = panels.get(entry.name);
      if (p && p.kind !== entry.kind) { p.destroy(); panels.delete(entry.name); p = null; }
      if (!p) { p = makePanel(entry, uPlot); panels.set(entry.name, p); }
      const want = prev ? prev.nextSibling : grid.firstChild;
      if (want !== p.el) grid.insertBefore(p.el, want);
      prev = p.el;
      if (p.stale(entry)) {
        fetches.push(ctx.api(`/dashboard/${enc(entry.name)}`).then((d) => {
          if (alive && panels.get(entry.name) === p) p.render(d);
        }, (e) => { if (e && e.status === 404) return; throw e; }));
      }
    }
    await Promise.all(fetches);
  }

  return {
    update,
    unmount() {
      alive = false;
      for (const p of panels.values()) p.destroy();
      panels.clear();
    },
  };
}
