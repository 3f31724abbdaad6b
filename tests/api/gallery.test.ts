import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, move, publishedGallery, stopWorker, uploadPhoto, UID } from '../support/fixtures';

describe('gallery content API for storefronts', () => {
  let app: TestApp;
  let admin: AdminSession;

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.http.get(url).set(headers);

  it('returns the published gallery in page order, one asset filling several slots, publicly', async () => {
    const { product, assets, file } = await publishedGallery(app);
    const res = await get(`/api/product-gallery/galleries/${product.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const d = res.body.data;
    expect(Object.keys(d).sort()).toEqual(['product', 'slots', 'updatedAt']);
    expect(d.product).toEqual({ documentId: product.documentId, slug: product.slug, sku: product.sku, title: product.title, category: product.category });
    expect(d.slots.map((s: any) => [s.slot, s.role])).toEqual([
      ['grid', 'clean'],
      ['hero', 'clean'],
      ['gallery-2', 'model'],
      ['gallery-3', 'detail'],
      ['campaign', 'lifestyle'],
    ]);
    const img = d.slots[0].image;
    expect(Object.keys(img).sort()).toEqual(['aiGenerated', 'alt', 'digitalSourceType', 'focalPoint', 'height', 'mime', 'scenePreview', 'sources', 'thumbhash', 'url', 'width']);
    // A fixture asset records no source type: nothing claims it was, or was not, generated.
    expect(img).toMatchObject({ aiGenerated: false, digitalSourceType: null, scenePreview: false });
    expect(img).toMatchObject({ url: file.url, mime: 'image/jpeg', alt: 'alt clean', focalPoint: { x: 50, y: 45 }, thumbhash: 'THUMBHASH' });
    expect(img.width).toEqual(expect.any(Number));
    expect(img.sources.length).toBeGreaterThan(0);
    for (const s of img.sources) expect(Object.keys(s).sort()).toEqual(['format', 'height', 'url', 'width']);
    expect(img.sources.map((s: any) => s.width)).toEqual([...img.sources.map((s: any) => s.width)].sort((a: number, b: number) => a - b));
    expect(new Date(d.updatedAt).toString()).not.toBe('Invalid Date');
    expect(assets.clean).toBeDefined();
  });

  it('looks products up by an index the content type declares (Strapi creates and keeps it)', async () => {
    const knex = app.strapi.db.connection;
    const names =
      app.strapi.db.dialect.client === 'sqlite'
        ? (await knex.raw("select name from sqlite_master where type = 'index' and tbl_name = 'pg_products'")).map((r: any) => r.name)
        : (await knex.raw('select indexname as name from pg_indexes where tablename = ? and schemaname = current_schema()', ['pg_products'])).rows.map((r: any) => r.name);
    expect(names).toContain('pg_products_pg_slug_idx');
  });

  it('serves stored renditions as sources, and ?channel= drops formats the channel does not take', async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app);
    const renditions = [
      { key: 'pg_avif_320', url: '/uploads/r320.avif', width: 320, height: 320, format: 'avif', mime: 'image/avif' },
      { key: 'pg_webp_320', url: '/uploads/r320.webp', width: 320, height: 320, format: 'webp', mime: 'image/webp' },
      { key: 'pg_jpeg_320', url: '/uploads/r320.jpg', width: 320, height: 320, format: 'jpeg', mime: 'image/jpeg' },
      { key: 'pg_jpeg_640', url: '/uploads/r640.jpg', width: 640, height: 640, format: 'jpeg', mime: 'image/jpeg' },
    ];
    const a = await createAsset(app, { product, role: 'clean', status: 'approved', file, extra: { renditions } });
    await move(app, a.documentId, 'published');
    const all = await get(`/api/product-gallery/galleries/${product.slug}`);
    const sources = all.body.data.slots[0].image.sources;
    // Sorted by width, then AVIF, WebP, JPEG; the stored original (540 px here) is the last resort.
    expect(sources).toEqual([
      { url: '/uploads/r320.avif', width: 320, height: 320, format: 'avif' },
      { url: '/uploads/r320.webp', width: 320, height: 320, format: 'webp' },
      { url: '/uploads/r320.jpg', width: 320, height: 320, format: 'jpeg' },
      { url: file.url, width: 540, height: 544, format: 'jpeg' },
      { url: '/uploads/r640.jpg', width: 640, height: 640, format: 'jpeg' },
    ]);
    const email = await get(`/api/product-gallery/galleries/${product.slug}?channel=email`);
    expect(email.status).toBe(200);
    expect(email.body.data.slots[0].image.sources.map((s: any) => s.format)).not.toContain('webp');
    expect(email.body.data.slots[0].image.sources.map((s: any) => s.format)).not.toContain('avif');
    expect((await get(`/api/product-gallery/galleries/${product.slug}?channel=myspace`)).status).toBe(400);
  });

  it('falls back to the next role in a slot, and leaves unfilled slots out', async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app);
    const model = await createAsset(app, { product, role: 'model', status: 'approved', file });
    await move(app, model.documentId, 'published');
    const res = await get(`/api/product-gallery/galleries/${product.slug}`);
    expect(res.body.data.slots.map((s: any) => [s.slot, s.role])).toEqual([
      ['grid', 'model'],
      ['hero', 'model'],
      ['gallery-2', 'model'],
    ]);
  });

  it('follows the product brief slot plan order', async () => {
    const file = await uploadPhoto(app);
    const briefs = app.strapi.plugin('product-gallery').service('briefs');
    const [ring] = (await briefs.list()).filter((b: any) => b.name === 'Rings');
    const custom = await briefs.clone(ring.documentId, { name: `Campaign first ${Date.now()}`, categories: [] });
    await briefs.update(custom.documentId, {
      slotPlan: [
        { slot: 'campaign', roles: ['lifestyle'] },
        { slot: 'hero', roles: ['model', 'clean'] },
        { slot: 'grid', roles: ['clean'] },
      ],
    });
    const product = await createProduct(app, { category: 'ring', briefId: custom.id });
    for (const role of ['clean', 'model', 'lifestyle'] as const) {
      const a = await createAsset(app, { product, role, status: 'approved', file });
      await move(app, a.documentId, 'published');
    }
    const res = await get(`/api/product-gallery/galleries/${product.slug}`);
    expect(res.body.data.slots.map((s: any) => [s.slot, s.role])).toEqual([
      ['campaign', 'lifestyle'],
      ['hero', 'model'],
      ['grid', 'clean'],
    ]);
    const readiness = await app.http.get(`/product-gallery/products/${product.documentId}/readiness`).set(admin.auth);
    expect(readiness.body.data.slots.map((s: any) => s.slot)).toEqual(['campaign', 'hero', 'grid']);
  });

  it('404s an unknown slug and 400s a malformed one', async () => {
    const res = await get('/api/product-gallery/galleries/no-such-product');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ status: 404, name: 'NotFoundError' });
    expect((await get('/api/product-gallery/galleries/bad%20slug!')).status).toBe(400);
  });

  it('never shows anything unpublished: drafts, reviews, approved, rejected, archived, failed, source photos, prompts, costs, provenance', async () => {
    const sourcePhoto = await uploadPhoto(app, '11_pendant_product_silver-origami-crane.jpg');
    const product = await createProduct(app, { sourcePhoto: sourcePhoto.id, category: 'pendant' });
    const published = await uploadPhoto(app, '04_pendant_product_turquoise-point-pendant.jpg');
    const live = await createAsset(app, { product, role: 'clean', status: 'approved', file: published });
    await move(app, live.documentId, 'published');
    const hidden: Record<string, { url: string; hash?: string }> = {};
    const hiddenIds: string[] = [];
    for (const [role, status] of [
      ['model', 'draft'],
      ['model', 'in_review'],
      ['detail', 'approved'],
      ['lifestyle', 'rejected'],
      ['detail', 'failed'],
      ['model', 'queued'],
      ['model', 'generating'],
    ] as const) {
      const f = await uploadPhoto(app, '01_necklace_product_bird-chain.jpg');
      const a = await createAsset(app, { product, role, status, file: f });
      hidden[`${role}:${status}`] = f;
      hiddenIds.push(a.documentId);
    }
    // An archived one: published once, then replaced.
    const oldFile = await uploadPhoto(app, '23_bracelet_product_leather-anchor-bracelet.jpg');
    const old = await createAsset(app, { product, role: 'lifestyle', status: 'approved', file: oldFile });
    await move(app, old.documentId, 'published');
    await move(app, old.documentId, 'archived');
    hidden.archived = oldFile;
    hiddenIds.push(old.documentId);

    const res = await get(`/api/product-gallery/galleries/${product.slug}`);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(res.body.data.slots.map((s: any) => s.role)).toEqual(['clean', 'clean']);
    for (const [label, f] of Object.entries(hidden)) {
      expect([label, text.includes((f as any).hash)]).toEqual([label, false]);
    }
    for (const id of hiddenIds) expect(text).not.toContain(id);
    expect(text).not.toContain(live.documentId);
    expect(text).not.toContain((sourcePhoto as any).hash);
    expect(text).not.toMatch(/SECRET-PROMPT|flux-kontext/);
    expect(text).not.toMatch(/"(id|prompt|cost|qc|qcStatus|provenance|version|galleryVersion|status|sourcePhoto|error)":/);
    const list = await get(`/api/product-gallery/galleries?slugs=${product.slug}`);
    expect(JSON.stringify(list.body)).not.toMatch(/SECRET-PROMPT|flux-kontext|"(prompt|cost|provenance)":/);
    expect(JSON.stringify(list.body)).not.toContain((sourcePhoto as any).hash);
  });

  it('sends a strong ETag and Cache-Control, and 304 for If-None-Match', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const url = `/api/product-gallery/galleries/${product.slug}`;
    const first = await get(url);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(first.headers['cache-control']).toMatch(/^public, max-age=60, stale-while-revalidate=\d+$/);
    const again = await get(url, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    expect(again.headers.etag).toBe(etag);
    expect((await get(url, { 'If-None-Match': '"something-else"' })).status).toBe(200);
    // What fetch sends with a stored ETag (the Fetch standard adds no-cache beside it): still a 304.
    const fromFetch = await get(url, { 'If-None-Match': `"stale-one", W/${etag}`, 'Cache-Control': 'no-cache', Pragma: 'no-cache' });
    expect(fromFetch.status).toBe(304);
    expect((await get(url, { 'If-None-Match': '*', 'Cache-Control': 'no-cache' })).status).toBe(304);
    expect((await get(url, { 'If-None-Match': '"something-else"', 'Cache-Control': 'no-cache' })).status).toBe(200);
    expect((await get(`${url}?channel=email`)).headers.etag).toBeDefined();
  });

  it('shows a publish and an archive in the very next response, and keeps no per-process cache', async () => {
    const file = await uploadPhoto(app);
    const { product, assets } = await publishedGallery(app, { roles: ['clean'], file });
    const url = `/api/product-gallery/galleries/${product.slug}`;
    const before = await get(url);
    expect(before.body.data.slots.map((s: any) => s.role)).toEqual(['clean', 'clean']);

    // A publish through the admin API shows at once, with a new ETag.
    const detail = await createAsset(app, { product, role: 'detail', status: 'approved', file });
    const pub = await app.http.post(`/product-gallery/assets/${detail.documentId}/transition`).set(admin.auth).send({ to: 'published', version: 1 });
    expect(pub.status).toBe(200);
    const after = await get(url, { 'If-None-Match': before.headers.etag });
    expect(after.status).toBe(200);
    expect(after.body.data.slots.map((s: any) => s.slot)).toEqual(['grid', 'hero', 'gallery-3']);

    // An archive shows at once.
    const arch = await app.http.post(`/product-gallery/assets/${detail.documentId}/transition`).set(admin.auth).send({ to: 'archived', version: 2 });
    expect(arch.status).toBe(200);
    expect((await get(url)).body.data.slots.map((s: any) => s.slot)).toEqual(['grid', 'hero']);

    // Writes made anywhere in Strapi through its query engine (no workflow call, no event) show in
    // the very next read: the storefront row is written with them. Several instances on one
    // database: gallery-read-model.test.ts.
    const assetRows = app.strapi.db.query(UID.asset);
    await assetRows.updateMany({ where: { documentId: assets.clean.documentId }, data: { status: 'archived' } });
    // Nothing published any more: the product is gone from the storefront, as an unknown one is.
    expect((await get(url)).status).toBe(404);
    await assetRows.updateMany({ where: { documentId: assets.clean.documentId }, data: { status: 'published', alt: 'changed elsewhere' } });
    const back = await get(url);
    expect(back.body.data.slots[0].image.alt).toBe('changed elsewhere');
    // A Media Library file edited (a new url) shows too.
    await app.strapi.db.query('plugin::upload.file').update({ where: { id: file.id }, data: { url: '/uploads/replaced.jpg' } });
    expect((await get(url)).body.data.slots[0].image.url).toBe('/uploads/replaced.jpg');
  });

  it('lists several galleries by slug, in the order asked, up to a grid page of 24', async () => {
    const a = await publishedGallery(app, { roles: ['clean'] });
    const b = await publishedGallery(app, { roles: ['detail'] });
    const res = await get(`/api/product-gallery/galleries?slugs=${b.product.slug},nope,${a.product.slug}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((g: any) => g.product.slug)).toEqual([b.product.slug, a.product.slug]);
    expect(res.body.data[0].slots.map((s: any) => s.slot)).toEqual(['gallery-3']);
    expect(res.headers.etag).toBeDefined();
    const page = Array.from({ length: 24 }, (_, i) => `p-${i}`).join(',');
    expect((await get(`/api/product-gallery/galleries?slugs=${page}`)).status).toBe(200);
    const tooMany = await get(`/api/product-gallery/galleries?slugs=${page},p-24`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/slugs: must name at most 24/);
    expect((await get('/api/product-gallery/galleries')).status).toBe(400);
  });

  it('is public by default through the Public role, and closed when that permission is removed', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
    const perms = await app.strapi.db
      .query('plugin::users-permissions.permission')
      .findMany({ where: { action: 'plugin::product-gallery.gallery.findOne', role: role.id } });
    expect(perms.length).toBeGreaterThan(0);
    await app.strapi.db.query('plugin::users-permissions.permission').deleteMany({ where: { id: { $in: perms.map((p: any) => p.id) } } });
    try {
      expect((await get(`/api/product-gallery/galleries/${product.slug}`)).status).toBe(403);
      // The list action is still granted.
      expect((await get(`/api/product-gallery/galleries?slugs=${product.slug}`)).status).toBe(200);
    } finally {
      await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action: 'plugin::product-gallery.gallery.findOne', role: role.id } });
    }
    expect((await get(`/api/product-gallery/galleries/${product.slug}`)).status).toBe(200);
  });
});
