/**
 * An error's first line, bounded: what a log line, a fact, an answer or an alert's record may carry of a failure
 * (gRPC and vendor errors run to many lines with stacks and request dumps). Pure, so workflow code uses it too.
 */
export const firstLine = (err: unknown, max = 300): string => {
  const message =
    err instanceof Error
      ? err.message
      : typeof (err as { message?: unknown })?.message === 'string'
        ? (err as { message: string }).message
        : String(err);
  return (message.split('\n')[0] ?? '').slice(0, max);
};
