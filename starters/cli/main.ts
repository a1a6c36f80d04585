/**
 * Ops CLI: `npm run cli -- <command> [args] [--json] [--as <name>]`. Every decision is sent as the same signal
 * Slack buttons send, and records who made it: `cli:<os user>`, with an --as name only as a claim beside it.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ReviewAction } from '../../domain/transaction';
import { checkFixes, describeRefusedFixes } from '../../domain/review-fixes';
import { claimOf, cliActor } from '../../domain/review-actor';
import { loadConfigOrExit } from '../../runtime/load-config';
import { connectClient } from '../../runtime/temporal-connection';
import { pauseSignal, resumeSignal, reviewSignal, stateQuery } from '../../workflows/messages';
import { formatQueue, listByState } from './list-by-state';
import { formatReconcileSummary, NoWorkerError, runReconcileCommand } from './reconcile-command';
import { formatShadowReport, readShadowReport } from './shadow-report-command';
import { formatBackfillSummary, runBackfillCommand } from './backfill-command';
import { formatOpsReport, runReportCommand } from './report-command';
import { formatDeadLetters, IntakeCommandError, runIntakeCommand } from './intake-command';
import { runDoctor } from './doctor-command';
import { BulkReviewUsageError, formatBulkReview, runBulkReview } from './bulk-review-command';

const USAGE = `usage: npm run cli -- <command> [options]

  status <external_id>      the transaction's state and audit trail
  queue [--state S]         onboardings waiting for review (or in state S)
  retry <external_id> [--remap]
                            mark reviewed and retry from the failed step; --remap reads the deal with the worker's
                            current mapping template instead of the one the run pinned (fix also takes --remap)
  retry --reason <code> [--since ISO] [--dry-run] [--remap]
  cancel --reason <code> [--since ISO] [--dry-run]
                            the same decision for every onboarding in review for that ReviewReason (e.g.
                            vendor_outage, retries_exhausted), each audited as a single click; progress on stderr
  fix <external_id> --field <path>=<value> [--field …]
                            apply corrected fields (e.g. organization.taxId=DE123456789) and retry
  link <external_id> --customer <netsuite id>
                            onboard against an existing NetSuite customer (possible duplicates)
  cancel <external_id>      cancel the onboarding
  pause <external_id>       pause between steps
  resume <external_id>      resume a paused onboarding
  reconcile [--start-missing] [--task-queue Q]
                            compare signed Pipedrive deals with NetSuite customers now (the daily schedule's
                            workflow), wait, print the summary and the stored report's path; --start-missing starts
                            onboardings for signed deals with neither a customer nor a workflow
  backfill [--dry-run] [--page-size N] [--task-queue Q]
                            cutover: match every signed deal to NetSuite (externalId, email, company), write missing
                            external ids, start onboarding where nothing exists, never touch suspected duplicates or
                            another deal's customer; prints totals and the per-deal report's path (.data/reports);
                            runs as the workflow "backfill" (or "backfill-dry-run"): Ctrl-C leaves it running, run
                            again to attach
  report --week             the week's health figures (the /ops card): KPIs against their thresholds with 7-day
                            trends, review queue, last reconciliation, open alerts; exit 1 when ops-watch is not running
  intake dead-letters       deliveries Temporal refused for good (e.g. an id over its limits), set aside so the
                            rest drain; alert: onboarding_intake_dead_letters > 0
  intake replay <id>        put dead letter <id> back in the intake outbox (the running app drains it)
  doctor [--fix]            go-live preflight: checks the mapping template against Pipedrive, NetSuite, Slack and
                            Temporal with the configured credentials (read-only), one line per check with the exact
                            fix, exit 1 on any failure; --fix creates missing Pipedrive custom fields and Temporal
                            search attributes, and lists each change. NetSuite write access is checked without
                            writing: NETSUITE_ROLE_ID (the token's role) reads its permission list, else a write
                            that cannot write (empty PATCH to no record, empty invoice POST) shows if it is refused
  shadow-report [--since ISO]
                            the NetSuite writes shadow mode (SHADOW_MODE=true) recorded instead of making them

options: --json  machine-readable output · --reason <text>
         --as <name>  on whose behalf you decide: recorded as a claim beside the actor, cli:<os user>`;

class UsageError extends Error {}

async function run(
  client: Client,
  command: string,
  id: string | undefined,
  o: {
    json: boolean;
    as: string;
    claimedAs?: string;
    reason?: string;
    since?: string;
    state?: string;
    field?: string[];
    customer?: string;
    startMissing?: boolean;
    taskQueue?: string;
    namespace: string;
    dryRun?: boolean;
    pageSize?: number;
    remap?: boolean;
  },
): Promise<unknown> {
  const need = (): string => {
    if (!id) throw new UsageError(`${command} needs an external_id`);
    return id;
  };
  const claim = o.claimedAs ? { claimedAs: o.claimedAs } : {};
  // A run keeps the mapping template it first read the deal with; --remap lets it take the current one (mapping-pin.ts).
  const remap = o.remap ? { remap: true } : {};
  switch (command) {
    case 'status': {
      // The run's pinned template (a few KB) is named by its mappingHash; the template itself is left out.
      const { pinnedMapping: _template, ...state } = await client.workflow.getHandle(need()).query(stateQuery);
      return state;
    }
    case 'queue': {
      const items = await listByState(client, o.state ?? 'NEEDS_REVIEW');
      return o.json ? items : { text: formatQueue(items) };
    }
    case 'retry':
    case 'cancel': {
      if (!id && o.reason !== undefined) {
        const r = await runBulkReview(client, {
          action: command,
          reviewReason: o.reason,
          ...(o.since ? { since: o.since } : {}),
          dryRun: o.dryRun ?? false,
          ...(command === 'retry' && o.remap ? { remap: true } : {}),
          actor: o.as,
          ...claim,
          progress: process.stderr,
        });
        if (r.failed.length > 0) process.exitCode = 1;
        return o.json ? r : { text: formatBulkReview(r) };
      }
      const action: ReviewAction = command;
      await client.workflow.getHandle(need()).signal(reviewSignal, {
        action,
        actor: o.as,
        ...claim,
        reason: o.reason,
        ...(action === 'retry' ? remap : {}),
      });
      return { externalId: id, sent: 'review', action, actor: o.as, ...claim, ...(action === 'retry' ? remap : {}) };
    }
    case 'fix': {
      const fields = Object.fromEntries(
        (o.field ?? []).map((f) => {
          const eq = f.indexOf('=');
          if (eq <= 0) throw new UsageError(`--field needs <path>=<value>, got ${f}`);
          return [f.slice(0, eq), f.slice(eq + 1)];
        }),
      );
      if (Object.keys(fields).length === 0) throw new UsageError('fix needs at least one --field <path>=<value>');
      // The workflow refuses them too; saying so here spares a round trip through a review.
      const { refused } = checkFixes(fields);
      if (refused.length > 0) throw new UsageError(`fix refused: ${describeRefusedFixes(refused)}`);
      await client.workflow
        .getHandle(need())
        .signal(reviewSignal, { action: 'fix', actor: o.as, ...claim, reason: o.reason, fields, ...remap });
      return {
        externalId: id,
        sent: 'review',
        action: 'fix',
        fields: Object.keys(fields),
        actor: o.as,
        ...claim,
        ...remap,
      };
    }
    case 'link': {
      if (!o.customer) throw new UsageError('link needs --customer <netsuite id>');
      await client.workflow.getHandle(need()).signal(reviewSignal, {
        action: 'link',
        actor: o.as,
        ...claim,
        reason: o.reason,
        netsuiteCustomerId: o.customer,
      });
      return { externalId: id, sent: 'review', action: 'link', netsuiteCustomerId: o.customer, actor: o.as, ...claim };
    }
    case 'pause':
      await client.workflow.getHandle(need()).signal(pauseSignal, { actor: o.as, ...claim, reason: o.reason });
      return { externalId: id, sent: 'pause', actor: o.as, ...claim };
    case 'resume':
      await client.workflow.getHandle(need()).signal(resumeSignal, { actor: o.as, ...claim, reason: o.reason });
      return { externalId: id, sent: 'resume', actor: o.as, ...claim };
    case 'reconcile': {
      const summary = await runReconcileCommand(client, {
        namespace: o.namespace,
        startMissing: o.startMissing ?? false,
        ...(o.taskQueue ? { taskQueue: o.taskQueue } : {}),
      });
      return o.json ? summary : { text: formatReconcileSummary(summary) };
    }
    case 'backfill': {
      if (o.pageSize !== undefined && !(Number.isInteger(o.pageSize) && o.pageSize > 0))
        throw new UsageError('--page-size needs a positive whole number');
      const result = await runBackfillCommand(client, {
        namespace: o.namespace,
        dryRun: o.dryRun ?? false,
        progress: process.stderr,
        ...(o.taskQueue ? { taskQueue: o.taskQueue } : {}),
        ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      });
      return o.json ? result : { text: formatBackfillSummary(result) };
    }
    case 'report': {
      const view = await runReportCommand(client);
      if (view.source !== 'ops-watch') process.exitCode = 1;
      return o.json ? view : { text: formatOpsReport(view) };
    }
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

const isText = (r: unknown): r is { text: string } =>
  typeof r === 'object' &&
  r !== null &&
  typeof (r as { text?: unknown }).text === 'string' &&
  Object.keys(r).length === 1;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      as: { type: 'string' },
      reason: { type: 'string' },
      state: { type: 'string' },
      field: { type: 'string', multiple: true },
      customer: { type: 'string' },
      'start-missing': { type: 'boolean', default: false },
      'task-queue': { type: 'string' },
      since: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'page-size': { type: 'string' },
      // `report` always covers the last 7 days; the flag names that for the reader.
      week: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
      fix: { type: 'boolean', default: false },
      remap: { type: 'boolean', default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const config = loadConfigOrExit();
  if (command === 'intake') {
    // The outbox is a local file: no Temporal connection needed.
    try {
      const result = runIntakeCommand(config.dataDir, id, positionals[2]);
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (Array.isArray(result)) process.stdout.write(formatDeadLetters(result));
      else
        process.stdout.write(
          `dead letter ${result.replayed} is back in the intake outbox as row ${result.outboxRowId}; the running app drains it within seconds (or at its next start)\n`,
        );
      return 0;
    } catch (err) {
      if (!(err instanceof IntakeCommandError)) throw err;
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
  }
  if (command === 'doctor') {
    // Progress lines go to stderr under --json, so stdout is the JSON alone.
    const outcome = await runDoctor(config, { fix: values.fix, out: values.json ? process.stderr : process.stdout });
    if (values.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
    return outcome.ok ? 0 : 1;
  }
  if (command === 'shadow-report') {
    // The ledger is a local file: no Temporal connection needed.
    const report = readShadowReport(config.dataDir, values.since ? { since: values.since } : {});
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatShadowReport(report));
    return 0;
  }
  const { connection, client } = await connectClient(config);
  try {
    const result = await run(client, command, id, {
      json: values.json,
      as: cliActor(userInfo().username),
      claimedAs: claimOf(values.as),
      reason: values.reason,
      ...(values.since ? { since: values.since } : {}),
      state: values.state,
      field: values.field,
      customer: values.customer,
      startMissing: values['start-missing'],
      taskQueue: values['task-queue'],
      namespace: config.temporal.namespace,
      dryRun: values['dry-run'],
      remap: values.remap,
      ...(values['page-size'] !== undefined ? { pageSize: Number(values['page-size']) } : {}),
    });
    if (!values.json && isText(result)) process.stdout.write(result.text);
    else process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof BulkReviewUsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof NoWorkerError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if (err instanceof WorkflowNotFoundError) {
      process.stderr.write(`no onboarding with external_id ${id} (or it is closed and no longer accepts signals)\n`);
      return 1;
    }
    throw err;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
