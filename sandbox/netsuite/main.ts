/** Standalone NetSuite simulator: `npx tsx sandbox/netsuite/main.ts`; prints its stack.json entry, stops on SIGINT/SIGTERM. */
import { startNetSuiteSimulator } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.NETSUITE_SIM_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`NETSUITE_SIM_PORT must be a port number, got ${process.env.NETSUITE_SIM_PORT}`);
  const simulator = await startNetSuiteSimulator({
    port,
    dataFile: process.env.NETSUITE_SIM_DATA_FILE,
    logger: process.env.NETSUITE_SIM_QUIET ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({ netsuite: simulator.stackEntry }, null, 2)}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`netsuite-sim stopping on ${signal}\n`);
    simulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`netsuite-sim failed to stop cleanly: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`netsuite-sim failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
