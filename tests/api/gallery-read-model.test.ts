import path from 'node:path';
import request from 'supertest';
import { isPostgres, startApp, ROOT, type TestApp } from '../support/strapi';
import { createAsset, createProduct, move, publishedGallery, stopWorker, uploadPhoto, UID, SYSTEM } from '../support/fixtures';
import { spawnChild, type Child } from '../support/rpc';

const SNAPSHOT = 'plugin::product-gallery.gallery-snapshot';

/**
 * The storefront read model: each product's published gallery is one row (the exact body the
 * storefront gets and its ETag), written in the transaction of the change that alters it, and
 * the storefront route sends that row.
 */
describe('storefront read model', () => {
  let app: TestApp;
  const children: Child[] = [];

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
  });
  afterAll(async () => {
    for (const c of children) await c.close().catch(() => undefined);
    await app?.stop();
  }, 60_000);

  const get = (url: string) => app.http.get(url);
  const rowOf = (slug: string) => app.strapi.db.query(SNAPSHOT as any).findOne({ where: { slug } });
  const slotsOf = (res: any) => res.body.data.slots.map((s: any) => [s.slot, s.role]);

  /** The row for the slug, and the endpoint sending exactly its bytes and ETag. */
  const expectServedAsStored = async (slug: string) => {
    const row = await rowOf(slug);
    const res = await get(`/api/product-gallery/galleries/${slug}`);
    expect(res.status).toBe(200);
    expect(row).toBeTruthy();
    expect(res.text).toBe(row.body);
    expect(res.headers.etag).toBe(row.etag);
    return res;
  };

  it('reads by a slug index the content type declares', async () => {
    const knex = app.strapi.db.connection;
    const table = app.strapi.db.metadata.get(SNAPSHOT as any).tableName;
    const names =
      app.strapi.db.dialect.client === 'sqlite'
        ? (await knex.raw("select name from sqlite_master where type = 'index' and tbl_name = ?", [table])).map((r: any) => r.name)
        : (await knex.raw('select indexname as name from pg_indexes where tablename = ? and schemaname = current_schema()', [table])).rows.map((r: any) => r.name);
    expect(names).toContain('pg_gallery_snapshots_slug_idx');
  });

  it('writes the row on publish and archive; the endpoint sends it byte for byte; no published image, no row', async () => {
    const { product, file, assets } = await publishedGallery(app, { roles: ['clean'] });
    const first = await expectServedAsStored(product.slug);
    expect(slotsOf(first)).toEqual([['grid', 'clean'], ['hero', 'clean']]);

    const detail = await createAsset(app, { product, role: 'detail', status: 'approved', file });
    await move(app, detail.documentId, 'published');
    const published = await expectServedAsStored(product.slug);
    expect(slotsOf(published)).toEqual([['grid', 'clean'], ['hero', 'clean'], ['gallery-3', 'detail']]);
    expect(published.headers.etag).not.toBe(first.headers.etag);

    await move(app, detail.documentId, 'archived');
    expect(slotsOf(await expectServedAsStored(product.slug))).toEqual([['grid', 'clean'], ['hero', 'clean']]);

    await move(app, assets.clean.documentId, 'archived');
    expect(await rowOf(product.slug)).toBeNull();
    expect((await get(`/api/product-gallery/galleries/${product.slug}`)).status).toBe(404);
  });

  it('rewrites every product a brief decides when its slot plan changes', async () => {
    const file = await uploadPhoto(app);
    const briefs = app.strapi.plugin('product-gallery').service('briefs');
    const [ring] = (await briefs.list()).filter((b: any) => b.name === 'Rings');
    const custom = await briefs.clone(ring.documentId, { name: `Read model ${Date.now()}`, categories: [] });
    const products = [await createProduct(app, { category: 'ring', briefId: custom.id }), await createProduct(app, { category: 'ring', briefId: custom.id })];
    for (const product of products) {
      for (const role of ['clean', 'model'] as const) {
        const a = await createAsset(app, { product, role, status: 'approved', file });
        await move(app, a.documentId, 'published');
      }
    }
    await briefs.update(custom.documentId, { slotPlan: [{ slot: 'hero', roles: ['model'] }, { slot: 'grid', roles: ['clean'] }] });
    for (const product of products) expect(slotsOf(await expectServedAsStored(product.slug))).toEqual([['hero', 'model'], ['grid', 'clean']]);
  });

  it('follows product edits: a new slug is served and the old one is gone; a new title shows', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean'] });
    const renamed = `${product.slug}-renamed`;
    await app.strapi.documents(UID.product as any).update({ documentId: product.documentId, data: { slug: renamed, title: 'Renamed studs' } as any });
    expect((await get(`/api/product-gallery/galleries/${product.slug}`)).status).toBe(404);
    expect(await rowOf(product.slug)).toBeNull();
    const res = await expectServedAsStored(renamed);
    expect(res.body.data.product).toMatchObject({ slug: renamed, title: 'Renamed studs' });

    await app.strapi.documents(UID.product as any).delete({ documentId: product.documentId });
    expect(await rowOf(renamed)).toBeNull();
  });

  it("follows an image's alt text and focal point, and its Media Library file's alt text", async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app);
    const clean = await createAsset(app, { product, role: 'clean', status: 'approved', file, extra: { alt: null } });
    await move(app, clean.documentId, 'published');
    await app.strapi.plugin('upload').service('upload').updateFileInfo(file.id, { alternativeText: 'Media Library words' });
    expect((await expectServedAsStored(product.slug)).body.data.slots[0].image.alt).toBe('Media Library words');

    const workflow = app.strapi.plugin('product-gallery').service('workflow');
    await workflow.updateDetails({ documentId: clean.documentId, alt: 'Editor words', focalPoint: { x: 10, y: 20 }, actor: SYSTEM });
    const image = (await expectServedAsStored(product.slug)).body.data.slots[0].image;
    expect(image.alt).toBe('Editor words');
    expect(image.focalPoint).toEqual({ x: 10, y: 20 });
  });

  /**
   * Runs `listener` on these lifecycle events of these models until the returned function is
   * called. Reads made and writes held back are effects no response shows, so the tests below
   * watch them through Strapi's own lifecycles.
   */
  const watch = (models: string[], actions: string[], listener: () => unknown) =>
    app.strapi.db.lifecycles.subscribe({ models, ...Object.fromEntries(actions.map((a) => [a, listener])) });

  it("writes that touch only the dispatcher's bookkeeping cost the read model nothing; a gallery field written the same way is followed", async () => {
    const { product, assets } = await publishedGallery(app, { roles: ['clean'] });
    const before = await rowOf(product.slug);
    let reads = 0;
    const stop = watch([UID.asset, SNAPSHOT], ['beforeFindMany', 'beforeFindOne', 'beforeCount'], () => (reads += 1));
    try {
      // The shape of a lease renewal and of a retry's bookkeeping, on an image that is published.
      await app.strapi.db.query(UID.asset as any).updateMany({
        where: { id: assets.clean.id },
        data: { leaseUntil: new Date(), leaseOwner: 'elsewhere', attempts: 2, nextAttemptAt: new Date(), error: 'Retrying: busy' },
      });
    } finally {
      stop();
    }
    expect(reads).toBe(0);
    expect(await rowOf(product.slug)).toEqual(before);

    await app.strapi.db.query(UID.asset as any).updateMany({ where: { id: assets.clean.id }, data: { alt: 'Written in bulk' } });
    expect((await expectServedAsStored(product.slug)).body.data.slots[0].image.alt).toBe('Written in bulk');
  });

  /**
   * Two writes of one product's gallery, each past its read of the gallery's row before either
   * writes it. PostgreSQL runs them side by side, each in its own transaction (seeing only its
   * own change); SQLite runs one transaction at a time, so there they race between statements
   * made outside any.
   */
  const atOnce = async (writes: Array<() => Promise<unknown>>) => {
    let arrived = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stop = watch([SNAPSHOT], ['afterFindMany'], async () => {
      if (arrived >= writes.length) return;
      arrived += 1;
      if (arrived === writes.length) open();
      await gate;
    });
    try {
      return await Promise.allSettled(writes.map((w) => (isPostgres() ? app.strapi.db.transaction(w) : w())));
    } finally {
      stop();
    }
  };
  const publishWithoutLock = (id: number) => () => app.strapi.db.query(UID.asset as any).updateMany({ where: { id }, data: { status: 'published' } });
  const rolesOf = (row: any) => JSON.parse(row.body).data.slots.map((s: any) => s.role).sort();

  it("two writes making a product's first gallery row at once both succeed, and the row holds both", async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app);
    const clean = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    const model = await createAsset(app, { product, role: 'model', status: 'approved', file });
    const results = await atOnce([publishWithoutLock(clean.id), publishWithoutLock(model.id)]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled']);
    expect(rolesOf(await rowOf(product.slug))).toEqual(['clean', 'clean', 'model']);
    await expectServedAsStored(product.slug);
  });

  it("two writes of one product's existing row at once leave it holding both (a change beside a publish, an archive beside a publish)", async () => {
    const file = await uploadPhoto(app);
    const pair = async () => {
      const product = await createProduct(app);
      const clean = await createAsset(app, { product, role: 'clean', status: 'approved', file });
      const model = await createAsset(app, { product, role: 'model', status: 'approved', file });
      await move(app, clean.documentId, 'published');
      return { product, clean, model };
    };
    const statuses = (results: PromiseSettledResult<unknown>[]) => results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status));

    const edited = await pair();
    const alt = () => app.strapi.db.query(UID.asset as any).updateMany({ where: { id: edited.clean.id }, data: { alt: 'Written beside a publish' } });
    expect(statuses(await atOnce([alt, publishWithoutLock(edited.model.id)]))).toEqual(['fulfilled', 'fulfilled']);
    const row = await rowOf(edited.product.slug);
    expect(rolesOf(row)).toEqual(['clean', 'clean', 'model']);
    expect(JSON.parse(row.body).data.slots[0].image.alt).toBe('Written beside a publish');

    const archived = await pair();
    const archive = () => app.strapi.db.query(UID.asset as any).updateMany({ where: { id: archived.clean.id }, data: { status: 'archived' } });
    expect(statuses(await atOnce([archive, publishWithoutLock(archived.model.id)]))).toEqual(['fulfilled', 'fulfilled']);
    expect(rolesOf(await rowOf(archived.product.slug))).toEqual(['model', 'model', 'model']);
    await expectServedAsStored(archived.product.slug);
  });

  it('is written in the move’s own transaction: a move that fails after the write leaves the old row', async () => {
    const { product, file } = await publishedGallery(app, { roles: ['clean'] });
    const before = await rowOf(product.slug);
    const detail = await createAsset(app, { product, role: 'detail', status: 'approved', file });
    let inside: any;
    await expect(
      app.strapi.db.transaction(async () => {
        await move(app, detail.documentId, 'published');
        inside = await rowOf(product.slug);
        throw new Error('fails after the write');
      })
    ).rejects.toThrow('fails after the write');
    // The write was there inside the transaction, and went with it.
    expect(inside.etag).not.toBe(before.etag);
    expect(JSON.parse(inside.body).data.slots.map((s: any) => s.role)).toContain('detail');
    expect(await rowOf(product.slug)).toEqual(before);
    expect((await expectServedAsStored(product.slug)).headers.etag).toBe(before.etag);
  });

  it('shows a publish on another instance on the same database in its very next response', async () => {
    const child = spawnChild('second-instance', path.join(ROOT, 'tests', 'support', 'app-process.ts'));
    children.push(child);
    const { port } = await child.call('boot', { dbEnv: app.dbEnv, env: { PRODUCT_GALLERY_WORKER: 'false' } }, 180_000);
    const other = request(`http://127.0.0.1:${port}`);
    const { product, file } = await publishedGallery(app, { roles: ['clean'] });
    const url = `/api/product-gallery/galleries/${product.slug}`;
    expect(slotsOf(await other.get(url))).toEqual([['grid', 'clean'], ['hero', 'clean']]);

    const detail = await createAsset(app, { product, role: 'detail', status: 'approved', file });
    await move(app, detail.documentId, 'published');
    const after = await other.get(url);
    expect(slotsOf(after)).toEqual([['grid', 'clean'], ['hero', 'clean'], ['gallery-3', 'detail']]);
    expect(after.text).toBe((await rowOf(product.slug)).body);
    await move(app, detail.documentId, 'archived');
    expect(slotsOf(await other.get(url))).toEqual([['grid', 'clean'], ['hero', 'clean']]);
    await child.close();
  }, 240_000);

  it('writes missing rows, and rows of another shape, on boot (a database from before the read model)', async () => {
    const { product } = await publishedGallery(app, { roles: ['clean', 'model'] });
    const expected = (await get(`/api/product-gallery/galleries/${product.slug}`)).text;
    const rows = app.strapi.db.query(SNAPSHOT as any);
    const others = await rows.findMany({ where: { slug: { $ne: product.slug } }, select: ['id'], limit: 1 });
    await rows.deleteMany({ where: { slug: product.slug } });
    if (others.length) await rows.updateMany({ where: { id: others[0].id }, data: { shape: 0, body: '{"data":null,"meta":{}}' } });
    expect((await get(`/api/product-gallery/galleries/${product.slug}`)).status).toBe(404);

    const dbEnv = app.dbEnv;
    await app.stop({ keepDatabase: true });
    app = await startApp({ dbEnv });
    await stopWorker(app);
    const res = await expectServedAsStored(product.slug);
    expect(res.text).toBe(expected);
    if (others.length) {
      // Rewritten in place (or gone, had its product nothing published any more).
      const rewritten = await app.strapi.db.query(SNAPSHOT as any).findOne({ where: { id: others[0].id } });
      if (rewritten) expect(rewritten.body).not.toBe('{"data":null,"meta":{}}');
      expect(await app.strapi.db.query(SNAPSHOT as any).count({ where: { shape: 0 } })).toBe(0);
    }
  }, 240_000);
});
