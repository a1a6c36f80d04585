/**
 * Waiting out a vendor outage (docs/architecture.md, "Vendor outages"). An activity that meets a vendor whose circuit
 * breaker is open fails at once with VENDOR_DOWN instead of burning its retries; the onboarding parks in
 * WAITING_FOR_VENDOR and tries the same step again after a durable timer (30 s doubling to 5 min) or as soon as
 * ops-watch signals `vendorRecovered`. An outage longer than the run's `vendorOutageReviewAfterMs` (default 4 h) sends
 * it to review with reason `vendor_outage`. Behind `patched(VENDOR_OUTAGE_PATCH)` at the call site.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineSignal,
  setHandler,
  upsertMemo,
} from '@temporalio/workflow';
import { FAILURE } from '../domain/failure-types';
import { reviewReason } from '../domain/review-reason';
import type { OnboardingState } from '../domain/states';
import type { CarriedVendorWait } from '../domain/transaction';
import { SIGNALS } from '../domain/temporal-names';
import { NeedsReview } from './needs-review';
import type { TransactionLog } from './transaction-log';

export const VENDOR_OUTAGE_PATCH = 'vendor-outage-wait';
export const DEFAULT_VENDOR_OUTAGE_REVIEW_AFTER_MS = 4 * 3_600_000;
export const VENDOR_WAIT_FIRST_MS = 30_000;
export const VENDOR_WAIT_MAX_MS = 5 * 60_000;
/** The review reason (and `ReviewReason` search attribute) of an onboarding that waited out the whole allowance. */
export const VENDOR_OUTAGE_REASON = 'vendor_outage';

export const vendorRecoveredSignal = defineSignal<[{ vendor: string; at?: string }]>(SIGNALS.vendorRecovered);

export interface VendorDown {
  vendor: string;
  /** When the breaker opened, as the worker saw it. */
  since?: string;
  /** An async job failed while the vendor was failing many callers: the retry submits a new job. */
  jobFailed?: boolean;
}

/** The vendor an activity failure says is down; undefined for any other failure. */
export function vendorDownOf(err: unknown): VendorDown | undefined {
  // A local activity's failure (the billing rules, which may reload NetSuite's reference data) arrives unwrapped.
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || failure.type !== FAILURE.vendorDown) return undefined;
  const d = failure.details?.[0] as { vendor?: unknown; since?: unknown; jobFailed?: unknown } | undefined;
  return {
    vendor: typeof d?.vendor === 'string' ? d.vendor : 'vendor',
    ...(typeof d?.since === 'string' ? { since: d.since } : {}),
    ...(d?.jobFailed === true ? { jobFailed: true } : {}),
  };
}

/**
 * One onboarding's outage waits. An episode lasts from the first VENDOR_DOWN until the run gets past the step it
 * was on (`progress` grew) or meets another vendor: its start is what the review allowance counts from, and its
 * timer backs off across repeated VENDOR_DOWNs of the same step.
 */
export class VendorOutageWait {
  private episode:
    { vendor: string; sinceMs: number; progress: number; waits: number; breakerSince?: string } | undefined;
  private recovered = false;
  /** Whether this run has named the vendor in its memo (a run that continued as new mid-wait has not yet). */
  private memoSet = false;

  constructor(
    private readonly tx: TransactionLog,
    private readonly reviewAfterMs: number = DEFAULT_VENDOR_OUTAGE_REVIEW_AFTER_MS,
    carried?: CarriedVendorWait,
  ) {
    // A run that continued as new while waiting keeps the episode: the allowance counts from the first VENDOR_DOWN,
    // not from the hand-over, and the timer backs off from where it was.
    const sinceMs = carried ? Date.parse(carried.since) : Number.NaN;
    if (carried && Number.isFinite(sinceMs))
      this.episode = {
        vendor: carried.vendor,
        sinceMs,
        progress: carried.progress,
        waits: carried.waits,
        ...(carried.breakerSince !== undefined ? { breakerSince: carried.breakerSince } : {}),
      };
    setHandler(vendorRecoveredSignal, (s) => {
      if (this.episode?.vendor !== s.vendor) return;
      this.recovered = true;
      this.tx.audit({ step: 'vendor-recovered', outcome: 'info', detail: `${String(s.vendor).slice(0, 32)} is back` });
    });
  }

  /** The episode to hand over when the run continues as new; undefined when there is none. */
  carry(): CarriedVendorWait | undefined {
    const e = this.episode;
    if (!e) return undefined;
    return {
      vendor: e.vendor,
      since: new Date(e.sinceMs).toISOString(),
      progress: e.progress,
      waits: e.waits,
      ...(e.breakerSince !== undefined ? { breakerSince: e.breakerSince } : {}),
    };
  }

  /**
   * Parks until the vendor is back (timer or signal) and returns `resume`, or `cancelled` when `isCancelled` turns
   * true meanwhile, or the review to open when the outage outlasted the allowance.
   */
  async wait(
    down: VendorDown,
    progress: number,
    isCancelled: () => boolean,
  ): Promise<'resume' | 'cancelled' | NeedsReview> {
    const now = Date.now();
    if (!this.episode || this.episode.vendor !== down.vendor || progress > this.episode.progress) {
      this.episode = { vendor: down.vendor, sinceMs: now, progress, waits: 0 };
    }
    const episode = this.episode;
    // A breaker that opened again (a new outage, or a short one after a recovery) starts the backoff over; the
    // allowance still counts from the episode's start.
    if (down.since !== undefined && episode.breakerSince !== undefined && down.since !== episode.breakerSince)
      episode.waits = 0;
    if (down.since !== undefined) episode.breakerSince = down.since;
    const left = episode.sinceMs + this.reviewAfterMs - now;
    const since = new Date(episode.sinceMs).toISOString();
    if (left <= 0) {
      this.episode = undefined;
      const hours = Math.round((this.reviewAfterMs / 3_600_000) * 10) / 10;
      return new NeedsReview('transient', [
        reviewReason(
          `vendor.${episode.vendor}`,
          VENDOR_OUTAGE_REASON,
          `${episode.vendor} has been down since ${since} (more than ${hours} h); this onboarding waited and nothing failed on its own.`,
          {
            suggestion: `Retry once ${episode.vendor} is back (all of them at once: npm run cli -- retry --reason ${VENDOR_OUTAGE_REASON}).`,
          },
        ),
      ]);
    }
    const resumeState: OnboardingState = this.tx.state.state;
    const delay = Math.min(VENDOR_WAIT_FIRST_MS * 2 ** episode.waits, VENDOR_WAIT_MAX_MS, left);
    episode.waits += 1;
    if (episode.waits === 1 || !this.memoSet) {
      // What ops-watch counts per vendor (visibility lists the WAITING_FOR_VENDOR runs with their memo).
      upsertMemo({ waitingForVendor: episode.vendor, waitingForVendorSince: since });
      this.memoSet = true;
    }
    this.tx.enter('WAITING_FOR_VENDOR');
    this.tx.audit({
      step: 'vendor-wait',
      outcome: 'info',
      attempt: episode.waits,
      detail: `${episode.vendor} down${down.since ? ` (breaker open since ${down.since})` : ''}; next try in ${Math.round(delay / 1000)} s`,
    });
    this.recovered = false;
    await condition(() => this.recovered || isCancelled(), delay);
    if (isCancelled()) return 'cancelled';
    this.tx.enter(resumeState);
    return 'resume';
  }
}
