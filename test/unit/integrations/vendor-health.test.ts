/** The per-vendor circuit breaker (integrations/vendor-health.ts): pure unit tests, a settable clock, short intervals. */
import { VendorError } from '../../../integrations/vendor-error';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { toActivityFailure } from '../../../activities/to-activity-failure';
import { FAILURE } from '../../../domain/failure-types';
import {
  guarded,
  setProcessVendorHealth,
  VendorBreaker,
  VendorDownError,
  type BreakerTransition,
  type VendorHealth,
} from '../../../integrations/vendor-health';

const transient = (): VendorError =>
  new VendorError('netsuite', 'transient', 'NetSuite PUT failed: HTTP 503', { status: 503 });
const validation = (): VendorError =>
  new VendorError('netsuite', 'validation', 'NetSuite PUT failed: HTTP 400', { status: 400 });
const settle = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

function breaker(
  up: { value: boolean },
  transitions: BreakerTransition[] = [],
  extra: Partial<ConstructorParameters<typeof VendorBreaker>[1]> = {},
) {
  let probes = 0;
  const b = new VendorBreaker('netsuite', {
    probe: async () => {
      probes += 1;
      if (!up.value) throw transient();
    },
    probeIntervalMs: 30,
    maxProbeIntervalMs: 60,
    minProbeGapMs: 0,
    onTransition: (t) => transitions.push(t),
    ...extra,
  });
  return { b, probes: () => probes };
}

describe('VendorBreaker', () => {
  it('opens when transient failures pile up and the health call fails too; then fails calls fast', async () => {
    const up = { value: false };
    const transitions: BreakerTransition[] = [];
    const { b } = breaker(up, transitions);
    for (let i = 0; i < 5; i++) b.record(transient());
    await settle();
    expect(b.state).toBe('open');
    expect(transitions.map((t) => t.state)).toEqual(['open']);
    expect(() => b.check()).toThrow(VendorDownError);
    b.dispose();
  });

  it('stays closed when the health call succeeds: one deal failing on its own is not an outage', async () => {
    const up = { value: true };
    const transitions: BreakerTransition[] = [];
    const { b, probes } = breaker(up, transitions);
    for (let i = 0; i < 12; i++) b.record(transient());
    await settle();
    expect(probes()).toBeGreaterThanOrEqual(1);
    expect(b.state).toBe('closed');
    expect(() => b.check()).not.toThrow();
    expect(transitions).toEqual([]);
  });

  it('does not open when the health call is throttled (429: the vendor answers)', async () => {
    const transitions: BreakerTransition[] = [];
    const b = new VendorBreaker('netsuite', {
      probe: async () => {
        throw new VendorError('netsuite', 'transient', 'NetSuite GET failed: HTTP 429', { status: 429 });
      },
      minProbeGapMs: 0,
      onTransition: (t) => transitions.push(t),
    });
    for (let i = 0; i < 5; i++) b.record(transient());
    await settle();
    expect(b.state).toBe('closed');
    expect(transitions).toEqual([]);
  });

  it('is not suspicious of refusals (400) or of a few failures among successes', async () => {
    const up = { value: false };
    const { b, probes } = breaker(up);
    for (let i = 0; i < 20; i++) b.record(validation());
    for (let i = 0; i < 40; i++) {
      b.record(i % 5 === 0 ? transient() : undefined);
    }
    await settle();
    expect(probes()).toBe(0);
    expect(b.state).toBe('closed');
  });

  it('half-opens on a timer, probes, and closes once the vendor answers, reporting the outage it ends', async () => {
    const up = { value: false };
    const transitions: BreakerTransition[] = [];
    const { b, probes } = breaker(up, transitions);
    for (let i = 0; i < 5; i++) b.record(transient());
    await settle();
    expect(b.state).toBe('open');
    const since = b.openSince;
    await settle(50);
    // Still down: the half-open probe failed, open again.
    expect(probes()).toBeGreaterThanOrEqual(2);
    expect(b.state).not.toBe('closed');
    up.value = true;
    await settle(150);
    expect(b.state).toBe('closed');
    expect(transitions.map((t) => [t.state, t.since])).toEqual([
      ['open', since],
      ['closed', since],
    ]);
    expect(b.openSince).toBeUndefined();
  });

  it('guards a port: refuses while open, records outcomes of calls otherwise, leaves other errors alone', async () => {
    const up = { value: false };
    const { b } = breaker(up);
    let calls = 0;
    const port = {
      name: 'client',
      async upsert(fail: 'transient' | 'bug' | 'no'): Promise<string> {
        calls += 1;
        if (fail === 'transient') throw transient();
        if (fail === 'bug') throw new TypeError('our bug');
        return this.name;
      },
    };
    const g = guarded(port, b);
    expect(g.name).toBe('client');
    await expect(g.upsert('no')).resolves.toBe('client');
    await expect(g.upsert('bug')).rejects.toThrow(TypeError);
    for (let i = 0; i < 5; i++) await expect(g.upsert('transient')).rejects.toBeInstanceOf(VendorError);
    await settle();
    const before = calls;
    await expect(g.upsert('no')).rejects.toBeInstanceOf(VendorDownError);
    expect(calls).toBe(before);
    b.dispose();
  });

  it('is degraded when many callers fail, not when one deal fails alone', () => {
    const up = { value: true };
    const { b } = breaker(up);
    for (let i = 0; i < 12; i++) b.record(i % 2 === 0 ? transient() : undefined, `deal-${i}`);
    expect(b.degraded()).toBe(true);
    const { b: alone } = breaker(up);
    for (let i = 0; i < 10; i++) alone.record(transient(), 'deal-1');
    for (let i = 0; i < 10; i++) alone.record(undefined, `deal-${i + 2}`);
    expect(alone.degraded()).toBe(false);
  });
});

