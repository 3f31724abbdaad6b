/**
 * Fixtures for review/publishing tests: real Media Library files (uploaded through the upload
 * plugin), real products and assets created through the workflow service (so they are audited).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { adminSession, startApp, type AdminSession, type TestApp } from './strapi';
import { PHOTOS_DIR } from './photos';

export const UID = {
  product: 'plugin::product-gallery.product',
  asset: 'plugin::product-gallery.image-asset',
  audit: 'plugin::product-gallery.audit-event',
  brief: 'plugin::product-gallery.category-brief',
} as const;

export const SYSTEM = { kind: 'system', name: 'test' } as const;

const MIME: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/** Image bytes into the Media Library through the upload plugin (a real file row, stored by the provider). */
export const uploadBuffer = async (app: TestApp, buffer: Buffer, name: string, alt?: string) => {
  // The upload service moves/deletes its temp files: hand it its own.
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-up-')), name);
  fs.writeFileSync(tmp, buffer);
  const [file] = await app.strapi
    .plugin('upload')
    .service('upload')
    .upload({
      data: { fileInfo: { alternativeText: alt ?? name, name } },
      files: { filepath: tmp, originalFilename: name, mimetype: MIME[path.extname(name)] ?? 'image/jpeg', size: buffer.length },
    });
  return file as { id: number; url: string; width: number; height: number; mime: string; formats: any };
};

/** Uploads a test photo (support/photos: the full set or the fixtures) into the Media Library. */
export const uploadPhoto = async (app: TestApp, filename = '07_earrings_product_double-pearl-studs.jpg', alt?: string) =>
  uploadBuffer(app, fs.readFileSync(path.join(PHOTOS_DIR, filename)), filename, alt);

let seq = 0;
/** A product (document service, so it passes the plugin's validation), with a source photo attached. */
export const createProduct = async (
  app: TestApp,
  input: { title?: string; sku?: string; category?: string; metal?: string; sourcePhoto?: number | null; briefId?: number } = {}
) => {
  const n = `${Date.now().toString(36)}${(seq++).toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  const title = input.title ?? `Pearl studs ${n}`;
  const created: any = await app.strapi.documents(UID.product as any).create({
    data: { title, slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''), sku: input.sku ?? `SKU-${n}`.toUpperCase(), category: input.category ?? 'earrings', metal: input.metal ?? 'silver' } as any,
  });
  const data: Record<string, unknown> = {};
  if (input.sourcePhoto) data.sourcePhoto = input.sourcePhoto;
  if (input.briefId) data.brief = input.briefId;
  if (Object.keys(data).length) await app.strapi.db.query(UID.product).update({ where: { id: created.id }, data });
  return app.strapi.db.query(UID.product).findOne({ where: { id: created.id } }) as Promise<{
    id: number;
    documentId: string;
    slug: string;
    sku: string;
    title: string;
    category: string;
    galleryVersion: number;
  }>;
};

/**
 * A product with its source photo and the reference the plugin analyses from it (its fingerprint,
 * what the pipeline's checks compare a candidate with), plus the photo's bytes.
 */
export const productWithReference = async (app: TestApp, input: { photo: string; title: string; category: string }) => {
  const photo = await uploadPhoto(app, input.photo);
  const product = await createProduct(app, { title: input.title, sourcePhoto: photo.id, category: input.category });
  const reference = await app.strapi.plugin('product-gallery').service('products').analyzeSourcePhoto(photo.id, 'source');
  return { photo, product, reference, sourceBytes: fs.readFileSync(path.join(PHOTOS_DIR, input.photo)) };
};

export const PASSING_QC = [
  { id: 'tech.resolution', status: 'pass', message: 'ok' },
  { id: 'fidelity.color', status: 'pass', message: 'ok' },
];
export const FAILING_QC = [
  { id: 'tech.resolution', status: 'pass', message: 'ok' },
  { id: 'fidelity.stones', status: 'fail', message: 'a stone is missing' },
];

/** An image asset in the given state, through the workflow service (audited as created). */
export const createAsset = async (
  app: TestApp,
  input: {
    product: { id: number };
    role: 'clean' | 'model' | 'detail' | 'lifestyle';
    status: string;
    file?: { id: number; width?: number; height?: number } | null;
    qc?: unknown[];
    qcStatus?: 'pass' | 'warn' | 'fail';
    extra?: Record<string, unknown>;
  }
) => {
  const workflow = app.strapi.plugin('product-gallery').service('workflow');
  const qc = input.qc ?? PASSING_QC;
  return workflow.create(
    {
      productId: input.product.id,
      role: input.role,
      status: input.status,
      data: {
        ...(input.file ? { file: input.file.id, width: input.file.width, height: input.file.height } : {}),
        qc,
        qcStatus: input.qcStatus ?? (qc.some((c: any) => c.status === 'fail') ? 'fail' : 'pass'),
        prompt: 'SECRET-PROMPT keep the pearls',
        cost: 0.04,
        provenance: { generator: 'replicate', model: 'black-forest-labs/flux-kontext-pro', prompt: 'SECRET-PROMPT', cost: 0.04, seed: 7 },
        alt: `alt ${input.role}`,
        focalPoint: { x: 50, y: 45 },
        placeholder: 'THUMBHASH',
        ...(input.extra ?? {}),
      },
    },
    SYSTEM
  ) as Promise<{ id: number; documentId: string; version: number; status: string; role: string }>;
};

/** Moves an asset through the workflow service as a system actor (for setting up states). */
export const move = async (app: TestApp, documentId: string, to: string, opts: { note?: string; override?: string } = {}) => {
  const workflow = app.strapi.plugin('product-gallery').service('workflow');
  const current = await workflow.load(documentId);
  return workflow.transition({ documentId, to, version: current.version, actor: SYSTEM, ...opts });
};

/** A product with a published gallery: clean (fills grid + hero), model, detail, lifestyle. */
export const publishedGallery = async (app: TestApp, opts: { file?: { id: number; width?: number; height?: number }; roles?: string[] } = {}) => {
  const file = opts.file ?? (await uploadPhoto(app));
  const product = await createProduct(app, { sourcePhoto: file.id });
  const assets: Record<string, { documentId: string; id: number }> = {};
  for (const role of (opts.roles ?? ['clean', 'model', 'detail', 'lifestyle']) as any[]) {
    const a = await createAsset(app, { product, role, status: 'approved', file });
    await move(app, a.documentId, 'published');
    assets[role] = a;
  }
  return { product, file, assets };
};

/**
 * Stops the generation worker (if this build has one) so assets a test puts in `queued` stay
 * there: these tests drive every transition themselves.
 */
export const stopWorker = async (app: TestApp) => {
  const plugin = app.strapi.plugin('product-gallery');
  const dispatch = (plugin as any).services?.dispatch ? plugin.service('dispatch') : null;
  await dispatch?.stop?.();
};

/**
 * A suite's app, booted before its tests with the worker stopped and a super admin, stopped after
 * them. Read `suite.app` and `suite.admin` inside tests (they are set in beforeAll).
 */
export const quietAppForSuite = () => {
  const suite = {} as { app: TestApp; admin: AdminSession };
  beforeAll(async () => {
    suite.app = await startApp();
    await stopWorker(suite.app);
    suite.admin = await adminSession(suite.app);
  });
  afterAll(async () => {
    await suite.app?.stop();
  });
  return suite;
};
