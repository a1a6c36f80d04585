/**
 * Child processes of `npm start` run in their own process group (so Ctrl-C is handled in order by the launcher).
 * If the launcher itself dies without cleaning up (kill -9), they would live on holding ports: they leave too.
 */
export function exitWithParent(onOrphaned: () => void): void {
  const parent = Number(process.env.STACK_PARENT_PID);
  if (!parent) return;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      onOrphaned();
    }
  }, 1_000).unref();
}
