// Executors tab: the driver and every executor, alive or lost (with why it was removed).

import { h, fmt, table, section, summary } from "../lib.js";

const bytes = (label, field) => ({ label, field, value: (e) => e[field] ?? 0, render: (e) => fmt.bytes(e[field] ?? 0) });
const num = (label, field) => ({ label, field, value: (e) => e[field] ?? 0 });

export function mount(root, ctx) {
  const sum = summary("executors-summary");
  const t = table([
    { label: "Executor ID", field: "id", value: (e) => e.id },
    { label: "Address", field: "hostPort", value: (e) => e.hostPort },
    { label: "Status", field: "isActive", value: (e) => (e.isActive ? "Active" : "Dead"),
      render: (e) => h("span", { class: e.isActive ? "" : "status-FAILED" }, e.isActive ? "Active" : "Dead") },
    num("RDD Blocks", "rddBlocks"),
    { label: "Storage Memory", field: "memoryUsed", value: (e) => `${e.memoryUsed ?? 0}/${e.maxMemory ?? 0}`,
      render: (e) => (e.maxMemory ? `${fmt.bytes(e.memoryUsed ?? 0)} / ${fmt.bytes(e.maxMemory)}` : fmt.bytes(e.memoryUsed ?? 0)) },
    bytes("Disk Used", "diskUsed"),
    num("Cores", "totalCores"),
    num("Active Tasks", "activeTasks"),
    num("Failed Tasks", "failedTasks"),
    num("Complete Tasks", "completedTasks"),
    num("Total Tasks", "totalTasks"),
    { label: "Task Time", field: "totalDuration", value: (e) => e.totalDuration ?? 0, render: (e) => fmt.duration(e.totalDuration ?? 0) },
    bytes("Input", "totalInputBytes"),
    bytes("Shuffle Read", "totalShuffleRead"),
    bytes("Shuffle Write", "totalShuffleWrite"),
    { label: "Remove Reason", field: "removeReason", value: (e) => e.removeReason ?? "" },
  ], [], { key: "id", testid: "executor-row", tableTestid: "executors", empty: "No executors" });
  root.append(h("h2", {}, "Executors"), sum, section("Executors", t, { testid: "section-executors" }));
  const order = (e) => (e.id === "driver" ? -1 : Number(e.id));
  return {
    async update() {
      const execs = await ctx.api("/allexecutors");
      execs.sort((a, b) => order(a) - order(b) || String(a.id).localeCompare(String(b.id)));
      t.update(execs);
      const alive = execs.filter((e) => e.isActive);
      sum.update([
        ["Active", alive.length, "active"],
        ["Dead", execs.length - alive.length, "dead"],
        ["Cores", alive.reduce((n, e) => n + (e.totalCores || 0), 0), "cores"],
        ["Active Tasks", alive.reduce((n, e) => n + (e.activeTasks || 0), 0), "activeTasks"],
        ["Completed Tasks", execs.reduce((n, e) => n + (e.completedTasks || 0), 0), "completedTasks"],
      ]);
    },
  };
}
