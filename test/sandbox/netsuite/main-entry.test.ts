/** The standalone entry prints its stack.json entry, serves signed requests, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { callNetSuite, type Stack } from './signed-client';

test('npx tsx sandbox/netsuite/main.ts', async () => {
  const root = join(__dirname, '..', '..', '..');
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'sandbox', 'netsuite', 'main.ts')],
    {
      cwd: root,
      env: { ...process.env, NETSUITE_SIM_PORT: '0', NETSUITE_SIM_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  const entry = await new Promise<Stack>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve((JSON.parse(stdout) as { netsuite: Stack }).netsuite);
      } catch {
        // Not the whole JSON yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
  });
  expect(entry).toMatchObject({
    url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) as unknown,
    accountId: '1234567_SB1',
  });
  for (const key of ['consumerKey', 'consumerSecret', 'tokenId', 'tokenSecret'] as const)
    expect(entry[key]).toMatch(/^[0-9a-f]{64}$/);
  expect((await callNetSuite(entry, 'GET', 'record/v1/subsidiary/1')).status).toBe(200);

  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exitCode).toBe(0);
});
