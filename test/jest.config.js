// Projects: fast unit specs colocated with the code, e2e specs against a real PostgreSQL, the
// browser journey (headless Chromium, test/browser/) and the fault suite.
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const moduleNameMapper = {
  '^@app/([a-z-]+)$': [`${root}/libs/$1/src`, `${root}/apps/$1/src`],
  '^@sso-broker/client$': `${root}/libs/client/src`,
};
const common = { rootDir: root, transform: { '^.+\\.ts$': swc }, moduleNameMapper, testEnvironment: 'node' };

module.exports = {
  // On a 2-core machine Jest would run every file in its own process, one after the other, and
  // that process keeps ~25-30 MB of heap per e2e file: past 1 GB by the last ones, where the export
  // tests' forced GCs every 500 ms then took most of the CPU and ran past their timeouts. Set, the
  // limit makes Jest run the files in a worker, restarted whenever a file leaves it above the limit.
  workerIdleMemoryLimit: '512MB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.ts', '<rootDir>/test/setup/openapi-conformance.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.ts', '<rootDir>/test/setup/openapi-conformance.ts'],
    },
    {
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/e2e-timeout.ts', '<rootDir>/test/setup/openapi-conformance.ts'],
    },
  ],
};
