/** Jest runs the TypeScript sources through swc; `.js` endings of relative imports map back to `.ts`. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '/node_modules/content-disposition/.+\\.js$': ['@swc/jest'] },
  // content-disposition (under @fastify/static, which serves Swagger UI) is ESM-only: Node 20
  // requires it natively, Jest before Node 24.9 cannot, so it is compiled to CommonJS here.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
