/**
 * Custom fields resolved by name through dealFields / organizationFields round-trip through v2 PATCH with strict
 * typing, show up flattened in v1, and travel in webhook data.custom_fields / previous.custom_fields.
 */
import { v2 } from 'pipedrive';
import { DEAL_FIELDS, ORGANIZATION_FIELDS } from '../../../domain/pipedrive-fields';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { http } from './pipedrive-http';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

describe('pipedrive simulator custom fields', () => {
  let sim: RunningPipedriveSimulator;
  let receiver: WebhookReceiver;
  let api: v2.Configuration;

  beforeAll(async () => {
    sim = await startPipedriveSimulator({ webhookTimeScale: 0.1, companyDomain: 'fields-co' });
    receiver = await startWebhookReceiver();
    api = new v2.Configuration({ apiKey: sim.stackEntry.apiToken, basePath: `${sim.url}/api/v2` });
    const res = await http(
      'POST',
      `${sim.url}/v1/webhooks`,
      { subscription_url: receiver.url, event_action: 'change', event_object: '*', name: 'fields' },
      { 'x-api-token': sim.stackEntry.apiToken },
    );
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  test('deal custom fields set by hash key via v2 PATCH come back on GET, in v1 and in the webhook', async () => {
    const fields = (await new v2.DealFieldsApi(api).getDealFields({ limit: 500 })).data ?? [];
    const code = (name: string) => {
      const f = fields.find((x) => x.field_name === name);
      if (!f?.is_custom_field || !/^[0-9a-f]{40}$/.test(f.field_code)) throw new Error(`no custom field ${name}`);
      return f.field_code;
    };
    const growth = fields
      .find((f) => f.field_name === DEAL_FIELDS.onboardingPackage)
      ?.options?.find((o) => o.label === 'GROWTH')?.id;
    if (typeof growth !== 'number') throw new Error('GROWTH option missing');

    const before = await new v2.DealsApi(api).getDeal({ id: 3 });
    const custom = {
      [code(DEAL_FIELDS.externalId)]: 'PD-FIELDS-CO-3',
      [code(DEAL_FIELDS.onboardingPackage)]: growth,
      [code(DEAL_FIELDS.csm)]: 3,
      [code(DEAL_FIELDS.invoiceDate)]: '2027-01-15',
      [code(DEAL_FIELDS.billingOwner)]: 'Bea Billing',
    };
    await new v2.DealsApi(api).updateDeal({ id: 3, UpdateDealRequest: { custom_fields: custom } });

    const after = await new v2.DealsApi(api).getDeal({ id: 3 });
    expect(after.data?.custom_fields).toMatchObject(custom);
    const narrowed = await http(
      'GET',
      `${sim.url}/api/v2/deals/3?custom_fields=${code(DEAL_FIELDS.externalId)}`,
      undefined,
      { 'x-api-token': sim.stackEntry.apiToken },
    );
    expect(narrowed.body.data.custom_fields).toEqual({ [code(DEAL_FIELDS.externalId)]: 'PD-FIELDS-CO-3' });

    const v1Deal = await http('GET', `${sim.url}/v1/deals/3?api_token=${sim.stackEntry.apiToken}`);
    expect(v1Deal.body.data[code(DEAL_FIELDS.externalId)]).toBe('PD-FIELDS-CO-3');
    expect(v1Deal.body.data[code(DEAL_FIELDS.onboardingPackage)]).toBe(String(growth));

    const found = await new v2.DealsApi(api).searchDeals({
      term: 'PD-FIELDS-CO-3',
      fields: 'custom_fields',
      exact_match: true,
    });
    expect(found.data?.items?.map((i) => i.item?.id)).toEqual([3]);

    await receiver.waitFor((r) => r.some((d) => d.body.meta.entity === 'deal' && d.body.meta.entity_id === '3'));
    const hook = receiver.received.find((d) => d.body.meta.entity === 'deal' && d.body.meta.entity_id === '3');
    expect((hook?.body.data as { custom_fields: unknown }).custom_fields).toMatchObject(custom);
    const previousCustom = (hook?.body.previous as { custom_fields: Record<string, unknown> }).custom_fields;
    for (const key of Object.keys(custom))
      expect(previousCustom[key]).toBe(
        (before.data?.custom_fields as Record<string, unknown> | undefined)?.[key] ?? null,
      );
    // Only the custom fields changed, so nothing else is in `previous`.
    expect(Object.keys(hook?.body.previous ?? {})).toEqual(['custom_fields']);
  });

  test('strict typing: an enum value that is not an option id, or an unknown key, is a 400', async () => {
    const fields = (
      await http('GET', `${sim.url}/api/v2/dealFields?limit=500`, undefined, { 'x-api-token': sim.stackEntry.apiToken })
    ).body.data as Array<{ field_name: string; field_code: string }>;
    const pkg = fields.find((f) => f.field_name === DEAL_FIELDS.onboardingPackage)?.field_code ?? '';
    for (const custom_fields of [{ [pkg]: 'GROWTH' }, { ['0'.repeat(40)]: 'x' }]) {
      const res = await http(
        'PATCH',
        `${sim.url}/api/v2/deals/3`,
        { custom_fields },
        { 'x-api-token': sim.stackEntry.apiToken },
      );
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  test('organization custom fields (tax id) round-trip and reach the webhook', async () => {
    const fields = (await new v2.OrganizationFieldsApi(api).getOrganizationFields({ limit: 500 })).data ?? [];
    const taxKey = fields.find((f) => f.field_name === ORGANIZATION_FIELDS.taxId)?.field_code ?? '';
    expect(taxKey).toMatch(/^[0-9a-f]{40}$/);
    const org = await new v2.OrganizationsApi(api).getOrganization({ id: 2 });
    const oldTax = (org.data?.custom_fields as Record<string, unknown>)[taxKey];
    expect(typeof oldTax).toBe('string');
    await new v2.OrganizationsApi(api).updateOrganization({
      id: 2,
      UpdateOrganizationRequest: { custom_fields: { [taxKey]: 'GB987654321' } },
    });
    await receiver.waitFor((r) => r.some((d) => d.body.meta.entity === 'organization'));
    const hook = receiver.received.find((d) => d.body.meta.entity === 'organization');
    expect(hook?.body.data).toMatchObject({ id: 2, custom_fields: { [taxKey]: 'GB987654321' } });
    expect(hook?.body.previous).toEqual({ custom_fields: { [taxKey]: oldTax } });
    expect((hook?.body.data as { address: { country: string } }).address.country).toBe('United Kingdom');
  });
});
