/**
 * The health card as one self-contained HTML page: inline CSS, server-drawn SVG trend charts, no script, no
 * external asset, so it needs no build step and renders the same in any browser or a screenshot. Pure.
 */
import { ONBOARDING_STATES, type OnboardingState } from '../../domain/states';
import { ALERT_TITLES, formatDuration } from '../model/alerts';
import { describeVendorOutage, type KpiTile, type OpsView, type TrendPoint } from './ops-card-view';
import type { Readiness } from '../../starters/http/routes/health';
import { escapeHtml } from '../../domain/html';

export interface OpsCardContext {
  readiness: Readiness;
  countsByState: Record<OnboardingState, number> | string;
  temporalUiUrl: string;
  namespace: string;
  /** e.g. https://acme.pipedrive.com; deal links are left out without it. */
  pipedriveBaseUrl?: string;
}

export const STATUS_COLORS = {
  green: '#2e9d4a',
  amber: '#e0a100',
  red: '#d33a2c',
  unknown: '#9aa0a6',
  info: '#3b6fd8',
} as const;

const W = 140;
const H = 36;
const PAD = 3;

/** A sparkline: one polyline per run of days with data, a dot per day, the threshold as a dashed line. */
export function trendSvg(points: TrendPoint[], color: string, threshold?: number): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const top = Math.max(...values, threshold !== undefined ? threshold * 1.25 : 0, 1e-9);
  const x = (i: number): number => PAD + (i * (W - 2 * PAD)) / Math.max(1, points.length - 1);
  const y = (v: number): number => H - PAD - (Math.min(v, top) / top) * (H - 2 * PAD);
  const runs: string[][] = [];
  let run: string[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (run.length) runs.push(run);
  const lines = runs
    .map((r) =>
      r.length > 1 ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${r.join(' ')}"/>` : '',
    )
    .join('');
  const dots = points
    .map((p, i) =>
      p.value === null
        ? ''
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${color}"><title>${escapeHtml(p.day)}: ${p.value}</title></circle>`,
    )
    .join('');
  const limit =
    threshold !== undefined
      ? `<line class="threshold" x1="${PAD}" x2="${W - PAD}" y1="${y(threshold).toFixed(1)}" y2="${y(threshold).toFixed(1)}" stroke="#d33a2c" stroke-width="1" stroke-dasharray="3 3"/>`
      : '';
  const label = `Trend over ${points.length} days${values.length ? '' : ' (no data yet)'}`;
  return `<svg class="trend" role="img" aria-label="${label}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg"><line x1="${PAD}" x2="${W - PAD}" y1="${H - PAD}" y2="${H - PAD}" stroke="#ccc" stroke-width="1"/>${limit}${lines}${dots}</svg>`;
}

function tileHtml(k: KpiTile): string {
  const color = STATUS_COLORS[k.status];
  const label = k.status === 'info' ? '' : `<span class="badge" style="background:${color}">${k.status}</span>`;
  return `<section class="kpi ${k.status}" data-kpi="${k.key}" data-status="${k.status}" style="border-top-color:${color}">
<h3>${escapeHtml(k.title)} ${label}</h3>
<div class="value" style="color:${color}">${escapeHtml(k.display)}</div>
<div class="threshold-text">${k.thresholdDisplay ? `alert above ${escapeHtml(k.thresholdDisplay)}` : '&nbsp;'}</div>
${trendSvg(k.trend, color, k.threshold)}
<p class="detail">${escapeHtml(k.detail)}</p></section>`;
}

