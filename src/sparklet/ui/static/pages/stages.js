// Stages tab: #/stages (stages by status) and #/stages/<id>/<attempt> (one stage attempt:
// summary metrics, task metric quantiles, the tasks with their errors).

import { h, fmt, table, progress, section, summary, span } from "../lib.js";

const STATUSES = [
  ["ACTIVE", "Active Stages", "stages-active"],
  ["PENDING", "Pending Stages", "stages-pending"],
  ["COMPLETE", "Completed Stages", "stages-completed"],
  ["SKIPPED", "Skipped Stages", "stages-skipped"],
  ["FAILED", "Failed Stages", "stages-failed"],
];

const bytesCol = (label, field) => ({
  label, field, value: (r) => r[field] ?? 0, render: (r) => (r[field] ? fmt.bytes(r[field]) : ""),
});

function stageColumns(withFailure) {
  const cols = [
    { label: "Stage Id", field: "stageId", value: (st) => st.stageId,
      render: (st) => h("a", { href: `#/stages/${st.stageId}/${st.attemptId}`, "data-testid": "stage-link" },
        st.attemptId ? `${st.stageId} (retry ${st.attemptId})` : String(st.stageId)) },
    { label: "Description", field: "name", value: (st) => `${st.name}\u0000${st.description ?? ""}`,
      render: (st) => h("span", {}, st.description ? h("div", {}, st.description) : null,
        h("a", { href: `#/stages/${st.stageId}/${st.attemptId}` }, st.name ?? ""),
        st.details ? h("div", { class: "muted" }, st.details.split("\n")[0]) : null) },
    { label: "Submitted", field: "submissionTime", value: (st) => st.submissionTime, render: (st) => fmt.date(st.submissionTime) },
    { label: "Duration", field: "duration", value: (st) => (st.submissionTime ? span(st.submissionTime, st.completionTime) : null),
      render: (st) => (st.submissionTime ? fmt.duration(span(st.submissionTime, st.completionTime)) : "") },
    { label: "Tasks: Succeeded/Total", field: "tasks",
      value: (st) => `${st.numCompleteTasks}/${st.numTasks}/${st.numFailedTasks}/${st.numKilledTasks}/${st.numActiveTasks}`,
      render: (st) => progress(st.numCompleteTasks, st.numTasks, { failed: st.numFailedTasks, killed: st.numKilledTasks, active: st.numActiveTasks }) },
    bytesCol("Input", "inputBytes"),
    bytesCol("Output", "outputBytes"),
    bytesCol("Shuffle Read", "shuffleReadBytes"),
    bytesCol("Shuffle Write", "shuffleWriteBytes"),
  ];
  if (withFailure) {
    cols.push({ label: "Failure Reason", field: "failureReason", value: (st) => st.failureReason,
      render: (st) => errorCell(st.failureReason) });
  }
  return cols;
}

/** First line of an error, the whole traceback in an expandable <pre>. */
export function errorCell(text) {
  if (!text) return "";
  const first = String(text).split("\n").find((l) => l.trim()) ?? "";
  const lines = String(text).trim().split("\n");
  const last = lines[lines.length - 1];
  return h("details", { class: "err", "data-testid": "error" },
    h("summary", {}, last.length < 200 ? last : first), h("pre", {}, String(text)));
}

function stageList(root, ctx) {
  const groups = STATUSES.map(([status, title, testid]) => {
    const t = table(stageColumns(status === "FAILED"), [], {
      key: (st) => `${st.stageId}.${st.attemptId}`, testid: "stage-row", tableTestid: testid, empty: "No stages",
    });
    return { status, t, sec: section(title, t, { testid: `section-${testid}` }) };
  });
  root.append(h("h2", {}, "Stages for All Jobs"), ...groups.map((g) => g.sec));
  return {
    async update() {
      const stages = await ctx.api("/stages");
      stages.sort((a, b) => b.stageId - a.stageId || b.attemptId - a.attemptId);
      for (const g of groups) {
        const rows = stages.filter((st) => st.status === g.status);
        g.t.update(rows);
        g.sec.setCount(rows.length);
        g.sec.hidden = rows.length === 0 && (g.status === "PENDING" || g.status === "SKIPPED" || g.status === "FAILED");
      }
    },
  };
}