describe('the last attempt of a transient failure while the vendor is degraded', () => {
  const up = { value: true };
  const degraded = breaker(up).b;
  for (let i = 0; i < 12; i++) degraded.record(i % 2 === 0 ? transient() : undefined, `deal-${i}`);
  const healthy = breaker(up).b;
  const at = (attempt: number, err: unknown): Promise<ApplicationFailure> =>
    new MockActivityEnvironment({ attempt }).run(async () => toActivityFailure(err) as ApplicationFailure);
  afterAll(() => setProcessVendorHealth(undefined));

  it('becomes VENDOR_DOWN on the last attempt only, and only while the vendor fails many callers', async () => {
    setProcessVendorHealth({ netsuite: degraded, pipedrive: healthy, slack: healthy } as unknown as VendorHealth);
    expect((await at(6, transient())).type).toBe(FAILURE.vendorDown);
    expect((await at(6, transient())).nonRetryable).toBe(true);
    expect((await at(3, transient())).type).toBe(FAILURE.transient);
    expect((await at(6, validation())).type).toBe(FAILURE.validation);
    setProcessVendorHealth({ netsuite: healthy, pipedrive: healthy, slack: healthy } as unknown as VendorHealth);
    expect((await at(6, transient())).type).toBe(FAILURE.transient);
  });

  it('turns a failed async job into VENDOR_DOWN with jobFailed while degraded (a new job may succeed)', async () => {
    // As checkCustomerJob throws it: the reasons as one array detail.
    const jobFailed = ApplicationFailure.nonRetryable('NetSuite async job 7 failed: HTTP 500', FAILURE.transient, [
      { field: 'netsuite', code: 'netsuite.unexpected_error', message: 'x' },
    ]);
    setProcessVendorHealth({ netsuite: degraded, pipedrive: healthy, slack: healthy } as unknown as VendorHealth);
    const f = await at(1, jobFailed);
    expect(f.type).toBe(FAILURE.vendorDown);
    expect(f.details?.[0]).toMatchObject({ vendor: 'netsuite', jobFailed: true });
    setProcessVendorHealth({ netsuite: healthy, pipedrive: healthy, slack: healthy } as unknown as VendorHealth);
    expect(await at(1, jobFailed)).toBe(jobFailed);
  });
});
