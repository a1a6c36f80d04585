/**
 * `backfill`'s recorded histories replay (replay.test.ts replays every file; this one names the backfill ones so
 * their absence fails), and the `backfill-paged` gate is what makes the old ones replay: a copy of the workflow with
 * the gate forced on is refused on a history of the old shape (v8, recorded at c0c8190), the unmodified copy is not.
 * Histories: test/workflow/fixtures/record-backfill-histories.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { historyFromProtoJson } from './fixtures/history-json';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

const HISTORIES_DIR = join(__dirname, 'fixtures', 'histories');
const ROOT = resolve(__dirname, '..', '..');
const WORKFLOW = 'backfill/workflows/backfill.ts';
const loadHistory = (file: string) => historyFromProtoJson(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));

async function bundleCopy(mutate: (source: string) => string): Promise<{ code: string }> {
  const home = dirname(join(ROOT, WORKFLOW));
  const source = mutate(readFileSync(join(ROOT, WORKFLOW), 'utf8')).replace(
    /from '(\.{1,2}\/[^']*)'/g,
    (_m, spec: string) => `from '${resolve(home, spec)}'`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'backfill-replay-'));
  try {
    const scratch = join(dir, basename(WORKFLOW).replace(/\.ts$/, '-scratch.ts'));
    writeFileSync(scratch, source);
    return await bundleWorkflowCode({
      workflowsPath: scratch,
      logger: {
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (m: string) => process.stderr.write(`[bundler] ${m}\n`),
        log: () => undefined,
      },
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), join(ROOT, 'node_modules')] },
      }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('backfill replay', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('replays the old (v8) and paged (v9) backfill histories', async () => {
    const files = readdirSync(HISTORIES_DIR)
      .filter((f) => /^v\d+[a-z]?-backfill-.+\.json$/.test(f))
      .sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'v8-backfill-dry-run.json',
        'v8-backfill-run.json',
        'v9-backfill-dry-run.json',
        'v9-backfill-run.json',
      ]),
    );
    const outcomes: Array<{ file: string; error?: string }> = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: t.workflowBundle },
      files.map((file) => ({ workflowId: file, history: loadHistory(file) })),
    )) {
      outcomes.push({ file: r.workflowId, ...(r.error ? { error: String(r.error) } : {}) });
    }
    expect(outcomes).toEqual(files.map((file) => ({ file })));
  });

  it('refuses an old backfill history once the backfill-paged gate is removed', async () => {
    const gate = 'patched(BACKFILL_PAGED_PATCH)';
    const original = readFileSync(join(ROOT, WORKFLOW), 'utf8');
    if (!original.includes(gate)) throw new Error(`${WORKFLOW} no longer calls ${gate}: update this mutation`);
    const [unchanged, ungated] = await Promise.all([bundleCopy((s) => s), bundleCopy((s) => s.replace(gate, 'true'))]);
    const history = loadHistory('v8-backfill-run.json');
    await expect(
      Worker.runReplayHistory({ workflowBundle: unchanged }, history, 'backfill-unchanged'),
    ).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory({ workflowBundle: ungated }, history, 'backfill-ungated')).rejects.toThrow(
      /nondeterminism/i,
    );
  }, 120_000);
});
