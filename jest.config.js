/** One jest run: pipeline and provider unit tests, API tests against a booted Strapi, browser tests. */
module.exports = {
  // jest's node environment with an ordinary global object: see the file for why.
  testEnvironment: '<rootDir>/tests/support/environment.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  // Installing the packed plugin into a new app needs the npm registry, PostgreSQL and minutes: CI
  // runs it, with PRODUCT_GALLERY_INSTALL_TEST=1.
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.PRODUCT_GALLERY_INSTALL_TEST === '1' ? [] : ['<rootDir>/tests/install/'])],
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }],
  },
  // thumbhash ships as ESM only; jest's CommonJS runtime needs it transpiled.
  transformIgnorePatterns: ['/node_modules/(?!(thumbhash)/)'],
  testTimeout: 120000,
  maxWorkers: 1,
  // On PostgreSQL, work Strapi schedules internally can outlive strapi.destroy() and wait on the
  // closed pool; every app a test boots is stopped, so the process exits when the run is done.
  forceExit: true,
};
