/**
 * Standalone Pipedrive simulator: `npx tsx sandbox/pipedrive/main.ts`. Port from PIPEDRIVE_SIM_PORT (default 4020),
 * state in PIPEDRIVE_SIM_DATA_FILE when set; prints the stack.json `pipedrive` entry and stops cleanly on SIGINT/SIGTERM.
 */
import { DEFAULT_HOST, DEFAULT_PORTS } from '../../runtime/defaults';
import { startPipedriveSimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.PIPEDRIVE_SIM_PORT ?? DEFAULT_PORTS.pipedriveSimulator);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PIPEDRIVE_SIM_PORT must be a port number, got ${process.env.PIPEDRIVE_SIM_PORT}`);
  const scale = process.env.PIPEDRIVE_SIM_WEBHOOK_TIME_SCALE;
  const sim = await startPipedriveSimulator({
    host: DEFAULT_HOST,
    port,
    dataFile: process.env.PIPEDRIVE_SIM_DATA_FILE || undefined,
    apiToken: process.env.PIPEDRIVE_SIM_API_TOKEN || undefined,
    webhookTimeScale: scale ? Number(scale) : undefined,
    logger: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({ pipedrive: sim.stackEntry }, null, 2)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`pipedrive-sim: ${signal}, stopping\n`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`pipedrive-sim: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`pipedrive-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
