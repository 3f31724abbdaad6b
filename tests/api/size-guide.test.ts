import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { createAsset, move, uploadPhoto as uploadFixture } from '../support/fixtures';

/**
 * The size guide in the default briefs, and what counts toward a ready gallery: a local composite
 * on a drawn scene (a scene preview) does not, unless the brief's role allows scene previews; a
 * composite on an editor's own scene photo does; the size guide fills gallery-2 without a model shot.
 */
describe('size guide and scene previews', () => {
  let app: TestApp;
  let admin: AdminSession;

  beforeAll(async () => {
    app = await startApp();
    admin = await adminSession(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  const pendant = async (sku: string, dimensions: Record<string, unknown>) => {
    const photo = await uploadPhoto(app, admin, '04_pendant_product_turquoise-point-pendant.jpg');
    const res = await createProduct(app, admin, { title: `Turquoise point ${sku}`, sku, category: 'pendant', metal: 'silver', sourcePhoto: photo.id, dimensions });
    if (res.status !== 201) throw new Error(`product create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data.documentId as string;
  };

  const drain = () => app.strapi.plugin('product-gallery').service('dispatch').drain(120_000);
  const assetOf = async (documentId: string, role: string) => {
    const progress = await app.http.get(`/product-gallery/progress?product=${documentId}`).set(admin.auth);
    return progress.body.data.assets.find((a: any) => a.role === role);
  };

  it('the default brief plans a local size guide, and gallery-2 falls back to it', async () => {
    const id = await pendant('SIZE-PLAN', { widthMm: 30, heightMm: 52 });
    const res = await app.http.get(`/product-gallery/products/${id}`).set(admin.auth);
    expect(res.status).toBe(200);
    const size = res.body.data.plan.shots.find((s: any) => s.role === 'size');
    expect(size).toMatchObject({ role: 'size', generator: 'local', missing: true });
    const briefs = await app.http.get('/product-gallery/briefs').set(admin.auth);
    for (const brief of briefs.body.data) {
      expect([brief.name, brief.slotPlan.find((s: any) => s.slot === 'gallery-2').roles]).toEqual([brief.name, ['model', 'size']]);
    }
  });

  it('makes the size guide from the record and labels it as such; refuses without width or height', async () => {
    const withSize = await pendant('SIZE-OK', { widthMm: 30, heightMm: 52 });
    const without = await pendant('SIZE-NONE', { pendantDropMm: 30, chainLengthMm: 450 });
    for (const id of [withSize, without]) {
      const res = await app.http.post(`/product-gallery/products/${id}/generate`).set(admin.auth).send({ roles: ['size'] });
      expect(res.status).toBe(202);
    }
    await drain();
    const made = await assetOf(withSize, 'size');
    expect([made.status, made.error]).toEqual(['draft', null]);
    const full = await app.http.get(`/product-gallery/assets/${made.documentId}`).set(admin.auth);
    expect(full.body.data.provenance).toMatchObject({ generator: 'local', method: 'size-guide', scenePreview: false, scale: { longSideMm: 52 } });
    expect(full.body.data.file.width).toBe(1600);
    const refused = await assetOf(without, 'size');
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/width or height in millimetres/);
  });

  it('labels a local model shot on a drawn scene as a scene preview', async () => {
    const id = await pendant('SIZE-PREVIEW', { widthMm: 30, heightMm: 52 });
    await app.http.post(`/product-gallery/products/${id}/generate`).set(admin.auth).send({ roles: ['model'] });
    await drain();
    const model = await assetOf(id, 'model');
    const full = await app.http.get(`/product-gallery/assets/${model.documentId}`).set(admin.auth);
    expect(full.body.data.provenance).toMatchObject({ generator: 'local', composite: true, scenePreview: true, label: 'scene preview' });
  });

  describe('readiness', () => {
    const LOCAL_PREVIEW = { generator: 'local', method: 'composite', composite: true, scene: 'neckline', scenePreview: true, label: 'scene preview' };
    const LOCAL_ON_PHOTO = { generator: 'local', method: 'composite', composite: true, scene: 'custom', scenePreview: false };

    /** A pendant with clean and detail published and a model shot made as given. */
    const galleryWith = async (model: Record<string, unknown> | null, extra: Array<{ role: string; provenance: Record<string, unknown> }> = []) => {
      const file = await uploadFixture(app, '04_pendant_product_turquoise-point-pendant.jpg');
      const id = await pendant(`SIZE-R-${Math.random().toString(36).slice(2, 8)}`.toUpperCase(), { widthMm: 30, heightMm: 52 });
      const product = await app.strapi.db.query('plugin::product-gallery.product').findOne({ where: { documentId: id } });
      const shots = [
        { role: 'clean', provenance: { generator: 'local', method: 'cutout-on-white', composite: false } },
        { role: 'detail', provenance: { generator: 'local', method: 'crop', composite: false } },
        ...(model ? [{ role: 'model', provenance: model }] : []),
        ...extra,
      ];
      for (const shot of shots) {
        const a = await createAsset(app, { product, role: shot.role as any, status: 'approved', file, extra: { provenance: shot.provenance } });
        await move(app, a.documentId, 'published');
      }
      const res = await app.http.get(`/product-gallery/products/${id}/readiness`).set(admin.auth);
      expect(res.status).toBe(200);
      return res.body.data;
    };
    const pendantsBrief = async () => (await app.http.get('/product-gallery/briefs').set(admin.auth)).body.data.find((b: any) => b.name === 'Pendants');
    const allowPreviews = async (allow: boolean) => {
      const brief = await pendantsBrief();
      const roles = brief.roles.map(({ id: _id, sceneImage: _s, ...r }: any) => (r.role === 'model' ? { ...r, allowScenePreviews: allow } : r));
      const res = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles });
      expect([res.status, res.body.error?.message]).toEqual([200, undefined]);
    };

    it('a scene preview in a default brief does not make the gallery ready', async () => {
      const brief = await pendantsBrief();
      expect(brief.roles.find((r: any) => r.role === 'model').allowScenePreviews).toBe(false);
      const r = await galleryWith(LOCAL_PREVIEW);
      expect(r.summary.ready).toBe(false);
      expect(r.summary.missing).toContain('gallery-2');
    });

    it('a composite on an editor\'s own scene photo counts', async () => {
      const r = await galleryWith(LOCAL_ON_PHOTO);
      expect(r.summary.ready).toBe(true);
      expect(r.slots.find((s: any) => s.slot === 'gallery-2').role).toBe('model');
    });

    it('the size guide fills gallery-2 when the model shot is only a preview', async () => {
      const r = await galleryWith(LOCAL_PREVIEW, [{ role: 'size', provenance: { generator: 'local', method: 'size-guide', composite: false, scenePreview: false } }]);
      expect(r.slots.find((s: any) => s.slot === 'gallery-2').role).toBe('size');
      expect(r.summary.ready).toBe(true);
    });

    it('a brief that allows scene previews counts them', async () => {
      await allowPreviews(true);
      try {
        const r = await galleryWith(LOCAL_PREVIEW);
        expect(r.summary.ready).toBe(true);
        expect(r.slots.find((s: any) => s.slot === 'gallery-2').role).toBe('model');
      } finally {
        await allowPreviews(false);
      }
    });
  });
});
