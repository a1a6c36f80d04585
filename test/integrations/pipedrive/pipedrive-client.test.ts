/** The product's Pipedrive client against the real Pipedrive simulator: reads by field name, idempotent writes, errors, webhooks. */
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { COUNTRY_PROFILES } from '../../../sandbox/pipedrive/country-profiles';
import { DEAL_FIELDS } from '../../../domain/pipedrive-fields';
import { PipedriveClient } from '../../../integrations/pipedrive';
import { VendorError } from '../../../integrations/vendor-error';
import { createSyntheticDeal, simCall } from './sim-admin';

describe('PipedriveClient against the simulator', () => {
  let sim: RunningPipedriveSimulator;
  let client: PipedriveClient;

  beforeAll(async () => {
    sim = await startPipedriveSimulator();
    client = new PipedriveClient({ apiUrl: sim.url, apiToken: sim.stackEntry.apiToken });
  });
  afterAll(async () => sim.close());

  it('knows its own user and finds stages and fields by name', async () => {
    expect(await client.getCurrentUserId()).toBe(String(sim.integrationUserId));
    expect(await client.findStageIdByName('Contract Signed')).toBe('4');
    expect(await client.findStageIdByName('No such stage')).toBeUndefined();
    const fields = await client.dealFieldKeys();
    expect(fields.get(DEAL_FIELDS.onboardingPackage)).toMatchObject({
      type: 'enum',
      key: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(fields.get(DEAL_FIELDS.onboardingPackage)?.options.map((o) => o.label)).toEqual([
      'STARTER',
      'GROWTH',
      'ENTERPRISE',
    ]);
    expect((await client.organizationFieldKeys()).has('Tax ID')).toBe(true);
  });

  it('resolves every named field of a synthetic deal, its person and its organization', async () => {
    const ids = await createSyntheticDeal(sim.url, { country: 'DE', package: 'GROWTH', invoice_date: '2027-01-15' });
    const resolved = await client.fetchResolvedDeal(ids.dealId);
    expect(resolved.deal).toMatchObject({
      id: String(ids.dealId),
      stageId: '3',
      currency: 'EUR',
      value: 24000,
      onboardingPackage: 'GROWTH',
      billingOwner: 'Bea Billing',
      csmUserId: '3',
      firstInvoiceDate: '2027-01-15',
      expectedTimeToValue: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      signedAt: expect.any(String),
    });
    expect(resolved.deal.externalId).toBeUndefined();
    const de = COUNTRY_PROFILES.DE;
    expect(resolved.person).toMatchObject({
      id: String(ids.personId),
      emails: [expect.objectContaining({ primary: true })],
      phones: [expect.objectContaining({ value: de.phone })],
    });
    expect(resolved.organization).toEqual({
      id: String(ids.orgId),
      name: expect.stringContaining('Initech Deutschland GmbH'),
      taxId: de.taxId,
      subsidiary: de.subsidiary,
      paymentTerms: de.paymentTerms,
      address: {
        formatted: expect.stringContaining(de.address.route),
        // German order: street name, then number.
        street: `${de.address.route} ${de.address.street_number}`,
        city: de.address.locality,
        region: de.address.admin_area_level_1,
        postalCode: de.address.postal_code,
        country: 'DE',
      },
    });
  });

  it('keeps every email of a person with several, with the primary flag and labels', async () => {
    const ids = await createSyntheticDeal(sim.url, {
      country: 'US',
      emails: ['first@globex.example', 'second@globex.example', 'third@globex.example'],
    });
    const resolved = await client.fetchResolvedDeal(ids.dealId);
    expect(resolved.person?.emails).toEqual([
      { value: 'first@globex.example', primary: true, label: 'work' },
      { value: 'second@globex.example', primary: false, label: 'other' },
      { value: 'third@globex.example', primary: false, label: 'other' },
    ]);
    expect(resolved.organization?.address?.street).toBe(
      `${COUNTRY_PROFILES.US.address.street_number} ${COUNTRY_PROFILES.US.address.route}`,
    );
    expect(resolved.organization?.address?.country).toBe('US');
  });

  it('a deal without organization fields or package still resolves (the validator decides what is missing)', async () => {
    const ids = await createSyntheticDeal(sim.url, { country: 'GB', omit: ['tax_id', 'address', 'package', 'csm'] });
    const resolved = await client.fetchResolvedDeal(ids.dealId);
    expect(resolved.deal.onboardingPackage).toBeUndefined();
    expect(resolved.deal.csmUserId).toBeUndefined();
    expect(resolved.organization?.taxId).toBeUndefined();
    expect(resolved.organization?.address).toBeUndefined();
  });

  it('setDealFields writes once by field name and skips an identical second call, and writes only what differs', async () => {
    const ids = await createSyntheticDeal(sim.url);
    const values = {
      [DEAL_FIELDS.externalId]: 'pd-test-123',
      [DEAL_FIELDS.needsRemediation]: 'Yes',
      [DEAL_FIELDS.onboardingStatus]: 'RECEIVED',
    };
    expect(await client.setDealFields(ids.dealId, values)).toEqual({
      written: true,
      changed: [DEAL_FIELDS.externalId, DEAL_FIELDS.needsRemediation, DEAL_FIELDS.onboardingStatus],
    });
    expect(await client.setDealFields(ids.dealId, values)).toEqual({ written: false, changed: [] });
    const resolved = await client.fetchResolvedDeal(ids.dealId);
    expect(resolved.deal.externalId).toBe('pd-test-123');
    // Only the differing field is written; clearing with null works.
    expect(await client.setDealFields(ids.dealId, { ...values, [DEAL_FIELDS.needsRemediation]: null })).toEqual({
      written: true,
      changed: [DEAL_FIELDS.needsRemediation],
    });
  });

  it('setDealFields refuses an unknown field name or enum label as validation', async () => {
    const ids = await createSyntheticDeal(sim.url);
    await expect(client.setDealFields(ids.dealId, { [DEAL_FIELDS.needsRemediation]: 'Maybe' })).rejects.toMatchObject({
      kind: 'validation',
    });
    await expect(client.setDealFields(ids.dealId, { ['Nope' as never]: 'x' })).rejects.toMatchObject({
      kind: 'validation',
    });
  });

  it('adds a note to a deal', async () => {
    const ids = await createSyntheticDeal(sim.url);
    const noteId = await client.addDealNote(ids.dealId, '<b>Onboarded</b>');
    const notes = await simCall<Array<{ id: number; content: string }>>(
      sim.url,
      'GET',
      `/v1/notes?deal_id=${ids.dealId}&api_token=${sim.stackEntry.apiToken}`,
    );
    expect(notes.map((n) => [String(n.id), n.content])).toEqual([[noteId, '<b>Onboarded</b>']]);
  });

  it('maps failures to VendorError kinds: 404 not_found, 400 validation, wrong token auth, closed port transient', async () => {
    await expect(client.fetchResolvedDeal(999_999)).rejects.toMatchObject({
      vendor: 'pipedrive',
      kind: 'not_found',
      extra: { status: 404 },
    });
    await expect(client.addDealNote(1, '')).rejects.toMatchObject({ kind: 'validation', extra: { status: 400 } });
    const wrong = new PipedriveClient({ apiUrl: sim.url, apiToken: 'not-the-token' });
    const err = await wrong.getCurrentUserId().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ kind: 'auth', extra: { status: 401 } });
    expect((err as Error).message).not.toContain('not-the-token');
    const closed = new PipedriveClient({ apiUrl: 'http://127.0.0.1:1', apiToken: 'x', timeoutMs: 1_000 });
    await expect(closed.getCurrentUserId()).rejects.toMatchObject({ kind: 'transient' });
  });

  it('hitting the burst limit is transient with retryAfterMs from x-ratelimit-reset', async () => {
    const limited = await startPipedriveSimulator({ burstLimit: { requests: 3, windowMs: 2_000 } });
    try {
      // Ungated, as a client that does not pace itself (or one sharing the token with others) meets the limit.
      const c = new PipedriveClient({ apiUrl: limited.url, apiToken: limited.stackEntry.apiToken, rateGate: false });
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => c.fetchResolvedDeal(1)));
      const rejected = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => r.reason as VendorError);
      expect(rejected.length).toBeGreaterThan(0);
      for (const e of rejected) {
        expect(e).toMatchObject({ kind: 'transient', extra: { status: 429 } });
        expect(e.extra.retryAfterMs).toBeGreaterThanOrEqual(1_000);
        expect(e.extra.retryAfterMs).toBeLessThanOrEqual(2_000);
      }
    } finally {
      await limited.close();
    }
  });

  it('paces itself by the reported burst limit: a burst three times the limit all succeeds, without a 429', async () => {
    const limited = await startPipedriveSimulator({ burstLimit: { requests: 10, windowMs: 2_000 } });
    try {
      const c = new PipedriveClient({ apiUrl: limited.url, apiToken: limited.stackEntry.apiToken });
      const t0 = Date.now();
      // 10 deals × 3 requests (deal, person, organization) against 10 per 2 s.
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => c.fetchResolvedDeal(1)));
      expect(
        results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      // 8 per window (80% of 10): 30 requests need at least three more windows after the first.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(6_000);
    } finally {
      await limited.close();
    }
  }, 30_000);

  it('ensureWebhook is idempotent and replaces a subscription to the same URL with other credentials', async () => {
    const url = 'http://127.0.0.1:9/webhooks/pipedrive';
    const list = async () =>
      (
        await simCall<
          Array<{
            id: number;
            subscription_url: string;
            http_auth_user: string;
            event_object: string;
            event_action: string;
            version: string;
          }>
        >(sim.url, 'GET', '/__sim/webhooks')
      ).filter((w) => w.subscription_url === url);
    const first = await client.ensureWebhook({
      subscriptionUrl: url,
      user: 'orchestrator',
      password: 'first-password-123',
    });
    const second = await client.ensureWebhook({
      subscriptionUrl: url,
      user: 'orchestrator',
      password: 'first-password-123',
    });
    expect(second).toBe(first);
    expect(await list()).toEqual([
      expect.objectContaining({ id: Number(first), event_object: 'deal', event_action: 'change', version: '2.0' }),
    ]);

    const rotated = await client.ensureWebhook({
      subscriptionUrl: url,
      user: 'orchestrator',
      password: 'rotated-password-456',
    });
    expect(rotated).not.toBe(first);
    expect((await list()).map((w) => w.id)).toEqual([Number(rotated)]);
  });
});
