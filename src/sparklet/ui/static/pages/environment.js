// Environment tab: runtime, Spark properties (secrets arrive redacted), system properties.
// The environment changes rarely, so it is fetched at most once a second.

import { h, kvTable, section } from "../lib.js";

const pairs = (list) => (list || []).map(([k, v]) => [String(k), v === null || v === undefined ? "" : String(v)]);

export function mount(root, ctx) {
  const groups = [
    ["runtime", "Runtime Information", (env) => Object.entries(env.runtime || {}).map(([k, v]) => [k, v === null ? "" : String(v)])],
    ["spark", "Spark Properties", (env) => pairs(env.sparkProperties)],
    ["hadoop", "Hadoop Properties", (env) => pairs(env.hadoopProperties)],
    ["system", "System Properties", (env) => pairs(env.systemProperties)],
    ["metrics", "Metrics Properties", (env) => pairs(env.metricsProperties)],
    ["classpath", "Classpath Entries", (env) => pairs(env.classpathEntries)],
  ].map(([id, title, rows]) => {
    const t = kvTable([], { testid: `env-${id}-row`, tableTestid: `env-${id}`, empty: "None" });
    return { t, rows, sec: section(title, t, { testid: `section-env-${id}` }) };
  });
  root.append(h("h2", {}, "Environment"), ...groups.map((g) => g.sec));
  let last = 0;
  return {
    async update() {
      if (Date.now() - last < 1000) return;
      const env = await ctx.api("/environment");
      last = Date.now();
      for (const g of groups) {
        const rows = g.rows(env);
        g.t.update(rows);
        g.sec.setCount(rows.length);
        g.sec.hidden = rows.length === 0 && g !== groups[0] && g !== groups[1];
      }
    },
  };
}
