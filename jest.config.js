/** Jest runs the TypeScript sources through swc; `.js` endings of relative imports map back to `.ts`. */
// An ESM-only package Node 20 requires natively and Jest before Node 24.9 cannot, so it is
// compiled to CommonJS: json-schema-ref-parser (under swagger-parser, which validates the OpenAPI document).
const ESM_ONLY = '(@apidevtools/json-schema-ref-parser)';

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], [`/node_modules/${ESM_ONLY}/.+\\.js$`]: ['@swc/jest'] },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
