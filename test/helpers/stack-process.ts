/** Runs `npm start` exactly as a user would, on free ports and a temporary data dir, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../../scripts/process-utils';
import { targetStackEnv } from '../setup/cluster-target';

export interface StackJson {
  temporal: { address: string; namespace: string; ui: string };
  /** The public listener: webhook, Slack interactivity, probes. */
  app: { url: string };
  /** The internal listener: /ops, /ops.json, /metrics, probes. */
  ops: { url: string };
  pipedrive?: { url: string; apiToken: string; companyDomain: string; webhookUser: string; webhookPassword: string };
  netsuite?: {
    url: string;
    accountId: string;
    consumerKey: string;
    consumerSecret: string;
    tokenId: string;
    tokenSecret: string;
  };
  slack?: { url: string; botToken: string; signingSecret: string; reviewChannel: string; reviewerIds: string[] };
  /** The PagerDuty Events v2 receiver simulator, when no alert webhook is configured. */
  pagerduty?: { url: string; routingKey: string };
}

export interface StackProcess {
  child: ChildProcess;
  stackFile: string;
  output: () => string;
  /** Exit code, or the signal name when npm re-raised the terminal's SIGINT after its children finished. */
  exited: Promise<number | string>;
  ready(timeoutMs?: number): Promise<StackJson>;
  /** Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group. */
  interrupt(): Promise<number | string>;
}

export async function stackEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const name of [
    'TEMPORAL_PORT',
    'TEMPORAL_UI_PORT',
    'APP_PORT',
    'OPS_PORT',
    'WORKER_METRICS_PORT',
    'NETSUITE_SIM_PORT',
    'PIPEDRIVE_SIM_PORT',
    'SLACK_SIM_PORT',
    'PAGERDUTY_SIM_PORT',
  ]) {
    env[name] = String(await freePort());
  }
  await targetStackEnv(env);
  return env;
}

export function startStack(env: NodeJS.ProcessEnv): StackProcess {
  const root = resolve(__dirname, '../..');
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')),
  );
  const stackFile = join(resolve(root, env.DATA_DIR!), 'stack.json');
  return {
    child,
    stackFile,
    output: () => out,
    exited,
    async ready(timeoutMs = 180_000) {
      const ok = await waitFor(async () => existsSync(stackFile), {
        timeoutMs,
        intervalMs: 250,
        abort: exited.then((code) => `npm start exited with ${code}:\n${out.slice(-3000)}`),
      });
      if (ok !== true)
        throw new Error(typeof ok === 'string' ? ok : `no stack.json after ${timeoutMs} ms:\n${out.slice(-3000)}`);
      return JSON.parse(readFileSync(stackFile, 'utf8')) as StackJson;
    },
    async interrupt() {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGINT');
      return exited;
    },
  };
}
