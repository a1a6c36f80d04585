/**
 * Replay (docs/architecture.md#versioning): every recorded history of every `onboardDeal` and `opsWatch` version replays against today's
 * workflow code without a determinism error, so a deploy never breaks executions that are open (a deal parked in
 * review for days, an invoice waiting on its date, the long-lived ops-watch). Histories are recorded by
 * test/workflow/fixtures/record-histories.ts and record-ops-watch-histories.ts.
 *
 * The last tests prove this test can fail: a scratch copy of a workflow file with a plausible change (the Pipedrive
 * write-back moved before the deal fetch; ops-watch's bounded-history behaviour without its `patched()` gate) is
 * bundled on its own and must be refused on a recorded history; the unmodified copy, bundled the same way, must
 * replay it (so the refusal is the change's doing).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromProtoJson } from './fixtures/history-json';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

const HISTORIES_DIR = join(__dirname, 'fixtures', 'histories');
const ROOT = resolve(__dirname, '..', '..');

// v<N>-… and v<N><letter>-… (a second recording of the same version, e.g. v5b by another change landing beside v5).
const historyFiles = (): string[] =>
  readdirSync(HISTORIES_DIR)
    .filter((f) => /^v\d+[a-z]?-.+\.json$/.test(f))
    .sort();
const loadHistory = (file: string) => historyFromProtoJson(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));

const quietBundler = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => process.stderr.write(`[bundler] ${message}\n`),
  log: () => undefined,
};

/**
 * Bundles a scratch copy of a workflow file (`path` from the repository root, after `mutate`) as the whole workflow
 * module, from a temporary directory: the copy's relative imports point back into the project, so only the workflow
 * function differs.
 */
