// Lint: typescript-eslint's recommended rules, the workflow sandbox's rule that workflow code does no I/O, and the
// layers (docs/architecture.md): imports run one way, domain and model <- runtime <- integrations <- activities <-
// workflows <- workers and starters, and nothing reaches into an SDK package's internals. The cycle check and the
// same layer order over the whole graph: test/unit/architecture/import-graph.test.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `@temporalio/<pkg>/lib/...` is not the SDK's API and moves between releases: import from the package root. */
const SDK_INTERNALS = {
  group: ['@temporalio/*/lib', '@temporalio/*/lib/**'],
  message: "SDK internals change between releases: import from the package's root ('@temporalio/client', …).",
};
const ENTRY_POINTS = {
  group: [
    '**/starters',
    '**/starters/**',
    '**/workers',
    '**/workers/**',
    '**/http/**',
    '**/ops/worker',
    '**/ops/alert-deps',
    '**/ops/start-*',
  ],
  message: 'Entry points (starters, workers, HTTP) import the layers below them, never the other way.',
};
const WORKFLOWS = {
  group: ['**/workflows', '**/workflows/**'],
  message:
    'Workflow code sits above activities and integrations: share types through a domain/ or model/ module instead.',
};
const ACTIVITIES = {
  group: ['**/activities', '**/activities/**'],
  message: 'Integrations sit below activities: move the shared type down (domain/, or the integration itself).',
};
const CONTEXTS = {
  group: ['**/ops/**', '**/reconciliation/**', '**/backfill/**'],
  message: 'Integrations and runtime know no bounded context: move what they need into domain/.',
};
const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': restrict(SDK_INTERNALS),
    },
  },
  {
    files: ['integrations/**/*.ts', 'runtime/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(SDK_INTERNALS, ACTIVITIES, WORKFLOWS, ENTRY_POINTS, CONTEXTS) },
  },
  {
    files: ['activities/**/*.ts', '*/activities/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(SDK_INTERNALS, WORKFLOWS, ENTRY_POINTS) },
  },
  {
    // Workflow code and what it bundles: the onboarding's workflows/, each context's workflows/, model/ and messages.
    files: ['workflows/**/*.ts', 'domain/**/*.ts', '*/workflows/**/*.ts', '*/model/**/*.ts', '*/messages.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            SDK_INTERNALS,
            ENTRY_POINTS,
            {
              group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process'],
              message: 'Workflow and domain code runs in the deterministic sandbox: no Node built-ins.',
            },
            {
              group: [
                'axios',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                '**/integrations/**',
                '**/sandbox/**',
                '**/runtime/**',
              ],
              message: 'Workflow and domain code does no I/O: call an activity instead.',
            },
            // Activity *types* are how proxies are typed; their implementations must never enter the bundle.
            {
              group: ['**/activities/**'],
              allowTypeImports: true,
              message: 'Import activity types only (import type …).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        setInterval: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