export function renderOpsCard(v: OpsView, c: OpsCardContext): string {
  const ui = `${c.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(c.namespace)}`;
  const ready = c.readiness.ready;
  const worker =
    typeof c.readiness.worker === 'string' ? c.readiness.worker : `${c.readiness.worker.livePollers} poller(s)`;
  const tiles = v.kpis.length
    ? v.kpis.map(tileHtml).join('\n')
    : `<p class="warn">KPIs unavailable: ${escapeHtml(v.sourceError ?? 'ops-watch is not running')}. They return once a worker runs ops-watch.</p>`;
  const reviewRows = v.reviewQueue.items.length
    ? v.reviewQueue.items
        .map((i) => {
          const deal = i.pipedriveDealId
            ? c.pipedriveBaseUrl
              ? `<a href="${escapeHtml(`${c.pipedriveBaseUrl.replace(/\/$/, '')}/deal/${encodeURIComponent(i.pipedriveDealId)}`)}">deal ${escapeHtml(i.pipedriveDealId)}</a>`
              : `deal ${escapeHtml(i.pipedriveDealId)}`
            : '';
          const late = i.ageMs > (v.kpis.find((k) => k.key === 'reviewAge')?.threshold ?? Infinity);
          return `<tr class="${late ? 'late' : ''}"><td><a href="${escapeHtml(`${ui}/workflows/${encodeURIComponent(i.externalId)}`)}">${escapeHtml(i.title ?? i.externalId)}</a></td><td>${deal}</td><td>${escapeHtml(i.reason ?? i.reviewKind ?? '')}</td><td>${escapeHtml(i.owner ?? '—')}</td><td class="n">${escapeHtml(formatDuration(i.ageMs))}</td></tr>`;
        })
        .join('')
    : `<tr><td colspan="5">${v.reviewQueue.error ? escapeHtml(v.reviewQueue.error) : 'Nothing waiting for review.'}</td></tr>`;
  const r = v.reconciliation;
  const recon = r
    ? `<p>${escapeHtml(r.generatedAt)} · mismatch <b>${(r.mismatchRate * 100).toFixed(1)}%</b> (${r.counts.withProblems ?? 0} of ${r.counts.compared ?? 0} records; threshold ${(r.threshold * 100).toFixed(1)}%) · ${r.counts.missingCustomers ?? 0} missing customer(s), ${r.counts.customersWithoutDeal ?? 0} without a deal, ${r.counts.fieldMismatches ?? 0} field mismatch(es), ${r.duplicateCustomers} duplicate customer(s)</p>
<p><a href="${escapeHtml(`${ui}/workflows/${encodeURIComponent(r.workflowId)}`)}">Run ${escapeHtml(r.workflowId)}</a>${r.reportPath ? ` · report <code>${escapeHtml(r.reportPath)}</code>` : ''}</p>`
    : '<p>No reconciliation has completed yet (daily schedule <code>reconciliation-daily</code>, or <code>npm run cli -- reconcile</code>).</p>';
  const open = v.alerts.filter((a) => a.open);
  const alerts = open.length
    ? `<ul class="alerts">${open
        .map(
          (a) =>
            `<li class="alert-open" data-alert="${a.kind}"><b>${escapeHtml(ALERT_TITLES[a.kind])}</b> since ${escapeHtml(a.since ?? '?')} · ${Object.entries(
              a.deliveries ?? {},
            )
              .map(([ch, s]) => `${escapeHtml(ch)}: ${escapeHtml(s)}`)
              .join(', ')}</li>`,
        )
        .join('')}</ul>`
    : '<p class="ok">No open alerts.</p>';
  const outages = v.vendorOutages.length
    ? `<ul class="alerts" id="vendor-outages">${v.vendorOutages.map((o) => `<li class="${o.alerted ? 'alert-open' : 'muted'}" data-vendor="${escapeHtml(o.vendor)}">${escapeHtml(describeVendorOutage(o))}</li>`).join('')}</ul>`
    : '';
  const waiting = v.waitingForVendor
    ? `<p id="waiting-for-vendor">Waiting for a vendor: <b>${v.waitingForVendor.total}</b>${Object.entries(
        v.waitingForVendor.byVendor,
      )
        .map(([k, n]) => ` · ${escapeHtml(k)} ${n}`)
        .join('')}</p>`
    : '';
  const counts =
    typeof c.countsByState === 'string'
      ? `<tr><td colspan="2">${escapeHtml(c.countsByState)}</td></tr>`
      : ONBOARDING_STATES.map(
          (s) => `<tr><td>${s}</td><td class="n">${(c.countsByState as Record<OnboardingState, number>)[s]}</td></tr>`,
        ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Onboarding health</title>
<meta http-equiv="refresh" content="15"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem auto;max-width:68rem;padding:0 1rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}h3{font-size:.85rem;margin:0;color:#444;font-weight:600;display:flex;justify-content:space-between;align-items:flex-start;gap:.4rem}
.dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;vertical-align:baseline}.ready{background:${STATUS_COLORS.green}}.notready{background:${STATUS_COLORS.red}}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.8rem}
.kpi{background:#fff;border:1px solid #e3e3e3;border-top:5px solid;border-radius:6px;padding:.7rem .8rem}
.kpi .value{font-size:1.7rem;font-weight:700;margin:.2rem 0 0;font-variant-numeric:tabular-nums}.threshold-text,.detail{color:#666;font-size:.8rem;margin:.1rem 0}
.badge{color:#fff;border-radius:3px;padding:0 .35rem;font-size:.7rem;text-transform:uppercase;line-height:1.4}
table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:.3rem .6rem;border-bottom:1px solid #e3e3e3;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}
tr.late td{background:#fdecea}.warn{background:#fff4e5;padding:.6rem;border-radius:4px}.ok{color:${STATUS_COLORS.green}}
.alerts li{color:${STATUS_COLORS.red}}.muted{color:#777;font-size:.8rem}code{font-size:.8rem}
</style></head>
<body><h1>Onboarding health</h1>
<p><span class="dot ${ready ? 'ready' : 'notready'}"></span> ${ready ? 'Ready' : 'Not ready'} · Temporal: ${escapeHtml(String(c.readiness.temporal))} · Worker: ${escapeHtml(worker)} · <a href="${escapeHtml(`${ui}/workflows`)}">Temporal Web UI</a></p>
<p class="muted">Last ${v.window.days} days (${escapeHtml(v.window.from)} → ${escapeHtml(v.window.to)}) · generated ${escapeHtml(v.generatedAt)}${v.lastTickAt ? ` · ops-watch checked ${escapeHtml(v.lastTickAt)}` : ''} · <a href="ops.json">JSON</a> · <a href="metrics">metrics</a></p>
<h2>Health signals</h2>
<div class="grid" id="kpis">${tiles}</div>
<h2>Open alerts</h2>${alerts}${outages}${waiting}
<h2>Review queue (${v.reviewQueue.size})</h2>
<table id="review-queue"><thead><tr><th>Deal</th><th>Pipedrive</th><th>Reason</th><th>Owner</th><th class="n">Waiting</th></tr></thead><tbody>${reviewRows}</tbody></table>
<h2>Last reconciliation</h2><div id="reconciliation">${recon}</div>
<h2>Onboardings by state</h2>
<table><thead><tr><th>State</th><th class="n">Onboardings</th></tr></thead><tbody>${counts}</tbody></table>
</body></html>`;
}
