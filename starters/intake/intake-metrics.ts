/** The intake's Prometheus metrics on the app registry (get-or-create: several apps may share one registry in tests). */
import { Counter, Histogram, type Registry } from 'prom-client';

export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'loop_dropped'
  | 'ignored'
  | 'signalled'
  | 'refused_401'
  | 'refused_400'
  | 'refused_413'
  | 'refused_415'
  | 'unavailable'
  | 'error';

export interface IntakeMetrics {
  outcomes: Counter<'outcome'>;
  ackSeconds: Histogram<string>;
}

export const INTAKE_COUNTER = 'onboarding_webhook_intake_total';
export const ACK_HISTOGRAM = 'onboarding_webhook_ack_seconds';

export function intakeMetrics(registry: Registry): IntakeMetrics {
  const outcomes =
    (registry.getSingleMetric(INTAKE_COUNTER) as Counter<'outcome'> | undefined) ??
    new Counter({ name: INTAKE_COUNTER, help: 'Pipedrive webhook deliveries by outcome', labelNames: ['outcome'], registers: [registry] });
  const ackSeconds =
    (registry.getSingleMetric(ACK_HISTOGRAM) as Histogram<string> | undefined) ??
    new Histogram({
      name: ACK_HISTOGRAM,
      help: 'Time from a Pipedrive webhook arriving to our answer (Pipedrive gives up after 10 s)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return { outcomes, ackSeconds };
}