// -- one stage ---------------------------------------------------------------------------

const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];
const QUANTILE_LABELS = ["Min", "25th percentile", "Median", "75th percentile", "Max"];

// [label, path in TaskMetricDistributions, formatter]
const DISTRIBUTIONS = [
  ["Duration", ["duration"], "duration"],
  ["Executor Run Time", ["executorRunTime"], "duration"],
  ["Result Size", ["resultSize"], "bytes"],
  ["Peak Execution Memory", ["peakExecutionMemory"], "bytes"],
  ["Input Records", ["inputMetrics", "recordsRead"], "number"],
  ["Shuffle Read Size", ["shuffleReadMetrics", "readBytes"], "bytes"],
  ["Shuffle Read Records", ["shuffleReadMetrics", "readRecords"], "number"],
  ["Shuffle Write Size", ["shuffleWriteMetrics", "writeBytes"], "bytes"],
  ["Shuffle Write Records", ["shuffleWriteMetrics", "writeRecords"], "number"],
  ["Spill (Memory)", ["memoryBytesSpilled"], "bytes"],
  ["Spill (Disk)", ["diskBytesSpilled"], "bytes"],
];

const dig = (obj, path) => path.reduce((o, k) => (o == null ? undefined : o[k]), obj);
const tm = (t, ...path) => dig(t.taskMetrics || {}, path) ?? 0;
const shuffleRead = (t) => tm(t, "shuffleReadMetrics", "localBytesRead") + tm(t, "shuffleReadMetrics", "remoteBytesRead");

function taskColumns() {
  return [
    { label: "Index", field: "index", value: (t) => t.index },
    { label: "Task ID", field: "taskId", value: (t) => t.taskId },
    { label: "Attempt", field: "attempt", value: (t) => t.attempt },
    { label: "Status", field: "status", value: (t) => t.status, render: (t) => h("span", { class: `status-${t.status}` }, t.status) },
    { label: "Locality", field: "taskLocality", value: (t) => t.taskLocality },
    { label: "Executor ID", field: "executorId", value: (t) => t.executorId },
    { label: "Host", field: "host", value: (t) => t.host },
    { label: "Launch Time", field: "launchTime", value: (t) => t.launchTime, render: (t) => fmt.date(t.launchTime) },
    { label: "Duration", field: "duration", value: (t) => t.duration ?? null, render: (t) => fmt.duration(t.duration) },
    { label: "Shuffle Read", field: "shuffleRead", value: shuffleRead, render: (t) => (shuffleRead(t) ? fmt.bytes(shuffleRead(t)) : "") },
    { label: "Shuffle Write", field: "shuffleWrite", value: (t) => tm(t, "shuffleWriteMetrics", "bytesWritten"),
      render: (t) => (tm(t, "shuffleWriteMetrics", "bytesWritten") ? fmt.bytes(tm(t, "shuffleWriteMetrics", "bytesWritten")) : "") },
    { label: "Spill (Memory)", field: "memoryBytesSpilled", value: (t) => tm(t, "memoryBytesSpilled"),
      render: (t) => (tm(t, "memoryBytesSpilled") ? fmt.bytes(tm(t, "memoryBytesSpilled")) : "") },
    { label: "Spill (Disk)", field: "diskBytesSpilled", value: (t) => tm(t, "diskBytesSpilled"),
      render: (t) => (tm(t, "diskBytesSpilled") ? fmt.bytes(tm(t, "diskBytesSpilled")) : "") },
    { label: "Errors", field: "errorMessage", value: (t) => t.errorMessage, render: (t) => errorCell(t.errorMessage) },
  ];
}

