/**
 * `npm run demo`: builds if needed, creates an admin, seeds demo products with photos the
 * project renders itself, generates their shots offline, leaves one published and the others
 * approved, in review and in draft, and serves the admin on :1337.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execSync } from 'node:child_process';
import { seedDemo } from './seed';
import { demoHost, ensureDemoAdmin } from './admin';

const ROOT = path.resolve(__dirname, '../..');

/** Strapi refuses to start without secrets: a demo makes its own once and keeps them in .env. */
const ensureEnv = () => {
  const file = path.join(ROOT, '.env');
  if (!fs.existsSync(file)) {
    const s = () => crypto.randomBytes(16).toString('base64');
    const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const filled = example
      .replace('APP_KEYS=toBeModified1,toBeModified2', `APP_KEYS=${s()},${s()}`)
      .replace(/=tobemodified/g, () => `=${s()}`);
    fs.writeFileSync(file, filled);
    console.log('Created .env with fresh secrets.');
  }
};

const ensureBuilt = () => {
  const built = fs.existsSync(path.join(ROOT, 'dist/build/index.html')) && fs.existsSync(path.join(ROOT, 'plugins/product-gallery/dist/server/index.js'));
  if (!built || process.env.DEMO_REBUILD === 'true') {
    console.log('Building the plugin and the admin (about a minute)...');
    execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
  }
};

const main = async () => {
  ensureEnv();
  ensureBuilt();
  process.chdir(ROOT);
  // Before Strapi reads .env, whose HOST (0.0.0.0 in the example) is meant for deployments.
  process.env.HOST = demoHost(process.env);
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  await strapi.load();

  const admin = await ensureDemoAdmin(strapi, process.env);

  await seedDemo(strapi, console.log);

  await strapi.listen();
  const host = strapi.config.get('server.host') as string;
  const url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${strapi.config.get('server.port')}/admin`;
  const login = admin.password
    ? `Log in as ${admin.email} with the password ${admin.password}\n(shown this once: it is stored only as a hash; set ADMIN_PASSWORD to choose it)`
    : `Log in as ${admin.email} with your existing password`;
  const exposure = host === '127.0.0.1' ? 'Listening on this machine only (HOST=0.0.0.0 npm run demo to open it to the network).' : `Listening on ${host}.`;
  console.log(`\nProduct Gallery demo: ${url}\n${login}\n${exposure}\n`);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
