/** One jest run: pipeline and provider unit tests, API tests against a booted Strapi, browser tests. */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }],
  },
  // thumbhash ships as ESM only; jest's CommonJS runtime needs it transpiled.
  transformIgnorePatterns: ['/node_modules/(?!(thumbhash)/)'],
  testTimeout: 120000,
  maxWorkers: 1,
};
