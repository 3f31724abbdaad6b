import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { createModelRegistry, ratioValue } from '../../plugins/product-gallery/server/src/models';

const ASSET = 'plugin::product-gallery.image-asset';
const REGISTRY = createModelRegistry();
const EDIT_MODELS = REGISTRY.list().filter((m) => m.kind === 'edit');
const UPSCALER = REGISTRY.upscaler();

/**
 * Model and lifestyle shots of a real product photo through each editing model the registry has,
 * against the fake Replicate (each model's published schema, real output size and shape).
 */
describe('each editing model, end to end', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let photoId: number;
  let brief: any;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: true, scenario: { startDelayMs: 5, latencyMs: 50 } });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        REPLICATE_PREFER_WAIT_SEC: '5',
        PRODUCT_GALLERY_TICK_MS: '100',
        PRODUCT_GALLERY_COST_CAP_PER_PRODUCT: '5',
      },
    });
    admin = await adminSession(app);
    photoId = (await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg')).id;
    const briefs = await app.http.get('/product-gallery/briefs').set(admin.auth);
    brief = briefs.body.data.find((b: any) => b.name === 'Pendants');
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const rolesWith = (model: string) => brief.roles.map(({ id: _id, sceneImage: _s, ...r }: any) => (r.role === 'model' || r.role === 'lifestyle' ? { ...r, model } : r));

  it('refuses a brief naming a model the registry does not know, naming the field', async () => {
    const res = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: rolesWith('acme/unknown-model') });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^On model › Model: "acme\/unknown-model" is not a supported model/);
    const upscaler = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: rolesWith('nightmareai/real-esrgan') });
    expect(upscaler.status).toBe(400);
    expect(upscaler.body.error.message).toMatch(/upscales images/);
  });

  it.each(EDIT_MODELS.map((m) => [m.id, m] as const))('%s: model and lifestyle shots at the brief ratio, priced as the registry says', async (id, model) => {
    const saved = await app.http.put(`/product-gallery/briefs/${brief.documentId}`).set(admin.auth).send({ roles: rolesWith(id) });
    expect(saved.status).toBe(200);
    const sku = `PEND-${id.replace(/[^a-z0-9]/gi, '').slice(-12)}`;
    const product = await createProduct(app, admin, { title: `Crane ${id}`, sku, category: 'pendant', metal: 'silver', sourcePhoto: photoId, dimensions: { pendantDropMm: 20, chainLengthMm: 450 } });
    expect(product.status).toBe(201);
    const seen = fake.state.requests.length;
    const res = await app.http.post(`/product-gallery/products/${product.body.data.documentId}/generate`).set(admin.auth).send({ roles: ['model', 'lifestyle'] });
    expect(res.status).toBe(202);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(90_000);
    for (const role of ['model', 'lifestyle']) {
      const asset = await app.strapi.db.query(ASSET).findOne({ where: { product: { documentId: product.body.data.documentId }, role }, populate: { file: true } });
      expect([asset.status, asset.error]).toEqual(['draft', null]);
      expect(asset.provenance).toMatchObject({ generator: 'replicate', model: id });
      const spec = brief.roles.find((r: any) => r.role === role);
      const { width, height } = asset.file;
      expect(Math.abs(width / height - ratioValue(spec.aspectRatio))).toBeLessThan(0.01);
      expect(asset.qc.find((c: any) => c.id === 'tech.aspect')?.status).toBe('pass');
      // The served image is at the brief's size: an output below the role minimum was upscaled,
      // paid for and recorded; one that was big enough was not.
      expect(Math.max(width, height)).toBeGreaterThanOrEqual(spec.minLongEdge);
      expect(asset.qc.find((c: any) => c.id === 'tech.resolution')?.status).toBe('pass');
      const up = asset.provenance.upscale;
      if (up) {
        expect(Math.max(up.from.width, up.from.height)).toBeLessThan(spec.minLongEdge);
        expect(up).toMatchObject({ model: UPSCALER.id, to: { width, height } });
        expect(Number(asset.cost)).toBeCloseTo(model.price + UPSCALER.price, 6);
      } else {
        expect(Number(asset.cost)).toBeCloseTo(model.price, 6);
      }
      // The default model answers about 1 MP: its shots reach the default briefs' sizes only upscaled.
      if (id === 'black-forest-labs/flux-kontext-pro') expect(up?.predictionId).toBeTruthy();
    }
    // The creation went where the model runs, in the model's own fields.
    const creations = fake.state.requests
      .slice(seen)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/predictions'))
      .filter((r) => r.path.includes(`/models/${id}/`) || String(JSON.parse(r.body).version ?? '').startsWith(`${id}:`));
    expect(creations).toHaveLength(2);
    for (const c of creations) {
      expect(c.path).toBe(model.official ? `/v1/models/${id}/predictions` : '/v1/predictions');
      const input = JSON.parse(c.body).input;
      expect(input[model.photo.field]).toBeDefined();
      expect(JSON.stringify(input)).not.toMatch(/Avoid:/);
    }
  });
});
