// Placeholder: H-stream owns this page and overwrites this file.
export function mount(root, ctx) {
  root.append(ctx.h("p", { class: "muted" }, "The dashboard page is not installed in this build."));
  return { update: async () => {}, unmount: () => {} };
}
