// `npm test` on a fresh clone: compile the server (it is quick) and build the admin once, so the
// browser tests have an admin to drive. CI builds before testing and runs other suites from the
// same build meanwhile: there the server is compiled only if it is missing, never replaced mid-run.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });

const serverBuilt = fs.existsSync(path.join(root, 'plugins/product-gallery/dist/server')) && fs.existsSync(path.join(root, 'dist/config'));
if (!(process.env.CI === 'true' && serverBuilt)) run('npm run build:server');
if (!fs.existsSync(path.join(root, 'dist/build/index.html'))) {
  run('npm run build:admin --workspace strapi-plugin-product-gallery');
  run('npx strapi build');
}
