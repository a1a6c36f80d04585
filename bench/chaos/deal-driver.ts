/**
 * Drives signed deals through the Pipedrive simulator as people would: each deal is created, then dragged to
 * "Contract Signed", so the real webhook (with Pipedrive's retry schedule) reaches the app. Open loop at a fixed
 * rate with a cap on requests in flight, so a slow app delays the arrivals instead of queueing without bound here.
 */
import axios from 'axios';

const COUNTRIES = ['US', 'GB', 'DE', 'NL', 'CA', 'AU'];

export interface DriveOptions {
  pipedriveUrl: string;
  count: number;
  /** Deals moved to Contract Signed per second (0 = as fast as `concurrency` allows). */
  ratePerSecond: number;
  concurrency: number;
  /** Fields left out of deal i (`tax_id` sends it to review). */
  omit?: (i: number) => string[];
  /** Called with the count driven so far, about once a second. */
  onProgress?: (driven: number) => void;
}

export interface DriveResult {
  dealIds: string[];
  /** Deal ids expected to end in review (fields omitted). */
  reviewDealIds: string[];
  seconds: number;
  /** Simulator calls that failed after our own retries (the deal is then not counted as driven). */
  errors: number;
}

export async function driveDeals(o: DriveOptions): Promise<DriveResult> {
  const http = axios.create({ baseURL: o.pipedriveUrl, timeout: 30_000 });
  const today = new Date().toISOString().slice(0, 10);
  const dealIds: string[] = [];
  const reviewDealIds: string[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  const progress = setInterval(() => o.onProgress?.(dealIds.length), 1_000);
  const retrying = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(o.concurrency, o.count)) }, async () => {
        while (next < o.count) {
          const i = next++;
          if (o.ratePerSecond > 0) {
            const due = t0 + (i * 1000) / o.ratePerSecond;
            const wait = due - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          const omit = o.omit?.(i) ?? [];
          try {
            const created = await retrying(() =>
              http.post('/__sim/deals', {
                country: COUNTRIES[i % COUNTRIES.length],
                invoice_date: today,
                ...(omit.length ? { omit } : {}),
              }),
            );
            const id = String(created.data.data.deal.id);
            await retrying(() => http.post(`/__sim/deals/${id}/move`, { stage_name: 'Contract Signed' }));
            dealIds.push(id);
            if (omit.length) reviewDealIds.push(id);
          } catch {
            errors += 1;
          }
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return { dealIds, reviewDealIds, seconds: (performance.now() - t0) / 1000, errors };
}
