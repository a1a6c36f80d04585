import { rmSync } from 'node:fs';
import { readTestEnvFile } from '../helpers/test-env-file';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __temporalServer?: { stop(): Promise<void> } }).__temporalServer;
  await server?.stop();
  const { dir } = readTestEnvFile();
  if (!process.env.KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
}
