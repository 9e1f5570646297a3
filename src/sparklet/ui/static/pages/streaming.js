// The Streaming tab (Spark's streaming page) and a batch's page (#/streaming/batch/<ms>).
//
// Overview: a summary line, four live time series (input rate, scheduling delay, processing
// time, total delay) each with a histogram of the same values beside it (uPlot), the
// receivers, the input streams' current rate limits (backpressure), the state size of every
// stateful stream with a sparkline, the last checkpoint, and the active and completed
// batches. Everything is built once and updated in place at every poll. All text from the
// application (stream, receiver and operation names, errors) goes in as text nodes.

import { h, fmt, table } from "../lib.js";

const TIMELINE_POINTS = 300;
const SVG_NS = "http://www.w3.org/2000/svg";

function toMs(v) {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "number") return v;
  const t = Date.parse(String(v).replace(/GMT$/, "Z"));
  return Number.isNaN(t) ? null : t;
}

/** A number shown formatted, its raw value kept in data-value (what tests and sorting read). */
function num(value, format) {
  if (value === null || value === undefined) return h("span", { class: "muted" }, "-");
  return h("span", { "data-value": value }, format ? format(value) : fmt.number(value));
}

const ms = (v) => num(v, fmt.duration);
const rate = (v) => num(v, (x) => `${Number(x).toFixed(2)} records/s`);

/** A batch time as Spark shows it, with milliseconds when it is not a whole second. */
function batchTimeText(batchMs) {
  const t = Number(batchMs);
  return t % 1000 ? `${fmt.date(t)}.${String(t % 1000).padStart(3, "0")}` : fmt.date(t);
}

function batchLink(batchId) {
  return h("a", { href: `#/streaming/batch/${batchId}`, "data-testid": "batch-link" },
    batchTimeText(batchId));
}

function outputOpsCell(b) {
  const done = b.numCompletedOutputOps + b.numFailedOutputOps;
  const label = `${done}/${b.numTotalOutputOps}` +
    (b.numFailedOutputOps ? ` (${b.numFailedOutputOps} failed)` : "");
  return h("span", { "data-value": done }, label);
}

function statusCell(b) {
  return h("span", { class: `status ${String(b.status).toLowerCase()}` }, b.status);
}

// -- charts ------------------------------------------------------------------------------

const SERIES = [
  { key: "inputRate", label: "Input Rate", unit: "records/s", color: "#1f77b4",
    show: (v) => `${Number(v).toFixed(2)} records/s` },
  { key: "schedulingDelay", label: "Scheduling Delay", unit: "ms", color: "#ff7f0e",
    show: fmt.duration },
  { key: "processingTime", label: "Processing Time", unit: "ms", color: "#2ca02c",
    show: fmt.duration },
  { key: "totalDelay", label: "Total Delay", unit: "ms", color: "#d62728",
    show: fmt.duration },
];

