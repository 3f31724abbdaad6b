/**
 * jest's node environment, with the test context's global object created uncontextified.
 *
 * jest runs each test file in a vm context. A contextified global is reached through V8
 * interceptors, so every lookup of a global (Math, Uint8Array, Float32Array, ...) leaves the
 * optimised path: the pipeline's pixel loops, which call Math.* per pixel, ran 5-10x slower under
 * jest than in plain Node (cutout plus fingerprint of one photo: 10 s against 1.3 s), and that was
 * most of the test run. vm.constants.DONT_CONTEXTIFY (Node 20.18+, 22.8+) gives the context an
 * ordinary global object instead; everything jest installs on it is the same. On a Node without it
 * this is jest's environment unchanged.
 */
const vm = require('vm');
const { TestEnvironment } = require('jest-environment-node');

class UncontextifiedNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    const dontContextify = vm.constants && vm.constants.DONT_CONTEXTIFY;
    const createContext = vm.createContext;
    // jest-environment-node calls vm.createContext() once, in its constructor, with no argument.
    if (dontContextify) vm.createContext = (...args) => createContext(...(args.length ? args : [dontContextify]));
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
  }
}

module.exports = UncontextifiedNodeEnvironment;
