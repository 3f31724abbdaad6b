import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { createModelRegistry } from '../../plugins/product-gallery/server/src/models';

const registry = createModelRegistry();
const EDIT = registry.require('black-forest-labs/flux-kontext-pro').price;
/** Its ~1 MP output is upscaled to the default briefs' sizes, at the upscaler's price. */
const SHOT = EDIT + registry.upscaler().price;
const usd = (n: number) => `\\$${n.toFixed(2).replace('.', '\\.')}`;

const ASSET = 'plugin::product-gallery.image-asset';

/**
 * Cost caps per product and per day, from the model prices in config (flux-kontext-pro: $0.04).
 * Model and lifestyle shots of a product are prepared at the same moment: the caps must hold
 * even then, not only one shot at a time.
 */
describe('cost caps', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let photoId: number;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: false, scenario: { latencyMs: 100, startDelayMs: 0 } });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        PRODUCT_GALLERY_TICK_MS: '100',
        PRODUCT_GALLERY_CONCURRENCY: '4',
        PRODUCT_GALLERY_COST_CAP_PER_PRODUCT: '0.06',
        PRODUCT_GALLERY_COST_CAP_PER_DAY: '0.10',
      },
    });
    admin = await adminSession(app);
    photoId = (await uploadPhoto(app, admin, '11_pendant_product_silver-origami-crane.jpg')).id;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const generate = async (sku: string, roles: string[]) => {
    const res = await createProduct(app, admin, { title: `Crane ${sku}`, sku, category: 'pendant', metal: 'silver', sourcePhoto: photoId, dimensions: { pendantDropMm: 20, chainLengthMm: 450 } });
    expect(res.status).toBe(201);
    const gen = await app.http.post(`/product-gallery/products/${res.body.data.documentId}/generate`).set(admin.auth).send({ roles });
    expect(gen.status).toBe(202);
    expect(gen.body.data.assets.map((a: any) => a.role).sort()).toEqual([...roles].sort());
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
    return app.strapi.db.query(ASSET).findMany({ where: { product: { documentId: res.body.data.documentId } } });
  };

  it('stops a product at its cap, even for shots prepared at once, and records what each cost', async () => {
    const before = fake.creationCount();
    const assets = await generate('CAP-1', ['model', 'lifestyle']);
    const drafted = assets.filter((a: any) => a.status === 'draft');
    const refused = assets.filter((a: any) => a.status === 'failed');
    expect([drafted.length, refused.length]).toEqual([1, 1]);
    expect(refused[0].error).toMatch(new RegExp(`Cost cap reached for this product: ${usd(EDIT)} spent of \\$0\\.06`));
    expect(Number(drafted[0].cost)).toBeCloseTo(SHOT, 5);
    expect(Number(refused[0].cost ?? 0)).toBe(0);
    // The shot and its upscale.
    expect(fake.creationCount() - before).toBe(2);
  });

  it('stops everything at the daily cap', async () => {
    const before = fake.creationCount();
    // One shot spent today by CAP-1; CAP-2's makes two; CAP-3's would go over $0.10.
    expect((await generate('CAP-2', ['model'])).map((a: any) => a.status)).toEqual(['draft']);
    const [refused] = await generate('CAP-3', ['model']);
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(new RegExp(`Daily cost cap reached: ${usd(2 * SHOT)} spent today of \\$0\\.10`));
    expect(fake.creationCount() - before).toBe(2);
  });
});
