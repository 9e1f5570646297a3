// Jobs tab: #/jobs (active / completed / failed jobs) and #/jobs/<id> (one job: summary,
// the DAG of its stages laid out by dagre and drawn as SVG here, and its stages).

import { h, s, fmt, table, progress, section, summary, span } from "../lib.js";

function jobColumns(ctx) {
  const cols = [
    {
      label: "Job Id", field: "jobId", value: (j) => j.jobId,
      render: (j) => {
        const link = h("a", { href: `#/jobs/${j.jobId}`, "data-testid": "job-link" }, String(j.jobId));
        if (j.jobGroup) return h("span", {}, link, h("span", { class: "muted" }, ` (${j.jobGroup})`));
        return link;
      },
    },
    {
      label: "Description", field: "description", value: (j) => `${j.description ?? ""}\u0000${j.name ?? ""}`,
      render: (j) => h("span", {},
        j.description ? h("div", {}, j.description) : null,
        h("a", { href: `#/jobs/${j.jobId}`, class: j.description ? "muted" : "" }, j.name ?? "")),
    },
    { label: "Submitted", field: "submissionTime", value: (j) => j.submissionTime, render: (j) => fmt.date(j.submissionTime) },
    {
      label: "Duration", field: "duration", value: (j) => span(j.submissionTime, j.completionTime),
      render: (j) => fmt.duration(span(j.submissionTime, j.completionTime)),
    },
    {
      label: "Stages: Succeeded/Total", field: "stages",
      value: (j) => `${j.numCompletedStages}/${(j.stageIds || []).length - (j.numSkippedStages || 0)}/${j.numFailedStages}/${j.numSkippedStages}`,
      render: (j) => progress(j.numCompletedStages, (j.stageIds || []).length - (j.numSkippedStages || 0),
        { failed: j.numFailedStages, skipped: j.numSkippedStages, active: j.numActiveStages }),
    },
    {
      label: "Tasks (for all stages): Succeeded/Total", field: "tasks",
      value: (j) => [j.numCompletedTasks, j.numTasks, j.numFailedTasks, j.numKilledTasks, j.numSkippedTasks, j.numActiveTasks].join("/"),
      render: (j) => progress(j.numCompletedTasks, j.numTasks - (j.numSkippedTasks || 0),
        { failed: j.numFailedTasks, killed: j.numKilledTasks, skipped: j.numSkippedTasks, active: j.numActiveTasks }),
    },
  ];
  if (ctx.killEnabled) {
    cols[0].render = ((base) => (j) => {
      const cell = h("span", {}, base(j));
      if (j.status === "RUNNING") {
        cell.append(h("a", {
          href: "#", class: "kill", "data-testid": "kill-job",
          onclick: (ev) => { ev.preventDefault(); killJob(ctx, j.jobId); },
        }, "(kill)"));
      }
      return cell;
    })(cols[0].render);
    cols[0].value = (j) => `${j.jobId}/${j.status}`;
  }
  return cols;
}

async function killJob(ctx, jobId) {
  if (!window.confirm(`Kill job ${jobId}?`)) return;
  await fetch(`/api/v1/applications/${encodeURIComponent(ctx.appId)}/jobs/${jobId}/kill`,
    { method: "POST", credentials: "same-origin" });
}

function jobList(root, ctx) {
  const sum = summary("jobs-summary");
  const groups = [
    ["RUNNING", "Active Jobs", "jobs-active"],
    ["SUCCEEDED", "Completed Jobs", "jobs-completed"],
    ["FAILED", "Failed Jobs", "jobs-failed"],
  ].map(([status, title, testid]) => {
    const t = table(jobColumns(ctx), [], { key: "jobId", testid: "job-row", tableTestid: testid, empty: "No jobs" });
    const sec = section(title, t, { testid: `section-${testid}` });
    return { status, t, sec };
  });
  root.append(h("h2", {}, "Spark Jobs"), sum, ...groups.map((g) => g.sec));
  return {
    async update() {
      const jobs = await ctx.api("/jobs");
      jobs.sort((a, b) => b.jobId - a.jobId);
      for (const g of groups) {
        const rows = jobs.filter((j) => (g.status === "RUNNING" ? j.status === "RUNNING" || j.status === "UNKNOWN" : j.status === g.status));
        g.t.update(rows);
        g.sec.setCount(rows.length);
      }
      const count = (st) => jobs.filter((j) => j.status === st).length;
      sum.update([["Active Jobs", count("RUNNING"), "active"], ["Completed Jobs", count("SUCCEEDED"), "completed"],
        ["Failed Jobs", count("FAILED"), "failed"]]);
    },
  };
}

