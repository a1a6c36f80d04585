/**
 * Vendor outages as ops-watch keeps them: one incident per vendor outage, whatever the number of deals it stops.
 * Workers report their breaker transitions by signal (integrations/vendor-health.ts → ops/activities/vendor-outages.ts);
 * a tick counts the onboardings in WAITING_FOR_VENDOR from visibility. An outage is told (Slack + PagerDuty) once a
 * breaker has stayed open for `alertAfterMs`, so a breaker that opens for seconds in a 429 burst pages nobody; it is
 * resolved when every reporting worker's breaker has closed, after ops-watch woke the waiting onboardings (their
 * count is the "resumed" figure). Pure: the workflow passes reports, counts and the time in.
 */

export interface VendorHealthReport {
  vendor: string;
  state: 'open' | 'closed';
  /** When the reporting breaker opened. */
  since: string;
  at: string;
  /** The worker process that saw it (`host:pid`). */
  reporter: string;
  reason?: string;
}

export interface VendorOutage {
  vendor: string;
  /** Each reporting worker's breaker, as last reported. */
  reporters: Record<string, { open: boolean; since: string; at: string }>;
  /** The incident: open from its trigger until its resolve. */
  alerted: boolean;
  /** When the outage began (the earliest open breaker). */
  since?: string;
  dedupKey?: string;
  reason?: string;
  /** Onboardings waiting for this vendor at the last tick, and the most seen during the outage. */
  waiting: number;
  peakWaiting: number;
  resolvedAt?: string;
  /** Waiting onboardings woken when the vendor came back. */
  resumed?: number;
  deliveries?: Record<string, string>;
}

export type VendorOutages = Record<string, VendorOutage>;

/** Onboardings in WAITING_FOR_VENDOR at a tick, by vendor (visibility). */
export interface VendorWaits {
  total: number;
  byVendor: Record<string, number>;
}

/** An incident's trigger or resolve, in the shape the alert activities send (ops/activities/alerts.ts). */
/** Shaped like ops/model/alerts.ts's AlertAction, written out so this model and the alerts' facts do not import each other. */
export interface OutageAlertAction {
  action: 'trigger' | 'resolve';
  kind: 'vendorOutage';
  vendor: string;
  dedupKey: string;
  value?: number;
  threshold: number;
  summary: string;
  at: string;
}

export interface OutageSettings {
  /** A breaker open this long becomes an incident (default 60 s). */
  alertAfterMs: number;
  /** A worker's open report older than this, with nobody waiting, is taken as gone (a worker that died; 15 min). */
  staleMs: number;
}

export const DEFAULT_OUTAGE_SETTINGS: OutageSettings = { alertAfterMs: 60_000, staleMs: 15 * 60_000 };

const emptyOutage = (vendor: string): VendorOutage => ({
  vendor,
  reporters: {},
  alerted: false,
  waiting: 0,
  peakWaiting: 0,
});

/** Records one worker's breaker transition. */
export function applyHealthReport(outages: VendorOutages, r: VendorHealthReport): VendorOutages {
  const prev = outages[r.vendor] ?? emptyOutage(r.vendor);
  const o: VendorOutage = {
    ...prev,
    reporters: { ...prev.reporters, [r.reporter]: { open: r.state === 'open', since: r.since, at: r.at } },
  };
  if (r.state === 'open' && !o.alerted) {
    // A new outage: what the previous one said is history.
    if (!Object.values(prev.reporters).some((x) => x.open)) {
      o.since = r.since;
      delete o.resolvedAt;
      delete o.resumed;
      delete o.deliveries;
      o.peakWaiting = 0;
    }
    if (r.reason) o.reason = r.reason.slice(0, 200);
  }
  return { ...outages, [r.vendor]: o };
}

/** Whether any worker still reports the vendor down (a stale report counts only while onboardings wait). */
export function vendorDown(o: VendorOutage, nowMs: number, s: OutageSettings): boolean {
  return Object.values(o.reporters).some((x) => x.open && (nowMs - Date.parse(x.at) < s.staleMs || o.waiting > 0));
}

export function formatOutageSummary(o: VendorOutage, action: 'trigger' | 'resolve', nowIso: string): string {
  const since = o.since ?? nowIso;
  const minutes = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(since)) / 60_000));
  return action === 'trigger'
    ? `Vendor outage: ${o.vendor} down since ${since} (${minutes} min); ${o.waiting} onboarding(s) waiting in WAITING_FOR_VENDOR${o.reason ? `; last health check: ${o.reason}` : ''}`
    : `Resolved — ${o.vendor} is back after ${minutes} min (down since ${since}); ${o.resumed ?? 0} waiting onboarding(s) resumed`;
}

/**
 * One tick: the waiting counts in, the incidents to open, and the vendors that came back (the caller wakes their
 * waiting onboardings, then calls `resolveOutage` with how many it woke).
 */
export function evaluateOutages(
  prev: VendorOutages,
  waitingByVendor: Record<string, number> | undefined,
  nowIso: string,
  s: OutageSettings = DEFAULT_OUTAGE_SETTINGS,
): { outages: VendorOutages; triggers: OutageAlertAction[]; recovered: string[] } {
  const now = Date.parse(nowIso);
  const outages: VendorOutages = {};
  const triggers: OutageAlertAction[] = [];
  const recovered: string[] = [];
  for (const [vendor, p] of Object.entries(prev)) {
    const o: VendorOutage = { ...p };
    // An unreadable count keeps the last one: a visibility hiccup neither opens nor closes an incident.
    if (waitingByVendor) o.waiting = waitingByVendor[vendor] ?? 0;
    const down = vendorDown(o, now, s);
    if (down) {
      o.peakWaiting = Math.max(o.peakWaiting, o.waiting);
      const since = o.since ?? nowIso;
      if (!o.alerted && now - Date.parse(since) >= s.alertAfterMs) {
        o.alerted = true;
        o.dedupKey = `onboarding-vendor-outage-${vendor}-${since}`;
        triggers.push({
          action: 'trigger',
          kind: 'vendorOutage',
          vendor,
          dedupKey: o.dedupKey,
          value: o.waiting,
          threshold: 0,
          summary: formatOutageSummary(o, 'trigger', nowIso),
          at: nowIso,
        });
      }
    } else if (Object.values(o.reporters).some((x) => x.open) || o.alerted || (o.since && !o.resolvedAt)) {
      // Back (or every open report gone stale): forget the reporters, wake the waiting, resolve any incident.
      o.reporters = Object.fromEntries(Object.entries(o.reporters).filter(([, x]) => !x.open));
      recovered.push(vendor);
    }
    outages[vendor] = o;
  }
  return { outages, triggers, recovered };
}

/** After the waiting onboardings were woken: the incident's resolve (when one was told), and the outage closed. */
export function resolveOutage(
  o: VendorOutage,
  resumed: number,
  nowIso: string,
): { outage: VendorOutage; action?: OutageAlertAction } {
  const outage: VendorOutage = { ...o, resumed, resolvedAt: nowIso };
  if (!o.alerted || !o.dedupKey) return { outage };
  outage.alerted = false;
  return {
    outage,
    action: {
      action: 'resolve',
      kind: 'vendorOutage',
      vendor: o.vendor,
      dedupKey: o.dedupKey,
      value: resumed,
      threshold: 0,
      summary: formatOutageSummary(outage, 'resolve', nowIso),
      at: nowIso,
    },
  };
}
