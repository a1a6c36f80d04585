/** scripts/temporal-server.ts: where `npm run cluster` finds its binaries, and what it says when it finds none. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSettings } from '../../../scripts/cluster-settings';
import { findSchemaDir, findTool, TOOLS, unavailable } from '../../../scripts/temporal-server';

function executable(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('temporal-server binaries', () => {
  const root = mkdtempSync(join(tmpdir(), 'temporal-server-test-'));
  const cache = join(root, 'cache');
  const bin = join(root, 'bin');
  const fromEnv = executable(join(root, 'env'), 'my-server');
  executable(bin, 'temporal-server');
  executable(cache, 'server');

  it('takes the env var first, then PATH, then the cache', () => {
    expect(findTool(TOOLS.server, { TEMPORAL_SERVER: fromEnv, PATH: bin, TEMPORAL_SERVER_CACHE: cache })).toEqual({
      path: fromEnv,
      source: 'env',
    });
    expect(findTool(TOOLS.server, { PATH: bin, TEMPORAL_SERVER_CACHE: cache })).toEqual({
      path: join(bin, 'temporal-server'),
      source: 'PATH',
    });
    expect(findTool(TOOLS.server, { PATH: '', TEMPORAL_SERVER_CACHE: cache })).toEqual({
      path: join(cache, 'server'),
      source: 'cache',
    });
    expect(findTool(TOOLS.sql, { PATH: '', TEMPORAL_SERVER_CACHE: cache })).toBeUndefined();
  });

  it('refuses an env var that names no executable', () => {
    expect(() => findTool(TOOLS.sql, { TEMPORAL_SQL_TOOL: join(root, 'missing') })).toThrow(
      /TEMPORAL_SQL_TOOL=.*not an executable file/,
    );
  });

  it('caches builds under the version of deploy/temporal/cluster.json', () => {
    const env = { XDG_CACHE_HOME: root };
    expect(TOOLS.server.cacheDir(env)).toBe(
      join(root, 'onboarding-orchestrator', 'temporal-server', `v${clusterSettings().temporalVersion}`),
    );
    expect(TOOLS.ui.cacheDir(env)).toBe(
      join(root, 'onboarding-orchestrator', 'temporal-ui', `v${clusterSettings().uiVersion}`),
    );
  });

  it('says in one message every route it tried and how to provide the binary', () => {
    const message = unavailable(TOOLS.server, { TEMPORAL_SERVER_CACHE: cache }, 'no `go` toolchain').message;
    expect(message).toContain('TEMPORAL_SERVER: not set');
    expect(message).toContain('`temporal-server` on PATH: not found');
    expect(message).toContain(`nothing at ${join(cache, 'server')}`);
    expect(message).toContain(
      `go install go.temporal.io/server/cmd/server@v${clusterSettings().temporalVersion}: no \`go\` toolchain`,
    );
    expect(message).toContain('https://github.com/temporalio/temporal/releases');
  });

  it('refuses a TEMPORAL_SCHEMA_DIR without the PostgreSQL schema', () => {
    expect(findSchemaDir({ TEMPORAL_SCHEMA_DIR: root }, () => undefined)).toEqual([
      expect.stringMatching(/no temporal\/versioned folder/),
    ]);
    mkdirSync(join(root, 'schema', 'temporal', 'versioned'), { recursive: true });
    expect(findSchemaDir({ TEMPORAL_SCHEMA_DIR: join(root, 'schema') }, () => undefined)).toBe(join(root, 'schema'));
  });
});
