/**
 * Means of the Temporal SDK's own histograms (the worker's Prometheus endpoint, WORKER_METRICS_PORT) over an interval:
 * read before and after, then `meansBetween`. Units are the SDK's (milliseconds).
 */
import axios from 'axios';

export type MetricSnapshot = Map<string, { sum: number; count: number }>;

/** `name{labels}` → {sum, count} for every histogram series in the text. */
export async function snapshot(metricsUrl: string): Promise<MetricSnapshot> {
  const text = (await axios.get<string>(metricsUrl, { timeout: 10_000, responseType: 'text' })).data;
  const out: MetricSnapshot = new Map();
  for (const line of text.split('\n')) {
    const m = /^(\w+)_(sum|count)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) continue;
    const key = `${m[1]}${m[3] ?? ''}`;
    const entry = out.get(key) ?? { sum: 0, count: 0 };
    entry[m[2] as 'sum' | 'count'] = Number(m[4]);
    out.set(key, entry);
  }
  return out;
}

/** Mean over [before, after] of the series of `name` whose labels contain every `label="value"` in `labels`. */
export function meanBetween(
  before: MetricSnapshot,
  after: MetricSnapshot,
  name: string,
  labels: string[] = [],
): { mean: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const [key, v] of after) {
    if (!(key === name || key.startsWith(`${name}{`))) continue;
    if (!labels.every((l) => key.includes(l))) continue;
    const b = before.get(key) ?? { sum: 0, count: 0 };
    sum += v.sum - b.sum;
    count += v.count - b.count;
  }
  return { mean: count ? Math.round((sum / count) * 10) / 10 : Number.NaN, count };
}
