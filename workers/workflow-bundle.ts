/**
 * The workflow bundle the worker runs, built outside the worker process and kept under DATA_DIR/workflow-bundle/:
 * webpack and SWC in the worker's own heap cost ~90 MB of RSS it never gave back, and a recycled or restarted worker
 * re-bundled every time (seconds of CPU). The cached bundle is reused while every file it was built from is
 * unchanged (content hashes), so an edited workflow is rebundled on the next start and an unchanged one is not.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePrivateDir } from '../runtime/private-files';
import { MAIN_THREAD_TSX } from '../runtime/node-flags';

const BUILDER = join(__dirname, 'build-workflow-bundle.ts');
/** Bump when the builder's output changes for the same sources (source-map mode, webpack options). */
const FORMAT = 'nosources-map-1';

export interface CachedBundle {
  codePath: string;
  /** `cached`: reused as is; `built`: bundled now, in a child process. */
  source: 'cached' | 'built';
  seconds: number;
}

function digest(files: string[]): string | undefined {
  const h = createHash('sha256').update(FORMAT);
  for (const f of files) {
    try {
      h.update(f).update(readFileSync(f));
    } catch {
      return undefined;
    }
  }
  return h.digest('hex');
}

/** The digest recorded for a built bundle, or undefined when it is missing or any file it came from changed. */
function upToDate(codePath: string): boolean {
  try {
    const recorded = JSON.parse(readFileSync(`${codePath}.digest.json`, 'utf8')) as { files: string[]; digest: string };
    return existsSync(codePath) && digest(recorded.files) === recorded.digest;
  } catch {
    return false;
  }
}

function build(workflowsPath: string, out: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--require', MAIN_THREAD_TSX, BUILDER, workflowsPath, out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on(
      'data',
      (d: Buffer) => (stderr += d.toString()).length > 20_000 && (stderr = stderr.slice(-10_000)),
    );
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`bundling the workflows failed (${code ?? signal}): ${stderr.trim().slice(-3000)}`)),
    );
  });
}

/** A bundle of `workflowsPath` in `dataDir`, reused when up to date, else built in a child process first. */
export async function cachedWorkflowBundle(workflowsPath: string, dataDir: string): Promise<CachedBundle> {
  const t0 = performance.now();
  const dir = resolve(dataDir, 'workflow-bundle');
  ensurePrivateDir(dir);
  const codePath = join(dir, 'workflows.js');
  if (upToDate(codePath)) return { codePath, source: 'cached', seconds: (performance.now() - t0) / 1000 };
  // Built beside it and renamed: another worker sharing DATA_DIR reads either the old bundle or the new one, whole.
  const tmp = join(dir, `workflows.${process.pid}.tmp.js`);
  try {
    await build(workflowsPath, tmp);
    const files = JSON.parse(readFileSync(`${tmp}.files.json`, 'utf8')) as string[];
    const d = digest(files);
    renameSync(tmp, codePath);
    if (d) writeFileSync(`${codePath}.digest.json`, JSON.stringify({ digest: d, files }));
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.files.json`, { force: true });
  }
  return { codePath, source: 'built', seconds: (performance.now() - t0) / 1000 };
}
