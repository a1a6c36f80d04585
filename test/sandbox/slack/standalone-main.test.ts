import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/process-utils';

describe('sandbox/slack/main.ts', () => {
  it('prints the stack entry, serves the Web API, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slack-main-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../../sandbox/slack/main.ts')], {
      env: {
        ...process.env,
        SLACK_SIM_PORT: String(port),
        SLACK_SIM_DATA_FILE: join(dir, 'slack.json'),
        SLACK_SIM_INTERACTIVITY_URL: 'http://127.0.0.1:9/slack/events',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const entry = await new Promise<{ slack: { url: string; botToken: string } }>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          try {
            resolve(JSON.parse(out) as { slack: { url: string; botToken: string } });
          } catch {
            // Not the whole document yet.
          }
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(entry.slack.url).toBe(`http://127.0.0.1:${port}/api/`);
      const auth = await fetch(`${entry.slack.url}auth.test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${entry.slack.botToken}` },
      });
      expect(await auth.json()).toMatchObject({ ok: true, team_id: 'T0SANDBOX' });
      const config = await fetch(`http://127.0.0.1:${port}/__sim/config`);
      expect(await config.json()).toMatchObject({ interactivityUrl: 'http://127.0.0.1:9/slack/events' });

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
