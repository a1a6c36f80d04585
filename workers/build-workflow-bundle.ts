/**
 * Child process of workers/workflow-bundle.ts: `node … build-workflow-bundle.ts <workflowsPath> <out.js>` bundles the
 * workflow code with webpack, writes it to <out.js> and the files it was built from to <out.js>.files.json. Run in
 * its own process so that webpack and its native SWC compiler never load into the worker: bundling in the worker
 * kept ~90 MB of RSS there for good (docs/proof.md, "Lean worker").
 */
import { statSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * The SDK needs an inline source map; one without the sources (file and line are kept, for stack traces) is
 * ~1.3 MB smaller, and every workflow thread holds the bundle and its parsed map (~5 MB of heap per thread).
 */
const SOURCE_MAP = 'inline-nosources-cheap-module-source-map';

async function main(): Promise<void> {
  const [workflowsPath, out] = process.argv.slice(2);
  if (!workflowsPath || !out) throw new Error('usage: build-workflow-bundle.ts <workflowsPath> <out.js>');
  let files: string[] = [];
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: (config: WebpackConfig): WebpackConfig => ({
      ...config,
      devtool: SOURCE_MAP,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply: (compiler) =>
            compiler.hooks.done.tap('bundle-files', (stats) => void (files = [...stats.compilation.fileDependencies])),
        },
      ],
    }),
  });
  writeFileSync(out, code);
  // Real files only: the SDK's generated entry module lives in an in-memory file system.
  const onDisk = files.filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() === true);
  writeFileSync(`${out}.files.json`, JSON.stringify(onDisk.sort()));
}

main().catch((err: unknown) => {
  process.stderr.write(`workflow bundle failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
