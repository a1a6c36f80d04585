/**
 * The simulator-only admin routes stand for people working in the Pipedrive app (change_source "app"), synthetic
 * deals come complete (or with chosen gaps), and a data file keeps deals, webhooks and the token across restarts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_SIGNED_STAGE, DEAL_FIELDS, ORGANIZATION_FIELDS } from '../../../domain/pipedrive-fields';
import { startPipedriveSimulator, type RunningPipedriveSimulator } from '../../../sandbox/pipedrive';
import { PIPEDRIVE_STATE_VERSION } from '../../../sandbox/pipedrive/state-store';
import { http } from './pipedrive-http';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

type Fields = Array<{ key: string; name: string }>;

describe('pipedrive simulator admin routes and persistence', () => {
  let dir: string;
  let sim: RunningPipedriveSimulator;
  let receiver: WebhookReceiver;
  let auth: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipedrive-sim-'));
    sim = await startPipedriveSimulator({ dataFile: join(dir, 'pipedrive.json'), webhookTimeScale: 0.1 });
    auth = { 'x-api-token': sim.stackEntry.apiToken };
    receiver = await startWebhookReceiver();
    const res = await http(
      'POST',
      `${sim.url}/v1/webhooks`,
      {
        subscription_url: receiver.url,
        event_action: '*',
        event_object: 'deal',
        name: 'app',
        http_auth_user: 'u',
        http_auth_password: 'p',
      },
      auth,
    );
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function keys(path: string): Promise<Record<string, string>> {
    const fields = (await http('GET', `${sim.url}/v1/${path}?limit=500`, undefined, auth)).body.data as Fields;
    return Object.fromEntries(fields.map((f) => [f.name, f.key]));
  }

  test('a synthetic deal has every salesperson-owned field; a move in the "app" is a change by that person', async () => {
    const created = await http('POST', `${sim.url}/__sim/deals`, { country: 'DE', omit: ['tax_id'] });
    expect(created.status).toBe(200);
    const { deal, person, organization } = created.body.data;
    const dk = await keys('dealFields');
    const ok = await keys('organizationFields');
    for (const name of [
      DEAL_FIELDS.onboardingPackage,
      DEAL_FIELDS.billingOwner,
      DEAL_FIELDS.csm,
      DEAL_FIELDS.expectedTimeToValue,
      DEAL_FIELDS.invoiceDate,
    ]) {
      expect(deal.custom_fields[dk[name] ?? '']).toBeDefined();
    }
    expect(deal.custom_fields[dk[DEAL_FIELDS.externalId] ?? '']).toBeUndefined();
    expect(deal.currency).toBe('EUR');
    expect(organization.custom_fields[ok[ORGANIZATION_FIELDS.taxId] ?? '']).toBeUndefined();
    expect(organization.custom_fields[ok[ORGANIZATION_FIELDS.subsidiary] ?? '']).toEqual(expect.any(String));
    expect(organization.address.country).toBe('Germany');
    expect(person.emails[0]).toMatchObject({ primary: true, label: 'work' });

    const moved = await http('POST', `${sim.url}/__sim/deals/${deal.id}/move`, { stage_name: CONTRACT_SIGNED_STAGE });
    expect(moved.status).toBe(200);
    await receiver.waitFor((r) =>
      r.some((d) => d.body.meta.action === 'change' && d.body.meta.entity_id === String(deal.id)),
    );
    const change = receiver.received.find(
      (d) => d.body.meta.action === 'change' && d.body.meta.entity_id === String(deal.id),
    );
    expect(change?.body.meta).toMatchObject({ change_source: 'app', user_id: '2', attempt: 1 });
    expect(change?.body.previous).toMatchObject({ stage_id: deal.stage_id });
    const create = receiver.received.find(
      (d) => d.body.meta.action === 'create' && d.body.meta.entity_id === String(deal.id),
    );
    expect(create?.body.meta.change_source).toBe('app');
  });

  test('admin PATCH takes field names and option labels; REST sees the result', async () => {
    const res = await http('PATCH', `${sim.url}/__sim/deals/1`, {
      user_id: 4,
      custom_fields: { [DEAL_FIELDS.needsRemediation]: 'Yes', [DEAL_FIELDS.csm]: 'Casey CSM' },
    });
    expect(res.status).toBe(200);
    const dk = await keys('dealFields');
    const deal = (await http('GET', `${sim.url}/api/v2/deals/1`, undefined, auth)).body.data;
    expect(deal.custom_fields[dk[DEAL_FIELDS.needsRemediation] ?? '']).toBe(201);
    expect(deal.custom_fields[dk[DEAL_FIELDS.csm] ?? '']).toBe(3);
    await receiver.waitFor((r) => r.some((d) => d.body.meta.entity_id === '1' && d.body.meta.user_id === '4'));
  });

  test('a token minted for another user makes api changes attributed to that user', async () => {
    const minted = await http('POST', `${sim.url}/__sim/tokens`, { user_id: 2 });
    const res = await http(
      'PATCH',
      `${sim.url}/api/v2/deals/2`,
      { value: 31337 },
      { 'x-api-token': minted.body.data.api_token },
    );
    expect(res.status).toBe(200);
    await receiver.waitFor((r) => r.some((d) => d.body.meta.entity_id === '2' && d.body.meta.action === 'change'));
    const hook = receiver.received.find((d) => d.body.meta.entity_id === '2' && d.body.meta.action === 'change');
    expect(hook?.body.meta).toMatchObject({ change_source: 'api', user_id: '2' });
    expect(hook?.body.previous).toEqual({ value: expect.any(Number) });
  });

  test('a restart on the same data file keeps deals, webhooks, the token and webhook credentials; reset restores the seed but keeps webhooks', async () => {
    const before = (await http('GET', `${sim.url}/api/v2/deals?limit=500`, undefined, auth)).body.data as Array<{
      id: number;
    }>;
    const { apiToken: token, webhookUser, webhookPassword } = sim.stackEntry;
    await sim.close();
    sim = await startPipedriveSimulator({ dataFile: join(dir, 'pipedrive.json'), webhookTimeScale: 0.1 });
    // The app's webhook was registered with these; a restart must not invalidate them.
    expect(sim.stackEntry).toMatchObject({ apiToken: token, webhookUser, webhookPassword });
    const after = (await http('GET', `${sim.url}/api/v2/deals?limit=500`, undefined, auth)).body.data as Array<{
      id: number;
    }>;
    expect(after.map((d) => d.id)).toEqual(before.map((d) => d.id));
    const hooks = (await http('GET', `${sim.url}/v1/webhooks`, undefined, auth)).body.data as Array<{
      subscription_url: string;
    }>;
    expect(hooks.map((h) => h.subscription_url)).toEqual([receiver.url]);

    expect((await http('POST', `${sim.url}/__sim/reset`, {})).status).toBe(200);
    const seeded = (await http('GET', `${sim.url}/api/v2/deals?limit=500`, undefined, auth)).body.data as Array<{
      id: number;
    }>;
    expect(seeded).toHaveLength(6);
    expect((await http('GET', `${sim.url}/v1/webhooks`, undefined, auth)).body.data).toHaveLength(1);
    expect((await http('GET', `${sim.url}/__sim/deliveries`)).body.data).toEqual([]);
  });

  test('a data file from another seed format is moved aside, not served (it once made every route answer 500)', async () => {
    const staleDir = mkdtempSync(join(tmpdir(), 'pipedrive-sim-stale-'));
    const file = join(staleDir, 'pipedrive.json');
    // An older format: no version, and a list the routes read is missing.
    const old = JSON.parse(readFileSync(join(dir, 'pipedrive.json'), 'utf8')) as Record<string, unknown>;
    delete old.stateVersion;
    delete old.dealFields;
    writeFileSync(file, JSON.stringify(old));
    const stale = await startPipedriveSimulator({ dataFile: file, webhookTimeScale: 0.1 });
    try {
      const staleAuth = { 'x-api-token': stale.stackEntry.apiToken };
      const deals = await http('GET', `${stale.url}/api/v2/deals?limit=500`, undefined, staleAuth);
      expect(deals.status).toBe(200);
      expect((await http('GET', `${stale.url}/v1/dealFields?limit=500`, undefined, staleAuth)).status).toBe(200);
      expect(readdirSync(staleDir).filter((f) => f.endsWith('.old'))).toHaveLength(1);
      expect((JSON.parse(readFileSync(file, 'utf8')) as { stateVersion?: number }).stateVersion).toBe(
        PIPEDRIVE_STATE_VERSION,
      );
    } finally {
      await stale.close();
      rmSync(staleDir, { recursive: true, force: true });
    }
  });
});
