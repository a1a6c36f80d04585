/**
 * The official `pipedrive` npm client works unchanged against the simulator, and a deal moved to Contract Signed
 * through the API reaches a registered webhook as a v2 "change" with Basic auth and the integration user in meta.
 */
import { v1, v2 } from 'pipedrive';
import { CONTRACT_SIGNED_STAGE } from '../../../domain/pipedrive-fields';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

describe('pipedrive simulator with the official client', () => {
  let sim: RunningPipedriveSimulator;
  let receiver: WebhookReceiver;
  let apiV1: v1.Configuration;
  let apiV2: v2.Configuration;

  beforeAll(async () => {
    sim = await startPipedriveSimulator({ webhookTimeScale: 0.1 });
    receiver = await startWebhookReceiver();
    apiV1 = new v1.Configuration({ apiKey: sim.stackEntry.apiToken, basePath: `${sim.url}/v1` });
    apiV2 = new v2.Configuration({ apiKey: sim.stackEntry.apiToken, basePath: `${sim.url}/api/v2` });
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  test('org, person and deal created and moved to Contract Signed arrive as v2 webhooks with Basic auth', async () => {
    const hook = await new v1.WebhooksApi(apiV1).addWebhook({
      AddWebhookRequest: {
        subscription_url: receiver.url,
        event_action: '*',
        event_object: '*',
        name: 'orchestrator',
        version: '2.0',
        http_auth_user: 'hook-user',
        http_auth_password: 'hook-pass',
      },
    });
    const webhookId = hook.data?.id;
    expect(webhookId).toBeDefined();

    const stages = await new v2.StagesApi(apiV2).getStages({ pipeline_id: 1 });
    const signed = stages.data?.find((s) => s.name === CONTRACT_SIGNED_STAGE);
    const negotiation = stages.data?.find((s) => s.name === 'Negotiation');
    if (!signed?.id || !negotiation?.id) throw new Error('seeded stages missing');

    const org = await new v2.OrganizationsApi(apiV2).addOrganization({
      AddOrganizationRequest: { name: 'Zoë & Søn ApS' },
    });
    const person = await new v2.PersonsApi(apiV2).addPerson({
      AddPersonRequest: {
        name: 'Zoë Ørsted',
        org_id: org.data?.id,
        emails: [{ value: 'zoe@zoeson.example', primary: true, label: 'work' }],
      },
    });
    const deal = await new v2.DealsApi(apiV2).addDeal({
      AddDealRequest: {
        title: 'Zoë & Søn – growth',
        value: 12000,
        currency: 'DKK',
        person_id: person.data?.id,
        org_id: org.data?.id,
        stage_id: negotiation.id,
      },
    });
    const dealId = deal.data?.id;
    if (!dealId) throw new Error('deal not created');

    const moved = await new v2.DealsApi(apiV2).updateDeal({ id: dealId, UpdateDealRequest: { stage_id: signed.id } });
    expect(moved.data?.stage_id).toBe(signed.id);

    const isStageChange = (d: (typeof receiver.received)[number]) =>
      d.body.meta.action === 'change' && d.body.meta.entity === 'deal';
    await receiver.waitFor((r) => r.length >= 4 && r.some(isStageChange));
    const creates = receiver.received.filter((d) => d.body.meta.action === 'create').map((d) => d.body.meta.entity);
    expect(creates.sort()).toEqual(['deal', 'organization', 'person']);
    for (const d of receiver.received.filter((x) => x.body.meta.action === 'create'))
      expect(d.body.previous).toBeNull();

    const changes = receiver.received.filter(isStageChange);
    expect(changes).toHaveLength(1);
    const [change] = changes;
    expect(change?.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:hook-pass').toString('base64')}`);
    expect(change?.body.meta).toMatchObject({
      action: 'change',
      entity: 'deal',
      entity_id: String(dealId),
      change_source: 'api',
      user_id: String(sim.integrationUserId),
      attempt: 1,
      version: '2.0',
      type: 'general',
      is_bulk_edit: false,
      webhook_id: String(webhookId),
      host: 'acme-sandbox.pipedrive.com',
    });
    expect(change?.body.meta.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(String(change?.body.meta.timestamp)))).toBe(false);
    expect(change?.body.data).toMatchObject({
      id: dealId,
      stage_id: signed.id,
      pipeline_id: 1,
      person_id: person.data?.id,
      org_id: org.data?.id,
      status: 'open',
    });
    expect(change?.body.previous).toMatchObject({ stage_id: negotiation.id });
    expect(Object.keys(change?.body.previous ?? {})).not.toContain('title');
  });

  test('users, fields and notes are served in the shapes the v1 client expects', async () => {
    const me = await new v1.UsersApi(apiV1).getCurrentUser();
    expect(me.data).toMatchObject({
      id: sim.integrationUserId,
      name: 'Integration Bot',
      company_domain: 'acme-sandbox',
    });
    const users = await new v1.UsersApi(apiV1).getUsers();
    expect(users.data?.map((u) => u.name)).toEqual(['Integration Bot', 'Sam Seller', 'Casey CSM', 'Bea Billing']);

    const fields = await new v1.DealFieldsApi(apiV1).getDealFields({ limit: 500 });
    const pkg = fields.data?.find((f) => f.name === 'Onboarding package');
    expect(pkg?.key).toMatch(/^[0-9a-f]{40}$/);
    expect(pkg?.field_type).toBe('enum');
    expect((pkg?.options as Array<{ label: string }> | undefined)?.map((o) => o.label)).toEqual([
      'STARTER',
      'GROWTH',
      'ENTERPRISE',
    ]);

    const note = await new v1.NotesApi(apiV1).addNote({
      AddNoteRequest: { content: '<b>Needs review</b>: tax id missing', deal_id: 1 },
    });
    expect(note.data).toMatchObject({ deal_id: 1, user_id: sim.integrationUserId });
    const listed = await new v1.NotesApi(apiV1).getNotes({ deal_id: 1 });
    expect(listed.data?.map((n) => n.content)).toEqual(['<b>Needs review</b>: tax id missing']);
  });

  test('seeded people include several emails and non-Latin names, and persons are searchable by email', async () => {
    const persons = (await new v2.PersonsApi(apiV2).getPersons({ limit: 100 })).data ?? [];
    expect(persons.some((p) => (p.emails?.length ?? 0) >= 3)).toBe(true);
    expect(persons.some((p) => /[^\u0020-\u024f]/.test(p.name ?? ''))).toBe(true);
    const found = await new v2.PersonsApi(apiV2).searchPersons({
      term: 'ap@northwind.example',
      fields: 'email',
      exact_match: true,
    });
    expect(found.data?.items?.map((i) => i.item?.name)).toEqual(['Priya Raman']);
  });

  test('v1 PUT with a flattened custom field is visible on v2 and sent as an api change', async () => {
    const fields = (await new v1.DealFieldsApi(apiV1).getDealFields({ limit: 500 })).data ?? [];
    const statusKey = fields.find((f) => f.name === 'Onboarding status')?.key ?? '';
    const res = await fetch(`${sim.url}/v1/deals/2?api_token=${sim.stackEntry.apiToken}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ [statusKey]: 'RECEIVED' }),
    });
    expect(res.status).toBe(200);
    const deal = await new v2.DealsApi(apiV2).getDeal({ id: 2 });
    expect((deal.data?.custom_fields as Record<string, unknown>)[statusKey]).toBe('RECEIVED');
    await receiver.waitFor((r) => r.some((d) => d.body.meta.entity_id === '2' && d.body.meta.entity === 'deal'));
    const hook = receiver.received.find((d) => d.body.meta.entity_id === '2' && d.body.meta.entity === 'deal');
    expect(hook?.body.meta).toMatchObject({
      action: 'change',
      change_source: 'api',
      user_id: String(sim.integrationUserId),
    });
    expect(hook?.body.previous).toEqual({ custom_fields: { [statusKey]: null } });
  });
});
