/* eslint-disable */
// Piscina entry point of the pipeline worker thread.
//
// Deliberately written in the common subset of TypeScript and CommonJS JavaScript (no types, no
// import/export), so it works both ways:
// - compiled: tsc emits dist/server/pipeline/worker-entry.js next to worker.js, which it loads;
// - from the sources (jest via ts-jest, the benchmark): there is no worker.js here, so Node loads
//   this .ts file as plain JavaScript (unknown extensions use the .js loader), and it registers
//   esbuild-register (a dependency of @strapi/strapi) before requiring worker.ts.
{
  const fs = require('fs');
  const path = require('path');
  const compiled = path.join(__dirname, 'worker.js');
  if (fs.existsSync(compiled)) {
    module.exports = require(compiled);
  } else {
    require('esbuild-register/dist/node').register({ target: 'node20', hookIgnoreNodeModules: true });
    module.exports = require(path.join(__dirname, 'worker.ts'));
  }
}
