/**
 * `npm run demo`: builds if needed, creates an admin, seeds demo products with photos the
 * project renders itself, generates their shots offline, and serves the admin on :1337.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execSync } from 'node:child_process';
import { SAMPLES, renderSample } from './sample-jewelry';

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
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  await strapi.load();

  const email = process.env.ADMIN_EMAIL || 'admin@example.com';
  const password = process.env.ADMIN_PASSWORD || 'Admin-1234';
  const hasAdmin = await strapi.db.query('admin::user').count();
  if (!hasAdmin) {
    const superAdmin = await strapi.db.query('admin::role').findOne({ where: { code: 'strapi-super-admin' } });
    await strapi.service('admin::user').create({
      email,
      firstname: 'Demo',
      lastname: 'Admin',
      password,
      isActive: true,
      registrationToken: null,
      roles: [superAdmin.id],
    });
    console.log(`Created admin ${email} / ${password}`);
  }

  const products = strapi.documents('plugin::product-gallery.product');
  for (const sample of SAMPLES) {
    const existing = await strapi.db.query('plugin::product-gallery.product').findOne({ where: { sku: sample.product.sku } });
    if (existing) continue;
    const tmp = path.join(os.tmpdir(), sample.file);
    fs.writeFileSync(tmp, await renderSample(sample.render()));
    const [file] = await strapi.plugin('upload').service('upload').upload({
      data: { fileInfo: { name: sample.file, alternativeText: sample.product.title } },
      files: { filepath: tmp, originalFilename: sample.file, mimetype: 'image/jpeg', size: fs.statSync(tmp).size },
    });
    const product = await products.create({ data: { ...sample.product, sourcePhoto: file.id } as any });
    await strapi.plugin('product-gallery').service('planner').generate(product.documentId, undefined, { kind: 'system', name: 'demo' });
    console.log(`Seeded ${sample.product.title}`);
  }

  await strapi.listen();
  const url = `http://localhost:${strapi.config.get('server.port')}/admin`;
  console.log(`\nProduct Gallery demo: ${url}\nLog in as ${email} / ${hasAdmin ? '(your existing password)' : password}\n`);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