function histogram(values, bins = 10) {
  const xs = [], ys = [];
  const known = values.filter((v) => v !== null && v !== undefined);
  if (!known.length) return [xs, ys];
  const lo = Math.min(...known), hi = Math.max(...known);
  const width = hi > lo ? (hi - lo) / bins : 1;
  for (let i = 0; i < bins; i++) { xs.push(lo + width * (i + 0.5)); ys.push(0); }
  for (const v of known) ys[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return [xs, ys];
}

class Chart {
  constructor(spec, uPlot) {
    this.spec = spec;
    this.uPlot = uPlot;
    this.avg = h("span", { class: "avg", "data-testid": `avg-${spec.key}` });
    this.lineEl = h("div", { class: "chart line", "data-testid": `chart-${spec.key}` });
    this.histEl = h("div", { class: "chart hist", "data-testid": `hist-${spec.key}` });
    this.row = h("tr", { "data-testid": `timeline-${spec.key}` },
      h("td", { class: "chart-label" }, h("b", {}, spec.label), h("br"), "avg: ", this.avg),
      h("td", {}, this.lineEl), h("td", {}, this.histEl));
    this.line = null;
    this.hist = null;
  }

  update(points) {
    const xs = points.map((p) => p.batchTime / 1000);
    const ys = points.map((p) => p[this.spec.key]);
    const known = ys.filter((v) => v !== null && v !== undefined);
    this.avg.textContent = known.length
      ? this.spec.show(known.reduce((a, b) => a + b, 0) / known.length) : "-";
    if (!this.uPlot) {
      if (!this.lineEl.firstChild) this.lineEl.append(h("span", { class: "muted" }, "(charts need uPlot)"));
      return;
    }
    const hist = histogram(ys);
    if (!this.line) {
      const U = this.uPlot;
      this.line = new U({
        width: 460, height: 150, legend: { show: false },
        scales: { x: { time: true } },
        series: [{}, { label: this.spec.label, stroke: this.spec.color, width: 1.5,
                       points: { show: true, size: 4 } }],
        axes: [{}, { size: 60, label: this.spec.unit }],
      }, [xs, ys], this.lineEl);
      const bars = U.paths && U.paths.bars ? U.paths.bars({ size: [0.9] }) : undefined;
      this.hist = new U({
        width: 260, height: 150, legend: { show: false },
        scales: { x: { time: false } },
        series: [{}, { label: "batches", fill: this.spec.color + "99", stroke: this.spec.color,
                       paths: bars, points: { show: false } }],
        axes: [{ label: this.spec.unit }, { size: 40, label: "batches" }],
      }, hist, this.histEl);
    } else {
      this.line.setData([xs, ys]);
      this.hist.setData(hist);
    }
  }

  destroy() {
    if (this.line) this.line.destroy();
    if (this.hist) this.hist.destroy();
  }
}

function sparkline(history) {
  const w = 120, hgt = 24;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", w);
  svg.setAttribute("height", hgt);
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("data-testid", "state-sparkline");
  const ys = history.map((r) => r[1] ?? 0);
  if (ys.length > 1) {
    const max = Math.max(...ys, 1);
    const pts = ys.map((y, i) => `${(i * w / (ys.length - 1)).toFixed(1)},` +
      `${(hgt - 2 - (y / max) * (hgt - 4)).toFixed(1)}`).join(" ");
    const line = document.createElementNS(SVG_NS, "polyline");
    line.setAttribute("points", pts);
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#1f77b4");
    svg.appendChild(line);
  }
  return svg;
}

/** table() rows keyed by batch id also carry data-batch-time (the tests' handle). */
function batchTable(columns, testid, empty) {
  const t = table(columns, [], { key: "batchId", testid, tableTestid: `${testid}-table`, empty });
  const update = t.update;
  t.update = (rows) => {
    update(rows);
    for (const tr of t.querySelectorAll("tbody tr[data-key]")) tr.dataset.batchTime = tr.dataset.key;
  };
  return t;
}

const BATCH_COLUMNS = [
  { label: "Batch Time", field: "batchTime", value: (b) => b.batchId, render: (b) => batchLink(b.batchId) },
  { label: "Records", field: "numRecords", value: (b) => b.inputSize, render: (b) => num(b.inputSize) },
  { label: "Scheduling Delay", field: "schedulingDelay", render: (b) => ms(b.schedulingDelay) },
  { label: "Processing Time", field: "processingTime", render: (b) => ms(b.processingTime) },
  { label: "Total Delay", field: "totalDelay", render: (b) => ms(b.totalDelay) },
  { label: "Output Ops: Succeeded/Total", field: "outputOps",
    value: (b) => `${b.numCompletedOutputOps}/${b.numFailedOutputOps}/${b.numTotalOutputOps}`,
    render: outputOpsCell },
];

// -- the overview ------------------------------------------------------------------------

function mountOverview(root, ctx) {
  const message = h("p", { class: "muted", "data-testid": "streaming-message" });
  const summaryEl = h("p", { class: "streaming-summary", "data-testid": "streaming-summary" });
  const charts = SERIES.map((s) => new Chart(s, ctx.chart || window.uPlot));
  const chartTable = h("table", { class: "timelines", "data-testid": "streaming-charts" },
    h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", {}, "Timelines (last batches)"),
      h("th", {}, "Histograms"))),
    h("tbody", {}, charts.map((c) => c.row)));

  const receivers = table([
    { label: "Stream", field: "streamName" },
    { label: "Status", field: "status",
      value: (r) => r.isActive === null ? "-" : r.isActive ? "ACTIVE" : "INACTIVE" },
    { label: "Executor", field: "executor",
      value: (r) => [r.executorId, r.executorHost].filter(Boolean).join(" / ") || "-" },
    { label: "Avg Events/s", field: "avgEventRate", render: (r) => rate(r.avgEventRate) },
    { label: "Last Error Time", field: "lastErrorTime", value: (r) => fmt.date(r.lastErrorTime) || "-" },
    { label: "Last Error", field: "lastErrorMessage", value: (r) => r.lastErrorMessage || "-" },
  ], [], { key: "streamId", testid: "receiver", tableTestid: "receivers", empty: "No receivers" });

  const inputs = table([
    { label: "Input Stream", field: "name" },
    { label: "Kind", field: "kind" },
    { label: "Last Batch Records", field: "lastRecords", render: (s) => num(s.lastRecords) },
    { label: "Rate Limit", field: "rateLimit",
      render: (s) => s.rateLimit === null ? h("span", { class: "muted" }, "unbounded") : rate(s.rateLimit) },
  ], [], { key: "streamId", testid: "input-stream", tableTestid: "input-streams",
           empty: "No input streams reported yet" });

  const states = table([
    { label: "State Stream", field: "name" },
    { label: "Operation", field: "operation" },
    { label: "Keys", field: "numKeys", render: (s) => num(s.numKeys) },
    { label: "Size (estimate)", field: "sizeBytes", render: (s) => num(s.sizeBytes, fmt.bytes) },
    { label: "Keys over time", field: "history", value: (s) => s.history.length ? s.history[s.history.length - 1] : "",
      render: (s) => sparkline(s.history) },
  ], [], { key: "streamId", testid: "state-stream", tableTestid: "state-streams",
           empty: "No stateful streams" });

  const checkpoint = h("p", { "data-testid": "checkpoint" });
  const active = batchTable([...BATCH_COLUMNS.slice(0, 2),
    { label: "Status", field: "status", render: statusCell },
    ...BATCH_COLUMNS.slice(2)], "batches-active", "No active batches");
  const completed = batchTable(BATCH_COLUMNS, "batches-completed", "No completed batches");
  const activeCount = h("span", { class: "count" });
  const completedCount = h("span", { class: "count" });

  const body = h("div", { class: "streaming", hidden: true },
    h("h3", {}, "Streaming Statistics"), summaryEl, chartTable,
    h("h4", {}, "Receivers"), receivers,
    h("h4", {}, "Input Streams"), inputs,
    h("h4", {}, "State"), states,
    h("h4", {}, "Checkpoint"), checkpoint,
    h("h4", {}, "Active Batches ", activeCount), active,
    h("h4", {}, "Completed Batches (last retained) ", completedCount), completed);
  root.append(message, body);

  function setSummary(st) {
    const since = toMs(st.startTime);
    const running = since === null ? "" : ` for ${fmt.duration(Date.now() - since)} since ${fmt.date(since)}`;
    summaryEl.replaceChildren(
      `Running batches of ${fmt.duration(st.batchDuration)}${running} (`,
      h("span", { "data-field": "numTotalCompletedBatches", "data-value": st.numTotalCompletedBatches },
        String(st.numTotalCompletedBatches)),
      " completed batches, ",
      h("span", { "data-field": "numProcessedRecords", "data-value": st.numProcessedRecords },
        String(st.numProcessedRecords)),
      " records; ",
      h("span", { "data-field": "numActiveReceivers" }, String(st.numActiveReceivers)),
      ` of ${st.numReceivers} receivers active)`);
  }

  function setCheckpoint(ck) {
    if (!ck) {
      checkpoint.replaceChildren(h("span", { class: "muted" }, "No checkpoint directory set"));
      return;
    }
    checkpoint.replaceChildren(
      h("b", {}, "Directory: "), h("span", { "data-field": "dir" }, ck.dir ?? ""),
      h("br"), h("b", {}, "Last written: "),
      ck.lastTime === null ? "never" : h("span", { "data-field": "ageMs", "data-value": ck.ageMs },
        `${fmt.duration(ck.ageMs)} ago`),
      ck.lastTime === null ? "" : ` (batch ${batchTimeText(ck.lastBatchTime)}, took `,
      ck.lastTime === null ? "" : h("span", { "data-field": "lastDurationMs", "data-value": ck.lastDurationMs },
        fmt.duration(ck.lastDurationMs)),
      ck.lastTime === null ? "" : ")");
  }

  return {
    async update() {
      let st;
      try {
        st = await ctx.api("/streaming/statistics");
      } catch (e) {
        if (e && e.status === 404) {
          message.textContent = "This application has no running StreamingContext.";
          body.hidden = true;
          return;
        }
        throw e;
      }
      const [timeline, recv, batches, progress] = await Promise.all([
        ctx.api(`/streaming/timeline?count=${TIMELINE_POINTS}`),
        ctx.api("/streaming/receivers"),
        ctx.api("/streaming/batches"),
        ctx.api("/streaming/progress"),
      ]);
      message.textContent = "";
      body.hidden = false;
      setSummary(st);
      for (const c of charts) c.update(timeline);
      receivers.update(recv.filter((r) => r.isActive !== null));
      inputs.update(progress.inputStreams);
      states.update(progress.stateStreams);
      setCheckpoint(progress.checkpoint);
      const act = batches.filter((b) => b.status !== "COMPLETED");
      const done = batches.filter((b) => b.status === "COMPLETED");
      activeCount.textContent = `(${act.length})`;
      completedCount.textContent = `(${done.length} of ${st.numTotalCompletedBatches})`;
      active.update(act);
      completed.update(done);
    },
    unmount() { for (const c of charts) c.destroy(); },
  };
}

