export function mount(root, ctx) { return {update: async () => {}, unmount: () => {}}; }
