/**
 * The PagerDuty Events v2 receiver simulator answers as PagerDuty documents: 202 with status/message/dedup_key for a
 * valid event, 400 "invalid event" with the errors otherwise; triggers open incidents by dedup key, resolves close them.
 * Driven through the product's own Events v2 sender, so both sides of the contract are checked.
 */
import axios from 'axios';
import { ApplicationFailure } from '@temporalio/common';
import { sendPagerDutyEvent } from '../../../integrations/pagerduty/events-v2';
import { startPagerDutySimulator, type RunningPagerDutySimulator } from '../../../sandbox/pagerduty';

describe('PagerDuty Events v2 receiver simulator', () => {
  let pd: RunningPagerDutySimulator;
  beforeAll(async () => {
    pd = await startPagerDutySimulator();
  });
  afterAll(async () => pd?.close());
  beforeEach(async () => {
    await axios.post(`${pd.url}/__sim/reset`);
  });

  const post = (body: unknown) => axios.post(pd.stackEntry.url, body, { validateStatus: () => true });
  const trigger = {
    routing_key: '',
    event_action: 'trigger',
    dedup_key: 'k-1',
    payload: { summary: 'Duplicate customers: 1.2%', source: 'http://app/ops', severity: 'error' },
  };

  it('accepts a valid trigger with the real response shape, and records it', async () => {
    const res = await post({ ...trigger, routing_key: pd.stackEntry.routingKey });
    expect(res.status).toBe(202);
    expect(res.data).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'k-1' });
    const { events } = (await axios.get(`${pd.url}/__sim/events`)).data;
    expect(events).toEqual([
      expect.objectContaining({
        event_action: 'trigger',
        dedup_key: 'k-1',
        payload: expect.objectContaining({ severity: 'error' }),
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(pd.stackEntry.routingKey);
  });

  it.each([
    ['a wrong routing key', { ...trigger, routing_key: 'nope' }, "'routing_key' is invalid"],
    ['an unknown action', { ...trigger, event_action: 'explode' }, "'event_action' must be one of"],
    [
      'a trigger without summary',
      { ...trigger, payload: { source: 's', severity: 'error' } },
      "'payload.summary' is missing",
    ],
    [
      'a trigger with a bad severity',
      { ...trigger, payload: { ...trigger.payload, severity: 'high' } },
      "'payload.severity' must be one of",
    ],
    [
      'a resolve without dedup_key',
      { routing_key: 'x', event_action: 'resolve' },
      "'dedup_key' is required to resolve",
    ],
    ['a dedup_key over 255 characters', { ...trigger, dedup_key: 'k'.repeat(256) }, "'dedup_key' must be"],
  ])('refuses %s with 400 and the error', async (_name, body, error) => {
    const b = body as Record<string, unknown>;
    const res = await post({
      ...b,
      routing_key: b.routing_key === '' || b.routing_key === 'x' ? pd.stackEntry.routingKey : b.routing_key,
    });
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect((res.data.errors as string[]).join(' | ')).toContain(error);
  });

  it('opens an incident per dedup key, dedups repeated triggers, and resolves it', async () => {
    const target = pd.stackEntry;
    const payload = { summary: 'SLA breaches 8%', source: 'http://app/ops', severity: 'error' as const };
    await sendPagerDutyEvent(target, { event_action: 'trigger', dedup_key: 'sla-1', payload });
    await sendPagerDutyEvent(target, { event_action: 'trigger', dedup_key: 'sla-1', payload });
    expect(await sendPagerDutyEvent(target, { event_action: 'resolve', dedup_key: 'sla-1' })).toEqual({
      dedupKey: 'sla-1',
    });
    const { incidents } = (await axios.get(`${pd.url}/__sim/incidents`)).data;
    expect(incidents).toEqual([expect.objectContaining({ dedup_key: 'sla-1', status: 'resolved', triggers: 2 })]);
  });

  it('makes the sender fail non-retryably on 400 and retryably when the receiver is down', async () => {
    const bad = sendPagerDutyEvent(
      { url: pd.stackEntry.url, routingKey: 'wrong' },
      { event_action: 'resolve', dedup_key: 'x' },
    );
    await expect(bad).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(bad).rejects.toMatchObject({ type: 'ValidationError', nonRetryable: true });
    const down = sendPagerDutyEvent(
      { url: 'http://127.0.0.1:9/v2/enqueue', routingKey: 'k' },
      { event_action: 'resolve', dedup_key: 'x' },
      2_000,
    );
    await expect(down).rejects.toMatchObject({ type: 'TransientError', nonRetryable: false });
  });
});
