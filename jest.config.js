/** Packages that ship ES modules only. */
const ESM_ONLY = ['hyparquet', 'hyparquet-writer', 'hyparquet-compressors', 'hysnappy'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    // hyparquet (the CLI's Parquet reader) and its companions ship ES modules only, which jest on Node 20 cannot
    // require: transpiled to CommonJS here (Node itself loads them with require(esm)).
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs', target: 'ES2022' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // suites wait on DynamoDB Local and local servers much of the time: two workers halve CI on two cores
  maxWorkers: 2,
};