// -- the DAG -----------------------------------------------------------------------------

const LINE = 16;
const MAX_WIDTH = 360;
const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
let measurer = null;

/** Text width in px with the DAG's font (a canvas measures it; no layout pass needed). */
function textWidth(text, bold) {
  if (!measurer) measurer = document.createElement("canvas").getContext("2d");
  measurer.font = bold ? `600 ${FONT}` : FONT;
  return measurer.measureText(text).width;
}

/** Shorten text from the middle to fit MAX_WIDTH (the full text is in the node's title). */
function fit(text, bold) {
  if (textWidth(text, bold) <= MAX_WIDTH - 20) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const cut = `${text.slice(0, Math.ceil(mid / 2))}\u2026${text.slice(text.length - Math.floor(mid / 2))}`;
    if (textWidth(cut, bold) <= MAX_WIDTH - 20) lo = mid; else hi = mid - 1;
  }
  return `${text.slice(0, Math.ceil(lo / 2))}\u2026${text.slice(text.length - Math.floor(lo / 2))}`;
}

function stageLabel(st) {
  return [`Stage ${st.stageId}${st.attemptId ? ` (attempt ${st.attemptId})` : ""}`,
    ...(st.status === "SKIPPED" ? ["(skipped)"] : [])];
}

// "map at /long/path/app.py:12" -> "map at app.py:12": the box shows the file name.
const shortSite = (site) => String(site || "").split("\n")[0].replace(/(\S*\/)([^/\s]+)/g, "$2");

function rddLine(r) {
  return `${r.name || "RDD"} [${r.rddId}]${r.callSite ? ` ${shortSite(r.callSite)}` : ""}`;
}

/** The job's stages as an SVG: one box per stage listing its RDDs, edges parent -> child. */
export function drawDag(dag) {
  const stages = dag.stages || [];
  const g = new window.dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(stages.map((st) => String(st.stageId)));
  for (const st of stages) {
    const head = stageLabel(st).map((l, i) => fit(l, i === 0));
    const rdds = (st.rdds || []).map((r) => fit((r.cached ? "\u25CF " : "") + rddLine(r), false));
    const lines = [...head, ...rdds];
    const width = Math.min(MAX_WIDTH, Math.max(120, ...lines.map((l, i) => textWidth(l, i === 0) + 22)));
    g.setNode(String(st.stageId), { width, height: lines.length * LINE + 12, st, head, rdds });
  }
  const edges = [];
  for (const st of stages) {
    for (const p of st.parentIds || []) {
      if (ids.has(String(p)) && String(p) !== String(st.stageId)) {
        g.setEdge(String(p), String(st.stageId));
        edges.push([String(p), String(st.stageId)]);
      }
    }
  }
  window.dagre.layout(g);
  const graph = g.graph();
  const svg = s("svg", {
    width: Math.ceil(graph.width || 10), height: Math.ceil(graph.height || 10),
    "data-testid": "job-dag", role: "img", "aria-label": "stage DAG",
  });
  svg.append(s("defs", {}, s("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto",
  }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))));
  for (const [a, b] of edges) {
    const pts = g.edge(a, b).points || [];
    const d = pts.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    svg.append(s("path", { d, class: "edge", "marker-end": "url(#arrow)", "data-testid": "dag-edge",
      "data-from": a, "data-to": b }));
  }
  for (const id of g.nodes()) {
    const n = g.node(id);
    const st = n.st;
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const box = s("g", {
      class: `stage status-${st.status}`, "data-testid": "dag-stage", "data-stage-id": st.stageId,
      "data-status": st.status, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
    }, s("title", {}, [`Stage ${st.stageId}: ${st.name ?? ""} (${st.status}, ${st.numTasks} tasks)`,
      ...(st.rdds || []).map((r) => `${rddLine(r)}${r.cached ? " (cached)" : ""}`)].join("\n")),
    s("rect", { width: n.width, height: n.height, rx: 4 }));
    const link = s("a", { href: `#/stages/${st.stageId}/${st.attemptId ?? 0}` });
    n.head.forEach((text, i) => {
      link.append(s("text", { x: 10, y: 19 + i * LINE, class: i === 0 ? "title" : "" }, text));
    });
    box.append(link);
    (st.rdds || []).forEach((r, i) => {
      box.append(s("text", {
        x: 10, y: 19 + (n.head.length + i) * LINE, class: r.cached ? "cached" : "",
        "data-testid": "dag-rdd", "data-rdd-id": r.rddId,
      }, n.rdds[i]));
    });
    svg.append(box);
  }
  return svg;
}

