/**
 * The Pipedrive simulator's data file is written once for a burst of mutations, not once per mutation (each write
 * serialises the whole state: docs/lean-worker.md), and nothing is lost: a pending change is written within
 * PERSIST_DELAY_MS, or at once by flush() (the simulator's close).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore } from '../../../sandbox/pipedrive/state-store';

describe('pipedrive simulator state store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipedrive-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { tokens: Record<string, number> };

  it('writes the file when it starts, then once for a burst of changes, and at flush()', () => {
    const file = join(dir, 'pipedrive.json');
    const store = new StateStore('acme', 'tok-1', file, undefined, () => undefined);
    expect(existsSync(file)).toBe(true);
    const startedIno = statSync(file).ino;
    for (let i = 0; i < 20; i += 1) {
      store.state.tokens[`burst-${i}`] = 1;
      store.persist();
    }
    // Not written yet: the burst shares one write (the file is replaced by a rename, so a write changes its inode).
    expect(statSync(file).ino).toBe(startedIno);
    expect(read(file).tokens['burst-19']).toBeUndefined();
    store.flush();
    expect(read(file).tokens['burst-19']).toBe(1);
  });

  it('writes a pending change on its own shortly after', async () => {
    const file = join(dir, 'pipedrive.json');
    const store = new StateStore('acme', 'tok-1', file, undefined, () => undefined);
    store.state.tokens.later = 1;
    store.persist();
    await new Promise((r) => setTimeout(r, 400));
    expect(read(file).tokens.later).toBe(1);
  });
});
