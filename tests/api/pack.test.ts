import sharp from 'sharp';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, publishedGallery, stopWorker, uploadPhoto } from '../support/fixtures';
import { readZip } from '../support/zip';
import { binary } from '../support/http';

describe('listing packs: a ZIP of the published gallery per channel', () => {
  let app: TestApp;
  let admin: AdminSession;
  let gallery: Awaited<ReturnType<typeof publishedGallery>>;

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    gallery = await publishedGallery(app, { file: await uploadPhoto(app, '01_necklace_product_bird-chain.jpg') });
  });
  afterAll(async () => {
    await app?.stop();
  });

  const pack = (documentId: string, channel: string, session = admin) =>
    app.http.get(`/product-gallery/products/${documentId}/pack?channel=${channel}`).set(session.auth).buffer(true).parse(binary);

  it('Amazon: <SKU>.MAIN.jpg for the clean image, <SKU>.PT01.jpg ... for the rest, and a manifest', async () => {
    const res = await pack(gallery.product.documentId, 'amazon');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${gallery.product.sku}-amazon.zip"`);
    const entries = readZip(res.body);
    const sku = gallery.product.sku;
    expect(entries.map((e) => e.name)).toEqual([`${sku}.MAIN.jpg`, `${sku}.PT01.jpg`, `${sku}.PT02.jpg`, `${sku}.PT03.jpg`, 'manifest.json']);
    const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.data.toString('utf8'));
    expect(manifest).toMatchObject({
      channel: 'amazon',
      product: { documentId: gallery.product.documentId, sku, slug: gallery.product.slug },
      notes: [],
    });
    expect(manifest.files.map((f: any) => [f.name, f.role, f.slots, f.preset])).toEqual([
      [`${sku}.MAIN.jpg`, 'clean', ['grid', 'hero'], 'amazon-main'],
      [`${sku}.PT01.jpg`, 'model', ['gallery-2'], 'amazon-additional'],
      [`${sku}.PT02.jpg`, 'detail', ['gallery-3'], 'amazon-additional'],
      [`${sku}.PT03.jpg`, 'lifestyle', ['campaign'], 'amazon-additional'],
    ]);
    for (const f of manifest.files) {
      const entry = entries.find((e) => e.name === f.name)!;
      const meta = await sharp(entry.data).metadata();
      expect([f.name, meta.format, meta.width, meta.height, entry.data.length]).toEqual([f.name, 'jpeg', f.width, f.height, f.bytes]);
    }
    // MAIN: a square of at least 1000 px (zoom) and at most 2100 px, from the pipeline's preset.
    const main = manifest.files[0];
    expect(main.width).toBe(main.height);
    expect(main.width).toBeGreaterThanOrEqual(1000);
    expect(main.width).toBeLessThanOrEqual(2100);
    expect(main.mime).toBe('image/jpeg');
    expect(Math.max(manifest.files[1].width, manifest.files[1].height)).toBeGreaterThanOrEqual(1000);
  });

  it('names files by each channel convention', async () => {
    const { sku, slug } = gallery.product;
    const expected: Record<string, string[]> = {
      etsy: [`${slug}-01.jpg`, `${slug}-02.jpg`, `${slug}-03.jpg`, `${slug}-04.jpg`],
      google: [`${sku}-main.jpg`, `${sku}-additional-1.jpg`, `${sku}-additional-2.jpg`, `${sku}-additional-3.jpg`],
      email: [`${slug}-grid@2x.jpg`, `${slug}-gallery-2@2x.jpg`, `${slug}-gallery-3@2x.jpg`, `${slug}-campaign@2x.jpg`],
    };
    for (const [channel, names] of Object.entries(expected)) {
      const res = await pack(gallery.product.documentId, channel);
      expect(res.status).toBe(200);
      const entries = readZip(res.body);
      expect(entries.map((e) => e.name)).toEqual([...names, 'manifest.json']);
      const manifest = JSON.parse(entries.at(-1)!.data.toString('utf8'));
      expect(manifest.files.every((f: any) => f.preset === channel)).toBe(true);
      // Email: 600 px template at up to 2x, never enlarged past what it needs.
      if (channel === 'email') expect(manifest.files.every((f: any) => f.width >= 600 && f.width <= 1200)).toBe(true);
    }
  });

  it('puts the clean shot first for Amazon even when the plan leads with another role', async () => {
    const file = await uploadPhoto(app, '04_pendant_product_turquoise-point-pendant.jpg');
    const product = await createProduct(app);
    const { move } = require('../support/fixtures');
    for (const role of ['lifestyle', 'model'] as const) {
      const a = await createAsset(app, { product, role, status: 'approved', file });
      await move(app, a.documentId, 'published');
    }
    const noClean = await pack(product.documentId, 'amazon');
    expect(noClean.status).toBe(200);
    const manifest = JSON.parse(readZip(noClean.body).at(-1)!.data.toString('utf8'));
    expect(manifest.files[0]).toMatchObject({ name: `${product.sku}.MAIN.jpg`, role: 'model' });
    expect(manifest.notes.join(' ')).toMatch(/No clean/);
  });

  it('409 when nothing is published, 400 for an unknown channel, 404 for an unknown product', async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app);
    await createAsset(app, { product, role: 'clean', status: 'approved', file });
    const none = await app.http.get(`/product-gallery/products/${product.documentId}/pack?channel=amazon`).set(admin.auth);
    expect(none.status).toBe(409);
    expect(none.body.error.message).toMatch(/no published images/);
    const bad = await app.http.get(`/product-gallery/products/${product.documentId}/pack?channel=myspace`).set(admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/channel/);
    const missing = await app.http.get(`/product-gallery/products/abcdefghijklmnopqrstuvwx/pack?channel=etsy`).set(admin.auth);
    expect(missing.status).toBe(404);
  });

  it('renders in the pipeline threads: while a pack waits for a thread, the server answers other requests', async () => {
    const pipeline = app.strapi.plugin('product-gallery').service('pipeline');
    // Occupy the pipeline's only thread until released: nothing is timed.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const holding = pipeline.run('hold', [flag.buffer]);
    let packDone = false;
    const packing = pack(gallery.product.documentId, 'etsy').then((res) => {
      packDone = true;
      return res;
    });
    try {
      // The pack's first image reaches the pipeline's line (or, rendered on this thread, the pack would finish).
      while (!packDone && pipeline.queued() === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(packDone).toBe(false);
      expect(pipeline.queued()).toBe(1);
      // Meanwhile the HTTP thread serves: a read and a gallery answer come back before the pack.
      const other = await app.http.get(`/product-gallery/products/${gallery.product.documentId}/readiness`).set(admin.auth);
      expect(other.status).toBe(200);
      const storefront = await app.http.get(`/api/product-gallery/galleries/${gallery.product.slug}`);
      expect(storefront.status).toBeLessThan(500);
      expect(packDone).toBe(false);
    } finally {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
    await holding;
    const res = await packing;
    expect(res.status).toBe(200);
    expect(readZip(res.body).map((e) => e.name)).toContain('manifest.json');
  });

  it('an Author may download packs (read)', async () => {
    const author = await adminSession(app, { roleCode: 'strapi-author' });
    const res = await pack(gallery.product.documentId, 'meta', author);
    expect(res.status).toBe(200);
    expect(readZip(res.body).map((e) => e.name)).toContain('manifest.json');
  });
});
