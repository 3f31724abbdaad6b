import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto, PRODUCT_CM } from '../support/products';

const BRIEF_CM = '/content-manager/collection-types/plugin::product-gallery.category-brief';

describe('foundation: the app, its content model and validation', () => {
  let app: TestApp;
  let admin: AdminSession;

  beforeAll(async () => {
    app = await startApp();
    admin = await adminSession(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('registers the content types and components with their fields', () => {
    const fields = (uid: string) => Object.keys((app.strapi.contentType(uid as any) ?? app.strapi.components[uid as any]).attributes);
    expect(fields('plugin::product-gallery.product')).toEqual(
      expect.arrayContaining(['title', 'slug', 'sku', 'category', 'metal', 'stones', 'dimensions', 'description', 'sourcePhoto', 'brief', 'assets'])
    );
    expect(fields('plugin::product-gallery.category-brief')).toEqual(expect.arrayContaining(['name', 'categories', 'roles', 'slotPlan', 'version']));
    expect(fields('plugin::product-gallery.image-asset')).toEqual(
      expect.arrayContaining(['product', 'role', 'slot', 'status', 'file', 'alt', 'focalPoint', 'width', 'height', 'renditions', 'placeholder', 'qc', 'provenance', 'version', 'error'])
    );
    expect(fields('plugin::product-gallery.audit-event')).toEqual(expect.arrayContaining(['asset', 'from', 'to', 'actor', 'at', 'note']));
    expect(fields('product-gallery.stone')).toEqual(expect.arrayContaining(['type', 'color', 'count', 'sizeMm']));
    expect(fields('product-gallery.role-spec')).toEqual(
      expect.arrayContaining(['role', 'required', 'aspectRatio', 'minLongEdge', 'generator', 'model', 'promptTemplate', 'negativePrompt', 'scene', 'style'])
    );
  });

  it('shows the content types in the Content Manager', async () => {
    const res = await app.http.get('/content-manager/content-types').set(admin.auth);
    expect(res.status).toBe(200);
    const visible = res.body.data.filter((ct: any) => ct.isDisplayed).map((ct: any) => ct.uid);
    expect(visible).toEqual(
      expect.arrayContaining([
        'plugin::product-gallery.product',
        'plugin::product-gallery.category-brief',
        'plugin::product-gallery.image-asset',
        'plugin::product-gallery.audit-event',
      ])
    );
  });

  it('seeds default briefs with the category context and the default slot plan', async () => {
    const res = await app.http.get('/product-gallery/briefs').set(admin.auth);
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.data.map((b: any) => [b.name, b]));
    expect(Object.keys(byName).sort()).toEqual(['Bracelets', 'Earrings', 'Necklaces', 'Pendants', 'Rings']);
    expect(byName.Rings.categories).toEqual(['ring']);
    expect(byName.Rings.roles.find((r: any) => r.role === 'model').scene).toMatch(/hand/);
    expect(byName.Necklaces.roles.find((r: any) => r.role === 'model').scene).toMatch(/neckline/);
    expect(byName.Pendants.roles.find((r: any) => r.role === 'model').scene).toMatch(/neckline/);
    expect(byName.Earrings.roles.find((r: any) => r.role === 'model').scene).toMatch(/ear.*fram/);
    expect(byName.Bracelets.roles.find((r: any) => r.role === 'model').scene).toMatch(/wrist/);
    expect(byName.Rings.slotPlan.map((s: any) => [s.slot, s.roles])).toEqual([
      ['grid', ['clean', 'model']],
      ['hero', ['clean', 'model']],
      ['gallery-2', ['model', 'size']],
      ['gallery-3', ['detail']],
      ['campaign', ['lifestyle']],
    ]);
    expect(byName.Rings.version).toBe(1);
  });

  it('answers invalid input with 400s whose message names the field', async () => {
    const badSku = await createProduct(app, admin, { title: 'Ring', sku: 'has spaces!', category: 'ring', metal: 'silver' });
    expect(badSku.status).toBe(400);
    expect(badSku.body.error.message).toMatch(/^sku: /);
    const badCategory = await createProduct(app, admin, { title: 'Ring', sku: 'R-1', category: 'hat', metal: 'silver' });
    expect(badCategory.status).toBe(400);
    expect(badCategory.body.error.message).toMatch(/category/);
    const badStone = await createProduct(app, admin, { title: 'Ring', sku: 'R-2', category: 'ring', metal: 'silver', stones: [{ type: 'diamond', count: 0 }] });
    expect(badStone.status).toBe(400);
    expect(badStone.body.error.message).toMatch(/stones\.0\.count/);

    const briefs = await app.http.get('/product-gallery/briefs').set(admin.auth);
    const rings = briefs.body.data.find((b: any) => b.name === 'Rings');
    const dupSlots = await app.http
      .put(`/product-gallery/briefs/${rings.documentId}`)
      .set(admin.auth)
      .send({ slotPlan: [{ slot: 'grid', roles: ['clean'] }, { slot: 'grid', roles: ['model'] }] });
    expect(dupSlots.status).toBe(400);
    expect(dupSlots.body.error.message).toMatch(/^Slot plan › Grid: slot "grid" appears twice/);
    const badClone = await app.http.post(`/product-gallery/briefs/${rings.documentId}/clone`).set(admin.auth).send({ name: '' });
    expect(badClone.status).toBe(400);
    expect(badClone.body.error.message).toMatch(/^Name: the clone needs a name/);
    const clash = await app.http.post(`/product-gallery/briefs/${rings.documentId}/clone`).set(admin.auth).send({ name: 'Rings 2', categories: ['ring'] });
    expect(clash.status).toBe(400);
    expect(clash.body.error.message).toMatch(/^Categories: "ring" already has a default brief/);
    const badId = await app.http.get('/product-gallery/briefs/not-an-id!').set(admin.auth);
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(/^documentId/);
  });

  it('clones a brief for another category, and versions every edit', async () => {
    const briefs = await app.http.get('/product-gallery/briefs').set(admin.auth);
    const rings = briefs.body.data.find((b: any) => b.name === 'Rings');
    const clone = await app.http.post(`/product-gallery/briefs/${rings.documentId}/clone`).set(admin.auth).send({ name: 'Anklets', categories: ['anklet'] });
    expect(clone.status).toBe(201);
    expect(clone.body.data).toMatchObject({ name: 'Anklets', categories: ['anklet'], version: 1 });
    expect(clone.body.data.roles.map((r: any) => r.role)).toEqual(rings.roles.map((r: any) => r.role));
    const edit = await app.http.put(`/product-gallery/briefs/${clone.body.data.documentId}`).set(admin.auth).send({ name: 'Anklets and chains' });
    expect(edit.status).toBe(200);
    expect(edit.body.data.version).toBe(2);
    // Content Manager edits bump the version too.
    const cm = await app.http.put(`${BRIEF_CM}/${clone.body.data.documentId}`).set(admin.auth).send({ name: 'Anklets' });
    expect(cm.status).toBe(200);
    const after = await app.http.get(`/product-gallery/briefs/${clone.body.data.documentId}`).set(admin.auth);
    expect(after.body.data.version).toBe(3);
  });

  it('round-trips a product whose source photo came through the upload API', async () => {
    const photo = await uploadPhoto(app, admin, '26_bracelet_product_lava-bead-buddha.jpg');
    const created = await createProduct(app, admin, {
      title: 'Lava bead Buddha bracelet',
      sku: 'BR-LAVA-1',
      category: 'bracelet',
      metal: 'yellow-gold',
      sourcePhoto: photo.id,
      stones: [{ type: 'lava stone', color: 'black', count: 18, sizeMm: 8 }],
      dimensions: { braceletLengthMm: 180 },
      description: 'Stretch bracelet.',
    });
    expect(created.status).toBe(201);
    expect(created.body.data.slug).toBe('lava-bead-buddha-bracelet');
    const read = await app.http.get(`${PRODUCT_CM}/${created.body.data.documentId}`).set(admin.auth);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ title: 'Lava bead Buddha bracelet', sku: 'BR-LAVA-1', category: 'bracelet', metal: 'yellow-gold' });
    expect(read.body.data.sourcePhoto).toMatchObject({ id: photo.id, url: photo.url });
    expect(read.body.data.stones[0]).toMatchObject({ type: 'lava stone', count: 18 });
    expect(Number(read.body.data.dimensions.braceletLengthMm)).toBe(180);
    const bytes = await app.http.get(photo.url);
    expect(bytes.status).toBe(200);
    expect(bytes.headers['content-type']).toMatch(/image\/jpeg/);
  });

  it('refuses a SKU that differs from another product\'s only in case, naming the clash', async () => {
    const first = await createProduct(app, admin, { title: 'Emerald ring', sku: 'DEMO-RING-EM', category: 'ring', metal: 'silver' });
    expect(first.status).toBe(201);
    const lower = await createProduct(app, admin, { title: 'Emerald ring copy', sku: 'demo-ring-em', category: 'ring', metal: 'silver' });
    expect(lower.status).toBe(400);
    expect(lower.body.error.message).toMatch(/^sku: /);
    expect(lower.body.error.message).toContain('DEMO-RING-EM');
    expect(lower.body.error.message).toContain('Emerald ring');
    // Renaming another product onto it is refused too; keeping one's own SKU (in any case) is not.
    const other = await createProduct(app, admin, { title: 'Ruby ring', sku: 'DEMO-RING-RU', category: 'ring', metal: 'silver' });
    expect(other.status).toBe(201);
    const rename = await app.http.put(`${PRODUCT_CM}/${other.body.data.documentId}`).set(admin.auth).send({ sku: 'Demo-Ring-Em' });
    expect(rename.status).toBe(400);
    expect(rename.body.error.message).toContain('DEMO-RING-EM');
    const own = await app.http.put(`${PRODUCT_CM}/${first.body.data.documentId}`).set(admin.auth).send({ sku: 'demo-ring-EM', title: 'Emerald ring' });
    expect(own.status).toBe(200);
  });

  it('keeps audit events append-only', async () => {
    // Only the plugin records audit events (documents API creation is refused): one from the workflow.
    const made = await createProduct(app, admin, { title: 'Audit trail ring', sku: 'RG-AUDIT-1', category: 'ring', metal: 'silver' });
    const product = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: made.body.data.documentId }, select: ['id'] });
    const asset = await app.strapi.plugin('product-gallery').service('workflow').create({ productId: product.id, role: 'clean', status: 'draft' }, { kind: 'system', name: 'test' });
    const event = await app.strapi.db.query('plugin::product-gallery.audit-event').findOne({ where: { asset: asset.documentId } });
    const res = await app.http
      .put(`/content-manager/collection-types/plugin::product-gallery.audit-event/${event.documentId}`)
      .set(admin.auth)
      .send({ note: 'rewritten' });
    expect(res.status).toBe(403);
    const del = await app.http.delete(`/content-manager/collection-types/plugin::product-gallery.audit-event/${event.documentId}`).set(admin.auth);
    expect(del.status).toBe(403);
  });
});

describe('foundation: brief seeding across restarts', () => {
  it('never duplicates the default briefs and never overwrites an editor’s change', async () => {
    let app = await startApp();
    const dbEnv = app.dbEnv;
    const rings = (await app.strapi.db.query('plugin::product-gallery.category-brief').findOne({ where: { name: 'Rings' }, populate: { roles: true } }))!;
    await app.strapi.plugin('product-gallery').service('briefs').update(rings.documentId, { name: 'Rings (house style)' });
    await app.stop({ keepDatabase: true });

    app = await startApp({ dbEnv });
    try {
      const all = await app.strapi.db.query('plugin::product-gallery.category-brief').findMany({ select: ['name', 'version'] });
      expect(all.map((b: any) => b.name).sort()).toEqual(['Bracelets', 'Earrings', 'Necklaces', 'Pendants', 'Rings (house style)']);
      expect(all.find((b: any) => b.name === 'Rings (house style)').version).toBe(2);
    } finally {
      await app.stop();
    }
  });
});