function stagePage(root, ctx, stageId, attempt) {
  const base = `/stages/${stageId}/${attempt}`;
  const title = h("h2", {}, `Details for Stage ${stageId} (Attempt ${attempt})`);
  const sum = summary("stage-summary");
  const failure = h("div");
  const quant = table(
    [{ label: "Metric", field: "metric" },
      ...QUANTILE_LABELS.map((label, i) => ({ label, field: `q${i}`, value: (r) => r.values[i] ?? "", render: (r) => r.fmt(r.values[i]) }))],
    [], { key: "metric", testid: "quantile-row", tableTestid: "task-summary", empty: "No completed tasks" });
  const tasks = table(taskColumns(), [], { key: "taskId", testid: "task-row", tableTestid: "tasks", empty: "No tasks" });
  root.append(h("p", {}, h("a", { href: "#/stages" }, "\u2190 all stages")), title, sum, failure,
    section("Summary Metrics for Completed Tasks", quant, { testid: "section-task-summary" }),
    section("Tasks", tasks, { testid: "section-tasks" }));
  let lastFailure = null;
  return {
    async update() {
      const [st, dist, list] = await Promise.all([
        ctx.api(base),
        ctx.api(`${base}/taskSummary?quantiles=${QUANTILES.join(",")}`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
        ctx.api(`${base}/taskList?offset=0&length=100000`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
      ]);
      title.textContent = `Details for Stage ${stageId} (Attempt ${attempt})${st.name ? `: ${st.name}` : ""}`;
      sum.update([
        ["Status", st.status, "status"],
        ["Tasks", `${st.numCompleteTasks}/${st.numTasks}`, "tasks"],
        ["Total Time Across All Tasks", fmt.duration(st.executorRunTime), "executorRunTime"],
        ["Input", st.inputBytes ? `${fmt.bytes(st.inputBytes)} / ${st.inputRecords}` : null, "input"],
        ["Shuffle Read", st.shuffleReadBytes ? `${fmt.bytes(st.shuffleReadBytes)} / ${st.shuffleReadRecords}` : null, "shuffleRead"],
        ["Shuffle Write", st.shuffleWriteBytes ? `${fmt.bytes(st.shuffleWriteBytes)} / ${st.shuffleWriteRecords}` : null, "shuffleWrite"],
        ["Spill (Memory)", st.memoryBytesSpilled ? fmt.bytes(st.memoryBytesSpilled) : null, "memoryBytesSpilled"],
        ["Spill (Disk)", st.diskBytesSpilled ? fmt.bytes(st.diskBytesSpilled) : null, "diskBytesSpilled"],
        ["Peak Execution Memory", st.peakExecutionMemory ? fmt.bytes(st.peakExecutionMemory) : null, "peakExecutionMemory"],
      ]);
      if (st.failureReason !== lastFailure) {
        lastFailure = st.failureReason;
        failure.replaceChildren(st.failureReason ? h("div", { class: "error" }, h("b", {}, "Failure reason: "), errorCell(st.failureReason)) : "");
      }
      const rows = [];
      if (dist) {
        for (const [label, path, kind] of DISTRIBUTIONS) {
          const values = dig(dist, path);
          if (Array.isArray(values)) rows.push({ metric: label, values, fmt: (v) => (v === undefined ? "" : fmt[kind](v)) });
        }
      }
      quant.update(rows);
      const taskRows = list ?? Object.values(st.tasks || {});
      tasks.update([...taskRows].sort((a, b) => a.index - b.index || a.attempt - b.attempt));
    },
  };
}

export function mount(root, ctx) {
  const [id, attempt] = ctx.params;
  if (id !== undefined && /^\d+$/.test(id)) return stagePage(root, ctx, Number(id), Number(attempt ?? 0));
  return stageList(root, ctx);
}
