// Storage tab: #/storage (cached RDDs) and #/storage/<rddId> (where its blocks are).

import { h, fmt, table, section, summary } from "../lib.js";

const bytes = (label, field) => ({ label, field, value: (r) => r[field] ?? 0, render: (r) => fmt.bytes(r[field] ?? 0) });

function rddList(root, ctx) {
  const t = table([
    { label: "ID", field: "id", value: (r) => r.id },
    { label: "RDD Name", field: "name", value: (r) => r.name,
      render: (r) => h("a", { href: `#/storage/${r.id}`, "data-testid": "rdd-link" }, r.name || `RDD ${r.id}`) },
    { label: "Storage Level", field: "storageLevel", value: (r) => r.storageLevel },
    { label: "Cached Partitions", field: "numCachedPartitions", value: (r) => r.numCachedPartitions },
    { label: "Fraction Cached", field: "fractionCached",
      value: (r) => (r.numPartitions ? Math.round((100 * r.numCachedPartitions) / r.numPartitions) : 0),
      render: (r) => `${r.numPartitions ? Math.round((100 * r.numCachedPartitions) / r.numPartitions) : 0}%` },
    bytes("Size in Memory", "memoryUsed"),
    bytes("Size on Disk", "diskUsed"),
  ], [], { key: "id", testid: "rdd-row", tableTestid: "rdds", empty: "No cached RDDs" });
  root.append(h("h2", {}, "Storage"), section("RDDs", t, { testid: "section-rdds" }));
  return {
    async update() {
      const rdds = await ctx.api("/storage/rdd");
      t.update(rdds.sort((a, b) => a.id - b.id));
    },
  };
}

function rddPage(root, ctx, rddId) {
  const title = h("h2", {}, `RDD Storage Info for RDD ${rddId}`);
  const sum = summary("rdd-summary");
  const dist = table([
    { label: "Host", field: "address", value: (d) => d.address },
    bytes("Memory Usage", "memoryUsed"),
    bytes("Memory Remaining", "memoryRemaining"),
    bytes("Disk Usage", "diskUsed"),
  ], [], { key: "address", testid: "rdd-dist-row", tableTestid: "rdd-distribution", empty: "No blocks" });
  const parts = table([
    { label: "Block Name", field: "blockName", value: (p) => p.blockName },
    { label: "Storage Level", field: "storageLevel", value: (p) => p.storageLevel },
    bytes("Size in Memory", "memoryUsed"),
    bytes("Size on Disk", "diskUsed"),
    { label: "Executors", field: "executors", value: (p) => (p.executors || []).join(", ") },
  ], [], { key: "blockName", testid: "rdd-partition-row", tableTestid: "rdd-partitions", empty: "No cached partitions" });
  root.append(h("p", {}, h("a", { href: "#/storage" }, "\u2190 storage")), title, sum,
    section("Data Distribution", dist, { testid: "section-rdd-distribution" }),
    section("Partitions", parts, { testid: "section-rdd-partitions" }));
  return {
    async update() {
      const r = await ctx.api(`/storage/rdd/${rddId}`);
      title.textContent = `RDD Storage Info for ${r.name || `RDD ${rddId}`}`;
      sum.update([
        ["Storage Level", r.storageLevel, "storageLevel"],
        ["Cached Partitions", r.numCachedPartitions, "numCachedPartitions"],
        ["Total Partitions", r.numPartitions, "numPartitions"],
        ["Memory Size", fmt.bytes(r.memoryUsed ?? 0), "memoryUsed"],
        ["Disk Size", fmt.bytes(r.diskUsed ?? 0), "diskUsed"],
      ]);
      dist.update(r.dataDistribution || []);
      const key = (p) => p.blockName.split("_").map(Number);
      parts.update([...(r.partitions || [])].sort((a, b) => key(a)[2] - key(b)[2] || a.blockName.localeCompare(b.blockName)));
    },
  };
}

export function mount(root, ctx) {
  const id = ctx.params[0];
  if (id !== undefined && /^\d+$/.test(id)) return rddPage(root, ctx, Number(id));
  return rddList(root, ctx);
}
