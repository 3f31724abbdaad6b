// `npm test` on a fresh clone: compile the server (always, it is quick) and build the admin once,
// so the browser tests have an admin to drive. CI builds before testing, so this is a no-op there.
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });

run('npm run build:server');
if (!fs.existsSync(path.join(root, 'dist/build/index.html'))) {
  run('npm run build:admin --workspace strapi-plugin-product-gallery');
  run('npx strapi build');
}
