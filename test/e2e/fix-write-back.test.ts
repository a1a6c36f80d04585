/**
 * A reviewer's fix on the stack as `npm start` runs it, with Slack in Socket Mode (SLACK_SOCKET_MODE=true in sandbox
 * mode: the simulator serves Socket Mode and the app connects to it; a Retry click travels over the socket). The review card names the deal owner (their Pipedrive e-mail
 * is a Slack reviewer's), `cli queue` shows that owner; a fix with a NetSuite-owned field (tax id) and Pipedrive-owned
 * ones (deal title, person e-mail) completes the onboarding, writes the Pipedrive-owned values back to Pipedrive and
 * never the tax id, and every webhook those writes cause is dropped by the intake as our own write-back (no loop).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { PipedriveClient } from '../../integrations/pipedrive';
import type { TransactionState } from '../../domain/transaction';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { freePort } from '../../scripts/process-utils';
import { runOpsCli } from '../helpers/ops-cli-process';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);

/** Pipedrive sandbox user "Bea Billing" (sandbox/pipedrive/seed.ts); Slack sandbox U0REVIEWER2 has her e-mail. */
const BEA_PIPEDRIVE_USER_ID = 4;

const poll = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

const intakeCount = (metrics: string, outcome: string): number =>
  Number(new RegExp(`onboarding_webhook_intake_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
/**
 * How many deliveries ended with this outcome. Every delivery the intake decides passes its outbox, whose drainer
 * counts each final decision once (also for a 202 `queued` answer decided later); without that counter, the
 * intake's own per-answer counter.
 */
const decided = (metrics: string, outcome: string): number => {
  const drained = [...metrics.matchAll(/^onboarding_intake_outbox_drained_total\{([^}]*)\} (\d+)$/gm)];
  if (drained.length === 0) return intakeCount(metrics, outcome);
  return drained
    .filter((m) => m[1]!.includes(`outcome="${outcome}"`) && m[1]!.includes('final="true"'))
    .reduce((sum, m) => sum + Number(m[2]), 0);
};

describe('fix write-back to Pipedrive and the named owner (npm start, sandbox simulators)', () => {
  let stack: StackProcess;
  let json: StackJson;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    // Every simulator on a free port, including ones stackEnv may not know yet (other sessions run stacks too).
    const env = await stackEnv(mkdtempSync(join(tmpdir(), 'fix-write-back-e2e-')));
    env.PAGERDUTY_SIM_PORT ??= String(await freePort());
    env.SLACK_SOCKET_MODE = 'true';
    stack = startStack(env);
    json = await stack.ready();
    connection = await Connection.connect({ address: json.temporal.address });
    client = new Client({ connection, namespace: json.temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.interrupt();
  });

  it('names the deal owner, writes Pipedrive-owned fixes back (not the tax id), and drops their webhooks as our own', async () => {
    const pd = json.pipedrive!;
    const slack = json.slack!.url.replace(/\/api\/?$/, '');
    const metrics = async () => (await axios.get<string>(`${json.ops.url}/metrics`, { responseType: 'text' })).data;

    // A German deal owned by Bea, without a tax id, signed.
    const created = await axios.post(`${pd.url}/__sim/deals`, {
      country: 'DE',
      omit: ['tax_id'],
      invoice_date: new Date().toISOString().slice(0, 10),
      user_id: BEA_PIPEDRIVE_USER_ID,
    });
    const dealId = String(created.data.data.deal.id);
    await axios.post(`${pd.url}/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });

    const card = await poll('review card', async () => {
      const { messages } = (
        await axios.get<{ messages: Array<{ ts: string; thread_ts?: string; blocks?: unknown[] }> }>(
          `${slack}/__sim/messages?channel=C0REVIEW`,
        )
      ).data;
      return messages.find((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(`/deal/${dealId}`));
    });
    expect(JSON.stringify(card.blocks)).toContain('*Owner:* <@U0REVIEWER2> (deal owner)');
    const externalId = (JSON.stringify(card.blocks).match(/external id `([A-Za-z0-9_-]+)`/) ?? [])[1]!;
    const handle = client.workflow.getHandle(externalId);
    const inReview = await poll('owner in state', async () => {
      const s = await handle.query(stateQuery);
      return s.state === 'NEEDS_REVIEW' && s.reviewOwner ? s : undefined;
    });
    expect(inReview.reviewOwner).toEqual({ kind: 'user', id: 'U0REVIEWER2', via: 'deal-owner' });

    // The operator's queue: owner column in text, owner object in --json.
    const queueJson = await runOpsCli(json.temporal, 'queue', '--json');
    expect(queueJson.code).toBe(0);
    const items = JSON.parse(queueJson.stdout) as Array<{
      externalId: string;
      owner?: unknown;
      reviewReason?: string;
      ageMinutes: number;
    }>;
    expect(items.find((i) => i.externalId === externalId)).toMatchObject({
      owner: { kind: 'user', id: 'U0REVIEWER2', via: 'deal-owner' },
      reviewReason: expect.any(String),
    });
    const queueText = await runOpsCli(json.temporal, 'queue');
    expect(queueText.stdout).toMatch(/EXTERNAL ID\s+DEAL\s+AGE\s+REASON\s+OWNER/);
    expect(queueText.stdout.split('\n').find((l) => l.startsWith(externalId))).toContain('U0REVIEWER2 (deal-owner)');

    // Socket Mode on npm start: the HTTP endpoint says so, and a reviewer's Retry reaches the workflow over the socket.
    const http = await fetch(`${json.app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'payload={}',
    });
    expect(http.status).toBe(404);
    expect(await http.json()).toMatchObject({ error: 'socket_mode' });
    await poll('socket connection', async () =>
      (await axios.get<{ socketConnections: number }>(`${slack}/__sim/config`)).data.socketConnections > 0
        ? true
        : undefined,
    );
    const clicked = await axios.post<{ status: number }>(`${slack}/__sim/click`, {
      channel: 'C0REVIEW',
      message_ts: card.ts,
      action_id: 'review_retry',
      user_id: 'U0REVIEWER1',
    });
    expect(clicked.data.status).toBe(200);
    await poll('retry over the socket', async () => {
      const s = await handle.query(stateQuery);
      return s.state === 'NEEDS_REVIEW' &&
        s.reviewOwner &&
        s.auditTrail.some((e) => e.step === 'review' && e.actor === 'U0REVIEWER1' && e.detail === 'retry')
        ? s
        : undefined;
    });

    const before = await metrics();
    const fixedAt = new Date().toISOString();
    await handle.signal(reviewSignal, {
      action: 'fix',
      actor: 'U0REVIEWER2',
      fields: {
        'organization.taxId': 'DE123456789',
        'deal.title': 'Renamed by the reviewer',
        'person.email': 'billing@renamed-gmbh.example',
      },
    });
    const done: TransactionState = await handle.result();
    expect(done.state).toBe('COMPLETED');
    expect(done.reviewOwner).toBeUndefined();
    expect(done.auditTrail).toContainEqual(expect.objectContaining({ step: 'write-back-fixes', outcome: 'ok' }));

    // Pipedrive now holds the reviewer's Pipedrive-owned values; the NetSuite-owned tax id was not written there.
    const pipedrive = new PipedriveClient({ apiUrl: pd.url, apiToken: pd.apiToken });
    const deal = await pipedrive.fetchResolvedDeal(dealId);
    expect(deal.deal.title).toBe('Renamed by the reviewer');
    expect(deal.person!.emails.find((e) => e.primary)?.value).toBe('billing@renamed-gmbh.example');
    expect(deal.organization!.taxId).toBeUndefined();
    // …while NetSuite got the tax id through the onboarding (the customer exists, and the run used the fix).
    expect(done.netsuiteCustomerId).toBeDefined();

    // Every deal webhook since the fix is the integration's own write (title, status flags) and was loop-dropped.
    type Delivery = {
      at: string;
      attempt: number;
      http_status: number | null;
      error: string | null;
      banned_webhook: boolean;
      body: { previous: Record<string, unknown> | null; meta: Record<string, unknown> };
    };
    const sinceFix = async () =>
      (
        await axios.get<{ data: Delivery[] }>(`${pd.url}/__sim/deliveries?entity=deal&entity_id=${dealId}`)
      ).data.data.filter((d) => d.at >= fixedAt.replace(/\.\d{3}Z$/, 'Z'));
    // Pipedrive retries a delivery the app did not answer in 10 s at 3/30/150 s: under load the 2xx may be a retry.
    const deliveries = await poll(
      'write-back webhooks delivered',
      async () => {
        const since = await sinceFix();
        return since.some(
          (d) =>
            d.body.previous &&
            'title' in d.body.previous &&
            d.http_status !== null &&
            d.http_status >= 200 &&
            d.http_status < 300,
        )
          ? since
          : undefined;
      },
      240_000,
    ).catch(async (err: Error) => {
      const seen = (await sinceFix()).map((d) => ({
        at: d.at,
        attempt: d.attempt,
        status: d.http_status,
        error: d.error,
        banned: d.banned_webhook,
        previous: Object.keys(d.body.previous ?? {}),
      }));
      throw new Error(`${err.message}; deliveries since the fix: ${JSON.stringify(seen)}`);
    });
    expect(deliveries.every((d) => d.body.meta.change_source === 'api')).toBe(true);
    const answered = deliveries.filter(
      (d) => d.http_status !== null && d.http_status >= 200 && d.http_status < 300,
    ).length;
    const after = await poll(
      'every delivery decided as loop-dropped',
      async () => {
        const m = await metrics();
        return decided(m, 'loop_dropped') - decided(before, 'loop_dropped') >= answered ? m : undefined;
      },
      60_000,
    );
    for (const outcome of ['accepted', 'duplicate', 'signalled'])
      expect(decided(after, outcome)).toBe(decided(before, outcome));
    expect((await handle.query(stateQuery)).auditTrail.filter((e) => e.step === 'deal-updated')).toEqual([]);
  });
});
