/**
 * What a delivery claims is re-checked after the deal is fetched (issue 21 item 2): a run started by a delivery
 * (it carries the delivery's company id) onboards the deal only when it is in Contract Signed, open or won, and the
 * delivery's company is the API token's. Otherwise the run ends (CANCELLED, the reason in `ignoredReason` and the
 * audit trail) before writing anything to Pipedrive or NetSuite: no review. Real clients against the simulators.
 */
import { OnboardingStarter } from '../../starters/start-onboarding';
import type { TransactionState } from '../../domain/transaction';
import { simCall } from '../integrations/pipedrive/sim-admin';
import { connectTestTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import {
  createSyntheticDeal,
  netsuiteRecordCounts,
  startRealVendors,
  uniqueExternalId,
  withRealWorkers,
  type RealVendors,
} from './fixtures/real-vendors';

describe('onboardDeal re-checks the delivery against the fetched deal', () => {
  let t: TestTemporal;
  let v: RealVendors;
  let companyId: string;

  beforeAll(async () => {
    t = await connectTestTemporal();
    v = await startRealVendors();
    companyId = String(
      (
        await simCall<{ company_id: number }>(
          v.pipedriveSim.url,
          'GET',
          `/v1/users/me?api_token=${v.pipedriveSim.stackEntry.apiToken}`,
        )
      ).company_id,
    );
  });
  afterAll(async () => {
    await v?.close();
    await t?.close();
  });

  async function run(
    setup: (dealId: string) => Promise<void>,
    claimedCompany?: string,
  ): Promise<{ result: TransactionState; externalId: string; dealId: string }> {
    const taskQueue = uniqueTaskQueue('deal-claim');
    return withRealWorkers(
      v,
      { connection: t.nativeConnection, namespace: t.namespace, taskQueue, workflowBundle: t.workflowBundle },
      async () => {
        const deal = await createSyntheticDeal(v);
        await setup(deal.dealId);
        const externalId = uniqueExternalId('claim');
        await new OnboardingStarter(t.connection, t.namespace).startOnboarding(
          {
            externalId,
            pipedriveDealId: deal.dealId,
            eventId: 'evt-claim',
            companyId: claimedCompany ?? companyId,
            receivedAt: new Date().toISOString(),
          },
          { taskQueue },
        );
        const result = (await t.client.workflow.getHandle(externalId).result()) as TransactionState;
        return { result, externalId, dealId: deal.dealId };
      },
    );
  }
  const sign = (dealId: string) =>
    simCall(v.pipedriveSim.url, 'POST', `/__sim/deals/${dealId}/move`, { stage_name: 'Contract Signed' });

  async function expectIgnored(
    r: { result: TransactionState; externalId: string; dealId: string },
    why: RegExp,
  ): Promise<void> {
    expect(r.result.state).toBe('CANCELLED');
    expect(r.result.ignoredReason).toMatch(why);
    expect(r.result.auditTrail).toContainEqual(
      expect.objectContaining({ step: 'check-deal-claim', outcome: 'info', detail: expect.stringMatching(why) }),
    );
    expect(r.result.auditTrail.map((e) => e.step)).not.toContain('write-back-external-id');
    expect(r.result.reviewReasons).toEqual([]);
    expect((await netsuiteRecordCounts(v, r.externalId)).customers).toBe(0);
  }

  it('a deal that is not in Contract Signed is not onboarded', async () => {
    await expectIgnored(await run(async () => undefined), /not in Contract Signed/);
  }, 60_000);

  it('a signed deal that is lost is not onboarded', async () => {
    await expectIgnored(
      await run(async (id) => {
        await sign(id);
        await simCall(v.pipedriveSim.url, 'PATCH', `/__sim/deals/${id}`, { status: 'lost' });
      }),
      /is lost, not open or won/,
    );
  }, 60_000);

  it("a delivery naming another company than the token's is not onboarded", async () => {
    await expectIgnored(await run(sign, '424242'), /company 424242/);
  }, 60_000);

  it('a signed, open deal of the right company is onboarded', async () => {
    const r = await run(sign);
    expect(r.result.state).toBe('COMPLETED');
    expect(r.result.ignoredReason).toBeUndefined();
    expect(r.result.auditTrail).toContainEqual(expect.objectContaining({ step: 'check-deal-claim', outcome: 'ok' }));
  }, 60_000);
});
