/**
 * The ops health card on the stack exactly as `npm start` runs it: after a few demo deals, GET /ops.json and /ops show
 * live KPIs from the ops-watch workflow (numbers, not placeholders), /metrics carries the health gauges, `cli report
 * --week` prints the same figures, and a headless Chromium renders the page with its coloured tiles and SVG trends
 * (screenshot saved under the test's temp dir; skipped, saying why, only when /usr/bin/chromium is absent).
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { NetSuiteHttp } from '../../integrations/netsuite/netsuite-http';
import type { RecordedEvent } from '../../sandbox/pagerduty';
import { runDemo } from '../../scripts/demo';
import { stateQuery } from '../../workflows/messages';
import type { OpsView } from '../../ops/http/ops-card-view';
import { runOpsCli } from '../helpers/ops-cli-process';
import { startStack, stackEnv, type StackJson, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);

const CHROMIUM = '/usr/bin/chromium';

/** Runs in the page (no DOM types in this project's tsconfig): one computed style property of an element. */
const computedStyle = (el: unknown, prop: string): string =>
  (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el)[prop]!;

describe('ops health card (npm start, sandbox simulators)', () => {
  let stack: StackProcess;
  let json: StackJson;
  let dir: string;
  let view: OpsView & { readiness: { ready: boolean } };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ops-card-e2e-'));
    // A short ops-watch tick, so the card catches up within seconds of the deals.
    stack = startStack({ ...(await stackEnv(join(dir, 'data'))), OPS_WATCH_INTERVAL_SECONDS: '2' });
    json = await stack.ready();
  });
  afterAll(async () => {
    await stack?.interrupt();
  });

  it('shows live KPIs after a demo run: JSON, HTML, metrics and the CLI report agree', async () => {
    const demo = await runDemo({ stack: json, deals: 3, concurrency: 3, timeoutMs: 180_000, log: () => undefined });
    expect(demo).toMatchObject({ deals: 3, completed: 3 });

    // Every onboarding reported to ops-watch by signal; its next tick's figures reach the card.
    for (let i = 0; ; i++) {
      view = (await axios.get(`${json.ops.url}/ops.json`)).data;
      if (view.source === 'ops-watch' && view.week && view.week.newCustomers >= 3 && view.week.completed >= 3) break;
      if (i > 240) throw new Error(`ops card never showed the demo deals: ${JSON.stringify(view).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(view.readiness.ready).toBe(true);
    expect(view.week).toMatchObject({ received: 3, newCustomers: 3, invoicesCreated: 3, completed: 3, slaBreaches: 0 });
    const tile = (key: string) => view.kpis.find((k) => k.key === key)!;
    expect(tile('slaBreaches')).toMatchObject({ value: 0, display: '0.0%', status: 'green', threshold: 0.05 });
    expect(tile('invoiceSuccess')).toMatchObject({ value: 1, display: '100.0%' });
    expect(tile('signedToCustomer').value).toBeGreaterThan(0);
    expect(tile('signedToCustomer').display).toMatch(/^p50 \d+/);
    expect(tile('reviewAge')).toMatchObject({ value: 0, status: 'green' });
    // Today's point of the SLA trend is drawn from the same day bucket.
    expect(tile('slaBreaches').trend.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), value: 0 });
    expect(view.alerts.filter((a) => a.open)).toEqual([]);

    const html = (await axios.get<string>(`${json.ops.url}/ops`, { responseType: 'text' })).data;
    expect(html).not.toContain('KPIs unavailable');
    expect(html).toMatch(/data-kpi="slaBreaches" data-status="green"/);
    expect(html).toContain('100.0%');
    expect(html.match(/<svg class="trend"/g)?.length).toBe(view.kpis.length);
    expect(html).toContain('Ready');

    const metrics = (await axios.get<string>(`${json.ops.url}/metrics`, { responseType: 'text' })).data;
    expect(metrics).toMatch(/^onboarding_sla_breach_rate 0$/m);
    expect(metrics).toMatch(/^onboarding_invoice_success_rate 1$/m);
    expect(metrics).toMatch(/^onboarding_review_queue_size 0$/m);
    expect(metrics).toMatch(/^onboarding_ops_alert_open\{kind="slaBreaches"\} 0$/m);

    const temporal = { address: json.temporal.address, namespace: json.temporal.namespace };
    const text = await runOpsCli(temporal, 'report', '--week');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Customer SLA breaches\s+0\.0%\s+\(threshold 5\.0%\)/);
    expect(text.stdout).toMatch(/Week: 3 deal\(s\) received, 3 new customer\(s\), 3 completed/);
    const asJson = await runOpsCli(temporal, 'report', '--week', '--json');
    const reported = JSON.parse(asJson.stdout) as OpsView;
    expect(reported.week).toMatchObject({ received: 3, newCustomers: 3 });
    expect(reported.kpis.map((k) => [k.key, k.display])).toEqual(view.kpis.map((k) => [k.key, k.display]));
  });

  it('pages once per breach after a damaging reconciliation: Slack to the billing lead, PagerDuty triggers, red tiles', async () => {
    const temporal = { address: json.temporal.address, namespace: json.temporal.namespace };
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace });
    const customers: string[] = [];
    for await (const wf of client.workflow.list({ query: `OnboardingState = 'COMPLETED'` })) {
      customers.push((await client.workflow.getHandle(wf.workflowId).query(stateQuery)).netsuiteCustomerId!);
    }
    await connection.close();
    expect(customers).toHaveLength(3);

    // Damage as an admin would do it in NetSuite: one e-mail changed (a mismatch), one customer copied by an old
    // connector under another external id with the same e-mail (a duplicate).
    const ns = json.netsuite!;
    const http = new NetSuiteHttp({
      baseUrl: ns.url,
      accountId: ns.accountId,
      consumerKey: ns.consumerKey,
      consumerSecret: ns.consumerSecret,
      tokenId: ns.tokenId,
      tokenSecret: ns.tokenSecret,
      concurrencyLimit: 2,
    });
    await http.request('PATCH', `record/v1/customer/${customers[0]}`, {
      body: { email: 'someone.else@changed.example' },
    });
    const copiedEmail = ((await http.request('GET', `record/v1/customer/${customers[1]}`)).body as { email: string })
      .email;
    await http.request('PUT', `record/v1/customer/eid:LEGACY-CONNECTOR-${Date.now()}`, {
      body: {
        companyName: 'Created by the old connector',
        isPerson: false,
        email: copiedEmail,
        subsidiary: { id: '1' },
      },
    });
    const reconciled = await runOpsCli(temporal, 'reconcile', '--json');
    expect(reconciled.code).toBe(0);
    // The changed e-mail and the duplicated customer's record: 2 of the 3 compared.
    const mismatch = (JSON.parse(reconciled.stdout) as { mismatchRate: number }).mismatchRate;
    expect(mismatch).toBeCloseTo(2 / 3);

    const pdEvents = async (): Promise<RecordedEvent[]> =>
      (await axios.get<{ events: RecordedEvent[] }>(json.pagerduty!.url.replace('/v2/enqueue', '/__sim/events'))).data
        .events;
    let triggers: RecordedEvent[] = [];
    for (let i = 0; i < 240 && triggers.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 500));
      triggers = (await pdEvents()).filter((e) => e.event_action === 'trigger');
    }
    expect(triggers.map((e) => e.dedup_key.replace(/-\d{4}-.*$/, '')).sort()).toEqual([
      'onboarding-duplicates',
      'onboarding-reconciliation',
    ]);

    const slackSim = json.slack!.url.replace(/\/api\/$/, '');
    const lead = (
      await axios.get<{ messages: Array<{ text: string }> }>(`${slackSim}/__sim/messages`, {
        params: { channel: 'C0ESCAL' },
      })
    ).data.messages;
    expect(lead.map((m) => m.text).join('\n')).toMatch(/Reconciliation mismatches: 66\.7% \(threshold 2\.0%\)/);
    // One duplicate customer over the week's 3 new customers.
    expect(lead.map((m) => m.text).join('\n')).toMatch(/Duplicate customers: 33\.3% \(threshold 0\.50%\)/);

    const after: OpsView = (await axios.get(`${json.ops.url}/ops.json`)).data;
    expect(
      after.alerts
        .filter((a) => a.open)
        .map((a) => a.kind)
        .sort(),
    ).toEqual(['duplicates', 'reconciliation']);
    expect(after.kpis.find((k) => k.key === 'reconciliation')).toMatchObject({ status: 'red', display: '66.7%' });
    expect(after.reconciliation).toMatchObject({ duplicateCustomers: 1 });
    const html = (await axios.get<string>(`${json.ops.url}/ops`, { responseType: 'text' })).data;
    expect(html).toMatch(/data-kpi="reconciliation" data-status="red"/);
    expect(html).toMatch(/data-alert="duplicates"/);

    // Several ticks later (2 s each): still one trigger per breach, one message each.
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await pdEvents()).filter((e) => e.event_action === 'trigger')).toHaveLength(2);
    expect(
      (await axios.get<{ messages: unknown[] }>(`${slackSim}/__sim/messages`, { params: { channel: 'C0ESCAL' } })).data
        .messages,
    ).toHaveLength(lead.length);
  });

  (existsSync(CHROMIUM) ? it : it.skip)(
    'renders in headless Chromium: coloured KPI tiles and drawn trend charts (screenshot saved)',
    async () => {
      const { chromium } = await import('playwright-core');
      // A fresh profile per run (playwright passes it as --user-data-dir).
      const browser = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'chromium-')), {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        viewport: { width: 1280, height: 1000 },
      });
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(`${json.ops.url}/ops`, { waitUntil: 'load' });
        const tiles = page.locator('section.kpi');
        expect(await tiles.count()).toBeGreaterThanOrEqual(4);
        const sla = page.locator('section.kpi[data-kpi="slaBreaches"]');
        expect(await sla.locator('.value').innerText()).toBe('0.0%');
        // Green as rendered (border and figure), not only as a class name.
        expect(await sla.evaluate(computedStyle, 'borderTopColor')).toBe('rgb(46, 157, 74)');
        expect(await sla.locator('.value').evaluate(computedStyle, 'color')).toBe('rgb(46, 157, 74)');
        // The chart is drawn: an SVG with a laid-out size and today's point.
        const svg = sla.locator('svg.trend');
        const box = await svg.boundingBox();
        expect(box?.width).toBeGreaterThan(100);
        expect(box?.height).toBeGreaterThan(20);
        expect(await svg.locator('circle').count()).toBeGreaterThanOrEqual(1);
        expect(await page.locator('#review-queue').isVisible()).toBe(true);
        const png = join(dir, 'ops-card.png');
        await page.screenshot({ path: png, fullPage: true });
        expect(statSync(png).size).toBeGreaterThan(10_000);
        process.stderr.write(`ops card screenshot: ${png}\n`);
      } finally {
        await browser.close();
      }
    },
  );

  if (!existsSync(CHROMIUM)) {
    it('explains the skipped screenshot test', () => {
      process.stderr.write(`ops card screenshot test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)\n`);
    });
  }
});
