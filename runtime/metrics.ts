/** The app's Prometheus registry: process metrics plus the product's own counters (added by the features that own them). */
import { Registry, collectDefaultMetrics } from 'prom-client';

export function createRegistry(prefix = 'onboarding_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
