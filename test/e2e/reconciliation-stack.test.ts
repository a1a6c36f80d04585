/**
 * Reconciliation on the stack as `npm start` runs it: the worker puts the `reconciliation-daily` schedule in place;
 * `npm run cli -- reconcile --start-missing` finds a signed deal no webhook ever onboarded (it was created straight
 * into "Onboarded"), starts its onboarding, which creates the customer; the next reconciliation is clean. Then issue
 * #6's "done when": four more onboarded deals, 0% on a clean run, and the exact rate after damage seeded through
 * NetSuite's REST API; every run's summary is posted to the Slack simulator.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { WebClient } from '@slack/web-api';
import { NetSuiteHttp } from '../../integrations/netsuite/netsuite-http';
import { createSyntheticDeal } from '../integrations/pipedrive/sim-admin';
import { RECONCILIATION_SCHEDULE_ID } from '../../starters/schedules';
import type { ReconciliationSummary } from '../../reconciliation/workflows/reconcile';
import { stateQuery } from '../../workflows/messages';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

describe('reconciliation on the running stack', () => {
  let stack: StackProcess;
  let json: StackJson;
  let env: NodeJS.ProcessEnv;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    env = await stackEnv(mkdtempSync(join(tmpdir(), 'reconcile-e2e-')));
    stack = startStack(env);
    json = await stack.ready();
    connection = await Connection.connect({ address: json.temporal.address });
    client = new Client({ connection, namespace: json.temporal.namespace });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.interrupt();
  });

  const reconcile = async (...args: string[]): Promise<ReconciliationSummary & { workflowId: string }> => {
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'reconcile', '--json', ...args], {
      cwd: ROOT,
      env: { ...env, TEMPORAL_ADDRESS: json.temporal.address, TEMPORAL_NAMESPACE: json.temporal.namespace },
    });
    return JSON.parse(stdout) as ReconciliationSummary & { workflowId: string };
  };

  /** The onboardings a run started, as its stored report lists them (the result only counts them). */
  const startedIn = (s: ReconciliationSummary): Array<{ dealId: string; externalId: string; outcome: string }> =>
    (
      JSON.parse(readFileSync(s.report.jsonPath, 'utf8')) as {
        startedOnboardings: Array<{ dealId: string; externalId: string; outcome: string }>;
      }
    ).startedOnboardings;

  it('has the daily schedule, starts the missing onboarding, and is clean once the customer exists', async () => {
    const described = await client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
    expect(described.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] }),
    ]);
    expect(described.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000 });
    expect(described.action).toMatchObject({ workflowType: 'reconcile', taskQueue: 'onboarding' });

    await createSyntheticDeal(json.pipedrive!.url, { country: 'NL', stage_name: 'Onboarded' });
    const first = await reconcile('--start-missing');
    expect(first.counts).toMatchObject({ signedDeals: 1, missingCustomers: 1 });
    expect(first.onboardings).toEqual({ started: 1, alreadyKnown: 0 });
    expect(startedIn(first)).toEqual([expect.objectContaining({ outcome: 'started' })]);
    expect(first.report.jsonPath.startsWith(join(resolve(ROOT, env.DATA_DIR!), 'reports'))).toBe(true);
    expect(existsSync(first.report.textPath)).toBe(true);

    // The synthetic deal's first invoice is dated weeks ahead (a durable timer): the customer is what counts here.
    const started = startedIn(first)[0]!;
    const handle = client.workflow.getHandle(started.externalId);
    let customerId: string | undefined;
    for (let i = 0; i < 120 && !customerId; i++) {
      customerId = (await handle.query(stateQuery)).netsuiteCustomerId;
      if (!customerId) await new Promise((r) => setTimeout(r, 500));
    }
    expect(customerId).toMatch(/^\d+$/);

    const second = await reconcile();
    expect(second.counts).toMatchObject({ signedDeals: 1, customers: 1, compared: 1, withProblems: 0 });
    expect(second.alert).toBe(false);
    await handle.terminate('test done');
  });

  it('0% on a clean run, 3 of 5 after seeded damage (email changed, customer deleted, second customer with one e-mail); each report in Slack', async () => {
    const ns = json.netsuite!;
    const http = new NetSuiteHttp({
      baseUrl: ns.url,
      accountId: ns.accountId,
      consumerKey: ns.consumerKey,
      consumerSecret: ns.consumerSecret,
      tokenId: ns.tokenId,
      tokenSecret: ns.tokenSecret,
      concurrencyLimit: 2,
    });
    const slack = new WebClient(json.slack!.botToken, { slackApiUrl: json.slack!.url });
    const history = async () =>
      (await slack.conversations.history({ channel: json.slack!.reviewChannel, limit: 200 })).messages ?? [];
    const reportsInSlack = async () => (await history()).filter((m) => m.text?.startsWith('Reconciliation '));

    for (const country of ['GB', 'DE', 'US', 'NL'])
      await createSyntheticDeal(json.pipedrive!.url, { country, stage_name: 'Onboarded' });
    const started = await reconcile('--start-missing');
    expect(started.onboardings).toEqual({ started: 4, alreadyKnown: 0 });
    const ids = startedIn(started).map((o) => o.externalId);
    const customers: string[] = [];
    for (const id of ids) {
      let customerId: string | undefined;
      for (let i = 0; i < 240 && !customerId; i++) {
        customerId = (await client.workflow.getHandle(id).query(stateQuery)).netsuiteCustomerId;
        if (!customerId) await new Promise((r) => setTimeout(r, 500));
      }
      expect(customerId).toMatch(/^\d+$/);
      customers.push(customerId!);
    }

    const clean = await reconcile();
    expect(clean.counts).toMatchObject({ signedDeals: 5, customers: 5, compared: 5, withProblems: 0 });
    expect(clean.mismatchRate).toBe(0);
    expect(clean.alert).toBe(false);
    expect(clean.slack).toMatchObject({ posted: true, channel: json.slack!.reviewChannel });

    // Damage as an admin would do it in NetSuite, through its REST API.
    const [changed, deleted, copied] = customers as [string, string, string];
    await http.request('PATCH', `record/v1/customer/${changed}`, { body: { email: 'someone.else@changed.example' } });
    await http.request('DELETE', `record/v1/customer/${deleted}`);
    const copiedEmail = ((await http.request('GET', `record/v1/customer/${copied}`)).body as { email: string }).email;
    await http.request('PUT', `record/v1/customer/eid:LEGACY-CONNECTOR-${Date.now()}`, {
      body: {
        companyName: 'Created by the old connector',
        isPerson: false,
        email: copiedEmail,
        subsidiary: { id: '1' },
      },
    });

    const damaged = await reconcile();
    expect(damaged.counts).toMatchObject({
      signedDeals: 5,
      customers: 4,
      foreignCustomers: 1,
      compared: 5,
      withProblems: 3,
      missingCustomers: 1,
      fieldMismatches: 1,
      duplicates: 1,
    });
    expect(damaged.mismatchRate).toBe(3 / 5);
    expect(damaged.alert).toBe(true);

    const posted = await reportsInSlack();
    const cleanPost = posted.find((m) => m.ts === (clean.slack as { ts: string }).ts);
    const damagedPost = posted.find((m) => m.ts === (damaged.slack as { ts: string }).ts);
    expect(cleanPost?.text).toContain('mismatch rate 0.00% (threshold 2.00%)');
    expect(damagedPost?.text).toContain('mismatch rate 60.00% (threshold 2.00%) ALERT');
    const blocksText = JSON.stringify(damagedPost?.blocks);
    expect(blocksText).toContain('*Deals without a customer*\\n1');
    expect(blocksText).toContain(`Signed deal ${startedIn(started)[1]!.dealId}`);
    expect(blocksText).toContain(damaged.report.textPath);
    await Promise.all(
      ids.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('test done')
          .catch(() => undefined),
      ),
    );
  });
});
