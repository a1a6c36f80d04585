import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ephemeralRangeStart,
  freePort,
  nicedCommand,
  portCursorStart,
  stackNodeProcess,
  withBoundedMallocArenas,
} from '../../../scripts/process-utils';

describe('stack process settings', () => {
  it('runs a background process through nice(1) so every thread inherits the niceness, and not at all for 0', () => {
    expect(nicedCommand('/bin/temporal', ['server', 'start-dev'], 10)).toEqual([
      'nice',
      ['-n', '10', '/bin/temporal', 'server', 'start-dev'],
    ]);
    expect(nicedCommand('/bin/temporal', ['server'], 0)).toEqual(['/bin/temporal', ['server']]);
  });

  it('bounds malloc arenas unless the environment already says otherwise', () => {
    expect(withBoundedMallocArenas({ A: '1' })).toEqual({ A: '1', MALLOC_ARENA_MAX: '2' });
    expect(withBoundedMallocArenas({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('launches the worker niced, with its V8 flags and bounded arenas; the app with only the extra arguments', () => {
    const env = { A: '1' };
    const worker = stackNodeProcess('/app/workers/main.ts', env, { nodeFlags: ['--optimize-for-size'], nice: 10 });
    expect(worker.command).toBe('nice');
    expect(worker.args).toEqual([
      '-n',
      '10',
      process.execPath,
      '--optimize-for-size',
      '--import',
      'tsx',
      '/app/workers/main.ts',
    ]);
    expect(worker.env.MALLOC_ARENA_MAX).toBe('2');
    expect(stackNodeProcess('/app/starters/http/main.ts', env, { extraNodeArgs: ['--cpu-prof'] })).toEqual({
      command: process.execPath,
      args: ['--cpu-prof', '--import', 'tsx', '/app/starters/http/main.ts'],
      env: { ...env, MALLOC_ARENA_MAX: '2' },
    });
  });
});

describe('free ports for services about to start', () => {
  it('reads where the kernel starts handing out ports for outgoing connections, with a safe fallback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-range-'));
    writeFileSync(join(dir, 'range'), '40000\t60999\n');
    expect(ephemeralRangeStart(join(dir, 'range'))).toBe(40000);
    writeFileSync(join(dir, 'bad'), 'nonsense');
    expect(ephemeralRangeStart(join(dir, 'bad'))).toBe(49152);
    expect(ephemeralRangeStart(join(dir, 'missing'))).toBe(49152);
  });

  it('gives each Jest worker its own block below that range', () => {
    const range = { floor: 10000, ceiling: 32768 };
    const starts = [1, 2, 3, 4].map((slot) => portCursorStart({ ...range, slot, random: 0.999 }));
    expect(new Set(starts.map((p) => Math.floor((p - 10000) / 1423))).size).toBe(4);
    for (const slot of [0, 1, 15, 16, 17, 12345]) {
      for (const random of [0, 0.5, 0.9999]) {
        const start = portCursorStart({ ...range, slot, random });
        expect(start).toBeGreaterThanOrEqual(10000);
        expect(start).toBeLessThan(32768);
      }
    }
    expect(portCursorStart({ ...range, slot: 17, random: 0.3 })).toBe(
      portCursorStart({ ...range, slot: 1, random: 0.3 }),
    );
  });

  it('hands out distinct ports outside the ephemeral range, skipping one that is taken', async () => {
    const first = await freePort();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: first + 1 }, r));
    try {
      const ports = [first];
      for (let i = 0; i < 5; i++) ports.push(await freePort());
      expect(new Set(ports).size).toBe(6);
      expect(ports).not.toContain(first + 1);
      for (const port of ports) expect(port).toBeLessThan(ephemeralRangeStart());
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });
});
