/**
 * The sandbox `npm start` runs for vendors without credentials: simulators listen on loopback whatever APP_HOST says,
 * refuse to stand in beside another vendor's real credentials (unless SANDBOX_ALLOW_MIXED=true), and keep their
 * credentials and state in an owner-only directory.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../runtime/config';
import { createLogger } from '../../../runtime/logger';
import { freePort } from '../../../scripts/process-utils';
import { mixedSandboxRefusal, SIMULATOR_HOST, startSandbox } from '../../../scripts/sandbox-services';

describe('sandbox services', () => {
  test("a simulator never stands in beside another vendor's real credentials, unless asked for", () => {
    expect(mixedSandboxRefusal(['netsuite', 'slack'], {})).toMatch(
      /^pipedrive has real credentials but netsuite and slack do not: npm start would run real deals against a simulator\. Set the credentials of netsuite \(NETSUITE_ACCOUNT_ID, /,
    );
    expect(mixedSandboxRefusal(['netsuite'], {})).toMatch(
      /^pipedrive and slack have real credentials but netsuite does not/,
    );
    expect(mixedSandboxRefusal(['netsuite'], { SANDBOX_ALLOW_MIXED: 'true' })).toBeUndefined();
    expect(mixedSandboxRefusal(['pipedrive', 'netsuite', 'slack'], {})).toBeUndefined();
    expect(mixedSandboxRefusal([], {})).toBeUndefined();
  });

  test('simulators listen on 127.0.0.1 even with APP_HOST=0.0.0.0; .data and .data/sandbox are 0700, credentials 0600', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sandbox-services-')), 'data');
    const config = parseConfig({
      LOG_LEVEL: 'silent',
      APP_HOST: '0.0.0.0',
      DATA_DIR: dataDir,
      NETSUITE_SIM_PORT: String(await freePort()),
      PIPEDRIVE_SIM_PORT: String(await freePort()),
      SLACK_SIM_PORT: String(await freePort()),
      PAGERDUTY_SIM_PORT: String(await freePort()),
    });
    expect(SIMULATOR_HOST).toBe('127.0.0.1');
    const sandbox = await startSandbox(['netsuite', 'pipedrive', 'slack'], {
      config,
      dataDir,
      log: createLogger('sandbox-test', 'silent'),
    });
    try {
      for (const vendor of ['netsuite', 'pipedrive', 'slack', 'pagerduty']) {
        expect((sandbox.stackEntries[vendor] as { url: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      }
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'sandbox')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'sandbox', 'credentials.json')).mode & 0o777).toBe(0o600);
    } finally {
      await sandbox.close();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });

  test('startSandbox refuses a mixed stack before starting anything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-services-'));
    try {
      await expect(
        startSandbox(['netsuite'], {
          config: parseConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir }),
          dataDir,
          log: createLogger('sandbox-test', 'silent'),
        }),
      ).rejects.toThrow(/real credentials but netsuite does not/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
