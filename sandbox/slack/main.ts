/** Standalone Slack simulator: `npx tsx sandbox/slack/main.ts`; prints the stack.json `slack` entry. */
import { join } from 'node:path';
import { startSlackSimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.SLACK_SIM_PORT ?? 4030);
  const sim = await startSlackSimulator({
    port,
    ...(process.env.SLACK_SIM_INTERACTIVITY_URL ? { interactivityUrl: process.env.SLACK_SIM_INTERACTIVITY_URL } : {}),
    ...(process.env.SLACK_SIM_DATA_FILE
      ? { dataFile: process.env.SLACK_SIM_DATA_FILE }
      : { dataFile: join('.data', 'slack-sim.json') }),
    logger: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({ slack: sim.stackEntry }, null, 2)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[slack-sim] ${signal}: stopping\n`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`[slack-sim] stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`[slack-sim] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
