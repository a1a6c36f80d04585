import { Registry } from 'prom-client';
import { OUTBOX_DEPTH_GAUGE, OUTBOX_OLDEST_GAUGE, observeOutbox } from '../../../starters/intake/intake-metrics';

describe('intake outbox gauges', () => {
  const valueOf = async (registry: Registry, name: string) =>
    (await registry.getSingleMetric(name)!.get()).values[0]!.value;

  it('sums every outbox on the registry, ages the oldest pending row, and reads each outbox once per scrape', async () => {
    const registry = new Registry();
    const reads = { a: 0, b: 0 };
    const oldest = new Date(Date.now() - 42_000);
    observeOutbox(registry, () => (reads.a++, { depth: 3, oldestReceivedAt: oldest }));
    const stopB = observeOutbox(registry, () => (reads.b++, { depth: 2, oldestReceivedAt: new Date() }));

    const text = await registry.metrics();
    expect(text).toContain(`${OUTBOX_DEPTH_GAUGE} 5`);
    expect(await valueOf(registry, OUTBOX_OLDEST_GAUGE)).toBeGreaterThanOrEqual(42);
    expect(reads).toEqual({ a: 1, b: 1 });

    stopB();
    await new Promise((r) => setTimeout(r, 300));
    expect(await valueOf(registry, OUTBOX_DEPTH_GAUGE)).toBe(3);
    expect(reads).toEqual({ a: 2, b: 1 });
  });

  it('reports an empty outbox as depth 0 and age 0', async () => {
    const registry = new Registry();
    observeOutbox(registry, () => ({ depth: 0 }));
    expect(await valueOf(registry, OUTBOX_DEPTH_GAUGE)).toBe(0);
    expect(await valueOf(registry, OUTBOX_OLDEST_GAUGE)).toBe(0);
  });
});
