/**
 * The overview and the readiness API give each slot's state for the product's own brief, and the
 * counts above the matrix say what they count.
 */
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createAsset, createProduct, move, stopWorker, uploadPhoto } from '../support/fixtures';

describe('overview: slot states for the product’s own brief', () => {
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

  const get = (url: string) => app.http.get(url).set(admin.auth);

  it('judges slots against the product’s brief, one distinct state per stage', async () => {
    const file = await uploadPhoto(app);
    const briefs = app.strapi.plugin('product-gallery').service('briefs');
    const [ring] = (await briefs.list()).filter((b: any) => b.name === 'Rings');
    const custom = await briefs.clone(ring.documentId, { name: `Three slots ${Date.now()}`, categories: [] });
    // Unlike the default plan: no gallery-3 or campaign; gallery-2 is the detail shot alone.
    await briefs.update(custom.documentId, {
      slotPlan: [
        { slot: 'grid', roles: ['clean'] },
        { slot: 'hero', roles: ['model'] },
        { slot: 'gallery-2', roles: ['detail'] },
        { slot: 'campaign', roles: ['lifestyle'] },
      ],
    });
    const title = `Slot states ring ${Date.now()}`;
    const product = await createProduct(app, { title, category: 'ring', briefId: custom.id });
    const clean = await createAsset(app, { product, role: 'clean', status: 'approved', file });
    await move(app, clean.documentId, 'published');
    await createAsset(app, { product, role: 'model', status: 'approved', file });
    await createAsset(app, { product, role: 'detail', status: 'in_review', file });
    await createAsset(app, { product, role: 'lifestyle', status: 'draft', file });

    const expected = [
      ['grid', 'published', 'clean'],
      ['hero', 'approved', 'model'],
      ['gallery-2', 'in_review', 'detail'],
      ['campaign', 'draft', 'lifestyle'],
    ];
    const one = await get(`/product-gallery/products/${product.documentId}/readiness`);
    expect(one.status).toBe(200);
    expect(one.body.data.slots.map((s: any) => [s.slot, s.state, s.role])).toEqual(expected);

    const list = await get(`/product-gallery/products?q=${encodeURIComponent(title)}`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: any) => p.documentId)).toEqual([product.documentId]);
    const row = list.body.data[0];
    expect(row.slots.map((s: any) => [s.slot, s.state, s.role])).toEqual(expected);
    expect(row.readiness.awaitingReview).toBe(1);
    expect(row.readiness.missing).toEqual(['hero', 'gallery-2', 'campaign']);
    // Products (not shots) above the matrix; slot states counted over the rows shown.
    expect(list.body.meta.counts).toMatchObject({ total: 1, awaitingReview: 1, shotsAwaitingReview: 1, missingAny: 1, ready: 0 });
    expect(list.body.meta.counts.slotStates).toEqual({ published: 1, approved: 1, in_review: 1, draft: 1, generating: 0, failed: 0, missing: 0 });
  });

  it('a product with nothing in review shows no slot in review, and the counts agree', async () => {
    const title = `Empty pendant ${Date.now()}`;
    const product = await createProduct(app, { title, category: 'pendant' });
    await createAsset(app, { product, role: 'clean', status: 'queued' });
    await createAsset(app, { product, role: 'model', status: 'failed' });
    const list = await get(`/product-gallery/products?q=${encodeURIComponent(title)}`);
    const row = list.body.data[0];
    const states = Object.fromEntries(row.slots.map((s: any) => [s.slot, s.state]));
    expect(states.grid).toBe('generating');
    expect(Object.values(states)).not.toContain('in_review');
    expect(list.body.meta.counts).toMatchObject({ total: 1, awaitingReview: 0, shotsAwaitingReview: 0 });
    expect(list.body.meta.counts.slotStates.in_review).toBe(0);
    expect(list.body.meta.counts.slotStates.generating).toBeGreaterThan(0);
  });
});
