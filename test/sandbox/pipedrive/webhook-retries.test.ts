/**
 * Webhook delivery failure handling as Pipedrive documents it, on a scaled clock: retries at 3/30/150 s with
 * meta.attempt incremented, a 10 s timeout, and a ban after 10 first-try failures during which events are dropped.
 */
import {
  startPipedriveSimulator,
  type DeliveryRecord,
  type RunningPipedriveSimulator,
} from '../../../sandbox/pipedrive';
import { http } from './pipedrive-http';
import { startWebhookReceiver, type Answer, type WebhookReceiver } from './webhook-receiver';

// 0.05 ⇒ timeout 500 ms, retries after 150 ms / 1.5 s / 7.5 s, ban 90 s.
const SCALE = 0.05;

describe('pipedrive simulator webhook retries and bans', () => {
  let sim: RunningPipedriveSimulator;
  let receiver: WebhookReceiver | undefined;

  beforeEach(async () => {
    sim = await startPipedriveSimulator({ webhookTimeScale: SCALE });
  });

  afterEach(async () => {
    await sim.close();
    await receiver?.close();
  });

  async function subscribe(
    answer: (attempt: number, index: number) => Answer,
  ): Promise<{ receiver: WebhookReceiver; webhookId: number }> {
    receiver = await startWebhookReceiver((d, i) => answer(Number(d.body.meta.attempt), i));
    const res = await http(
      'POST',
      `${sim.url}/v1/webhooks`,
      { subscription_url: receiver.url, event_action: 'change', event_object: 'deal', name: 'test' },
      { 'x-api-token': sim.stackEntry.apiToken },
    );
    expect(res.status).toBe(201);
    return { receiver, webhookId: res.body.data.id as number };
  }

  async function renameDeal(title: string): Promise<void> {
    const res = await http('PATCH', `${sim.url}/api/v2/deals/1`, { title }, { 'x-api-token': sim.stackEntry.apiToken });
    expect(res.status).toBe(200);
  }

  async function deliveries(query = ''): Promise<DeliveryRecord[]> {
    return (await http('GET', `${sim.url}/__sim/deliveries${query}`)).body.data as DeliveryRecord[];
  }

  test('a receiver failing the first two attempts gets attempts 1, 2 and 3 of the same event at the scaled delays', async () => {
    const { receiver: r } = await subscribe((attempt) => (attempt < 3 ? 'fail' : 'ok'));
    await renameDeal('Retried deal');
    await r.waitFor((got) => got.length >= 3, 10_000);
    expect(r.received.map((d) => d.body.meta.attempt)).toEqual([1, 2, 3]);
    expect(new Set(r.received.map((d) => d.body.meta.id)).size).toBe(1);
    const [first, second, third] = r.received;
    if (!first || !second || !third) throw new Error('missing deliveries');
    expect(second.at - first.at).toBeGreaterThanOrEqual(3_000 * SCALE - 20);
    expect(third.at - second.at).toBeGreaterThanOrEqual(30_000 * SCALE - 20);
    expect((await deliveries()).map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'delivered'],
    ]);
    // No fourth attempt after a success.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(3);
  });

  test('a receiver that does not answer within the (scaled) 10 s timeout is retried', async () => {
    const { receiver: r } = await subscribe((attempt) => (attempt === 1 ? 'hang' : 'ok'));
    await renameDeal('Slow receiver');
    await r.waitFor((got) => got.length >= 2, 10_000);
    const log = await deliveries();
    expect(log.map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'timeout'],
      [2, 'delivered'],
    ]);
    expect(log[0]?.duration_ms).toBeGreaterThanOrEqual(10_000 * SCALE - 20);
  });

  test('ten first-try failures ban the webhook and later events are dropped, not delivered', async () => {
    const { receiver: r, webhookId } = await subscribe(() => 'fail');
    for (let i = 1; i <= 10; i += 1) await renameDeal(`Failing ${i}`);
    await r.waitFor((got) => got.filter((d) => d.body.meta.attempt === 1).length >= 10, 10_000);
    await waitUntil(async () => (await deliveries()).some((d) => d.banned_webhook));
    const hooks = (await http('GET', `${sim.url}/__sim/webhooks`)).body.data as Array<{
      id: number;
      banned_until: string | null;
    }>;
    const bannedFor = Date.parse(hooks.find((h) => h.id === webhookId)?.banned_until ?? '') - Date.now();
    expect(bannedFor).toBeGreaterThan(30 * 60_000 * SCALE - 5_000);
    expect(bannedFor).toBeLessThanOrEqual(30 * 60_000 * SCALE);

    const before = r.received.length;
    await renameDeal('While banned');
    await waitUntil(async () =>
      (await deliveries('?outcome=dropped_banned')).some(
        (d) => (d.body.data as { title?: string } | null)?.title === 'While banned',
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      r.received.slice(before).some((d) => (d.body.data as { title?: string } | null)?.title === 'While banned'),
    ).toBe(false);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
