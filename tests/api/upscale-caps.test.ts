import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { createModelRegistry } from '../../plugins/product-gallery/server/src/models';

const ASSET = 'plugin::product-gallery.image-asset';
const registry = createModelRegistry();
const EDIT = registry.require('black-forest-labs/flux-kontext-pro');
const UPSCALER = registry.upscaler();

/**
 * The upscale step is a Replicate prediction like the shot: booked against the caps before it is
 * created. Here the day's cap leaves room for a second shot but not for its upscale.
 */
describe('upscaling under the cost caps', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let photoId: number;
  const dayCap = 2 * EDIT.price + UPSCALER.price + UPSCALER.price / 2;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: false, scenario: { latencyMs: 50, startDelayMs: 0 } });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        PRODUCT_GALLERY_TICK_MS: '100',
        PRODUCT_GALLERY_COST_CAP_PER_DAY: String(dayCap),
      },
    });
    admin = await adminSession(app);
    photoId = (await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg')).id;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const modelShot = async (sku: string) => {
    const res = await createProduct(app, admin, { title: `Crane ${sku}`, sku, category: 'pendant', metal: 'silver', sourcePhoto: photoId, dimensions: { pendantDropMm: 20, chainLengthMm: 450 } });
    expect(res.status).toBe(201);
    const gen = await app.http.post(`/product-gallery/products/${res.body.data.documentId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(gen.status).toBe(202);
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    return app.strapi.db.query(ASSET).findOne({ where: { product: { documentId: res.body.data.documentId } } });
  };
  const upscales = () => [...fake.predictions.values()].filter((p) => p.model === UPSCALER.id).length;

  it('books the upscale, and refuses it when it would pass a cap: the shot fails saying which cap', async () => {
    const first = await modelShot('UP-1');
    expect(first.status).toBe('draft');
    expect(Number(first.cost)).toBeCloseTo(EDIT.price + UPSCALER.price, 6);
    expect(upscales()).toBe(1);

    const second = await modelShot('UP-2');
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/Daily cost cap reached/);
    // The edit was made and paid for; its upscale was never created.
    expect(Number(second.cost)).toBeCloseTo(EDIT.price, 6);
    expect(upscales()).toBe(1);
  });

  it("refuses the reference's AI second opinion when it would pass a cap: no prediction is free", async () => {
    const res = await createProduct(app, admin, { title: 'Crane UP-3', sku: 'UP-3', category: 'pendant', metal: 'silver', sourcePhoto: photoId, dimensions: { pendantDropMm: 20 } });
    expect(res.status).toBe(201);
    const before = fake.creationCount();
    const ai = await app.http.post(`/product-gallery/products/${res.body.data.documentId}/reference/ai`).set(admin.auth).send({});
    expect(ai.status).toBe(422);
    expect(ai.body.error.message).toMatch(/Daily cost cap reached/);
    expect(fake.creationCount()).toBe(before);
  });
});
