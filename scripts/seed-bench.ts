/**
 * `npm run seed:bench -- --products N [--db .tmp/bench-gallery.db] [--fresh]`
 *
 * Creates N real published galleries on SQLite for `npm run bench:gallery`: N products (document
 * service), each with 4 published image assets (clean, model, detail, lifestyle) filling the 5
 * page slots (clean fills grid and hero), each linked to a real Media Library file row, with the
 * audit events a publish writes. One uploaded photo is reused as every asset's file (the rows
 * and relations are real; only the bytes are shared) to keep seeding fast.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { photoPath } from '../tests/support/photos';

export const ROOT = path.resolve(__dirname, '..');
export const DEFAULT_DB = '.tmp/bench-gallery.db';
// in both photo sets: the full one when it is there, else the committed fixtures
const PHOTO = photoPath('07_');
const UID = {
  product: 'plugin::product-gallery.product',
  asset: 'plugin::product-gallery.image-asset',
  audit: 'plugin::product-gallery.audit-event',
};
const ROLES = [
  { role: 'clean', slot: 'grid' },
  { role: 'model', slot: 'gallery-2' },
  { role: 'detail', slot: 'gallery-3' },
  { role: 'lifestyle', slot: 'campaign' },
] as const;
const CATEGORIES = ['ring', 'necklace', 'pendant', 'earrings', 'bracelet'];

export const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--')) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
};

/** Environment for a local bench app: SQLite file, throwaway secrets, no generation worker. */
export const benchEnv = (db: string) => {
  const secret = () => crypto.randomBytes(16).toString('base64');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_CLIENT: 'sqlite',
    DATABASE_FILENAME: db,
    APP_KEYS: process.env.APP_KEYS ?? `${secret()},${secret()}`,
    API_TOKEN_SALT: process.env.API_TOKEN_SALT ?? 'bench-api-token-salt',
    ADMIN_JWT_SECRET: process.env.ADMIN_JWT_SECRET ?? 'bench-admin-jwt-secret',
    TRANSFER_TOKEN_SALT: process.env.TRANSFER_TOKEN_SALT ?? 'bench-transfer-token-salt',
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-jwt-secret',
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? 'bench-encryption-key',
    STRAPI_TELEMETRY_DISABLED: 'true',
    BROWSER: 'none',
    PRODUCT_GALLERY_WORKER: 'false',
  };
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  return env;
};

export const loadStrapi = async () => {
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: ROOT, distDir: path.join(ROOT, 'dist') });
  strapi.log.level = 'warn';
  await strapi.load();
  return strapi;
};

/** Seeds up to `products` galleries (idempotent: existing BENCH- products count). Returns their slugs. */
export const seed = async (strapi: any, products: number, log = console.log) => {
  const existing = await strapi.db.query(UID.product).count({ where: { sku: { $startsWith: 'BENCH-' } } });
  if (existing < products) {
    // One real Media Library file for every asset.
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-bench-')), path.basename(PHOTO));
    fs.copyFileSync(PHOTO, tmp);
    const [file] = await strapi
      .plugin('upload')
      .service('upload')
      .upload({
        data: { fileInfo: { alternativeText: 'bench photo' } },
        files: { filepath: tmp, originalFilename: path.basename(PHOTO), mimetype: 'image/jpeg', size: fs.statSync(tmp).size },
      });
    const started = Date.now();
    const batch = 100;
    // One transaction per batch, its storefront rows written once at its end (not once per image).
    const snapshots = strapi.plugin('product-gallery').service('gallerySnapshots');
    for (let start = existing; start < products; start += batch) {
      await snapshots.transaction(async () => {
        const audits: Record<string, unknown>[] = [];
        for (let i = start; i < Math.min(products, start + batch); i++) {
          const n = String(i).padStart(5, '0');
          const title = `Bench piece ${n}`;
          const product = await strapi.documents(UID.product).create({
            data: { title, slug: `bench-piece-${n}`, sku: `BENCH-${n}`, category: CATEGORIES[i % CATEGORIES.length], metal: 'silver' },
          });
          const now = new Date();
          for (const { role, slot } of ROLES) {
            const asset = await strapi.db.query(UID.asset).create({
              data: {
                product: product.id,
                role,
                slot,
                status: 'published',
                version: 5,
                file: file.id,
                width: file.width,
                height: file.height,
                alt: `${title}, ${role} view`,
                focalPoint: { x: 50, y: 50 },
                placeholder: 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw',
                qc: [{ id: 'tech.resolution', status: 'pass' }],
                qcStatus: 'pass',
                provenance: { generator: 'local', seed: i },
                prompt: 'bench prompt',
                cost: 0,
                publishedInSlotAt: now,
              },
            });
            audits.push({ asset: asset.documentId, product: product.documentId, from: 'approved', to: 'published', actor: 'system:seed-bench', at: now, note: 'seeded', qc: asset.qc });
          }
          await strapi.db.query(UID.product).updateMany({ where: { id: product.id }, data: { galleryVersion: 1 } });
        }
        await strapi.db.query(UID.audit).createMany({ data: audits });
      });
      if ((start / batch) % 10 === 0) log(`  seeded ${Math.min(products, start + batch)}/${products} products (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    log(`seeded ${products - existing} products x 4 published assets (5 slots) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    log(`${existing} bench products already seeded`);
  }
  const rows = await strapi.db.query(UID.product).findMany({ where: { sku: { $startsWith: 'BENCH-' } }, select: ['slug'], orderBy: { id: 'asc' }, limit: products });
  return rows.map((r: any) => r.slug as string);
};

const main = async () => {
  const products = Number(arg('products', '2000'));
  if (!Number.isInteger(products) || products < 1) throw new Error('--products must be a positive integer');
  const db = arg('db', DEFAULT_DB)!;
  // With its WAL and shared-memory files (SQLite runs in WAL mode).
  if (process.argv.includes('--fresh')) for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(ROOT, db + suffix), { force: true });
  fs.mkdirSync(path.dirname(path.join(ROOT, db)), { recursive: true });
  benchEnv(db);
  const strapi = await loadStrapi();
  try {
    await seed(strapi, products);
  } finally {
    await strapi.destroy();
  }
};

if (require.main === module) {
  main()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
