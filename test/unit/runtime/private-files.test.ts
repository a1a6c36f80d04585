/**
 * Files under DATA_DIR are owner-only whatever the umask: stack.json (scripts/stack.ts writes it with
 * writePrivateFile), the reconciliation reports (storeReport), and directories left 0755 by earlier versions.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { reconcileRecords } from '../../../reconciliation/model/reconciliation';
import { createReconciliationActivities } from '../../../reconciliation/activities/reconcile-activities';
import { ensurePrivateDir, touchPrivateFile, writePrivateFile } from '../../../runtime/private-files';

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('private files under DATA_DIR', () => {
  let root: string;
  let umask: number;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'private-files-'));
    // The widest default a user may have: files 0666, directories 0777 unless we say otherwise.
    umask = process.umask(0);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  test('stack.json is written 0600 in a 0700 directory, also over an older 0644 copy', () => {
    const data = join(root, '.data');
    mkdirSync(data, { mode: 0o755 });
    writeFileSync(join(data, 'stack.json'), '{}', { mode: 0o644 });
    writePrivateFile(join(data, 'stack.json'), '{"pipedrive":{"apiToken":"secret"}}\n');
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, 'stack.json'))).toBe(0o600);
    expect(readFileSync(join(data, 'stack.json'), 'utf8')).toContain('secret');
  });

  test('new directories are 0700 at every level; touched files 0600', () => {
    ensurePrivateDir(join(root, 'a', 'b'));
    expect(mode(join(root, 'a'))).toBe(0o700);
    expect(mode(join(root, 'a', 'b'))).toBe(0o700);
    touchPrivateFile(join(root, 'a', 'b', 'f.sqlite'));
    expect(mode(join(root, 'a', 'b', 'f.sqlite'))).toBe(0o600);
  });

  test('reconciliation reports (e-mails, company names) are 0600 in a 0700 reports directory', async () => {
    const dataDir = join(root, '.data');
    mkdirSync(join(dataDir, 'reports'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const { storeReport } = createReconciliationActivities({ pipedrive: {} as never }, { dataDir });
    const stored = (await new MockActivityEnvironment().run(
      storeReport,
      reconcileRecords([], [], '2026-12-05T05:00:00.000Z'),
    )) as { jsonPath: string; textPath: string };
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'reports'))).toBe(0o700);
    expect(mode(stored.jsonPath)).toBe(0o600);
    expect(mode(stored.textPath)).toBe(0o600);
  });
});
