/** The intake's Prometheus metrics on the app registry (get-or-create: several apps may share one registry in tests). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'loop_dropped'
  | 'ignored'
  | 'signalled'
  /** Written to the outbox; the real outcome did not come within INTAKE_ACK_BUDGET_MS (the drainer carries on). */
  | 'queued'
  /** Temporal refused it deterministically; kept in the outbox's dead letters for `cli intake replay`. */
  | 'dead_lettered'
  | 'refused_401'
  | 'refused_400'
  | 'refused_413'
  | 'refused_415'
  | 'unavailable'
  | 'error';

export interface IntakeMetrics {
  outcomes: Counter<'outcome'>;
  ackSeconds: Histogram<string>;
  /** Drain attempts by the intake's outcome and whether it was final (row deleted) or will be retried. */
  drained: Counter<'outcome' | 'final'>;
  /** Outbox group commits (transaction + fsync): what a webhook answer waits for on the disk. */
  commitSeconds: Histogram<string>;
  /** Deliveries moved to the dead letters (Temporal refused them deterministically). */
  deadLettered: Counter<string>;
}

export const INTAKE_COUNTER = 'onboarding_webhook_intake_total';
export const ACK_HISTOGRAM = 'onboarding_webhook_ack_seconds';
export const DRAINED_COUNTER = 'onboarding_intake_outbox_drained_total';
export const COMMIT_HISTOGRAM = 'onboarding_intake_outbox_commit_seconds';
export const OUTBOX_DEPTH_GAUGE = 'onboarding_intake_outbox_depth';
export const OUTBOX_OLDEST_GAUGE = 'onboarding_intake_outbox_oldest_pending_seconds';
export const DEAD_LETTERED_COUNTER = 'onboarding_intake_dead_lettered_total';
/** Alert on > 0: each one is a delivery no workflow was started for until an operator replays it (docs/trust-boundaries.md). */
export const DEAD_LETTERS_GAUGE = 'onboarding_intake_dead_letters';

export function intakeMetrics(registry: Registry): IntakeMetrics {
  const outcomes =
    (registry.getSingleMetric(INTAKE_COUNTER) as Counter<'outcome'> | undefined) ??
    new Counter({
      name: INTAKE_COUNTER,
      help: 'Pipedrive webhook deliveries by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    });
  const ackSeconds =
    (registry.getSingleMetric(ACK_HISTOGRAM) as Histogram<string> | undefined) ??
    new Histogram({
      name: ACK_HISTOGRAM,
      help: 'Time from a Pipedrive webhook arriving to our answer (Pipedrive gives up after 10 s)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  const drained =
    (registry.getSingleMetric(DRAINED_COUNTER) as Counter<'outcome' | 'final'> | undefined) ??
    new Counter({
      name: DRAINED_COUNTER,
      help: 'Intake outbox drain attempts by outcome; final="false" ones are retried',
      labelNames: ['outcome', 'final'],
      registers: [registry],
    });
  const commitSeconds =
    (registry.getSingleMetric(COMMIT_HISTOGRAM) as Histogram<string> | undefined) ??
    new Histogram({
      name: COMMIT_HISTOGRAM,
      help: 'Intake outbox group commits (transaction and fsync) that webhook answers wait for',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
  const deadLettered =
    (registry.getSingleMetric(DEAD_LETTERED_COUNTER) as Counter<string> | undefined) ??
    new Counter({
      name: DEAD_LETTERED_COUNTER,
      help: 'Intake deliveries Temporal refused deterministically, moved to the dead letters',
      registers: [registry],
    });
  return { outcomes, ackSeconds, drained, commitSeconds, deadLettered };
}

type OutboxStats = () => { depth: number; oldestReceivedAt?: Date; deadLetters?: number };
const SCRAPE_READ_REUSE_MS = 250;
const outboxSources = new WeakMap<Registry, Set<OutboxStats>>();

/**
 * Depth and oldest-pending-age gauges, read from the outbox on each scrape. Returns the unregister function (an app
 * closing stops reporting its outbox; several apps on one registry in tests add up).
 */
export function observeOutbox(registry: Registry, stats: OutboxStats): () => void {
  let sources = outboxSources.get(registry);
  if (!sources) {
    const set = new Set<OutboxStats>();
    sources = set;
    outboxSources.set(registry, set);
    // Both gauges are collected in the same scrape: one outbox read serves the pair.
    let last: { at: number; value: { depth: number; oldest?: number; deadLetters: number } } | undefined;
    const read = (): { depth: number; oldest?: number; deadLetters: number } => {
      if (last && Date.now() - last.at < SCRAPE_READ_REUSE_MS) return last.value;
      let depth = 0;
      let deadLetters = 0;
      let oldest: number | undefined;
      for (const s of set) {
        const r = s();
        depth += r.depth;
        deadLetters += r.deadLetters ?? 0;
        if (r.oldestReceivedAt && (oldest === undefined || r.oldestReceivedAt.getTime() < oldest))
          oldest = r.oldestReceivedAt.getTime();
      }
      last = { at: Date.now(), value: { depth, oldest, deadLetters } };
      return last.value;
    };
    if (!registry.getSingleMetric(OUTBOX_DEPTH_GAUGE)) {
      new Gauge({
        name: OUTBOX_DEPTH_GAUGE,
        help: 'Webhook deliveries written to the intake outbox and not yet handled',
        registers: [registry],
        collect() {
          this.set(read().depth);
        },
      });
      new Gauge({
        name: OUTBOX_OLDEST_GAUGE,
        help: 'Age of the oldest delivery still pending in the intake outbox (0 when empty)',
        registers: [registry],
        collect() {
          const { oldest } = read();
          this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
        },
      });
      new Gauge({
        name: DEAD_LETTERS_GAUGE,
        help: 'Intake deliveries set aside as dead letters, waiting for `cli intake replay` (alert when > 0)',
        registers: [registry],
        collect() {
          this.set(read().deadLetters);
        },
      });
    }
  }
  sources.add(stats);
  const own = sources;
  return () => void own.delete(stats);
}