// -- one batch ---------------------------------------------------------------------------

function mountBatch(root, ctx, batchId) {
  const title = h("h3", {}, `Details of batch at ${batchTimeText(batchId)}`);
  const message = h("p", { class: "muted", "data-testid": "batch-message" });
  const summaryEl = h("ul", { class: "summary", "data-testid": "batch-summary" });
  const ops = table([
    { label: "Output Op Id", field: "outputOpId" },
    { label: "Description", field: "name",
      render: (o) => h("span", { title: o.description ?? "" }, o.name ?? "") },
    { label: "Duration", field: "duration", render: (o) => ms(o.duration) },
    { label: "Status", field: "status",
      value: (o) => o.failureReason ? "Failed" : o.endTime ? "Succeeded" : "Running" },
    { label: "Jobs", field: "jobIds", render: (o) => h("span", {},
      o.jobIds.flatMap((id, i) => [i ? ", " : "",
        h("a", { href: `#/jobs/${id}`, "data-testid": "job-link", "data-job-id": id }, String(id)),
        jobStatus(id)])) },
    { label: "Error", field: "failureReason",
      render: (o) => o.failureReason ? h("pre", { class: "error" }, o.failureReason) : "" },
  ], [], { key: "outputOpId", testid: "output-op", tableTestid: "output-ops",
           empty: "No output operations" });
  // Each job's status from the Jobs API, when the application's store serves it.
  const statuses = new Map();
  function jobStatus(id) {
    const el = h("span", { class: "job-status muted", "data-testid": "job-status" });
    const set = (st) => { el.textContent = st ? ` (${st})` : ""; el.dataset.status = st || ""; };
    set(statuses.get(id));
    if (statuses.get(id) !== "SUCCEEDED" && statuses.get(id) !== "FAILED") {
      ctx.api(`/jobs/${id}`).then((j) => { statuses.set(id, j.status); set(j.status); })
        .catch(() => {});
    }
    return el;
  }
  root.append(h("p", {}, h("a", { href: "#/streaming" }, "Back to Streaming")), title, message,
    summaryEl, h("h4", {}, "Output Operations"), ops);

  const item = (label, field, node) => h("li", { "data-field": field }, h("b", {}, `${label}: `), node);
  return {
    async update() {
      let b, operations;
      try {
        [b, operations] = await Promise.all([
          ctx.api(`/streaming/batches/${encodeURIComponent(batchId)}`),
          ctx.api(`/streaming/batches/${encodeURIComponent(batchId)}/operations`),
        ]);
      } catch (e) {
        if (e && (e.status === 404 || e.status === 400)) {
          message.textContent = `Batch ${batchId} is unknown (or no longer retained).`;
          return;
        }
        throw e;
      }
      message.textContent = "";
      summaryEl.replaceChildren(
        item("Batch Duration", "batchDuration", ms(b.batchDuration)),
        item("Status", "status", statusCell(b)),
        item("Input Size", "numRecords", num(b.inputSize)),
        item("Scheduling Delay", "schedulingDelay", ms(b.schedulingDelay)),
        item("Processing Time", "processingTime", ms(b.processingTime)),
        item("Total Delay", "totalDelay", ms(b.totalDelay)));
      ops.update(operations);
    },
    unmount() {},
  };
}

export function mount(root, ctx) {
  const params = ctx.params || [];
  if (params[0] === "batch" && params[1] !== undefined) return mountBatch(root, ctx, params[1]);
  return mountOverview(root, ctx);
}
