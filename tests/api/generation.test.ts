import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { NEGATIVES_DIR, photoPath } from '../support/photos';
import path from 'node:path';
import { createHash } from 'node:crypto';

/** Planning, local generation and import, through the admin API of the real app. */
describe('generation: shot lists, the local generator and import', () => {
  let app: TestApp;
  let admin: AdminSession;
  let productId: string;

  beforeAll(async () => {
    app = await startApp();
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, '04_pendant_product_turquoise-point-pendant.jpg');
    const res = await createProduct(app, admin, {
      title: 'Turquoise point pendant',
      sku: 'PEND-TQ-01',
      category: 'pendant',
      metal: 'silver',
      sourcePhoto: photo.id,
      stones: [{ type: 'turquoise', color: 'blue-green', count: 1, sizeMm: 22 }],
      dimensions: { pendantDropMm: 30, chainLengthMm: 450 },
    });
    if (res.status !== 201) throw new Error(`product create: ${res.status} ${JSON.stringify(res.body)}`);
    productId = res.body.data.documentId;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('analyses the source photo on save: cutout and reference fingerprint', async () => {
    const res = await app.http.get(`/product-gallery/products/${productId}`).set(admin.auth);
    expect(res.status).toBe(200);
    const { reference, plan } = res.body.data;
    expect(reference.intake.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(reference.cutout.confidence).toBeGreaterThan(0.6);
    expect(reference.needsReview).toBe(false);
    // the admin reads the state as the server judges it; the fingerprint stays on the server
    expect(reference.state).toBe('automatic');
    expect(reference).not.toHaveProperty('fingerprint');
    expect(reference.cutoutUrl).toMatch(/\.png$/);
    expect(plan.shots.map((s: any) => s.role)).toEqual(['clean', 'model', 'detail', 'lifestyle', 'size']);
    expect(plan.missingRoles).toEqual(['clean', 'model', 'detail', 'lifestyle', 'size']);
    // No Replicate token: auto roles fall back to the local compositor.
    expect(plan.shots.find((s: any) => s.role === 'model').generator).toBe('local');
    expect(plan.shots.find((s: any) => s.role === 'model').prompt).toContain('silver pendant');
  });

  it('refuses a source photo that is not a usable image, naming the field', async () => {
    const bad = await uploadPhoto(app, admin, path.join(NEGATIVES_DIR, 'n09_too-small_chakra-bracelet_300x200.jpg'));
    const res = await createProduct(app, admin, { title: 'Tiny', sku: 'TINY-1', category: 'bracelet', metal: 'silver', sourcePhoto: bad.id });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.message).toMatch(/sourcePhoto/);
    expect(res.body.error.message).toMatch(/small|short side|500/i);
  });

  it('rejects an unknown role with a 400 naming roles', async () => {
    const res = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({ roles: ['hat'] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^roles/);
  });

  it('generates every missing role, records each, and never duplicates a live role', async () => {
    const res = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({});
    expect(res.status).toBe(202);
    expect(res.body.data.assets.map((a: any) => a.role).sort()).toEqual(['clean', 'detail', 'lifestyle', 'model', 'size']);
    expect(res.body.data.assets.every((a: any) => a.status === 'queued')).toBe(true);
    // Each shot as the asset list shows it: no checks or moves yet, and nothing of the record besides (its prompt stays on the server).
    for (const a of res.body.data.assets) {
      expect(a).toMatchObject({ version: 1, imageNumber: 1, file: null, product: { documentId: productId }, qc: { status: null, checks: [] }, moves: [] });
      expect(a).not.toHaveProperty('prompt');
      expect(a).not.toHaveProperty('generationTag');
    }

    const again = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({});
    expect(again.status).toBe(202);
    expect(again.body.data.assets).toHaveLength(0);
    expect(again.body.data.skipped.sort()).toEqual(['clean', 'detail', 'lifestyle', 'model', 'size']);

    await app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);

    const progress = await app.http.get(`/product-gallery/progress?product=${productId}`).set(admin.auth);
    expect(progress.status).toBe(200);
    const byRole = Object.fromEntries(progress.body.data.assets.map((a: any) => [a.role, a]));
    for (const role of ['clean', 'detail', 'model', 'lifestyle']) {
      expect([role, byRole[role].status, byRole[role].error]).toEqual([role, 'draft', null]);
    }
    // no width or height recorded: the size guide is refused rather than drawn to a guessed scale
    expect(byRole.size.status).toBe('failed');
    expect(byRole.size.error).toMatch(/width or height in millimetres/);
    expect(progress.body.data.counts).toEqual({ draft: 4, failed: 1 });
  });

  it('stores each shot in the Media Library with renditions, placeholder and QC', async () => {
    const assets = await app.strapi.db
      .query('plugin::product-gallery.image-asset')
      .findMany({ where: { product: { documentId: productId } }, populate: { file: true } });
    const clean = assets.find((a: any) => a.role === 'clean');
    expect(clean.file.url).toMatch(/^\/uploads\//);
    expect(clean.width).toBe(2000);
    expect(clean.height).toBe(2000);
    expect(clean.placeholder.length).toBeGreaterThan(10);
    expect(clean.renditions.map((r: any) => r.format)).toEqual(expect.arrayContaining(['webp', 'jpeg']));
    expect(clean.qc.map((c: any) => c.id)).toEqual(expect.arrayContaining(['tech.resolution', 'fidelity.color']));
    expect(clean.qcStatus).not.toBe('fail');
    // The 544 px photo's product was enlarged about 4x to fill 2000 px: said, not "all passed".
    const upscale = clean.qc.find((c: any) => c.id === 'tech.upscale');
    expect(upscale).toMatchObject({ status: 'warn', threshold: 2 });
    expect(upscale.value).toBeGreaterThan(3);
    expect(upscale.message).toMatch(/enlarged \d\.\d×/i);
    expect(upscale.message).toMatch(/shopper/i);
    expect(clean.qcStatus).toBe('warn');
    const listed = await app.http.get('/product-gallery/assets').query({ product: productId }).set(admin.auth);
    const cleanView = listed.body.data.find((a: any) => a.documentId === clean.documentId);
    expect(cleanView.upscaleFactor).toBeCloseTo(upscale.value, 1);
    expect(clean.provenance).toMatchObject({ generator: 'local', composite: false, briefVersion: 1 });
    const model = assets.find((a: any) => a.role === 'model');
    expect(model.provenance).toMatchObject({ generator: 'local', composite: true, scene: 'neckline' });
    expect(model.provenance.scale).toMatchObject({ longSideMm: 150, source: 'chain length', assumed: false });
    const history = await app.strapi.db.query('plugin::product-gallery.audit-event').findMany({ where: { asset: clean.documentId }, orderBy: { id: 'asc' } });
    expect(history.map((h: any) => `${h.from}->${h.to}`)).toEqual(['null->queued', 'queued->generating', 'generating->draft']);
  });

  const rows = () =>
    app.strapi.db.query('plugin::product-gallery.image-asset').findMany({ where: { product: { documentId: productId } }, populate: { file: true } });
  const sha256Of = async (file: { url: string }) => {
    const res = await app.http.get(file.url).buffer(true);
    expect(res.status).toBe(200);
    return createHash('sha256').update(res.body as Buffer).digest('hex');
  };
  const moveAsset = async (documentId: string, to: string, note?: string) => {
    const current = (await rows()).find((a: any) => a.documentId === documentId);
    const res = await app.http.post(`/product-gallery/assets/${documentId}/transition`).set(admin.auth).send({ to, note, version: current.version });
    expect([to, res.status, res.body.error?.message]).toEqual([to, 200, undefined]);
  };

  it("regenerates a rejected local model shot as a different image, with the reviewer's note in its prompt", async () => {
    const before = (await rows()).find((a: any) => a.role === 'model');
    const move = (to: string, note?: string) => moveAsset(before.documentId, to, note);
    const dispatch = app.strapi.plugin('product-gallery').service('dispatch');
    await move('in_review');
    await move('rejected', 'place it a little lower');
    // Held, so that the re-queued row can be read before the dispatcher takes it.
    await dispatch.stop();
    await move('queued');
    const queued = (await rows()).find((a: any) => a.documentId === before.documentId);
    expect(queued).toMatchObject({ status: 'queued', file: null, qc: null, qcStatus: null, attempts: 0 });
    expect(queued.generationTag).not.toBe(before.generationTag);
    expect(queued.provenance).toMatchObject({ generator: 'local', model: null, briefId: before.provenance.briefId, briefVersion: 1, sourceHash: before.provenance.sourceHash });
    expect(queued.provenance.placement).toBeUndefined();

    await dispatch.start();
    await dispatch.drain(120_000);
    const after = (await rows()).find((a: any) => a.documentId === before.documentId);
    expect([after.status, after.error]).toEqual(['draft', null]);
    expect(after.file.id).not.toBe(before.file.id);
    // Another placement on the scene, not the same picture again.
    expect(await sha256Of(after.file)).not.toBe(await sha256Of(before.file));
    expect(after.provenance.placement).not.toEqual(before.provenance.placement);
    expect(after.provenance.placement.pxPerMm).toBe(before.provenance.placement.pxPerMm);
    expect(after.qc.length).toBeGreaterThan(3);
    // Another take, not a worse one: what the checks said of the first holds for this one.
    expect(after.qc.map((c: any) => [c.id, c.status])).toEqual(before.qc.map((c: any) => [c.id, c.status]));
    expect(after.prompt).toMatch(/Reviewer's note to fix: place it a little lower/);
    // The rejected image is kept in the Media Library.
    expect(await app.strapi.db.query('plugin::upload.file').findOne({ where: { id: before.file.id } })).not.toBeNull();
    const history = await app.strapi.db.query('plugin::product-gallery.audit-event').findMany({ where: { asset: before.documentId }, orderBy: { id: 'asc' } });
    expect(history.map((h: any) => `${h.from}->${h.to}`).slice(-4)).toEqual(['in_review->rejected', 'rejected->queued', 'queued->generating', 'generating->draft']);
  });

  it('says plainly that a local close-up is made the same way each time, instead of making the same image again', async () => {
    const before = (await rows()).find((a: any) => a.role === 'detail');
    const beforeSha = await sha256Of(before.file);
    const files = await app.strapi.db.query('plugin::upload.file').count();
    await moveAsset(before.documentId, 'in_review');
    await moveAsset(before.documentId, 'rejected', 'crop closer to the stone');
    await moveAsset(before.documentId, 'queued');
    await app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);
    const after = (await rows()).find((a: any) => a.documentId === before.documentId);
    expect(after.status).toBe('failed');
    expect(after.error).toMatch(/made the same way each time; regenerating gives the same image/);
    expect(after.file).toBeNull();
    // No byte-identical copy was stored.
    expect(await app.strapi.db.query('plugin::upload.file').count()).toBe(files);
    expect(beforeSha).toMatch(/^[0-9a-f]{64}$/);
  });

  it('imports an outside image as a candidate that goes through intake and QC', async () => {
    const res = await app.http
      .post(`/product-gallery/products/${productId}/assets`)
      .set(admin.auth)
      .field('role', 'lifestyle')
      .attach('file', photoPath('60_pendant_lifestyle_dreamcatcher-on-white-chair.jpg'));
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ role: 'lifestyle', status: 'draft' });
    expect(res.body.data.qc.checks.length).toBeGreaterThan(3);
  });

  it('refuses an import that is not a photo, with a 4xx naming the problem', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"><circle r="400" cx="450" cy="450"/></svg>');
    const res = await app.http
      .post(`/product-gallery/products/${productId}/assets`)
      .set(admin.auth)
      .field('role', 'clean')
      .attach('file', svg, { filename: 'photo.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/SVG/);
    const missingRole = await app.http
      .post(`/product-gallery/products/${productId}/assets`)
      .set(admin.auth)
      .attach('file', svg, { filename: 'photo.svg' });
    expect(missingRole.status).toBe(400);
    expect(missingRole.body.error.message).toMatch(/^role/);
  });

  it('does not judge the size of a scene made without dimensions as if it were known: a person is asked', async () => {
    const photo = await uploadPhoto(app, admin, '07_earrings_product_double-pearl-studs.jpg');
    const made = await createProduct(app, admin, { title: 'Pearl studs, no size', sku: 'EAR-NOSIZE-1', category: 'earrings', metal: 'silver', sourcePhoto: photo.id });
    expect(made.status).toBe(201);
    const id = made.body.data.documentId;
    const res = await app.http.post(`/product-gallery/products/${id}/generate`).set(admin.auth).send({ roles: ['lifestyle', 'model'] });
    expect(res.status).toBe(202);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);
    const assets = await app.strapi.db.query('plugin::product-gallery.image-asset').findMany({ where: { product: { documentId: id } } });
    expect(assets.map((a: any) => a.role).sort()).toEqual(['lifestyle', 'model']);
    for (const asset of assets) {
      expect([asset.role, asset.status]).toEqual([asset.role, 'draft']);
      expect(asset.provenance.scale).toMatchObject({ source: 'category default', assumed: true });
      const scale = asset.qc.find((c: any) => c.id === 'fidelity.scale');
      expect([asset.role, scale.status, scale.value]).toEqual([asset.role, 'unverified', null]);
      expect(scale.message).toMatch(/no dimensions/);
      expect(scale.message).toMatch(/assumed/);
      expect(asset.qcStatus).not.toBe('pass');
    }

    // Published by a person who read the checks, the drawn scene reaches the storefront saying what it is.
    let lifestyle = assets.find((a: any) => a.role === 'lifestyle');
    for (const to of ['in_review', 'approved', 'published']) {
      const moved = await app.http
        .post(`/product-gallery/assets/${lifestyle.documentId}/transition`)
        .set(admin.auth)
        .send({ to, version: lifestyle.version, ...(to === 'approved' ? { override: 'Looked at it: a fair preview of the studs at a typical size' } : {}) });
      expect([to, moved.status, moved.body.error?.message]).toEqual([to, 200, undefined]);
      lifestyle = moved.body.data;
    }
    const gallery = await app.http.get(`/api/product-gallery/galleries/${made.body.data.slug}`);
    expect(gallery.status).toBe(200);
    const shown = gallery.body.data.slots.filter((s: any) => s.role === 'lifestyle');
    expect(shown.length).toBeGreaterThan(0);
    for (const slot of shown) expect(slot.image).toMatchObject({ scenePreview: true, aiGenerated: false });
  });
});
