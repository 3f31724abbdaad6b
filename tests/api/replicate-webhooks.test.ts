import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { signWebhook } from '../../plugins/product-gallery/server/src/replicate';
import { freePort } from '../support/http';

const ASSET = 'plugin::product-gallery.image-asset';

/** Completion by signed webhook: duplicates and out-of-order deliveries are harmless. */
describe('Replicate webhooks into the app', () => {
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let productId: string;

  beforeAll(async () => {
    fake = await startFakeReplicate({ log: false });
    const port = await freePort();
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        REPLICATE_WEBHOOK_SECRET: fake.webhookSecret,
        // Long enough that only the webhook can finish the job within the test.
        REPLICATE_PREDICTION_DEADLINE_MS: '120000',
        PRODUCT_GALLERY_TICK_MS: '100',
      },
    });
    await new Promise<void>((r) => app.strapi.server.httpServer.listen(port, '127.0.0.1', () => r()));
    admin = await adminSession(app);
    const photo = await uploadPhoto(app, admin, '07_earrings_product_double-pearl-studs.jpg');
    const res = await createProduct(app, admin, {
      title: 'Double pearl studs',
      sku: 'EAR-PEARL-2',
      category: 'earrings',
      metal: 'silver',
      sourcePhoto: photo.id,
      dimensions: { earringDropMm: 12 },
    });
    expect(res.status).toBe(201);
    productId = res.body.data.documentId;
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const waitForStatus = async (documentId: string, statuses: string[], timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const asset = await app.strapi.db.query(ASSET).findOne({ where: { documentId } });
      if (statuses.includes(asset.status)) return asset;
      if (Date.now() > deadline) throw new Error(`asset stayed ${asset.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('finishes a generation from duplicated, out-of-order webhook deliveries, with one prediction', async () => {
    fake.setScenario({ latencyMs: 300, webhook: { duplicates: 2, outOfOrder: true } });
    const res = await app.http.post(`/product-gallery/products/${productId}/generate`).set(admin.auth).send({ roles: ['model'] });
    expect(res.status).toBe(202);
    const id = res.body.data.assets[0].documentId;
    const asset = await waitForStatus(id, ['draft', 'failed']);
    expect([asset.status, asset.error]).toEqual(['draft', null]);
    // One prediction for the shot, one for its upscale to the role's minimum.
    const byModel = [...fake.predictions.values()].map((p) => p.model).sort();
    expect(byModel).toEqual(['black-forest-labs/flux-kontext-pro', 'nightmareai/real-esrgan']);
    expect(fake.state.webhookDeliveries.length).toBeGreaterThanOrEqual(3);
    const audit = await app.strapi.db.query('plugin::product-gallery.audit-event').findMany({ where: { asset: id } });
    expect(audit.filter((a: any) => a.to === 'draft')).toHaveLength(1);
  });

  it('refuses tampered, wrongly signed and stale deliveries with 401', async () => {
    const body = JSON.stringify({ id: 'p1', status: 'succeeded', output: 'x' });
    const now = Math.floor(Date.now() / 1000);
    const post = (headers: Record<string, string>, payload = body) =>
      app.http.post('/api/product-gallery/replicate/webhook?gen=unknown').set({ 'content-type': 'application/json', ...headers }).send(payload);
    const good = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signWebhook('msg_1', now, body, fake.webhookSecret) };
    expect((await post(good)).status).toBe(204);
    expect((await post(good, body.replace('p1', 'p2'))).status).toBe(401);
    const wrong = 'whsec_' + Buffer.from('another-secret-entirely').toString('base64');
    expect((await post({ ...good, 'webhook-signature': signWebhook('msg_1', now, body, wrong) })).status).toBe(401);
    const stale = now - 6 * 60;
    const res = await post({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(stale), 'webhook-signature': signWebhook('msg_1', stale, body, fake.webhookSecret) });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/timestamp|old|tolerance/i);
  });
});
