import { nicedCommand, stackNodeProcess, withBoundedMallocArenas } from '../../../scripts/process-utils';

describe('stack process settings', () => {
  it('runs a background process through nice(1) so every thread inherits the niceness, and not at all for 0', () => {
    expect(nicedCommand('/bin/temporal', ['server', 'start-dev'], 10)).toEqual(['nice', ['-n', '10', '/bin/temporal', 'server', 'start-dev']]);
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
    expect(worker.args).toEqual(['-n', '10', process.execPath, '--optimize-for-size', '--import', 'tsx', '/app/workers/main.ts']);
    expect(worker.env.MALLOC_ARENA_MAX).toBe('2');
    expect(stackNodeProcess('/app/starters/http/main.ts', env, { extraNodeArgs: ['--cpu-prof'] })).toEqual({
      command: process.execPath,
      args: ['--cpu-prof', '--import', 'tsx', '/app/starters/http/main.ts'],
      env: { ...env, MALLOC_ARENA_MAX: '2' },
    });
  });
});
