import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalCli, findTemporalCli, TemporalCliUnavailable } from '../../../scripts/temporal-cli';

function fakeBinary(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return path;
}

describe('Temporal CLI acquisition order', () => {
  const root = mkdtempSync(join(tmpdir(), 'cli-routes-'));
  const emptyPath = join(root, 'empty-bin');
  mkdirSync(emptyPath);

  it('prefers TEMPORAL_CLI, then PATH, then the cache', () => {
    const explicit = fakeBinary(join(root, 'explicit'));
    const onPath = fakeBinary(join(root, 'path-bin'));
    const cache = join(root, 'cache');
    fakeBinary(cache);
    expect(
      findTemporalCli({ TEMPORAL_CLI: explicit, PATH: join(root, 'path-bin'), TEMPORAL_CLI_CACHE: cache }),
    ).toEqual({ path: explicit, source: 'TEMPORAL_CLI' });
    expect(findTemporalCli({ PATH: join(root, 'path-bin'), TEMPORAL_CLI_CACHE: cache })).toEqual({
      path: onPath,
      source: 'PATH',
    });
    expect(findTemporalCli({ PATH: emptyPath, TEMPORAL_CLI_CACHE: cache })).toEqual({
      path: join(cache, 'temporal'),
      source: 'cache',
    });
  });

  it('refuses a TEMPORAL_CLI that is not executable instead of silently falling through', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI: join(root, 'nope'), PATH: emptyPath })).toThrow(/not an executable/);
  });

  it('fails with one message naming every route when nothing works (no go, no download)', async () => {
    const lines: string[] = [];
    const env = { PATH: emptyPath, TEMPORAL_CLI_CACHE: join(root, 'empty-cache'), HOME: root };
    const attempt = ensureTemporalCli(env, (l) => lines.push(l));
    // Without `go` on PATH the build route is skipped; the SDK download cannot reach the internet here.
    await expect(attempt).rejects.toBeInstanceOf(TemporalCliUnavailable);
    const message = await attempt.catch((e: Error) => e.message);
    for (const route of ['TEMPORAL_CLI', '`temporal` on PATH', 'cached build', 'go install', 'SDK download'])
      expect(message).toContain(route);
  }, 120_000);
});