async function bundleScratchCopy(path: string, mutate: (source: string) => string): Promise<{ code: string }> {
  const original = readFileSync(join(ROOT, path), 'utf8');
  const home = dirname(join(ROOT, path));
  const source = mutate(original).replace(
    /from '(\.{1,2}\/[^']*)'/g,
    (_m, spec: string) => `from '${resolve(home, spec)}'`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'replay-scratch-'));
  try {
    const scratch = join(dir, basename(path).replace(/\.ts$/, '-scratch.ts'));
    writeFileSync(scratch, source);
    return await bundleWorkflowCode({
      workflowsPath: scratch,
      logger: quietBundler,
      // The copy lives outside the project: let it resolve packages from the project's node_modules.
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, modules: [...(config.resolve?.modules ?? []), join(ROOT, 'node_modules')] },
      }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Moves the "write external_id back to the deal" step ahead of the deal fetch: two activity calls reordered. */
function writeBackBeforeFetch(source: string): string {
  const writeBack = /\n {4}if \(!done\.has\('writeBack'\)\) \{\n[\s\S]*?\n {4}\}\n/.exec(source)?.[0];
  const fetchAt = source.indexOf("\n    if (!done.has('fetch')) {");
  if (!writeBack || fetchAt < 0)
    throw new Error(
      'workflows/onboarding.ts no longer has the fetch and write-back steps this mutation moves: update it',
    );
  const without = source.replace(writeBack, '\n');
  const at = without.indexOf("\n    if (!done.has('fetch')) {");
  return `${without.slice(0, at)}${writeBack.trimEnd()}${without.slice(at)}`;
}

describe('workflow replay', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('replays every recorded history of every version without a determinism error', async () => {
    const files = historyFiles();
    // happy path, validation + fix, possible duplicate + link, cancel in review, pause/resume, async upsert.
    expect(files.length).toBeGreaterThanOrEqual(5);
    const histories = files.map((file) => ({ workflowId: file, history: loadHistory(file) }));
    const outcomes: Array<{ file: string; error?: string }> = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: t.workflowBundle }, histories)) {
      outcomes.push({
        file: r.workflowId,
        ...(r.error ? { error: `${(r.error as Error).name}: ${(r.error as Error).message}` } : {}),
      });
    }
    expect(outcomes).toEqual(files.map((file) => ({ file })));
  });

  // Histories written before review cards existed (histories-before-review-cards/, recorded against 365e1cc): the
  // card activities sit behind `patched('review-card')`, so runs parked in review across that upgrade still replay.
  it('replays the histories recorded before the review-card change (docs/architecture.md#versioning: every workflow version)', async () => {
    const dir = join(__dirname, 'fixtures', 'histories-before-review-cards');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(5);
    const histories = files.map((file) => ({
      workflowId: file,
      history: historyFromProtoJson(JSON.parse(readFileSync(join(dir, file), 'utf8'))),
    }));
    const outcomes: Array<{ file: string; error?: string }> = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: t.workflowBundle }, histories)) {
      outcomes.push({
        file: r.workflowId,
        ...(r.error ? { error: `${(r.error as Error).name}: ${(r.error as Error).message}` } : {}),
      });
    }
    expect(outcomes).toEqual(files.map((file) => ({ file })));
  });

  it('fails a workflow whose activity calls were reordered, and only because of the reorder', async () => {
    const original = readFileSync(join(ROOT, 'workflows', 'onboarding.ts'), 'utf8');
    expect(writeBackBeforeFetch(original)).not.toBe(original);
    const history = loadHistory('v1-happy-path.json');

    const [unchanged, reordered] = await Promise.all([
      bundleScratchCopy('workflows/onboarding.ts', (s) => s),
      bundleScratchCopy('workflows/onboarding.ts', writeBackBeforeFetch),
    ]);
    await expect(
      Worker.runReplayHistory({ workflowBundle: unchanged }, history, 'scratch-unchanged'),
    ).resolves.toBeUndefined();
    const refused = Worker.runReplayHistory({ workflowBundle: reordered }, history, 'scratch-reordered');
    await expect(refused).rejects.toBeInstanceOf(DeterminismViolationError);
    await expect(refused).rejects.toThrow(/nondeterminism/i);
  }, 120_000);

  // Each gate in workflows/onboarding.ts, forced on in a scratch copy, must make a history recorded before it refuse.
  it.each([
    {
      what: 'an onboarding history written before the External ID ownership check',
      // has(): the gate as onboardDeal asks it (patched(), or given on the lean command sequence).
      gate: 'has(EXTERNAL_ID_OWNER_PATCH)',
      // Recorded at fe850cd, before the check-external-id-owner step existed.
      history: 'v4-happy-path.json',
      name: 'eid-owner',
    },
    {
      what: 'an onboarding history written before billing contacts',
      gate: "has('billing-contact')",
      // Recorded at fe850cd, before the upsert-contact step existed.
      history: 'v4-happy-path.json',
      name: 'contact',
    },
    {
      what: 'an onboarding history written before the lean command sequence',
      gate: 'patched(LEAN_ONBOARDING_PATCH)',
      // Recorded before the lean sequence: the deal fetch is an activity task there, a local activity on the lean one.
      history: 'v7-vendor-outage-resume.json',
      name: 'lean',
    },
    {
      what: 'a history of the first lean sequence',
      gate: 'patched(LEAN_ONBOARDING_2_PATCH)',
      // Recorded on the first lean sequence: the closing annotation is an activity task there, a local activity now.
      history: 'v10l-happy-path.json',
      name: 'lean2',
    },
    {
      what: 'a history of the second lean sequence',
      gate: 'patched(LEAN_ONBOARDING_3_PATCH)',
      // Recorded on the second lean sequence: kpi-ledger, kpi-ledger-sharded, kpi-delivery-confirmed and
      // mapping-per-run each recorded their own marker there; the third lean marker implies them.
      history: 'v10m-happy-path.json',
      name: 'lean3',
    },
  ])(
    'refuses $what once the gate $gate is removed',
    async ({ gate, history: file, name }) => {
      const original = readFileSync(join(ROOT, 'workflows', 'onboarding.ts'), 'utf8');
      if (!original.includes(gate))
        throw new Error(`workflows/onboarding.ts no longer calls ${gate}: update this mutation`);
      const history = loadHistory(file);
      const [unchanged, withoutGate] = await Promise.all([
        bundleScratchCopy('workflows/onboarding.ts', (s) => s),
        bundleScratchCopy('workflows/onboarding.ts', (s) => s.replace(gate, 'true')),
      ]);
      await expect(
        Worker.runReplayHistory({ workflowBundle: unchanged }, history, `scratch-${name}-unchanged`),
      ).resolves.toBeUndefined();
      await expect(
        Worker.runReplayHistory({ workflowBundle: withoutGate }, history, `scratch-${name}-ungated`),
      ).rejects.toThrow(/nondeterminism/i);
    },
    120_000,
  );

  it('refuses an ops-watch history written before the bounded-history patch once the patch gate is removed', async () => {
    const original = readFileSync(join(ROOT, 'ops', 'workflows', 'ops-watch.ts'), 'utf8');
    expect(ungated(original)).not.toBe(original);
    // Recorded at 862ccee: 60 KPI signals pass the run's limit of 40 in the middle of a tick's wait.
    const history = loadHistory('v1-ops-watch-burst.json');

    const [unchanged, withoutGate] = await Promise.all([
      bundleScratchCopy('ops/workflows/ops-watch.ts', (s) => s),
      bundleScratchCopy('ops/workflows/ops-watch.ts', ungated),
    ]);
    await expect(
      Worker.runReplayHistory({ workflowBundle: unchanged }, history, 'scratch-ops-watch-unchanged'),
    ).resolves.toBeUndefined();
    const refused = Worker.runReplayHistory({ workflowBundle: withoutGate }, history, 'scratch-ops-watch-ungated');
    // The ungated run cancels its tick timer to hand over early; the history says the timer fired (core reports
    // that as a fatal ReplayError rather than a DeterminismViolationError).
    await expect(refused).rejects.toThrow(/CancelTimerCommandSent[\s\S]*TimerFired/);
  }, 120_000);
});

/** ops-watch as if its bounded-history behaviour had shipped without `patched()`: every run takes the new branch. */
function ungated(source: string): string {
  const gate = 'patched(BOUNDED_HISTORY_PATCH)';
  if (!source.includes(gate))
    throw new Error(`ops/workflows/ops-watch.ts no longer calls ${gate}: update this mutation`);
  return source.replace(gate, 'true');
}
