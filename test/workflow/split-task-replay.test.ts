/**
 * A workflow task can end between a local activity's result and the code after it (the worker heartbeats a task
 * whose local activities run long, or a task times out under load and the next attempt records the result). The
 * history then has the local activity's marker at the end of one task and the commands that followed it in the
 * next. Replay must accept that shape: an onboarding that meets it after its cache was dropped would otherwise be
 * stuck in a non-determinism error for good (seen under load in bounded-state.test.ts, docs/architecture.md#versioning).
 *
 * Every history of the newest onboarding sequence (v10o, lean-onboarding-4) is split after each of its local
 * activities (test/workflow/fixtures/split-history.ts) and replayed. The last test shows what the check catches: a
 * history of the third lean sequence (v10n), where review-nonce is asked right after the duplicate probe's local
 * activity, is refused once split there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromProtoJson } from './fixtures/history-json';
import { splitPoints, splitTaskAfter } from './fixtures/split-history';
import { connectTestTemporal, type TestTemporal } from '../helpers/temporal';

const HISTORIES_DIR = join(__dirname, 'fixtures', 'histories');
const NEWEST = 'v10o-';

type Json = Parameters<typeof splitPoints>[0];
const loadJson = (file: string): Json => JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as Json;

describe('replay of histories whose task ends right after a local activity', () => {
  let t: TestTemporal;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t.close());

  it('replays every newest-sequence history split after each of its local activities', async () => {
    const files = readdirSync(HISTORIES_DIR)
      .filter((f) => f.startsWith(NEWEST) && f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const cases = files.flatMap((file) => {
      const json = loadJson(file);
      return splitPoints(json).map((at) => ({
        workflowId: `${file}@${json.events[at]!.eventId}`,
        history: historyFromProtoJson(splitTaskAfter(json, at)),
      }));
    });
    // Review, vendor-wait and pause paths included: well over one split per history.
    expect(cases.length).toBeGreaterThan(files.length * 3);
    const outcomes: Array<{ split: string; error?: string }> = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: t.workflowBundle }, cases)) {
      outcomes.push({ split: r.workflowId, ...(r.error ? { error: String(r.error.message).slice(0, 300) } : {}) });
    }
    expect(outcomes).toEqual(cases.map((c) => ({ split: c.workflowId })));
  }, 180_000);

  it('refuses a third-lean-sequence history split between its duplicate probe and the review-nonce patch', async () => {
    const json = loadJson('v10n-possible-duplicate-link.json');
    const patchAfterLocalActivity = splitPoints(json).filter((at) => {
      const next = json.events[at + 1] as { markerRecordedEventAttributes?: { markerName?: string } };
      return next.markerRecordedEventAttributes?.markerName === 'core_patch';
    });
    expect(patchAfterLocalActivity).toHaveLength(1);
    await expect(
      Worker.runReplayHistory({ workflowBundle: t.workflowBundle }, historyFromProtoJson(json), 'v10n-whole'),
    ).resolves.toBeUndefined();
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: t.workflowBundle },
        historyFromProtoJson(splitTaskAfter(json, patchAfterLocalActivity[0]!)),
        'v10n-split',
      ),
    ).rejects.toThrow(/Non-deprecated patch marker encountered for change review-nonce/);
  }, 120_000);
});
