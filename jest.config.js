/** One real Temporal dev server for the whole run (test/setup/global-setup.ts); TS compiled by swc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-runtime.ts', '<rootDir>/test/setup/default-mapping.ts'],
  testTimeout: 60_000,
  // Temporal's native bridge keeps handles alive after teardown (sdk-typescript#928).
  forceExit: true,
  maxWorkers: 2,
};
