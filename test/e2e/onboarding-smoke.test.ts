/**
 * The guide's smoke test, on the stack exactly as `npm start` runs it: synthetic deals driven through the Pipedrive
 * simulator reach COMPLETED, each with exactly one NetSuite customer carrying the expected fields and one first
 * invoice; a second "Contract Signed" for a finished deal creates nothing; our own write-backs are dropped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { invoiceExternalId } from '../../domain/invoice-plan';
import { NetSuiteClient, sqlString } from '../../integrations/netsuite';
import { runDemo } from '../../scripts/demo';
import { stateQuery } from '../../workflows/messages';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);

describe('onboarding end to end (npm start, sandbox simulators)', () => {
  let stack: StackProcess;
  let json: StackJson;
  beforeAll(async () => {
    stack = startStack(await stackEnv(mkdtempSync(join(tmpdir(), 'smoke-e2e-'))));
    json = await stack.ready();
  });
  afterAll(async () => {
    await stack?.interrupt();
  });

  it('onboards signed deals once each, and ignores a second signature and our own write-backs', async () => {
    const result = await runDemo({ stack: json, deals: 3, concurrency: 3, timeoutMs: 120_000, log: () => undefined });
    expect(result).toMatchObject({ deals: 3, completed: 3, inReview: 0, unfinished: 0 });
    // The guide's SLA: a customer within 5 minutes of the webhook.
    expect(result.toCustomer.max).toBeLessThan(5 * 60_000);

    const ns = json.netsuite!;
    const netsuite = new NetSuiteClient({ ...ns, baseUrl: ns.url, concurrencyLimit: 2 });
    const connection = await Connection.connect({ address: json.temporal.address });
    const client = new Client({ connection, namespace: json.temporal.namespace });
    const completed = [];
    for await (const wf of client.workflow.list({ query: `OnboardingState = 'COMPLETED'` }))
      completed.push(wf.workflowId);
    expect(completed).toHaveLength(3);

    const pd = json.pipedrive!;
    const pipedrive = axios.create({ baseURL: pd.url, headers: { 'x-api-token': pd.apiToken } });
    for (const externalId of completed) {
      const state = await client.workflow.getHandle(externalId).query(stateQuery);
      const customers = await netsuite.suiteqlAll<{
        id: string;
        companyname: string;
        email: string;
        subsidiary: string;
      }>(`SELECT id, companyname, email, subsidiary FROM customer WHERE externalid = ${sqlString(externalId)}`);
      expect(customers).toHaveLength(1);
      expect(customers[0]!.id).toBe(state.netsuiteCustomerId);

      const deal = (await pipedrive.get(`/api/v2/deals/${state.pipedriveDealId}`)).data.data;
      const org = (await pipedrive.get(`/api/v2/organizations/${deal.org_id}`)).data.data;
      const person = (await pipedrive.get(`/api/v2/persons/${deal.person_id}`)).data.data;
      expect(customers[0]!.companyname).toBe(org.name);
      expect(customers[0]!.email).toBe(person.emails.find((e: { primary: boolean }) => e.primary).value);

      const invoices = await netsuite.suiteqlAll<{ id: string; entity: string }>(
        `SELECT id, entity FROM transaction WHERE type = 'CustInvc' AND externalid = ${sqlString(invoiceExternalId(externalId))}`,
      );
      expect(invoices).toEqual([expect.objectContaining({ id: state.invoiceId, entity: state.netsuiteCustomerId })]);
    }

    // Signed again after completion (dragged back and forth): REJECT_DUPLICATE makes it a no-op.
    const first = await client.workflow.getHandle(completed[0]!).query(stateQuery);
    await axios.post(`${pd.url}/__sim/deals/${first.pipedriveDealId}/move`, { stage_name: 'Negotiation' });
    await axios.post(`${pd.url}/__sim/deals/${first.pipedriveDealId}/move`, { stage_name: 'Contract Signed' });
    let metrics = '';
    // Every delivery goes through the intake outbox; its drainer's final outcomes count each delivery once, whether
    // the HTTP answer carried the outcome or said "queued".
    const drained = (outcome: string): RegExp =>
      new RegExp(`onboarding_intake_outbox_drained_total\\{outcome="${outcome}",final="true"\\} `);
    for (let i = 0; i < 50 && !/outbox_drained_total\{outcome="duplicate",final="true"\} [1-9]/.test(metrics); i++) {
      await new Promise((r) => setTimeout(r, 200));
      metrics = (await axios.get<string>(`${json.ops.url}/metrics`, { responseType: 'text' })).data;
    }
    expect(metrics).toMatch(new RegExp(`${drained('duplicate').source}1\\b`));
    // Three starts, and nothing else started: the drag out of Contract Signed is a pipeline move, not an edit.
    expect(metrics).toMatch(new RegExp(`${drained('accepted').source}3\\b`));
    // Every write-back (external_id, status flags) came back as a webhook and was dropped, not started.
    expect(metrics).toMatch(new RegExp(`${drained('loop_dropped').source}[1-9]`));
    // Business KPIs come from the workflows, through the worker's metrics, on the same scrape.
    expect(metrics).toMatch(/^onboarding_transactions\{[^}]*outcome="completed"[^}]*\} 3$/m);
    expect(metrics).toMatch(/^onboarding_invoices\{[^}]*result="created"[^}]*\} 3$/m);
    expect(metrics).toMatch(/^onboarding_signed_to_customer_ms_count\{[^}]*\} 3$/m);
    const all = await netsuite.suiteqlAll<{ n: string }>(
      `SELECT COUNT(*) AS n FROM customer WHERE externalid = ${sqlString(first.externalId)}`,
    );
    expect(all[0]!.n).toBe('1');
    const runs = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${first.externalId}'` })) runs.push(wf.runId);
    expect(runs).toHaveLength(1);
    await connection.close();
  });

  it('puts a deal without a tax id in front of a reviewer in Slack, and "Fix fields…" completes it', async () => {
    const pd = json.pipedrive!.url;
    const slackSim = json.slack!.url.replace(/\/api\/$/, '');
    const sim = async <T>(path: string, body?: unknown): Promise<T> =>
      (await (body === undefined ? axios.get<T>(`${slackSim}${path}`) : axios.post<T>(`${slackSim}${path}`, body)))
        .data;
    const poll = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const found = await probe();
        if (found !== undefined) return found;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    const created = await axios.post(`${pd}/__sim/deals`, {
      country: 'DE',
      omit: ['tax_id'],
      invoice_date: new Date().toISOString().slice(0, 10),
    });
    const dealId = String(created.data.data.deal.id);
    await axios.post(`${pd}/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });

    type Msg = {
      channel: string;
      ts: string;
      thread_ts?: string;
      blocks?: Array<{ type: string; elements?: Array<{ action_id: string }> }>;
    };
    const card = await poll('review card', async () => {
      const { messages } = await sim<{ messages: Msg[] }>(`/__sim/messages?channel=${json.slack!.reviewChannel}`);
      return messages.find((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes('organization.taxId'));
    });
    const buttons = (card.blocks ?? [])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .map((e) => e.action_id);
    expect(buttons).toEqual(expect.arrayContaining(['review_retry', 'review_fix', 'review_cancel']));

    const reviewer = json.slack!.reviewerIds[0]!;
    expect(
      (
        await sim<{ status: number }>('/__sim/click', {
          channel: card.channel,
          message_ts: card.ts,
          action_id: 'review_fix',
          user_id: reviewer,
        })
      ).status,
    ).toBe(200);
    const modal = await poll('fix modal', async () =>
      (
        await sim<{ views: Array<{ id: string; status: string; view: { private_metadata?: string } }> }>('/__sim/views')
      ).views.find((v) => v.status === 'open'),
    );
    // The modal carries the card's external id and review id (integrations/slack/review-action-ids.ts).
    const externalId = (JSON.parse(modal.view.private_metadata!) as { externalId: string }).externalId;
    const submitted = await sim<{ status: number }>('/__sim/submit-view', {
      view_id: modal.id,
      user_id: reviewer,
      values: { 'organization.taxId': { value: { type: 'plain_text_input', value: 'DE123456789' } } },
    });
    expect(submitted.status).toBe(200);

    const connection = await Connection.connect({ address: json.temporal.address });
    const done = await new Client({ connection, namespace: json.temporal.namespace }).workflow
      .getHandle(externalId)
      .result();
    await connection.close();
    expect(done.state).toBe('COMPLETED');
    expect(done.pipedriveDealId).toBe(dealId);
    expect(done.auditTrail).toContainEqual(expect.objectContaining({ step: 'review', actor: reviewer, detail: 'fix' }));
  });
});