function stageColumns() {
  return [
    { label: "Stage Id", field: "stageId", value: (st) => `${st.stageId}.${st.attemptId}`,
      render: (st) => h("a", { href: `#/stages/${st.stageId}/${st.attemptId}` }, String(st.stageId)) },
    { label: "Description", field: "name", value: (st) => st.name },
    { label: "Status", field: "status", value: (st) => st.status,
      render: (st) => h("span", { class: `status-${st.status}` }, st.status) },
    { label: "Submitted", field: "submissionTime", value: (st) => st.submissionTime, render: (st) => fmt.date(st.submissionTime) },
    { label: "Duration", field: "duration", value: (st) => (st.submissionTime ? span(st.submissionTime, st.completionTime) : null),
      render: (st) => (st.submissionTime ? fmt.duration(span(st.submissionTime, st.completionTime)) : "") },
    { label: "Tasks: Succeeded/Total", field: "tasks",
      value: (st) => `${st.numCompleteTasks}/${st.numTasks}/${st.numFailedTasks}/${st.numActiveTasks}`,
      render: (st) => progress(st.numCompleteTasks, st.numTasks, { failed: st.numFailedTasks, killed: st.numKilledTasks, active: st.numActiveTasks }) },
    { label: "Shuffle Read", field: "shuffleReadBytes", value: (st) => st.shuffleReadBytes, render: (st) => (st.shuffleReadBytes ? fmt.bytes(st.shuffleReadBytes) : "") },
    { label: "Shuffle Write", field: "shuffleWriteBytes", value: (st) => st.shuffleWriteBytes, render: (st) => (st.shuffleWriteBytes ? fmt.bytes(st.shuffleWriteBytes) : "") },
  ];
}

function jobPage(root, ctx, jobId) {
  const title = h("h2", {}, `Details for Job ${jobId}`);
  const sum = summary("job-summary");
  const err = h("div");
  const dagBox = h("div", { class: "dag", "data-testid": "job-dag-box" });
  const stagesTable = table(stageColumns(), [], { key: (st) => `${st.stageId}.${st.attemptId}`, testid: "job-stage-row", tableTestid: "job-stages" });
  root.append(h("p", {}, h("a", { href: "#/jobs" }, "\u2190 all jobs")), title, sum, err,
    section("DAG Visualization", dagBox, { testid: "section-dag" }),
    section("Stages", stagesTable, { testid: "section-job-stages" }));
  let lastDag = null;
  return {
    async update() {
      const [job, dag, stages] = await Promise.all([
        ctx.api(`/jobs/${jobId}`), ctx.api(`/jobs/${jobId}/dag`).catch((e) => (e.status === 404 ? { stages: [] } : Promise.reject(e))),
        ctx.api("/stages"),
      ]);
      sum.update([
        ["Status", job.status, "status"],
        ["Submitted", fmt.date(job.submissionTime), "submissionTime"],
        ["Duration", fmt.duration(span(job.submissionTime, job.completionTime)), "duration"],
        ["Job Group", job.jobGroup, "jobGroup"],
        ["Description", job.description, "description"],
        ["Completed Stages", job.numCompletedStages, "numCompletedStages"],
        ["Skipped Stages", job.numSkippedStages, "numSkippedStages"],
        ["Failed Stages", job.numFailedStages, "numFailedStages"],
      ]);
      title.textContent = `Details for Job ${jobId}${job.name ? `: ${job.name}` : ""}`;
      const sig = JSON.stringify(dag);
      if (sig !== lastDag) {
        lastDag = sig;
        dagBox.replaceChildren(window.dagre ? drawDag(dag) : h("p", { class: "error" }, "dagre is not loaded"));
      }
      const ids = new Set(job.stageIds || []);
      stagesTable.update(stages.filter((st) => ids.has(st.stageId)).sort((a, b) => b.stageId - a.stageId || b.attemptId - a.attemptId));
    },
  };
}

export function mount(root, ctx) {
  const id = ctx.params[0];
  if (id !== undefined && /^\d+$/.test(id)) return jobPage(root, ctx, Number(id));
  return jobList(root, ctx);
}

