import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { Client, Connection } from '@temporalio/client';
import { IDLE_GC_PRELOAD, MAIN_THREAD_TSX } from '../../runtime/node-flags';
import { portIsFree } from '../../scripts/process-utils';
import { TASK_QUEUES } from '../../domain/temporal-names';
import { OnboardingStarter } from '../../starters/start-onboarding';
import { OPS_WATCH_WORKFLOW_ID } from '../../ops/messages';
import { reviewSignal, stateQuery } from '../../workflows/messages';
import { startStack, stackEnv, type StackProcess } from '../helpers/stack-process';

jest.setTimeout(400_000);

/** CPU niceness of a process: field 19 of /proc/<pid>/stat (after the parenthesised command name). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** Pids of processes whose command line contains `fragment` and whose environment has `envEntry` (if given). */
function pidsWith(fragment: string, envEntry?: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(fragment)) return false;
        return envEntry === undefined || readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(envEntry);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Pids of this stack's worker processes: the ones started with this stack's (unique, free) worker metrics port. */
const workerPids = (metricsPort: string): number[] => pidsWith('workers/main.ts', `WORKER_METRICS_PORT=${metricsPort}`);

/** The pid of the worker that replaced `previous`, once the stack has started one (undefined after `timeoutMs`). */
async function replacementWorker(
  metricsPort: string,
  previous: number,
  timeoutMs: number,
): Promise<number | undefined> {
  for (const until = Date.now() + timeoutMs; Date.now() < until;) {
    const pid = workerPids(metricsPort).find((p) => p !== previous);
    if (pid !== undefined) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe('npm start', () => {
  let stack: StackProcess | undefined;
  afterEach(async () => {
    await stack?.interrupt();
  });

  it('refuses a bad configuration before starting anything: one message naming each wrong variable, exit 78', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-e2e-badconfig-'));
    // Well-formed Node flags Node does not know (only the launcher's probe can tell), next to two plain errors.
    const env = {
      ...(await stackEnv(dataDir)),
      WORKER_NODE_FLAGS: '--max-semi-space-sise=2',
      APP_PORT: 'eighty',
      INTAKE_OUTBOX_SYNC: 'sometimes',
    };
    stack = startStack(env);
    expect(await stack.exited).toBe(78);
    const out = stack.output();
    expect(out).toContain('Invalid configuration');
    for (const variable of ['WORKER_NODE_FLAGS', 'APP_PORT', 'INTAKE_OUTBOX_SYNC'])
      expect(out).toMatch(new RegExp(`^  ${variable}: `, 'm'));
    expect(out).toMatch(/WORKER_NODE_FLAGS: .*Node refuses them: .*--max-semi-space-sise/);
    expect(out.match(/Invalid configuration/g)).toHaveLength(1);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(false);
  }, 60_000);

  it('refuses an internal listener on a non-loopback address without credentials, naming the variables', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-e2e-opsexposed-'));
    stack = startStack({ ...(await stackEnv(dataDir)), OPS_HOST: '0.0.0.0' });
    expect(await stack.exited).toBe(78);
    const out = stack.output();
    expect(out).toContain('Invalid configuration');
    expect(out).toMatch(
      /^ {2}OPS_HOST: 0\.0\.0\.0 is not a loopback address.*OPS_BEARER_TOKEN.*OPS_BASIC_USER and OPS_BASIC_PASSWORD/m,
    );
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(false);
  }, 60_000);

  it('brings the stack up, stops cleanly on Ctrl-C, and resumes open workflows on the next start', async () => {
    const env = await stackEnv(mkdtempSync(join(tmpdir(), 'stack-e2e-')));
    stack = startStack(env);
    const first = await stack.ready();

    expect(first.temporal).toEqual({
      address: `127.0.0.1:${env.TEMPORAL_PORT}`,
      namespace: 'default',
      ui: `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`,
    });
    expect(first.app.url).toBe(`http://127.0.0.1:${env.APP_PORT}`);
    expect(first.ops.url).toBe(`http://127.0.0.1:${env.OPS_PORT}`);
    expect((await axios.get(first.temporal.ui)).status).toBe(200);
    // The probes on both listeners; the ops card and metrics on the internal one only.
    for (const url of [first.app.url, first.ops.url]) {
      expect((await axios.get(`${url}/readyz`)).data).toMatchObject({ ready: true, temporal: 'ok' });
      expect((await axios.get(`${url}/healthz`)).status).toBe(200);
    }
    const metrics = (await axios.get<string>(`${first.ops.url}/metrics`, { responseType: 'text' })).data;
    expect(metrics).toMatch(/^onboarding_process_cpu_seconds_total/m);
    expect(metrics).toMatch(/^temporal_num_pollers\{/m);
    expect((await axios.get<string>(`${first.ops.url}/ops`)).data).toContain('Onboarding health');
    for (const path of ['/ops', '/ops.json', '/metrics']) {
      expect([path, (await axios.get(`${first.app.url}${path}`, { validateStatus: () => true })).status]).toEqual([
        path,
        404,
      ]);
    }

    // The webhook answer comes first on a small host: dev server and worker run STACK_BACKGROUND_NICE (10) below the
    // app; the Node processes run with two malloc arenas (bench P4)…
    const [worker] = workerPids(env.WORKER_METRICS_PORT!);
    const [app] = pidsWith('starters/http/main.ts', `APP_PORT=${env.APP_PORT}`);
    const [server] = pidsWith(
      ['start-dev', '--ip', '127.0.0.1', '--port', String(env.TEMPORAL_PORT), ''].join('\u0000'),
    );
    expect([worker, app, server].every((pid) => pid !== undefined && pid > 0)).toBe(true);
    expect(niceOf(worker!)).toBe(Math.min(19, niceOf(app!) + 10));
    expect(niceOf(server!)).toBe(Math.min(19, niceOf(app!) + 10));
    expect(readFileSync(`/proc/${worker}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    // …and the worker collects its idle threads (workers/idle-gc.cjs).
    expect(readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining(['--expose-gc', '--require', IDLE_GC_PRELOAD]),
    );
    // …lean: TypeScript compiled in its main thread only (no --import tsx) and fixed malloc thresholds (workers/malloc-env.ts).
    expect(readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining(['--require', MAIN_THREAD_TSX]),
    );
    expect(readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0')).not.toContain('--import');
    expect(readFileSync(`/proc/${worker}/environ`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining(['MALLOC_MMAP_THRESHOLD_=131072', 'MALLOC_TRIM_THRESHOLD_=131072']),
    );

    // Sandbox mode: no vendor credentials in env, so all three simulators run, with working credentials.
    expect(first.netsuite?.url).toBe(`http://127.0.0.1:${env.NETSUITE_SIM_PORT}`);
    expect(first.pipedrive?.url).toBe(`http://127.0.0.1:${env.PIPEDRIVE_SIM_PORT}`);
    expect(first.slack?.url).toBe(`http://127.0.0.1:${env.SLACK_SIM_PORT}/api/`);
    const me = await axios.get(`${first.pipedrive!.url}/v1/users/me`, {
      headers: { 'x-api-token': first.pipedrive!.apiToken },
    });
    expect(me.data.success).toBe(true);
    const auth = await axios.post(`${first.slack!.url}auth.test`, '', {
      headers: { authorization: `Bearer ${first.slack!.botToken}` },
    });
    expect(auth.data.ok).toBe(true);
    const unsigned = await axios.get(`${first.netsuite!.url}/services/rest/record/v1/customer/1`, {
      validateStatus: () => true,
    });
    expect(unsigned.status).toBe(401);

    // An onboarding left open across a restart.
    const externalId = `restart-${Date.now()}`;
    let connection = await Connection.connect({ address: first.temporal.address });
    await new OnboardingStarter(connection, 'default').startOnboarding({
      externalId,
      pipedriveDealId: '7',
      receivedAt: new Date().toISOString(),
    });
    // ops-watch runs on its own queue, which the worker polls: a burst of onboardings cannot starve it.
    const opsWatchRun = await new Client({ connection }).workflow.getHandle(OPS_WATCH_WORKFLOW_ID).describe();
    expect(opsWatchRun).toMatchObject({ taskQueue: TASK_QUEUES.ops, status: { name: 'RUNNING' } });
    expect(
      (
        await connection.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: TASK_QUEUES.ops },
          taskQueueType: 1,
        })
      ).pollers?.length,
    ).toBeGreaterThan(0);
    await connection.close();

    expect([0, 130, 'SIGINT']).toContain(await stack.interrupt());
    expect(existsSync(stack.stackFile)).toBe(false);
    for (const name of [
      'TEMPORAL_PORT',
      'TEMPORAL_UI_PORT',
      'APP_PORT',
      'OPS_PORT',
      'WORKER_METRICS_PORT',
      'NETSUITE_SIM_PORT',
      'PIPEDRIVE_SIM_PORT',
      'SLACK_SIM_PORT',
    ]) {
      expect([name, await portIsFree('127.0.0.1', Number(env[name]))]).toEqual([name, true]);
    }

    stack = startStack(env);
    const second = await stack.ready();
    // Sandbox credentials survive a restart, so scripts holding stack.json values keep working.
    expect(second.pipedrive?.apiToken).toBe(first.pipedrive?.apiToken);
    expect(second.netsuite?.tokenSecret).toBe(first.netsuite?.tokenSecret);
    connection = await Connection.connect({ address: second.temporal.address });
    const handle = new Client({ connection }).workflow.getHandle(externalId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await handle.query(stateQuery)).state).not.toMatch(/^(COMPLETED|CANCELLED)$/);
    await handle.signal(reviewSignal, { action: 'cancel', actor: 'e2e' });
    expect((await handle.result()).state).toBe('CANCELLED');
    await connection.close();
    expect([0, 130, 'SIGINT']).toContain(await stack.interrupt());
  });

  it('replaces a worker that recycles itself when idle and grown past its settled baseline, outside the crash budget', async () => {
    // 1 MB of growth: an onboarding's work is more, so the worker recycles once it has settled its own baseline
    // (30 s idle), worked, and sat idle for 30 s again.
    const env: NodeJS.ProcessEnv = {
      ...(await stackEnv(mkdtempSync(join(tmpdir(), 'stack-recycle-')))),
      WORKER_RECYCLE_GROWTH_MB: '1',
      LOG_LEVEL: 'info',
    };
    stack = startStack(env);
    const json = await stack.ready();
    const [first] = workerPids(env.WORKER_METRICS_PORT!);
    expect(first).toBeGreaterThan(0);
    // Fresh and idle, it settles its baseline and stays: a fresh worker is never recycled for being what it is.
    for (const until = Date.now() + 120_000; !stack.output().includes('idle RSS settled') && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 500));
    expect(stack.output()).toContain('idle RSS settled');
    expect(workerPids(env.WORKER_METRICS_PORT!)).toEqual([first]);
    const connection = await Connection.connect({ address: json.temporal.address });
    const externalId = `recycle-${Date.now()}`;
    await new OnboardingStarter(connection, 'default').startOnboarding({
      externalId,
      pipedriveDealId: '7',
      receivedAt: new Date().toISOString(),
    });
    const handle = new Client({ connection }).workflow.getHandle(externalId);
    expect((await handle.query(stateQuery)).state).toBeDefined();

    expect(await replacementWorker(env.WORKER_METRICS_PORT!, first!, 120_000)).toBeDefined();
    expect(stack.output()).toContain('worker recycled itself');
    expect(stack.output()).not.toContain('exited unexpectedly');

    // The open onboarding is served by the fresh worker.
    await handle.signal(reviewSignal, { action: 'cancel', actor: 'e2e' });
    expect((await handle.result()).state).toBe('CANCELLED');
    await connection.close();
  });

  it('restarts a worker that crashed, and onboardings carry on', async () => {
    const env = await stackEnv(mkdtempSync(join(tmpdir(), 'stack-crash-')));
    stack = startStack(env);
    const json = await stack.ready();
    const [crashed] = workerPids(env.WORKER_METRICS_PORT!);
    expect(crashed).toBeGreaterThan(0);
    process.kill(crashed!, 'SIGKILL');

    expect(await replacementWorker(env.WORKER_METRICS_PORT!, crashed!, 60_000)).toBeDefined();
    expect(stack.output()).toContain('worker exited unexpectedly; restarting it');
    expect(existsSync(stack.stackFile)).toBe(true);

    // Work needs a live worker: a new onboarding answers its query and honours a cancel.
    const connection = await Connection.connect({ address: json.temporal.address });
    const externalId = `crash-${Date.now()}`;
    await new OnboardingStarter(connection, 'default').startOnboarding({
      externalId,
      pipedriveDealId: '7',
      receivedAt: new Date().toISOString(),
    });
    const handle = new Client({ connection }).workflow.getHandle(externalId);
    await handle.signal(reviewSignal, { action: 'cancel', actor: 'e2e' });
    expect((await handle.result()).state).toBe('CANCELLED');
    await connection.close();
    expect((await axios.get(`${json.app.url}/readyz`, { validateStatus: () => true })).status).toBe(200);
  });
});
