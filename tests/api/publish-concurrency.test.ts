import request from 'supertest';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, stopWorker, uploadPhoto, UID } from '../support/fixtures';

/**
 * Editors publishing at once: many same-role images of one product, some twice, all over HTTP
 * at the same moment. One product's gallery moves one publish at a time: exactly one image per
 * role ends published, every refused publish is a 409 that says why, the gallery version counts
 * the publishes that happened, and the events sent are those of what was committed.
 */
describe('concurrent publishes of one product', () => {
  let app: TestApp;
  let admin: AdminSession;
  let http: ReturnType<typeof request>;
  const events: Array<{ event: string; asset: string; role: string }> = [];

  beforeAll(async () => {
    app = await startApp();
    await stopWorker(app);
    admin = await adminSession(app);
    // One listening server for all the concurrent requests (supertest would listen once per request).
    await new Promise<void>((r) => app.strapi.server.httpServer.listen(0, '127.0.0.1', () => r()));
    http = request(`http://127.0.0.1:${(app.strapi.server.httpServer.address() as any).port}`);
    for (const event of ['product-gallery.asset.published', 'product-gallery.asset.archived']) {
      app.strapi.eventHub.on(event, async (p: any) => {
        events.push({ event: event.split('.').pop()!, asset: p.asset, role: p.role });
      });
    }
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('publishes one image per role, refuses the rest with 409, counts every publish once', async () => {
    const file = await uploadPhoto(app);
    const product = await createProduct(app, { sourcePhoto: file.id });
    const roles = { clean: 6, model: 4 } as const;
    const assets: Array<{ documentId: string; version: number; role: string }> = [];
    for (const [role, n] of Object.entries(roles)) {
      for (let i = 0; i < n; i++) assets.push(await createAsset(app, { product, role: role as any, status: 'approved', file }));
    }
    const before = (await app.strapi.db.query(UID.product).findOne({ where: { id: product.id } })).galleryVersion ?? 0;
    // Each image once, and the first of each role a second time with the same version.
    const twice = [assets[0], assets[roles.clean]];
    const requests = [...assets, ...twice].map((a) =>
      http.post(`/product-gallery/assets/${a.documentId}/transition`).set(admin.auth).send({ to: 'published', version: a.version })
    );
    const answers = await Promise.all(requests);

    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => ![200, 409].includes(s))).toEqual([]);
    for (const refused of answers.filter((r) => r.status === 409)) expect(refused.body.error.message).toMatch(/changed|Reload/);
    const published = answers.filter((r) => r.status === 200);
    // Every distinct image was published once (each replacing the one before it); the repeats were refused.
    expect(published).toHaveLength(assets.length);
    expect(new Set(published.map((r) => r.body.data.documentId)).size).toBe(assets.length);

    const rows = await app.strapi.db.query(UID.asset).findMany({ where: { product: product.id }, select: ['documentId', 'role', 'status', 'slot'] });
    for (const role of Object.keys(roles)) {
      const live = rows.filter((r: any) => r.role === role && r.status === 'published');
      expect([role, live.length]).toEqual([role, 1]);
      expect(rows.filter((r: any) => r.role === role && r.status !== 'published').every((r: any) => r.status === 'archived' && r.slot === null)).toBe(true);
    }
    const after = (await app.strapi.db.query(UID.product).findOne({ where: { id: product.id } })).galleryVersion;
    expect(after - before).toBe(published.length);

    // The events are the committed moves: one publish per success, one archive per replacement,
    // and each image's last event is its state now.
    const mine = events.filter((e) => assets.some((a) => a.documentId === e.asset));
    expect(mine.filter((e) => e.event === 'published')).toHaveLength(published.length);
    expect(mine.filter((e) => e.event === 'archived')).toHaveLength(published.length - Object.keys(roles).length);
    for (const r of rows) {
      const last = mine.filter((e) => e.asset === r.documentId).pop();
      expect([r.documentId, last?.event]).toEqual([r.documentId, r.status]);
    }
  }, 120_000);
});
