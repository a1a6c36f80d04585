// Lint: typescript-eslint's recommended rules, plus the workflow sandbox's rule that workflow code does no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code and what it bundles: the onboarding's workflows/, each context's workflows/, model/ and messages.
    files: ['workflows/**/*.ts', 'domain/**/*.ts', '*/workflows/**/*.ts', '*/model/**/*.ts', '*/messages.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process'], message: 'Workflow and domain code runs in the deterministic sandbox: no Node built-ins.' },
            { group: ['axios', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '**/integrations/**', '**/sandbox/**', '**/runtime/**'], message: 'Workflow and domain code does no I/O: call an activity instead.' },
            // Activity *types* are how proxies are typed; their implementations must never enter the bundle.
            { group: ['**/activities/**'], allowTypeImports: true, message: 'Import activity types only (import type …).' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', setInterval: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
